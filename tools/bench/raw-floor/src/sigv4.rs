//! AWS Signature Version 4 for one request with a body and no query string, by hand with
//! aws-lc-rs's SHA-256 and HMAC (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html>).
//! The signing key is derived once per day, as the key itself only changes with the date.

use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use aws_lc_rs::digest::{SHA256, digest};
use aws_lc_rs::hmac;

pub struct Credentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: Option<String>,
}

pub struct Signer {
    pub credentials: Credentials,
    region: String,
    service: &'static str,
    /// (yyyymmdd, signing key of that day)
    key: Mutex<Option<(String, hmac::Key)>>,
}

pub struct Signed {
    pub amz_date: String,
    pub authorization: String,
}

fn hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 15)]));
    }
    out
}

fn mac(key: &[u8], data: &[u8]) -> hmac::Tag {
    hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), data)
}

/// `yyyymmddThhmmssZ` of a time (UTC), from the days-to-civil algorithm of H. Hinnant.
pub fn amz_date(time: SystemTime) -> String {
    let secs = time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}{month:02}{day:02}T{:02}{:02}{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

impl Signer {
    pub fn new(credentials: Credentials, region: String, service: &'static str) -> Self {
        Self {
            credentials,
            region,
            service,
            key: Mutex::new(None),
        }
    }

    fn signing_key(&self, date: &str) -> hmac::Key {
        let mut cached = self.key.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((day, key)) = cached.as_ref()
            && day == date
        {
            return key.clone();
        }
        let secret = format!("AWS4{}", self.credentials.secret_access_key);
        let k = mac(secret.as_bytes(), date.as_bytes());
        let k = mac(k.as_ref(), self.region.as_bytes());
        let k = mac(k.as_ref(), self.service.as_bytes());
        let k = mac(k.as_ref(), b"aws4_request");
        let key = hmac::Key::new(hmac::HMAC_SHA256, k.as_ref());
        *cached = Some((date.to_owned(), key.clone()));
        key
    }

    /// Signs `method path` with `headers` (lower-case names, sorted, values trimmed; `host`
    /// among them) plus `x-amz-date` and, with a session token, `x-amz-security-token`.
    pub fn sign(
        &self,
        now: SystemTime,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Signed {
        self.sign_at(&amz_date(now), method, path, "", headers, body)
    }

    pub fn sign_at(
        &self,
        amz_date: &str,
        method: &str,
        path: &str,
        query: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Signed {
        let date = &amz_date[..8];
        let mut all: Vec<(&str, &str)> = headers.to_vec();
        all.push(("x-amz-date", amz_date));
        if let Some(token) = &self.credentials.session_token {
            all.push(("x-amz-security-token", token));
        }
        all.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let mut canonical = String::with_capacity(512);
        let _ = write!(canonical, "{method}\n{path}\n{query}\n");
        let mut signed_headers = String::with_capacity(96);
        for (name, value) in &all {
            let _ = writeln!(canonical, "{name}:{}", value.trim());
            if !signed_headers.is_empty() {
                signed_headers.push(';');
            }
            signed_headers.push_str(name);
        }
        let _ = write!(
            canonical,
            "\n{signed_headers}\n{}",
            hex(digest(&SHA256, body).as_ref())
        );
        let scope = format!("{date}/{}/{}/aws4_request", self.region, self.service);
        let to_sign = format!(
            "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
            hex(digest(&SHA256, canonical.as_bytes()).as_ref())
        );
        let signature = hmac::sign(&self.signing_key(date), to_sign.as_bytes());
        Signed {
            amz_date: amz_date.to_owned(),
            authorization: format!(
                "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={signed_headers}, Signature={}",
                self.credentials.access_key_id,
                hex(signature.as_ref())
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    /// The worked example of AWS's SigV4 documentation (IAM ListUsers).
    #[test]
    fn matches_the_documented_example() {
        let signer = Signer::new(
            Credentials {
                access_key_id: "AKIDEXAMPLE".into(),
                secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into(),
                session_token: None,
            },
            "us-east-1".into(),
            "iam",
        );
        let signed = signer.sign_at(
            "20150830T123600Z",
            "GET",
            "/",
            "Action=ListUsers&Version=2010-05-08",
            &[
                (
                    "content-type",
                    "application/x-www-form-urlencoded; charset=utf-8",
                ),
                ("host", "iam.amazonaws.com"),
            ],
            b"",
        );
        assert_eq!(
            signed.authorization,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, \
             SignedHeaders=content-type;host;x-amz-date, \
             Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
        );
    }

    #[test]
    fn dates() {
        assert_eq!(amz_date(UNIX_EPOCH), "19700101T000000Z");
        let t = UNIX_EPOCH + Duration::from_secs(1_440_938_160);
        assert_eq!(amz_date(t), "20150830T123600Z");
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_399); // 2000-02-28T23:59:59Z
        assert_eq!(amz_date(leap + Duration::from_secs(1)), "20000229T000000Z");
    }
}
