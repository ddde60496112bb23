//! Author files (`authors/<slug>.toml`) and the optional `parties.toml`: who writes the
//! briefs and who sits at the table, read with the same all-mistakes-at-once rules as briefs.

use std::ops::Range;

use toml::de::DeTable;

use super::fields::{FileCx, Fits, Need, Table, is_https_url, report_toml_error};
use super::model::{Author, Party, is_slug};

const EMOJI: Fits = Fits {
    max: 32,
    shown_as: "an emoji",
};

fn parse_toml<'i>(cx: &mut FileCx, text: &'i str) -> Option<DeTable<'i>> {
    let (table, errors) = DeTable::parse_recoverable(text);
    // As for briefs: later syntax errors are mostly echoes of the first.
    if let Some(first) = errors.first() {
        report_toml_error(cx, text, first);
    }
    errors.is_empty().then(|| table.into_inner())
}

/// Reads `authors/<slug>.toml`; `slug` is the file's stem, which briefs name in `author`.
pub(crate) fn parse_author(cx: &mut FileCx, slug: &str, text: &str) -> Option<Author> {
    if !is_slug(slug) {
        cx.error_in_file(
            0..0,
            format!("author file name `{slug}` must be lower-case letters, digits and dashes"),
            Some("rename it, for example authors/omar-safadi.toml".to_string()),
        );
        return None;
    }
    let table = parse_toml(cx, text)?;
    let before = cx.errors.len();
    let mut t = Table::new(&table, 0..0, "an author file");
    let name = t.text(cx, "name", Need::Required, Fits::AUTHOR_NAME);
    let title = t.text(cx, "title", Need::Optional, Fits::FIELD_NAME);
    let affiliation = t.text(cx, "affiliation", Need::Optional, Fits::FIELD_NAME);
    let bio = t.text(cx, "bio", Need::Required, Fits::DESCRIPTION);
    let education = t.text_list(cx, "education", Fits::FIELD_NAME);
    let expertise = t.text_list(cx, "expertise", Fits::FIELD_NAME);
    let links = t.text_list_spanned(cx, "links", Fits::LINK);
    for (link, span) in &links {
        if !is_https_url(link) {
            cx.error(
                span.clone(),
                format!("a link must be an https:// address, found \"{link}\""),
            );
        }
    }
    let links = links.into_iter().map(|(link, _)| link).collect();
    t.finish(cx);
    if cx.errors.len() > before {
        return None;
    }
    Some(Author {
        slug: slug.to_string(),
        name: name?,
        title: title.filter(|s| !s.is_empty()),
        affiliation: affiliation.filter(|s| !s.is_empty()),
        bio: bio?,
        education,
        expertise,
        links,
    })
}

/// Reads `parties.toml`: `[[party]]` tables with a canonical name, aliases and an emoji.
pub(crate) fn parse_parties(cx: &mut FileCx, text: &str) -> Option<Vec<Party>> {
    let table = parse_toml(cx, text)?;
    let before = cx.errors.len();
    let mut t = Table::new(&table, 0..0, "parties.toml");
    let mut parties: Vec<Party> = Vec::new();
    for (entry, span) in t.tables(cx, "party") {
        let party = parse_party(cx, entry, span);
        // Every name and alias is checked against the parties before it, even when this
        // party has other mistakes, so a clash is reported in the same run.
        for (name, span) in &party.names {
            if let Some(owner) = parties.iter().find(|known| known.answers_to(name)) {
                cx.error(
                    span.clone(),
                    format!(
                        "`{name}` already names {}; a name or alias may belong to one party only",
                        owner.name
                    ),
                );
            }
        }
        if let Some((name, _)) = party.names.first().filter(|_| party.has_name) {
            parties.push(Party {
                name: name.clone(),
                aliases: party
                    .names
                    .iter()
                    .skip(1)
                    .map(|(alias, _)| alias.clone())
                    .collect(),
                emoji: party.emoji,
            });
        }
    }
    t.finish(cx);
    (cx.errors.len() == before).then_some(parties)
}

/// One `[[party]]` as read: its name (first, when present) and aliases with their spans.
struct PartyEntry {
    names: Vec<(String, Range<usize>)>,
    has_name: bool,
    emoji: Option<String>,
}

fn parse_party(cx: &mut FileCx, table: &DeTable, span: Range<usize>) -> PartyEntry {
    let mut t = Table::new(table, cx.absolute(span), "a party");
    let name = t.text(cx, "name", Need::Required, Fits::CHOICE);
    let name_span = t.span_of("name").unwrap_or(0..0);
    let aliases = t.text_list_spanned(cx, "aliases", Fits::CHOICE);
    let emoji = t.text(cx, "emoji", Need::Optional, EMOJI);
    t.finish(cx);
    let has_name = name.is_some();
    PartyEntry {
        names: name
            .map(|n| (n, name_span))
            .into_iter()
            .chain(aliases)
            .collect(),
        has_name,
        emoji: emoji.filter(|e| !e.is_empty()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::diagnostics::Diagnostics;
    use std::path::Path;

    fn parties(text: &str) -> (Option<Vec<Party>>, Vec<String>) {
        let mut cx = FileCx::default();
        let parsed = parse_parties(&mut cx, text);
        let mut diagnostics = Diagnostics::default();
        diagnostics.add_file(Path::new("parties.toml"), text.to_string(), cx.errors);
        (
            parsed,
            diagnostics.items().iter().map(|d| d.to_string()).collect(),
        )
    }

    #[test]
    fn an_alias_clash_is_reported_even_beside_another_mistake() {
        let text = "[[party]]\nname = \"Southland\"\nemoji = { a = 1 }\n\n[[party]]\nname = \"Westland\"\naliases = [\"southland\"]\n";
        let (parsed, messages) = parties(text);
        assert!(parsed.is_none());
        assert_eq!(
            messages,
            [
                "parties.toml:3:9: `emoji` must be a string in quotes, found a table",
                "parties.toml:7:12: `southland` already names Southland; a name or alias may belong to one party only",
            ]
        );
    }
}
