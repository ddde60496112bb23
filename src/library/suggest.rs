//! "Did you mean …?": the nearest known name to a misspelt one. Used by the loader for keys,
//! authors and parties, and by the commands for names users type.

/// The candidate nearest to `word`, if it is near enough to be a likely typo.
pub fn closest<'c>(word: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    ranked(word, candidates).into_iter().next()
}

/// The candidates near enough to `word` to be likely typos, best first.
pub fn ranked<'c>(word: &str, candidates: impl IntoIterator<Item = &'c str>) -> Vec<&'c str> {
    let word = word.trim().to_lowercase();
    best_first(
        candidates
            .into_iter()
            .map(|c| (strsim::jaro_winkler(&word, &c.to_lowercase()), c)),
    )
}

/// As `ranked`, for candidates given with their lower-cased forms (made once, not per query).
pub fn ranked_lowered<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = (&'c str, &'c str)>,
) -> Vec<&'c str> {
    let word = word.trim().to_lowercase();
    best_first(
        candidates
            .into_iter()
            .map(|(lower, c)| (strsim::jaro_winkler(&word, lower), c)),
    )
}

fn best_first<'c>(scored: impl Iterator<Item = (f64, &'c str)>) -> Vec<&'c str> {
    let mut scored: Vec<(f64, &str)> = scored.filter(|(score, _)| *score >= 0.8).collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    scored.dedup_by(|a, b| a.1 == b.1);
    scored.into_iter().map(|(_, c)| c).collect()
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn closest_finds_typos_and_ignores_strangers() {
        let keys = ["summary", "status", "sources"];
        assert_eq!(closest("sumary", keys), Some("summary"));
        assert_eq!(closest("Isreal", ["Israel", "Syria"]), Some("Israel"));
        assert_eq!(closest("weather", keys), None);
    }
}
