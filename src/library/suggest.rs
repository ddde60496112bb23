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
            .map(|c| (similarity(&word, &c.to_lowercase()), c)),
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
            .map(|(lower, c)| (similarity(&word, lower), c)),
    )
}

/// Jaro-Winkler similarity. For ASCII text, characters are bytes, which strsim compares
/// several times faster than it decodes characters; the score is the same.
fn similarity(a: &str, b: &str) -> f64 {
    if a.is_ascii() && b.is_ascii() {
        strsim::generic_jaro_winkler(&Bytes(a.as_bytes()), &Bytes(b.as_bytes()))
    } else {
        strsim::jaro_winkler(a, b)
    }
}

/// A byte string strsim can walk as often as it needs.
struct Bytes<'s>(&'s [u8]);

impl<'s> IntoIterator for &Bytes<'s> {
    type Item = &'s u8;
    type IntoIter = std::slice::Iter<'s, u8>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
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
    fn ascii_text_scores_as_characters_do() {
        for (a, b) in [
            ("isreal", "israel"),
            ("witkof", "witkoff"),
            ("", "x"),
            ("damascus", "syria"),
        ] {
            assert_eq!(
                super::similarity(a, b),
                strsim::jaro_winkler(a, b),
                "{a} {b}"
            );
        }
    }

    #[test]
    fn closest_finds_typos_and_ignores_strangers() {
        let keys = ["summary", "status", "sources"];
        assert_eq!(closest("sumary", keys), Some("summary"));
        assert_eq!(closest("Isreal", ["Israel", "Syria"]), Some("Israel"));
        assert_eq!(closest("weather", keys), None);
    }
}
