//! The two primitives the gateway needs from aws-lc (already linked for TLS): SHA-256 and
//! random tokens.

use aws_lc_rs::digest::{SHA256, digest};

pub(crate) const BASE62: &[u8; 62] =
    b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Lower-case hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = digest(&SHA256, bytes);
    let mut hex = String::with_capacity(64);
    for byte in digest.as_ref() {
        hex.push(char::from(HEX[usize::from(byte >> 4)]));
        hex.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    hex
}

/// `len` random base62 characters from the system's CSPRNG.
pub fn random_base62(len: usize) -> String {
    let mut out = String::with_capacity(len);
    let mut buffer = [0u8; 64];
    while out.len() < len {
        // Without a random source the process cannot make keys at all; aws-lc's DRBG only
        // fails when the OS entropy source is gone.
        if aws_lc_rs::rand::fill(&mut buffer).is_err() {
            std::process::abort();
        }
        // 248 = 4 * 62: rejecting larger bytes keeps every character equally likely.
        for byte in buffer.iter().filter(|b| **b < 248) {
            if out.len() == len {
                break;
            }
            out.push(char::from(BASE62[usize::from(*byte % 62)]));
        }
    }
    out
}
