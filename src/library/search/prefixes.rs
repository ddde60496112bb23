//! Arabic and Hebrew words as readers type them: with or without the prefixes their
//! languages write joined to a word. Arabic joins the article `ال` (and `و ف ب ك` before it,
//! `لل` for `ل` + `ال`, `و ف` before `بال كال`) and the particles `و ف ب ك ل` to the word
//! after, `و ف` stacked before `ب ك ل` (`وبتصعيد` "and with escalation"); Hebrew joins its
//! one-letter prefixes `ה ו ב ל מ ש כ`, up to two of them (`ובירושלים`, `שהכנסת`).
//!
//! A query word is matched to the other forms of the same word that the library has: the
//! word with its prefixes taken off, and that bare word with any prefix. Only forms some
//! brief has are looked up (a few dozen hash lookups a word, nothing scanned), and a word is
//! stripped only down to a rest of at least `MIN_STEM` letters, so a short word never
//! matches everything that begins with it.

/// The fewest letters left once prefixes are taken off.
pub(crate) const MIN_STEM: usize = 3;

/// Arabic prefixes, as `words` folds them, longest first: a conjunction (`و ف`) may stand
/// before a preposition (`ب ك ل`), with the article after them or without it.
const ARABIC: &[&str] = &[
    "وبال", "فبال", "وكال", "فكال", "وال", "فال", "بال", "كال", "ولل", "فلل", "وب", "فب", "وك",
    "فك", "ول", "فل", "لل", "ال", "و", "ف", "ب", "ك", "ل",
];

/// Hebrew's one-letter prefixes; two of them may be joined (`ו` only first).
const HEBREW: [char; 7] = ['ה', 'ו', 'ב', 'ל', 'מ', 'ש', 'כ'];

/// Which prefixes `word` (folded) may carry, by its first letter's script.
fn prefixes(word: &str) -> &'static [&'static str] {
    match word.chars().next() {
        Some('\u{0621}'..='\u{064A}') => ARABIC,
        Some('\u{05D0}'..='\u{05EA}') => &HEBREW_PREFIXES,
        _ => &[],
    }
}

/// Hebrew prefixes of one and two letters, the one-letter ones last.
static HEBREW_PREFIXES: std::sync::LazyLock<Vec<&'static str>> = std::sync::LazyLock::new(|| {
    let mut out: Vec<&'static str> = Vec::new();
    for first in HEBREW {
        for second in HEBREW {
            if second == 'ו' {
                continue;
            }
            out.push(Box::leak(format!("{first}{second}").into_boxed_str()));
        }
    }
    out.extend(
        HEBREW
            .iter()
            .map(|c| &*Box::leak(c.to_string().into_boxed_str())),
    );
    out
});

/// Every other form of `word` worth looking up: the rests left by taking off one of its
/// prefixes, and each of those and `word` itself with each prefix before it. `each` is called
/// once per form; the caller keeps those the index has.
///
/// A rest counts only when it has at least `MIN_STEM` letters and `known` says the index has
/// it: Hebrew's prefix letters begin many words (`הסכם` is not `ה` + `סכם`), and a rest that
/// no brief writes would only lead to other words. The Arabic article is the exception: what
/// follows `ال` is the word, so `والقنيطرة` finds `بالقنيطرة` though no brief writes `قنيطرة`;
/// and so is a Hebrew rest after `ב ל כ` when the index has it with the article they absorb.
pub(crate) fn forms(word: &str, known: impl Fn(&str) -> bool, mut each: impl FnMut(&str)) {
    let prefixes = prefixes(word);
    if prefixes.is_empty() || word.chars().count() < MIN_STEM {
        return;
    }
    let mut stems: Vec<&str> = vec![word];
    for prefix in prefixes {
        if let Some(rest) = word.strip_prefix(prefix)
            && rest.chars().count() >= MIN_STEM
            && !stems.contains(&rest)
            && (is_article(prefix)
                || known(rest)
                || (absorbs_article(prefix) && known(&format!("ה{rest}"))))
        {
            stems.push(rest);
        }
    }
    let mut form = String::with_capacity(word.len() + 8);
    for stem in &stems {
        if *stem != word {
            each(stem);
        }
        for prefix in prefixes {
            form.clear();
            form.push_str(prefix);
            form.push_str(stem);
            if form != word {
                each(&form);
            }
        }
    }
}

/// Whether a Hebrew prefix ends in `ב`, `ל` or `כ`, which take the article's place
/// (`בגולן` is "in the Golan", a brief's `הגולן`).
fn absorbs_article(prefix: &str) -> bool {
    matches!(prefix.chars().last(), Some('ב' | 'ל' | 'כ'))
}

/// Whether an Arabic prefix ends in the article (`ال`, or `لل` for `ل` + `ال`).
fn is_article(prefix: &str) -> bool {
    prefix.ends_with("ال") || prefix.ends_with("لل")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The forms of `word` when the index has every word.
    fn all(word: &str) -> Vec<String> {
        let mut out = Vec::new();
        forms(word, |_| true, |f| out.push(f.to_string()));
        out
    }

    /// The forms of `word` when the index has none of them.
    fn unknown(word: &str) -> Vec<String> {
        let mut out = Vec::new();
        forms(word, |_| false, |f| out.push(f.to_string()));
        out
    }

    #[test]
    fn the_arabic_article_is_taken_off_and_put_on() {
        let with = all("القنيطره");
        assert!(with.contains(&"قنيطره".to_string()));
        assert!(with.contains(&"والقنيطره".to_string()));
        let without = all("قنيطره");
        assert!(without.contains(&"القنيطره".to_string()));
        assert!(without.contains(&"بالقنيطره".to_string()));
        assert!(without.contains(&"للقنيطره".to_string()));
        assert!(all("والقنيطره").contains(&"قنيطره".to_string()));
    }

    #[test]
    fn hebrew_prefixes_are_taken_off_and_put_on() {
        assert!(all("הכנסת").contains(&"כנסת".to_string()));
        assert!(all("כנסת").contains(&"הכנסת".to_string()));
        assert!(all("ובירושלימ").contains(&"ירושלימ".to_string()));
        assert!(all("ירושלימ").contains(&"ובירושלימ".to_string()));
    }

    #[test]
    fn a_rest_no_brief_has_is_not_stripped_to_except_after_the_arabic_article() {
        // `הסכם` (agreement) is not `ה` + `סכם` unless some brief writes `סכם`.
        assert!(
            !unknown("הסכם")
                .iter()
                .any(|f| f.contains("סכם") && !f.ends_with("הסכם"))
        );
        assert!(unknown("הסכם").contains(&"ההסכם".to_string()));
        // `בגולן` is "in the Golan": the rest is taken when the index has `הגולן`.
        let mut out = Vec::new();
        forms("בגולנ", |w| w == "הגולנ", |f| out.push(f.to_string()));
        assert!(out.contains(&"גולנ".to_string()) && out.contains(&"הגולנ".to_string()));
        // After the article, the rest is the word: `والقنيطره` leads to `بالقنيطره`.
        assert!(unknown("والقنيطره").contains(&"بالقنيطره".to_string()));
        // A particle alone is taken off only where the rest is known.
        assert!(!unknown("واسرائيل").contains(&"اسرائيل".to_string()));
        assert!(all("واسرائيل").contains(&"اسرائيل".to_string()));
    }

    /// Particles stacked on a word without the article (`و` + `ب` + `تصعيد`, "and with
    /// escalation") are taken off together, where the rest is a word some brief has.
    #[test]
    fn stacked_arabic_particles_are_taken_off_where_the_rest_is_known() {
        let mut out = Vec::new();
        forms("وبتصعيد", |w| w == "تصعيد", |f| out.push(f.to_string()));
        assert!(out.contains(&"تصعيد".to_string()), "{out:?}");
        assert!(out.contains(&"التصعيد".to_string()), "{out:?}");
        for stacked in ["فبتصعيد", "وكتصعيد", "ولتصعيد"] {
            let mut out = Vec::new();
            forms(stacked, |w| w == "تصعيد", |f| out.push(f.to_string()));
            assert!(out.contains(&"تصعيد".to_string()), "{stacked}: {out:?}");
        }
        // Not where no brief has the rest, and never down to fewer than three letters.
        assert!(!unknown("وبتصعيد").contains(&"تصعيد".to_string()));
        assert!(!all("وبيت").iter().any(|f| f.chars().count() < 3));
        // With the article after them, the rest is the word, as after the article alone.
        assert!(unknown("وبالتصعيد").contains(&"تصعيد".to_string()));
        // And the bare word finds the stacked form a brief writes.
        assert!(all("تصعيد").contains(&"وبتصعيد".to_string()));
    }

    #[test]
    fn short_words_and_other_scripts_have_no_other_forms() {
        assert!(all("ב").is_empty());
        assert!(all("על").is_empty());
        assert!(all("ال").is_empty());
        assert!(all("paris").is_empty());
        // Stripping never leaves fewer than three letters.
        assert!(!all("הבית").contains(&"ית".to_string()));
        assert!(!all("בית").iter().any(|f| f.chars().count() < 3));
    }
}
