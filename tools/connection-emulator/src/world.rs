//! The in-memory WhatsApp: sessions, their groups and members, the people someone may add,
//! invite codes, WhatsApp's rules about who may change what, and the events every change
//! publishes.

use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasher;

use gateway_domain::{Description, GroupJid, SessionId, Subject, UserJid};
use serde::{Deserialize, Serialize};

use crate::events::{Event, EventBody, event_id};
use crate::faults::{CallCounts, Fault};
use crate::members::{
    AddableBy, GROUP_SIZE_LIMIT, INVITE_LIFETIME_MS, Invitation, MemberAddMode, Participant,
    ParticipantAction, ParticipantResult, PhoneAction, RECENTLY_LEFT_MS, Role, User, UserSettings,
};
use crate::wire::ServiceError;

/// The most participants a request may list besides the session's account (WhatsApp's
/// limit is 1024 members, the account included).
pub const MAX_PARTICIPANTS: usize = GROUP_SIZE_LIMIT - 1;

/// The operations of the contract, by their `operationId`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Operation {
    CreateGroup,
    GetGroup,
    SetSubject,
    SetDescription,
    SetAnnounce,
    SetLocked,
    ChangeParticipants,
    GetInvite,
    ResetInvite,
    RequestSync,
}

impl Operation {
    pub const ALL: [Operation; 10] = [
        Operation::CreateGroup,
        Operation::GetGroup,
        Operation::SetSubject,
        Operation::SetDescription,
        Operation::SetAnnounce,
        Operation::SetLocked,
        Operation::ChangeParticipants,
        Operation::GetInvite,
        Operation::ResetInvite,
        Operation::RequestSync,
    ];

    pub fn operation_id(self) -> &'static str {
        match self {
            Operation::CreateGroup => "createGroup",
            Operation::GetGroup => "getGroup",
            Operation::SetSubject => "setSubject",
            Operation::SetDescription => "setDescription",
            Operation::SetAnnounce => "setAnnounce",
            Operation::SetLocked => "setLocked",
            Operation::ChangeParticipants => "changeParticipants",
            Operation::GetInvite => "getInvite",
            Operation::ResetInvite => "resetInvite",
            Operation::RequestSync => "requestSync",
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
    /// Every member, the session's account first. Left out of `group.snapshot` events (they
    /// carry the list beside the group).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub participants: Vec<Participant>,
    #[serde(default)]
    pub member_add_mode: MemberAddMode,
    pub participant_count: u32,
    pub is_announce: bool,
    pub is_locked: bool,
    pub created_at: i64,
    pub version: i64,
}

impl LiveGroup {
    /// The member with this JID (any of its forms).
    pub fn participant(&self, jid: &UserJid) -> Option<&Participant> {
        self.participants
            .iter()
            .find(|p| p.is(std::slice::from_ref(jid)))
    }
}

/// What the emulated WhatsApp holds for a group, as the control API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EmulatedGroup {
    #[serde(flatten)]
    pub group: LiveGroup,
    /// The session's account is an admin (or the superadmin) of the group.
    pub admin: bool,
    /// The session's account is a participant (false after `DELETE .../membership`).
    pub in_group: bool,
    /// The group's current invite code (`getInvite`).
    pub invite_code: String,
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
    /// Members. The session's account is always one: listed here, its role comes from here;
    /// otherwise from `admin`. The owner, when listed, is the superadmin.
    pub participants: Vec<Participant>,
    /// When the account is not listed: `true` makes it the superadmin if it is the owner
    /// (the default owner), else an admin; `false` a plain member.
    pub admin: bool,
    /// `None`: the session's account if it is the superadmin, else nobody. `Some(None)`: no
    /// owner (the creator left).
    pub owner: Option<Option<UserJid>>,
    /// `None`: now.
    pub created_at: Option<i64>,
    pub member_add_mode: MemberAddMode,
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
            member_add_mode: MemberAddMode::Admins,
        }
    }

    /// With these members (plain members, unless one is the owner).
    pub fn with_members(mut self, jids: impl IntoIterator<Item = UserJid>) -> Self {
        self.participants = jids.into_iter().map(Participant::member).collect();
        self
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

/// What a change made from a phone did (control API).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PhoneChange {
    /// The members WhatsApp changed, as they are after the change (removed ones as they were).
    pub changed: Vec<Participant>,
    pub group: EmulatedGroup,
}

/// What joining through an invite code did (control API).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Joined {
    pub session: SessionId,
    pub group_jid: GroupJid,
    /// False when the person was a member already (nothing changed).
    pub joined: bool,
    pub participant: Participant,
    pub group: EmulatedGroup,
}

/// Why joining through an invite code failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinError {
    /// Unknown, revoked or expired code, or a personal invitation for someone else.
    NotFound,
    GroupFull,
}

#[derive(Debug)]
struct Group {
    subject: Subject,
    description: Description,
    is_announce: bool,
    is_locked: bool,
    owner: Option<UserJid>,
    created_at: i64,
    version: i64,
    member_add_mode: MemberAddMode,
    /// The session's account as a member; `None` once it left or was removed.
    me: Option<Participant>,
    /// Every other member, in the order they joined.
    others: Vec<Participant>,
    invite_code: String,
    /// People who left by themselves, with every form of their identity, and when.
    recently_left: Vec<(Vec<UserJid>, i64)>,
    /// The results of each `add` with a `requestId`: a repeat answers them again.
    add_requests: HashMap<String, Vec<ParticipantResult>>,
}

/// A member of a group: the session's account, or another (by index).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Me,
    Other(usize),
}

impl Group {
    fn members(&self) -> impl Iterator<Item = &Participant> {
        self.me.iter().chain(self.others.iter())
    }

    fn count(&self) -> usize {
        usize::from(self.me.is_some()) + self.others.len()
    }

    fn admin(&self) -> bool {
        self.me.as_ref().is_some_and(|me| me.role.is_admin())
    }

    fn find(&self, forms: &[UserJid]) -> Option<Who> {
        if self.me.as_ref().is_some_and(|me| me.is(forms)) {
            return Some(Who::Me);
        }
        self.others.iter().position(|p| p.is(forms)).map(Who::Other)
    }

    fn member(&self, who: Who) -> &Participant {
        match who {
            Who::Me => self.me.as_ref().unwrap_or_else(|| unreachable!("found")),
            Who::Other(i) => &self.others[i],
        }
    }

    fn member_mut(&mut self, who: Who) -> &mut Participant {
        match who {
            Who::Me => self.me.as_mut().unwrap_or_else(|| unreachable!("found")),
            Who::Other(i) => &mut self.others[i],
        }
    }

    fn left_recently(&self, forms: &[UserJid], now_ms: i64) -> bool {
        self.recently_left.iter().any(|(left, at)| {
            now_ms - at < RECENTLY_LEFT_MS && left.iter().any(|f| forms.contains(f))
        })
    }

    fn forget_left(&mut self, forms: &[UserJid]) {
        self.recently_left
            .retain(|(left, _)| !left.iter().any(|f| forms.contains(f)));
    }
}

#[derive(Debug)]
struct Session {
    account: UserJid,
    connected: bool,
    groups: BTreeMap<GroupJid, Group>,
    /// The group each `requestId` made: the service makes at most one per id.
    made_for_request: HashMap<String, (GroupJid, Vec<ParticipantResult>)>,
    /// When each `syncId` started: a repeat starts nothing new.
    syncs: HashMap<String, i64>,
}

/// Where an invite code leads.
#[derive(Debug, Clone)]
struct InviteTarget {
    session: SessionId,
    gid: GroupJid,
    /// A personal invitation (issued on a privacy block) is for that person only.
    person: Option<Vec<UserJid>>,
    expires_at: Option<i64>,
}

#[derive(Debug, Default)]
pub(crate) struct World {
    sessions: HashMap<SessionId, Session>,
    pub(crate) faults: Vec<Fault>,
    calls: HashMap<(String, Operation), u64>,
    /// The last version given to any group: versions are `max(last + 1, now)`, so they
    /// increase for every change and do not go back across restarts.
    last_version: i64,
    next_jid: u64,
    users: HashMap<UserJid, UserSettings>,
    invites: HashMap<String, InviteTarget>,
    /// Every event published, in order.
    events: Vec<Event>,
    /// Events not yet handed to the publisher.
    unsent: Vec<Event>,
    rng: u64,
}

fn live(jid: &GroupJid, group: &Group) -> LiveGroup {
    LiveGroup {
        group_jid: jid.clone(),
        subject: group.subject.clone(),
        description: group.description.clone(),
        owner_jid: group.owner.clone(),
        participants: group.members().cloned().collect(),
        member_add_mode: group.member_add_mode,
        participant_count: u32::try_from(group.count()).unwrap_or(u32::MAX),
        is_announce: group.is_announce,
        is_locked: group.is_locked,
        created_at: group.created_at,
        version: group.version,
    }
}

fn emulated(jid: &GroupJid, group: &Group) -> EmulatedGroup {
    EmulatedGroup {
        group: live(jid, group),
        admin: group.admin(),
        in_group: group.me.is_some(),
        invite_code: group.invite_code.clone(),
    }
}

fn same_person(a: &Participant, b: &Participant) -> bool {
    a.forms().any(|form| b.is(std::slice::from_ref(form)))
}

fn is_lid(jid: &UserJid) -> bool {
    jid.as_str().ends_with("@lid")
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

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

impl World {
    pub fn new(now_ms: i64) -> Self {
        // Start group numbers from the clock so JIDs differ between emulator runs (a store
        // kept across runs then does not see an old JID come back as a new group).
        let start = u64::try_from(now_ms).unwrap_or(0) % 1_000_000_000 * 1000;
        Self {
            next_jid: start,
            rng: std::collections::hash_map::RandomState::new().hash_one(now_ms),
            ..Self::default()
        }
    }

    /// splitmix64: invite codes and event ids need to be unpredictable enough for a test
    /// tool, not for an attacker.
    fn random(&mut self) -> u64 {
        self.rng = self.rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A fresh invite code: 22 base62 characters, as WhatsApp's.
    fn new_code(&mut self) -> String {
        loop {
            let code: String = (0..22)
                .map(|_| {
                    let i = usize::try_from(self.random() % 62).unwrap_or(0);
                    char::from(BASE62[i])
                })
                .collect();
            if !self.invites.contains_key(&code) {
                return code;
            }
        }
    }

    fn peek_version(&self, now_ms: i64) -> i64 {
        (self.last_version + 1).max(now_ms).max(1)
    }

    fn commit_version(&mut self, version: i64) {
        self.last_version = self.last_version.max(version);
    }

    fn next_version(&mut self, now_ms: i64) -> i64 {
        let version = self.peek_version(now_ms);
        self.commit_version(version);
        version
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

    /// A group the session's account is in, for an operation of the contract: 409, 404 and
    /// 403 `not_a_participant` in that order.
    fn group_mut(
        &mut self,
        session: &SessionId,
        gid: &GroupJid,
    ) -> Result<&mut Group, ServiceError> {
        let group = self
            .connected(session)?
            .groups
            .get_mut(gid)
            .ok_or_else(ServiceError::group_not_found)?;
        if group.me.is_none() {
            return Err(ServiceError::not_a_participant());
        }
        Ok(group)
    }

    /// How WhatsApp addresses a person someone adds, and how it treats them. A phone JID
    /// set up with a `lid` becomes `{jid: phone, lid}`; that LID resolves to the same.
    pub fn resolve(&self, jid: &UserJid) -> (Participant, UserSettings) {
        if let Some(settings) = self.users.get(jid) {
            let mut participant = Participant::member(jid.clone());
            if !is_lid(jid) {
                participant.lid = settings.lid.clone();
            }
            return (participant, settings.clone());
        }
        if is_lid(jid)
            && let Some((phone, settings)) =
                self.users.iter().find(|(_, s)| s.lid.as_ref() == Some(jid))
        {
            let participant = Participant {
                jid: phone.clone(),
                lid: Some(jid.clone()),
                phone_jid: None,
                role: Role::Member,
            };
            return (participant, settings.clone());
        }
        (Participant::member(jid.clone()), UserSettings::default())
    }

    /// Publishes an event of `session`, unless the session is disconnected (the service is
    /// away and sees nothing).
    fn publish(&mut self, session: &SessionId, now_ms: i64, body: EventBody) {
        if !self.sessions.get(session).is_some_and(|s| s.connected) {
            return;
        }
        let random = (u128::from(self.random()) << 64) | u128::from(self.random());
        let event = Event {
            event_id: event_id(now_ms, random),
            session: session.clone(),
            at: now_ms,
            body,
        };
        self.events.push(event.clone());
        self.unsent.push(event);
    }

    /// A snapshot of every group the account is in, in JID order.
    fn publish_snapshots(&mut self, session: &SessionId, now_ms: i64) -> Vec<GroupJid> {
        let snapshots: Vec<LiveGroup> = self
            .sessions
            .get(session)
            .map(|s| {
                s.groups
                    .iter()
                    .filter(|(_, g)| g.me.is_some())
                    .map(|(jid, g)| live(jid, g))
                    .collect()
            })
            .unwrap_or_default();
        let jids = snapshots.iter().map(|g| g.group_jid.clone()).collect();
        for group in snapshots {
            self.publish(session, now_ms, EventBody::snapshot(group));
        }
        jids
    }

    pub fn events(&self) -> &[Event] {
        &self.events
    }

    pub fn take_unsent(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.unsent)
    }

    // ---- the contract ----

    /// `Ok((true, group, results))` for a new group, `Ok((false, group, results))` for the one
    /// an earlier call with the same `request_id` made (with that call's results). WhatsApp puts
    /// in everyone it may add and answers for each requested person: 200 added, 404 not on
    /// WhatsApp, 403 invitation only (with the invitation it issued), 409 listed twice.
    pub fn create_group(
        &mut self,
        session: &SessionId,
        request_id: Option<&str>,
        subject: Subject,
        participants: Vec<UserJid>,
        now_ms: i64,
    ) -> Result<(bool, LiveGroup, Vec<ParticipantResult>), ServiceError> {
        check_list(&participants)?;
        let account = self.connected(session)?.account.clone();
        if let Some(id) = request_id {
            let made = self.sessions.get(session).and_then(|s| {
                let (jid, results) = s.made_for_request.get(id)?;
                s.groups.get(jid).map(|g| (live(jid, g), results.clone()))
            });
            if let Some((group, results)) = made {
                return Ok((false, group, results));
            }
        }
        let me = Participant::superadmin(account.clone());
        let mut others: Vec<Participant> = Vec::new();
        let mut results = Vec::with_capacity(participants.len());
        let mut invitations = Vec::new();
        for jid in &participants {
            let (participant, settings) = self.resolve(jid);
            let result = if !settings.on_whats_app {
                ParticipantResult::new(jid.clone(), 404, None)
            } else if same_person(&me, &participant)
                || others.iter().any(|o| same_person(o, &participant))
            {
                ParticipantResult::new(jid.clone(), 409, Some(participant))
            } else if settings.addable_by != AddableBy::Everyone {
                let code = self.new_code();
                let expires_at = now_ms + INVITE_LIFETIME_MS;
                invitations.push((
                    code.clone(),
                    participant.forms().cloned().collect(),
                    expires_at,
                ));
                ParticipantResult {
                    invite: Some(Invitation { code, expires_at }),
                    ..ParticipantResult::new(jid.clone(), 403, None)
                }
            } else {
                others.push(participant.clone());
                ParticipantResult::new(jid.clone(), 200, Some(participant))
            };
            results.push(result);
        }
        let jid = self.new_jid();
        let invite_code = self.new_code();
        let group = Group {
            subject,
            description: Description::parse("").unwrap_or_else(|_| unreachable!()),
            is_announce: false,
            is_locked: false,
            owner: Some(account),
            created_at: now_ms,
            version: self.next_version(now_ms),
            member_add_mode: MemberAddMode::Admins,
            me: Some(me),
            others,
            invite_code: invite_code.clone(),
            recently_left: Vec::new(),
            add_requests: HashMap::new(),
        };
        let shown = live(&jid, &group);
        let state = self.connected(session)?;
        state.groups.insert(jid.clone(), group);
        if let Some(id) = request_id {
            state
                .made_for_request
                .insert(id.to_owned(), (jid.clone(), results.clone()));
        }
        self.invites.insert(
            invite_code,
            InviteTarget {
                session: session.clone(),
                gid: jid.clone(),
                person: None,
                expires_at: None,
            },
        );
        for (code, person, expires_at) in invitations {
            self.invites.insert(
                code,
                InviteTarget {
                    session: session.clone(),
                    gid: jid.clone(),
                    person: Some(person),
                    expires_at: Some(expires_at),
                },
            );
        }
        self.publish(session, now_ms, EventBody::snapshot(shown.clone()));
        Ok((true, shown, results))
    }

    pub fn get_group(
        &mut self,
        session: &SessionId,
        gid: &GroupJid,
    ) -> Result<LiveGroup, ServiceError> {
        let group = self.group_mut(session, gid)?;
        Ok(live(gid, group))
    }

    /// Applies a setting under WhatsApp's rules: announce and locked need an admin; subject
    /// and description need one only while the group is locked. Setting a value a group
    /// already has is no change: it keeps its version and publishes nothing.
    pub fn change(
        &mut self,
        session: &SessionId,
        gid: &GroupJid,
        change: Change,
        now_ms: i64,
    ) -> Result<LiveGroup, ServiceError> {
        let version = self.peek_version(now_ms);
        let group = self.group_mut(session, gid)?;
        let needs_admin = match change {
            Change::Announce(_) | Change::Locked(_) => true,
            Change::Subject(_) | Change::Description(_) => group.is_locked,
        };
        if needs_admin && !group.admin() {
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
            self.commit_version(version);
            self.publish(session, now_ms, EventBody::snapshot(shown.clone()));
        }
        Ok(shown)
    }

    /// `changeParticipants`: WhatsApp's answer for each requested person, and the group
    /// after the change. Publishes one `group.participants` event with the members WhatsApp
    /// changed (none when nothing changed).
    #[allow(clippy::too_many_arguments)]
    pub fn change_participants(
        &mut self,
        session: &SessionId,
        gid: &GroupJid,
        action: ParticipantAction,
        requested: Vec<UserJid>,
        request_id: Option<&str>,
        invite_on_privacy_block: bool,
        now_ms: i64,
    ) -> Result<(Vec<ParticipantResult>, LiveGroup), ServiceError> {
        check_list(&requested)?;
        let group = self.group_mut(session, gid)?;
        if action == ParticipantAction::Add
            && let Some(results) = request_id.and_then(|id| group.add_requests.get(id))
        {
            return Ok((results.clone(), live(gid, group)));
        }
        let allowed = group.admin()
            || (action == ParticipantAction::Add && group.member_add_mode == MemberAddMode::All);
        if !allowed {
            return Err(ServiceError::not_admin());
        }

        let resolved: Vec<(UserJid, Participant, UserSettings)> = requested
            .into_iter()
            .map(|jid| {
                let (participant, settings) = self.resolve(&jid);
                (jid, participant, settings)
            })
            .collect();
        // Codes for the invitations privacy blocks may need, made before the group is
        // borrowed; the unused ones are dropped.
        let mut codes: Vec<String> = if action == ParticipantAction::Add {
            let blocked = resolved
                .iter()
                .filter(|(_, _, s)| s.addable_by != AddableBy::Everyone)
                .count();
            (0..blocked).map(|_| self.new_code()).collect()
        } else {
            Vec::new()
        };
        let version = self.peek_version(now_ms);
        let group = self.group_mut(session, gid)?;

        let mut results = Vec::with_capacity(resolved.len());
        let mut changed = Vec::new();
        let mut invitations = Vec::new();
        for (jid, participant, settings) in resolved {
            let mut forms: Vec<UserJid> = participant.forms().cloned().collect();
            if !forms.contains(&jid) {
                forms.push(jid.clone());
            }
            let found = group.find(&forms);
            let result = match (action, found) {
                (ParticipantAction::Add, Some(who)) => {
                    ParticipantResult::new(jid, 409, Some(group.member(who).clone()))
                }
                (ParticipantAction::Add, None) => {
                    if !settings.on_whats_app {
                        ParticipantResult::new(jid, 404, None)
                    } else if group.left_recently(&forms, now_ms) {
                        ParticipantResult::new(jid, 408, None)
                    } else if group.count() >= GROUP_SIZE_LIMIT {
                        ParticipantResult::new(jid, 419, None)
                    } else if settings.addable_by != AddableBy::Everyone {
                        let code = codes.pop().unwrap_or_default();
                        let expires_at = now_ms + INVITE_LIFETIME_MS;
                        invitations.push((code.clone(), forms, expires_at));
                        ParticipantResult {
                            invite: Some(Invitation { code, expires_at }),
                            invite_sent: invite_on_privacy_block.then_some(true),
                            ..ParticipantResult::new(jid, 403, None)
                        }
                    } else {
                        group.forget_left(&forms);
                        group.others.push(participant.clone());
                        changed.push(participant.clone());
                        ParticipantResult::new(jid, 200, Some(participant))
                    }
                }
                (_, None) => ParticipantResult::new(jid, 404, None),
                (ParticipantAction::Remove, Some(who)) => {
                    let member = group.member(who).clone();
                    // Nobody removes the superadmin; the account leaves rather than removes
                    // itself.
                    if member.role == Role::Superadmin || who == Who::Me {
                        ParticipantResult::new(jid, 403, Some(member))
                    } else {
                        if let Who::Other(i) = who {
                            group.others.remove(i);
                        }
                        changed.push(member);
                        ParticipantResult::new(jid, 200, None)
                    }
                }
                (ParticipantAction::Promote, Some(who)) => {
                    let member = group.member_mut(who);
                    if member.role == Role::Member {
                        member.role = Role::Admin;
                        changed.push(member.clone());
                    }
                    ParticipantResult::new(jid, 200, Some(member.clone()))
                }
                (ParticipantAction::Demote, Some(who)) => {
                    let member = group.member_mut(who);
                    match member.role {
                        Role::Superadmin => ParticipantResult::new(jid, 403, Some(member.clone())),
                        Role::Admin => {
                            member.role = Role::Member;
                            changed.push(member.clone());
                            ParticipantResult::new(jid, 200, Some(member.clone()))
                        }
                        Role::Member => ParticipantResult::new(jid, 200, Some(member.clone())),
                    }
                }
            };
            results.push(result);
        }
        if !changed.is_empty() {
            group.version = version;
        }
        if action == ParticipantAction::Add
            && let Some(id) = request_id
        {
            group.add_requests.insert(id.to_owned(), results.clone());
        }
        let shown = live(gid, group);
        for (code, person, expires_at) in invitations {
            self.invites.insert(
                code,
                InviteTarget {
                    session: session.clone(),
                    gid: gid.clone(),
                    person: Some(person),
                    expires_at: Some(expires_at),
                },
            );
        }
        if !changed.is_empty() {
            self.commit_version(version);
            self.publish(
                session,
                now_ms,
                EventBody::GroupParticipants {
                    group_jid: gid.clone(),
                    version,
                    action,
                    participants: changed,
                },
            );
        }
        Ok((results, shown))
    }

    /// The group's invite code; admins only.
    pub fn get_invite(
        &mut self,
        session: &SessionId,
        gid: &GroupJid,
    ) -> Result<String, ServiceError> {
        let group = self.group_mut(session, gid)?;
        if !group.admin() {
            return Err(ServiceError::not_admin());
        }
        Ok(group.invite_code.clone())
    }

    /// Revokes the invite code and makes a new one; admins only.
    pub fn reset_invite(
        &mut self,
        session: &SessionId,
        gid: &GroupJid,
    ) -> Result<String, ServiceError> {
        let code = self.new_code();
        let group = self.group_mut(session, gid)?;
        if !group.admin() {
            return Err(ServiceError::not_admin());
        }
        let old = std::mem::replace(&mut group.invite_code, code.clone());
        self.invites.remove(&old);
        self.invites.insert(
            code.clone(),
            InviteTarget {
                session: session.clone(),
                gid: gid.clone(),
                person: None,
                expires_at: None,
            },
        );
        Ok(code)
    }

    /// Publishes a snapshot of every group the account is in, then `sync.completed`; answers
    /// when the sync started. A `sync_id` seen before answers its first start and publishes
    /// nothing.
    pub fn request_sync(
        &mut self,
        session: &SessionId,
        sync_id: &str,
        now_ms: i64,
    ) -> Result<i64, ServiceError> {
        let state = self.connected(session)?;
        if let Some(started_at) = state.syncs.get(sync_id) {
            return Ok(*started_at);
        }
        state.syncs.insert(sync_id.to_owned(), now_ms);
        let group_jids = self.publish_snapshots(session, now_ms);
        self.publish(
            session,
            now_ms,
            EventBody::SyncCompleted {
                sync_id: sync_id.to_owned(),
                started_at: now_ms,
                group_jids,
            },
        );
        Ok(now_ms)
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

    /// Creates the session or changes it. A session that becomes connected (new, or
    /// disconnected before) publishes a snapshot of every group its account is in.
    pub fn put_session(
        &mut self,
        id: &SessionId,
        account: Option<UserJid>,
        connected: bool,
        now_ms: i64,
    ) -> SessionState {
        let was_connected = self.sessions.get(id).is_some_and(|s| s.connected);
        let session = self.sessions.entry(id.clone()).or_insert_with(|| Session {
            account: account.clone().unwrap_or_else(|| account_for(id)),
            connected,
            groups: BTreeMap::new(),
            made_for_request: HashMap::new(),
            syncs: HashMap::new(),
        });
        if let Some(account) = account {
            session.account = account;
        }
        session.connected = connected;
        let state = SessionState {
            session: id.clone(),
            account: session.account.clone(),
            connected,
        };
        if connected && !was_connected {
            self.publish_snapshots(id, now_ms);
        }
        state
    }

    pub fn session(&self, id: &SessionId) -> Option<SessionState> {
        self.sessions.get(id).map(|s| SessionState {
            session: id.clone(),
            account: s.account.clone(),
            connected: s.connected,
        })
    }

    /// Puts a group into a known session as it is on WhatsApp (replacing one with that JID,
    /// whose invite code and recent leavers are kept); `Some((true, _))` when it is new,
    /// `None` when the session is unknown. Publishes a `group.snapshot`.
    pub fn seed_group(
        &mut self,
        id: &SessionId,
        gid: &GroupJid,
        seed: SeedGroup,
        now_ms: i64,
    ) -> Option<(bool, EmulatedGroup)> {
        let account = self.sessions.get(id)?.account.clone();
        let account_forms = [account.clone()];
        let mut listed_me: Option<Participant> = None;
        let mut others: Vec<Participant> = Vec::new();
        for participant in seed.participants {
            if participant.is(&account_forms) {
                listed_me.get_or_insert(participant);
            } else if !others.iter().any(|o| same_person(o, &participant)) {
                others.push(participant);
            }
        }
        let role = match &listed_me {
            Some(me) => me.role,
            None if !seed.admin => Role::Member,
            None => match &seed.owner {
                None => Role::Superadmin,
                Some(Some(owner)) if *owner == account => Role::Superadmin,
                Some(_) => Role::Admin,
            },
        };
        let me = listed_me.unwrap_or_else(|| Participant::new(account.clone(), role));
        let owner = seed
            .owner
            .unwrap_or_else(|| (role == Role::Superadmin).then(|| account.clone()));
        if let Some(owner) = &owner {
            // The owner, while in the group, is its superadmin.
            for other in &mut others {
                if other.is(std::slice::from_ref(owner)) {
                    other.role = Role::Superadmin;
                }
            }
        }
        let version = self.next_version(now_ms);
        let new_code = self.new_code();
        let session = self.sessions.get_mut(id)?;
        let previous = session.groups.remove(gid);
        let new = previous.is_none();
        let (invite_code, recently_left, add_requests) = match previous {
            Some(old) => (old.invite_code, old.recently_left, old.add_requests),
            None => (new_code, Vec::new(), HashMap::new()),
        };
        let group = Group {
            subject: seed.subject,
            description: seed.description,
            is_announce: seed.is_announce,
            is_locked: seed.is_locked,
            owner,
            created_at: seed.created_at.unwrap_or(now_ms),
            version,
            member_add_mode: seed.member_add_mode,
            me: Some(me),
            others,
            invite_code: invite_code.clone(),
            recently_left,
            add_requests,
        };
        let shown = emulated(gid, &group);
        let session = self.sessions.get_mut(id)?;
        session.groups.insert(gid.clone(), group);
        if new {
            self.invites.insert(
                invite_code,
                InviteTarget {
                    session: id.clone(),
                    gid: gid.clone(),
                    person: None,
                    expires_at: None,
                },
            );
        }
        self.publish(id, now_ms, EventBody::snapshot(shown.group.clone()));
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

    /// A change made from a phone: applied as WhatsApp would (nobody removes or demotes the
    /// superadmin; the others are applied whoever asks). `None` for an unknown session or
    /// group. Publishes `group.participants` with the members changed; the account itself
    /// leaving or being removed publishes `group.left`, and being added back a snapshot.
    pub fn phone_change(
        &mut self,
        id: &SessionId,
        gid: &GroupJid,
        action: PhoneAction,
        people: Vec<Participant>,
        now_ms: i64,
    ) -> Option<PhoneChange> {
        let version = self.peek_version(now_ms);
        let session = self.sessions.get_mut(id)?;
        let account = [session.account.clone()];
        let group = session.groups.get_mut(gid)?;
        let was_in = group.me.is_some();
        let mut changed: Vec<Participant> = Vec::new();
        for person in people {
            let forms: Vec<UserJid> = person.forms().cloned().collect();
            match (action, group.find(&forms)) {
                (PhoneAction::Add, None) => {
                    if group.count() >= GROUP_SIZE_LIMIT {
                        continue;
                    }
                    group.forget_left(&forms);
                    if person.is(&account) {
                        group.me = Some(person.clone());
                    } else {
                        group.others.push(person.clone());
                    }
                    changed.push(person);
                }
                (PhoneAction::Add, Some(_)) | (_, None) => {}
                (PhoneAction::Remove | PhoneAction::Leave, Some(who)) => {
                    let member = group.member(who).clone();
                    if action == PhoneAction::Remove && member.role == Role::Superadmin {
                        continue;
                    }
                    match who {
                        Who::Me => group.me = None,
                        Who::Other(i) => {
                            group.others.remove(i);
                        }
                    }
                    if action == PhoneAction::Leave {
                        let mut left: Vec<UserJid> = member.forms().cloned().collect();
                        left.extend(forms);
                        group.recently_left.push((left, now_ms));
                        if group
                            .owner
                            .as_ref()
                            .is_some_and(|o| member.is(std::slice::from_ref(o)))
                        {
                            group.owner = None;
                        }
                    }
                    changed.push(member);
                }
                (PhoneAction::Promote, Some(who)) => {
                    let member = group.member_mut(who);
                    if member.role == Role::Member {
                        member.role = Role::Admin;
                        changed.push(member.clone());
                    }
                }
                (PhoneAction::Demote, Some(who)) => {
                    let member = group.member_mut(who);
                    if member.role == Role::Admin {
                        member.role = Role::Member;
                        changed.push(member.clone());
                    }
                }
            }
        }
        let is_in = group.me.is_some();
        if !changed.is_empty() {
            group.version = version;
        }
        let shown = emulated(gid, group);
        if !changed.is_empty() {
            self.commit_version(version);
            let others: Vec<Participant> = changed
                .iter()
                .filter(|p| !p.is(&account))
                .cloned()
                .collect();
            if !was_in && is_in {
                // The account is back: the service sees the whole group anew.
                self.publish(id, now_ms, EventBody::snapshot(shown.group.clone()));
            } else if was_in {
                let published = if is_in { changed.clone() } else { others };
                if !published.is_empty() {
                    self.publish(
                        id,
                        now_ms,
                        EventBody::GroupParticipants {
                            group_jid: gid.clone(),
                            version,
                            action: action.published(),
                            participants: published,
                        },
                    );
                }
                if !is_in {
                    self.publish(
                        id,
                        now_ms,
                        EventBody::GroupLeft {
                            group_jid: gid.clone(),
                            version,
                        },
                    );
                }
            }
        }
        Some(PhoneChange {
            changed,
            group: shown,
        })
    }

    /// Who may add members; a change publishes a snapshot. `None` for an unknown session or
    /// group.
    pub fn set_member_add_mode(
        &mut self,
        id: &SessionId,
        gid: &GroupJid,
        mode: MemberAddMode,
        now_ms: i64,
    ) -> Option<EmulatedGroup> {
        let version = self.peek_version(now_ms);
        let group = self.sessions.get_mut(id)?.groups.get_mut(gid)?;
        let changed = replace(&mut group.member_add_mode, mode);
        if changed {
            group.version = version;
        }
        let in_group = group.me.is_some();
        let shown = emulated(gid, group);
        if changed {
            self.commit_version(version);
            if in_group {
                self.publish(id, now_ms, EventBody::snapshot(shown.group.clone()));
            }
        }
        Some(shown)
    }

    /// The session's account was removed from the group; publishes `group.left`. `None` for
    /// an unknown session or group.
    pub fn remove_account(
        &mut self,
        id: &SessionId,
        gid: &GroupJid,
        now_ms: i64,
    ) -> Option<EmulatedGroup> {
        let version = self.peek_version(now_ms);
        let group = self.sessions.get_mut(id)?.groups.get_mut(gid)?;
        let was_in = group.me.take().is_some();
        if was_in {
            group.version = version;
        }
        let shown = emulated(gid, group);
        if was_in {
            self.commit_version(version);
            self.publish(
                id,
                now_ms,
                EventBody::GroupLeft {
                    group_jid: gid.clone(),
                    version,
                },
            );
        }
        Some(shown)
    }

    pub fn put_user(&mut self, jid: &UserJid, settings: UserSettings) -> User {
        self.users.insert(jid.clone(), settings.clone());
        User {
            jid: jid.clone(),
            settings,
        }
    }

    pub fn user(&self, jid: &UserJid) -> Option<User> {
        self.users.get(jid).map(|settings| User {
            jid: jid.clone(),
            settings: settings.clone(),
        })
    }

    /// Someone joins through an invite code: the group's link, or a personal invitation
    /// (then only that person, before it expires). Publishes `group.participants` (add).
    pub fn join(&mut self, code: &str, jid: &UserJid, now_ms: i64) -> Result<Joined, JoinError> {
        let target = self.invites.get(code).cloned().ok_or(JoinError::NotFound)?;
        if target.expires_at.is_some_and(|at| now_ms >= at) {
            return Err(JoinError::NotFound);
        }
        let (participant, _) = self.resolve(jid);
        let mut forms: Vec<UserJid> = participant.forms().cloned().collect();
        forms.push(jid.clone());
        if target
            .person
            .as_ref()
            .is_some_and(|person| !person.iter().any(|f| forms.contains(f)))
        {
            return Err(JoinError::NotFound);
        }
        let version = self.peek_version(now_ms);
        let session = self
            .sessions
            .get_mut(&target.session)
            .ok_or(JoinError::NotFound)?;
        let account = [session.account.clone()];
        let group = session
            .groups
            .get_mut(&target.gid)
            .ok_or(JoinError::NotFound)?;
        if let Some(who) = group.find(&forms) {
            let participant = group.member(who).clone();
            return Ok(Joined {
                session: target.session.clone(),
                group_jid: target.gid.clone(),
                joined: false,
                participant,
                group: emulated(&target.gid, group),
            });
        }
        if group.count() >= GROUP_SIZE_LIMIT {
            return Err(JoinError::GroupFull);
        }
        let was_in = group.me.is_some();
        group.forget_left(&forms);
        if participant.is(&account) {
            group.me = Some(participant.clone());
        } else {
            group.others.push(participant.clone());
        }
        group.version = version;
        let shown = emulated(&target.gid, group);
        self.commit_version(version);
        if target.person.is_some() {
            self.invites.remove(code);
        }
        if was_in {
            self.publish(
                &target.session,
                now_ms,
                EventBody::GroupParticipants {
                    group_jid: target.gid.clone(),
                    version,
                    action: ParticipantAction::Add,
                    participants: vec![participant.clone()],
                },
            );
        } else if shown.in_group {
            self.publish(
                &target.session,
                now_ms,
                EventBody::snapshot(shown.group.clone()),
            );
        }
        Ok(Joined {
            session: target.session,
            group_jid: target.gid,
            joined: true,
            participant,
            group: shown,
        })
    }
}

/// A request's participants: 1–1023 distinct JIDs.
fn check_list(participants: &[UserJid]) -> Result<(), ServiceError> {
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
    let mut seen = std::collections::HashSet::new();
    if let Some(i) = participants.iter().position(|p| !seen.insert(p)) {
        return Err(ServiceError::bad_request(
            format!("participants[{i}]"),
            "is listed twice",
        ));
    }
    Ok(())
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

    const NOW: i64 = 1_700_000_000_000;

    fn sid(s: &str) -> SessionId {
        SessionId::parse(s).unwrap()
    }
    fn user(n: u32) -> UserJid {
        UserJid::parse(&format!("62{n}@s.whatsapp.net")).unwrap()
    }
    fn subject(s: &str) -> Subject {
        Subject::parse(s).unwrap()
    }
    fn jids(group: &LiveGroup) -> Vec<UserJid> {
        group.participants.iter().map(|p| p.jid.clone()).collect()
    }
    fn world_with_session() -> (World, SessionId) {
        let mut world = World::new(NOW);
        let session = sid("s1");
        world.put_session(&session, Some(user(1)), true, NOW);
        (world, session)
    }
    fn kind(result: Result<impl std::fmt::Debug, ServiceError>) -> ErrorKind {
        result.unwrap_err().kind
    }

    #[test]
    fn created_group_is_owned_by_the_account_as_superadmin() {
        let (mut world, s) = world_with_session();
        let (new, group, _) = world
            .create_group(&s, None, subject("Team"), vec![user(2), user(3)], 42)
            .unwrap();
        assert!(new);
        assert_eq!(group.owner_jid, Some(user(1)));
        assert_eq!(jids(&group), vec![user(1), user(2), user(3)]);
        assert_eq!(group.participants[0].role, Role::Superadmin);
        assert_eq!(group.participants[1].role, Role::Member);
        assert_eq!(group.participant_count, 3);
        assert_eq!(group.created_at, 42);
        assert_eq!(group.description.as_str(), "");
        let jid = group.group_jid.as_str();
        assert_eq!(jid.len(), "@g.us".len() + 18, "{jid}");
        let held = world.group(&s, &group.group_jid).unwrap();
        assert!(held.admin && held.in_group);
        assert_eq!(held.invite_code.len(), 22);
    }

    #[test]
    fn group_jids_are_unique() {
        let (mut world, s) = world_with_session();
        let jids: std::collections::HashSet<GroupJid> = (0..50)
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
        world.put_session(&s, None, false, NOW);
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
        let (_, group, _) = world.create_group(&s, None, subject("T"), most, 0).unwrap();
        assert_eq!(group.participant_count, 1024);
    }

    #[test]
    fn create_leaves_out_people_whatsapp_cannot_add() {
        let (mut world, s) = world_with_session();
        world.put_user(
            &user(2),
            UserSettings {
                on_whats_app: false,
                ..UserSettings::default()
            },
        );
        world.put_user(
            &user(3),
            UserSettings {
                addable_by: AddableBy::Nobody,
                ..UserSettings::default()
            },
        );
        let (_, group, _) = world
            .create_group(
                &s,
                None,
                subject("T"),
                vec![user(2), user(3), user(4), user(1)],
                0,
            )
            .unwrap();
        assert_eq!(jids(&group), vec![user(1), user(4)]);
    }

    #[test]
    fn one_group_per_request_id() {
        let (mut world, s) = world_with_session();
        let (new, first, _) = world
            .create_group(&s, Some("r-1"), subject("T"), vec![user(2)], 0)
            .unwrap();
        assert!(new);
        let (new, again, _) = world
            .create_group(&s, Some("r-1"), subject("Other"), vec![user(3)], 0)
            .unwrap();
        assert!(!new);
        assert_eq!(again, first);
        let (new, _, _) = world
            .create_group(&s, Some("r-2"), subject("T"), vec![user(2)], 0)
            .unwrap();
        assert!(new);
        // Request ids are per session.
        let other = sid("s2");
        world.put_session(&other, None, true, NOW);
        let (new, _, _) = world
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
            assert_eq!(kind(world.change(&s, &gid, change, 0)), ErrorKind::NotAdmin);
        }
        // Not locked: anyone may edit the info.
        let group = world
            .change(&s, &gid, Change::Subject(subject("New")), 0)
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
            kind(world.change(&s, &gid, Change::Subject(subject("New")), 0)),
            ErrorKind::NotAdmin
        );
        assert_eq!(
            kind(world.change(&s, &gid, Change::Description(description.clone()), 0)),
            ErrorKind::NotAdmin
        );
        let admin_locked = SeedGroup {
            admin: true,
            is_locked: true,
            ..SeedGroup::new(subject("T"))
        };
        world.seed_group(&s, &gid, admin_locked, 0).unwrap();
        let group = world
            .change(&s, &gid, Change::Description(description), 0)
            .unwrap();
        assert_eq!(group.description.as_str(), "d");
    }

    #[test]
    fn versions_increase_on_every_change_and_only_then() {
        let (mut world, s) = world_with_session();
        let (_, group, _) = world
            .create_group(&s, None, subject("T"), vec![user(2)], 0)
            .unwrap();
        let gid = group.group_jid;
        let v1 = group.version;
        let v2 = world
            .change(&s, &gid, Change::Announce(true), 0)
            .unwrap()
            .version;
        assert!(v2 > v1);
        let same = world
            .change(&s, &gid, Change::Announce(true), 0)
            .unwrap()
            .version;
        assert_eq!(same, v2);
        // Changes elsewhere do not matter to this group's order.
        world
            .create_group(&s, None, subject("U"), vec![user(2)], 0)
            .unwrap();
        let v3 = world
            .change(&s, &gid, Change::Locked(true), 0)
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
    fn versions_follow_the_clock_and_never_go_back() {
        let mut world = World::new(NOW);
        assert_eq!(world.next_version(NOW), NOW);
        assert_eq!(world.next_version(NOW), NOW + 1);
        assert_eq!(world.next_version(NOW - 50), NOW + 2);
        assert_eq!(world.next_version(NOW + 1000), NOW + 1000);
        // A restart later starts from the clock, above every version given before.
        let mut restarted = World::new(NOW + 2000);
        assert!(restarted.next_version(NOW + 2000) > NOW + 1000);
    }

    #[test]
    fn unknown_groups_and_disconnected_sessions() {
        let (mut world, s) = world_with_session();
        let gid = GroupJid::parse("1@g.us").unwrap();
        assert_eq!(kind(world.get_group(&s, &gid)), ErrorKind::GroupNotFound);
        world.seed_group(&s, &gid, SeedGroup::new(subject("T")), 0);
        assert!(world.get_group(&s, &gid).is_ok());
        world.put_session(&s, None, false, NOW);
        assert_eq!(kind(world.get_group(&s, &gid)), ErrorKind::NotConnected);
        assert_eq!(
            kind(world.change(&s, &gid, Change::Announce(true), 0)),
            ErrorKind::NotConnected
        );
    }

    #[test]
    fn seeded_roles_and_owner() {
        let (mut world, s) = world_with_session();
        let gid = GroupJid::parse("1@g.us").unwrap();
        let (new, group) = world
            .seed_group(&s, &gid, SeedGroup::new(subject("T")), 5)
            .unwrap();
        assert!(new);
        assert_eq!(group.group.owner_jid, Some(user(1)));
        assert_eq!(group.group.participants[0].role, Role::Superadmin);
        assert_eq!(group.group.created_at, 5);
        let member = SeedGroup {
            admin: false,
            participants: vec![Participant::member(user(7)), Participant::member(user(1))],
            ..SeedGroup::new(subject("T"))
        };
        let (new, group) = world.seed_group(&s, &gid, member, 5).unwrap();
        assert!(!new);
        assert_eq!(group.group.owner_jid, None);
        assert_eq!(jids(&group.group), vec![user(1), user(7)]);
        assert!(!group.admin);
        // Someone else owns it: they are its superadmin, the account an admin.
        let theirs = SeedGroup {
            owner: Some(Some(user(7))),
            ..SeedGroup::new(subject("T")).with_members([user(7), user(8)])
        };
        let (_, group) = world.seed_group(&s, &gid, theirs, 5).unwrap();
        let roles: Vec<Role> = group.group.participants.iter().map(|p| p.role).collect();
        assert_eq!(roles, vec![Role::Admin, Role::Superadmin, Role::Member]);
        assert!(group.admin);
        // The account's role comes from the list when it is listed.
        let listed = SeedGroup {
            participants: vec![Participant::member(user(1))],
            ..SeedGroup::new(subject("T"))
        };
        let (_, group) = world.seed_group(&s, &gid, listed, 5).unwrap();
        assert!(!group.admin);
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

    #[test]
    fn a_lid_resolves_to_the_person_set_up_with_it() {
        let (mut world, _) = world_with_session();
        let lid = UserJid::parse("77@lid").unwrap();
        world.put_user(
            &user(2),
            UserSettings {
                lid: Some(lid.clone()),
                ..UserSettings::default()
            },
        );
        let by_phone = world.resolve(&user(2)).0;
        let by_lid = world.resolve(&lid).0;
        assert_eq!(by_phone, by_lid);
        assert_eq!(by_phone.jid, user(2));
        assert_eq!(by_phone.lid, Some(lid));
        let stranger = UserJid::parse("78@lid").unwrap();
        assert_eq!(world.resolve(&stranger).0.jid, stranger);
    }

    #[test]
    fn invite_codes_are_22_base62_characters() {
        let mut world = World::new(NOW);
        let codes: std::collections::HashSet<String> = (0..100).map(|_| world.new_code()).collect();
        assert_eq!(codes.len(), 100);
        assert!(
            codes
                .iter()
                .all(|c| c.len() == 22 && c.bytes().all(|b| b.is_ascii_alphanumeric()))
        );
    }
}
