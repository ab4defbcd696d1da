//! Every sample event in `events/<function>/<case>.<status>.json` goes through its function's
//! handler against the demo data (`gatewayctl dev seed`) and answers the status its name says.
//!
//! The events run in name order (folders, then files). They are written so that no event's
//! status depends on another's: the ones that change something (create, rename, add, remove,
//! promote, demote, reset) each touch people and groups no other event's status depends on.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use gateway_auth::LoginVerifier;
use gateway_domain::{Clock, ManualClock, SystemClock};
use gateway_http::Services;
use lambda_http::{Body, Request, Response};

use connection_emulator::{AddableBy, Emulator, Participant, Role, SeedGroup, UserSettings};
use gateway_domain::{Description, GroupJid, SessionId, Subject, UserJid};
use gateway_live::LiveServices;

use crate::support::{CONNECTION_SECRET, connection_client, fresh_table};

/// People the `add-group-members` events add, as WhatsApp treats them (anyone else is on
/// WhatsApp and may be added by anyone): `(jid, on WhatsApp, who may add them)`.
const PEOPLE: [(&str, bool, AddableBy); 3] = [
    // add-group-members/not-on-whatsapp.200
    ("6285550000002@s.whatsapp.net", false, AddableBy::Everyone),
    // add-group-members/invite-required.200: an invitation only
    ("6285550000003@s.whatsapp.net", true, AddableBy::Contacts),
    // add-group-members/invite-sent.200 (`onPrivacyBlock: "invite"`)
    ("6285550000004@s.whatsapp.net", true, AddableBy::Nobody),
];

async fn invoke(function: &str, live: &LiveServices, request: Request) -> Response<Body> {
    let route = local_api::Route::of_function(function)
        .unwrap_or_else(|| panic!("events/{function}: no such function"));
    local_api::invoke(live, route, request).await.unwrap()
}

/// The demo groups' members as WhatsApp has them (the account the superadmin).
fn demo_participants() -> Vec<Participant> {
    gatewayctl::demo::participants()
        .unwrap()
        .into_iter()
        .map(|p| Participant {
            jid: p.jid,
            lid: p.lid,
            phone_jid: p.phone_jid,
            role: match p.role {
                gateway_domain::Role::Member => Role::Member,
                gateway_domain::Role::Admin => Role::Admin,
                gateway_domain::Role::Superadmin => Role::Superadmin,
            },
        })
        .collect()
}

/// What WhatsApp holds, as `make dev` sets it up: the demo session connected, its groups there
/// with the demo members (the group the account left is not), and the people of [`PEOPLE`].
fn whatsapp_as_the_demo_has_it(emulator: &Emulator) {
    let session = SessionId::parse(gatewayctl::demo::SESSION).unwrap();
    let account = UserJid::parse(gatewayctl::demo::ACCOUNT).unwrap();
    emulator.put_session(&session, Some(account), true);
    for (i, (jid, subject, description)) in gatewayctl::demo::GROUPS.into_iter().enumerate() {
        let seed = SeedGroup {
            description: Description::parse(description).unwrap(),
            // As the demo data stores it: "Support Rota" is announce-only.
            is_announce: i == 1,
            participants: demo_participants(),
            created_at: Some(1_700_000_000_000),
            ..SeedGroup::new(Subject::parse(subject).unwrap())
        };
        let seeded = emulator.seed_group(&session, &GroupJid::parse(jid).unwrap(), seed);
        assert!(seeded.is_some(), "{jid}: not seeded");
    }
    for (jid, on_whats_app, addable_by) in PEOPLE {
        let settings = UserSettings {
            on_whats_app,
            addable_by,
            lid: None,
        };
        emulator.put_user(&UserJid::parse(jid).unwrap(), settings);
    }
}

/// The entries of a folder, in name order.
fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    entries.sort();
    entries
}

#[tokio::test]
async fn every_sample_event_answers_the_status_in_its_name() {
    let store = fresh_table().await;
    let clock = Arc::new(ManualClock::new(SystemClock.now_ms()));
    let demo_key = gatewayctl::demo::seed(&store, clock.now_ms())
        .await
        .unwrap();
    let services = Services::new(store, LoginVerifier::default(), clock);
    let emulator = connection_emulator::spawn(Emulator::new(Some(CONNECTION_SECRET.to_owned())))
        .await
        .unwrap();
    whatsapp_as_the_demo_has_it(&emulator.emulator);
    let live = LiveServices {
        services,
        connection: connection_client(&emulator.url()),
        pacing: gateway_live::Pacing::OFF,
    };

    let root = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../events"));
    let mut checked = 0;
    let mut wrong = Vec::new();
    let mut functions_with_2xx = Vec::new();
    for function in sorted_entries(&root) {
        if !function.is_dir() {
            continue;
        }
        let name = function.file_name().unwrap().to_str().unwrap().to_owned();
        for file in sorted_entries(&function) {
            let file_name = file.file_name().unwrap().to_str().unwrap().to_owned();
            let expected: u16 = file_name
                .strip_suffix(".json")
                .and_then(|stem| stem.rsplit('.').next())
                .and_then(|s| s.parse().ok())
                .unwrap_or_else(|| panic!("{name}/{file_name}: name must end in .<status>.json"));
            let text = std::fs::read_to_string(&file).unwrap();
            if text.contains("Bearer ") {
                assert!(
                    text.contains(&demo_key.key),
                    "{name}/{file_name}: not the demo key"
                );
            }
            let request = lambda_http::request::from_str(&text)
                .unwrap_or_else(|e| panic!("{name}/{file_name}: not an API Gateway event: {e}"));
            let response = invoke(&name, &live, request).await;
            let status = response.status().as_u16();
            if status != expected {
                wrong.push(format!(
                    "{name}/{file_name}: {status} {:?}",
                    response.body()
                ));
            }
            if (200..300).contains(&expected) {
                functions_with_2xx.push(name.clone());
            }
            checked += 1;
        }
    }
    assert!(
        wrong.is_empty(),
        "events answered another status:\n{}",
        wrong.join("\n")
    );
    // Every function has a sample event of its success.
    for (route, ..) in local_api::Route::ALL {
        assert!(
            functions_with_2xx.iter().any(|f| f == route.function()),
            "events/{}: no sample event with a 2xx status",
            route.function()
        );
    }
    assert!(checked >= 90, "only {checked} events found");
}
