//! Variable substitution and word splitting: a port of BuildKit's shell lexer
//! (`frontend/dockerfile/shell/lex.go`, moby/buildkit@73ed682).
//!
//! BuildKit (not a shell) expands `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
//! `${VAR:+alt}`, `${VAR+alt}`, `${VAR:?msg}`, `${VAR#pat}`/`##`, `${VAR%pat}`/`%%` and
//! `${VAR/pat/repl}`/`//` in the instructions that support it (`ADD COPY ENV EXPOSE FROM
//! LABEL STOPSIGNAL USER VOLUME WORKDIR ONBUILD`, and `ARG` defaults). `RUN`, `CMD` and
//! `ENTRYPOINT` are *not* expanded by BuildKit: their shell does it at run time.
//!
//! Quotes are removed as a POSIX shell would (`'…'` literal, `"…"` with `$` expansion and
//! `\"`, `\$`, `\\` escapes); the escape character (`\`, or `` ` `` after `# escape=`)
//! escapes the next character, so `\$HOME` stays literal.
//!
//! ARG scoping (enforced by the callers, [`super::lint`] and the builder): ARGs declared
//! before the first `FROM` are usable in `FROM` lines only, unless a stage re-declares them
//! with a bare `ARG NAME`, which imports the global value.

use std::collections::{BTreeMap, BTreeSet};

/// Variables in scope, by name.
pub type EnvMap = BTreeMap<String, String>;

/// The lexer's configuration (`shell.Lex`).
#[derive(Debug, Clone)]
pub struct Lex {
    /// Escape character: `\` or `` ` ``.
    pub escape: char,
    /// Keep quote characters in the output.
    pub raw_quotes: bool,
    /// Keep escape characters in the output.
    pub raw_escapes: bool,
    /// Treat quotes as ordinary characters (heredoc bodies).
    pub skip_process_quotes: bool,
    /// Leave unset variables as written instead of expanding them to "".
    pub skip_unset_env: bool,
}

/// What a substitution produced.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Processed {
    /// The expanded text (spaces between words kept).
    pub result: String,
    /// The expanded text split into words (quotes respected).
    pub words: Vec<String>,
    /// Variables that were found.
    pub matched: BTreeSet<String>,
    /// Variables referenced but not set.
    pub unmatched: BTreeSet<String>,
}

impl Lex {
    /// A lexer with BuildKit's defaults for the given escape character.
    pub fn new(escape: char) -> Self {
        Lex {
            escape,
            raw_quotes: false,
            raw_escapes: false,
            skip_process_quotes: false,
            skip_unset_env: false,
        }
    }

    /// Expands `word` (`ProcessWord`).
    pub fn process_word(&self, word: &str, env: &EnvMap) -> Result<String, String> {
        self.process(word, env).map(|p| p.result)
    }

    /// Expands and splits `word` into words (`ProcessWords`).
    pub fn process_words(&self, word: &str, env: &EnvMap) -> Result<Vec<String>, String> {
        self.process(word, env).map(|p| p.words)
    }

    /// Expands `word`, reporting which variables matched (`ProcessWordWithMatches`).
    pub fn process(&self, word: &str, env: &EnvMap) -> Result<Processed, String> {
        let mut sw = ShellWord {
            lex: self,
            chars: word.chars().collect(),
            pos: 0,
            env,
            raw_escapes: self.raw_escapes,
            matched: BTreeSet::new(),
            unmatched: BTreeSet::new(),
        };
        let raw = sw.raw_escapes;
        match sw.process_stop_on(None, raw) {
            Ok((result, words)) => Ok(Processed {
                result,
                words,
                matched: sw.matched,
                unmatched: sw.unmatched,
            }),
            Err(e) => Err(format!(
                "failed to process {}: {e}",
                super::parser::go_quote(word)
            )),
        }
    }
}

#[derive(Default)]
struct Words {
    word: String,
    words: Vec<String>,
    in_word: bool,
}

impl Words {
    fn add_char(&mut self, ch: char) {
        if ch.is_whitespace() && self.in_word {
            if !self.word.is_empty() {
                self.words.push(std::mem::take(&mut self.word));
                self.in_word = false;
            }
        } else if !ch.is_whitespace() {
            self.add_raw_char(ch);
        }
    }
    fn add_raw_char(&mut self, ch: char) {
        self.word.push(ch);
        self.in_word = true;
    }
    fn add_string(&mut self, s: &str) {
        for c in s.chars() {
            self.add_char(c);
        }
    }
    fn add_raw_string(&mut self, s: &str) {
        self.word.push_str(s);
        self.in_word = true;
    }
    fn get_words(mut self) -> Vec<String> {
        if !self.word.is_empty() {
            self.words.push(std::mem::take(&mut self.word));
        }
        self.words
    }
}

struct ShellWord<'a> {
    lex: &'a Lex,
    chars: Vec<char>,
    pos: usize,
    env: &'a EnvMap,
    raw_escapes: bool,
    matched: BTreeSet<String>,
    unmatched: BTreeSet<String>,
}

impl ShellWord<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }
    fn next(&mut self) -> Option<char> {
        let c = self.chars.get(self.pos).copied();
        if c.is_some() {
            self.pos += 1;
        }
        c
    }

    fn process_stop_on(
        &mut self,
        stop: Option<char>,
        raw_escapes: bool,
    ) -> Result<(String, Vec<String>), String> {
        let saved = self.raw_escapes;
        self.raw_escapes = raw_escapes;
        let r = self.process_stop_on_inner(stop);
        self.raw_escapes = saved;
        r
    }

    fn process_stop_on_inner(
        &mut self,
        stop: Option<char>,
    ) -> Result<(String, Vec<String>), String> {
        let mut result = String::new();
        let mut words = Words::default();
        while let Some(ch) = self.peek() {
            if stop == Some(ch) {
                self.next();
                return Ok((result, words.get_words()));
            }
            let special = match ch {
                '$' => Some(self.process_dollar()?),
                '<' => Some(self.process_possible_heredoc()),
                '\'' if !self.lex.skip_process_quotes => Some(self.process_single_quote()?),
                '"' if !self.lex.skip_process_quotes => Some(self.process_double_quote()?),
                _ => None,
            };
            if let Some(tmp) = special {
                result.push_str(&tmp);
                if ch == '$' {
                    words.add_string(&tmp);
                } else {
                    words.add_raw_string(&tmp);
                }
                continue;
            }
            let mut ch = self.next().unwrap_or('\0');
            if ch == self.lex.escape {
                if self.raw_escapes {
                    words.add_raw_char(ch);
                    result.push(ch);
                }
                match self.next() {
                    None => break,
                    Some(c) => ch = c,
                }
                words.add_raw_char(ch);
            } else {
                words.add_char(ch);
            }
            result.push(ch);
        }
        if let Some(s) = stop {
            return Err(format!(
                "unexpected end of statement while looking for matching {s}"
            ));
        }
        Ok((result, words.get_words()))
    }

    fn process_single_quote(&mut self) -> Result<String, String> {
        let mut result = String::new();
        let open = self.next().unwrap_or('\'');
        if self.lex.raw_quotes {
            result.push(open);
        }
        loop {
            match self.next() {
                None => {
                    return Err(
                        "unexpected end of statement while looking for matching single-quote"
                            .to_string(),
                    );
                }
                Some('\'') => {
                    if self.lex.raw_quotes {
                        result.push('\'');
                    }
                    return Ok(result);
                }
                Some(c) => result.push(c),
            }
        }
    }

    fn process_double_quote(&mut self) -> Result<String, String> {
        let mut result = String::new();
        let open = self.next().unwrap_or('"');
        if self.lex.raw_quotes {
            result.push(open);
        }
        loop {
            match self.peek() {
                None => {
                    return Err(
                        "unexpected end of statement while looking for matching double-quote"
                            .to_string(),
                    );
                }
                Some('"') => {
                    self.next();
                    if self.lex.raw_quotes {
                        result.push('"');
                    }
                    return Ok(result);
                }
                Some('$') => {
                    let v = self.process_dollar()?;
                    result.push_str(&v);
                }
                Some(_) => {
                    let mut ch = self.next().unwrap_or('\0');
                    if ch == self.lex.escape {
                        if self.raw_escapes {
                            result.push(ch);
                        }
                        match self.peek() {
                            None => continue,
                            Some(c) if c == '"' || c == '$' || c == self.lex.escape => {
                                ch = c;
                                self.next();
                            }
                            Some(_) => {}
                        }
                    }
                    result.push(ch);
                }
            }
        }
    }

    fn process_possible_heredoc(&mut self) -> String {
        self.next();
        if self.peek() != Some('<') {
            return "<".to_string();
        }
        self.next();
        let mut out = String::from("<<");
        while let Some(c) = self.peek() {
            if matches!(c, ' ' | '\t' | '\r') {
                out.push(c);
                self.next();
            } else {
                break;
            }
        }
        out
    }

    fn get_env(&mut self, name: &str) -> Option<String> {
        match self.env.get(name) {
            Some(v) => {
                self.matched.insert(name.to_string());
                Some(v.clone())
            }
            None => {
                self.unmatched.insert(name.to_string());
                None
            }
        }
    }

    fn process_name(&mut self) -> String {
        let mut name = String::new();
        while let Some(ch) = self.peek() {
            if name.is_empty() && ch.is_ascii_digit() {
                while let Some(d) = self.peek().filter(char::is_ascii_digit) {
                    name.push(d);
                    self.next();
                }
                return name;
            }
            if name.is_empty() && matches!(ch, '@' | '*' | '#' | '?' | '-' | '$' | '!' | '0') {
                self.next();
                return ch.to_string();
            }
            if !ch.is_alphanumeric() && ch != '_' {
                break;
            }
            name.push(ch);
            self.next();
        }
        name
    }

    fn process_dollar(&mut self) -> Result<String, String> {
        self.next();
        if self.peek() != Some('{') {
            let name = self.process_name();
            if name.is_empty() {
                return Ok("$".to_string());
            }
            return Ok(match self.get_env(&name) {
                Some(v) => v,
                None if self.lex.skip_unset_env => format!("${name}"),
                None => String::new(),
            });
        }
        self.next();
        match self.peek() {
            None => return Err("syntax error: missing '}'".to_string()),
            Some('{' | '}' | ':') => return Err("syntax error: bad substitution".to_string()),
            _ => {}
        }
        let name = self.process_name();
        let Some(mut ch) = self.next() else {
            return Err("syntax error: missing '}'".to_string());
        };
        let mut chs = ch.to_string();
        let mut null_is_unset = false;
        match ch {
            '}' => Ok(match self.get_env(&name) {
                Some(v) => v,
                None if self.lex.skip_unset_env => format!("${{{name}}}"),
                None => String::new(),
            }),
            ':' | '+' | '-' | '?' | '#' | '%' => {
                if ch == ':' {
                    null_is_unset = true;
                    match self.next() {
                        Some(c) => ch = c,
                        None => return Err("syntax error: missing '}'".to_string()),
                    }
                    chs.push(ch);
                }
                let raw = ch == '#' || ch == '%';
                let word = match self.process_stop_on(Some('}'), raw) {
                    Ok((w, _)) => w,
                    Err(e) => {
                        if self.peek().is_none() {
                            return Err("syntax error: missing '}'".to_string());
                        }
                        return Err(e);
                    }
                };
                let value = self.get_env(&name);
                if self.lex.skip_unset_env && value.is_none() {
                    return Ok(format!("${{{name}{chs}{word}}}"));
                }
                let set = value.is_some();
                let value = value.unwrap_or_default();
                match ch {
                    '-' => Ok(if !set || (null_is_unset && value.is_empty()) {
                        word
                    } else {
                        value
                    }),
                    '+' => Ok(if !set || (null_is_unset && value.is_empty()) {
                        String::new()
                    } else {
                        word
                    }),
                    '?' => {
                        if !set {
                            let m = if word.is_empty() {
                                "is not allowed to be unset".to_string()
                            } else {
                                word
                            };
                            return Err(format!("{name}: {m}"));
                        }
                        if null_is_unset && value.is_empty() {
                            let m = if word.is_empty() {
                                "is not allowed to be empty".to_string()
                            } else {
                                word
                            };
                            return Err(format!("{name}: {m}"));
                        }
                        Ok(value)
                    }
                    '%' | '#' => {
                        let (greedy, pat) = match word.strip_prefix(ch) {
                            Some(p) => (true, p.to_string()),
                            None => (false, word.clone()),
                        };
                        let pat = Pattern::compile(&pat)?;
                        Ok(if ch == '#' {
                            trim_prefix(&pat, &value, greedy)
                        } else {
                            trim_suffix(&pat, &value, greedy)
                        })
                    }
                    _ => Err(format!("unsupported modifier ({chs}) in substitution")),
                }
            }
            '/' => {
                let all = self.peek() == Some('/');
                if all {
                    self.next();
                }
                let pattern = match self.process_stop_on(Some('/'), true) {
                    Ok((p, _)) => p,
                    Err(e) => {
                        if self.peek().is_none() {
                            return Err("syntax error: missing '/' in ${}".to_string());
                        }
                        return Err(e);
                    }
                };
                let repl = match self.process_stop_on(Some('}'), true) {
                    Ok((p, _)) => p,
                    Err(e) => {
                        if self.peek().is_none() {
                            return Err("syntax error: missing '}'".to_string());
                        }
                        return Err(e);
                    }
                };
                let value = self.get_env(&name);
                let Some(value) = value else {
                    if self.lex.skip_unset_env {
                        return Ok(format!("${{{name}/{pattern}/{repl}}}"));
                    }
                    return Ok(String::new());
                };
                let pat = Pattern::compile(&pattern)?;
                Ok(replace(&pat, &value, &repl, all))
            }
            _ => Err(format!("unsupported modifier ({chs}) in substitution")),
        }
    }
}

/// A shell wildcard pattern (`*`, `?`, `\x`; no bracket expressions, like BuildKit).
#[derive(Debug)]
struct Pattern(Vec<Tok>);

#[derive(Debug, Clone, Copy)]
enum Tok {
    Star,
    Any,
    Lit(char),
}

impl Pattern {
    fn compile(p: &str) -> Result<Pattern, String> {
        let chars: Vec<char> = p.chars().collect();
        let mut out = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            match chars[i] {
                '*' => out.push(Tok::Star),
                '?' => out.push(Tok::Any),
                '\\' => {
                    if matches!(chars.get(i + 1), Some('}' | '/')) {
                        i += 1;
                        continue;
                    }
                    match chars.get(i + 1) {
                        Some(c @ ('*' | '?' | '\\')) => {
                            out.push(Tok::Lit(*c));
                            i += 1;
                        }
                        Some(c) => {
                            return Err(format!(
                                "invalid pattern ({p}) in substitution: invalid escape '\\{c}'"
                            ));
                        }
                        None => {
                            return Err(format!(
                                "invalid pattern ({p}) in substitution: invalid escape '\\'"
                            ));
                        }
                    }
                }
                c => out.push(Tok::Lit(c)),
            }
            i += 1;
        }
        Ok(Pattern(out))
    }

    /// Whole-string match.
    fn matches(&self, s: &[char]) -> bool {
        fn go(p: &[Tok], s: &[char]) -> bool {
            match p.first() {
                None => s.is_empty(),
                Some(Tok::Star) => (0..=s.len()).any(|i| go(&p[1..], &s[i..])),
                Some(Tok::Any) => !s.is_empty() && go(&p[1..], &s[1..]),
                Some(Tok::Lit(c)) => s.first() == Some(c) && go(&p[1..], &s[1..]),
            }
        }
        go(&self.0, s)
    }
}

fn trim_prefix(p: &Pattern, value: &str, greedy: bool) -> String {
    let v: Vec<char> = value.chars().collect();
    let mut ends: Box<dyn Iterator<Item = usize>> = if greedy {
        Box::new((0..=v.len()).rev())
    } else {
        Box::new(0..=v.len())
    };
    match ends.find(|&i| p.matches(&v[..i])) {
        Some(i) => v[i..].iter().collect(),
        None => value.to_string(),
    }
}

fn trim_suffix(p: &Pattern, value: &str, greedy: bool) -> String {
    let v: Vec<char> = value.chars().collect();
    let mut starts: Box<dyn Iterator<Item = usize>> = if greedy {
        Box::new(0..=v.len())
    } else {
        Box::new((0..=v.len()).rev())
    };
    match starts.find(|&i| p.matches(&v[i..])) {
        Some(i) => v[..i].iter().collect(),
        None => value.to_string(),
    }
}

/// `${VAR/pat/repl}`: leftmost match, longest at that position (greedy `*`).
fn replace(p: &Pattern, value: &str, repl: &str, all: bool) -> String {
    let v: Vec<char> = value.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let mut replaced = false;
    while i <= v.len() {
        if (!replaced || all)
            && let Some(end) = (i..=v.len()).rev().find(|&e| p.matches(&v[i..e]))
        {
            out.push_str(repl);
            replaced = true;
            if end > i {
                i = end;
                continue;
            }
        }
        if i < v.len() {
            out.push(v[i]);
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> EnvMap {
        let mut e = EnvMap::new();
        e.insert("NAME".into(), "world".into());
        e.insert("EMPTY".into(), String::new());
        e.insert("V".into(), "1.23.4-alpine".into());
        e
    }

    fn w(s: &str) -> String {
        Lex::new('\\').process_word(s, &env()).unwrap()
    }

    #[test]
    fn substitutions() {
        assert_eq!(w("hi $NAME"), "hi world");
        assert_eq!(w("${NAME}s"), "worlds");
        assert_eq!(w("${MISSING:-dflt}"), "dflt");
        assert_eq!(w("${EMPTY:-dflt}"), "dflt");
        assert_eq!(w("${EMPTY-dflt}"), "");
        assert_eq!(w("${NAME:+alt}"), "alt");
        assert_eq!(w("${MISSING:+alt}"), "");
        assert_eq!(w("\\$NAME"), "$NAME");
        assert_eq!(w("'$NAME'"), "$NAME");
        assert_eq!(w("\"$NAME x\""), "world x");
        assert_eq!(w("${V%%-*}"), "1.23.4");
        assert_eq!(w("${V#*.}"), "23.4-alpine");
        assert_eq!(w("${V/./_}"), "1_23.4-alpine");
        assert_eq!(w("${V//./_}"), "1_23_4-alpine");
    }

    #[test]
    fn backtick_escape() {
        let l = Lex::new('`');
        assert_eq!(l.process_word("`$NAME \\go", &env()).unwrap(), "$NAME \\go");
    }

    #[test]
    fn words_and_unmatched() {
        let p = Lex::new('\\')
            .process("a \"b c\" $MISSING d", &env())
            .unwrap();
        assert_eq!(p.words, vec!["a", "b c", "d"]);
        assert!(p.unmatched.contains("MISSING"));
        assert!(Lex::new('\\').process("${X", &env()).is_err());
        assert!(Lex::new('\\').process("${:x}", &env()).is_err());
    }
}
