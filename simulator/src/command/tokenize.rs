//! Splits a command line into words the way a POSIX shell would for simple commands:
//! whitespace separates words, `'…'` is literal, `"…"` allows `\"` and `\\`, and a
//! backslash outside quotes escapes the next character.

use super::CommandError;

/// Splits `line` into words. An unterminated quote is an error shaped like bash's.
pub fn tokenize(line: &str) -> Result<Vec<String>, CommandError> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(ch) => cur.push(ch),
                        None => return Err(unterminated('\'')),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(ch @ ('"' | '\\' | '$' | '`')) => cur.push(ch),
                            Some(ch) => {
                                cur.push('\\');
                                cur.push(ch);
                            }
                            None => return Err(unterminated('"')),
                        },
                        Some(ch) => cur.push(ch),
                        None => return Err(unterminated('"')),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(ch) = chars.next() {
                    cur.push(ch);
                }
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    Ok(words)
}

fn unterminated(q: char) -> CommandError {
    CommandError::new(format!(
        "syntax error: unexpected end of line while looking for matching `{q}'"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_like_a_shell() {
        assert_eq!(
            tokenize("  sim   advance 10s ").unwrap(),
            vec!["sim", "advance", "10s"]
        );
        assert_eq!(
            tokenize(r#"echo "a b" 'c d' e\ f"#).unwrap(),
            vec!["echo", "a b", "c d", "e f"]
        );
        assert_eq!(
            tokenize(r#"x "say \"hi\"""#).unwrap(),
            vec!["x", "say \"hi\""]
        );
        assert_eq!(tokenize("''").unwrap(), vec![""]);
        assert!(
            tokenize("echo 'oops")
                .unwrap_err()
                .to_string()
                .contains("matching `''")
        );
    }
}
