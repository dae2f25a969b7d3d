//! "Did you mean …": the closest known word to a mistyped one.

/// Edit distance (Levenshtein) between two short strings.
pub(crate) fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb { prev } else { 1 + prev.min(cur).min(row[j]) };
            prev = cur;
        }
    }
    row[b.len()]
}

/// The candidate closest to `word`, if it is close enough to be a likely typo ("did you mean …").
pub fn closest<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let word_lower = word.to_ascii_lowercase().replace('_', "-");
    let limit = (word.chars().count() / 3).max(1) + 1;
    candidates
        .into_iter()
        .filter(|c| *c != word)
        .map(|c| (distance(&word_lower, c), c))
        .filter(|(d, c)| *d <= limit.min(c.chars().count().saturating_sub(1)).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_typos() {
        assert_eq!(closest("mastr", ["control-plane", "worker", "master"]), Some("master"));
        assert_eq!(closest("wroker", ["control-plane", "worker"]), Some("worker"));
        assert_eq!(closest("tailnet_address", ["tailnet-address", "lan-address"]), Some("tailnet-address"));
        assert_eq!(closest("zzzzzz", ["control-plane", "worker"]), None);
    }
}
