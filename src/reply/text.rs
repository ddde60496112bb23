//! Cutting text to a number of characters as Discord counts them, never inside a grapheme
//! (a flag emoji, a letter with its combining accents).

use unicode_segmentation::GraphemeCursor;

use crate::limits::chars;

/// The byte index after the last whole grapheme that fits in `max` characters; at least one
/// grapheme, so a cut always makes progress. Only the grapheme around the cut is examined,
/// so cutting a long text costs what counting its characters does.
pub(crate) fn cut_at_grapheme(text: &str, max: usize) -> usize {
    let at = text.char_indices().nth(max).map_or(text.len(), |(i, _)| i);
    let mut cursor = GraphemeCursor::new(at, text.len(), true);
    let boundary = match cursor.is_boundary(text, 0) {
        Ok(true) => Some(at),
        // Inside a grapheme: back to where it starts.
        _ => cursor.prev_boundary(text, 0).ok().flatten(),
    };
    match boundary {
        Some(cut) if cut > 0 => cut,
        // Not even one grapheme fits: the first one, whole.
        _ => GraphemeCursor::new(0, text.len(), true)
            .next_boundary(text, 0)
            .ok()
            .flatten()
            .unwrap_or(text.len()),
    }
}

/// `text` cut to at most `max` characters: at a word boundary when there is one in the last
/// part, never inside a grapheme, and ending with "…" when anything was cut.
pub(crate) fn truncate(text: &str, max: usize) -> String {
    if chars(text) <= max {
        return text.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let budget = max - 1; // room for the ellipsis
    let end = if budget == 0 {
        0
    } else {
        let end = cut_at_grapheme(text, budget);
        // A first grapheme wider than the budget does not fit at all.
        if chars(&text[..end]) > budget { 0 } else { end }
    };
    let kept = &text[..end];
    let used = chars(kept);
    // End at a word boundary: right here if the next character is a space, else at the last
    // space, unless that would throw away more than half of what fits.
    let at_boundary = text[end..].starts_with(char::is_whitespace);
    let kept = match kept.rfind(char::is_whitespace) {
        Some(space) if !at_boundary && chars(&kept[..space]) * 2 >= used => &kept[..space],
        _ => kept,
    };
    format!("{}…", kept.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncate_cuts_at_a_word_and_adds_an_ellipsis() {
        assert_eq!(truncate("the quick brown fox", 12), "the quick…");
        assert_eq!(truncate("hello world", 10), "hello…");
        assert_eq!(truncate("aaaaaaaaaaaaaaa bb cc", 19), "aaaaaaaaaaaaaaa bb…");
        assert_eq!(truncate("abcdefghijklmnopqrstuvwxyz", 10), "abcdefghi…");
        assert_eq!(truncate("short", 10), "short");
        assert!(chars(&truncate(&"word ".repeat(500), 1024)) <= 1024);
    }

    #[test]
    fn truncate_never_splits_a_grapheme() {
        let flags = "🇸🇾🇮🇱🇺🇸";
        assert_eq!(truncate(flags, 4), "🇸🇾…");
        let combining = "e\u{301}e\u{301}e\u{301}";
        assert_eq!(truncate(combining, 3), "e\u{301}…");
        assert_eq!(truncate("🇸🇾🇮🇱", 2), "…");
    }

    #[test]
    fn a_cut_keeps_whole_graphemes_and_always_makes_progress() {
        let word = "e\u{301}".repeat(4);
        assert_eq!(&word[..cut_at_grapheme(&word, 5)], "e\u{301}e\u{301}");
        assert_eq!(&word[..cut_at_grapheme(&word, 1)], "e\u{301}");
        assert_eq!(cut_at_grapheme("abc", 10), 3);
        assert_eq!(cut_at_grapheme("", 3), 0);
        let flags = "🇸🇾🇮🇱";
        assert_eq!(&flags[..cut_at_grapheme(flags, 3)], "🇸🇾");
        assert_eq!(&flags[..cut_at_grapheme(flags, 1)], "🇸🇾");
    }

    /// The same cut as walking every grapheme from the start, on text hard to cut.
    #[test]
    fn a_cut_is_where_walking_every_grapheme_would_put_it() {
        use unicode_segmentation::UnicodeSegmentation;
        let walk = |text: &str, max: usize| {
            let (mut used, mut cut) = (0, 0);
            for (index, grapheme) in text.grapheme_indices(true) {
                used += chars(grapheme);
                if used > max && cut > 0 {
                    break;
                }
                cut = index + grapheme.len();
            }
            cut
        };
        let text = "Paris e\u{301}\u{302} 🇸🇾🇮🇱 👩\u{200d}👩\u{200d}👧 مرحبا \r\n שָׁלוֹם x";
        for max in 0..=chars(text) + 1 {
            assert_eq!(cut_at_grapheme(text, max), walk(text, max), "max {max}");
        }
    }
}
