//! "Did you mean …?": the nearest known name to a misspelt one. Used by the loader for keys,
//! authors and parties, and by the commands for names users type.

/// The candidate nearest to `word`, if it is near enough to be a likely typo.
pub(crate) fn closest<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    ranked(word, candidates).into_iter().next()
}

/// How near a candidate must be (Jaro-Winkler) to be offered.
const NEAR: f64 = 0.8;

/// The candidates near enough to `word` to be likely typos, best first.
pub(crate) fn ranked<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Vec<&'c str> {
    let word = word.trim().to_lowercase();
    best_first(
        candidates
            .into_iter()
            .map(|c| (similarity(&word, &c.to_lowercase()), c)),
    )
}

/// As `ranked`, for candidates given with their lower-cased forms (made once, not per query).
pub(crate) fn ranked_lowered<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = (&'c str, &'c str)>,
) -> Vec<&'c str> {
    let word = word.trim().to_lowercase();
    let letters = Letters::of(&word);
    best_first(
        candidates
            .into_iter()
            .filter(|(lower, _)| letters.could_be_near(lower))
            .map(|(lower, c)| (similarity(&word, lower), c)),
    )
}

/// The letters of an ASCII word, counted, to rule out at a glance candidates too different
/// to be near: Jaro-Winkler reaches `NEAR` (0.8) only with a Jaro similarity of at least 2/3,
/// which needs at least |a|·|b| / (|a| + |b|) letters in common, counted with repeats.
struct Letters {
    counts: Option<[u16; 128]>,
    len: usize,
}

impl Letters {
    fn of(word: &str) -> Letters {
        let counts = word.is_ascii().then(|| {
            let mut counts = [0u16; 128];
            for byte in word.bytes() {
                counts[usize::from(byte)] = counts[usize::from(byte)].saturating_add(1);
            }
            counts
        });
        Letters {
            counts,
            len: word.len(),
        }
    }

    /// False only when `candidate` cannot be near; anything not ASCII is scored in full.
    fn could_be_near(&self, candidate: &str) -> bool {
        let Some(mut counts) = self.counts.filter(|_| candidate.is_ascii()) else {
            return true;
        };
        let common = candidate
            .bytes()
            .filter(|&byte| {
                let count = &mut counts[usize::from(byte)];
                let shared = *count > 0;
                *count = count.saturating_sub(1);
                shared
            })
            .count();
        common * (self.len + candidate.len()) >= self.len * candidate.len()
    }
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
    let mut scored: Vec<(f64, &str)> = scored.filter(|(score, _)| *score >= NEAR).collect();
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

    /// The quick test never rules out a candidate the full score would offer.
    #[test]
    fn ruling_out_at_a_glance_loses_no_near_candidate() {
        // Words from a small alphabet, so that many pairs are near and many are not.
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut word = move || {
            let len = 1 + (next() % 12) as usize;
            (0..len)
                .map(|_| b"aeinorst "[(next() % 9) as usize] as char)
                .collect::<String>()
        };
        let (mut near, mut ruled_out) = (0, 0);
        for _ in 0..20_000 {
            let (a, b) = (word(), word());
            let score = super::similarity(&a, &b);
            let kept = super::Letters::of(&a).could_be_near(&b);
            assert!(kept || score < super::NEAR, "{a:?} {b:?} scores {score}");
            near += usize::from(score >= super::NEAR);
            ruled_out += usize::from(!kept);
        }
        assert!(
            near > 100 && ruled_out > 1000,
            "{near} near, {ruled_out} ruled out"
        );
    }

    #[test]
    fn closest_finds_typos_and_ignores_strangers() {
        let keys = ["summary", "status", "sources"];
        assert_eq!(closest("sumary", keys), Some("summary"));
        assert_eq!(closest("Isreal", ["Israel", "Syria"]), Some("Israel"));
        assert_eq!(closest("weather", keys), None);
    }
}
