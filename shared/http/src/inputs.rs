//! Typed inputs from a Lambda HTTP request: path and query parameters, the JSON body, the
//! body's size limit and the invocation's deadline. Every refusal is an [`ApiError`] naming
//! the field.

use gateway_domain::Invalid;
use gateway_errors::ApiError;
use lambda_http::http::{HeaderValue, header};
use lambda_http::{Body, Request, RequestExt};
use percent_encoding::percent_decode_str;
use serde::de::DeserializeOwned;

/// The largest request body a function accepts.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// What a handler reads from its request once the caller is admitted: every method refuses
/// with a 400 naming the field.
#[derive(Clone, Copy)]
pub struct Inputs<'r> {
    req: &'r Request,
    body: &'r [u8],
}

impl<'r> Inputs<'r> {
    /// The request's inputs, once its body is known to be within [`MAX_BODY_BYTES`].
    pub fn of(req: &'r Request) -> Result<Self, ApiError> {
        Ok(Self {
            req,
            body: body_within_limit(req)?,
        })
    }

    pub fn path<T>(
        &self,
        name: &'static str,
        parse: impl FnOnce(&str) -> Result<T, Invalid>,
    ) -> Result<T, ApiError> {
        path_param(self.req, name, parse)
    }

    pub fn query(&self, name: &'static str) -> Result<Option<&'r str>, ApiError> {
        query_param(self.req, name)
    }

    /// The body as JSON of type `T` (see [`parse_json`]).
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        parse_json(self.req, self.body)
    }

    pub fn body(&self) -> &'r [u8] {
        self.body
    }

    pub fn header(&self, name: &str) -> Option<&'r HeaderValue> {
        self.req.headers().get(name)
    }

    pub fn request(&self) -> &'r Request {
        self.req
    }

    /// When this invocation must have answered.
    pub fn deadline(&self) -> std::time::Instant {
        deadline(self.req)
    }
}

/// The `Authorization` header, if it is there and readable.
pub fn authorization(req: &Request) -> Option<&str> {
    req.headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
}

/// A path parameter, parsed. API Gateway HTTP APIs hand path parameters percent-decoded,
/// while function URLs and local runs keep `%40` as it came: a value that still stands
/// verbatim in the raw path was not decoded, so it is decoded here, once; a value API Gateway
/// already decoded is taken as it is (decoding it again would turn `%2540` into `@`).
pub fn path_param<T>(
    req: &Request,
    name: &'static str,
    parse: impl FnOnce(&str) -> Result<T, Invalid>,
) -> Result<T, ApiError> {
    let params = req.path_parameters_ref();
    let raw = params
        .and_then(|p| p.first(name))
        .ok_or_else(|| ApiError::validation(name, "is missing from the path"))?;
    let value = if is_raw_segment(req, raw) {
        percent_decode_str(raw)
            .decode_utf8()
            .map_err(|_| ApiError::validation(name, "is not valid UTF-8 once percent-decoded"))?
    } else {
        raw.into()
    };
    parse(&value).map_err(|Invalid(reason)| ApiError::validation(name, reason))
}

/// `value` is one of the segments of the path as the client sent it (still percent-encoded).
fn is_raw_segment(req: &Request, value: &str) -> bool {
    let raw_path = match req.raw_http_path() {
        "" => req.uri().path(),
        raw => raw,
    };
    raw_path.split('/').any(|segment| segment == value)
}

/// A query parameter; repeating it is refused rather than guessing which one counts.
pub fn query_param<'r>(req: &'r Request, name: &'static str) -> Result<Option<&'r str>, ApiError> {
    let Some(params) = req.query_string_parameters_ref() else {
        return Ok(None);
    };
    match params.all(name) {
        None => Ok(None),
        Some(values) if values.len() == 1 => Ok(values.first().copied()),
        Some(_) => Err(ApiError::validation(name, "must be given at most once")),
    }
}

/// The body's bytes, refused with 413 past [`MAX_BODY_BYTES`]: checked before anything else
/// about the request's input, as the contract's order of checks says.
pub fn body_within_limit(req: &Request) -> Result<&[u8], ApiError> {
    let bytes: &[u8] = match req.body() {
        Body::Empty => &[],
        Body::Text(text) => text.as_bytes(),
        Body::Binary(bytes) => bytes,
        _ => &[],
    };
    if bytes.len() > MAX_BODY_BYTES {
        return Err(ApiError::PayloadTooLarge {
            limit: MAX_BODY_BYTES,
        });
    }
    Ok(bytes)
}

/// Parses a JSON body. A body without `Content-Type` is read as JSON (scripts often omit it,
/// and `cargo lambda watch` delivers such a body as binary); any other media type is refused.
/// A refusal names the field the way a client wrote it, e.g. `participants[3]`.
pub fn parse_json<T: DeserializeOwned>(req: &Request, bytes: &[u8]) -> Result<T, ApiError> {
    if let Some(content_type) = req.headers().get(header::CONTENT_TYPE) {
        let media = content_type
            .to_str()
            .unwrap_or("")
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if media != "application/json" && !media.ends_with("+json") {
            return Err(ApiError::validation(
                "Content-Type",
                "must be application/json",
            ));
        }
    }
    // Only an object: serde would also fill a struct from an array, by position.
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(ApiError::validation("body", "a JSON object is required"));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let message = without_position(&error.inner().to_string());
        // serde reports a missing field at its parent; name the field itself.
        if let Some(missing) = message
            .strip_prefix("missing field `")
            .and_then(|m| m.strip_suffix('`'))
        {
            let field = match path.as_str() {
                "." => missing.to_owned(),
                parent => format!("{parent}.{missing}"),
            };
            return ApiError::validation(field, "is required");
        }
        // Malformed JSON has no field to blame.
        let malformed = error.inner().is_syntax() || error.inner().is_eof();
        let field = if malformed || path == "." || path == "?" {
            "body".to_owned()
        } else {
            path
        };
        ApiError::validation(field, message)
    })?;
    deserializer
        .end()
        .map_err(|_| ApiError::validation("body", "trailing characters after the JSON value"))?;
    Ok(value)
}

/// serde_json appends " at line L column C": useful in a file, noise in an API error.
fn without_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message.to_owned(),
    }
}

/// How long a request may run when no Lambda context says (local runs): the functions'
/// timeout in `template.yaml`.
pub const LOCAL_DEADLINE: std::time::Duration = std::time::Duration::from_secs(10);

/// Kept back from the deadline for writing the answer: by then, whatever still runs is cut
/// and the caller gets a 503 envelope.
pub const RESPONSE_RESERVE: std::time::Duration = std::time::Duration::from_millis(250);

/// Kept back from the deadline by an operation's own work (the live call, storing its
/// answer), for what follows it: the `Idempotency-Key` record and the answer.
pub const FINISH_RESERVE: std::time::Duration = std::time::Duration::from_millis(1000);

/// When this invocation must have answered: Lambda's deadline, or [`LOCAL_DEADLINE`] from now.
pub fn deadline(req: &Request) -> std::time::Instant {
    let now = std::time::Instant::now();
    let Some(context) = req.lambda_context_ref().filter(|c| c.deadline > 0) else {
        return now + LOCAL_DEADLINE;
    };
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
    now + std::time::Duration::from_millis(context.deadline.saturating_sub(now_ms))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use gateway_domain::GroupJid;
    use lambda_http::http;

    use super::*;

    /// A request for `raw_path` whose `gid` parameter is `gid`.
    fn with_path(raw_path: &str, gid: &str) -> Request {
        http::Request::builder()
            .uri(format!("https://api.test{raw_path}"))
            .body(lambda_http::Body::Empty)
            .unwrap()
            .with_path_parameters(HashMap::from([("gid".to_owned(), gid.to_owned())]))
    }

    #[test]
    fn path_params_are_accepted_raw_and_percent_encoded() {
        for raw in ["120363021234567890@g.us", "120363021234567890%40g.us"] {
            let req = with_path(&format!("/groups/{raw}"), raw);
            let jid = path_param(&req, "gid", GroupJid::parse).unwrap();
            assert_eq!(jid.as_str(), "120363021234567890@g.us");
        }
    }

    #[test]
    fn a_parameter_api_gateway_decoded_is_not_decoded_again() {
        // API Gateway: raw path encoded, parameter decoded.
        let req = with_path("/groups/120363%40g.us", "120363@g.us");
        assert_eq!(
            path_param(&req, "gid", GroupJid::parse).unwrap().as_str(),
            "120363@g.us"
        );
        // `%2540` came in: API Gateway hands `%40`, which must not become `@`.
        let req = with_path("/groups/120363%2540g.us", "120363%40g.us");
        assert_eq!(
            path_param(&req, "gid", GroupJid::parse)
                .unwrap_err()
                .status(),
            400
        );
    }

    #[test]
    fn bad_path_params_name_the_field() {
        for raw in ["%00", "%FF", "12%2540g.us", "x@g.us"] {
            let error = path_param(
                &with_path(&format!("/groups/{raw}"), raw),
                "gid",
                GroupJid::parse,
            )
            .unwrap_err();
            assert_eq!(error.status(), 400, "{raw}");
            assert!(matches!(&error, ApiError::Validation(f) if f[0].field == "gid"));
        }
    }

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        participants: Vec<gateway_domain::UserJid>,
    }

    fn json_request(content_type: Option<&str>, body: &str) -> Request {
        let mut builder = http::Request::builder();
        if let Some(ct) = content_type {
            builder = builder.header(header::CONTENT_TYPE, ct);
        }
        builder
            .body(lambda_http::Body::Text(body.to_owned()))
            .unwrap()
    }

    #[test]
    fn json_errors_point_at_the_field() {
        let body = r#"{"participants": ["1@s.whatsapp.net", "nope"]}"#;
        let req = json_request(Some("application/json"), body);
        let error = parse_json::<Body>(&req, body.as_bytes()).unwrap_err();
        match error {
            ApiError::Validation(fields) => {
                assert_eq!(fields[0].field, "participants[1]");
                assert!(!fields[0].reason.contains("line"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_missing_field_is_named() {
        let req = json_request(None, "{}");
        match parse_json::<Body>(&req, b"{}").unwrap_err() {
            ApiError::Validation(fields) => {
                assert_eq!(
                    fields[0],
                    gateway_errors::FieldError::new("participants", "is required")
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn content_type_may_be_missing_but_not_wrong() {
        let body = r#"{"participants": []}"#;
        assert!(parse_json::<Body>(&json_request(None, body), body.as_bytes()).is_ok());
        assert!(
            parse_json::<Body>(
                &json_request(Some("application/json; charset=utf-8"), body),
                body.as_bytes()
            )
            .is_ok()
        );
        assert!(
            parse_json::<Body>(&json_request(Some("text/plain"), body), body.as_bytes()).is_err()
        );
    }

    #[test]
    fn empty_and_trailing_bodies_are_refused() {
        for body in [
            "",
            "  ",
            r#"{"participants": []} x"#,
            "[]",
            "null",
            r#"[["1@lid"]]"#,
        ] {
            let req = json_request(None, body);
            assert_eq!(
                parse_json::<Body>(&req, body.as_bytes())
                    .unwrap_err()
                    .status(),
                400,
                "{body}"
            );
        }
    }

    #[test]
    fn oversized_bodies_are_413() {
        let req = json_request(None, &"x".repeat(MAX_BODY_BYTES + 1));
        assert!(matches!(
            body_within_limit(&req),
            Err(ApiError::PayloadTooLarge {
                limit: MAX_BODY_BYTES
            })
        ));
        let req = json_request(None, &"x".repeat(MAX_BODY_BYTES));
        assert!(body_within_limit(&req).is_ok());
    }
}
