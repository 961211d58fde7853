//! Ids, tokens, join codes and how secrets are checked.
//!
//! Randomness comes from the operating system (`getrandom`); only the simulator must be
//! deterministic. Tokens and the instructor secret are 128 random bits, so a plain
//! SHA-256 digest is enough to store them (no salt or slow hash needed: there is nothing
//! to brute-force), and digests are compared in constant time.

use sha2::{Digest, Sha256};

/// Characters of a join code: digits and capitals without the look-alikes 0/O and 1/I/L.
pub const JOIN_CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
/// Characters in a join code (31^6 ≈ 887 million codes).
pub const JOIN_CODE_LEN: usize = 6;

/// The OS random source failed; nothing secret can be made without it.
#[derive(Debug)]
pub struct RandomError(getrandom::Error);

impl std::fmt::Display for RandomError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the operating system's random source failed: {}", self.0)
    }
}

impl std::error::Error for RandomError {}

fn random<const N: usize>() -> Result<[u8; N], RandomError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(RandomError)?;
    Ok(bytes)
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 0xf)]));
    }
    out
}

/// A new token or secret: 128 random bits as 32 lowercase hex digits.
pub fn new_token() -> Result<String, RandomError> {
    Ok(hex(&random::<16>()?))
}

/// A new workshop or student id: 64 random bits as 16 lowercase hex digits.
pub fn new_id() -> Result<String, RandomError> {
    Ok(hex(&random::<8>()?))
}

/// Whether `text` looks like an id from [`new_id`] (cheap check before any lookup).
pub fn is_id(text: &str) -> bool {
    text.len() == 16 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// A new join code, uniformly drawn from [`JOIN_CODE_ALPHABET`].
pub fn new_join_code() -> Result<String, RandomError> {
    let n = JOIN_CODE_ALPHABET.len();
    // Reject bytes at or above the largest multiple of the alphabet size: no modulo bias.
    let limit = 256 - 256 % n;
    let mut code = String::with_capacity(JOIN_CODE_LEN);
    while code.len() < JOIN_CODE_LEN {
        for byte in random::<16>()? {
            if usize::from(byte) < limit && code.len() < JOIN_CODE_LEN {
                code.push(char::from(JOIN_CODE_ALPHABET[usize::from(byte) % n]));
            }
        }
    }
    Ok(code)
}

/// A join code as typed (any case, with spaces or dashes) in canonical form, or `None`
/// if it cannot be a join code at all.
pub fn normalize_join_code(input: &str) -> Option<String> {
    let code: String = input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let valid =
        code.len() == JOIN_CODE_LEN && code.bytes().all(|b| JOIN_CODE_ALPHABET.contains(&b));
    valid.then_some(code)
}

/// The stored form of a token or secret: hex SHA-256.
pub fn hash_token(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// Compares two byte strings in time that depends only on their lengths.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}

/// Whether `token` is the secret whose stored hash is `stored_hash`.
pub fn token_matches(token: &str, stored_hash: &str) -> bool {
    constant_time_eq(hash_token(token).as_bytes(), stored_hash.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_128_bit_hex_and_differ() {
        let a = new_token().unwrap();
        let b = new_token().unwrap();
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
        assert!(is_id(&new_id().unwrap()));
        assert!(!is_id("../../etc/passwd"));
    }

    #[test]
    fn join_codes_use_only_the_unambiguous_alphabet() {
        for _ in 0..200 {
            let code = new_join_code().unwrap();
            assert_eq!(code.len(), JOIN_CODE_LEN);
            assert!(!code.contains(['0', 'O', '1', 'I', 'L']), "{code}");
            assert_eq!(normalize_join_code(&code).as_deref(), Some(code.as_str()));
        }
    }

    #[test]
    fn join_codes_are_forgiving_about_case_and_separators() {
        assert_eq!(normalize_join_code(" abc-def ").as_deref(), Some("ABCDEF"));
        assert_eq!(normalize_join_code("abc def").as_deref(), Some("ABCDEF"));
        assert_eq!(normalize_join_code("ABCDE"), None);
        assert_eq!(normalize_join_code("ABCDE0"), None);
        assert_eq!(normalize_join_code("ÀBCDEF"), None);
    }

    #[test]
    fn hashes_are_sha256_and_compared_exactly() {
        assert_eq!(
            hash_token("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let stored = hash_token("secret");
        assert!(token_matches("secret", &stored));
        assert!(!token_matches("secreT", &stored));
        assert!(!constant_time_eq(b"ab", b"abc"));
    }
}
