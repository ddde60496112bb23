//! How far a misspelt word is from a word of the library: the optimal string alignment
//! distance (Levenshtein plus swapping two neighbours, so `isreal` is one step from
//! `israel`), stopped as soon as it must exceed the allowed number of steps, and a bit set
//! of the letters in a word that rules most of the vocabulary out before any of that.

/// How many steps a word of `chars` characters may be from what was meant: none for short
/// words (too many words are one letter from `war`), one up to seven letters, two beyond.
pub(crate) fn allowed_steps(chars: usize) -> usize {
    match chars {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
}

/// The letters of a word as bits: a–z and 0–9 each their own, any other character shares
/// one of 28 bits. One step changes at most two bits.
pub(crate) fn letters(word: &str) -> u64 {
    word.chars().fold(0u64, |mask, c| {
        let bit = match c {
            'a'..='z' => u32::from(c) - u32::from('a'),
            '0'..='9' => 26 + u32::from(c) - u32::from('0'),
            _ => 36 + u32::from(c) % 28,
        };
        mask | (1 << bit)
    })
}

/// The distance from `a` to `b` if it is at most `max`.
pub(crate) fn within(a: &str, b: &str, max: usize) -> Option<usize> {
    if a.is_ascii() && b.is_ascii() {
        osa(a.as_bytes(), b.as_bytes(), max)
    } else {
        let a: Vec<char> = a.chars().collect();
        let b: Vec<char> = b.chars().collect();
        osa(&a, &b, max)
    }
}

fn osa<T: PartialEq>(a: &[T], b: &[T], max: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    // Three rows of the edit-distance table: two back (for a swap), one back, this one.
    let width = b.len() + 1;
    let mut before: Vec<usize> = vec![0; width];
    let mut previous: Vec<usize> = (0..width).collect();
    let mut current: Vec<usize> = vec![0; width];
    for i in 1..=a.len() {
        current[0] = i;
        let mut best = i;
        for j in 1..width {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (previous[j] + 1)
                .min(current[j - 1] + 1)
                .min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(before[j - 2] + 1);
            }
            current[j] = d;
            best = best.min(d);
        }
        if best > max {
            return None;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    Some(previous[b.len()]).filter(|d| *d <= max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_misspellings_readers_make() {
        assert_eq!(within("isreal", "israel", 1), Some(1));
        assert_eq!(within("witkof", "witkoff", 1), Some(1));
        assert_eq!(within("mechansim", "mechanism", 2), Some(1));
        assert_eq!(within("barak", "barrack", 2), Some(2));
        assert_eq!(within("barak", "barrack", 1), None);
        assert_eq!(within("سوريا", "سوريه", 1), Some(1));
        assert_eq!(within("talks", "talks", 0), Some(0));
        assert_eq!(within("ab", "ba", 1), Some(1));
    }

    #[test]
    fn one_step_changes_at_most_two_letter_bits() {
        for (a, b) in [
            ("israel", "isreal"),
            ("witkof", "witkoff"),
            ("talks", "walks"),
        ] {
            assert!((letters(a) ^ letters(b)).count_ones() <= 2, "{a} {b}");
        }
    }
}
