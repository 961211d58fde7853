//! `echo`, and the shell operators around simple commands: `|` pipes and `>`/`>>`
//! redirections into workspace files (so `echo "console.log(1)" >> src/app.js` edits the
//! project, and the edit is journaled like any command).

use super::tokenize::Token;
use super::{Command, CommandError};
use crate::workspace::Workspace;

/// `echo [-n] [-e|-E] WORDS…` (bash's builtin).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Echo {
    /// The words to print.
    pub words: Vec<String>,
    /// `-n`: no trailing newline.
    pub no_newline: bool,
    /// `-e`: interpret backslash escapes.
    pub escapes: bool,
}

/// Parses echo's arguments: leading words made only of `-` and `neE` are options.
pub fn parse(args: &[String]) -> Echo {
    let mut e = Echo {
        words: Vec::new(),
        no_newline: false,
        escapes: false,
    };
    let mut i = 0;
    while let Some(a) = args.get(i) {
        let Some(flags) = a.strip_prefix('-') else {
            break;
        };
        if flags.is_empty() || !flags.chars().all(|c| matches!(c, 'n' | 'e' | 'E')) {
            break;
        }
        for c in flags.chars() {
            match c {
                'n' => e.no_newline = true,
                'e' => e.escapes = true,
                _ => e.escapes = false,
            }
        }
        i += 1;
    }
    e.words = args[i..].to_vec();
    e
}

impl Echo {
    /// What echo prints.
    pub fn output(&self) -> String {
        let mut s = self.words.join(" ");
        if self.escapes {
            let (text, stop) = unescape(&s);
            s = text;
            if stop {
                return s;
            }
        }
        if !self.no_newline {
            s.push('\n');
        }
        s
    }
}

/// bash `echo -e` escapes; the flag is true at `\c` (stop output, no newline).
fn unescape(s: &str) -> (String, bool) {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('a') => out.push('\x07'),
            Some('b') => out.push('\x08'),
            Some('e' | 'E') => out.push('\x1b'),
            Some('f') => out.push('\x0c'),
            Some('v') => out.push('\x0b'),
            Some('\\') => out.push('\\'),
            Some('c') => return (out, true),
            Some('0') => {
                let mut v = 0u32;
                for _ in 0..3 {
                    match chars.peek().and_then(|d| d.to_digit(8)) {
                        Some(d) => {
                            v = v * 8 + d;
                            chars.next();
                        }
                        None => break,
                    }
                }
                out.push(char::from_u32(v).unwrap_or('\0'));
            }
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    (out, false)
}

/// Parses a line with operators: `A | B | C > FILE`.
pub fn parse_pipeline(tokens: &[Token]) -> Result<Command, CommandError> {
    let segments: Vec<&[Token]> = tokens.split(|t| *t == Token::Pipe).collect();
    let last = segments.len() - 1;
    let mut cmd: Option<Command> = None;
    for (i, seg) in segments.iter().enumerate() {
        let mut words = Vec::new();
        let mut redirect: Option<(String, bool)> = None;
        let mut it = seg.iter();
        while let Some(t) = it.next() {
            match t {
                Token::Word(w) => words.push(w.clone()),
                Token::Redirect { append } => match it.next() {
                    Some(Token::Word(f)) => {
                        if redirect.is_some() {
                            return Err(CommandError::new(
                                "syntax error: one output redirection per command is supported here",
                            ));
                        }
                        redirect = Some((f.clone(), *append));
                    }
                    _ => {
                        return Err(CommandError::new(
                            "syntax error near unexpected token `newline'",
                        ));
                    }
                },
                Token::Pipe => {}
            }
        }
        if words.is_empty() {
            return Err(CommandError::new(if segments.len() > 1 {
                "syntax error near unexpected token `|'"
            } else {
                "syntax error: a redirection needs a command before it"
            }));
        }
        let mut simple = Command::parse_words(&words)?;
        if let Some((path, append)) = redirect {
            if i != last {
                return Err(CommandError::new(
                    "syntax error: only the last command of a pipeline can redirect its output here",
                ));
            }
            simple = Command::Redirect {
                command: Box::new(simple),
                path,
                append,
            };
        }
        cmd = Some(match cmd {
            None => simple,
            Some(left) => Command::Pipe(Box::new(left), Box::new(simple)),
        });
    }
    cmd.ok_or_else(|| CommandError::new("no command given"))
}

/// Writes (or appends) `text` to a workspace file, with bash's errors.
pub fn write_file(
    ws: &mut Workspace,
    path: &str,
    text: &str,
    append: bool,
) -> Result<(), CommandError> {
    let Some(norm) = Workspace::normalize(path).filter(|p| !p.is_empty()) else {
        return Err(CommandError::new(format!(
            "bash: {path}: {}",
            if Workspace::normalize(path).is_some() {
                "Is a directory"
            } else {
                "Permission denied (outside the project directory)"
            }
        )));
    };
    if ws.is_dir(&norm) {
        return Err(CommandError::new(format!("bash: {path}: Is a directory")));
    }
    if let Some((parent, _)) = norm.rsplit_once('/')
        && !ws.is_dir(parent)
    {
        return Err(CommandError::new(format!(
            "bash: {path}: No such file or directory"
        )));
    }
    if let Some((parent, _)) = norm.rsplit_once('/')
        && ws.get(parent).is_some()
    {
        return Err(CommandError::new(format!("bash: {path}: Not a directory")));
    }
    let contents = match (append, ws.get(&norm)) {
        (true, Some(old)) => format!("{old}{text}"),
        _ => text.to_string(),
    };
    ws.insert(&norm, contents);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &[&str]) -> Vec<String> {
        s.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn echo_like_bash() {
        assert_eq!(parse(&words(&["a", "b"])).output(), "a b\n");
        assert_eq!(parse(&words(&["-n", "a"])).output(), "a");
        assert_eq!(parse(&words(&["-e", "a\\tb\\n"])).output(), "a\tb\n\n");
        assert_eq!(parse(&words(&["a\\n"])).output(), "a\\n\n");
        assert_eq!(parse(&words(&["-x", "a"])).output(), "-x a\n");
        assert_eq!(parse(&words(&["-ne", "x\\c", "y"])).output(), "x");
    }

    #[test]
    fn redirections_write_the_workspace() {
        let mut ws = Workspace::new();
        ws.insert("src/app.js", "a\n");
        write_file(&mut ws, "src/app.js", "b\n", true).unwrap();
        assert_eq!(ws.get("src/app.js"), Some("a\nb\n"));
        write_file(&mut ws, "./notes.txt", "x\n", false).unwrap();
        assert_eq!(ws.get("notes.txt"), Some("x\n"));
        assert!(write_file(&mut ws, "src", "x", false).is_err());
        assert!(write_file(&mut ws, "nope/x", "x", false).is_err());
        assert!(write_file(&mut ws, "../x", "x", false).is_err());
    }

    #[test]
    fn pipelines_parse() {
        let c = Command::parse("echo hi | echo there > out.txt").unwrap();
        let Command::Pipe(_, right) = c else {
            panic!("{c:?}")
        };
        assert!(matches!(*right, Command::Redirect { append: false, .. }));
        assert!(Command::parse("echo hi >").is_err());
        assert!(Command::parse("| echo").is_err());
        assert!(Command::parse("echo a > x | echo b").is_err());
    }
}
