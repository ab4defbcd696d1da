//! Members of a group: as WhatsApp addresses them, and as the API shows them.

use serde::{Deserialize, Serialize};

use crate::UserJid;

/// A member's role in a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Member,
    Admin,
    /// The group's creator: nobody removes or demotes them.
    Superadmin,
}

impl Role {
    pub fn is_admin(self) -> bool {
        matches!(self, Role::Admin | Role::Superadmin)
    }
}

/// A member as WhatsApp addresses it: `jid` is the form WhatsApp uses for this member in this
/// group (a phone-number JID, or a LID in groups addressed by LID); `lid` and `phone_jid` are
/// the member's other forms where WhatsApp gives them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Participant {
    pub jid: UserJid,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lid: Option<UserJid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_jid: Option<UserJid>,
    pub role: Role,
}

impl Participant {
    /// A member known by one JID only.
    pub fn member(jid: UserJid) -> Self {
        Self {
            jid,
            lid: None,
            phone_jid: None,
            role: Role::Member,
        }
    }

    /// Every form WhatsApp gave for this member.
    pub fn forms(&self) -> impl Iterator<Item = &UserJid> {
        std::iter::once(&self.jid)
            .chain(self.lid.as_ref())
            .chain(self.phone_jid.as_ref())
    }
}

/// A stored member, as listGroupMembers shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Member {
    pub jid: UserJid,
    pub lid: Option<UserJid>,
    pub phone_jid: Option<UserJid>,
    pub role: Role,
    /// When the gateway first stored the member.
    pub first_seen_at: i64,
    /// The last stored change.
    pub updated_at: i64,
}
