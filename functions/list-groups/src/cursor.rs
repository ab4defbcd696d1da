use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use gateway_domain::{GroupJid, SessionId};
use gateway_errors::ApiError;

/// Where the next page starts: after `after`, in `session`. Opaque to clients, and checked
/// against the session of the request before DynamoDB sees it: the start key is rebuilt
/// from the checked parts, so a cursor can never steer a query into another partition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    session: SessionId,
    after: GroupJid,
}

const VERSION: &str = "g1";
const MAX_ENCODED_LEN: usize = 512;

impl Cursor {
    pub fn new(session: SessionId, after: GroupJid) -> Self {
        Self { session, after }
    }

    pub fn after(&self) -> &GroupJid {
        &self.after
    }

    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("{VERSION}\n{}\n{}", self.session, self.after))
    }

    /// The cursor, if it is well formed and was made for `session`.
    pub fn decode(raw: &str, session: &SessionId) -> Result<Self, ApiError> {
        let invalid = || ApiError::validation("cursor", "is not a cursor of this session's list");
        if raw.len() > MAX_ENCODED_LEN {
            return Err(invalid());
        }
        let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| invalid())?;
        let text = String::from_utf8(bytes).map_err(|_| invalid())?;
        let mut parts = text.split('\n');
        let (Some(VERSION), Some(from), Some(after), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(invalid());
        };
        if from != session.as_str() {
            return Err(invalid());
        }
        let after = GroupJid::parse(after).map_err(|_| invalid())?;
        Ok(Self {
            session: session.clone(),
            after,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(s: &str) -> SessionId {
        SessionId::parse(s).unwrap()
    }

    #[test]
    fn round_trips_within_its_session() {
        let cursor = Cursor::new(session("a"), GroupJid::parse("123@g.us").unwrap());
        assert_eq!(
            Cursor::decode(&cursor.encode(), &session("a")).unwrap(),
            cursor
        );
    }

    #[test]
    fn refuses_other_sessions_and_garbage() {
        let cursor = Cursor::new(session("a"), GroupJid::parse("123@g.us").unwrap()).encode();
        assert!(Cursor::decode(&cursor, &session("b")).is_err());
        let forged = URL_SAFE_NO_PAD.encode("g1\na\nnot-a-jid");
        for bad in ["x", "!!!", &cursor[1..], &forged, &"A".repeat(600)] {
            assert_eq!(
                Cursor::decode(bad, &session("a")).unwrap_err().status(),
                400,
                "{bad}"
            );
        }
    }
}
