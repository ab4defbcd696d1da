//! The operator CLI against moto: table, sessions, API keys, group import.

use std::sync::Arc;

use clap_free::run_ctl;
use gateway_domain::{ManualClock, SessionId};
use gateway_store::Store;
use serde_json::{Value, json};

use crate::support::{fresh_table, spawn_app};

/// Runs `gatewayctl <args>` against `store`, with `input` on stdin; returns stdout or the error.
mod clap_free {
    use super::*;

    pub async fn run_ctl(store: &Store, args: &[&str], input: &str) -> Result<String, String> {
        let cli = <gatewayctl::Cli as clap::Parser>::try_parse_from(
            std::iter::once("gatewayctl").chain(args.iter().copied()),
        )
        .map_err(|e| e.to_string())?;
        let mut out = Vec::new();
        let clock = Arc::new(ManualClock::new(1_750_000_000_000));
        gatewayctl::run(cli, store, clock, input.as_bytes(), &mut out)
            .await
            .map_err(|e| e.to_string())?;
        Ok(String::from_utf8(out).unwrap())
    }
}

fn template_table() -> Value {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../template.yaml")).unwrap();
    let template: serde_norway::Value = serde_norway::from_str(&text).unwrap();
    let properties = &template["Resources"]["GatewayTable"]["Properties"];
    serde_json::to_value(properties).unwrap()
}

fn sorted(mut items: Vec<Value>, by: &str) -> Vec<Value> {
    items.sort_by_key(|v| v[by].as_str().unwrap_or_default().to_owned());
    items
}

#[tokio::test]
async fn create_table_makes_the_table_template_yaml_declares() {
    let store = Store::connect(
        format!("ctl-{}", gateway_auth::api_key::random_base62(10)),
        &crate::support::sdk_config(),
    );
    let out = run_ctl(&store, &["create-table"], "").await.unwrap();
    assert_eq!(out.trim(), store.table());

    let table = store
        .client()
        .describe_table()
        .table_name(store.table())
        .send()
        .await
        .unwrap()
        .table
        .unwrap();
    let declared = template_table();
    assert_eq!(declared["BillingMode"], "PAY_PER_REQUEST");
    assert_eq!(
        table
            .billing_mode_summary
            .as_ref()
            .and_then(|b| b.billing_mode.as_ref())
            .map(|m| m.as_str().to_owned()),
        Some("PAY_PER_REQUEST".to_owned())
    );
    let keys = |schema: &[aws_sdk_dynamodb::types::KeySchemaElement]| -> Value {
        Value::Array(
            schema
                .iter()
                .map(|k| json!({"AttributeName": k.attribute_name, "KeyType": k.key_type.as_str()}))
                .collect(),
        )
    };
    assert_eq!(keys(table.key_schema()), declared["KeySchema"]);
    let attributes = table
        .attribute_definitions()
        .iter()
        .map(|a| json!({"AttributeName": a.attribute_name, "AttributeType": a.attribute_type.as_str()}))
        .collect();
    assert_eq!(
        sorted(attributes, "AttributeName"),
        sorted(
            declared["AttributeDefinitions"].as_array().unwrap().clone(),
            "AttributeName"
        )
    );
    let indexes = table
        .global_secondary_indexes()
        .iter()
        .map(|i| {
            json!({
                "IndexName": i.index_name,
                "KeySchema": keys(i.key_schema()),
                "Projection": {"ProjectionType": i.projection.as_ref().and_then(|p| p.projection_type.as_ref()).map(|t| t.as_str())},
            })
        })
        .collect();
    assert_eq!(
        sorted(indexes, "IndexName"),
        sorted(
            declared["GlobalSecondaryIndexes"]
                .as_array()
                .unwrap()
                .clone(),
            "IndexName"
        )
    );
    let ttl = store
        .client()
        .describe_time_to_live()
        .table_name(store.table())
        .send()
        .await
        .unwrap()
        .time_to_live_description
        .and_then(|t| t.attribute_name);
    assert_eq!(
        ttl.as_deref(),
        declared["TimeToLiveSpecification"]["AttributeName"].as_str()
    );
    // What the template adds for production, which a local table does not need.
    assert_eq!(
        declared["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"],
        true
    );
    assert_eq!(declared["DeletionProtectionEnabled"], true);
}

#[tokio::test]
async fn session_add_prints_the_id_and_refuses_an_existing_one() {
    let store = fresh_table().await;
    let out = run_ctl(
        &store,
        &["session", "add", "--org", "org-a", "--id", "s1"],
        "",
    )
    .await
    .unwrap();
    assert_eq!(out, "s1\n");
    // Ids are unique across the gateway: another organization cannot take it either.
    let again = run_ctl(
        &store,
        &["session", "add", "--org", "org-b", "--id", "s1"],
        "",
    )
    .await;
    assert!(again.unwrap_err().contains("already exists"));
    let stored = store
        .get_session(&SessionId::parse("s1").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.org.as_str(), "org-a");

    let generated = run_ctl(&store, &["session", "add", "--org", "org-a"], "")
        .await
        .unwrap();
    assert!(SessionId::parse(generated.trim()).is_ok());
    assert!(
        run_ctl(
            &store,
            &["session", "add", "--org", "org-a", "--id", "bad id"],
            ""
        )
        .await
        .is_err()
    );
    assert!(
        run_ctl(
            &store,
            &[
                "session",
                "add",
                "--org",
                "o",
                "--id",
                "s9",
                "--account",
                "nope"
            ],
            ""
        )
        .await
        .is_err()
    );
}

#[tokio::test]
async fn api_keys_are_created_listed_and_revoked() {
    let app = spawn_app().await;
    app.add_session("org-a", "s1").await;
    let out = run_ctl(
        &app.store,
        &[
            "apikey",
            "create",
            "--org",
            "org-a",
            "--cap",
            "read",
            "--name",
            "ci",
            "--expires",
            "2099-01-01T00:00:00Z",
        ],
        "",
    )
    .await
    .unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2);
    let (key_id, key) = (lines[0], lines[1]);
    assert_eq!(gateway_auth::api_key::parse(key).unwrap().key_id, key_id);
    assert_eq!(
        app.get("/api/v1/sessions/s1/groups", Some(key)).await.0,
        200
    );

    let listed = run_ctl(&app.store, &["apikey", "list", "--org", "org-a"], "")
        .await
        .unwrap();
    assert_eq!(
        listed,
        format!("{key_id}\tci\tread\t2025-06-15T15:06:40Z\t2099-01-01T00:00:00Z\t-\n")
    );
    assert!(!listed.contains(key), "the key itself is shown once only");
    assert_eq!(
        run_ctl(&app.store, &["apikey", "list", "--org", "org-b"], "")
            .await
            .unwrap(),
        ""
    );

    assert_eq!(
        run_ctl(&app.store, &["apikey", "revoke", key_id], "")
            .await
            .unwrap(),
        format!("{key_id}\n")
    );
    let listed = run_ctl(&app.store, &["apikey", "list", "--org", "org-a"], "")
        .await
        .unwrap();
    assert!(listed.ends_with("\t2025-06-15T15:06:40Z\n"), "{listed}");
    app.clock.advance_ms(60_000);
    assert_eq!(
        app.get("/api/v1/sessions/s1/groups", Some(key)).await.0,
        401
    );

    assert!(
        run_ctl(&app.store, &["apikey", "revoke", "nokey"], "")
            .await
            .is_err()
    );
    for bad in [
        vec!["apikey", "create", "--org", "o", "--cap", "admin"],
        vec![
            "apikey", "create", "--org", "o", "--cap", "read", "--name", "a\tb",
        ],
        vec![
            "apikey",
            "create",
            "--org",
            "o",
            "--cap",
            "read",
            "--expires",
            "tomorrow",
        ],
        vec![
            "apikey",
            "create",
            "--org",
            "o",
            "--cap",
            "read",
            "--expires",
            "2001-01-01T00:00:00Z",
        ],
    ] {
        assert!(run_ctl(&app.store, &bad, "").await.is_err(), "{bad:?}");
    }
}

#[tokio::test]
async fn groups_import_upserts_and_keeps_id_and_first_seen() {
    let app = spawn_app().await;
    let session = app.add_session("org-a", "s1").await;
    let existing = app
        .add_group(&session, "120363021234567890@g.us", "Old subject")
        .await;
    let input = r#"{"id": 999, "groupJid": "120363021234567890@g.us", "subject": "New subject", "description": "d", "ownerJid": "62811@c.us", "participantCount": 42, "isAnnounce": true, "isLocked": false, "createdAtWa": 1700000000000, "firstSeenAt": 1, "updatedAt": 2}

{"groupJid": "6281234567890-1700000000@g.us", "subject": "Legacy"}
"#;
    let out = run_ctl(&app.store, &["groups", "import", "--session", "s1"], input)
        .await
        .unwrap();
    assert_eq!(
        out,
        "120363021234567890@g.us\n6281234567890-1700000000@g.us\n"
    );

    let updated = app
        .store
        .get_group(&session, &existing.group_jid)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (updated.id, updated.first_seen_at),
        (existing.id, existing.first_seen_at)
    );
    assert_eq!(updated.subject.as_str(), "New subject");
    assert_eq!(updated.owner_jid.unwrap().as_str(), "62811@s.whatsapp.net");
    assert_eq!((updated.participant_count, updated.is_announce), (42, true));
    let legacy = app
        .store
        .get_group(
            &session,
            &gateway_domain::GroupJid::parse("6281234567890-1700000000@g.us").unwrap(),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(legacy.id, 2);

    let bad = run_ctl(
        &app.store,
        &["groups", "import", "--session", "s1"],
        "{\"groupJid\": \"x\"}\n",
    )
    .await;
    assert!(bad.unwrap_err().contains("line 1"));
    let unknown = run_ctl(&app.store, &["groups", "import", "--session", "nope"], "").await;
    assert!(unknown.unwrap_err().contains("no session"));
}
