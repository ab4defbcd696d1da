//! The contract's wire types: what the client sends and what the service answers.

use gateway_domain::{Description, GroupJid, GroupSnapshot, Participant, Subject, UserJid};
use serde::{Deserialize, Deserializer, Serialize};

/// A group as WhatsApp holds it now, as the connection service reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LiveGroup {
    pub group_jid: GroupJid,
    pub subject: Subject,
    pub description: Description,
    pub owner_jid: Option<UserJid>,
    /// Every member, the session's account included. Version 1 of the contract listed JID
    /// strings; both forms are read.
    #[serde(default, deserialize_with = "participants")]
    pub participants: Vec<Participant>,
    pub participant_count: u32,
    pub is_announce: bool,
    pub is_locked: bool,
    /// `all`: every member may add members; `admins` (or absent): only admins.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member_add_mode: Option<String>,
    /// WhatsApp's creation time, ms since the epoch.
    pub created_at: i64,
    /// Strictly increasing on every change of this group (and only comparable within it):
    /// a writer that stores only a newer version never overwrites WhatsApp's latest state
    /// with an older answer.
    pub version: i64,
}

/// A participant in either of the contract's forms: an object, or (version 1) a JID string.
/// A member JID of a form we do not know is dropped rather than turning a group WhatsApp did
/// create into an error.
fn participants<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Participant>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        Object(Participant),
        Jid(String),
        Other(serde::de::IgnoredAny),
    }
    let listed = Vec::<Either>::deserialize(d)?;
    Ok(listed
        .into_iter()
        .filter_map(|p| match p {
            Either::Object(participant) => Some(participant),
            Either::Jid(raw) => UserJid::parse(&raw).ok().map(Participant::member),
            Either::Other(_) => None,
        })
        .collect())
}

/// What WhatsApp holds, ready to store; its version keeps an older answer from overwriting
/// a newer one.
impl From<&LiveGroup> for GroupSnapshot {
    fn from(live: &LiveGroup) -> Self {
        GroupSnapshot {
            group_jid: live.group_jid.clone(),
            subject: live.subject.clone(),
            description: live.description.clone(),
            owner_jid: live.owner_jid.clone(),
            participant_count: live.participant_count,
            is_announce: live.is_announce,
            is_locked: live.is_locked,
            created_at_wa: live.created_at,
            version: Some(live.version),
        }
    }
}

/// What to do to the listed participants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ParticipantAction {
    Add,
    Remove,
    Promote,
    Demote,
}

/// WhatsApp's answer for one participant of a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ParticipantResult {
    /// As it was requested.
    pub jid: UserJid,
    /// WhatsApp's code: 200 done; for add 403 invitation only, 404 not on WhatsApp, 408 left
    /// recently, 409 already in, 419 group full; for remove/promote/demote 404 not a
    /// participant, 403 not allowed (the superadmin); 500 failed.
    pub code: u16,
    /// The member after the change, as WhatsApp addresses them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub participant: Option<Participant>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invite: Option<Invitation>,
    #[serde(default)]
    pub invite_sent: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// An invitation WhatsApp issued for someone whose privacy settings allow no direct add.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Invitation {
    pub code: String,
    pub expires_at: i64,
}

/// The answer of createGroup: the group, and WhatsApp's answer for each requested participant
/// (in request order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedGroup {
    #[serde(flatten)]
    pub group: LiveGroup,
    #[serde(default)]
    pub results: Vec<ParticipantResult>,
}

/// The answer of a change of participants: one result per requested participant, in request
/// order, and the group after the change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParticipantsChanged {
    pub results: Vec<ParticipantResult>,
    pub group: LiveGroup,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct InviteCode {
    pub code: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncStarted {
    pub sync_id: String,
    pub started_at: i64,
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
#[serde(rename_all = "camelCase")]
pub(crate) struct ChangeParticipantsBody<'a> {
    pub action: ParticipantAction,
    pub participants: &'a [UserJid],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<&'a str>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub invite_on_privacy_block: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SyncBody<'a> {
    pub sync_id: &'a str,
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
            "ownerJid": null,
            "participants": [
                {"jid": "6281@s.whatsapp.net", "role": "superadmin"},
                {"jid": "77@lid", "phoneJid": "6282@s.whatsapp.net", "role": "member"}
            ],
            "participantCount": 2, "isAnnounce": false, "isLocked": true,
            "createdAt": 1700000000000_i64, "version": 7
        });
        let group: LiveGroup = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(group.owner_jid, None);
        assert!(group.is_locked);
        assert_eq!(group.participants[1].role, gateway_domain::Role::Member);
        assert_eq!(serde_json::to_value(&group).unwrap(), json);
    }

    #[test]
    fn version_1_participants_are_read_too() {
        let json = serde_json::json!({
            "groupJid": "1@g.us", "subject": "Team", "description": "", "ownerJid": null,
            "participants": ["6281@s.whatsapp.net", "not a jid", 5],
            "participantCount": 3, "isAnnounce": false, "isLocked": false,
            "createdAt": 1, "version": 1
        });
        let group: LiveGroup = serde_json::from_value(json).unwrap();
        assert_eq!(
            group.participants,
            [Participant::member(
                UserJid::parse("6281@s.whatsapp.net").unwrap()
            )]
        );
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
