//! What WhatsApp did for each participant of createGroup and addGroupMembers, as the API
//! reports it: never "added" unless WhatsApp added them.

use gateway_connection::ParticipantResult;
use gateway_domain::UserJid;
use serde::Serialize;

/// One participant's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AddResult {
    /// As the caller listed it (normalised: `@c.us` became `@s.whatsapp.net`).
    pub jid: UserJid,
    pub status: AddStatus,
    /// `invite_required`/`invite_sent`: the invitation WhatsApp issued.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invite: Option<InviteOffer>,
    /// `failed`: why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AddStatus {
    Added,
    AlreadyMember,
    InviteRequired,
    InviteSent,
    NotOnWhatsapp,
    RecentlyLeft,
    GroupFull,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InviteOffer {
    pub code: String,
    pub expires_at: i64,
}

/// The results of an add, in request order, with their counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AddResults {
    pub results: Vec<AddResult>,
    pub added: usize,
    pub not_added: usize,
}

impl AddResults {
    /// One result for every requested participant, in request order, from WhatsApp's answers
    /// (matched by the JID as requested; one WhatsApp did not answer for is `failed`).
    pub fn of(requested: &[UserJid], answers: &[ParticipantResult]) -> Self {
        let results: Vec<AddResult> = requested
            .iter()
            .map(|jid| match answers.iter().find(|a| &a.jid == jid) {
                Some(answer) => result_of(jid, answer),
                None => AddResult {
                    jid: jid.clone(),
                    status: AddStatus::Failed,
                    invite: None,
                    reason: Some("WhatsApp gave no answer for this participant".to_owned()),
                },
            })
            .collect();
        let added = results
            .iter()
            .filter(|r| r.status == AddStatus::Added)
            .count();
        Self {
            not_added: results.len() - added,
            added,
            results,
        }
    }
}

fn result_of(jid: &UserJid, answer: &ParticipantResult) -> AddResult {
    let invite = answer.invite.as_ref().map(|i| InviteOffer {
        code: i.code.clone(),
        expires_at: i.expires_at,
    });
    let (status, reason) = match answer.code {
        200 => (AddStatus::Added, None),
        409 => (AddStatus::AlreadyMember, None),
        403 if answer.invite_sent => (AddStatus::InviteSent, None),
        403 => (AddStatus::InviteRequired, None),
        404 => (AddStatus::NotOnWhatsapp, None),
        408 => (AddStatus::RecentlyLeft, None),
        419 => (AddStatus::GroupFull, None),
        code => (
            AddStatus::Failed,
            Some(
                answer
                    .message
                    .clone()
                    .unwrap_or_else(|| format!("WhatsApp answered {code}")),
            ),
        ),
    };
    AddResult {
        jid: jid.clone(),
        status,
        invite: match status {
            AddStatus::InviteRequired | AddStatus::InviteSent => invite,
            _ => None,
        },
        reason,
    }
}

#[cfg(test)]
mod tests {
    use gateway_connection::Invitation;

    use super::*;

    fn jid(n: u32) -> UserJid {
        UserJid::parse(&format!("62{n}@s.whatsapp.net")).unwrap()
    }

    fn answer(n: u32, code: u16) -> ParticipantResult {
        ParticipantResult {
            jid: jid(n),
            code,
            participant: None,
            invite: None,
            invite_sent: false,
            message: None,
        }
    }

    #[test]
    fn every_code_has_its_status_and_only_200_counts_as_added() {
        let mut privacy = answer(3, 403);
        privacy.invite = Some(Invitation {
            code: "abc".into(),
            expires_at: 9,
        });
        let mut sent = privacy.clone();
        sent.jid = jid(4);
        sent.invite_sent = true;
        let answers = vec![
            answer(1, 200),
            answer(2, 409),
            privacy,
            sent,
            answer(5, 404),
            answer(6, 408),
            answer(7, 419),
            answer(8, 500),
        ];
        let requested: Vec<UserJid> = (1..=9).map(jid).collect();
        let results = AddResults::of(&requested, &answers);
        let statuses: Vec<AddStatus> = results.results.iter().map(|r| r.status).collect();
        assert_eq!(
            statuses,
            [
                AddStatus::Added,
                AddStatus::AlreadyMember,
                AddStatus::InviteRequired,
                AddStatus::InviteSent,
                AddStatus::NotOnWhatsapp,
                AddStatus::RecentlyLeft,
                AddStatus::GroupFull,
                AddStatus::Failed,
                AddStatus::Failed,
            ]
        );
        assert_eq!((results.added, results.not_added), (1, 8));
        assert_eq!(results.results[2].invite.as_ref().unwrap().code, "abc");
        assert!(
            results.results[8].reason.is_some(),
            "no answer is a failure"
        );
    }
}
