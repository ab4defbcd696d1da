//! The JWKS cache: lifetime, refetch rate, single flight, and a misbehaving endpoint.
//! Time moves through the ManualClock; the only real waiting is the fetch timeout itself.

use std::sync::Arc;
use std::time::{Duration, Instant};

use gateway_auth::login::{FETCH_TIMEOUT, KEYS_TTL_MS, REFETCH_INTERVAL_MS};
use serde_json::json;
use tokio::task::JoinSet;

use crate::support::*;

#[tokio::test]
async fn construction_does_no_network() {
    let key = TestKey::ed25519("ed-1");
    let world = World::new(&[&key]).await;
    tokio::task::yield_now().await;
    assert_eq!(world.server.fetches(), 0);
    world.accepts(&key.sign(&claims())).await;
    world.accepts(&key.sign(&claims())).await;
    assert_eq!(world.server.fetches(), 1, "one fetch serves many tokens");
}

/// A world whose keys (`cached`) were fetched at T0, then whose endpoint misbehaves as `mode`.
/// Returns after checking that a token needing a new key gets 401 in well under 3 s.
async fn endpoint_misbehaves(mode: Mode) -> (World, TestKey) {
    let cached = TestKey::ed25519("cached");
    let world = World::new(&[&cached]).await;
    world.accepts(&cached.sign(&claims())).await;
    world.server.set(mode);
    world.clock.advance_ms(REFETCH_INTERVAL_MS);

    let started = Instant::now();
    let reason = world
        .refuses(&TestKey::ed25519("new").sign(&claims()))
        .await;
    let took = started.elapsed();
    assert_eq!(
        reason,
        "JWKS fetch failed and the token's key is not cached"
    );
    assert!(took < Duration::from_millis(2500), "took {took:?}");
    (world, cached)
}

/// Cached keys keep working after a failed fetch, until their 10 minutes run out.
async fn cached_keys_work_until_they_expire(world: &World, cached: &TestKey) {
    let token = cached.sign(&claims_with(json!({"exp": T0_S + 3600})));
    world.accepts(&token).await;
    world.clock.set_ms(T0_MS + KEYS_TTL_MS - 1);
    world.accepts(&token).await;
    world.clock.set_ms(T0_MS + KEYS_TTL_MS);
    assert!(world.refuses(&token).await.contains("JWKS"));
}

#[tokio::test]
async fn endpoint_down_keeps_cached_keys() {
    let cached = TestKey::ed25519("cached");
    let world = World::new(&[&cached]).await;
    world.accepts(&cached.sign(&claims())).await;
    world.server.stop().await;
    world.clock.advance_ms(REFETCH_INTERVAL_MS);
    let started = Instant::now();
    assert_eq!(
        world
            .refuses(&TestKey::ed25519("new").sign(&claims()))
            .await,
        "JWKS fetch failed and the token's key is not cached"
    );
    assert!(started.elapsed() < Duration::from_millis(2500));
    cached_keys_work_until_they_expire(&world, &cached).await;
}

#[tokio::test]
async fn endpoint_slower_than_the_timeout_gives_401_fast() {
    const { assert!(FETCH_TIMEOUT.as_millis() <= 1500) };
    let slow = Mode::Slow(Duration::from_secs(10), json!({"keys": []}));
    let (world, cached) = endpoint_misbehaves(slow).await;
    cached_keys_work_until_they_expire(&world, &cached).await;
}

#[tokio::test]
async fn slow_endpoint_on_a_cold_start_gives_401_fast() {
    let key = TestKey::ed25519("ed-1");
    let world = World::new(&[]).await;
    world
        .server
        .set(Mode::Slow(Duration::from_secs(10), jwks(&[&key])));
    let started = Instant::now();
    assert!(
        world
            .refuses(&key.sign(&claims()))
            .await
            .contains("JWKS fetch failed")
    );
    let took = started.elapsed();
    assert!(took < Duration::from_secs(3), "took {took:?}");
}

#[tokio::test]
async fn huge_jwks_is_refused_and_cached_keys_stay() {
    let (world, cached) = endpoint_misbehaves(Mode::Huge).await;
    cached_keys_work_until_they_expire(&world, &cached).await;
}

#[tokio::test]
async fn endless_jwks_is_cut_off_at_the_cap_not_the_timeout() {
    let cached = TestKey::ed25519("cached");
    let world = World::new(&[&cached]).await;
    world.accepts(&cached.sign(&claims())).await;
    world.server.set(Mode::Endless);
    world.clock.advance_ms(REFETCH_INTERVAL_MS);
    let started = Instant::now();
    world
        .refuses(&TestKey::ed25519("new").sign(&claims()))
        .await;
    let took = started.elapsed();
    assert!(
        took < FETCH_TIMEOUT / 2,
        "stopped by the timeout, not the cap: {took:?}"
    );
    world.accepts(&cached.sign(&claims())).await;
}

#[tokio::test]
async fn non_json_jwks_is_refused_and_cached_keys_stay() {
    let (world, cached) = endpoint_misbehaves(Mode::NotJson).await;
    cached_keys_work_until_they_expire(&world, &cached).await;
}

#[tokio::test]
async fn error_status_is_refused_and_cached_keys_stay() {
    let (world, cached) = endpoint_misbehaves(Mode::Status(503)).await;
    cached_keys_work_until_they_expire(&world, &cached).await;
}

#[tokio::test]
async fn jwks_without_keys_array_is_refused_and_cached_keys_stay() {
    let (world, cached) = endpoint_misbehaves(Mode::Keys(json!({"error": "oops"}))).await;
    cached_keys_work_until_they_expire(&world, &cached).await;
}

#[tokio::test]
async fn a_flood_of_random_kids_fetches_at_most_once_per_10_s() {
    let known = TestKey::ed25519("known");
    let world = World::new(&[&known]).await;
    world.accepts(&known.sign(&claims())).await;
    assert_eq!(world.server.fetches(), 1);

    // Within 10 s of the last fetch: no fetch at all, however many unknown kids.
    for _ in 0..200 {
        world
            .refuses(&TestKey::ed25519(&random_kid()).sign(&claims()))
            .await;
    }
    world.clock.advance_ms(REFETCH_INTERVAL_MS - 1);
    world
        .refuses(&TestKey::ed25519(&random_kid()).sign(&claims()))
        .await;
    assert_eq!(world.server.fetches(), 1);

    // Concurrent misses once the 10 s are over: one fetch between them. The endpoint is a
    // little slow so that they really overlap.
    world.clock.advance_ms(1);
    world
        .server
        .set(Mode::Slow(Duration::from_millis(200), jwks(&[&known])));
    let mut tasks = JoinSet::new();
    for _ in 0..50 {
        let verifier = Arc::clone(&world.verifier);
        let token = TestKey::ed25519(&random_kid()).sign(&claims());
        tasks.spawn(async move { refusal(verifier.verify(&token).await) });
    }
    while let Some(result) = tasks.join_next().await {
        result.unwrap();
    }
    assert_eq!(world.server.fetches(), 2);
    world.accepts(&known.sign(&claims())).await;

    world.clock.advance_ms(REFETCH_INTERVAL_MS);
    for _ in 0..20 {
        world
            .refuses(&TestKey::ed25519(&random_kid()).sign(&claims()))
            .await;
    }
    assert_eq!(world.server.fetches(), 3);
}

#[tokio::test]
async fn tokens_that_cannot_be_ours_never_spend_the_fetch_budget_a_rotation_needs() {
    let old = TestKey::ed25519("2026-01");
    let new = TestKey::es256("2026-02");
    let world = World::new(&[&old]).await;
    world.accepts(&old.sign(&claims())).await;
    world.server.serve_keys(&[&old, &new]);
    world.clock.advance_ms(REFETCH_INTERVAL_MS);

    // A flood of random kids whose claims are not ours: another issuer, another audience,
    // expired, or no claims at all.
    let foreign = [
        claims_with(json!({"iss": "https://elsewhere.test"})),
        claims_with(json!({"aud": "someone-else"})),
        claims_with(json!({"exp": T0_S - 3600})),
    ];
    for _ in 0..50 {
        for claims in &foreign {
            world
                .refuses(&TestKey::ed25519(&random_kid()).sign(claims))
                .await;
        }
        let garbage = hand_token(
            &json!({"alg": "EdDSA", "kid": random_kid()}),
            &json!("x"),
            b"s",
        );
        world.refuses(&garbage).await;
    }
    assert_eq!(
        world.server.fetches(),
        1,
        "no fetch for tokens that cannot be ours"
    );

    // The rotated key's first token fetches at once.
    world.accepts(&new.sign(&claims())).await;
    assert_eq!(world.server.fetches(), 2);
}

#[tokio::test]
async fn concurrent_tokens_for_a_new_key_wait_for_one_shared_fetch() {
    let old = TestKey::ed25519("old");
    let new = TestKey::ed25519("new");
    let world = World::new(&[&old]).await;
    world.accepts(&old.sign(&claims())).await;

    world
        .server
        .set(Mode::Slow(Duration::from_millis(200), jwks(&[&old, &new])));
    world.clock.advance_ms(REFETCH_INTERVAL_MS);
    let mut tasks = JoinSet::new();
    for _ in 0..20 {
        let verifier = Arc::clone(&world.verifier);
        let token = new.sign(&claims());
        tasks.spawn(async move { verifier.verify(&token).await });
    }
    while let Some(result) = tasks.join_next().await {
        result
            .unwrap()
            .expect("every waiter gets the key the one fetch brought");
    }
    assert_eq!(world.server.fetches(), 2);
}

#[tokio::test]
async fn failed_fetches_are_rate_limited_too() {
    let key = TestKey::ed25519("ed-1");
    let world = World::new(&[]).await;
    world.server.set(Mode::Status(500));
    for _ in 0..20 {
        world.refuses(&key.sign(&claims())).await;
    }
    assert_eq!(world.server.fetches(), 1);
    world.server.serve_keys(&[&key]);
    world.clock.advance_ms(REFETCH_INTERVAL_MS);
    world.accepts(&key.sign(&claims())).await;
    assert_eq!(world.server.fetches(), 2);
}

#[tokio::test]
async fn rotation_a_new_kid_is_accepted_after_the_jwks_changes() {
    let old = TestKey::ed25519("2026-01");
    let new = TestKey::es256("2026-02");
    let world = World::new(&[&old]).await;
    world.accepts(&old.sign(&claims())).await;

    world.server.serve_keys(&[&old, &new]);
    world.clock.advance_ms(REFETCH_INTERVAL_MS);
    world.accepts(&new.sign(&claims())).await;
    world.accepts(&old.sign(&claims())).await;
    assert_eq!(world.server.fetches(), 2);
}

#[tokio::test]
async fn rotation_a_removed_kid_is_refused_after_the_ten_minute_refresh() {
    let old = TestKey::ed25519("2026-01");
    let new = TestKey::ed25519("2026-02");
    let world = World::new(&[&old, &new]).await;
    let old_token = old.sign(&claims_with(json!({"exp": T0_S + 3600})));
    world.accepts(&old_token).await;

    world.server.serve_keys(&[&new]);
    world.clock.set_ms(T0_MS + KEYS_TTL_MS - 1);
    world.accepts(&old_token).await;
    assert_eq!(
        world.server.fetches(),
        1,
        "still within the keys' 10 minutes"
    );

    world.clock.set_ms(T0_MS + KEYS_TTL_MS);
    assert_eq!(
        world.refuses(&old_token).await,
        "token kid is not in the JWKS"
    );
    assert_eq!(world.server.fetches(), 2);
    world
        .accepts(&new.sign(&claims_with(json!({"exp": T0_S + 3600}))))
        .await;
}

#[tokio::test]
async fn rotation_a_removed_kid_is_refused_after_an_unknown_kid_refetch() {
    let old = TestKey::ed25519("2026-01");
    let current = TestKey::ed25519("2026-02");
    let next = TestKey::ed25519("2026-03");
    let world = World::new(&[&old, &current]).await;
    world.accepts(&old.sign(&claims())).await;

    world.server.serve_keys(&[&current, &next]);
    world.clock.advance_ms(REFETCH_INTERVAL_MS);
    world.accepts(&next.sign(&claims())).await;
    assert_eq!(
        world.refuses(&old.sign(&claims())).await,
        "token kid is unknown and the JWKS was fetched less than 10 s ago"
    );
    world.accepts(&current.sign(&claims())).await;
}
