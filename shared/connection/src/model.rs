use gateway_domain::{Description, GroupJid, Subject, UserJid};
use serde::{Deserialize, Serialize};

/// A group as WhatsApp holds it now, as the connection service reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LiveGroup {
    pub group_jid: GroupJid,
    pub subject: Subject,
    pub description: Description,
    pub owner_jid: Option<UserJid>,
    /// As the service reports them, unchecked: the gateway stores only the count, and a member
    /// JID of a form we do not know must not turn a group WhatsApp did create into an error.
    #[serde(default)]
    pub participants: Vec<String>,
    pub participant_count: u32,
    pub is_announce: bool,
    pub is_locked: bool,
    /// WhatsApp's creation time, ms since the epoch.
    pub created_at: i64,
    /// Strictly increasing on every change of this group (and only comparable within it):
    /// a writer that stores only a newer version never overwrites WhatsApp's latest state
    /// with an older answer.
    pub version: i64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CreateGroupBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<&'a str>,
    pub subject: &'a Subject,
    pub participants: &'a [UserJid],
}

#[derive(Serialize)]
pub(crate) struct SubjectBody<'a> {
    pub subject: &'a Subject,
}

#[derive(Serialize)]
pub(crate) struct DescriptionBody<'a> {
    pub description: &'a Description,
}

#[derive(Serialize)]
pub(crate) struct AnnounceBody {
    pub announce: bool,
}

#[derive(Serialize)]
pub(crate) struct LockedBody {
    pub locked: bool,
}

/// `{"error": {...}}`, the body of every refusal.
#[derive(Deserialize)]
pub(crate) struct ErrorEnvelope {
    pub error: ErrorBody,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ErrorBody {
    pub kind: String,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub retry_after_s: Option<u64>,
    #[serde(default)]
    pub field: Option<String>,
}

/// `requestId`: 1–255 visible ASCII characters, as the contract says.
pub(crate) fn valid_request_id(id: &str) -> bool {
    (1..=255).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_graphic())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn live_group_wire_shape() {
        let json = serde_json::json!({
            "groupJid": "120363021234567890@g.us", "subject": "Team", "description": "",
            "ownerJid": null, "participants": ["6281@s.whatsapp.net", "77@lid"],
            "participantCount": 2, "isAnnounce": false, "isLocked": true,
            "createdAt": 1700000000000_i64, "version": 7
        });
        let group: LiveGroup = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(group.owner_jid, None);
        assert!(group.is_locked);
        assert_eq!(serde_json::to_value(&group).unwrap(), json);
    }

    #[test]
    fn request_ids() {
        assert!(valid_request_id("abc-123_~!"));
        assert!(valid_request_id(&"x".repeat(255)));
        for bad in ["", "a b", "é", "a\n", &"x".repeat(256)] {
            assert!(!valid_request_id(bad), "{bad:?}");
        }
    }
}
