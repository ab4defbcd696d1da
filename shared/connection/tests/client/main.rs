//! The client against the emulator over real HTTP on 127.0.0.1 (one test binary).

mod answers;
mod operations;
mod retries;
mod secrets;
mod support;
