//! Login JWT verification end to end: tokens against a JWKS served over real HTTP.
//! One binary with modules, so the crate's dependencies link once.

mod attacks;
mod claims;
mod jwks;
mod support;
mod valid;
