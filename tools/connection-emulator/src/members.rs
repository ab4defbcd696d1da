//! Members as WhatsApp shows them (`Participant`), how WhatsApp treats a person someone adds
//! (`UserSettings`), and WhatsApp's answer for each person of a `changeParticipants` call.

use gateway_domain::UserJid;
use serde::{Deserialize, Serialize};

/// WhatsApp's limit: 1024 members, the session's account included.
pub const GROUP_SIZE_LIMIT: usize = 1024;

/// Someone who left a group by themselves cannot be added back for this long (code 408).
pub const RECENTLY_LEFT_MS: i64 = 24 * 60 * 60 * 1000;

/// How long the invitation WhatsApp issues on a privacy block (code 403) is valid.
pub const INVITE_LIFETIME_MS: i64 = 3 * 24 * 60 * 60 * 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Member,
    Admin,
    Superadmin,
}

impl Role {
    pub fn is_admin(self) -> bool {
        self != Role::Member
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "member" => Some(Role::Member),
            "admin" => Some(Role::Admin),
            "superadmin" => Some(Role::Superadmin),
            _ => None,
        }
    }
}

/// A member as WhatsApp addresses it: `jid` is the form WhatsApp uses in this group, `lid`
/// and `phone_jid` the member's other forms where known.
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
    pub fn new(jid: UserJid, role: Role) -> Self {
        Self {
            jid,
            lid: None,
            phone_jid: None,
            role,
        }
    }

    pub fn member(jid: UserJid) -> Self {
        Self::new(jid, Role::Member)
    }

    pub fn admin(jid: UserJid) -> Self {
        Self::new(jid, Role::Admin)
    }

    pub fn superadmin(jid: UserJid) -> Self {
        Self::new(jid, Role::Superadmin)
    }

    /// Every form of the member's identity WhatsApp gave.
    pub fn forms(&self) -> impl Iterator<Item = &UserJid> {
        std::iter::once(&self.jid)
            .chain(self.lid.as_ref())
            .chain(self.phone_jid.as_ref())
    }

    /// The same person: one of `forms` is one of this member's forms.
    pub(crate) fn is(&self, forms: &[UserJid]) -> bool {
        self.forms().any(|form| forms.contains(form))
    }
}

/// Who may add the group's members (WhatsApp's "add other members" setting).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MemberAddMode {
    #[default]
    Admins,
    All,
}

impl MemberAddMode {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "admins" => Some(MemberAddMode::Admins),
            "all" => Some(MemberAddMode::All),
            _ => None,
        }
    }
}

/// A person's privacy setting "who can add me to groups".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AddableBy {
    #[default]
    Everyone,
    /// Only their contacts: the session's account is never one, so an invitation only.
    Contacts,
    Nobody,
}

impl AddableBy {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "everyone" => Some(AddableBy::Everyone),
            "contacts" => Some(AddableBy::Contacts),
            "nobody" => Some(AddableBy::Nobody),
            _ => None,
        }
    }
}

/// How WhatsApp treats a person when someone adds them (`PUT /_emulator/users/{jid}`).
/// Anyone never set up is on WhatsApp and addable by everyone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserSettings {
    pub on_whats_app: bool,
    pub addable_by: AddableBy,
    /// The person's LID, for a phone-number JID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lid: Option<UserJid>,
}

impl Default for UserSettings {
    fn default() -> Self {
        Self {
            on_whats_app: true,
            addable_by: AddableBy::Everyone,
            lid: None,
        }
    }
}

/// A person as the control API shows them: the settings and the JID they were set for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub jid: UserJid,
    #[serde(flatten)]
    pub settings: UserSettings,
}

/// The four actions of `changeParticipants`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ParticipantAction {
    Add,
    Remove,
    Promote,
    Demote,
}

impl ParticipantAction {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "add" => Some(ParticipantAction::Add),
            "remove" => Some(ParticipantAction::Remove),
            "promote" => Some(ParticipantAction::Promote),
            "demote" => Some(ParticipantAction::Demote),
            _ => None,
        }
    }
}

/// A change made from a phone (control API): the four actions, and `leave`, someone leaving
/// by themselves (published as `remove`; adding them answers 408 for 24 hours).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PhoneAction {
    Add,
    Remove,
    Promote,
    Demote,
    Leave,
}

impl PhoneAction {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "leave" => Some(PhoneAction::Leave),
            other => ParticipantAction::parse(other).map(Self::from),
        }
    }

    /// The action events carry: a member who left is published as removed.
    pub fn published(self) -> ParticipantAction {
        match self {
            PhoneAction::Add => ParticipantAction::Add,
            PhoneAction::Remove | PhoneAction::Leave => ParticipantAction::Remove,
            PhoneAction::Promote => ParticipantAction::Promote,
            PhoneAction::Demote => ParticipantAction::Demote,
        }
    }
}

impl From<ParticipantAction> for PhoneAction {
    fn from(action: ParticipantAction) -> Self {
        match action {
            ParticipantAction::Add => PhoneAction::Add,
            ParticipantAction::Remove => PhoneAction::Remove,
            ParticipantAction::Promote => PhoneAction::Promote,
            ParticipantAction::Demote => PhoneAction::Demote,
        }
    }
}

/// The invitation WhatsApp issues when a person's privacy settings allow only that.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Invitation {
    pub code: String,
    pub expires_at: i64,
}

/// WhatsApp's answer for one requested person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ParticipantResult {
    /// As requested.
    pub jid: UserJid,
    pub code: u16,
    /// The member after the change; absent when they are not a member.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub participant: Option<Participant>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invite: Option<Invitation>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invite_sent: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl ParticipantResult {
    pub(crate) fn new(jid: UserJid, code: u16, participant: Option<Participant>) -> Self {
        Self {
            jid,
            code,
            participant,
            invite: None,
            invite_sent: None,
            message: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn participants_serialise_as_the_contract_says() {
        let mut p = Participant::admin(UserJid::parse("6281@s.whatsapp.net").unwrap());
        assert_eq!(
            serde_json::to_value(&p).unwrap(),
            serde_json::json!({"jid": "6281@s.whatsapp.net", "role": "admin"})
        );
        p.lid = Some(UserJid::parse("77@lid").unwrap());
        assert!(p.is(&[UserJid::parse("77@lid").unwrap()]));
        assert!(!p.is(&[UserJid::parse("78@lid").unwrap()]));
        assert_eq!(serde_json::to_value(&p).unwrap()["lid"], "77@lid");
    }

    #[test]
    fn names_round_trip() {
        for raw in ["member", "admin", "superadmin"] {
            let role = Role::parse(raw).unwrap();
            assert_eq!(serde_json::to_value(role).unwrap(), raw);
        }
        assert_eq!(PhoneAction::parse("leave"), Some(PhoneAction::Leave));
        assert_eq!(PhoneAction::Leave.published(), ParticipantAction::Remove);
        assert_eq!(MemberAddMode::parse("all"), Some(MemberAddMode::All));
        assert_eq!(AddableBy::parse("contacts"), Some(AddableBy::Contacts));
        assert_eq!(AddableBy::parse("friends"), None);
    }
}
