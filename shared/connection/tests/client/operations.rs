//! Calls that go through: creating, reading and changing groups, request ids, paths.

use connection_emulator::SeedGroup;
use gateway_connection::ConnectionError;
use gateway_domain::Description;

use crate::support::{World, soon, subject, user};

#[tokio::test]
async fn create_then_read_and_change() {
    let world = World::start().await;
    let created = world
        .client
        .create_group(
            &world.session,
            None,
            &subject("Team"),
            &[user("6282"), user("6283")],
            soon(),
        )
        .await
        .unwrap();
    // WhatsApp's answer for each requested participant, in order.
    let codes: Vec<(String, u16)> = created
        .results
        .iter()
        .map(|r| (r.jid.to_string(), r.code))
        .collect();
    assert_eq!(
        codes,
        [
            (user("6282").to_string(), 200),
            (user("6283").to_string(), 200)
        ]
    );
    let created = created.group;
    assert_eq!(created.owner_jid, Some(user("6281000")));
    assert_eq!(created.participant_count, 3);
    assert_eq!(created.subject.as_str(), "Team");

    let gid = created.group_jid.clone();
    let read = world
        .client
        .get_group(&world.session, &gid, soon())
        .await
        .unwrap();
    assert_eq!(read, created);

    let s = &world.session;
    let c = &world.client;
    let renamed = c
        .set_subject(s, &gid, &subject("Renamed"), soon())
        .await
        .unwrap();
    assert_eq!(renamed.subject.as_str(), "Renamed");
    assert!(renamed.version > created.version);
    let described = c
        .set_description(s, &gid, &Description::parse("about").unwrap(), soon())
        .await
        .unwrap();
    assert_eq!(described.description.as_str(), "about");
    assert!(
        c.set_announce(s, &gid, true, soon())
            .await
            .unwrap()
            .is_announce
    );
    let locked = c.set_locked(s, &gid, true, soon()).await.unwrap();
    assert!(locked.is_locked && locked.is_announce);
    assert!(locked.version > described.version);

    // Both sides of the contract see the same group (separate types: compare as JSON).
    let held = world.emulator().group(s, &gid).unwrap();
    assert_eq!(
        serde_json::to_value(&held.group).unwrap(),
        serde_json::to_value(&locked).unwrap()
    );
    assert_eq!(c.calls_made(), 6);
}

#[tokio::test]
async fn legacy_group_jids_travel_percent_encoded() {
    let world = World::start().await;
    let gid = world.seed("6281234-1700000000@g.us", SeedGroup::new(subject("Old")));
    let group = world
        .client
        .get_group(&world.session, &gid, soon())
        .await
        .unwrap();
    assert_eq!(group.group_jid, gid);
}

#[tokio::test]
async fn a_request_id_makes_at_most_one_group() {
    let world = World::start().await;
    let create = async || {
        world
            .client
            .create_group(
                &world.session,
                Some("req-42"),
                &subject("T"),
                &[user("6282")],
                soon(),
            )
            .await
    };
    let first = create().await.unwrap();
    let again = create().await.unwrap();
    assert_eq!(first, again);
    assert_eq!(world.emulator().groups(&world.session).len(), 1);
}

#[tokio::test]
async fn a_bad_request_id_is_refused_without_a_call() {
    let world = World::start().await;
    let error = world
        .client
        .create_group(
            &world.session,
            Some("has space"),
            &subject("T"),
            &[user("6282")],
            soon(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&error, ConnectionError::BadRequest { field: Some(f), .. } if f == "requestId"),
        "{error:?}"
    );
    assert_eq!(world.client.calls_made(), 0);
}
