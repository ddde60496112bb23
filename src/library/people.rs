//! Author files (`authors/<slug>.toml`) and the optional `parties.toml`: who writes the
//! briefs and who sits at the table, read with the same all-mistakes-at-once rules as briefs.

use std::ops::Range;

use toml::de::DeTable;

use super::brief::report_toml_error;
use super::fields::{FileCx, Fits, Need, Table};
use super::{Author, Party, is_slug};
use crate::limits;

const NAME: Fits = Fits {
    max: limits::AUTHOR_NAME,
    shown_as: "an embed author name",
};
const LINE: Fits = Fits {
    max: limits::FIELD_NAME,
    shown_as: "an embed field name",
};
const BIO: Fits = Fits {
    max: limits::EMBED_DESCRIPTION,
    shown_as: "an embed description",
};
const CHOICE: Fits = Fits {
    max: limits::CHOICE_NAME,
    shown_as: "an autocomplete choice",
};
const EMOJI: Fits = Fits {
    max: 32,
    shown_as: "an emoji",
};
const LINK: Fits = Fits {
    max: 512,
    shown_as: "a link in an embed field",
};

fn parse_toml<'i>(cx: &mut FileCx, text: &'i str) -> Option<DeTable<'i>> {
    let (table, errors) = DeTable::parse_recoverable(text);
    for error in &errors {
        report_toml_error(cx, error);
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
    let before = cx.diagnostics.len();
    let mut t = Table::new(&table, 0..0, "an author file");
    let name = t.text(cx, "name", Need::Required, NAME);
    let title = t.text(cx, "title", Need::Optional, LINE);
    let affiliation = t.text(cx, "affiliation", Need::Optional, LINE);
    let bio = t.text(cx, "bio", Need::Required, BIO);
    let education = t.text_list(cx, "education", LINE);
    let expertise = t.text_list(cx, "expertise", LINE);
    let links = t.text_list(cx, "links", LINK);
    for (index, link) in links.iter().enumerate() {
        if !link.starts_with("https://") {
            let span = t.span_of("links").unwrap_or(0..0);
            cx.error(
                span,
                format!(
                    "link {} must start with https://, found \"{link}\"",
                    index + 1
                ),
            );
        }
    }
    t.finish(cx);
    if cx.diagnostics.len() > before {
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
    let before = cx.diagnostics.len();
    let mut t = Table::new(&table, 0..0, "parties.toml");
    let mut parties: Vec<Party> = Vec::new();
    for (entry, span) in t.tables(cx, "party") {
        if let Some(party) = parse_party(cx, entry, span.clone()) {
            let clash = parties.iter().find_map(|known| {
                std::iter::once(&party.name)
                    .chain(&party.aliases)
                    .find(|name| known.answers_to(name))
                    .map(|name| (name.clone(), known.name.clone()))
            });
            match clash {
                Some((name, owner)) => cx.error(
                    span,
                    format!("`{name}` already names {owner}; each name and alias may belong to one party only"),
                ),
                None => parties.push(party),
            }
        }
    }
    t.finish(cx);
    (cx.diagnostics.len() == before).then_some(parties)
}

fn parse_party(cx: &mut FileCx, table: &DeTable, span: Range<usize>) -> Option<Party> {
    let mut t = Table::new(table, cx.absolute(span), "a party");
    let name = t.text(cx, "name", Need::Required, CHOICE);
    let aliases = t.text_list(cx, "aliases", CHOICE);
    let emoji = t.text(cx, "emoji", Need::Optional, EMOJI);
    t.finish(cx);
    Some(Party {
        name: name?,
        aliases,
        emoji: emoji.filter(|e| !e.is_empty()),
    })
}
