//! `exp`, `nbf`, `iss` and `aud`: required, typed, checked against the injected clock.

use gateway_auth::login::LEEWAY_MS;
use serde_json::{Value, json};

use crate::support::*;

const LEEWAY_S: i64 = LEEWAY_MS / 1000;

async fn reason_for(changes: Value) -> &'static str {
    let key = TestKey::ed25519("ed-1");
    let world = World::new(&[&key]).await;
    world.refuses(&key.sign(&claims_with(changes))).await
}

#[test]
fn leeway_is_at_most_a_minute() {
    const { assert!(LEEWAY_MS > 0 && LEEWAY_MS <= 60_000) };
}

#[tokio::test]
async fn expired_token_is_refused() {
    assert_eq!(reason_for(json!({"exp": T0_S - 61})).await, "token expired");
    assert_eq!(
        reason_for(json!({"exp": T0_S - LEEWAY_S})).await,
        "token expired"
    );
}

#[tokio::test]
async fn expiry_follows_the_injected_clock_with_leeway() {
    let key = TestKey::ed25519("ed-1");
    let world = World::new(&[&key]).await;
    let token = key.sign(&claims_with(json!({"exp": T0_S + 60})));
    world.accepts(&token).await;
    world.clock.set_ms((T0_S + 60) * 1000 + LEEWAY_MS - 1);
    world.accepts(&token).await;
    world.clock.advance_ms(1);
    assert_eq!(world.refuses(&token).await, "token expired");
}

#[tokio::test]
async fn nbf_in_the_future_beyond_leeway_is_refused() {
    assert_eq!(
        reason_for(json!({"nbf": T0_S + 61})).await,
        "token nbf is in the future"
    );
    assert_eq!(
        reason_for(json!({"nbf": T0_S + LEEWAY_S + 1})).await,
        "token nbf is in the future"
    );

    let key = TestKey::ed25519("ed-1");
    let world = World::new(&[&key]).await;
    world
        .accepts(&key.sign(&claims_with(json!({"nbf": T0_S + LEEWAY_S}))))
        .await;
}

#[tokio::test]
async fn exp_of_the_wrong_type_is_refused_not_skipped() {
    for exp in [
        json!((T0_S + 300).to_string()),
        json!(true),
        json!([T0_S + 300]),
        json!({"t": 1}),
    ] {
        let reason = reason_for(json!({"exp": exp})).await;
        assert!(
            reason.contains("exp") || reason.contains("wrong type"),
            "{exp}: {reason}"
        );
    }
}

#[tokio::test]
async fn nbf_of_the_wrong_type_is_refused_not_skipped() {
    for nbf in [json!(T0_S.to_string()), json!(false)] {
        assert_eq!(
            reason_for(json!({"nbf": nbf})).await,
            "token nbf is not a number",
            "{nbf}"
        );
    }
    for nbf in [json!([T0_S]), json!({"t": T0_S})] {
        assert!(reason_for(json!({"nbf": nbf})).await.contains("wrong type"));
    }
    let key = TestKey::ed25519("ed-1");
    let world = World::new(&[&key]).await;
    let mut with_null = claims();
    with_null["nbf"] = Value::Null;
    assert_eq!(
        world.refuses(&key.sign(&with_null)).await,
        "token nbf is not a number"
    );
}

#[tokio::test]
async fn missing_exp_is_refused() {
    assert_eq!(
        reason_for(json!({"exp": null})).await,
        "token has no numeric exp"
    );
}

#[tokio::test]
async fn missing_iss_is_refused() {
    assert_eq!(reason_for(json!({"iss": null})).await, "token has no iss");
}

#[tokio::test]
async fn wrong_iss_is_refused() {
    for iss in [
        json!("https://evil.example"),
        json!(format!("{ISSUER}/")),
        json!(["x", ISSUER]),
    ] {
        let reason = reason_for(json!({"iss": iss})).await;
        assert_eq!(reason, "token iss is not ours", "{iss}");
    }
}

#[tokio::test]
async fn missing_aud_is_refused() {
    assert_eq!(reason_for(json!({"aud": null})).await, "token has no aud");
}

#[tokio::test]
async fn wrong_aud_is_refused() {
    for aud in [
        json!("other-api"),
        json!(["other-api"]),
        json!([]),
        json!(7),
    ] {
        let reason = reason_for(json!({"aud": aud})).await;
        assert!(
            reason == "token aud is not ours" || reason == "token has no aud",
            "{aud}: {reason}"
        );
    }
}

#[tokio::test]
async fn iss_aud_and_sub_of_the_wrong_type_are_refused() {
    for changes in [
        json!({"iss": [ISSUER]}),
        json!({"iss": {"iss": ISSUER}}),
        json!({"aud": {"aud": AUDIENCE}}),
        json!({"aud": [AUDIENCE, 7]}),
        json!({"aud": [[AUDIENCE]]}),
        json!({"sub": 7}),
        json!({"sub": ["user-1"]}),
    ] {
        let key = TestKey::ed25519("ed-1");
        let world = World::new(&[&key]).await;
        let token = key.sign(&claims_with(changes.clone()));
        assert!(
            world.verify(&token).await.is_err(),
            "{changes} was accepted"
        );
    }
}
