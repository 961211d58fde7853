//! Kubernetes resource quantities (`kubernetes/apimachinery pkg/api/resource/quantity.go`).
//!
//! Grammar (from `quantity.go`):
//! ```text
//! <quantity>        ::= <signedNumber><suffix>
//! <number>          ::= <digits> | <digits>.<digits> | <digits>. | .<digits>
//! <suffix>          ::= <binarySI> | <decimalExponent> | <decimalSI>
//! <binarySI>        ::= Ki | Mi | Gi | Ti | Pi | Ei
//! <decimalSI>       ::= n | u | m | "" | k | M | G | T | P | E
//! <decimalExponent> ::= "e" <signedNumber> | "E" <signedNumber>
//! ```
//! Values are held exactly (mantissa × 10^exp × 2^bin) and converted with upstream's
//! rounding: `Value()` and `MilliValue()` round *up* (away from zero), so `100m` is
//! `Value() == 1` and `0.1m` is `MilliValue() == 1`.

use std::fmt;

/// Why a quantity did not parse. The messages are upstream's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuantityError {
    /// `ErrFormatWrong`: the string is not `<number><suffix>` at all.
    FormatWrong(String),
    /// `ErrNumeric`: the number part is malformed.
    Numeric(String),
    /// `ErrSuffix`: the suffix is not one Kubernetes knows.
    Suffix(String),
    /// The value does not fit the simulator's int64 units.
    OutOfRange(String),
}

impl fmt::Display for QuantityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QuantityError::FormatWrong(s) => write!(
                f,
                "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$' (got \"{s}\")"
            ),
            QuantityError::Numeric(s) => {
                write!(f, "unable to parse numeric part of quantity \"{s}\"")
            }
            QuantityError::Suffix(s) => write!(f, "unable to parse quantity's suffix \"{s}\""),
            QuantityError::OutOfRange(s) => write!(f, "quantity \"{s}\" is out of range"),
        }
    }
}

impl std::error::Error for QuantityError {}

/// A parsed quantity, exact: `sign × mantissa × 10^exp10 × 2^exp2`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quantity {
    negative: bool,
    mantissa: i128,
    exp10: i32,
    exp2: u32,
}

impl Quantity {
    /// Parses a quantity string such as `250m`, `1`, `1.5`, `128Mi`, `1Gi`, `1e3`, `1k`.
    pub fn parse(s: &str) -> Result<Quantity, QuantityError> {
        if s.is_empty() {
            return Err(QuantityError::FormatWrong(s.to_string()));
        }
        let bytes = s.as_bytes();
        let mut pos = 0;
        let mut negative = false;
        if bytes[0] == b'+' || bytes[0] == b'-' {
            negative = bytes[0] == b'-';
            pos = 1;
        }
        let int_start = pos;
        while pos < bytes.len() && bytes[pos].is_ascii_digit() {
            pos += 1;
        }
        let int_part = &s[int_start..pos];
        let mut frac_part = "";
        if pos < bytes.len() && bytes[pos] == b'.' {
            pos += 1;
            let frac_start = pos;
            while pos < bytes.len() && bytes[pos].is_ascii_digit() {
                pos += 1;
            }
            frac_part = &s[frac_start..pos];
        }
        if int_part.is_empty() && frac_part.is_empty() {
            return Err(QuantityError::FormatWrong(s.to_string()));
        }
        let suffix = &s[pos..];
        let (exp10_suffix, exp2) = parse_suffix(suffix).ok_or_else(|| {
            if suffix
                .bytes()
                .all(|b| b"eEinumkKMGTP+-0123456789".contains(&b))
            {
                QuantityError::Suffix(s.to_string())
            } else {
                QuantityError::FormatWrong(s.to_string())
            }
        })?;
        // Mantissa from all digits, without leading zeros.
        let digits: String = int_part.chars().chain(frac_part.chars()).collect();
        let trimmed = digits.trim_start_matches('0');
        if trimmed.len() > 36 {
            return Err(QuantityError::OutOfRange(s.to_string()));
        }
        let mantissa: i128 = if trimmed.is_empty() {
            0
        } else {
            trimmed
                .parse()
                .map_err(|_| QuantityError::Numeric(s.to_string()))?
        };
        let frac_len =
            i32::try_from(frac_part.len()).map_err(|_| QuantityError::OutOfRange(s.to_string()))?;
        Ok(Quantity {
            negative: negative && mantissa != 0,
            mantissa,
            exp10: exp10_suffix - frac_len,
            exp2,
        })
    }

    /// Whether the quantity is zero.
    pub fn is_zero(&self) -> bool {
        self.mantissa == 0
    }

    /// `ScaledValue(scale)`: the value in units of 10^scale, rounded up (away from zero).
    pub fn scaled_value(&self, scale: i32) -> Result<i64, QuantityError> {
        let err = || QuantityError::OutOfRange(self.to_debug_string());
        if self.mantissa == 0 {
            return Ok(0);
        }
        let mut num = self.mantissa;
        for _ in 0..self.exp2 {
            num = num.checked_mul(2).ok_or_else(err)?;
        }
        let k = self.exp10 - scale;
        let magnitude = if k >= 0 {
            for _ in 0..k {
                num = num.checked_mul(10).ok_or_else(err)?;
            }
            num
        } else {
            let mut den: i128 = 1;
            for _ in 0..(-k) {
                match den.checked_mul(10) {
                    Some(d) => den = d,
                    // The denominator dwarfs the numerator: a tiny positive amount.
                    None => return Ok(if self.negative { -1 } else { 1 }),
                }
            }
            (num + den - 1) / den
        };
        let v = i64::try_from(magnitude).map_err(|_| err())?;
        Ok(if self.negative { -v } else { v })
    }

    /// `Value()`: whole units (bytes, pods, cores), rounded up.
    pub fn value(&self) -> Result<i64, QuantityError> {
        self.scaled_value(0)
    }

    /// `MilliValue()`: thousandths (millicores), rounded up.
    pub fn milli_value(&self) -> Result<i64, QuantityError> {
        self.scaled_value(-3)
    }

    fn to_debug_string(self) -> String {
        format!(
            "{}{}e{}*2^{}",
            if self.negative { "-" } else { "" },
            self.mantissa,
            self.exp10,
            self.exp2
        )
    }
}

/// `(power of ten, power of two)` for a suffix, or `None` if unknown.
fn parse_suffix(suffix: &str) -> Option<(i32, u32)> {
    let v = match suffix {
        "" => (0, 0),
        "n" => (-9, 0),
        "u" => (-6, 0),
        "m" => (-3, 0),
        "k" => (3, 0),
        "M" => (6, 0),
        "G" => (9, 0),
        "T" => (12, 0),
        "P" => (15, 0),
        "E" => (18, 0),
        "Ki" => (0, 10),
        "Mi" => (0, 20),
        "Gi" => (0, 30),
        "Ti" => (0, 40),
        "Pi" => (0, 50),
        "Ei" => (0, 60),
        _ => {
            let rest = suffix
                .strip_prefix('e')
                .or_else(|| suffix.strip_prefix('E'))?;
            // Go's strconv.ParseInt accepts an optional sign and decimal digits.
            let digits = rest.strip_prefix(['+', '-']).unwrap_or(rest);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let e: i32 = rest.parse().ok()?;
            if !(-1000..=1000).contains(&e) {
                return None;
            }
            (e, 0)
        }
    };
    Some(v)
}

/// Parses `s` and returns it in the unit Kubernetes uses for `resource`: millicores for
/// `cpu`, whole units (bytes, pods, devices) for everything else.
pub fn parse_for_resource(resource: &str, s: &str) -> Result<i64, QuantityError> {
    let q = Quantity::parse(s)?;
    if resource == "cpu" {
        q.milli_value()
    } else {
        q.value()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn milli(s: &str) -> i64 {
        Quantity::parse(s).unwrap().milli_value().unwrap()
    }
    fn val(s: &str) -> i64 {
        Quantity::parse(s).unwrap().value().unwrap()
    }

    #[test]
    fn cpu_forms() {
        assert_eq!(milli("250m"), 250);
        assert_eq!(milli("1"), 1000);
        assert_eq!(milli("1.5"), 1500);
        assert_eq!(milli("0.1"), 100);
        assert_eq!(milli(".5"), 500);
        assert_eq!(milli("5."), 5000);
        assert_eq!(milli("1e3"), 1_000_000);
        assert_eq!(milli("1k"), 1_000_000);
        assert_eq!(milli("+2"), 2000);
        assert_eq!(milli("-2"), -2000);
        // Rounded up, as MilliValue does.
        assert_eq!(milli("0.1m"), 1);
        assert_eq!(milli("1n"), 1);
        assert_eq!(milli("100u"), 1);
        assert_eq!(milli("1000u"), 1);
        assert_eq!(milli("1001u"), 2);
    }

    #[test]
    fn memory_forms() {
        assert_eq!(val("128Mi"), 128 * 1024 * 1024);
        assert_eq!(val("1Gi"), 1 << 30);
        assert_eq!(val("1.5Gi"), 3 << 29);
        assert_eq!(val("1G"), 1_000_000_000);
        assert_eq!(val("1E"), 1_000_000_000_000_000_000);
        assert_eq!(val("1E3"), 1000);
        assert_eq!(val("2e-1"), 1, "0.2 rounds up");
        assert_eq!(val("100m"), 1);
        assert_eq!(val("0"), 0);
        assert_eq!(val("0.0Gi"), 0);
        assert_eq!(val("1Ki"), 1024);
        assert_eq!(val("12e6"), 12_000_000);
        assert_eq!(val("1e+3"), 1000);
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "", " 1", "1 ", "1 Mi", "Mi", ".", "+", "-", "1..2", "1.2.3", "1Mb", "1mi", "1KI",
            "1e", "1e+", "1e1.5", "abc", "1i", "0x10", "1_000", "--1", "1Mi1",
        ] {
            assert!(Quantity::parse(bad).is_err(), "{bad:?} should not parse");
        }
    }

    #[test]
    fn out_of_range_is_an_error_not_a_panic() {
        assert!(Quantity::parse("100Ei").unwrap().value().is_err());
        assert!(Quantity::parse("1e100").unwrap().value().is_err());
        assert_eq!(Quantity::parse("1e-100").unwrap().value().unwrap(), 1);
        assert!(Quantity::parse("1234567890123456789012345678901234567890").is_err());
    }

    #[test]
    fn errors_explain_themselves() {
        let e = Quantity::parse("1Mb").unwrap_err().to_string();
        assert!(
            e.contains("suffix") || e.contains("regular expression"),
            "{e}"
        );
        assert!(
            Quantity::parse("x")
                .unwrap_err()
                .to_string()
                .contains("regular expression")
        );
    }

    #[test]
    fn per_resource_units() {
        assert_eq!(parse_for_resource("cpu", "2").unwrap(), 2000);
        assert_eq!(parse_for_resource("memory", "2Ki").unwrap(), 2048);
        assert_eq!(parse_for_resource("pods", "110").unwrap(), 110);
    }
}
