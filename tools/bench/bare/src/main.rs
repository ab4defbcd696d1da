//! The floor for `make bench`: the same runtime loop and event parsing as every function
//! (`lambda_http`, a current-thread tokio runtime), and a handler that answers a constant.
//! Whatever a function costs above this is the function's own.

use lambda_http::{Body, Error, Request, Response, service_fn};

async fn handle(_req: Request) -> Result<Response<Body>, Error> {
    Ok(Response::builder()
        .status(200)
        .header("content-type", "application/json")
        .body(Body::from(r#"{"ok":true}"#))?)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    lambda_http::run(service_fn(handle)).await
}
