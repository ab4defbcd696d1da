//! Every sample event in `events/<function>/<case>.<status>.json` goes through its function's
//! handler against the demo data (`gatewayctl dev seed`) and answers the status its name says.

use std::path::PathBuf;
use std::sync::Arc;

use gateway_auth::LoginVerifier;
use gateway_domain::{Clock, ManualClock, SystemClock};
use gateway_http::Services;
use lambda_http::{Body, Request, Response};

use connection_emulator::{Emulator, SeedGroup};
use gateway_domain::{GroupJid, SessionId, Subject, UserJid};
use gateway_live::LiveServices;

use crate::support::{CONNECTION_SECRET, connection_client, fresh_table};

async fn invoke(function: &str, live: &LiveServices, request: Request) -> Response<Body> {
    let route = local_api::Route::of_function(function)
        .unwrap_or_else(|| panic!("events/{function}: no such function"));
    local_api::invoke(live, route, request).await.unwrap()
}

#[tokio::test]
async fn every_sample_event_answers_the_status_in_its_name() {
    let store = fresh_table().await;
    let clock = Arc::new(ManualClock::new(SystemClock.now_ms()));
    let demo_key = gatewayctl::demo::seed(&store, clock.now_ms())
        .await
        .unwrap();
    let services = Services::new(store, LoginVerifier::default(), clock);
    // WhatsApp as `make dev` sets it up: the demo session connected, its groups there.
    let emulator = connection_emulator::spawn(Emulator::new(Some(CONNECTION_SECRET.to_owned())))
        .await
        .unwrap();
    let session = SessionId::parse(gatewayctl::demo::SESSION).unwrap();
    let account = UserJid::parse(gatewayctl::demo::ACCOUNT).unwrap();
    emulator.emulator.put_session(&session, Some(account), true);
    for (jid, subject, _) in gatewayctl::demo::GROUPS {
        emulator.emulator.seed_group(
            &session,
            &GroupJid::parse(jid).unwrap(),
            SeedGroup::new(Subject::parse(subject).unwrap()),
        );
    }
    let live = LiveServices {
        services,
        connection: connection_client(&emulator.url()),
        pacing: gateway_live::Pacing::OFF,
    };

    let root = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../events"));
    let mut checked = 0;
    for function in std::fs::read_dir(&root).unwrap() {
        let function = function.unwrap().path();
        if !function.is_dir() {
            continue;
        }
        let name = function.file_name().unwrap().to_str().unwrap().to_owned();
        for file in std::fs::read_dir(&function).unwrap() {
            let file = file.unwrap().path();
            let file_name = file.file_name().unwrap().to_str().unwrap().to_owned();
            let expected: u16 = file_name
                .trim_end_matches(".json")
                .rsplit('.')
                .next()
                .and_then(|s| s.parse().ok())
                .unwrap_or_else(|| panic!("{file_name}: name must end in .<status>.json"));
            let text = std::fs::read_to_string(&file).unwrap();
            if text.contains("Bearer ") {
                assert!(
                    text.contains(&demo_key.key),
                    "{file_name}: not the demo key"
                );
            }
            let request = lambda_http::request::from_str(&text)
                .unwrap_or_else(|e| panic!("{name}/{file_name}: not an API Gateway event: {e}"));
            let response = invoke(&name, &live, request).await;
            assert_eq!(
                response.status().as_u16(),
                expected,
                "{name}/{file_name}: {:?}",
                response.body()
            );
            checked += 1;
        }
    }
    assert!(checked >= 10, "only {checked} events found");
}
