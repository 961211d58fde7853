//! Node selectors and node affinity (`kubernetes/component-helpers
//! scheduling/corev1/nodeaffinity/nodeaffinity.go`).
//!
//! Required terms are ORed; the expressions and fields inside a term are ANDed. A nil or
//! empty term list — and a term with neither expressions nor fields — matches nothing.
//! `matchFields` supports only `metadata.name` with In/NotIn and exactly one value. Terms
//! that fail to parse (bad operator, Gt with a non-integer, …) match nothing.

use super::label_selector::{Operator, Requirement, Selector};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The only field `matchFields` can select on.
pub const NODE_FIELD_SELECTOR_KEY_NODE_NAME: &str = "metadata.name";

/// A `NodeSelectorRequirement`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeSelectorRequirement {
    /// Label (or field) key.
    pub key: String,
    /// `In`, `NotIn`, `Exists`, `DoesNotExist`, `Gt`, `Lt`.
    pub operator: String,
    /// Values.
    #[serde(default)]
    pub values: Vec<String>,
}

impl NodeSelectorRequirement {
    /// A requirement from parts.
    pub fn new(key: &str, operator: &str, values: &[&str]) -> NodeSelectorRequirement {
        NodeSelectorRequirement {
            key: key.to_string(),
            operator: operator.to_string(),
            values: values.iter().map(|v| v.to_string()).collect(),
        }
    }
}

/// A `NodeSelectorTerm`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NodeSelectorTerm {
    /// Requirements on node labels.
    #[serde(default)]
    pub match_expressions: Vec<NodeSelectorRequirement>,
    /// Requirements on node fields (`metadata.name`).
    #[serde(default)]
    pub match_fields: Vec<NodeSelectorRequirement>,
}

/// A `NodeSelector` (`requiredDuringSchedulingIgnoredDuringExecution`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NodeSelector {
    /// Terms, ORed.
    #[serde(default)]
    pub node_selector_terms: Vec<NodeSelectorTerm>,
}

/// A `PreferredSchedulingTerm`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PreferredSchedulingTerm {
    /// Weight 1..100.
    pub weight: i64,
    /// The term.
    pub preference: NodeSelectorTerm,
}

/// A pod's `affinity.nodeAffinity`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeAffinity {
    /// `requiredDuringSchedulingIgnoredDuringExecution`.
    pub required: Option<NodeSelector>,
    /// `preferredDuringSchedulingIgnoredDuringExecution`.
    pub preferred: Vec<PreferredSchedulingTerm>,
}

/// The node facts node affinity looks at.
#[derive(Debug, Clone, Copy)]
pub struct NodeFacts<'a> {
    /// `metadata.name`.
    pub name: &'a str,
    /// `metadata.labels`.
    pub labels: &'a BTreeMap<String, String>,
}

/// `nodeSelectorRequirementsAsSelector`.
fn requirements_as_selector(reqs: &[NodeSelectorRequirement]) -> Result<Selector, String> {
    let mut sel = Selector::everything();
    for r in reqs {
        let op = match r.operator.as_str() {
            "In" => Operator::In,
            "NotIn" => Operator::NotIn,
            "Exists" => Operator::Exists,
            "DoesNotExist" => Operator::DoesNotExist,
            "Gt" => Operator::GreaterThan,
            "Lt" => Operator::LessThan,
            other => {
                return Err(format!(
                    "Unsupported value: \"{other}\": supported values: \"DoesNotExist\", \"Exists\", \"Gt\", \"In\", \"Lt\", \"NotIn\""
                ));
            }
        };
        sel.add(Requirement::new(&r.key, op, r.values.clone())?);
    }
    Ok(sel)
}

/// `nodeSelectorRequirementsAsFieldSelector` + matching against `{metadata.name}`.
fn fields_match(reqs: &[NodeSelectorRequirement], node_name: &str) -> Result<bool, String> {
    let mut ok = true;
    for r in reqs {
        let get = if r.key == NODE_FIELD_SELECTOR_KEY_NODE_NAME {
            node_name
        } else {
            ""
        };
        match r.operator.as_str() {
            "In" | "NotIn" => {
                let [v] = r.values.as_slice() else {
                    return Err(format!(
                        "Invalid value: {:?}: must have one element",
                        r.values
                    ));
                };
                let eq = get == v;
                ok &= if r.operator == "In" { eq } else { !eq };
            }
            other => {
                return Err(format!(
                    "Unsupported value: \"{other}\": supported values: \"In\", \"NotIn\""
                ));
            }
        }
    }
    Ok(ok)
}

impl NodeSelectorTerm {
    /// Whether the term has neither expressions nor fields (it then selects nothing).
    pub fn is_empty(&self) -> bool {
        self.match_expressions.is_empty() && self.match_fields.is_empty()
    }

    /// `nodeSelectorTerm.match`: `Err` if the term does not parse.
    pub fn matches(&self, node: NodeFacts<'_>) -> Result<bool, String> {
        if self.is_empty() {
            return Ok(false);
        }
        if !self.match_expressions.is_empty()
            && !requirements_as_selector(&self.match_expressions)?.matches(node.labels)
        {
            return Ok(false);
        }
        if !self.match_fields.is_empty() {
            return fields_match(&self.match_fields, node.name);
        }
        Ok(true)
    }
}

impl NodeSelector {
    /// `LazyErrorNodeSelector.Match`: any non-empty term matches (parse errors make a term
    /// not match; the first error is returned only when nothing matched).
    pub fn matches(&self, node: NodeFacts<'_>) -> Result<bool, String> {
        let mut first_err = None;
        for term in self.node_selector_terms.iter().filter(|t| !t.is_empty()) {
            match term.matches(node) {
                Ok(true) => return Ok(true),
                Ok(false) => {}
                Err(e) => {
                    first_err.get_or_insert(e);
                }
            }
        }
        match first_err {
            Some(e) => Err(e),
            None => Ok(false),
        }
    }
}

/// `GetRequiredNodeAffinity(pod).Match(node)`: the pod's `nodeSelector` (every pair must
/// be a node label) AND its required node affinity (if any). Errors count as no match.
pub fn required_node_affinity_matches(
    node_selector: &BTreeMap<String, String>,
    required: Option<&NodeSelector>,
    node: NodeFacts<'_>,
) -> bool {
    if !node_selector.is_empty() {
        let matches = node_selector
            .iter()
            .all(|(k, v)| node.labels.get(k) == Some(v));
        if !matches {
            return false;
        }
    }
    match required {
        Some(ns) => ns.matches(node).unwrap_or(false),
        None => true,
    }
}

/// `PreferredSchedulingTerms.Score`: Σ weights of the preferred terms that match (terms
/// with weight 0 or no requirements are skipped; unparsable terms are an error).
pub fn preferred_score(
    preferred: &[PreferredSchedulingTerm],
    node: NodeFacts<'_>,
) -> Result<i64, String> {
    let mut score = 0;
    for t in preferred
        .iter()
        .filter(|t| t.weight != 0 && !t.preference.is_empty())
    {
        if t.preference.matches(node)? {
            score += t.weight;
        }
    }
    Ok(score)
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

    fn term(exprs: Vec<NodeSelectorRequirement>) -> NodeSelectorTerm {
        NodeSelectorTerm {
            match_expressions: exprs,
            match_fields: vec![],
        }
    }

    fn req(terms: Vec<NodeSelectorTerm>) -> NodeSelector {
        NodeSelector {
            node_selector_terms: terms,
        }
    }

    #[test]
    fn terms_are_ored_expressions_anded() {
        let l = labels(&[("foo", "bar"), ("zone", "a")]);
        let node = NodeFacts {
            name: "n1",
            labels: &l,
        };
        let ns = req(vec![
            term(vec![NodeSelectorRequirement::new("foo", "In", &["x"])]),
            term(vec![
                NodeSelectorRequirement::new("foo", "Exists", &[]),
                NodeSelectorRequirement::new("zone", "NotIn", &["b"]),
            ]),
        ]);
        assert!(required_node_affinity_matches(
            &BTreeMap::new(),
            Some(&ns),
            node
        ));
    }

    #[test]
    fn empty_terms_match_nothing() {
        let l = labels(&[("foo", "bar")]);
        let node = NodeFacts {
            name: "n1",
            labels: &l,
        };
        assert!(!required_node_affinity_matches(
            &BTreeMap::new(),
            Some(&req(vec![])),
            node
        ));
        assert!(!required_node_affinity_matches(
            &BTreeMap::new(),
            Some(&req(vec![NodeSelectorTerm::default()])),
            node
        ));
        assert!(required_node_affinity_matches(&BTreeMap::new(), None, node));
    }

    #[test]
    fn gt_lt_and_invalid_values() {
        let l = labels(&[("kernel", "0206"), ("mem", "abc")]);
        let node = NodeFacts {
            name: "n1",
            labels: &l,
        };
        let m = |r: NodeSelectorRequirement| {
            required_node_affinity_matches(&BTreeMap::new(), Some(&req(vec![term(vec![r])])), node)
        };
        assert!(m(NodeSelectorRequirement::new("kernel", "Gt", &["0204"])));
        assert!(!m(NodeSelectorRequirement::new("kernel", "Lt", &["0204"])));
        assert!(!m(NodeSelectorRequirement::new("kernel", "Gt", &["abc"])));
        assert!(!m(NodeSelectorRequirement::new("mem", "Gt", &["1"])));
        assert!(!m(NodeSelectorRequirement::new(
            "kernel",
            "Gt",
            &["1", "2"]
        )));
        assert!(!m(NodeSelectorRequirement::new("kernel", "Bogus", &[])));
        assert!(!m(NodeSelectorRequirement::new("kernel", "In", &[])));
        assert!(!m(NodeSelectorRequirement::new("kernel", "Exists", &["x"])));
        // A bad term does not poison a good one.
        let ns = req(vec![
            term(vec![NodeSelectorRequirement::new("kernel", "Bogus", &[])]),
            term(vec![NodeSelectorRequirement::new("kernel", "Exists", &[])]),
        ]);
        assert!(required_node_affinity_matches(
            &BTreeMap::new(),
            Some(&ns),
            node
        ));
    }

    #[test]
    fn match_fields_metadata_name() {
        let l = labels(&[("foo", "bar")]);
        let node = NodeFacts {
            name: "node-1",
            labels: &l,
        };
        let f = |op: &str, vals: &[&str], exprs: Vec<NodeSelectorRequirement>| {
            let t = NodeSelectorTerm {
                match_expressions: exprs,
                match_fields: vec![NodeSelectorRequirement::new("metadata.name", op, vals)],
            };
            required_node_affinity_matches(&BTreeMap::new(), Some(&req(vec![t])), node)
        };
        assert!(f("In", &["node-1"], vec![]));
        assert!(!f("In", &["node-2"], vec![]));
        assert!(f("NotIn", &["node-2"], vec![]));
        assert!(!f("In", &["node-1", "node-2"], vec![]));
        assert!(!f("Exists", &[], vec![]));
        assert!(f(
            "In",
            &["node-1"],
            vec![NodeSelectorRequirement::new("foo", "In", &["bar"])]
        ));
        assert!(!f(
            "In",
            &["node-1"],
            vec![NodeSelectorRequirement::new("foo", "In", &["x"])]
        ));
    }

    #[test]
    fn node_selector_and_affinity_both_apply() {
        let l = labels(&[("foo", "barrrrrr")]);
        let node = NodeFacts {
            name: "n",
            labels: &l,
        };
        let ns = req(vec![term(vec![NodeSelectorRequirement::new(
            "foo",
            "Exists",
            &[],
        )])]);
        assert!(!required_node_affinity_matches(
            &labels(&[("foo", "bar")]),
            Some(&ns),
            node
        ));
        assert!(required_node_affinity_matches(
            &labels(&[("foo", "barrrrrr")]),
            Some(&ns),
            node
        ));
    }

    #[test]
    fn preferred_scores_sum_weights() {
        let l = labels(&[("foo", "bar"), ("zone", "a")]);
        let node = NodeFacts {
            name: "n",
            labels: &l,
        };
        let p = vec![
            PreferredSchedulingTerm {
                weight: 5,
                preference: term(vec![NodeSelectorRequirement::new("foo", "In", &["bar"])]),
            },
            PreferredSchedulingTerm {
                weight: 3,
                preference: term(vec![NodeSelectorRequirement::new("zone", "In", &["a"])]),
            },
            PreferredSchedulingTerm {
                weight: 7,
                preference: term(vec![NodeSelectorRequirement::new("zone", "In", &["b"])]),
            },
            PreferredSchedulingTerm {
                weight: 9,
                preference: NodeSelectorTerm::default(),
            },
        ];
        assert_eq!(preferred_score(&p, node), Ok(8));
    }
}
