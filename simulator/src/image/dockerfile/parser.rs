//! The low-level Dockerfile parser: bytes → a flat list of instruction [`Node`]s.
//!
//! A line-for-line port of BuildKit's `frontend/dockerfile/parser` (`parser.go`,
//! `line_parsers.go`, `split_command.go`, `directives.go`, moby/buildkit@73ed682), so its
//! quirks are ours too:
//!
//! - Parser directives (`# syntax=`, `# escape=`, `# check=`) count only at the very top:
//!   the first line that is not a directive (a blank line, any other comment, an
//!   instruction) ends the directive block. Keys are case-insensitive and may appear once.
//! - `#` starts a comment only at the beginning of a line (after leading whitespace).
//! - The escape character (`\` or `` ` ``) as the last non-blank character continues the
//!   line, unless it is itself escaped. The next line's leading whitespace is *kept*;
//!   comment lines and blank lines inside a continuation are dropped (blank ones raise the
//!   `NoEmptyContinuation` warning). A continuation may run into end-of-file.
//! - Instruction keywords are case-insensitive; `--flag` words right after the keyword are
//!   split off as flags (a bare `--` ends them).
//! - Per-instruction argument rules: JSON arrays (exec form) for `RUN`/`CMD`/`ENTRYPOINT`/
//!   `SHELL`, JSON-or-words for `COPY`/`ADD`/`VOLUME`, `k=v` or legacy `k v` for
//!   `ENV`/`LABEL`, and so on. Unknown instructions still parse (with no arguments): they
//!   are rejected one level up, in [`super::instruction`].
//! - Heredocs (`<<EOF`, `<<-EOF`, `<<"EOF"`, `3<<EOF`, several per line) on `RUN`, `COPY`
//!   and `ADD` (and `ONBUILD` of those) swallow the following lines up to their terminator.
//!
//! Every node keeps the 1-based line numbers where it starts and ends. One deliberate
//! difference: BuildKit reports directive errors (`only one escape parser directive can be
//! used`) and over-long lines at the *previous* line (its counter is not yet incremented);
//! we report the offending line itself, so every located error names a line that exists.

use super::expand::{EnvMap, Lex};
use serde::Serialize;
use std::fmt;

/// A parse error located in the Dockerfile, shown like BuildKit: `Dockerfile:3: message`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParseError {
    /// 1-based first line of the offending instruction; `None` only for whole-file errors
    /// in a file that has no lines at all (printed as `Dockerfile: message`).
    pub line: Option<usize>,
    /// 1-based last line (equal to `line` for one-line instructions).
    pub end_line: Option<usize>,
    /// The message, as BuildKit words it.
    pub message: String,
}

impl ParseError {
    /// An error at `line` (1-based; 0 means "no line").
    pub fn at(line: usize, message: impl Into<String>) -> Self {
        let line = (line > 0).then_some(line);
        ParseError {
            line,
            end_line: line,
            message: message.into(),
        }
    }

    /// An error spanning `start..=end`.
    pub fn span(start: usize, end: usize, message: impl Into<String>) -> Self {
        let line = (start > 0).then_some(start);
        ParseError {
            line,
            end_line: line.map(|s| end.max(s)),
            message: message.into(),
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "Dockerfile:{l}: {}", self.message),
            None => write!(f, "Dockerfile: {}", self.message),
        }
    }
}

impl std::error::Error for ParseError {}

/// A heredoc attached to an instruction (`parser.Heredoc`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Heredoc {
    /// The terminator word with quotes removed (`EOF` for `<<'EOF'`).
    pub name: String,
    /// File descriptor prefix (`3<<EOF` → 3; 0 when absent).
    pub file_descriptor: u32,
    /// False when any part of the delimiter was quoted: the body is taken literally.
    pub expand: bool,
    /// `<<-`: leading tabs are stripped (from the terminator line while parsing, from the
    /// body when the content is used; the stored content is unchomped).
    pub chomp: bool,
    /// The body, every line with its newline, terminator excluded.
    pub content: String,
}

impl Heredoc {
    /// The body as the instruction sees it (`ChompHeredocContent` for `<<-`).
    pub fn effective_content(&self) -> String {
        if self.chomp {
            chomp_heredoc_content(&self.content)
        } else {
            self.content.clone()
        }
    }
}

/// One instruction as parsed (`parser.Node` of a root child).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Node {
    /// The keyword exactly as written (`RUN`, `run`, `Run`).
    pub value: String,
    /// Flags before the arguments, e.g. `--from=build`.
    pub flags: Vec<String>,
    /// The argument chain (for `ENV`/`LABEL`: key, value, separator triples).
    pub args: Vec<String>,
    /// `ONBUILD`'s trigger instruction.
    pub sub: Option<Box<Node>>,
    /// True when the arguments were a JSON array (exec form).
    pub json: bool,
    /// The logical line (continuations joined), keyword included.
    pub original: String,
    /// Heredocs, in the order their bodies appear.
    pub heredocs: Vec<Heredoc>,
    /// 1-based first line.
    pub start_line: usize,
    /// 1-based last line (continuations and heredoc bodies included).
    pub end_line: usize,
    /// Comment lines directly above the instruction.
    pub prev_comment: Vec<String>,
}

impl Node {
    /// The keyword in lower case (`run`).
    pub fn keyword(&self) -> String {
        self.value.to_ascii_lowercase()
    }

    /// BuildKit's s-expression dump (`Node.Dump`), e.g. `(copy ["--from=a"] "x" "/y")`
    /// without the outer parentheses.
    pub fn dump(&self) -> String {
        let mut s = self.value.to_lowercase();
        if !self.flags.is_empty() {
            s.push(' ');
            s.push('[');
            let quoted: Vec<String> = self.flags.iter().map(|f| go_quote(f)).collect();
            s.push_str(&quoted.join(" "));
            s.push(']');
        }
        for a in &self.args {
            s.push(' ');
            s.push_str(&go_quote(a));
        }
        if let Some(sub) = &self.sub {
            s.push(' ');
            s.push('(');
            s.push_str(&sub.dump());
            s.push(')');
        }
        s.trim_matches(go_is_space).to_string()
    }

    fn can_contain_heredoc(&self) -> bool {
        let node = match (&self.sub, self.keyword().as_str()) {
            (Some(sub), "onbuild") => sub.as_ref(),
            _ => self,
        };
        matches!(node.keyword().as_str(), "add" | "copy" | "run") && !node.json
    }
}

/// A parser directive found at the top of the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Directive {
    /// Lower-cased key: `syntax`, `escape` or `check`.
    pub name: String,
    /// The value, surrounding whitespace trimmed.
    pub value: String,
    /// 1-based line.
    pub line: usize,
}

/// A non-fatal parser warning (empty continuation lines).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParseWarning {
    /// Short text, as BuildKit prints it.
    pub short: String,
    /// 1-based line where the instruction ended.
    pub line: usize,
}

/// The parser's output (`parser.Result`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ast {
    /// Instructions in file order.
    pub children: Vec<Node>,
    /// The escape character in force (`\` unless `# escape=` said otherwise).
    pub escape_token: char,
    /// Parser directives from the top of the file.
    pub directives: Vec<Directive>,
    /// Warnings (empty continuation lines).
    pub warnings: Vec<ParseWarning>,
}

impl Ast {
    /// One dump line per instruction, as in BuildKit's `testfiles/*/result`.
    pub fn dump_lines(&self) -> Vec<String> {
        self.children
            .iter()
            .map(|c| format!("({})", c.dump()))
            .collect()
    }
}

/// BuildKit's `bufio.MaxScanTokenSize - 1`: longer physical lines are an error.
const MAX_LINE: usize = 64 * 1024 - 1;

/// Go's `unicode.IsSpace`.
pub(crate) fn go_is_space(c: char) -> bool {
    c.is_whitespace()
}

/// The `[\t\v\f\r ]` class of BuildKit's `reWhitespace` / `tokenWhitespace`.
fn is_token_ws(c: char) -> bool {
    matches!(c, '\t' | '\u{0b}' | '\u{0c}' | '\r' | ' ')
}

/// Splits on runs of `[\t\v\f\r ]` (Go `regexp.Split(s, n)`).
fn split_ws(s: &str, n: Option<usize>) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = s;
    loop {
        if n.is_some_and(|n| out.len() + 1 >= n) {
            out.push(rest.to_string());
            return out;
        }
        match rest.find(is_token_ws) {
            Some(i) => {
                out.push(rest[..i].to_string());
                let tail = &rest[i..];
                let skip = tail.len() - tail.trim_start_matches(is_token_ws).len();
                rest = &tail[skip..];
            }
            None => {
                out.push(rest.to_string());
                return out;
            }
        }
    }
}

/// Go's `strconv.Quote` (printable runes kept, the rest escaped).
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{07}' => out.push_str("\\a"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{0b}' => out.push_str("\\v"),
            c if go_is_print(c) => out.push(c),
            c if (c as u32) < 0x80 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push('"');
    out
}

/// Approximates Go's `strconv.IsPrint`: graphic characters and the ASCII space.
fn go_is_print(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    let u = c as u32;
    // Format characters (Cf) and private-use/noncharacters are not printable in Go.
    !matches!(u,
        0xAD | 0x600..=0x605 | 0x61C | 0x6DD | 0x70F | 0x180E | 0x200B..=0x200F
        | 0x202A..=0x202E | 0x2060..=0x206F | 0xFEFF | 0xFFF9..=0xFFFB
        | 0xE000..=0xF8FF | 0xFFFE | 0xFFFF | 0xF0000..=0x10FFFF)
}

/// State of directive parsing (`DirectiveParser` + `directives`).
struct Directives {
    escape: char,
    line: usize,
    done: bool,
    seen: Vec<String>,
    found: Vec<Directive>,
}

impl Directives {
    fn new() -> Self {
        Directives {
            escape: '\\',
            line: 0,
            done: false,
            seen: Vec::new(),
            found: Vec::new(),
        }
    }

    /// `possibleParserDirective`: true if `line` was a directive.
    fn possible(&mut self, line: &str) -> Result<bool, String> {
        self.line += 1;
        if self.done {
            return Ok(false);
        }
        let Some(rest) = line.strip_prefix('#') else {
            self.done = true;
            return Ok(false);
        };
        let rest = rest.trim_start_matches(go_is_space);
        let Some((key, value)) = match_directive(rest) else {
            self.done = true;
            return Ok(false);
        };
        let k = key.to_ascii_lowercase();
        if !matches!(k.as_str(), "syntax" | "escape" | "check") {
            self.done = true;
            return Ok(false);
        }
        if self.seen.contains(&k) {
            return Err(format!("only one {k} parser directive can be used"));
        }
        self.seen.push(k.clone());
        if k == "escape" {
            match value.as_str() {
                "\\" => self.escape = '\\',
                "`" => self.escape = '`',
                v => return Err(format!("invalid escape token '{v}' does not match ` or \\")),
            }
        }
        self.found.push(Directive {
            name: k,
            value,
            line: self.line,
        });
        Ok(true)
    }
}

/// `^([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$` (Go `\s` = `[\t\n\f\r ]`).
fn match_directive(s: &str) -> Option<(String, String)> {
    let go_s = |c: char| matches!(c, '\t' | '\n' | '\u{0c}' | '\r' | ' ');
    let mut chars = s.char_indices();
    let (_, first) = chars.next()?;
    if !first.is_ascii_alphabetic() {
        return None;
    }
    let key_end = s
        .char_indices()
        .find(|(_, c)| !c.is_ascii_alphanumeric())
        .map(|(i, _)| i)
        .unwrap_or(s.len());
    let key = &s[..key_end];
    let rest = s[key_end..].trim_start_matches(go_s);
    let rest = rest.strip_prefix('=')?;
    let value = rest.trim_start_matches(go_s).trim_end_matches(go_s);
    if value.is_empty() {
        return None;
    }
    Some((key.to_string(), value.to_string()))
}

/// Physical lines with their line endings (`scanLines`).
fn scan_lines(src: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = src;
    while !rest.is_empty() {
        match rest.find('\n') {
            Some(i) => {
                out.push(&rest[..=i]);
                rest = &rest[i + 1..];
            }
            None => {
                out.push(rest);
                rest = "";
            }
        }
    }
    out
}

fn trim_newline(s: &str) -> &str {
    s.trim_end_matches(['\r', '\n'])
}

fn is_comment(line: &str) -> bool {
    line.trim_start_matches(go_is_space).starts_with('#')
}

fn is_empty_continuation_line(line: &str) -> bool {
    trim_newline(line)
        .trim_start_matches(go_is_space)
        .is_empty()
}

/// `trimContinuationCharacter`: strips a trailing unescaped escape character.
fn trim_continuation(line: &str, escape: char) -> (String, bool) {
    let t = line.trim_end_matches([' ', '\t']);
    if let Some(before) = t.strip_suffix(escape)
        && (before.is_empty() || !before.ends_with(escape))
    {
        return (before.to_string(), false);
    }
    (line.to_string(), true)
}

/// `processLine`: trims the newline (and leading whitespace on first lines), looks for a
/// directive, and blanks comment lines.
fn process_line(
    d: &mut Directives,
    token: &str,
    strip_left: bool,
) -> Result<(String, bool), String> {
    let mut token = trim_newline(token);
    if strip_left {
        token = token.trim_start_matches(go_is_space);
    }
    let ok = d.possible(token)?;
    let out = if is_comment(token) {
        String::new()
    } else {
        token.to_string()
    };
    Ok((out, ok))
}

/// Parses a Dockerfile into its AST (`parser.Parse`). Never panics.
pub fn parse(src: &str) -> Result<Ast, ParseError> {
    let mut d = Directives::new();
    let lines = scan_lines(src);
    let mut idx = 0usize;
    let mut current_line = 0usize;
    let mut children: Vec<Node> = Vec::new();
    let mut warnings = Vec::new();
    let mut comments: Vec<String> = Vec::new();
    let mut scanner_error = false;

    // Like bufio.Scanner, stop (and report) at the first over-long physical line.
    let next = |idx: &mut usize, err: &mut bool| -> Option<&str> {
        if *err || *idx >= lines.len() {
            return None;
        }
        let l = lines[*idx];
        if l.len() > MAX_LINE + 1 || (l.len() == MAX_LINE + 1 && !l.ends_with('\n')) {
            *err = true;
            return None;
        }
        *idx += 1;
        Some(l)
    };

    while let Some(raw) = next(&mut idx, &mut scanner_error) {
        let mut bytes_read = raw;
        if current_line == 0 {
            bytes_read = bytes_read.strip_prefix('\u{feff}').unwrap_or(bytes_read);
        }
        if is_comment(bytes_read) {
            let body: String = bytes_read.chars().skip(1).collect();
            let comment = body.trim_matches(go_is_space).to_string();
            if comment.is_empty() {
                comments.clear();
            } else {
                comments.push(comment);
            }
        }
        let (first, directive_ok) = process_line(&mut d, bytes_read, true)
            .map_err(|e| ParseError::at(current_line + 1, e))?;
        if directive_ok {
            comments.pop();
        }
        current_line += 1;
        let start_line = current_line;
        let (line, mut is_end) = trim_continuation(&first, d.escape);
        if is_end && line.is_empty() {
            continue;
        }
        let mut buf = line;
        let mut has_empty = false;
        while !is_end {
            let Some(raw) = next(&mut idx, &mut scanner_error) else {
                break;
            };
            let (b, _) = process_line(&mut d, raw, false)
                .map_err(|e| ParseError::at(current_line + 1, e))?;
            current_line += 1;
            if is_comment(raw) {
                continue;
            }
            if is_empty_continuation_line(&b) {
                has_empty = true;
                continue;
            }
            let (b2, end) = trim_continuation(&b, d.escape);
            is_end = end;
            buf.push_str(&b2);
        }
        if has_empty {
            warnings.push(ParseWarning {
                short: format!("Empty continuation line found in: {buf}"),
                line: current_line,
            });
        }
        let mut child = new_node_from_line(&buf, d.escape, std::mem::take(&mut comments))
            .map_err(|e| ParseError::span(start_line, current_line, e))?;
        if child.can_contain_heredoc() && buf.contains("<<") {
            let heredocs = heredocs_from_line(&buf)
                .map_err(|e| ParseError::span(start_line, current_line, e))?;
            for mut h in heredocs {
                let mut terminated = false;
                while let Some(raw) = next(&mut idx, &mut scanner_error) {
                    current_line += 1;
                    let mut possible = trim_newline(raw);
                    if h.chomp {
                        possible = possible.trim_start_matches('\t');
                    }
                    if possible == h.name {
                        terminated = true;
                        break;
                    }
                    h.content.push_str(raw);
                }
                if !terminated {
                    return Err(ParseError::span(
                        start_line,
                        current_line,
                        "unterminated heredoc",
                    ));
                }
                child.heredocs.push(h);
            }
        }
        child.start_line = start_line;
        child.end_line = current_line;
        children.push(child);
        comments.clear();
    }

    if children.is_empty() {
        let line = current_line.max(usize::from(!src.is_empty()));
        return Err(ParseError::at(line, "file with no instructions"));
    }
    if scanner_error {
        return Err(ParseError::at(
            current_line + 1,
            format!("dockerfile line greater than max allowed size of {MAX_LINE}"),
        ));
    }
    Ok(Ast {
        children,
        escape_token: d.escape,
        directives: d.found,
        warnings,
    })
}

/// `splitCommand` + dispatch: one logical line → a node (lines are filled in by the caller).
fn new_node_from_line(line: &str, escape: char, comments: Vec<String>) -> Result<Node, String> {
    let trimmed = line.trim_matches(go_is_space);
    let parts = split_ws(trimmed, Some(2));
    let cmd = parts[0].clone();
    let (args, flags) = match parts.get(1) {
        Some(rest) => extract_builder_flags(rest),
        None => (String::new(), Vec::new()),
    };
    let args = args.trim_matches(go_is_space).to_string();
    let mut node = Node {
        value: cmd.clone(),
        flags,
        args: Vec::new(),
        sub: None,
        json: false,
        original: line.to_string(),
        heredocs: Vec::new(),
        start_line: 0,
        end_line: 0,
        prev_comment: comments,
    };
    match cmd.to_lowercase().as_str() {
        "add" | "copy" | "volume" => {
            (node.args, node.json) = parse_maybe_json_to_list(&args)?;
        }
        "arg" => node.args = parse_words(&args, escape),
        "cmd" | "entrypoint" | "run" | "shell" => {
            (node.args, node.json) = parse_maybe_json(&args)?;
        }
        "env" => node.args = parse_name_val(&args, "ENV", escape)?,
        "label" => node.args = parse_name_val(&args, "LABEL", escape)?,
        "expose" | "from" => node.args = parse_strings_ws(&args),
        "healthcheck" => {
            (node.args, node.json) = parse_health_config(&args)?;
        }
        "maintainer" | "stopsignal" | "user" | "workdir" => {
            if !args.is_empty() {
                node.args = vec![args];
            }
        }
        "onbuild" => {
            if !args.is_empty() {
                node.sub = Some(Box::new(new_node_from_line(&args, escape, Vec::new())?));
            }
        }
        // parseIgnore: an empty node, which dumps as `""`.
        _ => node.args = vec![String::new()],
    }
    Ok(node)
}

/// `extractBuilderFlags`: leading `--x` words become flags; returns (rest, flags).
fn extract_builder_flags(line: &str) -> (String, Vec<String>) {
    #[derive(PartialEq)]
    enum Phase {
        Spaces,
        Word,
        Quote,
    }
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    let mut words: Vec<String> = Vec::new();
    let mut phase = Phase::Spaces;
    let mut word = String::new();
    let mut quote = '\0';
    let mut blank_ok = false;
    let mut pos = 0usize;
    let n = chars.len();
    while pos <= n {
        let ch = if pos < n { chars[pos].1 } else { '\0' };
        if phase == Phase::Spaces {
            if pos == n {
                break;
            }
            if go_is_space(ch) {
                pos += 1;
                continue;
            }
            if ch != '-' || pos + 1 == n || chars[pos + 1].1 != '-' {
                return (line[chars[pos].0..].to_string(), words);
            }
            phase = Phase::Word;
        }
        if (phase == Phase::Word || phase == Phase::Quote) && pos == n {
            if word != "--" && (blank_ok || !word.is_empty()) {
                words.push(word.clone());
            }
            break;
        }
        if phase == Phase::Word {
            if go_is_space(ch) {
                phase = Phase::Spaces;
                if word == "--" {
                    return (line[chars[pos].0..].to_string(), words);
                }
                if blank_ok || !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
                word.clear();
                blank_ok = false;
                pos += 1;
                continue;
            }
            if ch == '\'' || ch == '"' {
                quote = ch;
                blank_ok = true;
                phase = Phase::Quote;
                pos += 1;
                continue;
            }
            let mut c = ch;
            if c == '\\' {
                if pos + 1 == n {
                    pos += 1;
                    continue;
                }
                pos += 1;
                c = chars[pos].1;
            }
            word.push(c);
            pos += 1;
            continue;
        }
        if phase == Phase::Quote {
            if ch == quote {
                phase = Phase::Word;
                pos += 1;
                continue;
            }
            let mut c = ch;
            if c == '\\' {
                if pos + 1 == n {
                    phase = Phase::Word;
                    pos += 1;
                    continue;
                }
                pos += 1;
                c = chars[pos].1;
            }
            word.push(c);
        }
        pos += 1;
    }
    (String::new(), words)
}

/// `parseWords`: splits on whitespace, keeping quotes and escapes in the words.
pub(crate) fn parse_words(rest: &str, escape: char) -> Vec<String> {
    #[derive(PartialEq)]
    enum Phase {
        Spaces,
        Word,
        Quote,
    }
    let chars: Vec<char> = rest.chars().collect();
    let n = chars.len();
    let mut words = Vec::new();
    let mut phase = Phase::Spaces;
    let mut quote = '\0';
    let mut blank_ok = false;
    let mut sb = String::new();
    let mut pos = 0usize;
    while pos <= n {
        let mut ch = if pos < n { chars[pos] } else { '\0' };
        if phase == Phase::Spaces {
            if pos == n {
                break;
            }
            if go_is_space(ch) {
                pos += 1;
                continue;
            }
            phase = Phase::Word;
        }
        if (phase == Phase::Word || phase == Phase::Quote) && pos == n {
            if blank_ok || !sb.is_empty() {
                words.push(sb.clone());
            }
            break;
        }
        if phase == Phase::Word {
            if go_is_space(ch) {
                phase = Phase::Spaces;
                if blank_ok || !sb.is_empty() {
                    words.push(sb.clone());
                }
                sb.clear();
                blank_ok = false;
                pos += 1;
                continue;
            }
            if ch == '\'' || ch == '"' {
                quote = ch;
                blank_ok = true;
                phase = Phase::Quote;
            }
            if ch == escape {
                if pos + 1 == n {
                    pos += 1;
                    continue;
                }
                sb.push(ch);
                pos += 1;
                ch = chars[pos];
            }
            sb.push(ch);
            pos += 1;
            continue;
        }
        if phase == Phase::Quote {
            if ch == quote {
                phase = Phase::Word;
            }
            if ch == escape && quote != '\'' {
                if pos + 1 == n {
                    phase = Phase::Word;
                    pos += 1;
                    continue;
                }
                pos += 1;
                sb.push(ch);
                ch = chars[pos];
            }
            sb.push(ch);
        }
        pos += 1;
    }
    words
}

/// `parseNameVal`: `k=v k2=v2` (separator `=`) or legacy `k v` (separator empty).
fn parse_name_val(rest: &str, key: &str, escape: char) -> Result<Vec<String>, String> {
    let words = parse_words(rest, escape);
    if words.is_empty() {
        return Ok(Vec::new());
    }
    if !words[0].contains('=') {
        let parts = split_ws(rest, Some(2));
        if parts.len() < 2 {
            return Err(format!("{key} must have two arguments"));
        }
        return Ok(vec![parts[0].clone(), parts[1].clone(), String::new()]);
    }
    let mut out = Vec::new();
    for w in words {
        let Some((k, v)) = w.split_once('=') else {
            return Err(format!(
                "Syntax error - can't find = in {}. Must be of the form: name=value",
                go_quote(&w)
            ));
        };
        out.push(k.to_string());
        out.push(v.to_string());
        out.push("=".to_string());
    }
    Ok(out)
}

fn parse_strings_ws(rest: &str) -> Vec<String> {
    if rest.is_empty() {
        return Vec::new();
    }
    split_ws(rest, None)
}

enum JsonErr {
    NotArray,
    NotStrings,
}

/// `parseJSON`: a JSON array of strings.
fn parse_json(rest: &str) -> Result<Vec<String>, JsonErr> {
    let rest = rest.trim_start_matches(go_is_space);
    if !rest.starts_with('[') {
        return Err(JsonErr::NotArray);
    }
    let values: Vec<serde_json::Value> =
        serde_json::from_str(rest).map_err(|_| JsonErr::NotArray)?;
    values
        .into_iter()
        .map(|v| match v {
            serde_json::Value::String(s) => Ok(s),
            _ => Err(JsonErr::NotStrings),
        })
        .collect()
}

const NOT_STRING_ARRAY: &str =
    "when using JSON array syntax, arrays must be comprised of strings only";

fn parse_maybe_json(rest: &str) -> Result<(Vec<String>, bool), String> {
    if rest.is_empty() {
        return Ok((Vec::new(), false));
    }
    match parse_json(rest) {
        Ok(v) => Ok((v, true)),
        Err(JsonErr::NotStrings) => Err(NOT_STRING_ARRAY.to_string()),
        Err(JsonErr::NotArray) => Ok((vec![rest.to_string()], false)),
    }
}

fn parse_maybe_json_to_list(rest: &str) -> Result<(Vec<String>, bool), String> {
    match parse_json(rest) {
        Ok(v) => Ok((v, true)),
        Err(JsonErr::NotStrings) => Err(NOT_STRING_ARRAY.to_string()),
        Err(JsonErr::NotArray) => Ok((parse_strings_ws(rest), false)),
    }
}

/// `parseHealthConfig`: the type word (`CMD`/`NONE`) then a maybe-JSON command.
fn parse_health_config(rest: &str) -> Result<(Vec<String>, bool), String> {
    // BuildKit scans bytes here; we scan characters (identical for ASCII).
    let sep = rest.find(go_is_space).unwrap_or(rest.len());
    if sep == 0 {
        return Ok((Vec::new(), false));
    }
    let after = &rest[sep..];
    let next = sep + (after.len() - after.trim_start_matches(go_is_space).len());
    let typ = rest[..sep].to_string();
    let (cmd, json) = parse_maybe_json(&rest[next..])?;
    let mut out = vec![typ];
    out.extend(cmd);
    Ok((out, json))
}

/// `^(\d*)<<(-?)\s*([^<]*)$` → `(fd, chomp, rest)`.
fn match_heredoc(src: &str) -> Option<(u32, bool, String)> {
    let digits_end = src.find(|c: char| !c.is_ascii_digit()).unwrap_or(src.len());
    let digits = &src[..digits_end];
    let rest = src[digits_end..].strip_prefix("<<")?;
    let (chomp, rest) = match rest.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    let rest = rest.trim_start_matches(['\t', '\n', '\u{0c}', '\r', ' ']);
    if rest.contains('<') {
        return None;
    }
    let fd = digits.parse::<u64>().unwrap_or(0).min(u32::MAX as u64) as u32;
    Some((fd, chomp, rest.to_string()))
}

/// `ParseHeredoc`: a single word such as `<<-"EOF"` → a heredoc (without content).
pub fn parse_heredoc(src: &str) -> Result<Option<Heredoc>, String> {
    let Some((fd, chomp, rest)) = match_heredoc(src) else {
        return Ok(None);
    };
    if rest.is_empty() {
        return Ok(None);
    }
    let empty = EnvMap::new();
    let mut lex = Lex::new('\\');
    lex.skip_unset_env = true;
    let words = lex.process_words(&rest, &empty)?;
    if words.len() != 1 {
        return Ok(None);
    }
    lex.raw_quotes = true;
    let raw = lex.process_words(&rest, &empty)?;
    if raw.len() != words.len() {
        return Err(format!(
            "internal lexing of heredoc produced inconsistent results: {rest}"
        ));
    }
    let count = |s: &str| s.chars().filter(|c| *c == '\'' || *c == '"').count();
    let expand = count(&words[0]) == count(&raw[0]);
    Ok(Some(Heredoc {
        name: words[0].clone(),
        file_descriptor: fd,
        expand,
        chomp,
        content: String::new(),
    }))
}

/// `heredocsFromLine`: every heredoc word of a logical line, in order.
pub fn heredocs_from_line(line: &str) -> Result<Vec<Heredoc>, String> {
    let mut lex = Lex::new('\\');
    lex.raw_quotes = true;
    lex.raw_escapes = true;
    lex.skip_unset_env = true;
    let words = lex.process_words(line, &EnvMap::new()).unwrap_or_default();
    let mut docs = Vec::new();
    for w in words {
        if let Some(h) = parse_heredoc(&w)? {
            docs.push(h);
        }
    }
    Ok(docs)
}

/// `ChompHeredocContent`: strips leading tabs from every line.
pub fn chomp_heredoc_content(src: &str) -> String {
    src.split_inclusive('\n')
        .map(|l| l.trim_start_matches('\t'))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dump(src: &str) -> Vec<String> {
        parse(src).expect("parses").dump_lines()
    }

    #[test]
    fn escape_directive_backtick() {
        let d = dump("# escape=`\nFROM image\nRUN a `\n  b\nENV GOPATH `\n\\go\n");
        assert_eq!(
            d,
            vec![
                "(from \"image\")",
                "(run \"a   b\")",
                "(env \"GOPATH\" \"\\\\go\" \"\")"
            ]
        );
    }

    #[test]
    fn directive_after_comment_is_plain_comment() {
        let ast = parse("# hello\n# escape=`\nFROM image\nRUN a \\\n b\n").unwrap();
        assert_eq!(ast.escape_token, '\\');
        assert!(ast.directives.is_empty());
        assert_eq!(ast.dump_lines()[1], "(run \"a  b\")");
    }

    #[test]
    fn directive_twice_is_an_error() {
        let e = parse("# syntax=a\n# SYNTAX=b\nFROM x\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "Dockerfile:2: only one syntax parser directive can be used"
        );
    }

    #[test]
    fn heredoc_chomp_and_quoted() {
        let ast =
            parse("FROM a\nRUN <<-EOT\n\techo $X\n\tEOT\nCOPY <<'A' <<B /d\nx\nA\ny\nB\n").unwrap();
        let run = &ast.children[1];
        assert_eq!(run.heredocs[0].name, "EOT");
        assert!(run.heredocs[0].chomp && run.heredocs[0].expand);
        assert_eq!(run.heredocs[0].content, "\techo $X\n");
        assert_eq!(run.heredocs[0].effective_content(), "echo $X\n");
        assert_eq!((run.start_line, run.end_line), (2, 4));
        let copy = &ast.children[2];
        assert_eq!(copy.heredocs.len(), 2);
        assert!(!copy.heredocs[0].expand);
        assert!(copy.heredocs[1].expand);
        assert_eq!(copy.start_line, 5);
        assert_eq!(copy.end_line, 9);
    }

    #[test]
    fn heredoc_fd_prefix_and_spaces() {
        let ast = parse("FROM a\nRUN 3<<EOF\nEOF\nRUN <<  X > f\nX\n").unwrap();
        assert_eq!(ast.children[1].heredocs[0].file_descriptor, 3);
        assert_eq!(ast.children[2].heredocs[0].name, "X");
    }

    #[test]
    fn comment_lines_inside_continuation_are_dropped() {
        let d = dump("FROM a\nRUN a \\\n# note\n    b \\\n\n  c\n");
        assert_eq!(d[1], "(run \"a     b   c\")");
        let ast = parse("FROM a\nRUN a \\\n# note\n    b \\\n\n  c\n").unwrap();
        assert_eq!(ast.warnings.len(), 1);
        assert_eq!(ast.children[1].end_line, 6);
    }

    #[test]
    fn env_forms() {
        let d = dump("FROM a\nENV a=1 b=\"x y\"\nENV k v w\n");
        assert_eq!(d[1], "(env \"a\" \"1\" \"=\" \"b\" \"\\\"x y\\\"\" \"=\")");
        assert_eq!(d[2], "(env \"k\" \"v w\" \"\")");
    }

    #[test]
    fn unknown_instruction_and_onbuild() {
        let d = dump("FROM a\nFOO bar\nONBUILD RUN x\n");
        assert_eq!(d[1], "(foo \"\")");
        assert_eq!(d[2], "(onbuild (run \"x\"))");
    }

    #[test]
    fn healthcheck_forms_match_buildkit_testfile() {
        // moby/buildkit frontend/dockerfile/parser/testfiles/health.
        let src = "FROM debian\nADD check.sh main.sh /app/\nCMD /app/main.sh\nHEALTHCHECK\nHEALTHCHECK --interval=5s --timeout=3s --retries=3 \\\n  CMD /app/check.sh --quiet\nHEALTHCHECK CMD\nHEALTHCHECK   CMD   a b\nHEALTHCHECK --timeout=3s CMD [\"foo\"]\nHEALTHCHECK CONNECT TCP 7000\n";
        assert_eq!(
            dump(src),
            vec![
                "(from \"debian\")",
                "(add \"check.sh\" \"main.sh\" \"/app/\")",
                "(cmd \"/app/main.sh\")",
                "(healthcheck)",
                "(healthcheck [\"--interval=5s\" \"--timeout=3s\" \"--retries=3\"] \"CMD\" \"/app/check.sh --quiet\")",
                "(healthcheck \"CMD\")",
                "(healthcheck \"CMD\" \"a b\")",
                "(healthcheck [\"--timeout=3s\"] \"CMD\" \"foo\")",
                "(healthcheck \"CONNECT\" \"TCP 7000\")",
            ]
        );
    }

    #[test]
    fn tab_continuations_keep_indentation() {
        let d = dump(
            "FROM a\nRUN\tapt-get install -yq \\\n\tcurl \\\n\tgit\nENV\tDOCKER_X\t\\\n\tlinux/386 linux/arm \\\n\tdarwin/amd64\n",
        );
        assert_eq!(d[1], "(run \"apt-get install -yq \\tcurl \\tgit\")");
        assert_eq!(
            d[2],
            "(env \"DOCKER_X\" \"linux/386 linux/arm \\tdarwin/amd64\" \"\")"
        );
    }

    #[test]
    fn heredocs_match_buildkit_extract_test() {
        // moby/buildkit parser_heredoc_test.go TestParseExtractsHeredoc (all cases).
        let src = "FROM alpine:3.6\n\nENV NAME=me\n\nRUN ls\n\nUSER <<INVALID\nINVALID\n\nRUN <<EMPTY\nEMPTY\n\nRUN 3<<EMPTY2\nEMPTY2\n\nRUN \"<<NOHEREDOC\"\n\nRUN <<INDENT\n\tfoo\n\tbar\nINDENT\n\nRUN <<-UNINDENT\n\tbaz\n\tquux\nUNINDENT\n\nRUN <<-UNINDENT2\n\tbaz\n\tquux\n\tUNINDENT2\n\nRUN <<-EXPAND\n\texpand $NAME\nEXPAND\n\nRUN <<-'NOEXPAND'\n\tdon't expand $NAME\nNOEXPAND\n\nRUN <<COPY\necho hello world\necho foo bar\nCOPY\n\nRUN <<COMMENT\n# internal comment\necho hello world\necho foo bar # trailing comment\nCOMMENT\n\nRUN --mount=type=cache,target=/foo <<MOUNT\necho hello\nMOUNT\n\nCOPY <<FILE1 <<FILE2 /dest\ncontent 1\nFILE1\ncontent 2\nFILE2\n\nCOPY <<EOF /quotes\n\"foo\"\n'bar'\nEOF\n\nCOPY <<X <<Y /dest\nY\nX\nX\nY\n\nRUN <<COMPLEX python3\nprint('hello world')\nCOMPLEX\n\nCOPY <<file.txt /dest\nhello world\nfile.txt\n\nRUN <<eo'f'\necho foo\neof\n\nRUN <<eo\\'f\necho foo\neo'f\n\nRUN <<'e'o\\'f\necho foo\neo'f\n\nRUN <<'one two'\necho bar\none two\n\nRUN <<$EOF\n$EOF\n\nRUN <<  EOF\nEOF\n\nRUN <<  EOF  > foo\nEOF\n\t";
        let ast = parse(src).unwrap();
        type H = (&'static str, &'static str, bool, bool, u32);
        let want: Vec<Vec<H>> = vec![
            vec![],
            vec![],
            vec![],
            vec![],
            vec![("EMPTY", "", true, false, 0)],
            vec![("EMPTY2", "", true, false, 3)],
            vec![],
            vec![("INDENT", "\tfoo\n\tbar\n", true, false, 0)],
            vec![("UNINDENT", "\tbaz\n\tquux\n", true, true, 0)],
            vec![("UNINDENT2", "\tbaz\n\tquux\n", true, true, 0)],
            vec![("EXPAND", "\texpand $NAME\n", true, true, 0)],
            vec![("NOEXPAND", "\tdon't expand $NAME\n", false, true, 0)],
            vec![("COPY", "echo hello world\necho foo bar\n", true, false, 0)],
            vec![(
                "COMMENT",
                "# internal comment\necho hello world\necho foo bar # trailing comment\n",
                true,
                false,
                0,
            )],
            vec![("MOUNT", "echo hello\n", true, false, 0)],
            vec![
                ("FILE1", "content 1\n", true, false, 0),
                ("FILE2", "content 2\n", true, false, 0),
            ],
            vec![("EOF", "\"foo\"\n'bar'\n", true, false, 0)],
            vec![("X", "Y\n", true, false, 0), ("Y", "X\n", true, false, 0)],
            vec![("COMPLEX", "print('hello world')\n", true, false, 0)],
            vec![("file.txt", "hello world\n", true, false, 0)],
            vec![("eof", "echo foo\n", false, false, 0)],
            vec![("eo'f", "echo foo\n", true, false, 0)],
            vec![("eo'f", "echo foo\n", false, false, 0)],
            vec![("one two", "echo bar\n", false, false, 0)],
            vec![("$EOF", "", true, false, 0)],
            vec![("EOF", "", true, false, 0)],
            vec![("EOF", "", true, false, 0)],
        ];
        for (i, w) in want.iter().enumerate() {
            let got: Vec<(String, String, bool, bool, u32)> = ast.children[i + 1]
                .heredocs
                .iter()
                .map(|h| {
                    (
                        h.name.clone(),
                        h.content.clone(),
                        h.expand,
                        h.chomp,
                        h.file_descriptor,
                    )
                })
                .collect();
            let w: Vec<(String, String, bool, bool, u32)> = w
                .iter()
                .map(|(n, c, e, ch, fd)| (n.to_string(), c.to_string(), *e, *ch, *fd))
                .collect();
            assert_eq!(got, w, "child {}", i + 1);
        }
        assert!(parse_heredoc("<<'EOF").is_err());
        assert!(parse_heredoc("<<EOF sh").unwrap().is_none());
        assert_eq!(parse_heredoc("<<- EOF").unwrap().unwrap().name, "EOF");
        assert_eq!(heredocs_from_line("RUN << -EOF").unwrap()[0].name, "-EOF");
        assert!(heredocs_from_line("RUN '<<EOF'").unwrap().is_empty());
    }

    #[test]
    fn empty_file() {
        assert_eq!(
            parse("").unwrap_err().to_string(),
            "Dockerfile: file with no instructions"
        );
        assert_eq!(
            parse("# c\n\n").unwrap_err().to_string(),
            "Dockerfile:2: file with no instructions"
        );
    }

    #[test]
    fn over_long_line_is_an_error() {
        let src = format!("FROM a\nLABEL test={}\n", "a".repeat(70_000));
        let e = parse(&src).unwrap_err();
        assert_eq!(
            e.to_string(),
            "Dockerfile:2: dockerfile line greater than max allowed size of 65535"
        );
    }

    #[test]
    fn unterminated_heredoc() {
        let e = parse("FROM a\nRUN <<EOF\necho\n").unwrap_err();
        assert_eq!(e.to_string(), "Dockerfile:2: unterminated heredoc");
    }
}
