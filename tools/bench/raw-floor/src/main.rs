//! The raw floor of `make bench` for one authenticated DynamoDB read: the runtime loop and event
//! parsing of every function (`lambda_http`, a current-thread tokio runtime, as `bench-bare`),
//! and a handler that sends one `GetItem` of the group in the path, signed with SigV4 by hand,
//! over a pooled hyper client on rustls (aws-lc-rs), and answers DynamoDB's JSON as it came.
//! No AWS SDK, no authentication of the caller, no decoding: what is left is the least any
//! function must spend to read one item. get-group's warm CPU is reported as a ratio to it.

mod sigv4;

use std::sync::Arc;
use std::time::SystemTime;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use lambda_http::http::{Method, Request as HttpRequest};
use lambda_http::{Body, Error, Request, RequestExt, Response, service_fn};

use sigv4::{Credentials, Signer};

type Https = hyper_rustls::HttpsConnector<HttpConnector>;

struct Floor {
    client: Client<Https, Full<Bytes>>,
    /// `https://host[:port]` or `http://...`, no trailing slash.
    endpoint: String,
    /// The `Host` header (signed).
    host: String,
    table: String,
    signer: Signer,
}

fn env(name: &str) -> Result<String, Error> {
    std::env::var(name).map_err(|_| format!("{name} is not set").into())
}

impl Floor {
    fn from_env() -> Result<Self, Error> {
        let region = env("AWS_REGION")?;
        let endpoint = std::env::var("AWS_ENDPOINT_URL_DYNAMODB")
            .or_else(|_| std::env::var("AWS_ENDPOINT_URL"))
            .unwrap_or_else(|_| format!("https://dynamodb.{region}.amazonaws.com"));
        let endpoint = endpoint.trim_end_matches('/').to_owned();
        let host = endpoint
            .split_once("://")
            .map_or(endpoint.as_str(), |(_, rest)| rest)
            .split('/')
            .next()
            .unwrap_or_default()
            .to_owned();
        let credentials = Credentials {
            access_key_id: env("AWS_ACCESS_KEY_ID")?,
            secret_access_key: env("AWS_SECRET_ACCESS_KEY")?,
            session_token: std::env::var("AWS_SESSION_TOKEN").ok(),
        };
        Ok(Self {
            client: Client::builder(TokioExecutor::new()).build(https_connector()),
            endpoint,
            host,
            table: env("GATEWAY_TABLE")?,
            signer: Signer::new(credentials, region, "dynamodb"),
        })
    }

    async fn get_item(&self, pk: &str, sk: &str) -> Result<(u16, String), Error> {
        let body = serde_json::json!({
            "TableName": self.table,
            "Key": {"PK": {"S": pk}, "SK": {"S": sk}},
            "ConsistentRead": true,
        })
        .to_string();
        let target = "DynamoDB_20120810.GetItem";
        let content_type = "application/x-amz-json-1.0";
        let signed = self.signer.sign(
            SystemTime::now(),
            "POST",
            "/",
            &[
                ("content-type", content_type),
                ("host", &self.host),
                ("x-amz-target", target),
            ],
            body.as_bytes(),
        );
        let mut request = HttpRequest::builder()
            .method(Method::POST)
            .uri(format!("{}/", self.endpoint))
            .header("content-type", content_type)
            .header("host", &self.host)
            .header("x-amz-target", target)
            .header("x-amz-date", &signed.amz_date)
            .header("authorization", &signed.authorization)
            .header("content-length", body.len());
        if let Some(token) = &self.signer.credentials.session_token {
            request = request.header("x-amz-security-token", token);
        }
        let response = self
            .client
            .request(request.body(Full::new(Bytes::from(body)))?)
            .await?;
        let status = response.status().as_u16();
        let bytes = response.into_body().collect().await?.to_bytes();
        Ok((status, String::from_utf8(bytes.to_vec())?))
    }
}

/// rustls on aws-lc-rs with the SDK's cipher suites and its trust roots
/// (`rustls_native_certs::load_native_certs`: `SSL_CERT_FILE`/`SSL_CERT_DIR`, else the
/// system's), HTTP/1.1 only.
fn https_connector() -> Https {
    let provider = rustls::crypto::aws_lc_rs::default_provider();
    let suites = [
        rustls::CipherSuite::TLS13_AES_256_GCM_SHA384,
        rustls::CipherSuite::TLS13_AES_128_GCM_SHA256,
        rustls::CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        rustls::CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        rustls::CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        rustls::CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        rustls::CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    ];
    let cipher_suites = suites
        .iter()
        .filter_map(|s| {
            provider
                .cipher_suites
                .iter()
                .find(|c| c.suite() == *s)
                .copied()
        })
        .collect();
    let provider = Arc::new(rustls::crypto::CryptoProvider {
        cipher_suites,
        ..provider
    });
    let mut roots = rustls::RootCertStore::empty();
    roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("aws-lc-rs supports the default protocol versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(config)
        .https_or_http()
        .enable_http1()
        .build()
}

async fn handle(floor: &Floor, req: Request) -> Result<Response<Body>, Error> {
    let params = req.path_parameters_ref();
    let param = |name| params.and_then(|p| p.first(name)).unwrap_or_default();
    let pk = format!("SESSION#{}", param("session"));
    let sk = format!("GROUP#{}", param("gid"));
    let (status, item) = floor.get_item(&pk, &sk).await?;
    Ok(Response::builder()
        .status(if status == 200 { 200 } else { 502 })
        .header("content-type", "application/json")
        .body(Body::Text(item))?)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let floor = Floor::from_env()?;
    lambda_http::run(service_fn(|req| handle(&floor, req))).await
}
