//! `template.yaml` as a reviewer reads it: what each function may do (DynamoDB actions and
//! partition-key prefixes, the connection secret), what it is given (its environment), how it
//! is released (alias, gradual deployment, rollback alarms), what bounds its role, and what the
//! stack logs and watches. The expectations are tables in this file: changing a permission,
//! a route or a filter in the template needs the same deliberate change here.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use gateway_errors::ApiError;
use serde_json::{Value as Json, json};
use serde_norway::Value;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// Stored data only.
    Read,
    /// The connection service, then stored data.
    Live,
    /// The events queue.
    Ingest,
}

/// One function of the stack and everything it may touch.
struct Function {
    /// `<name>Function` in the template, `<name>LogGroup`, `<name>ErrorsAlarm`, ...
    name: &'static str,
    binary: &'static str,
    operation: &'static str,
    /// `(METHOD, path)`; none for the ingest function.
    route: Option<(&'static str, &'static str)>,
    kind: Kind,
    /// DynamoDB read actions and the partition-key prefixes they may reach.
    reads: (&'static [&'static str], &'static [&'static str]),
    /// DynamoDB write actions and the partition-key prefixes they may reach.
    writes: (&'static [&'static str], &'static [&'static str]),
    /// Extra environment variables and the parameter each comes from.
    extra_env: &'static [(&'static str, &'static str)],
}

const GROUPS: &str = "/api/v1/sessions/{session}/groups";

const GET_BATCH_QUERY: &[&str] = &["GetItem", "BatchGetItem", "Query"];
const GET_BATCH: &[&str] = &["GetItem", "BatchGetItem"];
const ALL_WRITES: &[&str] = &[
    "PutItem",
    "UpdateItem",
    "DeleteItem",
    "ConditionCheckItem",
    "BatchWriteItem",
];
const SOME_WRITES: &[&str] = &["PutItem", "UpdateItem", "ConditionCheckItem"];
const NONE: &[&str] = &[];

const SESSION: &str = "SESSION#*";
const GROUP: &str = "GROUP#*";
const APIKEY: &str = "APIKEY#*";
const IDEMPOTENCY: &str = "IDEMPOTENCY#*";

/// Every function of the stack. Writes never reach API keys: only `gatewayctl` writes those.
const FUNCTIONS: [Function; 14] = [
    Function {
        name: "ListGroups",
        binary: "list-groups",
        operation: "listGroups",
        route: Some(("GET", GROUPS)),
        kind: Kind::Read,
        reads: (GET_BATCH_QUERY, &[SESSION, APIKEY]),
        writes: (NONE, NONE),
        extra_env: &[],
    },
    Function {
        name: "GetGroup",
        binary: "get-group",
        operation: "getGroup",
        route: Some(("GET", "/api/v1/sessions/{session}/groups/{gid}")),
        kind: Kind::Read,
        reads: (GET_BATCH_QUERY, &[SESSION, APIKEY]),
        writes: (NONE, NONE),
        extra_env: &[],
    },
    Function {
        name: "GetGroupSync",
        binary: "get-group-sync",
        operation: "getGroupSync",
        route: Some(("GET", "/api/v1/sessions/{session}/groups/sync")),
        kind: Kind::Read,
        reads: (GET_BATCH_QUERY, &[SESSION, APIKEY]),
        writes: (NONE, NONE),
        extra_env: &[],
    },
    Function {
        name: "ListGroupMembers",
        binary: "list-group-members",
        operation: "listGroupMembers",
        route: Some(("GET", "/api/v1/sessions/{session}/groups/{gid}/members")),
        kind: Kind::Read,
        reads: (GET_BATCH_QUERY, &[SESSION, GROUP, APIKEY]),
        writes: (NONE, NONE),
        extra_env: &[],
    },
    Function {
        name: "CreateGroup",
        binary: "create-group",
        operation: "createGroup",
        route: Some(("POST", GROUPS)),
        kind: Kind::Live,
        reads: (GET_BATCH_QUERY, &[SESSION, GROUP, APIKEY, IDEMPOTENCY]),
        writes: (ALL_WRITES, &[SESSION, GROUP, IDEMPOTENCY]),
        extra_env: &[("GATEWAY_PACE_CREATES_PER_HOUR", "PaceCreatesPerHour")],
    },
    Function {
        name: "UpdateGroup",
        binary: "update-group",
        operation: "updateGroup",
        route: Some(("PATCH", "/api/v1/sessions/{session}/groups/{gid}")),
        kind: Kind::Live,
        reads: (GET_BATCH, &[SESSION, APIKEY]),
        writes: (SOME_WRITES, &[SESSION]),
        extra_env: &[],
    },
    Function {
        name: "SyncGroups",
        binary: "sync-groups",
        operation: "syncGroups",
        route: Some(("POST", "/api/v1/sessions/{session}/groups/sync")),
        kind: Kind::Live,
        reads: (GET_BATCH, &[SESSION, APIKEY]),
        writes: (SOME_WRITES, &[SESSION]),
        extra_env: &[],
    },
    Function {
        name: "AddGroupMembers",
        binary: "add-group-members",
        operation: "addGroupMembers",
        route: Some(("POST", "/api/v1/sessions/{session}/groups/{gid}/members")),
        kind: Kind::Live,
        reads: (GET_BATCH_QUERY, &[SESSION, GROUP, APIKEY, IDEMPOTENCY]),
        writes: (ALL_WRITES, &[SESSION, GROUP, IDEMPOTENCY]),
        extra_env: &[("GATEWAY_PACE_ADDS_PER_MINUTE", "PaceAddsPerMinute")],
    },
    Function {
        name: "RemoveGroupMember",
        binary: "remove-group-member",
        operation: "removeGroupMember",
        route: Some((
            "DELETE",
            "/api/v1/sessions/{session}/groups/{gid}/members/{jid}",
        )),
        kind: Kind::Live,
        reads: (GET_BATCH_QUERY, &[SESSION, GROUP, APIKEY]),
        writes: (ALL_WRITES, &[SESSION, GROUP]),
        extra_env: &[],
    },
    Function {
        name: "PromoteGroupMember",
        binary: "promote-group-member",
        operation: "promoteGroupMember",
        route: Some((
            "POST",
            "/api/v1/sessions/{session}/groups/{gid}/members/{jid}/promote",
        )),
        kind: Kind::Live,
        reads: (GET_BATCH_QUERY, &[SESSION, GROUP, APIKEY]),
        writes: (ALL_WRITES, &[SESSION, GROUP]),
        extra_env: &[],
    },
    Function {
        name: "DemoteGroupMember",
        binary: "demote-group-member",
        operation: "demoteGroupMember",
        route: Some((
            "POST",
            "/api/v1/sessions/{session}/groups/{gid}/members/{jid}/demote",
        )),
        kind: Kind::Live,
        reads: (GET_BATCH_QUERY, &[SESSION, GROUP, APIKEY]),
        writes: (ALL_WRITES, &[SESSION, GROUP]),
        extra_env: &[],
    },
    Function {
        name: "GetGroupInvite",
        binary: "get-group-invite",
        operation: "getGroupInvite",
        route: Some(("GET", "/api/v1/sessions/{session}/groups/{gid}/invite")),
        kind: Kind::Live,
        reads: (GET_BATCH, &[SESSION, APIKEY]),
        writes: (NONE, NONE),
        extra_env: &[],
    },
    Function {
        name: "ResetGroupInvite",
        binary: "reset-group-invite",
        operation: "resetGroupInvite",
        route: Some(("DELETE", "/api/v1/sessions/{session}/groups/{gid}/invite")),
        kind: Kind::Live,
        reads: (GET_BATCH, &[SESSION, APIKEY]),
        writes: (NONE, NONE),
        extra_env: &[],
    },
    Function {
        name: "IngestEvents",
        binary: "ingest-events",
        operation: "ingestEvents",
        route: None,
        kind: Kind::Ingest,
        reads: (GET_BATCH_QUERY, &[SESSION, GROUP]),
        writes: (ALL_WRITES, &[SESSION, GROUP]),
        extra_env: &[],
    },
];

/// The operations that take an Idempotency-Key (and so may replay an answer).
const IDEMPOTENT: [&str; 2] = ["createGroup", "addGroupMembers"];

/// What every API function gets to verify login tokens, and from which parameter.
const LOGIN_ENV: [(&str, &str); 6] = [
    ("GATEWAY_JWKS_URL", "JwksUrl"),
    ("GATEWAY_JWT_ISSUER", "JwtIssuer"),
    ("GATEWAY_JWT_AUDIENCE", "JwtAudience"),
    ("GATEWAY_JWT_ORG_CLAIM", "JwtOrgClaim"),
    ("GATEWAY_JWT_ROLE_CLAIM", "JwtRoleClaim"),
    ("GATEWAY_ROLE_CAPABILITIES", "RoleCapabilities"),
];

/// The CloudWatch Logs filter patterns on the functions' log groups, and the metric each feeds.
const SERVER_ERRORS: &str = r#"{ ($.fields.message = "request") && (($.span.code = "internal") || ($.span.code = "unavailable") || ($.span.code = "upstream_unavailable") || ($.span.code = "upstream_timeout") || ($.span.code = "not_implemented")) }"#;
const JWKS_FAILURES: &str =
    r#"{ $.fields.message = "JWKS fetch failed; cached keys stay until they expire" }"#;
const CONNECTION_FAILURES: &str = r#"{ ($.fields.message = "request") && (($.span.code = "upstream_unavailable") || ($.span.code = "upstream_timeout")) }"#;
const REPLAYS: &str = r#"{ ($.fields.message = "request") && ($.span.replayed IS TRUE) }"#;

/// The access log's variables: what each request line may hold. No path (group JIDs; a legacy
/// one holds a phone number), no header but the user agent, no query.
const ACCESS_LOG_VARIABLES: [&str; 12] = [
    "$context.requestId",
    "$context.identity.sourceIp",
    "$context.requestTime",
    "$context.routeKey",
    "$context.status",
    "$context.responseLength",
    "$context.responseLatency",
    "$context.integrationStatus",
    "$context.integrationLatency",
    "$context.integrationErrorMessage",
    "$context.error.message",
    "$context.identity.userAgent",
];

// ---- reading the template ------------------------------------------------------------------

fn load(file: &str) -> Value {
    let path = format!("{}/../{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_norway::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn template() -> &'static Value {
    static TEMPLATE: OnceLock<Value> = OnceLock::new();
    TEMPLATE.get_or_init(|| load("template.yaml"))
}

fn resource(name: &str) -> &'static Value {
    let resource = &template()["Resources"][name];
    assert!(!resource.is_null(), "template.yaml has no resource {name}");
    resource
}

fn resources_of_type(kind: &str) -> Vec<(String, &'static Value)> {
    template()["Resources"]
        .as_mapping()
        .expect("template.yaml has resources")
        .iter()
        .filter(|(_, r)| r["Type"].as_str() == Some(kind))
        .map(|(name, r)| (name.as_str().unwrap().to_owned(), r))
        .collect()
}

fn function(f: &Function) -> &'static Value {
    resource(&format!("{}Function", f.name))
}

fn globals() -> &'static Value {
    &template()["Globals"]["Function"]
}

/// The value under a short-form intrinsic such as `!Ref` or `!GetAtt`.
fn tagged<'v>(value: &'v Value, tag: &str) -> Option<&'v Value> {
    match value {
        Value::Tagged(tagged) if tagged.tag == tag => Some(&tagged.value),
        _ => None,
    }
}

fn is_ref(value: &Value, name: &str) -> bool {
    tagged(value, "Ref").and_then(Value::as_str) == Some(name)
}

fn is_get_att(value: &Value, attribute: &str) -> bool {
    tagged(value, "GetAtt").and_then(Value::as_str) == Some(attribute)
}

fn is_sub(value: &Value, text: &str) -> bool {
    tagged(value, "Sub").and_then(Value::as_str) == Some(text)
}

/// `!If [condition, then, else]`.
fn if_branches(value: &Value) -> Option<(&str, &Value, &Value)> {
    let branches = tagged(value, "If")?.as_sequence()?;
    match branches.as_slice() {
        [condition, then, otherwise] => Some((condition.as_str()?, then, otherwise)),
        _ => None,
    }
}

/// A string or a list of strings.
fn strings(value: &Value) -> Vec<String> {
    match value.as_sequence() {
        Some(items) => items
            .iter()
            .map(|v| v.as_str().expect("a string").to_owned())
            .collect(),
        None => vec![value.as_str().expect("a string").to_owned()],
    }
}

fn json_text(value: &Value) -> String {
    serde_json::to_string(value).unwrap()
}

/// Every statement of a function's policies; `!If` policies with both branches. Policies are
/// inline statements only: a SAM policy template would hide what it grants.
fn statements(function: &Value) -> Vec<&Value> {
    let mut out = Vec::new();
    let policies = function["Properties"]["Policies"]
        .as_sequence()
        .map(Vec::as_slice)
        .unwrap_or_default();
    for policy in policies {
        let documents = match if_branches(policy) {
            Some((_, then, otherwise)) => vec![then, otherwise],
            None => vec![policy],
        };
        for document in documents {
            if is_ref(document, "AWS::NoValue") {
                continue;
            }
            let listed = document["Statement"]
                .as_sequence()
                .unwrap_or_else(|| panic!("not an inline policy: {}", json_text(document)));
            out.extend(listed);
        }
    }
    out
}

/// `(action, partition-key prefix)` pairs a function's DynamoDB statements allow.
fn dynamodb_grants(f: &Function) -> BTreeSet<(String, String)> {
    let mut grants = BTreeSet::new();
    for statement in statements(function(f)) {
        let actions = strings(&statement["Action"]);
        if !actions.iter().any(|a| a.starts_with("dynamodb:")) {
            continue;
        }
        let context = format!("{}: {}", f.name, json_text(statement));
        assert!(
            actions.iter().all(|a| a.starts_with("dynamodb:")),
            "{context}"
        );
        assert_eq!(statement["Effect"].as_str(), Some("Allow"), "{context}");
        assert!(
            is_get_att(&statement["Resource"], "GatewayTable.Arn"),
            "the table itself, never its index or another table: {context}"
        );
        let condition = statement["Condition"].as_mapping().unwrap_or_else(|| {
            panic!("every DynamoDB statement names its key prefixes: {context}")
        });
        assert_eq!(condition.len(), 1, "{context}");
        let operator = condition
            .get("ForAllValues:StringLike")
            .and_then(Value::as_mapping)
            .unwrap_or_else(|| panic!("ForAllValues:StringLike: {context}"));
        assert_eq!(operator.len(), 1, "{context}");
        let prefixes = strings(
            operator
                .get("dynamodb:LeadingKeys")
                .unwrap_or_else(|| panic!("dynamodb:LeadingKeys: {context}")),
        );
        for action in &actions {
            for prefix in &prefixes {
                let action = action.strip_prefix("dynamodb:").unwrap().to_owned();
                grants.insert((action, prefix.clone()));
            }
        }
    }
    grants
}

fn expected_grants(f: &Function) -> BTreeSet<(String, String)> {
    let mut grants = BTreeSet::new();
    for (actions, prefixes) in [f.reads, f.writes] {
        for action in actions {
            for prefix in prefixes {
                grants.insert(((*action).to_owned(), (*prefix).to_owned()));
            }
        }
    }
    grants
}

/// Every `{Name: FunctionName, Value: ...}` dimension of an alarm, plain or in its metric math.
fn alarm_metrics(alarm: &Value) -> Vec<&Value> {
    let properties = &alarm["Properties"];
    match properties["Metrics"].as_sequence() {
        Some(metrics) => metrics
            .iter()
            .filter(|m| !m["MetricStat"].is_null())
            .map(|m| &m["MetricStat"])
            .collect(),
        None => vec![properties],
    }
}

fn measures_function(alarm: &Value, function: &str) -> bool {
    alarm_metrics(alarm).iter().any(|metric| {
        let dimensions = if metric["Metric"].is_null() {
            &metric["Dimensions"]
        } else {
            &metric["Metric"]["Dimensions"]
        };
        dimensions.as_sequence().is_some_and(|dimensions| {
            dimensions.iter().any(|d| {
                d["Name"].as_str() == Some("FunctionName") && is_ref(&d["Value"], function)
            })
        })
    })
}

fn period(metric: &Value) -> u64 {
    metric["Period"].as_u64().expect("a period")
}

fn environment(value: &Value) -> BTreeMap<String, &Value> {
    value["Environment"]["Variables"]
        .as_mapping()
        .map(|variables| {
            variables
                .iter()
                .map(|(k, v)| (k.as_str().unwrap().to_owned(), v))
                .collect()
        })
        .unwrap_or_default()
}

// ---- the functions -------------------------------------------------------------------------

#[test]
fn the_template_has_exactly_the_functions_of_the_table() {
    let declared: BTreeSet<String> = resources_of_type("AWS::Serverless::Function")
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    let expected: BTreeSet<String> = FUNCTIONS
        .iter()
        .map(|f| format!("{}Function", f.name))
        .collect();
    assert_eq!(declared, expected);
}

#[test]
fn every_function_is_built_and_run_alike() {
    let globals = globals();
    assert_eq!(globals["Runtime"].as_str(), Some("provided.al2023"));
    assert_eq!(globals["Handler"].as_str(), Some("bootstrap"));
    assert!(
        globals["Architectures"].is_null(),
        "Architectures in Globals and in a function would be merged into two items"
    );
    for f in &FUNCTIONS {
        let declared = function(f);
        let properties = &declared["Properties"];
        let name = f.name;
        assert_eq!(
            declared["Metadata"]["BuildMethod"].as_str(),
            Some("rust-cargolambda"),
            "{name}"
        );
        assert_eq!(
            declared["Metadata"]["BuildProperties"]["Binary"].as_str(),
            Some(f.binary),
            "{name}"
        );
        assert_eq!(properties["CodeUri"].as_str(), Some("."), "{name}");
        let architectures = properties["Architectures"].as_sequence().expect(name);
        assert_eq!(architectures.len(), 1, "{name}");
        assert!(is_ref(&architectures[0], "Architecture"), "{name}");
        // Its own log group, with the stack's retention.
        let log_group = format!("{name}LogGroup");
        assert!(
            is_ref(&properties["LoggingConfig"]["LogGroup"], &log_group),
            "{name}"
        );
        assert_eq!(
            resource(&log_group)["Type"].as_str(),
            Some("AWS::Logs::LogGroup")
        );
        assert!(is_ref(
            &resource(&log_group)["Properties"]["RetentionInDays"],
            "LogRetentionDays"
        ));
        let timeout = properties["Timeout"]
            .as_u64()
            .or(globals["Timeout"].as_u64())
            .unwrap();
        match f.kind {
            // Below API Gateway's 30 s: the caller always gets our answer.
            Kind::Read | Kind::Live => assert!(timeout < 30, "{name}"),
            Kind::Ingest => assert_eq!(timeout, 60, "{name}"),
        }
    }
}

#[test]
fn routes_are_the_api_functions_and_the_queue_feeds_the_ingest_function() {
    for f in &FUNCTIONS {
        let events = function(f)["Properties"]["Events"]
            .as_mapping()
            .unwrap_or_else(|| panic!("{} has no events", f.name));
        assert_eq!(events.len(), 1, "{}: one event", f.name);
        let (_, event) = events.iter().next().unwrap();
        let properties = &event["Properties"];
        match f.route {
            Some((method, path)) => {
                assert_eq!(event["Type"].as_str(), Some("HttpApi"), "{}", f.name);
                assert!(is_ref(&properties["ApiId"], "HttpApi"), "{}", f.name);
                assert_eq!(properties["Method"].as_str(), Some(method), "{}", f.name);
                assert_eq!(properties["Path"].as_str(), Some(path), "{}", f.name);
            }
            None => {
                assert_eq!(event["Type"].as_str(), Some("SQS"), "{}", f.name);
                assert!(is_get_att(&properties["Queue"], "GroupEventsQueue.Arn"));
                let types = strings(&properties["FunctionResponseTypes"]);
                assert_eq!(types, ["ReportBatchItemFailures"]);
                let batch = properties["BatchSize"].as_u64().expect("a batch size");
                let window = properties["MaximumBatchingWindowInSeconds"]
                    .as_u64()
                    .expect("a batching window");
                assert!((1..=10_000).contains(&batch));
                // More than 10 a batch needs a window.
                assert!(batch <= 10 || window >= 1);
                assert!(is_ref(
                    &properties["ScalingConfig"]["MaximumConcurrency"],
                    "IngestMaximumConcurrency"
                ));
            }
        }
    }
}

#[test]
fn dynamodb_permissions_are_exactly_the_table_of_this_test() {
    for f in &FUNCTIONS {
        assert_eq!(
            dynamodb_grants(f),
            expected_grants(f),
            "{}: DynamoDB (action, key prefix) pairs",
            f.name
        );
    }
}

#[test]
fn read_functions_never_write_nor_read_idempotency_records() {
    for f in FUNCTIONS.iter().filter(|f| f.kind == Kind::Read) {
        let grants = dynamodb_grants(f);
        let writes: Vec<_> = grants
            .iter()
            .filter(|(action, _)| !GET_BATCH_QUERY.contains(&action.as_str()))
            .collect();
        assert!(writes.is_empty(), "{} may write: {writes:?}", f.name);
        assert!(
            grants.iter().all(|(_, prefix)| prefix != IDEMPOTENCY),
            "{} may read stored responses of any organization",
            f.name
        );
    }
    for f in &FUNCTIONS {
        let grants = dynamodb_grants(f);
        for (action, prefix) in &grants {
            if !GET_BATCH_QUERY.contains(&action.as_str()) {
                assert_ne!(prefix, APIKEY, "{} may write API keys", f.name);
            }
        }
        if f.kind == Kind::Ingest {
            assert!(
                grants
                    .iter()
                    .all(|(_, prefix)| prefix == SESSION || prefix == GROUP),
                "the ingest function reaches sessions, groups and members only"
            );
        }
    }
}

#[test]
fn only_live_functions_see_the_connection_service() {
    for f in &FUNCTIONS {
        let declared = function(f);
        let live = f.kind == Kind::Live;
        let mut secret = 0;
        let mut decrypt = 0;
        for statement in statements(declared) {
            for action in strings(&statement["Action"]) {
                match action.as_str() {
                    "secretsmanager:GetSecretValue" => {
                        secret += 1;
                        let (condition, created, given) = if_branches(&statement["Resource"])
                            .expect("the stack's secret or the given one");
                        assert_eq!(condition, "CreateConnectionSecret");
                        assert!(is_ref(created, "ConnectionSecret"));
                        assert!(is_ref(given, "ConnectionSecretArn"));
                    }
                    "kms:Decrypt" => {
                        decrypt += 1;
                        assert!(is_ref(&statement["Resource"], "ConnectionSecretKmsKeyArn"));
                        assert!(is_sub(
                            &statement["Condition"]["StringEquals"]["kms:ViaService"],
                            "secretsmanager.${AWS::Region}.${AWS::URLSuffix}"
                        ));
                    }
                    other => assert!(
                        other.starts_with("dynamodb:"),
                        "{}: unexpected action {other}",
                        f.name
                    ),
                }
            }
        }
        assert_eq!(
            (secret, decrypt),
            if live { (1, 1) } else { (0, 0) },
            "{}",
            f.name
        );
        if !live {
            let text = json_text(declared);
            for word in ["ConnectionUrl", "ConnectionSecret", "GATEWAY_CONNECTION"] {
                assert!(!text.contains(word), "{} mentions {word}", f.name);
            }
        }
    }
}

#[test]
fn each_function_gets_the_settings_of_its_kind_and_no_more() {
    let global = environment(globals());
    assert_eq!(
        global.keys().collect::<Vec<_>>(),
        ["GATEWAY_TABLE"],
        "Globals: only what every function needs"
    );
    assert!(is_ref(global["GATEWAY_TABLE"], "GatewayTable"));
    assert!(
        !json_text(template()).contains("RUST_LOG"),
        "the log level comes from LoggingConfig"
    );
    for f in &FUNCTIONS {
        let variables = environment(&function(f)["Properties"]);
        let mut expected: BTreeMap<&str, &str> = BTreeMap::new();
        if f.kind != Kind::Ingest {
            expected.extend(LOGIN_ENV);
        }
        expected.extend(f.extra_env.iter().copied());
        let names: BTreeSet<&str> = variables.keys().map(String::as_str).collect();
        let mut expected_names: BTreeSet<&str> = expected.keys().copied().collect();
        if f.kind == Kind::Live {
            expected_names.extend(["GATEWAY_CONNECTION_URL", "GATEWAY_CONNECTION_TOKEN_SECRET"]);
        }
        assert_eq!(names, expected_names, "{}", f.name);
        for (variable, parameter) in expected {
            assert!(
                is_ref(variables[variable], parameter),
                "{}: {variable}",
                f.name
            );
        }
        if f.kind == Kind::Live {
            assert!(is_ref(variables["GATEWAY_CONNECTION_URL"], "ConnectionUrl"));
            let (condition, created, given) =
                if_branches(variables["GATEWAY_CONNECTION_TOKEN_SECRET"]).unwrap();
            assert_eq!(condition, "CreateConnectionSecret");
            assert!(is_ref(created, "ConnectionSecret"));
            assert!(is_ref(given, "ConnectionSecretArn"));
        }
    }
}

// ---- releases, roles, logs -----------------------------------------------------------------

#[test]
fn every_function_is_released_through_its_alias_with_rollback_alarms() {
    let globals = globals();
    assert_eq!(globals["AutoPublishAlias"].as_str(), Some("live"));
    let preference = &globals["DeploymentPreference"];
    assert!(is_sub(
        &preference["Type"],
        "CodeDeployDefault.Lambda${DeploymentType}"
    ));
    // A role of our own (with the boundary): SAM then makes none.
    assert!(is_get_att(&preference["Role"], "CodeDeployRole.Arn"));
    let deployment_type = &template()["Parameters"]["DeploymentType"];
    assert!(
        deployment_type["Default"]
            .as_str()
            .unwrap()
            .starts_with("Canary")
    );
    assert!(strings(&deployment_type["AllowedValues"]).contains(&"AllAtOnce".to_owned()));
    for f in &FUNCTIONS {
        let properties = &function(f)["Properties"];
        let name = f.name;
        assert!(
            properties["AutoPublishAlias"].is_null()
                && properties["DeploymentPreference"]["Type"].is_null(),
            "{name}: releases as Globals say"
        );
        // A version on any change of the function's properties or of ConfigRevision.
        assert_eq!(
            properties["AutoPublishAliasAllProperties"].as_bool(),
            Some(true),
            "{name}"
        );
        assert!(
            tagged(&properties["VersionDescription"], "Sub")
                .and_then(Value::as_str)
                .is_some_and(|text| text.contains("${ConfigRevision}")),
            "{name}"
        );
        let alarms = properties["DeploymentPreference"]["Alarms"]
            .as_sequence()
            .unwrap_or_else(|| panic!("{name} has no rollback alarms"));
        let errors = format!("{name}ErrorsAlarm");
        let duration = format!("{name}DurationAlarm");
        assert_eq!(alarms.len(), 2, "{name}");
        assert!(is_ref(&alarms[0], &errors), "{name}");
        assert!(is_ref(&alarms[1], &duration), "{name}");
        for alarm in [&errors, &duration] {
            let alarm = resource(alarm);
            assert!(
                measures_function(alarm, &format!("{name}Function")),
                "{name}: the alarm measures another function"
            );
            // One-minute periods: it can go off during a canary's first minutes.
            for metric in alarm_metrics(alarm) {
                assert!(period(metric) <= 60, "{name}");
            }
        }
        // The Errors alarm also counts 500 `internal` answers, which are not failed invocations.
        if f.kind != Kind::Ingest {
            let counts_internal = alarm_metrics(resource(&errors)).iter().any(|m| {
                m["Metric"]["MetricName"].as_str() == Some("ServerErrors")
                    && json_text(&m["Metric"]["Dimensions"]).contains(f.operation)
            });
            assert!(counts_internal, "{name}");
        }
    }
}

#[test]
fn provisioned_concurrency_on_the_read_functions_alias_only() {
    for f in &FUNCTIONS {
        let properties = &function(f)["Properties"];
        let provisioned = &properties["ProvisionedConcurrencyConfig"];
        if f.kind == Kind::Read {
            let (condition, on, off) = if_branches(provisioned).expect(f.name);
            assert_eq!(condition, "HasProvisionedConcurrency");
            assert!(is_ref(
                &on["ProvisionedConcurrentExecutions"],
                "ProvisionedConcurrency"
            ));
            assert!(is_ref(off, "AWS::NoValue"));
        } else {
            assert!(provisioned.is_null(), "{}", f.name);
        }
        let reserved = &properties["ReservedConcurrentExecutions"];
        if f.kind == Kind::Ingest {
            // Its event source's MaximumConcurrency bounds it; reserving fewer would throttle
            // batches back to the queue, towards the dead-letter queue.
            assert!(reserved.is_null());
        } else {
            let (condition, on, off) = if_branches(reserved).expect(f.name);
            assert_eq!(condition, "HasReservedConcurrency");
            assert!(is_ref(on, "ReservedConcurrency"));
            assert!(is_ref(off, "AWS::NoValue"));
        }
    }
    assert!(globals()["ProvisionedConcurrencyConfig"].is_null());
}

#[test]
fn every_role_of_the_stack_has_the_permissions_boundary() {
    assert!(is_ref(
        &globals()["PermissionsBoundary"],
        "PermissionsBoundary"
    ));
    let parameter = &template()["Parameters"]["PermissionsBoundary"];
    assert!(parameter["Default"].is_null(), "the boundary is required");
    for f in &FUNCTIONS {
        let properties = &function(f)["Properties"];
        assert!(
            properties["PermissionsBoundary"].is_null(),
            "{}: the global boundary",
            f.name
        );
        assert!(
            properties["Role"].is_null(),
            "{}: a role of SAM's making, with the boundary",
            f.name
        );
    }
    let roles = resources_of_type("AWS::IAM::Role");
    assert!(!roles.is_empty());
    for (name, role) in roles {
        assert!(
            is_ref(
                &role["Properties"]["PermissionsBoundary"],
                "PermissionsBoundary"
            ),
            "{name}"
        );
    }
}

#[test]
fn the_deploy_role_creates_roles_only_with_the_boundary() {
    let deploy = load("deploy/github-oidc-role.yaml");
    let execution = &deploy["Resources"]["CloudFormationExecutionRole"]["Properties"];
    let statements: Vec<&Value> = execution["Policies"]
        .as_sequence()
        .unwrap()
        .iter()
        .flat_map(|p| p["PolicyDocument"]["Statement"].as_sequence().unwrap())
        .collect();
    let boundary_condition = |statement: &Value| {
        is_ref(
            &statement["Condition"]["StringEquals"]["iam:PermissionsBoundary"],
            "StackRoleBoundary",
        )
    };
    let guarded = [
        "iam:CreateRole",
        "iam:PutRolePolicy",
        "iam:DeleteRolePolicy",
        "iam:AttachRolePolicy",
        "iam:DetachRolePolicy",
        "iam:PutRolePermissionsBoundary",
    ];
    for statement in statements
        .iter()
        .filter(|s| s["Effect"].as_str() == Some("Allow"))
    {
        for action in strings(&statement["Action"]) {
            assert_ne!(action, "iam:*");
            if guarded.contains(&action.as_str()) {
                assert!(
                    boundary_condition(statement),
                    "{action} without the boundary condition"
                );
            }
        }
    }
    let denied: BTreeSet<String> = statements
        .iter()
        .filter(|s| s["Effect"].as_str() == Some("Deny"))
        .flat_map(|s| strings(&s["Action"]))
        .collect();
    for action in [
        "iam:DeleteRolePermissionsBoundary",
        "iam:CreatePolicyVersion",
        "iam:SetDefaultPolicyVersion",
    ] {
        assert!(denied.contains(action), "{action} is not denied");
    }
    assert!(is_ref(
        &deploy["Outputs"]["PermissionsBoundaryArn"]["Value"],
        "StackRoleBoundary"
    ));
}

#[test]
fn tracing_and_logs_come_from_parameters() {
    let globals = globals();
    assert!(is_ref(&globals["Tracing"], "Tracing"));
    let tracing = &template()["Parameters"]["Tracing"];
    assert_eq!(tracing["Default"].as_str(), Some("PassThrough"));
    assert_eq!(
        strings(&tracing["AllowedValues"]),
        ["Active", "PassThrough"]
    );
    let logging = &globals["LoggingConfig"];
    assert_eq!(logging["LogFormat"].as_str(), Some("JSON"));
    let level = tagged(&logging["ApplicationLogLevel"], "FindInMap")
        .and_then(Value::as_sequence)
        .expect("the level from the LogLevel parameter");
    assert_eq!(level[0].as_str(), Some("LambdaLogLevel"));
    assert!(is_ref(&level[1], "LogLevel"));
    let mapping = &template()["Mappings"]["LambdaLogLevel"];
    for value in strings(&template()["Parameters"]["LogLevel"]["AllowedValues"]) {
        assert_eq!(
            mapping[value.as_str()]["Level"].as_str(),
            Some(value.to_uppercase().as_str())
        );
    }
}

// ---- the HTTP API --------------------------------------------------------------------------

#[test]
fn live_routes_are_throttled_harder_and_cors_allows_every_method() {
    let api = &resource("HttpApi")["Properties"];
    let settings = api["RouteSettings"].as_mapping().unwrap();
    let throttled: BTreeSet<String> = settings
        .iter()
        .map(|(key, _)| key.as_str().unwrap().to_owned())
        .collect();
    let live: BTreeSet<String> = FUNCTIONS
        .iter()
        .filter(|f| f.kind == Kind::Live)
        .map(|f| {
            let (method, path) = f.route.unwrap();
            format!("{method} {path}")
        })
        .collect();
    assert_eq!(throttled, live);
    for (route, setting) in settings {
        assert!(
            is_ref(&setting["ThrottlingRateLimit"], "LiveRateLimit"),
            "{route:?}"
        );
        assert!(
            is_ref(&setting["ThrottlingBurstLimit"], "LiveBurstLimit"),
            "{route:?}"
        );
    }
    let methods: BTreeSet<String> = strings(&api["CorsConfiguration"]["AllowMethods"])
        .into_iter()
        .collect();
    let routed: BTreeSet<String> = FUNCTIONS
        .iter()
        .filter_map(|f| f.route.map(|(method, _)| method.to_owned()))
        .collect();
    assert_eq!(methods, routed);
}

#[test]
fn the_access_log_names_routes_never_paths_headers_or_queries() {
    let format = api_access_log_format();
    assert!(format.contains("$context.routeKey"));
    for forbidden in [
        "$context.path",
        "$request.path",
        "$request.header",
        "$request.querystring",
        "$request.multivalue",
        "$context.requestOverride",
        "$input",
        "$context.authorizer",
    ] {
        assert!(!format.contains(forbidden), "{forbidden}");
    }
    // Every variable is one of the allowed list.
    let used: BTreeSet<&str> = format
        .match_indices('$')
        .map(|(at, _)| {
            let rest = &format[at..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '$'))
                .unwrap_or(rest.len());
            &rest[..end]
        })
        .collect();
    let allowed: BTreeSet<&str> = ACCESS_LOG_VARIABLES.into_iter().collect();
    assert_eq!(used, allowed);
    // One JSON object a line.
    let line: Json = serde_json::from_str(&format).expect("the format is JSON");
    assert!(line.get("path").is_none());
}

fn api_access_log_format() -> String {
    resource("HttpApi")["Properties"]["AccessLogSettings"]["Format"]
        .as_str()
        .unwrap()
        .to_owned()
}

// ---- the events queue ----------------------------------------------------------------------

#[test]
fn the_events_queue_retries_five_times_then_keeps_events_aside() {
    let queue = &resource("GroupEventsQueue")["Properties"];
    let dead = &resource("GroupEventsDeadLetterQueue")["Properties"];
    for properties in [queue, dead] {
        assert_eq!(properties["SqsManagedSseEnabled"].as_bool(), Some(true));
        assert!(properties["FifoQueue"].is_null(), "a standard queue");
    }
    let redrive = &queue["RedrivePolicy"];
    assert_eq!(redrive["maxReceiveCount"].as_u64(), Some(5));
    assert!(is_get_att(
        &redrive["deadLetterTargetArn"],
        "GroupEventsDeadLetterQueue.Arn"
    ));
    // A message keeps its first enqueue time in the dead-letter queue.
    let kept = queue["MessageRetentionPeriod"].as_u64().unwrap();
    assert_eq!(
        dead["MessageRetentionPeriod"].as_u64(),
        Some(14 * 24 * 3600)
    );
    assert!(kept < 14 * 24 * 3600);
    // AWS's guidance: at least six times the function's timeout plus the batching window.
    let ingest = &resource("IngestEventsFunction")["Properties"];
    let timeout = ingest["Timeout"].as_u64().unwrap();
    let window = ingest["Events"]["Queue"]["Properties"]["MaximumBatchingWindowInSeconds"]
        .as_u64()
        .unwrap();
    let visibility = queue["VisibilityTimeout"].as_u64().unwrap();
    assert!(visibility >= 6 * timeout + window, "{visibility}");
}

#[test]
fn the_connection_service_may_only_send_to_the_queue() {
    let policy = &resource("EventsPublisherPolicy");
    assert_eq!(policy["Type"].as_str(), Some("AWS::IAM::ManagedPolicy"));
    let statements = policy["Properties"]["PolicyDocument"]["Statement"]
        .as_sequence()
        .unwrap();
    assert_eq!(statements.len(), 1);
    let statement = &statements[0];
    assert_eq!(statement["Effect"].as_str(), Some("Allow"));
    assert_eq!(strings(&statement["Action"]), ["sqs:SendMessage"]);
    assert!(is_get_att(&statement["Resource"], "GroupEventsQueue.Arn"));
    assert!(statement["Condition"].is_null() && statement["NotAction"].is_null());
    let outputs = &template()["Outputs"];
    assert!(is_ref(
        &outputs["EventsQueueUrl"]["Value"],
        "GroupEventsQueue"
    ));
    assert!(is_get_att(
        &outputs["EventsQueueArn"]["Value"],
        "GroupEventsQueue.Arn"
    ));
    assert!(is_ref(
        &outputs["EventsPublisherPolicyArn"]["Value"],
        "EventsPublisherPolicy"
    ));
}

#[test]
fn the_queues_are_watched() {
    let alarms = resources_of_type("AWS::CloudWatch::Alarm");
    let on_queue = |queue: &str, metric: &str| {
        alarms.iter().find(|(_, alarm)| {
            let p = &alarm["Properties"];
            p["Namespace"].as_str() == Some("AWS/SQS")
                && p["MetricName"].as_str() == Some(metric)
                && p["Dimensions"].as_sequence().is_some_and(|d| {
                    d.iter()
                        .any(|d| is_get_att(&d["Value"], &format!("{queue}.QueueName")))
                })
        })
    };
    let (_, dead) = on_queue(
        "GroupEventsDeadLetterQueue",
        "ApproximateNumberOfMessagesVisible",
    )
    .expect("an alarm on the dead-letter queue's depth");
    assert_eq!(dead["Properties"]["Threshold"].as_u64(), Some(1));
    assert_eq!(
        dead["Properties"]["ComparisonOperator"].as_str(),
        Some("GreaterThanOrEqualToThreshold")
    );
    let (_, age) = on_queue("GroupEventsQueue", "ApproximateAgeOfOldestMessage")
        .expect("an alarm on the oldest event's age");
    assert!(is_ref(
        &age["Properties"]["Threshold"],
        "EventsAgeAlarmSeconds"
    ));
}

// ---- metric filters and alarms -------------------------------------------------------------

/// `(filter pattern, metric)` on each function's log group.
fn filters_by_log_group() -> BTreeMap<String, BTreeSet<(String, String)>> {
    let mut filters: BTreeMap<String, BTreeSet<(String, String)>> = BTreeMap::new();
    for (name, filter) in resources_of_type("AWS::Logs::MetricFilter") {
        let properties = &filter["Properties"];
        let log_group = tagged(&properties["LogGroupName"], "Ref")
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("{name}: a log group of the stack"))
            .to_owned();
        let transformations = properties["MetricTransformations"].as_sequence().unwrap();
        assert_eq!(transformations.len(), 1, "{name}");
        let metric = &transformations[0];
        assert!(
            is_sub(&metric["MetricNamespace"], "GroupApi/${AWS::StackName}"),
            "{name}: one namespace for the stack"
        );
        assert_eq!(metric["MetricValue"].as_str(), Some("1"), "{name}");
        let metric_name = metric["MetricName"].as_str().unwrap().to_owned();
        let dimensions: BTreeMap<String, String> = metric["Dimensions"]
            .as_sequence()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .map(|d| {
                (
                    d["Key"].as_str().unwrap().to_owned(),
                    d["Value"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        if metric_name == "ServerErrors" {
            assert_eq!(
                dimensions,
                BTreeMap::from([
                    ("Code".to_owned(), "$.span.code".to_owned()),
                    ("Operation".to_owned(), "$.span.operation".to_owned()),
                ]),
                "{name}"
            );
        } else {
            assert!(dimensions.is_empty(), "{name}");
        }
        let pattern = properties["FilterPattern"].as_str().unwrap().to_owned();
        filters
            .entry(log_group)
            .or_default()
            .insert((pattern, metric_name));
    }
    filters
}

#[test]
fn each_log_group_has_the_filters_of_its_function() {
    let mut filters = filters_by_log_group();
    for f in &FUNCTIONS {
        let mut expected = BTreeSet::new();
        if f.kind != Kind::Ingest {
            expected.insert((SERVER_ERRORS.to_owned(), "ServerErrors".to_owned()));
            expected.insert((JWKS_FAILURES.to_owned(), "JwksFetchFailures".to_owned()));
        }
        if f.kind == Kind::Live {
            expected.insert((
                CONNECTION_FAILURES.to_owned(),
                "ConnectionFailures".to_owned(),
            ));
        }
        if IDEMPOTENT.contains(&f.operation) {
            expected.insert((REPLAYS.to_owned(), "IdempotentReplays".to_owned()));
        }
        let actual = filters
            .remove(&format!("{}LogGroup", f.name))
            .unwrap_or_default();
        assert_eq!(actual, expected, "{}", f.name);
    }
    assert!(
        filters.is_empty(),
        "filters on other log groups: {filters:?}"
    );
}

#[test]
fn every_custom_metric_has_its_alarm_and_every_alarm_notifies() {
    let alarms = resources_of_type("AWS::CloudWatch::Alarm");
    for metric in [
        "ConnectionFailures",
        "JwksFetchFailures",
        "IdempotentReplays",
    ] {
        assert!(
            alarms.iter().any(|(_, alarm)| {
                let p = &alarm["Properties"];
                p["MetricName"].as_str() == Some(metric)
                    && is_sub(&p["Namespace"], "GroupApi/${AWS::StackName}")
            }),
            "no alarm on {metric}"
        );
    }
    for (name, alarm) in &alarms {
        for actions in ["AlarmActions", "OKActions"] {
            let (condition, _, _) =
                if_branches(&alarm["Properties"][actions]).unwrap_or_else(|| panic!("{name}"));
            assert_eq!(condition, "HasAlarmTopic", "{name}");
        }
    }
}

/// The patterns, evaluated the way CloudWatch Logs evaluates JSON filter patterns (the subset
/// they use), over lines our functions write.
#[test]
fn the_filter_patterns_match_the_lines_they_are_meant_for() {
    let request = |status: u16, code: Option<&str>, replayed: bool| {
        let mut span = json!({"request_id": "r", "operation": "createGroup", "org": "o"});
        if let Some(code) = code {
            span["code"] = json!(code);
        }
        if replayed {
            span["replayed"] = json!(true);
        }
        json!({"level": "INFO", "fields": {"message": "request", "status": status,
            "latency_ms": 1.5}, "span": span})
    };
    // The 5xx the functions answer, from the errors crate itself.
    let server_errors = [
        ApiError::internal("bug"),
        ApiError::unavailable("throttled"),
        ApiError::UpstreamUnavailable(None),
        ApiError::UpstreamTimeout {
            outcome_unknown: false,
        },
        ApiError::NotConnected,
    ];
    for error in &server_errors {
        assert!(error.status().is_server_error());
        let line = request(error.status().as_u16(), Some(error.code()), false);
        assert!(matches(SERVER_ERRORS, &line), "{}", error.code());
        assert!(!matches(JWKS_FAILURES, &line));
        let upstream = error.status().as_u16() == 502 || error.status().as_u16() == 504;
        assert_eq!(
            matches(CONNECTION_FAILURES, &line),
            upstream,
            "{}",
            error.code()
        );
    }
    for (status, code) in [
        (201, None),
        (404, Some("not_found")),
        (429, Some("rate_limited")),
    ] {
        let line = request(status, code, false);
        for pattern in [SERVER_ERRORS, CONNECTION_FAILURES, REPLAYS, JWKS_FAILURES] {
            assert!(!matches(pattern, &line), "{pattern} {line}");
        }
    }
    // An error's own log line carries the request's span: it must not count twice.
    let failed = json!({"level": "ERROR", "fields": {"message": "request failed", "status": 504,
        "code": "upstream_timeout"}, "span": {"operation": "createGroup",
        "code": "upstream_timeout"}});
    assert!(!matches(SERVER_ERRORS, &failed) && !matches(CONNECTION_FAILURES, &failed));
    assert!(matches(REPLAYS, &request(201, None, true)));
    assert!(!matches(REPLAYS, &request(201, None, false)));
    let jwks = json!({"level": "WARN", "fields": {"message":
        "JWKS fetch failed; cached keys stay until they expire", "url": "https://x", "error": "e"},
        "span": {"operation": "listGroups"}});
    assert!(matches(JWKS_FAILURES, &jwks) && !matches(SERVER_ERRORS, &jwks));
    // The JWKS message is one the code writes.
    assert!(
        source_mentions(
            "shared",
            "JWKS fetch failed; cached keys stay until they expire"
        ),
        "no code logs the JWKS filter's message"
    );
}

/// Whether any Rust file under `dir` (from the repository's root) contains `text`.
fn source_mentions(dir: &str, text: &str) -> bool {
    fn walk(dir: &std::path::Path, text: &str) -> bool {
        std::fs::read_dir(dir).unwrap().any(|entry| {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, text)
            } else {
                path.extension().is_some_and(|e| e == "rs")
                    && std::fs::read_to_string(&path).is_ok_and(|s| s.contains(text))
            }
        })
    }
    walk(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join(dir),
        text,
    )
}

/// CloudWatch Logs JSON filter patterns, the subset used here: `{ expr }` where expr joins
/// `$.path = "string"` and `$.path IS TRUE` with `&&`, `||` and parentheses.
fn matches(pattern: &str, line: &Json) -> bool {
    let inner = pattern
        .trim()
        .strip_prefix('{')
        .and_then(|p| p.strip_suffix('}'))
        .expect("a JSON filter pattern");
    let tokens = tokenize(inner);
    let mut at = 0;
    let result = or_expression(&tokens, &mut at, line);
    assert_eq!(at, tokens.len(), "unparsed rest of {pattern}");
    result
}

fn tokenize(text: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            ' ' => {
                chars.next();
            }
            '(' | ')' | '=' => {
                tokens.push(c.to_string());
                chars.next();
            }
            '"' => {
                chars.next();
                let mut s = String::from('"');
                for c in chars.by_ref() {
                    if c == '"' {
                        break;
                    }
                    s.push(c);
                }
                tokens.push(s);
            }
            _ => {
                let mut word = String::new();
                while let Some(&c) = chars.peek() {
                    if c == ' ' || c == '(' || c == ')' || c == '=' {
                        break;
                    }
                    word.push(c);
                    chars.next();
                }
                tokens.push(word);
            }
        }
    }
    tokens
}

fn or_expression(tokens: &[String], at: &mut usize, line: &Json) -> bool {
    let mut value = and_expression(tokens, at, line);
    while tokens.get(*at).map(String::as_str) == Some("||") {
        *at += 1;
        value |= and_expression(tokens, at, line);
    }
    value
}

fn and_expression(tokens: &[String], at: &mut usize, line: &Json) -> bool {
    let mut value = comparison(tokens, at, line);
    while tokens.get(*at).map(String::as_str) == Some("&&") {
        *at += 1;
        value &= comparison(tokens, at, line);
    }
    value
}

fn comparison(tokens: &[String], at: &mut usize, line: &Json) -> bool {
    if tokens[*at] == "(" {
        *at += 1;
        let value = or_expression(tokens, at, line);
        assert_eq!(tokens[*at], ")");
        *at += 1;
        return value;
    }
    let selector = tokens[*at]
        .strip_prefix("$.")
        .expect("a selector such as $.span.code");
    let field = selector
        .split('.')
        .try_fold(line, |value, key| value.get(key));
    let operator = tokens[*at + 1].as_str();
    let operand = tokens[*at + 2].as_str();
    *at += 3;
    match (operator, operand) {
        ("=", quoted) if quoted.starts_with('"') => {
            field.and_then(Json::as_str) == Some(&quoted[1..])
        }
        ("IS", "TRUE") => field == Some(&Json::Bool(true)),
        other => panic!("not in the subset: {other:?}"),
    }
}
