//! Tokens that must be accepted, and what the principal carries.

use gateway_auth::login::ClaimPath;
use gateway_auth::login::dev::DevSigner;
use gateway_auth::{Credential, LoginConfig, LoginVerifier};
use gateway_domain::{Capabilities, Capability, OrgId};
use serde_json::json;

use crate::support::*;

fn read_and_send() -> Capabilities {
    Capabilities::NONE
        .with(Capability::Read)
        .with(Capability::Send)
}

async fn accepted_with(key: TestKey) {
    let world = World::new(&[&key]).await;
    let principal = world.accepts(&key.sign(&claims())).await;
    assert_eq!(principal.org.as_str(), "org-a");
    assert_eq!(principal.capabilities, read_and_send(), "admin");
    assert_eq!(
        principal.credential,
        Credential::Login {
            subject: Some("user_2abc".into())
        }
    );
}

#[tokio::test]
async fn eddsa_token_is_accepted() {
    accepted_with(TestKey::ed25519("ed-1")).await;
}

#[tokio::test]
async fn es256_token_is_accepted() {
    accepted_with(TestKey::es256("ec-1")).await;
}

#[tokio::test]
async fn rs256_token_is_accepted() {
    accepted_with(TestKey::rs256("rsa-1")).await;
}

#[tokio::test]
async fn the_key_is_chosen_by_kid_among_several() {
    let (ed, ec, rsa) = (
        TestKey::ed25519("a"),
        TestKey::es256("b"),
        TestKey::rs256("c"),
    );
    let world = World::new(&[&ed, &ec, &rsa]).await;
    for key in [&ed, &ec, &rsa] {
        world.accepts(&key.sign(&claims())).await;
    }
    assert_eq!(world.server.fetches(), 1);
}

#[tokio::test]
async fn member_gets_read_only() {
    let key = TestKey::ed25519("ed-1");
    let world = World::new(&[&key]).await;
    let principal = world
        .accepts(&key.sign(&claims_with(json!({"role": "member"}))))
        .await;
    assert!(principal.capabilities.contains(Capability::Read));
    assert!(!principal.capabilities.contains(Capability::Send));
    let owner = world
        .accepts(&key.sign(&claims_with(json!({"role": "owner"}))))
        .await;
    assert_eq!(owner.capabilities, read_and_send());
}

#[tokio::test]
async fn unknown_or_missing_role_authenticates_with_no_capability() {
    let key = TestKey::ed25519("ed-1");
    let world = World::new(&[&key]).await;
    for changes in [
        json!({"role": "guest"}),
        json!({"role": "Admin"}),
        json!({"role": ["admin"]}),
        json!({"role": null}),
    ] {
        let principal = world
            .accepts(&key.sign(&claims_with(changes.clone())))
            .await;
        assert!(principal.capabilities.is_empty(), "{changes}");
        assert_eq!(principal.org.as_str(), "org-a");
        assert!(principal.require(Capability::Read).is_err());
    }
}

#[tokio::test]
async fn missing_org_claim_is_refused() {
    let key = TestKey::ed25519("ed-1");
    let world = World::new(&[&key]).await;
    let reason = world
        .refuses(&key.sign(&claims_with(json!({"org_id": null}))))
        .await;
    assert_eq!(reason, "token has no org claim");
}

#[tokio::test]
async fn org_claim_must_be_a_valid_org_id() {
    let key = TestKey::ed25519("ed-1");
    let world = World::new(&[&key]).await;
    for org in [json!(""), json!("org a"), json!(42), json!({"id": "org-a"})] {
        let reason = world
            .refuses(&key.sign(&claims_with(json!({"org_id": org}))))
            .await;
        assert!(reason.contains("org claim"), "{org}: {reason}");
    }
}

#[tokio::test]
async fn nested_org_and_role_claims_via_json_pointer() {
    let key = TestKey::ed25519("ed-1");
    let world = World::with_config(&[&key], |config| LoginConfig {
        org_claim: ClaimPath::parse("/o/id").unwrap(),
        role_claim: ClaimPath::parse("/o/rol").unwrap(),
        ..config
    })
    .await;
    // Clerk's session token v2 shape.
    let token = key.sign(&claims_with(json!({
        "org_id": null, "role": null,
        "o": {"id": "org_2xyz", "rol": "member", "slg": "acme"},
    })));
    let principal = world.accepts(&token).await;
    assert_eq!(principal.org.as_str(), "org_2xyz");
    assert!(principal.capabilities.contains(Capability::Read));
    assert!(!principal.capabilities.contains(Capability::Send));

    // The top-level claim is not consulted when a pointer is configured.
    let flat = key.sign(&claims());
    assert_eq!(world.refuses(&flat).await, "token has no org claim");
}

#[tokio::test]
async fn aud_as_array_containing_ours_is_accepted() {
    let key = TestKey::ed25519("ed-1");
    let world = World::new(&[&key]).await;
    let token = key.sign(&claims_with(json!({"aud": ["other-api", AUDIENCE]})));
    world.accepts(&token).await;
}

#[tokio::test]
async fn fractional_numeric_dates_are_accepted() {
    let key = TestKey::ed25519("ed-1");
    let world = World::new(&[&key]).await;
    let token = key.sign(&claims_with(
        json!({"exp": T0_S as f64 + 299.5, "nbf": T0_S as f64 - 0.5}),
    ));
    world.accepts(&token).await;
}

#[tokio::test]
async fn dev_signer_tokens_verify_against_its_jwks() {
    let signer = DevSigner::generate().unwrap();
    let server = JwksServer::start(Mode::Keys(signer.jwks_json())).await;
    let clock = std::sync::Arc::new(gateway_domain::ManualClock::new(T0_MS));
    let verifier = LoginVerifier::new(
        LoginConfig::new(server.url(), ISSUER, AUDIENCE),
        clock.clone(),
    );
    let org = OrgId::parse("org-dev").unwrap();
    let token = signer
        .mint(&org, "admin", ISSUER, AUDIENCE, 3600, T0_MS)
        .unwrap();
    let principal = verifier.verify(&token).await.unwrap();
    assert_eq!(principal.org, org);
    assert_eq!(principal.capabilities, read_and_send());
    clock.advance_ms(3600 * 1000 + gateway_auth::login::LEEWAY_MS);
    assert_eq!(refusal(verifier.verify(&token).await), "token expired");
}

#[tokio::test]
async fn the_default_verifier_refuses_every_login_token() {
    let key = TestKey::ed25519("ed-1");
    let verifier = LoginVerifier::default();
    assert!(refusal(verifier.verify(&key.sign(&claims())).await).contains("not configured"));
}
