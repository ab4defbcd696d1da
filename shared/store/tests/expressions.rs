//! The exact requests a group upsert sends. moto does not serialise concurrent conditional
//! writes the way DynamoDB does, so what keeps `id` unique under races is pinned down here:
//! the conditions and update expressions themselves.

use std::collections::HashMap;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::operation::put_item::{PutItemError, PutItemOutput};
use aws_sdk_dynamodb::operation::update_item::{UpdateItemError, UpdateItemOutput};
use aws_sdk_dynamodb::types::error::ConditionalCheckFailedException;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue, ReturnValuesOnConditionCheckFailure};
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use gateway_domain::GroupSnapshot;
use gateway_domain::{Description, GroupJid, SessionId, Subject};
use gateway_store::{Store, StoreError};

const JID: &str = "120363021234567890@g.us";

fn snapshot(version: Option<i64>) -> GroupSnapshot {
    GroupSnapshot {
        group_jid: GroupJid::parse(JID).unwrap(),
        subject: Subject::parse("Team").unwrap(),
        description: Description::parse("").unwrap(),
        owner_jid: None,
        participant_count: 2,
        is_announce: false,
        is_locked: true,
        created_at_wa: 5,
        version,
    }
}

fn stored_item(id: u64, version: i64) -> HashMap<String, AttributeValue> {
    let n = |v: i64| AttributeValue::N(v.to_string());
    HashMap::from([
        ("PK".into(), AttributeValue::S("SESSION#s1".into())),
        ("SK".into(), AttributeValue::S(format!("GROUP#{JID}"))),
        ("id".into(), AttributeValue::N(id.to_string())),
        ("groupJid".into(), AttributeValue::S(JID.into())),
        ("subject".into(), AttributeValue::S("Stored".into())),
        ("description".into(), AttributeValue::S(String::new())),
        ("participantCount".into(), n(2)),
        ("isAnnounce".into(), AttributeValue::Bool(false)),
        ("isLocked".into(), AttributeValue::Bool(false)),
        ("createdAtWa".into(), n(1)),
        ("firstSeenAt".into(), n(100)),
        ("updatedAt".into(), n(200)),
        ("waVersion".into(), n(version)),
    ])
}

fn condition_failed(
    item: Option<HashMap<String, AttributeValue>>,
) -> ConditionalCheckFailedException {
    ConditionalCheckFailedException::builder()
        .message("The conditional request failed")
        .set_item(item)
        .build()
}

fn store(client: Client) -> Store {
    Store::new(client, "t")
}

fn session() -> SessionId {
    SessionId::parse("s1").unwrap()
}

/// The update of an existing item: guarded by existence and version, and never touching
/// `id` or `firstSeenAt`.
fn is_guarded_update(req: &aws_sdk_dynamodb::operation::update_item::UpdateItemInput) -> bool {
    let expression = req.update_expression().unwrap_or_default();
    req.condition_expression() == Some("attribute_exists(#pk) AND #version <= :version")
        && req
            .expression_attribute_names()
            .and_then(|n| n.get("#version"))
            .map(String::as_str)
            == Some("waVersion")
        && req
            .expression_attribute_values()
            .and_then(|v| v.get(":version"))
            == Some(&AttributeValue::N("9".into()))
        && !expression.contains("id =")
        && !expression.contains("firstSeenAt")
        && expression.contains("REMOVE ownerJid")
        && req.return_values() == Some(&ReturnValue::AllNew)
        && req.return_values_on_condition_check_failure()
            == Some(&ReturnValuesOnConditionCheckFailure::AllOld)
}

#[tokio::test]
async fn a_new_group_takes_the_next_id_of_its_session_and_is_created_only_if_absent() {
    let update = mock!(Client::update_item)
        .match_requests(is_guarded_update)
        .then_error(|| UpdateItemError::ConditionalCheckFailedException(condition_failed(None)));
    let counter = mock!(Client::update_item)
        .match_requests(|req| {
            req.update_expression() == Some("ADD #counter :one")
                && req.condition_expression() == Some("attribute_exists(#pk)")
                && req.key().and_then(|k| k.get("SK")) == Some(&AttributeValue::S("SESSION".into()))
        })
        .then_output(|| {
            UpdateItemOutput::builder()
                .attributes("groupCounter", AttributeValue::N("7".into()))
                .build()
        });
    let put = mock!(Client::put_item)
        .match_requests(|req| {
            req.condition_expression() == Some("attribute_not_exists(#pk)")
                && req.item().and_then(|i| i.get("id")) == Some(&AttributeValue::N("7".into()))
                && req.item().and_then(|i| i.get("firstSeenAt"))
                    == Some(&AttributeValue::N("1000".into()))
        })
        .then_output(|| PutItemOutput::builder().build());
    let client = mock_client!(
        aws_sdk_dynamodb,
        RuleMode::Sequential,
        [&update, &counter, &put]
    );

    let group = store(client)
        .upsert_group(&session(), &snapshot(Some(9)), 1000)
        .await
        .unwrap();
    assert_eq!(
        (group.id, group.first_seen_at, group.updated_at),
        (7, 1000, 1000)
    );
    assert_eq!(
        (update.num_calls(), counter.num_calls(), put.num_calls()),
        (1, 1, 1)
    );
}

#[tokio::test]
async fn losing_the_create_race_adopts_the_winners_id() {
    let first_update = mock!(Client::update_item)
        .match_requests(is_guarded_update)
        .then_error(|| UpdateItemError::ConditionalCheckFailedException(condition_failed(None)));
    let counter = mock!(Client::update_item)
        .match_requests(|req| req.update_expression() == Some("ADD #counter :one"))
        .then_output(|| {
            UpdateItemOutput::builder()
                .attributes("groupCounter", AttributeValue::N("8".into()))
                .build()
        });
    let lost_put = mock!(Client::put_item)
        .then_error(|| PutItemError::ConditionalCheckFailedException(condition_failed(None)));
    let second_update = mock!(Client::update_item)
        .match_requests(is_guarded_update)
        .then_output(|| {
            UpdateItemOutput::builder()
                .set_attributes(Some(stored_item(3, 9)))
                .build()
        });
    let client = mock_client!(
        aws_sdk_dynamodb,
        RuleMode::Sequential,
        [&first_update, &counter, &lost_put, &second_update]
    );

    let group = store(client)
        .upsert_group(&session(), &snapshot(Some(9)), 1000)
        .await
        .unwrap();
    assert_eq!(group.id, 3, "the winner's id stands; ours (8) is skipped");
    assert_eq!(group.first_seen_at, 100);
    assert_eq!(second_update.num_calls(), 1);
}

#[tokio::test]
async fn a_stale_snapshot_returns_the_stored_group_without_allocating_an_id() {
    let update = mock!(Client::update_item)
        .match_requests(is_guarded_update)
        .then_error(|| {
            UpdateItemError::ConditionalCheckFailedException(condition_failed(Some(stored_item(
                4, 12,
            ))))
        });
    let client = mock_client!(aws_sdk_dynamodb, RuleMode::Sequential, [&update]);
    let group = store(client)
        .upsert_group(&session(), &snapshot(Some(9)), 1000)
        .await
        .unwrap();
    assert_eq!((group.id, group.subject.as_str()), (4, "Stored"));
    assert_eq!(update.num_calls(), 1);
}

#[tokio::test]
async fn an_import_writes_regardless_of_version_and_keeps_the_stored_one() {
    let update = mock!(Client::update_item)
        .match_requests(|req| {
            req.condition_expression() == Some("attribute_exists(#pk)")
                && req
                    .update_expression()
                    .is_some_and(|e| e.contains("#version = if_not_exists(#version, :version)"))
        })
        .then_output(|| {
            UpdateItemOutput::builder()
                .set_attributes(Some(stored_item(2, 5)))
                .build()
        });
    let client = mock_client!(aws_sdk_dynamodb, RuleMode::Sequential, [&update]);
    store(client)
        .upsert_group(&session(), &snapshot(None), 1000)
        .await
        .unwrap();
    assert_eq!(update.num_calls(), 1);
}

fn answer(status: u16, body: &'static str) -> aws_smithy_runtime_api::http::Response {
    aws_smithy_runtime_api::http::Response::new(
        aws_smithy_runtime_api::http::StatusCode::try_from(status).unwrap(),
        aws_smithy_types::body::SdkBody::from(body),
    )
}

#[tokio::test]
async fn throttling_after_retries_is_unavailable() {
    for body in [
        r#"{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"slow down"}"#,
        r#"{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"slow down"}"#,
        r#"{"__type":"com.amazonaws.dynamodb.v20120810#RequestLimitExceeded","message":"slow down"}"#,
    ] {
        let throttled = mock!(Client::get_item).then_http_response(move || answer(400, body));
        let client = mock_client!(aws_sdk_dynamodb, RuleMode::MatchAny, [&throttled]);
        let error = store(client).get_session(&session()).await.unwrap_err();
        assert!(
            matches!(error, StoreError::Unavailable(_)),
            "{body}: {error:?}"
        );
    }
}

#[tokio::test]
async fn a_server_error_is_unavailable_and_a_validation_error_is_not() {
    let broken = mock!(Client::get_item)
        .then_http_response(|| answer(500, r#"{"__type":"InternalServerError"}"#));
    let client = mock_client!(aws_sdk_dynamodb, RuleMode::MatchAny, [&broken]);
    let error = store(client).get_session(&session()).await.unwrap_err();
    assert!(matches!(error, StoreError::Unavailable(_)), "{error:?}");

    let invalid = mock!(Client::get_item).then_http_response(|| {
        answer(
            400,
            r#"{"__type":"com.amazon.coral.validate#ValidationException","message":"bad key"}"#,
        )
    });
    let client = mock_client!(aws_sdk_dynamodb, RuleMode::MatchAny, [&invalid]);
    let error = store(client).get_session(&session()).await.unwrap_err();
    assert!(matches!(error, StoreError::Other(_)), "{error:?}");
}

/// Ends an idempotency attempt only if the record is still that attempt's, and keeps the record
/// (`expiresAt`) and DynamoDB's TTL (the next whole second) in step.
fn ends_attempt(
    req: &aws_sdk_dynamodb::operation::update_item::UpdateItemInput,
    outcome: &str,
) -> bool {
    let names = req.expression_attribute_names();
    let values = req.expression_attribute_values();
    req.update_expression() == Some(&format!("SET {outcome}, expiresAt = :until, #ttl = :ttl"))
        && req.condition_expression() == Some("attempt = :attempt")
        && names.and_then(|n| n.get("#ttl")).map(String::as_str) == Some("ttl")
        && values.and_then(|v| v.get(":attempt")) == Some(&AttributeValue::S("a1".into()))
        && values.and_then(|v| v.get(":until")) == Some(&AttributeValue::N("5000500".into()))
        && values.and_then(|v| v.get(":ttl")) == Some(&AttributeValue::N("5001".into()))
        && req.key().and_then(|k| k.get("PK")) == Some(&AttributeValue::S("IDEMPOTENCY#r1".into()))
}

#[tokio::test]
async fn completing_an_attempt_stores_its_answer_only_while_the_attempt_holds_the_key() {
    let complete = mock!(Client::update_item)
        .match_requests(|req| {
            ends_attempt(req, "#response = :response")
                && req
                    .expression_attribute_names()
                    .and_then(|n| n.get("#response"))
                    .map(String::as_str)
                    == Some("response")
                && req
                    .expression_attribute_values()
                    .and_then(|v| v.get(":response"))
                    .and_then(|r| r.as_m().ok())
                    .and_then(|m| m.get("status"))
                    == Some(&AttributeValue::N("201".into()))
        })
        .then_output(|| UpdateItemOutput::builder().build());
    // As DynamoDB answers: the error's code is what tells a lost condition from a failure.
    let taken_over = mock!(Client::update_item).then_error(|| {
        UpdateItemError::ConditionalCheckFailedException(
            ConditionalCheckFailedException::builder()
                .message("The conditional request failed")
                .meta(
                    aws_sdk_dynamodb::error::ErrorMetadata::builder()
                        .code("ConditionalCheckFailedException")
                        .build(),
                )
                .build(),
        )
    });
    let client = mock_client!(
        aws_sdk_dynamodb,
        RuleMode::Sequential,
        [&complete, &taken_over]
    );
    let response = gateway_store::StoredResponse {
        status: 201,
        body: "{}".into(),
        location: None,
    };
    let store = store(client);
    assert!(
        store
            .complete_idempotency_key("r1", "a1", &response, 5_000_500)
            .await
            .unwrap()
    );
    assert!(
        !store
            .complete_idempotency_key("r1", "a1", &response, 5_000_500)
            .await
            .unwrap()
    );
    assert_eq!(complete.num_calls(), 1);
}

#[tokio::test]
async fn releasing_an_attempt_marks_the_key_released_only_while_the_attempt_holds_it() {
    let release = mock!(Client::update_item)
        .match_requests(|req| {
            ends_attempt(req, "released = :true")
                && req
                    .expression_attribute_values()
                    .and_then(|v| v.get(":true"))
                    == Some(&AttributeValue::Bool(true))
        })
        .then_output(|| UpdateItemOutput::builder().build());
    let client = mock_client!(aws_sdk_dynamodb, [&release]);
    assert!(
        store(client)
            .release_idempotency_key("r1", "a1", 5_000_500)
            .await
            .unwrap()
    );
    assert_eq!(release.num_calls(), 1);
}
