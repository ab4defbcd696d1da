//! Groups: as the API shows them, and as WhatsApp holds them.

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
    /// When the session's account left the group (or was removed); null while it is in it.
    pub left_at: Option<i64>,
}

/// What WhatsApp holds for a group, as the connection service (or an import) reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupSnapshot {
    pub group_jid: GroupJid,
    pub subject: Subject,
    pub description: Description,
    pub owner_jid: Option<UserJid>,
    pub participant_count: u32,
    pub is_announce: bool,
    pub is_locked: bool,
    pub created_at_wa: i64,
    /// WhatsApp's change version of the group: a snapshot older than the stored one is not
    /// written, so concurrent writers converge on WhatsApp's latest state. `None` (an
    /// operator's import) writes whatever is stored and leaves the stored version as it is.
    pub version: Option<i64>,
}
