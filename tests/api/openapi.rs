//! `openapi.yaml` (the public API's document) names exactly the operations the code serves:
//! the local API's routes, and the HttpApi events of `template.yaml` that deploy them.

use std::collections::BTreeSet;

use local_api::Route;
use serde_norway::Value;

/// HTTP methods as OpenAPI's path items name them.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

fn load(file: &str) -> Value {
    let path = format!("{}/../{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_norway::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// `(METHOD, path, operationId)` of every operation in the document.
fn documented() -> Vec<(String, String, String)> {
    let document = load("openapi.yaml");
    let paths = document["paths"]
        .as_mapping()
        .expect("openapi.yaml has paths");
    let mut operations = Vec::new();
    for (path, item) in paths {
        let path = path.as_str().expect("paths are strings");
        for method in METHODS {
            if let Some(operation) = item.get(method) {
                let id = operation["operationId"]
                    .as_str()
                    .unwrap_or_else(|| panic!("{method} {path} has no operationId"));
                operations.push((method.to_uppercase(), path.to_owned(), id.to_owned()));
            }
        }
    }
    operations
}

fn routes(operations: &[(String, String, String)]) -> BTreeSet<(String, String)> {
    operations
        .iter()
        .map(|(method, path, _)| (method.clone(), path.clone()))
        .collect()
}

/// `(METHOD, path)` of every HttpApi event of every function in `template.yaml`.
fn deployed() -> BTreeSet<(String, String)> {
    let template = load("template.yaml");
    let resources = template["Resources"]
        .as_mapping()
        .expect("template.yaml has resources");
    let mut routes = BTreeSet::new();
    for (_, resource) in resources {
        if resource["Type"].as_str() != Some("AWS::Serverless::Function") {
            continue;
        }
        let Some(events) = resource["Properties"]["Events"].as_mapping() else {
            continue;
        };
        for (_, event) in events {
            if event["Type"].as_str() != Some("HttpApi") {
                continue;
            }
            let properties = &event["Properties"];
            let method = properties["Method"].as_str().expect("an HttpApi Method");
            let path = properties["Path"].as_str().expect("an HttpApi Path");
            routes.insert((method.to_uppercase(), path.to_owned()));
        }
    }
    routes
}

/// `ListGroups` -> `listGroups`.
fn operation_id(route: Route) -> String {
    let name = format!("{route:?}");
    let mut chars = name.chars();
    chars
        .next()
        .map(|first| first.to_lowercase().chain(chars).collect())
        .unwrap_or_default()
}

#[test]
fn the_document_names_exactly_the_local_apis_routes() {
    let operations = documented();
    let served: BTreeSet<(String, String)> = Route::ALL
        .iter()
        .map(|(_, method, path)| (method.as_str().to_owned(), (*path).to_owned()))
        .collect();
    let documented = routes(&operations);
    assert_eq!(
        operations.len(),
        documented.len(),
        "an operation is listed twice"
    );
    let undocumented: Vec<_> = served.difference(&documented).collect();
    let unserved: Vec<_> = documented.difference(&served).collect();
    assert!(
        undocumented.is_empty() && unserved.is_empty(),
        "served but not in openapi.yaml: {undocumented:?}; in openapi.yaml but not served: {unserved:?}"
    );
}

#[test]
fn operation_ids_are_the_routes_names() {
    let operations = documented();
    for (route, method, path) in Route::ALL {
        let id = operations
            .iter()
            .find(|(m, p, _)| m == method.as_str() && p == path)
            .map(|(_, _, id)| id.clone());
        assert_eq!(id, Some(operation_id(route)), "{method} {path}");
    }
}

#[test]
fn every_route_of_the_template_is_documented() {
    let documented = routes(&documented());
    let deployed = deployed();
    assert!(!deployed.is_empty(), "template.yaml has no HttpApi events");
    let undocumented: Vec<_> = deployed.difference(&documented).collect();
    assert!(
        undocumented.is_empty(),
        "deployed by template.yaml but not in openapi.yaml: {undocumented:?}"
    );
    // And the other way round: an operation in the document that nothing deploys would be
    // an answer of API Gateway's own 404 in production.
    let undeployed: Vec<_> = documented.difference(&deployed).collect();
    assert!(
        undeployed.is_empty(),
        "in openapi.yaml but not deployed by template.yaml: {undeployed:?}"
    );
}

#[test]
fn operation_id_of_a_route() {
    assert_eq!(operation_id(Route::ListGroups), "listGroups");
}
