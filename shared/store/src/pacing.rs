//! The gate of a live operation on the session item: the session is the caller's, its pacing
//! budget has room, and (for createGroup) the group's id is taken, all in one conditional
//! write, so pacing costs no request of its own.
//!
//! A budget counts per fixed window (e.g. creates per hour) in an attribute named after the
//! window (`paceCreate_<window>`): a new window starts from nothing without a reset, and the
//! same write removes the attributes of the two windows before it.

use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue, ReturnValuesOnConditionCheckFailure};
use gateway_domain::{OrgId, SessionId};

use crate::conditions::{Written, conditional_with_old};
use crate::groups::num;
use crate::keys::{self, PK};
use crate::{Store, StoreError};

/// A budget of live operations per session: at most `limit` per window of `window_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pace {
    /// Names the counter: `create`, `add`.
    pub name: &'static str,
    pub limit: u32,
    pub window_ms: i64,
}

impl Pace {
    fn window(&self, now_ms: i64) -> i64 {
        now_ms.div_euclid(self.window_ms.max(1))
    }

    fn attribute(&self, window: i64) -> String {
        let mut name = self.name.to_owned();
        if let Some(first) = name.get_mut(..1) {
            first.make_ascii_uppercase();
        }
        format!("pace{name}_{window}")
    }
}

/// What the gate decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gate {
    /// Go ahead; the group id taken, when one was asked for.
    Open { group_id: Option<u64> },
    /// The session is not stored, or not the caller's (the same answer).
    NotFound,
    /// The budget of this window is spent: try again in this many milliseconds.
    Paced { retry_after_ms: i64 },
}

impl Store {
    /// The gate of a live operation (see the module). `cost` is how much of the budget the
    /// operation takes (participants added); it is let through while the window's count is
    /// below the limit, so one large request is never refused for good.
    pub async fn gate_live(
        &self,
        session: &SessionId,
        org: &OrgId,
        pace: Option<(&Pace, u32)>,
        take_group_id: bool,
        now_ms: i64,
    ) -> Result<Gate, StoreError> {
        let mut update = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(keys::session_item(session)))
            .expression_attribute_names("#pk", PK)
            .expression_attribute_values(":org", AttributeValue::S(org.to_string()))
            .return_values(ReturnValue::UpdatedNew)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
        let mut add = Vec::new();
        let mut condition = "attribute_exists(#pk) AND org = :org".to_owned();
        let mut remove = Vec::new();
        if take_group_id {
            add.push("groupCounter :one");
            update = update.expression_attribute_values(":one", num(1));
        }
        if let Some((pace, cost)) = pace {
            let window = pace.window(now_ms);
            update = update
                .expression_attribute_names("#count", pace.attribute(window))
                .expression_attribute_names("#before", pace.attribute(window - 1))
                .expression_attribute_names("#longBefore", pace.attribute(window - 2))
                .expression_attribute_values(":cost", num(cost))
                .expression_attribute_values(":limit", num(pace.limit));
            add.push("#count :cost");
            remove.extend(["#before", "#longBefore"]);
            condition.push_str(" AND (attribute_not_exists(#count) OR #count < :limit)");
        }
        if add.is_empty() {
            // Nothing to take: the owner check alone.
            return Ok(match self.get_session(session).await? {
                Some(record) if record.org == *org => Gate::Open { group_id: None },
                _ => Gate::NotFound,
            });
        }
        let mut expression = format!("ADD {}", add.join(", "));
        if !remove.is_empty() {
            expression.push_str(&format!(" REMOVE {}", remove.join(", ")));
        }
        let result = update
            .update_expression(expression)
            .condition_expression(condition)
            .send()
            .await;
        match conditional_with_old(result)? {
            Written::Yes(output) => {
                let group_id = if take_group_id {
                    let counter = output
                        .attributes
                        .as_ref()
                        .and_then(|a| a.get("groupCounter"))
                        .and_then(|n| n.as_n().ok())
                        .and_then(|n| n.parse().ok())
                        .ok_or_else(|| StoreError::Other("group counter missing".into()))?;
                    Some(counter)
                } else {
                    None
                };
                Ok(Gate::Open { group_id })
            }
            Written::No(old) => {
                let owned = old
                    .as_ref()
                    .and_then(|item| item.get("org"))
                    .and_then(|o| o.as_s().ok())
                    == Some(&org.to_string());
                match pace {
                    Some((pace, _)) if owned => {
                        let window_end = (pace.window(now_ms) + 1) * pace.window_ms;
                        Ok(Gate::Paced {
                            retry_after_ms: window_end - now_ms,
                        })
                    }
                    _ => Ok(Gate::NotFound),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_name_their_counters() {
        let pace = Pace {
            name: "create",
            limit: 20,
            window_ms: 3_600_000,
        };
        assert_eq!(pace.window(7_200_000), 2);
        assert_eq!(pace.window(7_199_999), 1);
        assert_eq!(pace.attribute(2), "paceCreate_2");
    }
}
