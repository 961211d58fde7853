//! Registry credentials: ECR authorization tokens (`aws ecr get-login-password`), and the
//! `kubernetes.io/dockerconfigjson` Secrets kubelets use for `imagePullSecrets`.
//!
//! A token is base64 of a small JSON document that carries its own expiry (12 hours, as
//! ECR's) and a checksum, so the registry can validate it without remembering it. The
//! simulator does not model token signatures beyond that checksum.

use crate::api::meta::EPOCH_DAYS_SINCE_1970;
use crate::base64::{self, Alphabet};
use crate::image::oci::Digest;
use crate::time::{SimDuration, SimTime};

/// How long an ECR authorization token is valid.
pub const TOKEN_LIFETIME: SimDuration = SimDuration::from_mins(12 * 60);

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
    let payload = base64::encode(
        checksum(registry, expiration).as_bytes(),
        Alphabet::Standard,
    );
    let json = format!(
        r#"{{"payload":"{payload}","datakey":"{}","version":"2","type":"DATA_KEY","expiration":{expiration}}}"#,
        base64::encode(
            &Digest::of(payload.as_bytes()).hex().as_bytes()[..24],
            Alphabet::Standard,
        )
    );
    base64::encode(json.as_bytes(), Alphabet::Standard)
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
    let Ok(json) = base64::decode(token.trim(), Alphabet::Standard) else {
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
    if base64::encode(checksum(registry, exp).as_bytes(), Alphabet::Standard) != payload {
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
    let decoded = String::from_utf8(base64::decode(auth, Alphabet::Standard).ok()?).ok()?;
    let (u, p) = decoded.split_once(':')?;
    Some((u.to_string(), p.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

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
            base64::encode(b"AWS:tok", Alphabet::Standard)
        );
        assert_eq!(
            dockerconfig_auth(&json, "h.example"),
            Some(("AWS".into(), "tok".into()))
        );
        assert_eq!(dockerconfig_auth(&json, "other"), None);
    }
}
