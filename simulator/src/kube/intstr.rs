//! `IntOrString` (`kubernetes/apimachinery pkg/util/intstr/intstr.go`).

use serde::{Deserialize, Serialize};
use std::fmt;

/// An int or a string such as `"25%"` (maxSurge, maxUnavailable, PDB minAvailable).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum IntOrString {
    /// A plain integer.
    Int(i64),
    /// A string; only `"N%"` is meaningful for scaling.
    Str(String),
}

impl IntOrString {
    /// `FromString`.
    pub fn string(s: &str) -> IntOrString {
        IntOrString::Str(s.to_string())
    }
}

impl fmt::Display for IntOrString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IntOrString::Int(i) => write!(f, "{i}"),
            IntOrString::Str(s) => f.write_str(s),
        }
    }
}

/// Upstream's errors from `GetScaledValueFromIntOrPercent`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IntOrStringError {
    /// `nil value for IntOrString`.
    Nil,
    /// `invalid value for IntOrString: invalid type: string is not a percentage`.
    NotAPercentage,
    /// `invalid value for IntOrString: invalid value "x%": strconv.Atoi: ...`.
    InvalidValue(String),
}

impl fmt::Display for IntOrStringError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IntOrStringError::Nil => f.write_str("nil value for IntOrString"),
            IntOrStringError::NotAPercentage => f.write_str(
                "invalid value for IntOrString: invalid type: string is not a percentage",
            ),
            IntOrStringError::InvalidValue(s) => write!(
                f,
                "invalid value for IntOrString: invalid value \"{s}\": strconv.Atoi: parsing \"{}\": invalid syntax",
                s.trim_end_matches('%')
            ),
        }
    }
}

impl std::error::Error for IntOrStringError {}

/// Go's `strconv.Atoi`: optional sign, ASCII digits, int64 range.
fn atoi(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// `GetScaledValueFromIntOrPercent(v, total, roundUp)`: an int is itself; `"N%"` is
/// `ceil` (round up) or `floor` of `N*total/100`, computed in float64 as upstream does
/// (`math.Ceil(float64(value) * float64(total) / 100)`); any other string is an error.
pub fn get_scaled_value_from_int_or_percent(
    v: Option<&IntOrString>,
    total: i64,
    round_up: bool,
) -> Result<i64, IntOrStringError> {
    match v {
        None => Err(IntOrStringError::Nil),
        Some(IntOrString::Int(i)) => Ok(*i),
        Some(IntOrString::Str(s)) => {
            let Some(num) = s.strip_suffix('%') else {
                return Err(IntOrStringError::NotAPercentage);
            };
            let value = atoi(num).ok_or_else(|| IntOrStringError::InvalidValue(s.clone()))?;
            let scaled = value as f64 * total as f64 / 100.0;
            Ok(if round_up {
                scaled.ceil() as i64
            } else {
                scaled.floor() as i64
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str, total: i64, up: bool) -> Result<i64, IntOrStringError> {
        get_scaled_value_from_int_or_percent(Some(&IntOrString::string(v)), total, up)
    }

    #[test]
    fn percent_rounding() {
        assert_eq!(s("90%", 95, true), Ok(86));
        assert_eq!(s("90%", 95, false), Ok(85));
        assert_eq!(s("25%", 10, true), Ok(3));
        assert_eq!(s("25%", 10, false), Ok(2));
        assert_eq!(s("100%", 7, false), Ok(7));
        assert_eq!(s("0%", 7, true), Ok(0));
        assert_eq!(s("+50%", 3, true), Ok(2));
        assert_eq!(s("-50%", 3, false), Ok(-2));
        assert_eq!(s("33%", 3, true), Ok(1));
        assert_eq!(s("33%", 3, false), Ok(0));
    }

    #[test]
    fn ints_pass_through() {
        assert_eq!(
            get_scaled_value_from_int_or_percent(Some(&IntOrString::Int(123)), 0, false),
            Ok(123)
        );
    }

    #[test]
    fn errors() {
        assert_eq!(s("90", 100, true), Err(IntOrStringError::NotAPercentage));
        assert!(matches!(
            s("%", 100, true),
            Err(IntOrStringError::InvalidValue(_))
        ));
        assert!(matches!(
            s("#%", 100, true),
            Err(IntOrStringError::InvalidValue(_))
        ));
        assert!(matches!(
            s("1.5%", 100, true),
            Err(IntOrStringError::InvalidValue(_))
        ));
        assert!(matches!(
            s(" 5%", 100, true),
            Err(IntOrStringError::InvalidValue(_))
        ));
        assert_eq!(
            get_scaled_value_from_int_or_percent(None, 1, true),
            Err(IntOrStringError::Nil)
        );
    }

    #[test]
    fn serde_untagged() {
        let v: IntOrString = serde_json::from_str("5").unwrap();
        assert_eq!(v, IntOrString::Int(5));
        let v: IntOrString = serde_json::from_str("\"25%\"").unwrap();
        assert_eq!(v, IntOrString::string("25%"));
    }
}
