//! The ingest Lambda: its store built once per cold start, then the SQS event loop.

use aws_lambda_events::event::sqs::SqsEvent;
use gateway_config::{Settings, exit_on_config_error};
use gateway_logging::init_tracing;
use ingest_events::Ingest;
use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    init_tracing();
    let ingest =
        Ingest::from_settings(&Settings::from_env()).unwrap_or_else(|e| exit_on_config_error(e));
    lambda_runtime::run(service_fn(|event: LambdaEvent<SqsEvent>| async {
        Ok::<_, Error>(ingest_events::handle(&ingest, event.payload).await)
    }))
    .await
}
