//! Registry credentials: ECR authorization tokens (`aws ecr get-login-password`), and the
//! `kubernetes.io/dockerconfigjson` Secrets kubelets use for `imagePullSecrets`.
//!
//! A token is base64 of a small JSON document that carries its own expiry (12 hours, as
//! ECR's) and a checksum, so the registry can validate it without remembering it. The
//! simulator does not model token signatures beyond that checksum.

use crate::api::meta::EPOCH_DAYS_SINCE_1970;
use crate::image::oci::Digest;
use crate::time::{SimDuration, SimTime};

/// How long an ECR authorization token is valid.
pub const TOKEN_LIFETIME: SimDuration = SimDuration::from_mins(12 * 60);

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding.
pub fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Decodes standard base64 (padding optional, whitespace ignored); `None` if invalid.
pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut acc = 0u32;
    let mut bits = 0;
    for c in text.bytes().filter(|c| !c.is_ascii_whitespace()) {
        if c == b'=' {
            break;
        }
        let v = ALPHABET.iter().position(|a| *a == c)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// Unix seconds of a simulated instant.
pub fn unix_secs(t: SimTime) -> u64 {
    EPOCH_DAYS_SINCE_1970 as u64 * 86_400 + t.as_millis() / 1000
}

fn checksum(registry: &str, expiration: u64) -> String {
    Digest::of(format!("shipshape-ecr-token\n{registry}\n{expiration}").as_bytes())
        .hex()
        .to_string()
}

/// The token `aws ecr get-login-password` prints at `now` for `registry`.
pub fn ecr_token(registry: &str, now: SimTime) -> String {
    let expiration = unix_secs(now.after(TOKEN_LIFETIME));
    let payload = base64_encode(checksum(registry, expiration).as_bytes());
    let json = format!(
        r#"{{"payload":"{payload}","datakey":"{}","version":"2","type":"DATA_KEY","expiration":{expiration}}}"#,
        base64_encode(&Digest::of(payload.as_bytes()).hex().as_bytes()[..24])
    );
    base64_encode(json.as_bytes())
}

/// What a registry makes of a password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenCheck {
    /// A token for this registry, valid until the given instant.
    Valid(SimTime),
    /// A token for this registry that has expired.
    Expired,
    /// Not a token this registry issued.
    Invalid,
}

/// Validates an ECR token for `registry` at `now`.
pub fn check_ecr_token(registry: &str, token: &str, now: SimTime) -> TokenCheck {
    let Some(json) = base64_decode(token.trim()) else {
        return TokenCheck::Invalid;
    };
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(&json) else {
        return TokenCheck::Invalid;
    };
    let (Some(payload), Some(exp)) = (
        v.get("payload").and_then(|p| p.as_str()),
        v.get("expiration").and_then(|e| e.as_u64()),
    ) else {
        return TokenCheck::Invalid;
    };
    if base64_encode(checksum(registry, exp).as_bytes()) != payload {
        return TokenCheck::Invalid;
    }
    let epoch = EPOCH_DAYS_SINCE_1970 as u64 * 86_400;
    let until = SimTime(exp.saturating_sub(epoch) * 1000);
    if until <= now {
        TokenCheck::Expired
    } else {
        TokenCheck::Valid(until)
    }
}

/// Credentials for `host` in a `.dockerconfigjson` document: (username, password).
pub fn dockerconfig_auth(config_json: &str, host: &str) -> Option<(String, String)> {
    let v: serde_json::Value = serde_json::from_str(config_json).ok()?;
    let auths = v.get("auths")?.as_object()?;
    let entry = auths.iter().find_map(|(k, e)| {
        let k = k
            .trim_start_matches("https://")
            .trim_start_matches("http://")
            .trim_end_matches('/');
        let k = k.split('/').next().unwrap_or(k);
        (k == host).then_some(e)
    })?;
    let user = entry.get("username").and_then(|u| u.as_str());
    let pass = entry.get("password").and_then(|p| p.as_str());
    if let (Some(u), Some(p)) = (user, pass) {
        return Some((u.to_string(), p.to_string()));
    }
    let auth = entry.get("auth")?.as_str()?;
    let decoded = String::from_utf8(base64_decode(auth)?).ok()?;
    let (u, p) = decoded.split_once(':')?;
    Some((u.to_string(), p.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips() {
        for s in ["", "f", "fo", "foo", "foob", "fooba", "foobar"] {
            assert_eq!(
                base64_decode(&base64_encode(s.as_bytes())).unwrap(),
                s.as_bytes()
            );
        }
        assert_eq!(base64_encode(b"AWS:x"), "QVdTOng=");
    }

    #[test]
    fn tokens_expire_after_twelve_hours() {
        let host = "123456789012.dkr.ecr.us-east-1.amazonaws.com";
        let t = ecr_token(host, SimTime(5_000));
        assert!(matches!(
            check_ecr_token(host, &t, SimTime(6_000)),
            TokenCheck::Valid(_)
        ));
        assert_eq!(
            check_ecr_token(host, &t, SimTime(5_000).after(TOKEN_LIFETIME)),
            TokenCheck::Expired
        );
        assert_eq!(
            check_ecr_token("other", &t, SimTime(0)),
            TokenCheck::Invalid
        );
        assert_eq!(
            check_ecr_token(host, "hunter2", SimTime(0)),
            TokenCheck::Invalid
        );
    }

    #[test]
    fn reads_dockerconfigjson() {
        let json = format!(
            r#"{{"auths":{{"https://h.example":{{"auth":"{}"}}}}}}"#,
            base64_encode(b"AWS:tok")
        );
        assert_eq!(
            dockerconfig_auth(&json, "h.example"),
            Some(("AWS".into(), "tok".into()))
        );
        assert_eq!(dockerconfig_auth(&json, "other"), None);
    }
}
