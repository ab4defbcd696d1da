//! Group upserts against a real DynamoDB-compatible server. (moto does not serialise
//! concurrent writes the way DynamoDB does; the exact condition expressions are unit-tested in
//! the store crate.)

use std::collections::HashSet;

use gateway_domain::{OrgId, SessionId};
use gateway_store::{SessionRecord, Store};

use crate::support::{fresh_table, snapshot};

const JID: &str = "120363021234567890@g.us";

async fn with_session(store: &Store, id: &str) -> SessionId {
    let session = SessionId::parse(id).unwrap();
    store
        .create_session(&SessionRecord {
            id: session.clone(),
            org: OrgId::parse("org-a").unwrap(),
            account: None,
            created_at: 0,
        })
        .await
        .unwrap();
    session
}

#[tokio::test]
async fn id_and_first_seen_are_kept_forever() {
    let store = fresh_table().await;
    let session = with_session(&store, "s1").await;
    let first = store
        .upsert_group(&session, &snapshot(JID, "One", Some(1)), 1_000)
        .await
        .unwrap();
    assert_eq!(
        (first.id, first.first_seen_at, first.updated_at),
        (1, 1_000, 1_000)
    );

    let second = store
        .upsert_group(&session, &snapshot(JID, "Two", Some(2)), 2_000)
        .await
        .unwrap();
    assert_eq!(
        (second.id, second.first_seen_at, second.updated_at),
        (1, 1_000, 2_000)
    );
    assert_eq!(second.subject.as_str(), "Two");
    let stored = store
        .get_group(&session, &second.group_jid)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored, second);
}

#[tokio::test]
async fn ids_count_per_session() {
    let store = fresh_table().await;
    let a = with_session(&store, "a").await;
    let b = with_session(&store, "b").await;
    let a1 = store
        .upsert_group(&a, &snapshot("1@g.us", "x", None), 0)
        .await
        .unwrap();
    let a2 = store
        .upsert_group(&a, &snapshot("2@g.us", "x", None), 0)
        .await
        .unwrap();
    let b1 = store
        .upsert_group(&b, &snapshot("1@g.us", "x", None), 0)
        .await
        .unwrap();
    assert_eq!((a1.id, a2.id, b1.id), (1, 2, 1));
}

#[tokio::test]
async fn concurrent_upserts_of_one_group_agree_on_one_id() {
    let store = fresh_table().await;
    let session = with_session(&store, "s1").await;
    let tasks: Vec<_> = (0..16)
        .map(|i| {
            let store = store.clone();
            let session = session.clone();
            tokio::spawn(async move {
                store
                    .upsert_group(&session, &snapshot(JID, &format!("v{i}"), Some(1)), i)
                    .await
                    .unwrap()
                    .id
            })
        })
        .collect();
    let mut ids = HashSet::new();
    for task in tasks {
        ids.insert(task.await.unwrap());
    }
    let stored = store
        .get_group(&session, &gateway_domain::GroupJid::parse(JID).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ids, HashSet::from([stored.id]));
}

#[tokio::test]
async fn an_older_snapshot_never_overwrites_a_newer_one() {
    let store = fresh_table().await;
    let session = with_session(&store, "s1").await;
    store
        .upsert_group(&session, &snapshot(JID, "v5", Some(5)), 10)
        .await
        .unwrap();
    let after_stale = store
        .upsert_group(&session, &snapshot(JID, "v3", Some(3)), 20)
        .await
        .unwrap();
    assert_eq!(
        (after_stale.subject.as_str(), after_stale.updated_at),
        ("v5", 10)
    );
    let after_newer = store
        .upsert_group(&session, &snapshot(JID, "v7", Some(7)), 30)
        .await
        .unwrap();
    assert_eq!(after_newer.subject.as_str(), "v7");
}

#[tokio::test]
async fn an_import_writes_whatever_version_is_stored_and_keeps_it() {
    let store = fresh_table().await;
    let session = with_session(&store, "s1").await;
    store
        .upsert_group(&session, &snapshot(JID, "live", Some(5)), 10)
        .await
        .unwrap();
    let imported = store
        .upsert_group(&session, &snapshot(JID, "imported", None), 20)
        .await
        .unwrap();
    assert_eq!(imported.subject.as_str(), "imported");
    // The stored version stays 5: a live snapshot of version 4 is still older.
    let stale = store
        .upsert_group(&session, &snapshot(JID, "v4", Some(4)), 30)
        .await
        .unwrap();
    assert_eq!(stale.subject.as_str(), "imported");
}

#[tokio::test]
async fn opening_the_connection_reaches_the_table_and_leaves_it_untouched() {
    let store = fresh_table().await;
    store.open_connection().await.unwrap();
    let items = store
        .client()
        .scan()
        .table_name(store.table())
        .send()
        .await
        .unwrap();
    assert_eq!(items.count(), 0);

    // It really asks DynamoDB: a table that is not there is an error.
    let missing = Store::connect("no-such-table", &crate::support::sdk_config());
    assert!(missing.open_connection().await.is_err());
}
