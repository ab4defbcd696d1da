use serde::{Deserialize, Serialize};

use crate::{Description, GroupJid, Subject, UserJid};

/// A group as the API shows it (stored WhatsApp data).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    /// Given by the gateway the first time it stores the group; unique within its session.
    pub id: u64,
    pub group_jid: GroupJid,
    pub subject: Subject,
    pub description: Description,
    pub owner_jid: Option<UserJid>,
    pub participant_count: u32,
    pub is_announce: bool,
    pub is_locked: bool,
    /// WhatsApp's creation time, ms since the epoch.
    pub created_at_wa: i64,
    /// When the gateway first stored the group.
    pub first_seen_at: i64,
    /// The last stored change.
    pub updated_at: i64,
}
