//! Label selectors (`kubernetes/apimachinery pkg/labels/selector.go` for the string
//! syntax kubectl's `-l` takes, `pkg/apis/meta/v1/helpers.go LabelSelectorAsSelector`
//! for `matchLabels`/`matchExpressions` in manifests, and
//! `pkg/util/validation/validation.go` for key/value rules).

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// A requirement's operator (`selection.Operator`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Operator {
    /// `key in (a,b)`.
    In,
    /// `key notin (a,b)`.
    NotIn,
    /// `key=value`.
    Equals,
    /// `key==value`.
    DoubleEquals,
    /// `key!=value`.
    NotEquals,
    /// `key`.
    Exists,
    /// `!key`.
    DoesNotExist,
    /// `key>n` (integers).
    GreaterThan,
    /// `key<n` (integers).
    LessThan,
}

/// One requirement of a selector.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Requirement {
    /// Label key.
    pub key: String,
    /// Operator.
    pub operator: Operator,
    /// Values (a sorted set, as upstream's `sets.String`).
    pub values: Vec<String>,
}

/// Go's `strconv.ParseInt(s, 10, 64)`.
pub fn parse_go_int(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn is_name_part(s: &str) -> bool {
    // `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`, at most 63 characters.
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

fn is_dns1123_subdomain(s: &str) -> bool {
    s.len() <= 253
        && s.split('.').all(|p| {
            let b = p.as_bytes();
            !b.is_empty()
                && b.iter()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
                && b[0] != b'-'
                && b[b.len() - 1] != b'-'
        })
}

/// `IsQualifiedName`: `[prefix/]name` (label keys).
pub fn validate_label_key(key: &str) -> Result<(), String> {
    let (prefix, name) = match key.split_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    if let Some(p) = prefix {
        if p.is_empty() {
            return Err(format!(
                "invalid label key \"{key}\": prefix part must be non-empty"
            ));
        }
        if !is_dns1123_subdomain(p) {
            return Err(format!(
                "invalid label key \"{key}\": prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"
            ));
        }
    }
    if name.is_empty() {
        return Err(format!(
            "invalid label key \"{key}\": name part must be non-empty"
        ));
    }
    if name.len() > 63 {
        return Err(format!(
            "invalid label key \"{key}\": name part must be no more than 63 characters"
        ));
    }
    if !is_name_part(name) {
        return Err(format!(
            "invalid label key \"{key}\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
        ));
    }
    Ok(())
}

/// `IsValidLabelValue`: empty, or at most 63 characters of the name alphabet.
pub fn validate_label_value(value: &str) -> Result<(), String> {
    if value.is_empty() || is_name_part(value) {
        Ok(())
    } else if value.len() > 63 {
        Err(format!(
            "invalid label value: \"{value}\": must be no more than 63 characters"
        ))
    } else {
        Err(format!(
            "invalid label value: \"{value}\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
        ))
    }
}

impl Requirement {
    /// `NewRequirement`: validates the key, the number of values for the operator, integer
    /// values for Gt/Lt, and every value.
    pub fn new(key: &str, operator: Operator, values: Vec<String>) -> Result<Requirement, String> {
        validate_label_key(key)?;
        match operator {
            Operator::In | Operator::NotIn if values.is_empty() => {
                return Err("for 'in', 'notin' operators, values set can't be empty".to_string());
            }
            Operator::Equals | Operator::DoubleEquals | Operator::NotEquals
                if values.len() != 1 =>
            {
                return Err("exact-match compatibility requires one single value".to_string());
            }
            Operator::Exists | Operator::DoesNotExist if !values.is_empty() => {
                return Err("values set must be empty for exists and does not exist".to_string());
            }
            Operator::GreaterThan | Operator::LessThan => {
                if values.len() != 1 {
                    return Err(
                        "for 'Gt', 'Lt' operators, exactly one value is required".to_string()
                    );
                }
                if parse_go_int(&values[0]).is_none() {
                    return Err(format!(
                        "invalid value \"{}\": for 'Gt', 'Lt' operators, the value must be an integer",
                        values[0]
                    ));
                }
            }
            _ => {}
        }
        for v in &values {
            validate_label_value(v)?;
        }
        let set: BTreeSet<String> = values.into_iter().collect();
        Ok(Requirement {
            key: key.to_string(),
            operator,
            values: set.into_iter().collect(),
        })
    }

    /// `Requirement.Matches`.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        let got = labels.get(&self.key);
        let has = |v: &String| self.values.iter().any(|x| x == v);
        match self.operator {
            Operator::In | Operator::Equals | Operator::DoubleEquals => got.is_some_and(has),
            Operator::NotIn | Operator::NotEquals => !got.is_some_and(has),
            Operator::Exists => got.is_some(),
            Operator::DoesNotExist => got.is_none(),
            Operator::GreaterThan | Operator::LessThan => {
                let Some(lv) = got.and_then(|v| parse_go_int(v)) else {
                    return false;
                };
                let [rv] = self.values.as_slice() else {
                    return false;
                };
                let Some(rv) = parse_go_int(rv) else {
                    return false;
                };
                if self.operator == Operator::GreaterThan {
                    lv > rv
                } else {
                    lv < rv
                }
            }
        }
    }
}

impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let one = self.values.first().map(String::as_str).unwrap_or("");
        match self.operator {
            Operator::Exists => write!(f, "{}", self.key),
            Operator::DoesNotExist => write!(f, "!{}", self.key),
            Operator::Equals => write!(f, "{}={one}", self.key),
            Operator::DoubleEquals => write!(f, "{}=={one}", self.key),
            Operator::NotEquals => write!(f, "{}!={one}", self.key),
            Operator::GreaterThan => write!(f, "{}>{one}", self.key),
            Operator::LessThan => write!(f, "{}<{one}", self.key),
            Operator::In => write!(f, "{} in ({})", self.key, self.values.join(",")),
            Operator::NotIn => write!(f, "{} notin ({})", self.key, self.values.join(",")),
        }
    }
}

/// A parsed selector: requirements ANDed. `nothing` is upstream's `labels.Nothing()`
/// (what a nil `*LabelSelector` converts to); an empty requirement list selects everything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Selector {
    /// The requirements, sorted by key (as `labels.NewSelector().Add` keeps them).
    pub requirements: Vec<Requirement>,
    /// Selects no objects at all.
    pub nothing: bool,
}

impl Selector {
    /// `labels.Everything()`.
    pub fn everything() -> Selector {
        Selector::default()
    }

    /// `labels.Nothing()`.
    pub fn nothing() -> Selector {
        Selector {
            requirements: Vec::new(),
            nothing: true,
        }
    }

    /// `SelectorFromSet`: `k=v` for every pair (a nodeSelector, matchLabels).
    pub fn from_set(set: &BTreeMap<String, String>) -> Result<Selector, String> {
        let mut s = Selector::everything();
        for (k, v) in set {
            s.add(Requirement::new(k, Operator::Equals, vec![v.clone()])?);
        }
        Ok(s)
    }

    /// Adds a requirement, keeping key order (stable for equal keys).
    pub fn add(&mut self, r: Requirement) {
        let at = self
            .requirements
            .partition_point(|x| x.key.as_str() <= r.key.as_str());
        self.requirements.insert(at, r);
    }

    /// Whether the labels satisfy every requirement.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        !self.nothing && self.requirements.iter().all(|r| r.matches(labels))
    }

    /// Whether this selects everything.
    pub fn is_empty(&self) -> bool {
        !self.nothing && self.requirements.is_empty()
    }

    /// `labels.Parse`: the string syntax of `kubectl get -l`:
    /// `a=b,c!=d,e,!f,g in (x,y),h notin (z),n>1`.
    pub fn parse(s: &str) -> Result<Selector, String> {
        let tokens = lex(s)?;
        let mut p = Parser { tokens, pos: 0 };
        let reqs = p.parse()?;
        let mut sel = Selector::everything();
        for r in reqs {
            sel.add(r);
        }
        Ok(sel)
    }
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.requirements.iter().map(|r| r.to_string()).collect();
        f.write_str(&parts.join(","))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    End,
    ClosedPar,
    Comma,
    DoesNotExist,
    DoubleEquals,
    Equals,
    GreaterThan,
    Identifier(String),
    In,
    LessThan,
    NotEquals,
    NotIn,
    OpenPar,
}

impl Tok {
    fn literal(&self) -> String {
        match self {
            Tok::End => String::new(),
            Tok::ClosedPar => ")".into(),
            Tok::Comma => ",".into(),
            Tok::DoesNotExist => "!".into(),
            Tok::DoubleEquals => "==".into(),
            Tok::Equals => "=".into(),
            Tok::GreaterThan => ">".into(),
            Tok::Identifier(s) => s.clone(),
            Tok::In => "in".into(),
            Tok::LessThan => "<".into(),
            Tok::NotEquals => "!=".into(),
            Tok::NotIn => "notin".into(),
            Tok::OpenPar => "(".into(),
        }
    }
}

fn is_special(c: char) -> bool {
    matches!(c, '=' | '!' | '(' | ')' | ',' | '>' | '<')
}

fn lex(s: &str) -> Result<Vec<Tok>, String> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if matches!(c, ' ' | '\t' | '\r' | '\n') {
            i += 1;
            continue;
        }
        if is_special(c) {
            let next = chars.get(i + 1).copied();
            let (tok, len) = match (c, next) {
                ('!', Some('=')) => (Tok::NotEquals, 2),
                ('=', Some('=')) => (Tok::DoubleEquals, 2),
                ('!', _) => (Tok::DoesNotExist, 1),
                ('=', _) => (Tok::Equals, 1),
                ('(', _) => (Tok::OpenPar, 1),
                (')', _) => (Tok::ClosedPar, 1),
                (',', _) => (Tok::Comma, 1),
                ('>', _) => (Tok::GreaterThan, 1),
                _ => (Tok::LessThan, 1),
            };
            out.push(tok);
            i += len;
            continue;
        }
        let start = i;
        while i < chars.len()
            && !is_special(chars[i])
            && !matches!(chars[i], ' ' | '\t' | '\r' | '\n')
        {
            i += 1;
        }
        let word: String = chars[start..i].iter().collect();
        out.push(match word.as_str() {
            "in" => Tok::In,
            "notin" => Tok::NotIn,
            _ => Tok::Identifier(word),
        });
    }
    out.push(Tok::End);
    Ok(out)
}

struct Parser {
    tokens: Vec<Tok>,
    pos: usize,
}

impl Parser {
    /// In the "values" context keywords are plain identifiers.
    fn as_value(t: &Tok) -> Tok {
        match t {
            Tok::In => Tok::Identifier("in".into()),
            Tok::NotIn => Tok::Identifier("notin".into()),
            other => other.clone(),
        }
    }

    fn lookahead(&self, values: bool) -> Tok {
        let t = self.tokens.get(self.pos).cloned().unwrap_or(Tok::End);
        if values { Parser::as_value(&t) } else { t }
    }

    fn consume(&mut self, values: bool) -> Tok {
        let t = self.lookahead(values);
        if self.pos < self.tokens.len() {
            self.pos += 1;
        }
        t
    }

    fn parse(&mut self) -> Result<Vec<Requirement>, String> {
        let mut reqs = Vec::new();
        loop {
            match self.lookahead(true) {
                Tok::Identifier(_) | Tok::DoesNotExist => {
                    let r = self
                        .parse_requirement()
                        .map_err(|e| format!("unable to parse requirement: {e}"))?;
                    reqs.push(r);
                    match self.consume(true) {
                        Tok::End => return Ok(reqs),
                        Tok::Comma => match self.lookahead(true) {
                            Tok::Identifier(_) | Tok::DoesNotExist => {}
                            t => {
                                return Err(format!(
                                    "found '{}', expected: identifier after ','",
                                    t.literal()
                                ));
                            }
                        },
                        t => {
                            return Err(format!(
                                "found '{}', expected: ',' or 'end of string'",
                                t.literal()
                            ));
                        }
                    }
                }
                Tok::End => return Ok(reqs),
                t => {
                    return Err(format!(
                        "found '{}', expected: !, identifier, or 'end of string'",
                        t.literal()
                    ));
                }
            }
        }
    }

    fn parse_requirement(&mut self) -> Result<Requirement, String> {
        let mut op = None;
        let mut tok = self.consume(true);
        if tok == Tok::DoesNotExist {
            op = Some(Operator::DoesNotExist);
            tok = self.consume(true);
        }
        let Tok::Identifier(key) = tok else {
            return Err(format!("found '{}', expected: identifier", tok.literal()));
        };
        validate_label_key(&key)?;
        if matches!(self.lookahead(true), Tok::End | Tok::Comma) && op.is_none() {
            op = Some(Operator::Exists);
        }
        if let Some(op @ (Operator::Exists | Operator::DoesNotExist)) = op {
            return Requirement::new(&key, op, Vec::new());
        }
        let op = match self.consume(false) {
            Tok::In => Operator::In,
            Tok::Equals => Operator::Equals,
            Tok::DoubleEquals => Operator::DoubleEquals,
            Tok::GreaterThan => Operator::GreaterThan,
            Tok::LessThan => Operator::LessThan,
            Tok::NotIn => Operator::NotIn,
            Tok::NotEquals => Operator::NotEquals,
            t => {
                return Err(format!(
                    "found '{}', expected: in, notin, =, ==, !=, gt, lt",
                    t.literal()
                ));
            }
        };
        let values = match op {
            Operator::In | Operator::NotIn => self.parse_values()?,
            _ => self.parse_exact_value()?,
        };
        Requirement::new(&key, op, values.into_iter().collect())
    }

    fn parse_values(&mut self) -> Result<BTreeSet<String>, String> {
        let t = self.consume(true);
        if t != Tok::OpenPar {
            return Err(format!("found '{}' expected: '('", t.literal()));
        }
        match self.lookahead(true) {
            Tok::Identifier(_) | Tok::Comma => {
                let s = self.parse_identifiers_list()?;
                let t = self.consume(true);
                if t != Tok::ClosedPar {
                    return Err(format!("found '{}', expected: ')'", t.literal()));
                }
                Ok(s)
            }
            Tok::ClosedPar => {
                self.consume(true);
                Ok(BTreeSet::from([String::new()]))
            }
            t => Err(format!(
                "found '{}', expected: ',', ')' or identifier",
                t.literal()
            )),
        }
    }

    fn parse_identifiers_list(&mut self) -> Result<BTreeSet<String>, String> {
        let mut s = BTreeSet::new();
        loop {
            match self.consume(true) {
                Tok::Identifier(v) => {
                    s.insert(v);
                    match self.lookahead(true) {
                        Tok::Comma => continue,
                        Tok::ClosedPar => return Ok(s),
                        t => {
                            return Err(format!("found '{}', expected: ',' or ')'", t.literal()));
                        }
                    }
                }
                Tok::Comma => {
                    if s.is_empty() {
                        s.insert(String::new());
                    }
                    match self.lookahead(true) {
                        Tok::ClosedPar => {
                            s.insert(String::new());
                            return Ok(s);
                        }
                        Tok::Comma => {
                            self.consume(true);
                            s.insert(String::new());
                        }
                        _ => {}
                    }
                }
                t => {
                    return Err(format!(
                        "found '{}', expected: ',', or identifier",
                        t.literal()
                    ));
                }
            }
        }
    }

    fn parse_exact_value(&mut self) -> Result<BTreeSet<String>, String> {
        if matches!(self.lookahead(true), Tok::End | Tok::Comma) {
            return Ok(BTreeSet::from([String::new()]));
        }
        match self.consume(true) {
            Tok::Identifier(v) => Ok(BTreeSet::from([v])),
            t => Err(format!("found '{}', expected: identifier", t.literal())),
        }
    }
}

/// A `matchExpressions` entry of a manifest's label selector.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelSelectorRequirement {
    /// Label key.
    pub key: String,
    /// `In`, `NotIn`, `Exists` or `DoesNotExist`.
    pub operator: String,
    /// Values (for In/NotIn).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
}

/// `metav1.LabelSelector` as written in manifests. An empty selector matches everything;
/// a missing one nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LabelSelector {
    /// `matchLabels`: `key: value` pairs, ANDed.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub match_labels: BTreeMap<String, String>,
    /// `matchExpressions`: set-based requirements, ANDed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub match_expressions: Vec<LabelSelectorRequirement>,
}

impl LabelSelector {
    /// `LabelSelectorAsSelector`: `None` selects nothing, an empty selector everything.
    pub fn as_selector(ls: Option<&LabelSelector>) -> Result<Selector, String> {
        let Some(ls) = ls else {
            return Ok(Selector::nothing());
        };
        let mut sel = Selector::from_set(&ls.match_labels)?;
        for e in &ls.match_expressions {
            let op = match e.operator.as_str() {
                "In" => Operator::In,
                "NotIn" => Operator::NotIn,
                "Exists" => Operator::Exists,
                "DoesNotExist" => Operator::DoesNotExist,
                other => {
                    return Err(format!(
                        "\"{other}\" is not a valid label selector operator"
                    ));
                }
            };
            sel.add(Requirement::new(&e.key, op, e.values.clone())?);
        }
        Ok(sel)
    }

    /// Whether these labels match (invalid selectors match nothing).
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        LabelSelector::as_selector(Some(self)).is_ok_and(|s| s.matches(labels))
    }

    /// The selector in kubectl's string form (`app=web,tier in (a,b)`), as the SELECTOR
    /// column of `kubectl get -o wide` shows it.
    pub fn to_selector_string(&self) -> String {
        let mut parts: Vec<String> = self
            .match_labels
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        for r in &self.match_expressions {
            parts.push(match r.operator.as_str() {
                "In" => format!("{} in ({})", r.key, r.values.join(",")),
                "NotIn" => format!("{} notin ({})", r.key, r.values.join(",")),
                "Exists" => r.key.clone(),
                "DoesNotExist" => format!("!{}", r.key),
                other => format!("{} {other} ({})", r.key, r.values.join(",")),
            });
        }
        parts.join(",")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn parses_every_form() {
        let s = Selector::parse("a=b,c!=d,e,!f,g in (x,y),h notin (z)").unwrap();
        assert_eq!(s.to_string(), "a=b,c!=d,e,!f,g in (x,y),h notin (z)");
        assert!(s.matches(&labels(&[("a", "b"), ("e", "1"), ("g", "y"), ("h", "q")])));
        assert!(!s.matches(&labels(&[("a", "b"), ("e", "1"), ("g", "y"), ("f", "")])));
        assert!(!s.matches(&labels(&[("a", "b"), ("e", "1"), ("g", "y"), ("h", "z")])));
        assert!(s.matches(&labels(&[("a", "b"), ("c", "x"), ("e", ""), ("g", "x")])));
    }

    #[test]
    fn upstream_valid_strings() {
        for ok in [
            "",
            "x=a,y=b,z=c",
            "x=a,y!=b",
            "x=,z= ",
            "x= ,z= ",
            "!x",
            "x>1",
            "x>1,z<5",
            "x in (),y",
            "x in (,),y",
            "x notin (a,,b)",
            "x==a",
            "a in (in)",
            "x in (foo,,baz),y,z notin ()",
            "in",
            "example.com/x=y",
            "x = a",
            " x ",
        ] {
            assert!(Selector::parse(ok).is_ok(), "{ok:?} should parse");
        }
    }

    #[test]
    fn upstream_invalid_strings() {
        for bad in [
            "x=a||y=b",
            "x==a==b",
            "!x=a",
            "x<a",
            "x>1.1",
            "x in (a",
            "x in a)",
            "x notin",
            "x=(a)",
            "=a",
            ",",
            "x,,y",
            "x,",
            "x y",
            "x!!=a",
            "!",
            "a=b=c",
            "x in (a b)",
            "-x=a",
            "x=-a",
            "x>",
            "x in [a]",
        ] {
            assert!(Selector::parse(bad).is_err(), "{bad:?} should not parse");
        }
    }

    #[test]
    fn errors_name_the_problem() {
        let e = Selector::parse("x in (a").unwrap_err();
        assert!(e.starts_with("unable to parse requirement"), "{e}");
        let e = Selector::parse("x>abc").unwrap_err();
        assert!(e.contains("must be an integer"), "{e}");
    }

    #[test]
    fn gt_lt_parse_integers() {
        let s = Selector::parse("n>5,m<010").unwrap();
        assert!(s.matches(&labels(&[("n", "6"), ("m", "9")])));
        assert!(!s.matches(&labels(&[("n", "5"), ("m", "9")])));
        assert!(!s.matches(&labels(&[("n", "x"), ("m", "9")])));
        assert!(!s.matches(&labels(&[("m", "9")])));
    }

    #[test]
    fn empty_values() {
        let s = Selector::parse("x=").unwrap();
        assert!(s.matches(&labels(&[("x", "")])));
        assert!(!s.matches(&labels(&[])));
        let s = Selector::parse("x in ()").unwrap();
        assert!(s.matches(&labels(&[("x", "")])));
    }

    #[test]
    fn manifest_selectors() {
        assert!(
            !LabelSelector::as_selector(None)
                .unwrap()
                .matches(&labels(&[]))
        );
        let empty = LabelSelector::default();
        assert!(empty.matches(&labels(&[("any", "x")])));
        let ls: LabelSelector = serde_json::from_str(
            r#"{"matchLabels":{"app":"web"},"matchExpressions":[{"key":"tier","operator":"In","values":["fe","be"]},{"key":"canary","operator":"DoesNotExist"}]}"#,
        )
        .unwrap();
        assert!(ls.matches(&labels(&[("app", "web"), ("tier", "fe")])));
        assert!(!ls.matches(&labels(&[("app", "web"), ("tier", "fe"), ("canary", "1")])));
        let bad = LabelSelector {
            match_expressions: vec![LabelSelectorRequirement {
                key: "a".into(),
                operator: "Gt".into(),
                values: vec!["1".into()],
            }],
            ..LabelSelector::default()
        };
        assert!(LabelSelector::as_selector(Some(&bad)).is_err());
        let in_empty = LabelSelector {
            match_expressions: vec![LabelSelectorRequirement {
                key: "a".into(),
                operator: "In".into(),
                values: vec![],
            }],
            ..LabelSelector::default()
        };
        assert!(LabelSelector::as_selector(Some(&in_empty)).is_err());
    }

    #[test]
    fn key_validation() {
        assert!(validate_label_key("app.kubernetes.io/name").is_ok());
        assert!(validate_label_key("/name").is_err());
        assert!(validate_label_key("Upper.Case/name").is_err());
        assert!(validate_label_key(&"a".repeat(64)).is_err());
        assert!(validate_label_value(&"a".repeat(63)).is_ok());
        assert!(validate_label_value(&"a".repeat(64)).is_err());
    }
}
