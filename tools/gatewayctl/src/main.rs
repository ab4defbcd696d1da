//! `gatewayctl`: the operator CLI binary (the commands live in the library).

use std::process::ExitCode;

use clap::Parser;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = gatewayctl::Cli::parse();
    let stdin = tokio::io::BufReader::new(tokio::io::stdin());
    let mut stdout = std::io::stdout().lock();
    match gatewayctl::run_from_env(cli, stdin, &mut stdout).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("gatewayctl: {error}");
            ExitCode::FAILURE
        }
    }
}
