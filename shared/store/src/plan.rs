//! How an event changes a stored group and its members: pure rules, no I/O, so every case of
//! the contract's "order-safe and idempotent" is a unit test here.
//!
//! - A snapshot applies only if newer than the group's `snapshotVersion`; it sets the group
//!   fields if newer than `waVersion`, and changes or removes only members whose own version is
//!   lower than the snapshot's. Members it does not change keep their version: an older delta
//!   arriving later is refused by the group's `snapshotVersion` anyway.
//! - A participants delta is guarded per member: it changes a member only if newer than both
//!   that member's version and the group's `snapshotVersion`.
//! - A removal leaves a tombstone holding its version, so a late older add cannot revive the
//!   member; a snapshot newer than a tombstone deletes it.
//! - `group.left` marks the group left unless something newer is stored; a snapshot newer than
//!   that event (or, for a group a sync marked, with a later `at`) clears the mark.

use std::collections::HashMap;

use gateway_domain::{Participant, Role, UserJid};

use crate::groups::GroupState;

/// A member as stored: `key` is the form its item was first stored under (it never changes);
/// `jid` the form WhatsApp uses for it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StoredMember {
    pub key: UserJid,
    pub jid: UserJid,
    pub lid: Option<UserJid>,
    pub phone_jid: Option<UserJid>,
    pub role: Role,
    pub version: i64,
    pub first_seen_at: i64,
    pub updated_at: i64,
    /// A tombstone: removed at this time, kept for its version.
    pub removed_at: Option<i64>,
}

impl StoredMember {
    pub fn is_live(&self) -> bool {
        self.removed_at.is_none()
    }

    fn forms(&self) -> impl Iterator<Item = &UserJid> {
        [&self.key, &self.jid]
            .into_iter()
            .chain(self.lid.as_ref())
            .chain(self.phone_jid.as_ref())
    }

    /// Same member state, versions and times aside.
    fn same_as(&self, other: &StoredMember) -> bool {
        self.jid == other.jid
            && self.lid == other.lid
            && self.phone_jid == other.phone_jid
            && self.role == other.role
            && self.removed_at.is_some() == other.removed_at.is_some()
    }
}

/// A member item to write: its new state, written only if the stored one is absent or older
/// than `next.version`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MemberWrite {
    pub next: StoredMember,
    /// The member counted among the group's members before this write.
    pub was_live: bool,
}

impl MemberWrite {
    /// How the write changes the group's member count.
    pub fn count_delta(&self) -> i64 {
        i64::from(self.next.is_live()) - i64::from(self.was_live)
    }
}

/// A tombstone no longer needed: deleted only while its version is at most `version`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TombstoneDelete {
    pub key: UserJid,
    pub version: i64,
}

/// Stored members found by any of their forms.
struct Roster<'a> {
    members: &'a [StoredMember],
    by_form: HashMap<&'a UserJid, usize>,
}

impl<'a> Roster<'a> {
    fn new(members: &'a [StoredMember]) -> Self {
        let mut by_form = HashMap::new();
        for (i, member) in members.iter().enumerate() {
            for form in member.forms() {
                by_form.entry(form).or_insert(i);
            }
        }
        Self { members, by_form }
    }

    fn find(&self, participant: &Participant) -> Option<(usize, &'a StoredMember)> {
        participant
            .forms()
            .find_map(|form| self.by_form.get(form).copied())
            .map(|i| (i, &self.members[i]))
    }
}

/// The member a participant becomes at `version`, keeping what is stored of it.
fn next_state(
    stored: Option<&StoredMember>,
    participant: &Participant,
    role: Role,
    version: i64,
    now: i64,
) -> StoredMember {
    StoredMember {
        key: stored.map_or_else(|| participant.jid.clone(), |m| m.key.clone()),
        jid: participant.jid.clone(),
        lid: participant
            .lid
            .clone()
            .or_else(|| stored.and_then(|m| m.lid.clone())),
        phone_jid: participant
            .phone_jid
            .clone()
            .or_else(|| stored.and_then(|m| m.phone_jid.clone())),
        role,
        version,
        first_seen_at: stored.map_or(now, |m| m.first_seen_at),
        updated_at: now,
        removed_at: None,
    }
}

/// What a snapshot at `version` changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct SnapshotPlan {
    /// The group fields are newer than the stored ones.
    pub set_fields: bool,
    /// The account is back in a group marked left.
    pub clear_left: bool,
    pub last_event_at: i64,
    pub writes: Vec<MemberWrite>,
    pub deletes: Vec<TombstoneDelete>,
}

/// `None`: the snapshot is not newer than the last one applied and changes nothing.
pub(crate) fn plan_snapshot(
    group: &GroupState,
    wa_version: i64,
    stored: &[StoredMember],
    incoming: &[Participant],
    version: i64,
    at: i64,
    now: i64,
) -> Option<SnapshotPlan> {
    if version <= group.snapshot_version {
        return None;
    }
    let roster = Roster::new(stored);
    let mut seen = vec![false; stored.len()];
    let mut writes = Vec::new();
    let mut written_keys = std::collections::HashSet::new();
    for participant in incoming {
        let found = roster.find(participant);
        if let Some((i, _)) = found {
            seen[i] = true;
        }
        let member = found.map(|(_, m)| m);
        if member.is_some_and(|m| m.version >= version) {
            continue;
        }
        let next = next_state(member, participant, participant.role, version, now);
        if member.is_some_and(|m| m.same_as(&next)) || !written_keys.insert(next.key.clone()) {
            continue;
        }
        writes.push(MemberWrite {
            was_live: member.is_some_and(StoredMember::is_live),
            next,
        });
    }
    let mut deletes = Vec::new();
    for (member, seen) in stored.iter().zip(seen) {
        if seen || member.version >= version {
            continue;
        }
        if member.is_live() {
            writes.push(MemberWrite {
                next: StoredMember {
                    version,
                    updated_at: now,
                    removed_at: Some(at),
                    ..member.clone()
                },
                was_live: true,
            });
        } else {
            deletes.push(TombstoneDelete {
                key: member.key.clone(),
                version,
            });
        }
    }
    let clear_left = match (group.left_at, group.left_version) {
        (None, _) => false,
        (Some(_), Some(left_version)) => version > left_version,
        (Some(left_at), None) => at > left_at,
    };
    Some(SnapshotPlan {
        set_fields: version > wa_version,
        clear_left,
        last_event_at: group.last_event_at.map_or(at, |last| last.max(at)),
        writes,
        deletes,
    })
}

/// A change of members made by anyone, as `group.participants` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberAction {
    Add,
    Remove,
    Promote,
    Demote,
}

/// What a delta at `version` changes: member writes, or `None` when the group's snapshot is
/// as new or newer (nothing changes).
pub(crate) fn plan_delta(
    group: &GroupState,
    stored: &[StoredMember],
    action: MemberAction,
    participants: &[Participant],
    version: i64,
    at: i64,
    now: i64,
) -> Option<Vec<MemberWrite>> {
    if version <= group.snapshot_version {
        return None;
    }
    let roster = Roster::new(stored);
    let mut written_keys = std::collections::HashSet::new();
    let mut writes = Vec::new();
    for participant in participants {
        let member = roster.find(participant).map(|(_, m)| m);
        if member.is_some_and(|m| m.version >= version) {
            continue;
        }
        let role = match action {
            MemberAction::Add => participant.role,
            MemberAction::Promote => match participant.role {
                Role::Superadmin => Role::Superadmin,
                _ => Role::Admin,
            },
            MemberAction::Demote => Role::Member,
            // Kept as it was: a tombstone only needs its version.
            MemberAction::Remove => member.map_or(participant.role, |m| m.role),
        };
        let mut next = next_state(member, participant, role, version, now);
        if action == MemberAction::Remove {
            next.removed_at = Some(at);
        }
        if !written_keys.insert(next.key.clone()) {
            continue;
        }
        // Always written, even when nothing but the version changes: the version is what
        // refuses an older delta delivered later.
        writes.push(MemberWrite {
            was_live: member.is_some_and(StoredMember::is_live),
            next,
        });
    }
    Some(writes)
}

/// Whether `group.left` at `version` applies: nothing newer is stored.
pub(crate) fn left_applies(group: &GroupState, wa_version: i64, version: i64) -> bool {
    let newest = group
        .snapshot_version
        .max(wa_version)
        .max(group.left_version.unwrap_or(0));
    version > newest
}

/// Whether a sync that started at `started_at` and did not list the group marks it left: it
/// is not marked yet, and no event about it came after the sync began.
pub(crate) fn sync_marks_left(group: &GroupState, started_at: i64) -> bool {
    group.left_at.is_none() && group.last_event_at.unwrap_or(0) < started_at
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jid(raw: &str) -> UserJid {
        UserJid::parse(raw).unwrap()
    }

    fn phone(n: u32) -> UserJid {
        jid(&format!("62{n}@s.whatsapp.net"))
    }

    fn lid(n: u32) -> UserJid {
        jid(&format!("9{n}@lid"))
    }

    fn stored(key: UserJid, version: i64) -> StoredMember {
        StoredMember {
            jid: key.clone(),
            key,
            lid: None,
            phone_jid: None,
            role: Role::Member,
            version,
            first_seen_at: 1,
            updated_at: 1,
            removed_at: None,
        }
    }

    fn state(snapshot_version: i64) -> GroupState {
        GroupState {
            snapshot_version,
            ..GroupState::default()
        }
    }

    fn keys(writes: &[MemberWrite]) -> Vec<(&str, bool)> {
        writes
            .iter()
            .map(|w| (w.next.key.as_str(), w.next.is_live()))
            .collect()
    }

    #[test]
    fn an_older_or_equal_snapshot_changes_nothing() {
        let plan = plan_snapshot(
            &state(10),
            10,
            &[],
            &[Participant::member(phone(1))],
            10,
            5,
            5,
        );
        assert_eq!(plan, None);
        assert!(plan_snapshot(&state(10), 10, &[], &[], 9, 5, 5).is_none());
    }

    #[test]
    fn a_snapshot_writes_only_the_difference() {
        let members = [
            stored(phone(1), 3),
            stored(phone(2), 3),
            stored(phone(3), 3),
        ];
        let mut promoted = Participant::member(phone(2));
        promoted.role = Role::Admin;
        let incoming = [
            Participant::member(phone(1)),
            promoted,
            Participant::member(phone(4)),
        ];
        let plan = plan_snapshot(&state(3), 3, &members, &incoming, 7, 100, 200).unwrap();
        assert_eq!(
            keys(&plan.writes),
            [
                (phone(2).as_str(), true),
                (phone(4).as_str(), true),
                (phone(3).as_str(), false)
            ]
        );
        let count: i64 = plan.writes.iter().map(MemberWrite::count_delta).sum();
        assert_eq!(count, 0, "one added, one removed");
        assert!(plan.set_fields);
        assert_eq!(plan.writes[2].next.removed_at, Some(100));
    }

    #[test]
    fn a_snapshot_leaves_members_changed_after_it_alone() {
        // Member 2 was added by a delta at version 9, after the snapshot at 7 was taken.
        let members = [stored(phone(1), 3), stored(phone(2), 9)];
        let plan = plan_snapshot(
            &state(3),
            3,
            &members,
            &[Participant::member(phone(1))],
            7,
            100,
            200,
        )
        .unwrap();
        assert!(plan.writes.is_empty(), "{:?}", plan.writes);
    }

    #[test]
    fn a_member_is_found_by_any_of_its_forms_and_keeps_its_key() {
        let members = [stored(phone(1), 3)];
        let by_lid = Participant {
            jid: lid(1),
            lid: Some(lid(1)),
            phone_jid: Some(phone(1)),
            role: Role::Member,
        };
        let plan = plan_snapshot(&state(3), 3, &members, &[by_lid], 7, 100, 200).unwrap();
        assert_eq!(plan.writes.len(), 1);
        let next = &plan.writes[0].next;
        assert_eq!((&next.key, &next.jid), (&phone(1), &lid(1)));
        assert_eq!(next.lid, Some(lid(1)));
        assert_eq!(plan.writes[0].count_delta(), 0);
    }

    #[test]
    fn a_newer_snapshot_deletes_old_tombstones_and_can_revive() {
        let mut gone = stored(phone(1), 4);
        gone.removed_at = Some(50);
        let mut gone_too = stored(phone(2), 4);
        gone_too.removed_at = Some(50);
        let plan = plan_snapshot(
            &state(3),
            3,
            &[gone, gone_too],
            &[Participant::member(phone(1))],
            7,
            100,
            200,
        )
        .unwrap();
        assert_eq!(keys(&plan.writes), [(phone(1).as_str(), true)]);
        assert_eq!(plan.writes[0].count_delta(), 1);
        assert_eq!(plan.writes[0].next.first_seen_at, 1, "first seen stays");
        assert_eq!(
            plan.deletes,
            [TombstoneDelete {
                key: phone(2),
                version: 7
            }]
        );
    }

    #[test]
    fn a_delta_is_guarded_per_member_and_by_the_snapshot() {
        let members = [stored(phone(1), 8), stored(phone(2), 3)];
        let remove = [Participant::member(phone(1)), Participant::member(phone(2))];
        let writes = plan_delta(
            &state(3),
            &members,
            MemberAction::Remove,
            &remove,
            6,
            60,
            70,
        )
        .unwrap();
        // Member 1 changed at 8, after this delta: it stays.
        assert_eq!(keys(&writes), [(phone(2).as_str(), false)]);
        assert_eq!(writes[0].count_delta(), -1);
        // Not newer than the last snapshot: nothing.
        assert!(plan_delta(&state(6), &members, MemberAction::Add, &remove, 6, 60, 70).is_none());
    }

    #[test]
    fn a_removal_is_not_undone_by_a_late_older_add() {
        let mut removed = stored(phone(1), 9);
        removed.removed_at = Some(90);
        let late_add = plan_delta(
            &state(3),
            &[removed],
            MemberAction::Add,
            &[Participant::member(phone(1))],
            8,
            80,
            100,
        )
        .unwrap();
        assert!(late_add.is_empty());
        // Removing someone never stored still leaves a tombstone with its version.
        let tombstone = plan_delta(
            &state(3),
            &[],
            MemberAction::Remove,
            &[Participant::member(phone(5))],
            8,
            80,
            100,
        )
        .unwrap();
        assert_eq!(keys(&tombstone), [(phone(5).as_str(), false)]);
        assert_eq!(tombstone[0].count_delta(), 0);
    }

    #[test]
    fn deltas_delivered_out_of_order_both_apply() {
        let members = [stored(phone(1), 3)];
        let promote = plan_delta(
            &state(3),
            &members,
            MemberAction::Promote,
            &[Participant::member(phone(1))],
            6,
            60,
            70,
        )
        .unwrap();
        assert_eq!(promote[0].next.role, Role::Admin);
        let after_promote = [promote[0].next.clone()];
        // The add of member 2 at version 5 arrives after the promote at 6: it still applies.
        let add = plan_delta(
            &state(3),
            &after_promote,
            MemberAction::Add,
            &[Participant::member(phone(2))],
            5,
            50,
            80,
        )
        .unwrap();
        assert_eq!(keys(&add), [(phone(2).as_str(), true)]);
    }

    #[test]
    fn left_marks_and_the_snapshot_that_clears_them() {
        let group = state(5);
        assert!(left_applies(&group, 5, 6));
        assert!(!left_applies(&group, 7, 6), "a newer live change is stored");
        let left = GroupState {
            left_at: Some(60),
            left_version: Some(6),
            ..state(5)
        };
        let not_newer = plan_snapshot(&left, 5, &[], &[], 6, 90, 90).unwrap();
        assert!(!not_newer.clear_left, "not newer than the departure");
        let newer = plan_snapshot(&left, 5, &[], &[], 7, 90, 90).unwrap();
        assert!(newer.clear_left);
        // Marked by a sync: only an event with a later `at` clears it.
        let by_sync = GroupState {
            left_at: Some(100),
            left_version: None,
            ..state(5)
        };
        assert!(
            !plan_snapshot(&by_sync, 5, &[], &[], 8, 90, 90)
                .unwrap()
                .clear_left
        );
        assert!(
            plan_snapshot(&by_sync, 5, &[], &[], 8, 110, 110)
                .unwrap()
                .clear_left
        );
    }

    #[test]
    fn a_sync_marks_only_groups_without_a_later_event() {
        let quiet = GroupState {
            last_event_at: Some(50),
            ..state(1)
        };
        let changed = GroupState {
            last_event_at: Some(150),
            ..state(1)
        };
        assert!(sync_marks_left(&quiet, 100));
        assert!(!sync_marks_left(&changed, 100));
        assert!(sync_marks_left(&state(1), 100), "never an event: imported");
        let marked = GroupState {
            left_at: Some(10),
            ..quiet
        };
        assert!(!sync_marks_left(&marked, 100));
    }
}
