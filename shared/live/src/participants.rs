//! The participant list of createGroup and addGroupMembers: 1–1023 distinct user JIDs.

use std::collections::HashSet;

use gateway_domain::UserJid;
use gateway_errors::{ApiError, FieldError};

/// WhatsApp's group size limit is 1024 members, the session's account included.
pub const MAX_PARTICIPANTS: usize = 1023;

/// 1–1023 distinct user JIDs (distinct after `@c.us` became `@s.whatsapp.net`); every
/// duplicate is named by its position.
pub fn check_participants(participants: &[UserJid]) -> Result<(), ApiError> {
    if participants.is_empty() {
        return Err(ApiError::validation(
            "participants",
            "at least one participant is required",
        ));
    }
    if participants.len() > MAX_PARTICIPANTS {
        return Err(ApiError::validation(
            "participants",
            "at most 1023 participants (WhatsApp groups hold 1024 members with the owner)",
        ));
    }
    let mut seen = HashSet::with_capacity(participants.len());
    let duplicates: Vec<FieldError> = participants
        .iter()
        .enumerate()
        .filter(|(_, jid)| !seen.insert(jid.as_str()))
        .map(|(i, _)| FieldError::new(format!("participants[{i}]"), "is listed more than once"))
        .collect();
    if duplicates.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(duplicates))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jids(n: usize) -> Vec<UserJid> {
        (0..n)
            .map(|i| UserJid::parse(&format!("62{i}@s.whatsapp.net")).unwrap())
            .collect()
    }

    #[test]
    fn participant_bounds() {
        assert!(check_participants(&jids(1)).is_ok());
        assert!(check_participants(&jids(1023)).is_ok());
        assert!(check_participants(&jids(0)).is_err());
        assert!(check_participants(&jids(1024)).is_err());
    }

    #[test]
    fn duplicates_are_named_after_normalisation() {
        let list = vec![
            UserJid::parse("621@s.whatsapp.net").unwrap(),
            UserJid::parse("622@lid").unwrap(),
            UserJid::parse("621@c.us").unwrap(),
        ];
        match check_participants(&list) {
            Err(ApiError::Validation(fields)) => {
                assert_eq!(
                    fields,
                    vec![FieldError::new(
                        "participants[2]",
                        "is listed more than once"
                    )]
                );
            }
            other => panic!("{other:?}"),
        }
    }
}
