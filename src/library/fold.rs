//! Comparing names as users type them, ignoring case: `text.to_lowercase()` compared with a
//! lower-cased query, without building the lower-cased copy when the text is ASCII (most
//! names, titles and places are), so a lookup over thousands of rounds allocates nothing.
//! The query is always lower-cased by the caller.

/// Whether `text`, lower-cased, contains `query`.
pub(crate) fn contains(text: &str, query: &str) -> bool {
    if text.is_ascii() {
        let (text, query) = (text.as_bytes(), query.as_bytes());
        query.is_empty()
            || text
                .windows(query.len())
                .any(|window| window.eq_ignore_ascii_case(query))
    } else {
        text.to_lowercase().contains(query)
    }
}

/// Whether `text`, lower-cased, starts with `query`.
pub(crate) fn starts_with(text: &str, query: &str) -> bool {
    if text.is_ascii() {
        text.len() >= query.len()
            && text.as_bytes()[..query.len()].eq_ignore_ascii_case(query.as_bytes())
    } else {
        text.to_lowercase().starts_with(query)
    }
}

/// Whether `text`, lower-cased, is `query`.
pub(crate) fn equals(text: &str, query: &str) -> bool {
    if text.is_ascii() {
        text.eq_ignore_ascii_case(query)
    } else {
        text.to_lowercase() == query
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_answers_as_lower_casing_first() {
        let texts = [
            "Paris Round",
            "São Paulo",
            "İstanbul",
            "KELVIN",
            "Ωmega talks",
            "",
        ];
        let queries = [
            "", "par", "round", "são", "i", "ist", "kelvin", "ωmega", "x",
        ];
        for text in texts {
            let lower = text.to_lowercase();
            for query in queries {
                assert_eq!(
                    contains(text, query),
                    lower.contains(query),
                    "{text} ∋ {query}"
                );
                assert_eq!(
                    starts_with(text, query),
                    lower.starts_with(query),
                    "{text} ^ {query}"
                );
                assert_eq!(equals(text, query), lower == query, "{text} = {query}");
            }
        }
    }
}
