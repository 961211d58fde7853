//! Splits a command line into words the way a POSIX shell would for simple commands:
//! whitespace separates words, `'…'` is literal, `"…"` allows `\"` and `\\`, and a
//! backslash outside quotes escapes the next character.
//!
//! [`tokenize_ops`] does that and also recognises the unquoted operators this terminal
//! supports: `|` (pipe the left command's output into the right one) and `>` / `>>`
//! (write / append the output to a workspace file). `;`, `&&`, `||`, `&` and `<` are refused with a
//! clear message rather than misread as text.

use super::CommandError;

/// A shell token: a word or an operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    /// A word after quote removal.
    Word(String),
    /// `|`.
    Pipe,
    /// `>` (`append: false`) or `>>` (`append: true`).
    Redirect {
        /// `>>`.
        append: bool,
    },
}

/// Splits `line` into words and operators. An unterminated quote is an error shaped like
/// bash's; operators the terminal does not support are errors too.
pub fn tokenize_ops(line: &str) -> Result<Vec<Token>, CommandError> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = line.chars().peekable();
    let flush = |out: &mut Vec<Token>, cur: &mut String, in_word: &mut bool| {
        if *in_word {
            out.push(Token::Word(std::mem::take(cur)));
            *in_word = false;
        }
    };
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => flush(&mut out, &mut cur, &mut in_word),
            '|' => {
                flush(&mut out, &mut cur, &mut in_word);
                if chars.peek() == Some(&'|') {
                    return Err(unsupported("||"));
                }
                out.push(Token::Pipe);
            }
            '>' => {
                // `2>`/`1>`: a digit word right before `>` is a file descriptor.
                if in_word && (cur == "1" || cur == "2") {
                    return Err(CommandError::new(format!(
                        "syntax error: `{cur}>` redirections are not supported here; use `>` or `>>` to write a command's output to a file"
                    )));
                }
                flush(&mut out, &mut cur, &mut in_word);
                let append = chars.peek() == Some(&'>');
                if append {
                    chars.next();
                }
                if chars.peek() == Some(&'&') || chars.peek() == Some(&'|') {
                    return Err(unsupported(if append { ">>&" } else { ">&" }));
                }
                out.push(Token::Redirect { append });
            }
            ';' => return Err(unsupported(";")),
            '&' => {
                return Err(unsupported(if chars.peek() == Some(&'&') {
                    "&&"
                } else {
                    "&"
                }));
            }
            '<' => return Err(unsupported("<")),
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
    flush(&mut out, &mut cur, &mut in_word);
    Ok(out)
}

fn unsupported(op: &str) -> CommandError {
    CommandError::new(format!(
        "syntax error: `{op}` is not supported in this terminal: it runs one command per line, optionally piped (`|`) into another or redirected (`>`, `>>`) into a file; quote the character to use it literally"
    ))
}

fn unterminated(q: char) -> CommandError {
    CommandError::new(format!(
        "syntax error: unexpected end of line while looking for matching `{q}'"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The words of a line that has no operators.
    fn tokenize(line: &str) -> Result<Vec<String>, CommandError> {
        tokenize_ops(line).map(|tokens| {
            tokens
                .into_iter()
                .map(|t| match t {
                    Token::Word(w) => w,
                    other => panic!("unexpected operator {other:?}"),
                })
                .collect()
        })
    }

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

    #[test]
    fn recognises_operators_outside_quotes() {
        let w = |s: &str| Token::Word(s.to_string());
        assert_eq!(
            tokenize_ops("echo hi>>src/app.js").unwrap(),
            vec![
                w("echo"),
                w("hi"),
                Token::Redirect { append: true },
                w("src/app.js")
            ]
        );
        assert_eq!(
            tokenize_ops("aws ecr get-login-password | docker login").unwrap(),
            vec![
                w("aws"),
                w("ecr"),
                w("get-login-password"),
                Token::Pipe,
                w("docker"),
                w("login")
            ]
        );
        assert_eq!(
            tokenize_ops("echo 'a > b' \"c|d\" e\\>f").unwrap(),
            vec![w("echo"), w("a > b"), w("c|d"), w("e>f")]
        );
        assert!(tokenize_ops("a && b").is_err());
        assert!(tokenize_ops("a; b").is_err());
        assert!(tokenize_ops("a 2> b").is_err());
    }
}
