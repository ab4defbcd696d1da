//! Paged lists: the `limit` and `cursor` query parameters, cursors bound to the list they came
//! from, and the `{"data", "nextCursor"}` envelope.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use gateway_domain::Invalid;
use gateway_errors::ApiError;
use serde::Serialize;

use crate::Inputs;

pub const DEFAULT_LIMIT: usize = 100;
pub const MAX_LIMIT: usize = 100;
const MAX_CURSOR_LEN: usize = 512;

/// Which list a cursor belongs to: a tag for the kind of list, and the parts of its path
/// (the session; the session and the group). A cursor is checked against the request's list
/// before DynamoDB sees it, and the start key is rebuilt from the checked parts, so a cursor
/// can never steer a query into another partition.
#[derive(Debug, Clone)]
pub struct ListScope {
    pub kind: &'static str,
    pub parts: Vec<String>,
    /// What the list is, for a refused cursor: "is not a cursor of this {name}".
    pub name: &'static str,
}

/// A page asked for: how many items, after which one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest<A> {
    pub limit: usize,
    pub after: Option<A>,
}

/// The List envelope. `nextCursor` is `""` on the last page.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    pub data: Vec<T>,
    pub next_cursor: String,
}

impl<T> Page<T> {
    /// A page of `items`; when more may follow, its cursor points after `next_after`.
    pub fn new(items: Vec<T>, next_after: Option<&str>, scope: &ListScope) -> Self {
        Self {
            data: items,
            next_cursor: next_after.map_or_else(String::new, |after| encode(scope, after)),
        }
    }
}

impl Inputs<'_> {
    /// `limit` (1–100, default 100) and `cursor` (`""` or absent: the first page), the
    /// cursor checked to belong to `scope` and its position parsed by `parse_after`.
    pub fn page<A>(
        &self,
        scope: &ListScope,
        parse_after: impl FnOnce(&str) -> Result<A, Invalid>,
    ) -> Result<PageRequest<A>, ApiError> {
        let limit = parse_limit(self.query("limit")?)?;
        let after = match self.query("cursor")? {
            None | Some("") => None,
            Some(raw) => {
                let position = decode(raw, scope)?;
                Some(parse_after(&position).map_err(|_| invalid_cursor(scope))?)
            }
        };
        Ok(PageRequest { limit, after })
    }
}

fn parse_limit(raw: Option<&str>) -> Result<usize, ApiError> {
    let Some(raw) = raw else {
        return Ok(DEFAULT_LIMIT);
    };
    match raw.parse::<usize>() {
        Ok(limit) if (1..=MAX_LIMIT).contains(&limit) && !raw.starts_with('+') => Ok(limit),
        _ => Err(ApiError::validation(
            "limit",
            "must be a whole number from 1 to 100",
        )),
    }
}

fn invalid_cursor(scope: &ListScope) -> ApiError {
    ApiError::validation("cursor", format!("is not a cursor of this {}", scope.name))
}

fn encode(scope: &ListScope, after: &str) -> String {
    let mut text = String::from(scope.kind);
    for part in &scope.parts {
        text.push('\n');
        text.push_str(part);
    }
    text.push('\n');
    text.push_str(after);
    URL_SAFE_NO_PAD.encode(text)
}

/// The position of a cursor made for `scope`.
fn decode(raw: &str, scope: &ListScope) -> Result<String, ApiError> {
    if raw.len() > MAX_CURSOR_LEN {
        return Err(invalid_cursor(scope));
    }
    let bytes = URL_SAFE_NO_PAD
        .decode(raw)
        .map_err(|_| invalid_cursor(scope))?;
    let text = String::from_utf8(bytes).map_err(|_| invalid_cursor(scope))?;
    let mut parts = text.split('\n');
    if parts.next() != Some(scope.kind) {
        return Err(invalid_cursor(scope));
    }
    for expected in &scope.parts {
        if parts.next() != Some(expected.as_str()) {
            return Err(invalid_cursor(scope));
        }
    }
    match (parts.next(), parts.next()) {
        (Some(after), None) => Ok(after.to_owned()),
        _ => Err(invalid_cursor(scope)),
    }
}

#[cfg(test)]
mod tests {
    use gateway_domain::GroupJid;

    use super::*;

    fn groups_of_a() -> ListScope {
        ListScope {
            kind: "g1",
            parts: vec!["a".into()],
            name: "session's list",
        }
    }

    #[test]
    fn limits() {
        assert_eq!(parse_limit(None).unwrap(), 100);
        assert_eq!(parse_limit(Some("1")).unwrap(), 1);
        assert_eq!(parse_limit(Some("100")).unwrap(), 100);
        for bad in [
            "0",
            "101",
            "abc",
            "",
            "-1",
            "+5",
            "1.5",
            "99999999999999999999999",
        ] {
            assert!(parse_limit(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn cursors_round_trip_within_their_list() {
        let cursor = encode(&groups_of_a(), "123@g.us");
        assert_eq!(decode(&cursor, &groups_of_a()).unwrap(), "123@g.us");
        // The format of the first release, so cursors handed out before still work.
        assert_eq!(cursor, URL_SAFE_NO_PAD.encode("g1\na\n123@g.us"));
    }

    #[test]
    fn cursors_of_other_lists_and_garbage_are_refused() {
        let cursor = encode(&groups_of_a(), "123@g.us");
        let other_session = ListScope {
            parts: vec!["b".into()],
            ..groups_of_a()
        };
        let members = ListScope {
            kind: "m1",
            parts: vec!["a".into(), "123@g.us".into()],
            name: "group's member list",
        };
        assert!(decode(&cursor, &other_session).is_err());
        assert!(decode(&cursor, &members).is_err());
        assert!(decode(&encode(&members, "1@lid"), &groups_of_a()).is_err());
        for bad in ["x", "!!!", &cursor[1..], &"A".repeat(600)] {
            assert_eq!(
                decode(bad, &groups_of_a()).unwrap_err().status(),
                400,
                "{bad}"
            );
        }
        let forged = URL_SAFE_NO_PAD.encode("g1\na\nnot-a-jid");
        let position = decode(&forged, &groups_of_a()).unwrap();
        assert!(GroupJid::parse(&position).is_err());
    }
}
