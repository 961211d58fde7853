//! Taints and tolerations (`kubernetes/api core/v1/toleration.go`, `taint.go`,
//! `well_known_taints.go`; `kubernetes/component-helpers scheduling/corev1/helpers.go`;
//! `pkg/controller/tainteviction/taint_eviction.go`;
//! `plugin/pkg/admission/defaulttolerationseconds/admission.go`).

use serde::{Deserialize, Serialize};
use std::fmt;

/// `node.kubernetes.io/not-ready`: the node's Ready condition is False.
pub const TAINT_NODE_NOT_READY: &str = "node.kubernetes.io/not-ready";
/// `node.kubernetes.io/unreachable`: the node's Ready condition is Unknown.
pub const TAINT_NODE_UNREACHABLE: &str = "node.kubernetes.io/unreachable";
/// `node.kubernetes.io/unschedulable`: the node is cordoned.
pub const TAINT_NODE_UNSCHEDULABLE: &str = "node.kubernetes.io/unschedulable";
/// `node.kubernetes.io/memory-pressure`.
pub const TAINT_NODE_MEMORY_PRESSURE: &str = "node.kubernetes.io/memory-pressure";
/// `node.kubernetes.io/disk-pressure`.
pub const TAINT_NODE_DISK_PRESSURE: &str = "node.kubernetes.io/disk-pressure";
/// `node.kubernetes.io/pid-pressure`.
pub const TAINT_NODE_PID_PRESSURE: &str = "node.kubernetes.io/pid-pressure";
/// `node.kubernetes.io/network-unavailable`.
pub const TAINT_NODE_NETWORK_UNAVAILABLE: &str = "node.kubernetes.io/network-unavailable";
/// `node.kubernetes.io/out-of-service`.
pub const TAINT_NODE_OUT_OF_SERVICE: &str = "node.kubernetes.io/out-of-service";

/// Default `tolerationSeconds` the DefaultTolerationSeconds admission plugin adds for the
/// not-ready and unreachable taints (`--default-not-ready-toleration-seconds`, 300).
pub const DEFAULT_TOLERATION_SECONDS: i64 = 300;

/// What a taint does to pods that do not tolerate it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum TaintEffect {
    /// New pods are not scheduled unless they tolerate the taint.
    NoSchedule,
    /// The scheduler tries to avoid the node (a Score, not a Filter).
    PreferNoSchedule,
    /// Not scheduled, and running pods that do not tolerate it are evicted.
    NoExecute,
}

impl TaintEffect {
    /// The API spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            TaintEffect::NoSchedule => "NoSchedule",
            TaintEffect::PreferNoSchedule => "PreferNoSchedule",
            TaintEffect::NoExecute => "NoExecute",
        }
    }

    /// Parses the API spelling (case-sensitive, as the API is).
    pub fn parse(s: &str) -> Result<TaintEffect, String> {
        match s {
            "NoSchedule" => Ok(TaintEffect::NoSchedule),
            "PreferNoSchedule" => Ok(TaintEffect::PreferNoSchedule),
            "NoExecute" => Ok(TaintEffect::NoExecute),
            other => Err(format!(
                "Unsupported value: \"{other}\": supported values: \"NoExecute\", \"NoSchedule\", \"PreferNoSchedule\""
            )),
        }
    }
}

impl fmt::Display for TaintEffect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A node taint: `key[=value]:effect`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Taint {
    /// Taint key.
    pub key: String,
    /// Taint value (may be empty).
    pub value: String,
    /// Taint effect.
    pub effect: TaintEffect,
}

impl Taint {
    /// A taint with the given key, value and effect.
    pub fn new(key: &str, value: &str, effect: TaintEffect) -> Taint {
        Taint {
            key: key.to_string(),
            value: value.to_string(),
            effect,
        }
    }

    /// Parses kubectl's `key[=value]:Effect` syntax (`kubectl taint`, `sim node add --taint`).
    pub fn parse(spec: &str) -> Result<Taint, String> {
        let (kv, effect) = spec
            .rsplit_once(':')
            .ok_or_else(|| format!("invalid taint spec: {spec}, missing effect"))?;
        let effect =
            TaintEffect::parse(effect).map_err(|e| format!("invalid taint spec: {spec}, {e}"))?;
        let (key, value) = kv.split_once('=').unwrap_or((kv, ""));
        if key.is_empty() {
            return Err(format!("invalid taint spec: {spec}, empty key"));
        }
        Ok(Taint::new(key, value, effect))
    }
}

impl fmt::Display for Taint {
    /// `key=value:Effect` (or `key:Effect` with an empty value), as `kubectl describe` shows.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.value.is_empty() {
            write!(f, "{}:{}", self.key, self.effect)
        } else {
            write!(f, "{}={}:{}", self.key, self.value, self.effect)
        }
    }
}

/// A toleration's operator. `""` in the API means `Equal`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum TolerationOperator {
    /// Key, effect and value must be equal (the default).
    Equal,
    /// Any value of the key (or every key, if the key is empty).
    Exists,
    /// Taint value (an integer) less than the toleration value; feature-gated.
    Lt,
    /// Taint value (an integer) greater than the toleration value; feature-gated.
    Gt,
    /// Anything else: never tolerates (validation would reject it).
    Unknown(String),
}

impl TolerationOperator {
    /// Parses the API spelling; `""` is `Equal`.
    pub fn parse(s: &str) -> TolerationOperator {
        match s {
            "" | "Equal" => TolerationOperator::Equal,
            "Exists" => TolerationOperator::Exists,
            "Lt" => TolerationOperator::Lt,
            "Gt" => TolerationOperator::Gt,
            other => TolerationOperator::Unknown(other.to_string()),
        }
    }

    /// The API spelling.
    pub fn as_str(&self) -> &str {
        match self {
            TolerationOperator::Equal => "Equal",
            TolerationOperator::Exists => "Exists",
            TolerationOperator::Lt => "Lt",
            TolerationOperator::Gt => "Gt",
            TolerationOperator::Unknown(s) => s,
        }
    }
}

/// A pod toleration.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Toleration {
    /// Taint key to match; empty (with `Exists`) matches every key.
    pub key: String,
    /// How the value is compared.
    pub operator: TolerationOperator,
    /// The value to compare (empty for `Exists`).
    pub value: String,
    /// Effect to match; `None` (the API's `""`) matches every effect.
    pub effect: Option<TaintEffect>,
    /// For `NoExecute`: how long the pod stays bound after the taint appears; `None` = forever.
    pub toleration_seconds: Option<i64>,
}

impl Toleration {
    /// `key op value : effect` without tolerationSeconds.
    pub fn new(
        key: &str,
        operator: TolerationOperator,
        value: &str,
        effect: Option<TaintEffect>,
    ) -> Toleration {
        Toleration {
            key: key.to_string(),
            operator,
            value: value.to_string(),
            effect,
            toleration_seconds: None,
        }
    }

    /// `key Exists : effect` with the given seconds.
    pub fn exists(key: &str, effect: Option<TaintEffect>, seconds: Option<i64>) -> Toleration {
        Toleration {
            toleration_seconds: seconds,
            ..Toleration::new(key, TolerationOperator::Exists, "", effect)
        }
    }

    /// `Toleration.ToleratesTaint` (`kubernetes/api core/v1/toleration.go`).
    ///
    /// Empty effect matches every effect; empty key matches every key (validation only
    /// allows that with `Exists`); `Lt`/`Gt` compare canonical int64 values and only when
    /// the `TaintTolerationComparisonOperators` feature is enabled (`comparison_enabled`),
    /// otherwise such a toleration never matches.
    pub fn tolerates(&self, taint: &Taint, comparison_enabled: bool) -> bool {
        if let Some(effect) = self.effect
            && effect != taint.effect
        {
            return false;
        }
        if !self.key.is_empty() && self.key != taint.key {
            return false;
        }
        match &self.operator {
            TolerationOperator::Equal => self.value == taint.value,
            TolerationOperator::Exists => true,
            TolerationOperator::Lt | TolerationOperator::Gt => {
                if !comparison_enabled {
                    return false;
                }
                let (Some(tol), Some(tv)) = (
                    parse_canonical_i64(&self.value),
                    parse_canonical_i64(&taint.value),
                ) else {
                    return false;
                };
                if self.operator == TolerationOperator::Lt {
                    tv < tol
                } else {
                    tv > tol
                }
            }
            TolerationOperator::Unknown(_) => false,
        }
    }

    /// `MatchToleration`: the identity used to de-duplicate (key, operator, value, effect).
    pub fn same_as(&self, other: &Toleration) -> bool {
        self.key == other.key
            && self.effect == other.effect
            && self.operator == other.operator
            && self.value == other.value
    }
}

/// Parses a canonical decimal int64 as the Lt/Gt operators require: optional `-`, digits,
/// no leading zeros (except `0` itself), no `+`, no spaces, no `-0`.
pub fn parse_canonical_i64(s: &str) -> Option<i64> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if digits.len() > 1 && digits.starts_with('0') {
        return None;
    }
    if s.starts_with('-') && digits == "0" {
        return None;
    }
    s.parse::<i64>().ok()
}

/// `TolerationsTolerateTaint`: any toleration tolerates the taint.
pub fn tolerations_tolerate_taint(
    tolerations: &[Toleration],
    taint: &Taint,
    comparison_enabled: bool,
) -> bool {
    tolerations
        .iter()
        .any(|t| t.tolerates(taint, comparison_enabled))
}

/// `FindMatchingUntoleratedTaint` (`component-helpers scheduling/corev1/helpers.go`): the
/// first taint, in node order, that passes `filter` and that no toleration tolerates.
pub fn find_matching_untolerated_taint<'a>(
    taints: &'a [Taint],
    tolerations: &[Toleration],
    filter: impl Fn(&Taint) -> bool,
    comparison_enabled: bool,
) -> Option<&'a Taint> {
    taints
        .iter()
        .filter(|t| filter(t))
        .find(|t| !tolerations_tolerate_taint(tolerations, t, comparison_enabled))
}

/// The scheduler's `DoNotScheduleTaintsFilterFunc`: NoSchedule and NoExecute taints.
pub fn do_not_schedule_taints(taint: &Taint) -> bool {
    matches!(
        taint.effect,
        TaintEffect::NoSchedule | TaintEffect::NoExecute
    )
}

/// `GetMatchingTolerations` (taint eviction): for every taint the first toleration that
/// tolerates it; `None` if some taint is not tolerated at all.
pub fn matching_tolerations<'a>(
    taints: &[Taint],
    tolerations: &'a [Toleration],
    comparison_enabled: bool,
) -> Option<Vec<&'a Toleration>> {
    let mut used = Vec::new();
    for taint in taints {
        let t = tolerations
            .iter()
            .find(|t| t.tolerates(taint, comparison_enabled))?;
        used.push(t);
    }
    Some(used)
}

/// The outcome of `getMinTolerationTime`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TolerationTime {
    /// Evict now (no tolerations, or one with `tolerationSeconds <= 0`).
    EvictNow,
    /// Evict after this many seconds.
    After(i64),
    /// Never evict (every used toleration has no `tolerationSeconds`).
    Never,
}

impl TolerationTime {
    /// Upstream's encoding in seconds: `0` now, `-1` never, else the seconds.
    pub fn as_seconds(self) -> i64 {
        match self {
            TolerationTime::EvictNow => 0,
            TolerationTime::After(s) => s,
            TolerationTime::Never => -1,
        }
    }
}

/// `getMinTolerationTime` (`pkg/controller/tainteviction/taint_eviction.go`): over the
/// tolerations that matched the node's NoExecute taints. Empty → now; any
/// `tolerationSeconds <= 0` → now; all unset → never; else the minimum.
pub fn get_min_toleration_time(used: &[&Toleration]) -> TolerationTime {
    if used.is_empty() {
        return TolerationTime::EvictNow;
    }
    let mut min: Option<i64> = None;
    for t in used {
        if let Some(s) = t.toleration_seconds {
            if s <= 0 {
                return TolerationTime::EvictNow;
            }
            min = Some(min.map_or(s, |m| m.min(s)));
        }
    }
    min.map_or(TolerationTime::Never, TolerationTime::After)
}

/// What the taint manager decides for a pod on a node with these taints: only NoExecute
/// taints count; an untolerated one evicts now, else the minimum toleration time applies.
pub fn no_execute_eviction(
    taints: &[Taint],
    tolerations: &[Toleration],
    comparison_enabled: bool,
) -> TolerationTime {
    let no_execute: Vec<Taint> = taints
        .iter()
        .filter(|t| t.effect == TaintEffect::NoExecute)
        .cloned()
        .collect();
    if no_execute.is_empty() {
        return TolerationTime::Never;
    }
    match matching_tolerations(&no_execute, tolerations, comparison_enabled) {
        None => TolerationTime::EvictNow,
        Some(used) => get_min_toleration_time(&used),
    }
}

/// DefaultTolerationSeconds admission: the tolerations to add to a new pod. Unless the pod
/// already has a toleration whose key is the taint key (or empty) and whose effect is
/// NoExecute (or empty), add `{key, Exists, NoExecute, seconds}` for not-ready, then for
/// unreachable.
pub fn default_tolerations_to_add(
    tolerations: &[Toleration],
    not_ready_seconds: i64,
    unreachable_seconds: i64,
) -> Vec<Toleration> {
    let covers = |key: &str| {
        tolerations.iter().any(|t| {
            (t.key == key || t.key.is_empty())
                && matches!(t.effect, None | Some(TaintEffect::NoExecute))
        })
    };
    let mut out = Vec::new();
    if !covers(TAINT_NODE_NOT_READY) {
        out.push(Toleration::exists(
            TAINT_NODE_NOT_READY,
            Some(TaintEffect::NoExecute),
            Some(not_ready_seconds),
        ));
    }
    if !covers(TAINT_NODE_UNREACHABLE) {
        out.push(Toleration::exists(
            TAINT_NODE_UNREACHABLE,
            Some(TaintEffect::NoExecute),
            Some(unreachable_seconds),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tol(key: &str, op: &str, value: &str, effect: Option<TaintEffect>) -> Toleration {
        Toleration::new(key, TolerationOperator::parse(op), value, effect)
    }

    #[test]
    fn empty_effect_matches_all_effects() {
        let t = tol("foo", "Equal", "bar", None);
        for e in [
            TaintEffect::NoSchedule,
            TaintEffect::PreferNoSchedule,
            TaintEffect::NoExecute,
        ] {
            assert!(t.tolerates(&Taint::new("foo", "bar", e), false));
        }
    }

    #[test]
    fn empty_operator_is_equal() {
        let t = tol("foo", "", "bar", Some(TaintEffect::NoSchedule));
        assert!(t.tolerates(&Taint::new("foo", "bar", TaintEffect::NoSchedule), false));
        assert!(!t.tolerates(&Taint::new("foo", "baz", TaintEffect::NoSchedule), false));
    }

    #[test]
    fn unknown_operator_never_tolerates() {
        let t = tol("foo", "Matches", "bar", None);
        assert!(!t.tolerates(&Taint::new("foo", "bar", TaintEffect::NoSchedule), true));
    }

    #[test]
    fn comparison_operators_are_gated_and_strict() {
        let taint = Taint::new("sla", "950", TaintEffect::NoSchedule);
        let gt = tol("sla", "Gt", "800", Some(TaintEffect::NoSchedule));
        assert!(gt.tolerates(&taint, true));
        assert!(!gt.tolerates(&taint, false));
        let lt = tol("sla", "Lt", "1000", Some(TaintEffect::NoSchedule));
        assert!(lt.tolerates(&taint, true));
        // Non-canonical numbers never match.
        for bad in [
            "0950",
            "+950",
            " 950",
            "9.5",
            "",
            "-0",
            "99999999999999999999",
        ] {
            let t = Taint::new("sla", bad, TaintEffect::NoSchedule);
            assert!(!gt.tolerates(&t, true), "{bad:?}");
        }
        let neg = tol("k", "Lt", "-100", None);
        assert!(neg.tolerates(&Taint::new("k", "-200", TaintEffect::NoSchedule), true));
        assert!(!neg.tolerates(&Taint::new("k", "-100", TaintEffect::NoSchedule), true));
    }

    #[test]
    fn min_toleration_time_rules() {
        let s = |v: Option<i64>| Toleration::exists("k", Some(TaintEffect::NoExecute), v);
        let (a, b, c, d) = (s(Some(10)), s(Some(0)), s(None), s(Some(-5)));
        assert_eq!(get_min_toleration_time(&[]), TolerationTime::EvictNow);
        assert_eq!(get_min_toleration_time(&[&c]), TolerationTime::Never);
        assert_eq!(
            get_min_toleration_time(&[&c, &a]),
            TolerationTime::After(10)
        );
        assert_eq!(get_min_toleration_time(&[&a, &b]), TolerationTime::EvictNow);
        assert_eq!(get_min_toleration_time(&[&d, &c]).as_seconds(), 0);
    }

    #[test]
    fn eviction_decision() {
        let taints = vec![
            Taint::new(TAINT_NODE_UNREACHABLE, "", TaintEffect::NoExecute),
            Taint::new("x", "", TaintEffect::NoSchedule),
        ];
        let defaults = default_tolerations_to_add(&[], 300, 300);
        assert_eq!(
            no_execute_eviction(&taints, &defaults, false),
            TolerationTime::After(300)
        );
        assert_eq!(
            no_execute_eviction(&taints, &[], false),
            TolerationTime::EvictNow
        );
        assert_eq!(
            no_execute_eviction(&taints[1..], &[], false),
            TolerationTime::Never
        );
    }

    #[test]
    fn default_tolerations_respect_existing_wildcards() {
        let all = vec![Toleration::exists("", None, None)];
        assert!(default_tolerations_to_add(&all, 300, 300).is_empty());
        let only_no_schedule = vec![Toleration::exists("", Some(TaintEffect::NoSchedule), None)];
        assert_eq!(
            default_tolerations_to_add(&only_no_schedule, 300, 300).len(),
            2
        );
        let not_ready = vec![Toleration::exists(
            TAINT_NODE_NOT_READY,
            Some(TaintEffect::NoExecute),
            Some(5),
        )];
        let added = default_tolerations_to_add(&not_ready, 300, 300);
        assert_eq!(added.len(), 1);
        assert_eq!(added[0].key, TAINT_NODE_UNREACHABLE);
    }

    #[test]
    fn taint_spec_round_trip() {
        let t = Taint::parse("dedicated=gpu:NoSchedule").unwrap();
        assert_eq!(t, Taint::new("dedicated", "gpu", TaintEffect::NoSchedule));
        assert_eq!(t.to_string(), "dedicated=gpu:NoSchedule");
        assert_eq!(
            Taint::parse("k:NoExecute").unwrap().to_string(),
            "k:NoExecute"
        );
        assert!(Taint::parse("k=v").is_err());
        assert!(Taint::parse("k=v:Bogus").is_err());
    }
}
