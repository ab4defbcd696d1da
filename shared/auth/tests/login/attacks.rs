//! Forged and altered tokens: each is refused with 401, for the reason the test names.

use aws_lc_rs::hmac;
use aws_lc_rs::signature::{KeyPair, RsaKeyPair};
use jsonwebtoken::{Algorithm, Header};
use serde_json::{Value, json};

use crate::support::*;

/// The parts of a compact JWS, decoded.
fn parts(token: &str) -> (Value, Value, Vec<u8>) {
    let mut parts = token.split('.');
    let mut next = || {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(parts.next().unwrap())
            .unwrap()
    };
    let header = serde_json::from_slice(&next()).unwrap();
    let claims = serde_json::from_slice(&next()).unwrap();
    (header, claims, next())
}

fn hs256(secret: &[u8], header: &Value, claims: &Value) -> String {
    let signing_input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let tag = hmac::sign(
        &hmac::Key::new(hmac::HMAC_SHA256, secret),
        signing_input.as_bytes(),
    );
    format!("{signing_input}.{}", b64(tag.as_ref()))
}

#[tokio::test]
async fn alg_none_is_refused() {
    let key = TestKey::ed25519("ed-1");
    let world = World::new(&[&key]).await;
    for alg in ["none", "None", "NONE"] {
        let header = json!({"alg": alg, "typ": "JWT", "kid": "ed-1"});
        for token in [
            hand_token(&header, &claims(), b""),
            hand_token(&header, &claims(), b"anything"),
        ] {
            assert_eq!(
                world.refuses(&token).await,
                "token alg is not EdDSA, ES256 or RS256"
            );
        }
    }
    assert_eq!(world.server.fetches(), 0, "refused before any key lookup");
}

#[tokio::test]
async fn hs256_signed_with_the_rsa_public_key_is_refused() {
    let rsa = TestKey::rs256("rsa-1");
    let world = World::new(&[&rsa]).await;
    world.accepts(&rsa.sign(&claims())).await;

    let spki_der = pem_body(RSA_PUBLIC_PEM);
    let pkcs1_der = RsaKeyPair::from_der(&pem_body(RSA_PRIVATE_PEM))
        .unwrap()
        .public_key()
        .as_ref()
        .to_vec();
    let with_newline = RSA_PUBLIC_PEM.as_bytes();
    let without_newline = RSA_PUBLIC_PEM.trim_end().as_bytes();
    for secret in [with_newline, without_newline, &spki_der, &pkcs1_der] {
        for alg in ["HS256", "HS384", "HS512"] {
            let header = json!({"alg": alg, "typ": "JWT", "kid": "rsa-1"});
            let token = hs256(secret, &header, &claims());
            assert_eq!(
                world.refuses(&token).await,
                "token alg is not EdDSA, ES256 or RS256",
                "{alg}"
            );
        }
    }
}

#[tokio::test]
async fn alg_that_does_not_match_the_key_is_refused() {
    let ed = TestKey::ed25519("ed-1");
    let ec = TestKey::es256("ec-1");
    let world = World::new(&[&ed, &ec]).await;

    // Signed by the (trusted) EC key, but naming the Ed25519 key's kid.
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some("ed-1".into());
    let token = ec.sign_with(&header, &claims());
    assert_eq!(
        world.refuses(&token).await,
        "token alg does not match the algorithm of its key"
    );

    // The Ed25519 key's own signature, relabelled as RS256.
    let (mut header, claims, signature) = parts(&ed.sign(&claims()));
    header["alg"] = json!("RS256");
    assert_eq!(
        world
            .refuses(&hand_token(&header, &claims, &signature))
            .await,
        "token alg does not match the algorithm of its key"
    );
}

#[tokio::test]
async fn jwk_alg_narrows_the_key() {
    // An RSA key whose JWK says PS256 is not usable for RS256, even though kty would allow it.
    let rsa = TestKey::rs256("rsa-1");
    let mut jwk = rsa.jwk.clone();
    jwk["alg"] = json!("PS256");
    let world = World::new(&[]).await;
    world.server.set(Mode::Keys(json!({"keys": [jwk]})));
    assert_eq!(
        world.refuses(&rsa.sign(&claims())).await,
        "token kid is not in the JWKS"
    );
}

#[tokio::test]
async fn token_without_kid_is_refused() {
    let key = TestKey::ed25519("ed-1");
    let world = World::new(&[&key]).await;
    let token = key.sign_with(&Header::new(Algorithm::EdDSA), &claims());
    assert_eq!(world.refuses(&token).await, "token has no kid");
    let (mut header, claims, signature) = parts(&key.sign(&claims()));
    for kid in [json!(""), json!(1), json!(["ed-1"])] {
        header["kid"] = kid;
        assert_eq!(
            world
                .refuses(&hand_token(&header, &claims, &signature))
                .await,
            "token has no kid"
        );
    }
}

#[tokio::test]
async fn unknown_kid_is_refused_after_a_refetch() {
    let known = TestKey::ed25519("ed-1");
    let world = World::new(&[&known]).await;
    world.accepts(&known.sign(&claims())).await;
    assert_eq!(world.server.fetches(), 1);

    world
        .clock
        .advance_ms(gateway_auth::login::REFETCH_INTERVAL_MS);
    let stranger = TestKey::ed25519("ed-2");
    assert_eq!(
        world.refuses(&stranger.sign(&claims())).await,
        "token kid is not in the JWKS"
    );
    assert_eq!(
        world.server.fetches(),
        2,
        "the unknown kid caused a refetch"
    );
}

#[tokio::test]
async fn tampered_payload_is_refused() {
    let key = TestKey::es256("ec-1");
    let world = World::new(&[&key]).await;
    let (header, mut claims, signature) = parts(&key.sign(&claims()));
    claims["org_id"] = json!("org-b");
    claims["role"] = json!("owner");
    assert_eq!(
        world
            .refuses(&hand_token(&header, &claims, &signature))
            .await,
        "token signature does not verify"
    );
}

#[tokio::test]
async fn tampered_signature_is_refused() {
    for key in [
        TestKey::ed25519("k"),
        TestKey::es256("k"),
        TestKey::rs256("k"),
    ] {
        let world = World::new(&[&key]).await;
        let (header, claims, mut signature) = parts(&key.sign(&claims()));
        let last = signature.len() - 1;
        signature[last] ^= 0x01;
        assert_eq!(
            world
                .refuses(&hand_token(&header, &claims, &signature))
                .await,
            "token signature does not verify",
            "{:?}",
            key.alg
        );
        let truncated = &signature[..last];
        assert_eq!(
            world
                .refuses(&hand_token(&header, &claims, truncated))
                .await,
            "token signature does not verify"
        );
    }
}

#[tokio::test]
async fn token_signed_by_an_unknown_key_reusing_a_known_kid_is_refused() {
    let trusted = TestKey::ed25519("ed-1");
    let world = World::new(&[&trusted]).await;
    world.accepts(&trusted.sign(&claims())).await;
    let impostor = TestKey::ed25519("ed-1");
    assert_eq!(
        world.refuses(&impostor.sign(&claims())).await,
        "token signature does not verify"
    );

    // Offering its own key in the header changes nothing: keys come from the JWKS only.
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some("ed-1".into());
    header.jku = Some("http://127.0.0.1:9/evil.json".into());
    let token = impostor.sign_with(&header, &claims());
    let (mut header, claims, signature) = parts(&token);
    header["jwk"] = impostor.jwk.clone();
    assert_eq!(
        world
            .refuses(&hand_token(&header, &claims, &signature))
            .await,
        "token signature does not verify"
    );
}

#[tokio::test]
async fn crit_header_is_refused() {
    let key = TestKey::ed25519("ed-1");
    let world = World::new(&[&key]).await;
    let (mut header, claims, _) = parts(&key.sign(&claims()));
    header["crit"] = json!(["b64"]);
    header["b64"] = json!(false);
    assert_eq!(
        world.refuses(&hand_token(&header, &claims, b"sig")).await,
        "token header has crit"
    );
}

#[tokio::test]
async fn malformed_tokens_are_refused_without_panicking() {
    let key = TestKey::ed25519("ed-1");
    let world = World::new(&[&key]).await;
    let valid = key.sign(&claims());
    let (header, claims, signature) = parts(&valid);
    let long = "a".repeat(20_000);
    for token in [
        String::new(),
        "a.b".into(),
        "a.b.c.d".into(),
        "!!!.b.c".into(),
        format!("{}.b.c", b64(b"not json")),
        format!("{}.b.c", b64(b"[1,2]")),
        format!(
            "{}.!!!.{}",
            b64(header.to_string().as_bytes()),
            b64(&signature)
        ),
        hand_token(&header, &json!("a string"), &signature),
        hand_token(&header, &claims, &signature).replace('.', ".."),
        format!("{valid}="),
        format!("{long}.{long}.{long}"),
    ] {
        refusal(world.verifier.verify(&token).await);
    }
}
