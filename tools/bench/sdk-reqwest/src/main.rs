//! get-group, except that the DynamoDB client sends its requests through reqwest (HTTP/1.1,
//! rustls with the platform verifier: the client the functions already link for the JWKS and
//! the connection service) instead of the SDK's own hyper-rustls client. For measuring what
//! "one HTTP stack" would change; nothing shared is edited, so the SDK's client is still linked
//! (the workspace turns `default-https-client` on): sizes say nothing here, init and warm CPU do.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use gateway_auth::{LoginConfig, LoginVerifier};
use gateway_aws::SdkTimeouts;
use gateway_config::{ConfigError, Settings};
use gateway_domain::{Clock, SystemClock};
use gateway_http::{Services, exit_on_config_error, init_tracing};
use gateway_store::Store;
use lambda_http::{Error, service_fn};

/// An aws-smithy `HttpClient` over one reqwest client per connector settings (in practice one:
/// all requests of a client share its timeouts). The SDK asks for a connector on every request
/// and leaves caching to the client, as its own hyper client does (`connector_cache`).
#[derive(Debug, Default)]
struct Reqwest {
    connectors: Mutex<HashMap<Timeouts, SharedHttpConnector>>,
}

/// A connector's connect and read timeouts.
type Timeouts = (Option<Duration>, Option<Duration>);

impl HttpClient for Reqwest {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        _components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        let key = (settings.connect_timeout(), settings.read_timeout());
        let mut connectors = self
            .connectors
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        connectors
            .entry(key)
            .or_insert_with(|| {
                let mut builder = reqwest::Client::builder()
                    .redirect(reqwest::redirect::Policy::none())
                    .pool_idle_timeout(Duration::from_secs(90));
                if let Some(t) = key.0 {
                    builder = builder.connect_timeout(t);
                }
                if let Some(t) = key.1 {
                    builder = builder.read_timeout(t);
                }
                let client = builder.build().expect("reqwest client builds");
                SharedHttpConnector::new(Connector { client })
            })
            .clone()
    }
}

#[derive(Debug)]
struct Connector {
    client: reqwest::Client,
}

/// The SDK retries what it classifies as transient: timeouts and I/O (connect, reset).
fn classify(error: reqwest::Error) -> ConnectorError {
    if error.is_timeout() {
        ConnectorError::timeout(error.into())
    } else if error.is_connect() || error.is_request() || error.is_body() {
        ConnectorError::io(error.into())
    } else {
        ConnectorError::other(error.into(), None)
    }
}

impl HttpConnector for Connector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let client = self.client.clone();
        HttpConnectorFuture::new(async move {
            let request = request
                .try_into_http1x()
                .map_err(|e| ConnectorError::user(e.into()))?;
            let (parts, body) = request.into_parts();
            // DynamoDB's requests are JSON in memory, never streamed.
            let body = body
                .bytes()
                .ok_or_else(|| ConnectorError::user("streaming request body".into()))?
                .to_vec();
            let response = client
                .request(parts.method, parts.uri.to_string())
                .headers(parts.headers)
                .body(body)
                .send()
                .await
                .map_err(classify)?;
            let mut out = http::Response::builder().status(response.status());
            if let Some(headers) = out.headers_mut() {
                *headers = response.headers().clone();
            }
            let bytes = response.bytes().await.map_err(classify)?;
            let out = out
                .body(SdkBody::from(bytes))
                .map_err(|e| ConnectorError::other(e.into(), None))?;
            HttpResponse::try_from(out).map_err(|e| ConnectorError::other(e.into(), None))
        })
    }
}

/// `Services::from_env` for on-demand functions, with the HTTP client above.
fn services() -> Result<Services, ConfigError> {
    let settings = Settings::from_env();
    let table = settings.required("GATEWAY_TABLE")?;
    let login = LoginConfig::from_settings(&settings)?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let sdk = gateway_aws::from_settings(&settings, &SdkTimeouts::default())?
        .into_builder()
        .http_client(SharedHttpClient::new(Reqwest::default()))
        .build();
    let store = Store::connect(table, &sdk);
    Ok(Services::new(
        store,
        LoginVerifier::new(login, clock.clone()),
        clock,
    ))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    init_tracing();
    let services = services().unwrap_or_else(|e| exit_on_config_error(e));
    lambda_http::run(service_fn(|req| get_group::handle(&services, req))).await
}
