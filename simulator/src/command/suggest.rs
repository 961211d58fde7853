//! "Did you mean …?" suggestions, the way cobra (kubectl's CLI library) makes them:
//! candidates within Levenshtein distance 2, or that start with what was typed.

/// Edit distance between two strings (insertions, deletions, substitutions).
pub fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Candidates close to `typed`, closest first (ties keep the candidates' order).
pub fn suggestions<'a>(typed: &str, candidates: &[&'a str]) -> Vec<&'a str> {
    let typed_l = typed.to_lowercase();
    let mut scored: Vec<(usize, usize, &'a str)> = candidates
        .iter()
        .enumerate()
        .filter_map(|(i, c)| {
            let d = levenshtein(&typed_l, c);
            (d <= 2 || (typed_l.len() >= 2 && c.starts_with(&typed_l))).then_some((d, i, *c))
        })
        .collect();
    scored.sort();
    scored.into_iter().map(|(_, _, c)| c).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_commands() {
        assert_eq!(levenshtein("kitten", "sitting"), 3);
        assert_eq!(
            suggestions("kubetcl", &["kubectl", "docker", "sim"]),
            vec!["kubectl"]
        );
        assert_eq!(
            suggestions("advnce", &["advance", "seed", "reset"]),
            vec!["advance"]
        );
        assert_eq!(
            suggestions("res", &["advance", "seed", "reset"]),
            vec!["reset"]
        );
        assert!(suggestions("zzzzzz", &["advance", "seed"]).is_empty());
    }
}
