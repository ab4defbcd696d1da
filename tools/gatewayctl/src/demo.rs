//! Demo data for local runs (`make dev`) and the sample events in `events/`: one organization
//! with a session, a fixed API key, a few groups with their members and one group the session's
//! account left, plus a second organization whose session the demo key must never reach.

use gateway_auth::api_key::{self, NewApiKey};
use gateway_domain::GroupSnapshot;
use gateway_domain::{
    Capabilities, Description, GroupJid, Invalid, OrgId, Participant, Role, SessionId, Subject,
    UserJid,
};
use gateway_store::{EventTarget, SessionRecord, Snapshot, Store, StoreError};

pub const ORG: &str = "demo-org";
pub const SESSION: &str = "demo";
pub const ACCOUNT: &str = "6281234567890@s.whatsapp.net";
pub const OTHER_ORG: &str = "other-org";
pub const OTHER_SESSION: &str = "other-demo";
/// Id and secret of the demo key. Public on purpose: it only ever exists in local tables.
const KEY_BODY: &str = "DemoKeyLocalOnly0DemoSecretForLocalRunsOnly00000";

/// `(jid, subject, description)` of the demo groups.
pub const GROUPS: [(&str, &str, &str); 3] = [
    (
        "120363021234567890@g.us",
        "Project Team",
        "Coordination for Q3 launch",
    ),
    ("120363021234567891@g.us", "Support Rota", ""),
    (
        "6281234567890-1700000000@g.us",
        "Family (legacy JID)",
        "Created before 2021",
    ),
];

/// `(jid, subject, description)` of a group the session's account left (`leftAt` set): stored
/// with its members, but not on WhatsApp as the account sees it (the scripts that seed the
/// connection emulator leave it out). `listGroups` shows it with `includeLeft=true` only; the
/// member and invite operations answer it 403 `not_a_participant`.
pub const LEFT_GROUP: (&str, &str, &str) = (
    "120363021234567892@g.us",
    "Old Project",
    "Wound down in 2025",
);

/// `(jid, lid, role)` of the demo groups' members besides the session's account (which is
/// the groups' superadmin).
pub const MEMBERS: [(&str, Option<&str>, &str); 2] = [
    (
        "6289876543210@s.whatsapp.net",
        Some("77001122334455@lid"),
        "member",
    ),
    ("6281111111111@s.whatsapp.net", None, "admin"),
];

/// The demo groups' participants: the account, then [`MEMBERS`].
pub fn participants() -> Result<Vec<Participant>, Invalid> {
    let mut participants = vec![Participant {
        role: Role::Superadmin,
        ..Participant::member(UserJid::parse(ACCOUNT)?)
    }];
    for (jid, lid, role) in MEMBERS {
        participants.push(Participant {
            jid: UserJid::parse(jid)?,
            lid: lid.map(UserJid::parse).transpose()?,
            phone_jid: None,
            role: if role == "admin" {
                Role::Admin
            } else {
                Role::Member
            },
        });
    }
    Ok(participants)
}

/// The demo API key (capabilities `read,send`).
pub fn key() -> NewApiKey {
    api_key::from_body(KEY_BODY)
}

/// Writes the demo data; running it twice changes nothing.
pub async fn seed(store: &Store, now_ms: i64) -> Result<NewApiKey, StoreError> {
    let parse_err = |e: gateway_domain::Invalid| StoreError::Other(e.into());
    let org = OrgId::parse(ORG).map_err(parse_err)?;
    let session = SessionId::parse(SESSION).map_err(parse_err)?;
    for (id, owner) in [(SESSION, ORG), (OTHER_SESSION, OTHER_ORG)] {
        let record = SessionRecord {
            id: SessionId::parse(id).map_err(parse_err)?,
            org: OrgId::parse(owner).map_err(parse_err)?,
            account: Some(UserJid::parse(ACCOUNT).map_err(parse_err)?),
            created_at: now_ms,
        };
        ignore_existing(store.create_session(&record).await)?;
    }
    let key = key();
    let capabilities = Capabilities::parse_list("read,send").map_err(parse_err)?;
    let record = api_key::record_for(&key, org, capabilities, Some("demo".into()), now_ms, None);
    ignore_existing(store.put_api_key(&record).await)?;
    let members = participants().map_err(parse_err)?;
    let left = std::iter::once(LEFT_GROUP);
    for (i, (jid, subject, description)) in GROUPS.into_iter().chain(left).enumerate() {
        let snapshot = GroupSnapshot {
            group_jid: GroupJid::parse(jid).map_err(parse_err)?,
            subject: Subject::parse(subject).map_err(parse_err)?,
            description: Description::parse(description).map_err(parse_err)?,
            owner_jid: Some(UserJid::parse(ACCOUNT).map_err(parse_err)?),
            // Its members are known: the count is theirs (as the contract says).
            participant_count: u32::try_from(members.len()).unwrap_or(u32::MAX),
            is_announce: i == 1,
            is_locked: false,
            created_at_wa: 1_700_000_000_000,
            version: None,
        };
        // First the group (its id, in this order), then its members as a first snapshot
        // (version 1: anything WhatsApp reports is newer). A second run writes nothing: the
        // group is stored already, and the snapshot (and the departure) are not newer than
        // what is stored, whatever happened to the group since (e.g. in `make dev`).
        let target = store
            .event_target(&session, &snapshot.group_jid, true)
            .await?;
        if !matches!(target, EventTarget::Stored(_)) {
            store.upsert_group(&session, &snapshot, now_ms).await?;
        }
        let first = GroupSnapshot {
            version: Some(1),
            ..snapshot
        };
        let target = store.event_target(&session, &first.group_jid, true).await?;
        let snapshot = Snapshot {
            group: &first,
            participants: &members,
            at: now_ms,
            known_members: None,
        };
        store
            .apply_snapshot(&session, target, &snapshot, None, now_ms)
            .await?;
        if jid == LEFT_GROUP.0 {
            // The account left it after that snapshot (`group.left`, version 2).
            let target = store.event_target(&session, &first.group_jid, true).await?;
            store
                .apply_left(&session, target, 2, now_ms, now_ms)
                .await?;
        }
    }
    Ok(key)
}

fn ignore_existing(result: Result<(), StoreError>) -> Result<(), StoreError> {
    match result {
        Err(StoreError::AlreadyExists) => Ok(()),
        other => other,
    }
}
