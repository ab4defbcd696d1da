//! The in-memory WhatsApp: sessions, their groups, and WhatsApp's rules about who may change
//! what.

use std::collections::{BTreeMap, HashMap, HashSet};

use gateway_domain::{Description, GroupJid, SessionId, Subject, UserJid};
use serde::{Deserialize, Serialize};

use crate::faults::{CallCounts, Fault};
use crate::wire::ServiceError;

/// WhatsApp's limit: 1024 members, the creator included.
pub const MAX_PARTICIPANTS: usize = 1023;

/// The operations of the contract, by their `operationId`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Operation {
    CreateGroup,
    GetGroup,
    SetSubject,
    SetDescription,
    SetAnnounce,
    SetLocked,
}

impl Operation {
    pub const ALL: [Operation; 6] = [
        Operation::CreateGroup,
        Operation::GetGroup,
        Operation::SetSubject,
        Operation::SetDescription,
        Operation::SetAnnounce,
        Operation::SetLocked,
    ];

    pub fn operation_id(self) -> &'static str {
        match self {
            Operation::CreateGroup => "createGroup",
            Operation::GetGroup => "getGroup",
            Operation::SetSubject => "setSubject",
            Operation::SetDescription => "setDescription",
            Operation::SetAnnounce => "setAnnounce",
            Operation::SetLocked => "setLocked",
        }
    }

    pub fn from_operation_id(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|op| op.operation_id() == raw)
    }
}

impl Serialize for Operation {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.operation_id())
    }
}

/// A group as the contract shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LiveGroup {
    pub group_jid: GroupJid,
    pub subject: Subject,
    pub description: Description,
    pub owner_jid: Option<UserJid>,
    pub participants: Vec<UserJid>,
    pub participant_count: u32,
    pub is_announce: bool,
    pub is_locked: bool,
    pub created_at: i64,
    pub version: i64,
}

/// What the emulated WhatsApp holds for a group, as the control API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EmulatedGroup {
    #[serde(flatten)]
    pub group: LiveGroup,
    /// The session's account is an admin of the group.
    pub admin: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionState {
    pub session: SessionId,
    pub account: UserJid,
    pub connected: bool,
}

/// A group put into the emulated WhatsApp by a test, as it is on WhatsApp.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedGroup {
    pub subject: Subject,
    pub description: Description,
    pub is_announce: bool,
    pub is_locked: bool,
    /// Members besides the session's account (which is always one).
    pub participants: Vec<UserJid>,
    pub admin: bool,
    /// `None`: the session's account if it is an admin, else nobody. `Some(None)`: no owner
    /// (the creator left).
    pub owner: Option<Option<UserJid>>,
    /// `None`: now.
    pub created_at: Option<i64>,
}

impl SeedGroup {
    pub fn new(subject: Subject) -> Self {
        Self {
            subject,
            description: Description::parse("").unwrap_or_else(|_| unreachable!()),
            is_announce: false,
            is_locked: false,
            participants: Vec::new(),
            admin: true,
            owner: None,
            created_at: None,
        }
    }
}

/// A change of one group setting (the four setters of the contract).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Subject(Subject),
    Description(Description),
    Announce(bool),
    Locked(bool),
}

#[derive(Debug)]
struct Group {
    subject: Subject,
    description: Description,
    is_announce: bool,
    is_locked: bool,
    /// The session's account first.
    participants: Vec<UserJid>,
    admin: bool,
    owner: Option<UserJid>,
    created_at: i64,
    version: i64,
}

#[derive(Debug)]
struct Session {
    account: UserJid,
    connected: bool,
    groups: BTreeMap<GroupJid, Group>,
    /// The group each `requestId` made: the service makes at most one per id.
    made_for_request: HashMap<String, GroupJid>,
}

#[derive(Debug, Default)]
pub(crate) struct World {
    sessions: HashMap<SessionId, Session>,
    pub(crate) faults: Vec<Fault>,
    calls: HashMap<(String, Operation), u64>,
    /// One counter for every group: versions then increase per group whatever happens,
    /// re-seeding included.
    last_version: i64,
    next_jid: u64,
}

fn live(jid: &GroupJid, group: &Group) -> LiveGroup {
    LiveGroup {
        group_jid: jid.clone(),
        subject: group.subject.clone(),
        description: group.description.clone(),
        owner_jid: group.owner.clone(),
        participants: group.participants.clone(),
        participant_count: u32::try_from(group.participants.len()).unwrap_or(u32::MAX),
        is_announce: group.is_announce,
        is_locked: group.is_locked,
        created_at: group.created_at,
        version: group.version,
    }
}

fn emulated(jid: &GroupJid, group: &Group) -> EmulatedGroup {
    EmulatedGroup {
        group: live(jid, group),
        admin: group.admin,
    }
}

/// The account with the listed members after it, each once.
fn members(account: &UserJid, listed: Vec<UserJid>) -> Vec<UserJid> {
    let mut seen = HashSet::new();
    std::iter::once(account.clone())
        .chain(listed)
        .filter(|jid| seen.insert(jid.clone()))
        .collect()
}

/// A made-up phone-number JID for a session seeded without an account.
pub(crate) fn account_for(session: &SessionId) -> UserJid {
    let hash = session
        .as_str()
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
    let digits = 10_000_000_000 + hash % 90_000_000_000;
    UserJid::parse(&format!("{digits}@s.whatsapp.net")).unwrap_or_else(|_| unreachable!())
}

impl World {
    pub fn new(now_ms: i64) -> Self {
        // Start group numbers from the clock so JIDs differ between emulator runs (a store
        // kept across runs then does not see an old JID come back as a new group).
        let start = u64::try_from(now_ms).unwrap_or(0) % 1_000_000_000 * 1000;
        Self {
            next_jid: start,
            ..Self::default()
        }
    }

    fn next_version(&mut self) -> i64 {
        self.last_version += 1;
        self.last_version
    }

    fn jid_in_use(&self, jid: &GroupJid) -> bool {
        self.sessions.values().any(|s| s.groups.contains_key(jid))
    }

    fn new_jid(&mut self) -> GroupJid {
        loop {
            let n = self.next_jid % 1_000_000_000_000;
            self.next_jid = self.next_jid.wrapping_add(1);
            // 18 digits, like the JIDs WhatsApp gives groups today.
            let Ok(jid) = GroupJid::parse(&format!("120363{n:012}@g.us")) else {
                continue;
            };
            if !self.jid_in_use(&jid) {
                return jid;
            }
        }
    }

    fn connected(&mut self, session: &SessionId) -> Result<&mut Session, ServiceError> {
        match self.sessions.get_mut(session) {
            Some(s) if s.connected => Ok(s),
            _ => Err(ServiceError::not_connected()),
        }
    }

    // ---- the contract ----

    /// `Ok((true, group))` for a new group, `Ok((false, group))` for the one an earlier call
    /// with the same `request_id` made.
    pub fn create_group(
        &mut self,
        session: &SessionId,
        request_id: Option<&str>,
        subject: Subject,
        participants: Vec<UserJid>,
        now_ms: i64,
    ) -> Result<(bool, LiveGroup), ServiceError> {
        if participants.is_empty() {
            return Err(ServiceError::bad_request(
                "participants",
                "must list at least one participant",
            ));
        }
        if participants.len() > MAX_PARTICIPANTS {
            return Err(ServiceError::bad_request(
                "participants",
                format!("must list at most {MAX_PARTICIPANTS} participants"),
            ));
        }
        let mut seen = HashSet::new();
        if let Some(i) = participants.iter().position(|p| !seen.insert(p)) {
            return Err(ServiceError::bad_request(
                format!("participants[{i}]"),
                "is listed twice",
            ));
        }
        let account = self.connected(session)?.account.clone();
        if let Some(id) = request_id {
            let made = self
                .sessions
                .get(session)
                .and_then(|s| s.made_for_request.get(id).map(|jid| (jid, s)))
                .and_then(|(jid, s)| s.groups.get(jid).map(|g| live(jid, g)));
            if let Some(group) = made {
                return Ok((false, group));
            }
        }
        let jid = self.new_jid();
        let group = Group {
            subject,
            description: Description::parse("").unwrap_or_else(|_| unreachable!()),
            is_announce: false,
            is_locked: false,
            participants: members(&account, participants),
            admin: true,
            owner: Some(account),
            created_at: now_ms,
            version: self.next_version(),
        };
        let shown = live(&jid, &group);
        let session = self.connected(session)?;
        session.groups.insert(jid.clone(), group);
        if let Some(id) = request_id {
            session.made_for_request.insert(id.to_owned(), jid);
        }
        Ok((true, shown))
    }

    pub fn get_group(
        &mut self,
        session: &SessionId,
        gid: &GroupJid,
    ) -> Result<LiveGroup, ServiceError> {
        let session = self.connected(session)?;
        let group = session
            .groups
            .get(gid)
            .ok_or_else(ServiceError::group_not_found)?;
        Ok(live(gid, group))
    }

    /// Applies a setting under WhatsApp's rules: announce and locked need an admin; subject
    /// and description need one only while the group is locked. Setting a value a group
    /// already has is no change and keeps its version.
    pub fn change(
        &mut self,
        session: &SessionId,
        gid: &GroupJid,
        change: Change,
    ) -> Result<LiveGroup, ServiceError> {
        let version = self.last_version + 1;
        let session = self.connected(session)?;
        let group = session
            .groups
            .get_mut(gid)
            .ok_or_else(ServiceError::group_not_found)?;
        let needs_admin = match change {
            Change::Announce(_) | Change::Locked(_) => true,
            Change::Subject(_) | Change::Description(_) => group.is_locked,
        };
        if needs_admin && !group.admin {
            return Err(ServiceError::not_admin());
        }
        let changed = match change {
            Change::Subject(s) => replace(&mut group.subject, s),
            Change::Description(d) => replace(&mut group.description, d),
            Change::Announce(b) => replace(&mut group.is_announce, b),
            Change::Locked(b) => replace(&mut group.is_locked, b),
        };
        if changed {
            group.version = version;
        }
        let shown = live(gid, group);
        if changed {
            self.last_version = version;
        }
        Ok(shown)
    }

    // ---- control ----

    pub fn count_call(&mut self, session: &str, operation: Operation) {
        *self
            .calls
            .entry((session.to_owned(), operation))
            .or_default() += 1;
    }

    pub fn calls(&self, session: Option<&str>) -> CallCounts {
        let mut counts = CallCounts::default();
        for ((s, op), n) in &self.calls {
            if session.is_none_or(|wanted| wanted == s) {
                counts.add(*op, *n);
            }
        }
        counts
    }

    pub fn put_session(
        &mut self,
        id: &SessionId,
        account: Option<UserJid>,
        connected: bool,
    ) -> SessionState {
        let session = self.sessions.entry(id.clone()).or_insert_with(|| Session {
            account: account.clone().unwrap_or_else(|| account_for(id)),
            connected,
            groups: BTreeMap::new(),
            made_for_request: HashMap::new(),
        });
        if let Some(account) = account {
            session.account = account;
        }
        session.connected = connected;
        SessionState {
            session: id.clone(),
            account: session.account.clone(),
            connected,
        }
    }

    pub fn session(&self, id: &SessionId) -> Option<SessionState> {
        self.sessions.get(id).map(|s| SessionState {
            session: id.clone(),
            account: s.account.clone(),
            connected: s.connected,
        })
    }

    /// Puts a group into a known session as it is on WhatsApp (replacing one with that JID);
    /// `Ok((true, _))` when it is new. `None` when the session is unknown.
    pub fn seed_group(
        &mut self,
        id: &SessionId,
        gid: &GroupJid,
        seed: SeedGroup,
        now_ms: i64,
    ) -> Option<(bool, EmulatedGroup)> {
        let version = self.next_version();
        let session = self.sessions.get_mut(id)?;
        let owner = seed
            .owner
            .unwrap_or_else(|| seed.admin.then(|| session.account.clone()));
        let group = Group {
            subject: seed.subject,
            description: seed.description,
            is_announce: seed.is_announce,
            is_locked: seed.is_locked,
            participants: members(&session.account, seed.participants),
            admin: seed.admin,
            owner,
            created_at: seed.created_at.unwrap_or(now_ms),
            version,
        };
        let shown = emulated(gid, &group);
        let new = session.groups.insert(gid.clone(), group).is_none();
        Some((new, shown))
    }

    pub fn group(&self, id: &SessionId, gid: &GroupJid) -> Option<EmulatedGroup> {
        let group = self.sessions.get(id)?.groups.get(gid)?;
        Some(emulated(gid, group))
    }

    /// `None` when the session is unknown.
    pub fn groups(&self, id: &SessionId) -> Option<Vec<EmulatedGroup>> {
        let session = self.sessions.get(id)?;
        Some(
            session
                .groups
                .iter()
                .map(|(jid, g)| emulated(jid, g))
                .collect(),
        )
    }
}

fn replace<T: PartialEq>(slot: &mut T, value: T) -> bool {
    if *slot == value {
        false
    } else {
        *slot = value;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::ErrorKind;

    fn sid(s: &str) -> SessionId {
        SessionId::parse(s).unwrap()
    }
    fn user(n: u32) -> UserJid {
        UserJid::parse(&format!("62{n}@s.whatsapp.net")).unwrap()
    }
    fn subject(s: &str) -> Subject {
        Subject::parse(s).unwrap()
    }
    fn world_with_session() -> (World, SessionId) {
        let mut world = World::new(1_700_000_000_000);
        let session = sid("s1");
        world.put_session(&session, Some(user(1)), true);
        (world, session)
    }
    fn kind(result: Result<impl std::fmt::Debug, ServiceError>) -> ErrorKind {
        result.unwrap_err().kind
    }

    #[test]
    fn created_group_is_owned_and_administered_by_the_account() {
        let (mut world, s) = world_with_session();
        let (new, group) = world
            .create_group(&s, None, subject("Team"), vec![user(2), user(3)], 42)
            .unwrap();
        assert!(new);
        assert_eq!(group.owner_jid, Some(user(1)));
        assert_eq!(group.participants, vec![user(1), user(2), user(3)]);
        assert_eq!(group.participant_count, 3);
        assert_eq!(group.created_at, 42);
        assert_eq!(group.description.as_str(), "");
        let jid = group.group_jid.as_str();
        assert_eq!(jid.len(), "@g.us".len() + 18, "{jid}");
        assert!(world.group(&s, &group.group_jid).unwrap().admin);
    }

    #[test]
    fn group_jids_are_unique() {
        let (mut world, s) = world_with_session();
        let jids: HashSet<GroupJid> = (0..50)
            .map(|_| {
                world
                    .create_group(&s, None, subject("T"), vec![user(2)], 0)
                    .unwrap()
                    .1
                    .group_jid
            })
            .collect();
        assert_eq!(jids.len(), 50);
    }

    #[test]
    fn create_needs_a_connected_session() {
        let (mut world, s) = world_with_session();
        let unknown = sid("nobody");
        assert_eq!(
            kind(world.create_group(&unknown, None, subject("T"), vec![user(2)], 0)),
            ErrorKind::NotConnected
        );
        world.put_session(&s, None, false);
        assert_eq!(
            kind(world.create_group(&s, None, subject("T"), vec![user(2)], 0)),
            ErrorKind::NotConnected
        );
        assert_eq!(world.groups(&s).unwrap().len(), 0);
    }

    #[test]
    fn participants_are_one_to_1023_distinct() {
        let (mut world, s) = world_with_session();
        let refused = |world: &mut World, list: Vec<UserJid>| {
            world
                .create_group(&s, None, subject("T"), list, 0)
                .unwrap_err()
                .field
        };
        assert_eq!(refused(&mut world, vec![]).as_deref(), Some("participants"));
        assert_eq!(
            refused(&mut world, vec![user(2), user(3), user(2)]).as_deref(),
            Some("participants[2]")
        );
        let too_many: Vec<UserJid> = (0..1024).map(|n| user(1000 + n)).collect();
        assert_eq!(
            refused(&mut world, too_many).as_deref(),
            Some("participants")
        );
        let most: Vec<UserJid> = (0..1023).map(|n| user(1000 + n)).collect();
        assert!(world.create_group(&s, None, subject("T"), most, 0).is_ok());
    }

    #[test]
    fn one_group_per_request_id() {
        let (mut world, s) = world_with_session();
        let (new, first) = world
            .create_group(&s, Some("r-1"), subject("T"), vec![user(2)], 0)
            .unwrap();
        assert!(new);
        let (new, again) = world
            .create_group(&s, Some("r-1"), subject("Other"), vec![user(3)], 0)
            .unwrap();
        assert!(!new);
        assert_eq!(again, first);
        let (new, _) = world
            .create_group(&s, Some("r-2"), subject("T"), vec![user(2)], 0)
            .unwrap();
        assert!(new);
        // Request ids are per session.
        let other = sid("s2");
        world.put_session(&other, None, true);
        let (new, _) = world
            .create_group(&other, Some("r-1"), subject("T"), vec![user(2)], 0)
            .unwrap();
        assert!(new);
        assert_eq!(world.groups(&s).unwrap().len(), 2);
    }

    #[test]
    fn announce_and_locked_need_an_admin() {
        let (mut world, s) = world_with_session();
        let gid = GroupJid::parse("1@g.us").unwrap();
        let seed = SeedGroup {
            admin: false,
            ..SeedGroup::new(subject("T"))
        };
        world.seed_group(&s, &gid, seed, 0).unwrap();
        for change in [Change::Announce(true), Change::Locked(true)] {
            assert_eq!(kind(world.change(&s, &gid, change)), ErrorKind::NotAdmin);
        }
        // Not locked: anyone may edit the info.
        let group = world
            .change(&s, &gid, Change::Subject(subject("New")))
            .unwrap();
        assert_eq!(group.subject.as_str(), "New");
    }

    #[test]
    fn info_needs_an_admin_only_while_locked() {
        let (mut world, s) = world_with_session();
        let gid = GroupJid::parse("1@g.us").unwrap();
        let locked = SeedGroup {
            admin: false,
            is_locked: true,
            ..SeedGroup::new(subject("T"))
        };
        world.seed_group(&s, &gid, locked, 0).unwrap();
        let description = Description::parse("d").unwrap();
        assert_eq!(
            kind(world.change(&s, &gid, Change::Subject(subject("New")))),
            ErrorKind::NotAdmin
        );
        assert_eq!(
            kind(world.change(&s, &gid, Change::Description(description.clone()))),
            ErrorKind::NotAdmin
        );
        let admin_locked = SeedGroup {
            admin: true,
            is_locked: true,
            ..SeedGroup::new(subject("T"))
        };
        world.seed_group(&s, &gid, admin_locked, 0).unwrap();
        let group = world
            .change(&s, &gid, Change::Description(description))
            .unwrap();
        assert_eq!(group.description.as_str(), "d");
    }

    #[test]
    fn versions_increase_on_every_change_and_only_then() {
        let (mut world, s) = world_with_session();
        let (_, group) = world
            .create_group(&s, None, subject("T"), vec![user(2)], 0)
            .unwrap();
        let gid = group.group_jid;
        let v1 = group.version;
        let v2 = world
            .change(&s, &gid, Change::Announce(true))
            .unwrap()
            .version;
        assert!(v2 > v1);
        let same = world
            .change(&s, &gid, Change::Announce(true))
            .unwrap()
            .version;
        assert_eq!(same, v2);
        // Changes elsewhere do not matter to this group's order.
        world
            .create_group(&s, None, subject("U"), vec![user(2)], 0)
            .unwrap();
        let v3 = world
            .change(&s, &gid, Change::Locked(true))
            .unwrap()
            .version;
        assert!(v3 > v2);
        let v4 = world
            .seed_group(&s, &gid, SeedGroup::new(subject("T")), 0)
            .unwrap()
            .1
            .group
            .version;
        assert!(v4 > v3);
    }

    #[test]
    fn unknown_groups_and_disconnected_sessions() {
        let (mut world, s) = world_with_session();
        let gid = GroupJid::parse("1@g.us").unwrap();
        assert_eq!(kind(world.get_group(&s, &gid)), ErrorKind::GroupNotFound);
        world.seed_group(&s, &gid, SeedGroup::new(subject("T")), 0);
        assert!(world.get_group(&s, &gid).is_ok());
        world.put_session(&s, None, false);
        assert_eq!(kind(world.get_group(&s, &gid)), ErrorKind::NotConnected);
        assert_eq!(
            kind(world.change(&s, &gid, Change::Announce(true))),
            ErrorKind::NotConnected
        );
    }

    #[test]
    fn seeded_owner_defaults_to_the_account_when_admin() {
        let (mut world, s) = world_with_session();
        let gid = GroupJid::parse("1@g.us").unwrap();
        let (new, group) = world
            .seed_group(&s, &gid, SeedGroup::new(subject("T")), 5)
            .unwrap();
        assert!(new);
        assert_eq!(group.group.owner_jid, Some(user(1)));
        assert_eq!(group.group.created_at, 5);
        let member = SeedGroup {
            admin: false,
            participants: vec![user(7), user(1)],
            ..SeedGroup::new(subject("T"))
        };
        let (new, group) = world.seed_group(&s, &gid, member, 5).unwrap();
        assert!(!new);
        assert_eq!(group.group.owner_jid, None);
        assert_eq!(group.group.participants, vec![user(1), user(7)]);
        assert!(
            world
                .seed_group(&sid("nobody"), &gid, SeedGroup::new(subject("T")), 0)
                .is_none()
        );
    }

    #[test]
    fn made_up_accounts_are_stable_user_jids() {
        assert_eq!(account_for(&sid("demo")), account_for(&sid("demo")));
        assert_ne!(account_for(&sid("demo")), account_for(&sid("demo2")));
    }
}
