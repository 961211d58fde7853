//! Base64 (RFC 4648), the workspace's one implementation: the standard alphabet for
//! Secret `data`, `.dockerconfigjson` `auth` fields and ECR tokens, the URL-safe one for
//! the app's share links. Written here rather than taken from a crate because the
//! simulator adds no dependencies for a function this small.
//!
//! Encoding is canonical: [`Alphabet::Standard`] pads with `=`, as Kubernetes and Docker
//! write it; [`Alphabet::UrlSafe`] does not, because `=` would need escaping in a URL.
//!
//! Decoding rules differ by alphabet because each alphabet has one kind of reader here,
//! and the rules are exactly what those readers accepted before they shared this code:
//! - `Standard` reads credentials and Secret data, which arrive pasted or line-wrapped:
//!   ASCII whitespace anywhere is skipped, padding is optional, the data ends at the first
//!   `=` (RFC 4648 §3.3 lets a reader ignore what follows), and a lone final character,
//!   which holds fewer than 8 bits, is dropped. Only a character outside the alphabet is
//!   an error.
//! - `UrlSafe` reads a link parameter, where anything odd means the link was mangled:
//!   every character must be in the alphabet, a trailing run of `=` is tolerated (some
//!   tools pad), while a `=` with data after it, or a length no encoder produces, is an
//!   error.
//!
//! Neither checks that the unused low bits of the last character are zero.

use std::fmt;

const STANDARD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL_SAFE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// One of RFC 4648's two alphabets, with its padding and decoding rules (see the module).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Alphabet {
    /// `A–Z a–z 0–9 + /`, padded with `=` (RFC 4648 §4); forgiving when decoding.
    Standard,
    /// `A–Z a–z 0–9 - _`, unpadded (RFC 4648 §5); strict when decoding.
    UrlSafe,
}

impl Alphabet {
    fn symbols(self) -> &'static [u8; 64] {
        match self {
            Alphabet::Standard => STANDARD,
            Alphabet::UrlSafe => URL_SAFE,
        }
    }

    /// The 6-bit value of `c`, if it is one of this alphabet's symbols.
    fn value(self, c: char) -> Option<u32> {
        let v = match (c, self) {
            ('A'..='Z', _) => c as u32 - 'A' as u32,
            ('a'..='z', _) => c as u32 - 'a' as u32 + 26,
            ('0'..='9', _) => c as u32 - '0' as u32 + 52,
            ('+', Alphabet::Standard) | ('-', Alphabet::UrlSafe) => 62,
            ('/', Alphabet::Standard) | ('_', Alphabet::UrlSafe) => 63,
            _ => return None,
        };
        Some(v)
    }
}

/// Why text could not be decoded; its `Display` is a phrase fit to show a learner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// A character outside the alphabet (whitespace counts, except in `Standard`).
    BadCharacter {
        /// The offending character.
        character: char,
        /// Where it is, in characters from 0.
        position: usize,
    },
    /// A `=` with something other than more `=` after it (`UrlSafe` only).
    MisplacedPadding {
        /// Where the first `=` is, in characters from 0.
        position: usize,
    },
    /// One more than a multiple of four symbols, which no encoder produces (`UrlSafe` only).
    BadLength {
        /// How many alphabet characters there were, padding not counted.
        symbols: usize,
    },
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::BadCharacter {
                character,
                position,
            } => write!(
                f,
                "unexpected character {character:?} at position {position}"
            ),
            DecodeError::MisplacedPadding { position } => {
                write!(f, "padding '=' at position {position} is followed by data")
            }
            DecodeError::BadLength { symbols } => {
                write!(f, "{symbols} characters cannot be base64")
            }
        }
    }
}

impl std::error::Error for DecodeError {}

/// `bytes` in `alphabet`, padded with `=` for `Standard` and unpadded for `UrlSafe`.
pub fn encode(bytes: &[u8], alphabet: Alphabet) -> String {
    let symbols = alphabet.symbols();
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | (u32::from(b) << (16 - 8 * i)));
        // One input byte makes two characters, two make three, three make four.
        for i in 0..=chunk.len() {
            out.push(char::from(symbols[((n >> (18 - 6 * i)) & 63) as usize]));
        }
        if alphabet == Alphabet::Standard {
            out.extend(std::iter::repeat_n('=', 3 - chunk.len()));
        }
    }
    out
}

/// Decodes `text` in `alphabet` by that alphabet's rules (forgiving for `Standard`, strict
/// but for trailing padding for `UrlSafe`; the module docs list them).
pub fn decode(text: &str, alphabet: Alphabet) -> Result<Vec<u8>, DecodeError> {
    let forgiving = alphabet == Alphabet::Standard;
    let mut out = Vec::with_capacity(text.len() / 4 * 3 + 2);
    let (mut acc, mut bits, mut symbols) = (0u32, 0u32, 0usize);
    for (position, (at, c)) in text.char_indices().enumerate() {
        if c == '=' {
            if forgiving || text[at..].bytes().all(|b| b == b'=') {
                break;
            }
            return Err(DecodeError::MisplacedPadding { position });
        }
        if forgiving && c.is_ascii_whitespace() {
            continue;
        }
        let v = alphabet.value(c).ok_or(DecodeError::BadCharacter {
            character: c,
            position,
        })?;
        acc = (acc << 6) | v;
        bits += 6;
        symbols += 1;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    // The leftover bits of a lone final symbol are dropped: `Standard` always has,
    // `UrlSafe` calls the length an error.
    if !forgiving && symbols % 4 == 1 {
        return Err(DecodeError::BadLength { symbols });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Alphabet::{Standard, UrlSafe};

    /// RFC 4648 §10, padded as `Standard` writes them.
    const RFC_4648: [(&str, &str); 7] = [
        ("", ""),
        ("f", "Zg=="),
        ("fo", "Zm8="),
        ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="),
        ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"),
    ];

    #[test]
    fn standard_matches_rfc_4648_vectors() {
        for (plain, encoded) in RFC_4648 {
            assert_eq!(encode(plain.as_bytes(), Standard), encoded);
            assert_eq!(decode(encoded, Standard).unwrap(), plain.as_bytes());
            // Padding is optional when reading.
            let bare = encoded.trim_end_matches('=');
            assert_eq!(decode(bare, Standard).unwrap(), plain.as_bytes());
        }
        // Values the simulator's callers have pinned in their own tests.
        assert_eq!(encode(b"AWS:x", Standard), "QVdTOng=");
        assert_eq!(encode(b"hello", Standard), "aGVsbG8=");
        assert_eq!(encode(b"hi", Standard), "aGk=");
        assert_eq!(encode(b"abc", Standard), "YWJj");
    }

    #[test]
    fn url_safe_matches_rfc_4648_vectors() {
        for (plain, padded) in RFC_4648 {
            let encoded = padded.trim_end_matches('=');
            assert_eq!(encode(plain.as_bytes(), UrlSafe), encoded);
            assert_eq!(decode(encoded, UrlSafe).unwrap(), plain.as_bytes());
            // Trailing padding is tolerated when reading.
            assert_eq!(decode(padded, UrlSafe).unwrap(), plain.as_bytes());
        }
    }

    #[test]
    fn the_alphabets_differ_only_in_62_and_63() {
        assert_eq!(encode(&[0xfb, 0xff], Standard), "+/8=");
        assert_eq!(encode(&[0xfb, 0xff], UrlSafe), "-_8");
        assert_eq!(encode(&[0xfb, 0xef, 0xbe], Standard), "++++");
        assert_eq!(encode(&[0xfb, 0xef, 0xbe], UrlSafe), "----");
        assert_eq!(encode(&[0xff; 3], Standard), "////");
        assert_eq!(encode(&[0xff; 3], UrlSafe), "____");
        assert_eq!(decode("+/8=", Standard).unwrap(), [0xfb, 0xff]);
        assert_eq!(decode("-_8", UrlSafe).unwrap(), [0xfb, 0xff]);
    }

    #[test]
    fn standard_decoding_is_forgiving() {
        // Whitespace anywhere, as in line-wrapped or pasted text.
        assert_eq!(decode(" Zm9v\nYmFy\r\n", Standard).unwrap(), b"foobar");
        assert_eq!(decode("Zm 9v\tYg", Standard).unwrap(), b"foob");
        // The data ends at the first `=`, whatever follows.
        assert_eq!(decode("Zg==Zm9v", Standard).unwrap(), b"f");
        assert_eq!(decode("Zg=", Standard).unwrap(), b"f");
        assert_eq!(decode("=Zm9v", Standard).unwrap(), b"");
        // A lone final character is dropped.
        assert_eq!(decode("Z", Standard).unwrap(), b"");
        assert_eq!(decode("Zm9vY", Standard).unwrap(), b"foo");
        // Non-zero unused bits are not checked.
        assert_eq!(decode("Zh", Standard).unwrap(), b"f");
    }

    #[test]
    fn standard_rejects_characters_outside_its_alphabet() {
        let bad = |character, position| {
            Err(DecodeError::BadCharacter {
                character,
                position,
            })
        };
        assert_eq!(decode("Zm9v!", Standard), bad('!', 4));
        assert_eq!(decode("Zm-v", Standard), bad('-', 2));
        assert_eq!(decode("Zm_v", Standard), bad('_', 2));
        // Positions count characters, not bytes; only ASCII whitespace is skipped.
        assert_eq!(decode("Zé", Standard), bad('é', 1));
        assert_eq!(decode("Zm 9v\u{2003}", Standard), bad('\u{2003}', 5));
    }

    #[test]
    fn url_safe_decoding_is_strict_but_for_trailing_padding() {
        let bad = |character, position| {
            Err(DecodeError::BadCharacter {
                character,
                position,
            })
        };
        assert_eq!(decode("Zg=====", UrlSafe).unwrap(), b"f");
        assert_eq!(decode("Zm9v=", UrlSafe).unwrap(), b"foo");
        assert_eq!(decode("=", UrlSafe).unwrap(), b"");
        assert_eq!(decode("Zh", UrlSafe).unwrap(), b"f");
        assert_eq!(decode("Zm9v!", UrlSafe), bad('!', 4));
        assert_eq!(decode("Zm+v", UrlSafe), bad('+', 2));
        assert_eq!(decode("Zm/v", UrlSafe), bad('/', 2));
        assert_eq!(decode("Zm 9v", UrlSafe), bad(' ', 2));
        assert_eq!(decode("Zm9v\n", UrlSafe), bad('\n', 4));
        assert_eq!(decode("éZ", UrlSafe), bad('é', 0));
        assert_eq!(
            decode("Zm=9", UrlSafe),
            Err(DecodeError::MisplacedPadding { position: 2 })
        );
        assert_eq!(
            decode("Zg==Zg==", UrlSafe),
            Err(DecodeError::MisplacedPadding { position: 2 })
        );
        assert_eq!(
            decode("Z", UrlSafe),
            Err(DecodeError::BadLength { symbols: 1 })
        );
        assert_eq!(
            decode("Z=", UrlSafe),
            Err(DecodeError::BadLength { symbols: 1 })
        );
        assert_eq!(
            decode("Zm9vY", UrlSafe),
            Err(DecodeError::BadLength { symbols: 5 })
        );
    }

    #[test]
    fn errors_read_as_phrases() {
        let message = |text| decode(text, UrlSafe).unwrap_err().to_string();
        assert_eq!(message("Zm9v!"), "unexpected character '!' at position 4");
        assert_eq!(
            message("Zm=9"),
            "padding '=' at position 2 is followed by data"
        );
        assert_eq!(message("Zm9vY"), "5 characters cannot be base64");
    }

    #[cfg(not(target_arch = "wasm32"))]
    mod props {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn both_alphabets_round_trip(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
                for alphabet in [Standard, UrlSafe] {
                    let text = encode(&bytes, alphabet);
                    prop_assert_eq!(decode(&text, alphabet).unwrap(), bytes.clone());
                }
            }

            #[test]
            fn encodings_have_the_shape_rfc_4648_gives(
                bytes in proptest::collection::vec(any::<u8>(), 0..200),
            ) {
                let standard = encode(&bytes, Standard);
                let url_safe = encode(&bytes, UrlSafe);
                prop_assert_eq!(standard.len(), bytes.len().div_ceil(3) * 4);
                prop_assert_eq!(url_safe.len(), (bytes.len() * 8).div_ceil(6));
                prop_assert!(!url_safe.contains(['+', '/', '=']));
                // The URL-safe form is the standard one with two symbols swapped, unpadded.
                let swapped: String = standard
                    .trim_end_matches('=')
                    .chars()
                    .map(|c| match c {
                        '+' => '-',
                        '/' => '_',
                        c => c,
                    })
                    .collect();
                prop_assert_eq!(url_safe, swapped);
            }

            #[test]
            fn standard_reads_wrapped_and_unpadded_text(
                bytes in proptest::collection::vec(any::<u8>(), 0..200),
                width in 1usize..80,
            ) {
                let text = encode(&bytes, Standard);
                let wrapped: String = text
                    .trim_end_matches('=')
                    .chars()
                    .enumerate()
                    .flat_map(|(i, c)| (i % width == 0).then_some('\n').into_iter().chain([c]))
                    .collect();
                prop_assert_eq!(decode(&wrapped, Standard).unwrap(), bytes);
            }

            #[test]
            fn url_safe_reads_padded_text(
                bytes in proptest::collection::vec(any::<u8>(), 0..200),
            ) {
                let mut text = encode(&bytes, UrlSafe);
                while !text.len().is_multiple_of(4) {
                    text.push('=');
                }
                prop_assert_eq!(decode(&text, UrlSafe).unwrap(), bytes);
            }

            #[test]
            fn any_text_decodes_or_errs_without_panicking(
                text in "\\PC{0,40}|[A-Za-z0-9+/=_ \n-]{0,40}",
            ) {
                for alphabet in [Standard, UrlSafe] {
                    let result = decode(&text, alphabet);
                    if let Err(DecodeError::BadCharacter { character, position }) = result {
                        prop_assert_eq!(text.chars().nth(position), Some(character));
                    }
                }
            }
        }
    }
}
