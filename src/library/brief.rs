//! One round file: `+++` fences around TOML front matter, then the Markdown briefing.
//! Turns the text into a `Round`, reporting every mistake in the file, not just the first.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::path::{Path, PathBuf};

use toml::de::DeTable;

use super::date::Date;
use super::diagnostics::Location;
use super::fields::{
    FileCx, Fits, Need, Table, closest, is_https_url, is_placeholder, read_past_slips,
    report_toml_error,
};
use super::mistakes;
use super::model::{
    Correction, FIRST_ROUND, Hold, Party, Position, Role, Round, RoundId, Source, TRACK_ID_MAX,
    is_slug, party_names,
};
use super::publication;
use super::tracks::{TRACKS_FILE, TrackSettings};
use super::undrawn;

/// What the rest of the folder tells a round file: who exists and which track it belongs to
/// when it names none.
pub(crate) struct Known {
    pub(crate) authors: Vec<String>,
    pub(crate) parties: Option<Vec<Party>>,
    /// `tracks.toml`'s `default`, else the operator's `default_track`.
    pub(crate) default_track: Option<String>,
    /// `tracks.toml`, whose tracks' folders give their files' track.
    pub(crate) tracks: TrackSettings,
    author_set: HashSet<String>,
    /// Every party name and alias, lower-cased → the party's index.
    party_names: HashMap<String, usize>,
}

impl Known {
    pub(crate) fn new(
        authors: Vec<String>,
        parties: Option<Vec<Party>>,
        tracks: TrackSettings,
        default_track: Option<String>,
    ) -> Known {
        let author_set = authors.iter().cloned().collect();
        let party_names = party_names(parties.as_deref().unwrap_or_default());
        Known {
            authors,
            parties,
            default_track: tracks.default.clone().or(default_track),
            tracks,
            author_set,
            party_names,
        }
    }

    /// Whether the briefs checked against `self` stay valid against `other`.
    pub(crate) fn same_as(&self, other: &Known) -> bool {
        self.authors == other.authors
            && self.parties == other.parties
            && self.default_track == other.default_track
            && self.tracks == other.tracks
    }

    /// The party called `name` or known by it as an alias, ignoring case.
    fn party(&self, name: &str) -> Option<&Party> {
        let i = self.party_names.get(&name.trim().to_lowercase())?;
        self.parties.as_ref()?.get(*i)
    }
}

/// What a round file gave: its identity (track and number, known even when other fields
/// are wrong, so a duplicate is reported at once) and the round when the file is valid.
pub(crate) struct ParsedRound {
    pub(crate) identity: Option<Identity>,
    pub(crate) round: Option<Round>,
    /// Why the round is kept back (a draft, an embargo), whatever the time is now.
    pub(crate) hold: Option<Hold>,
}

/// Which round a file claims to be, and where it says so.
#[derive(Clone)]
pub(crate) struct Identity {
    pub(crate) id: RoundId,
    /// Byte range of the number in the file.
    pub(crate) span: Range<usize>,
    pub(crate) location: Location,
}

const FENCE: &str = "+++";

/// The fence of YAML front matter, which editors coming from Hugo or Jekyll write.
const YAML_FENCE: &str = "---";

/// Room left for the place in an autocomplete label `Round 12 — <place>, 2026-01-06` (100).
const PLACE: Fits = Fits {
    max: 64,
    shown_as: "an autocomplete label (with the round and date)",
};

/// A correction's note, on its own line of the round's card, under the round line. The
/// card keeps that line whole when it has to shorten (see `round_card`), so it is held to
/// about three lines of Discord's embed: room enough for "The memo was released by the State
/// Department, not the White House." and what it changes, and little enough that the
/// summary below it keeps most of its 4096 characters.
const NOTE: Fits = Fits {
    max: Correction::NOTE_MAX,
    shown_as: "a correction's line on the card",
};

/// What to write for a correction, for the errors that need an example.
const CORRECTION_EXAMPLE: &str = "write each correction under its own `[[corrections]]` line (two brackets), with `date = 2026-01-08` and `note = \"…\"` below it";

/// Parses `text`, the whole content of the file at `path`. Mistakes go to `cx`; the round
/// is `None` when there were any.
pub(crate) fn parse(cx: &mut FileCx, path: PathBuf, text: &str, known: &Known) -> ParsedRound {
    let mut parsed = ParsedRound {
        identity: None,
        round: None,
        hold: None,
    };
    let Some((front, body, yaml)) = split_fences(cx, text) else {
        return parsed;
    };
    cx.offset = front.start;
    // A YAML front matter is read as the TOML its message says to write, its colons fixed
    // without a word each, so its other mistakes are found in the same run.
    let quiet: &[mistakes::Kind] = if yaml {
        &[mistakes::Kind::ColonForEquals]
    } else {
        &[]
    };
    let written = &text[front.clone()];
    let fixed: String;
    let table = match DeTable::parse_recoverable(written) {
        (table, errors) if errors.is_empty() => table,
        _ => {
            // Each slip the parser stops at and `check` can name is fixed in a copy and the
            // copy read again: the editor learns of every mistake in one run, not one per fix.
            // (A file without a slip is parsed once, as before: this is the rare path.)
            let Some(text) = read_past_slips(cx, written, quiet) else {
                return parsed;
            };
            fixed = text;
            let (table, errors) = DeTable::parse_recoverable(&fixed);
            if let Some(first) = errors.first() {
                // Not expected: the text read past its slips parses, or it would be `None`.
                report_toml_error(cx, &fixed, first);
                return parsed;
            }
            table
        }
    };
    // "Missing key" errors point at the opening fence, where the front matter begins.
    let mut t = Table::new(table.get_ref(), 0..FENCE.len(), "a brief");
    let errors_before = cx.errors.len();

    let track = read_track(cx, &mut t, known, &path);
    let number = read_number(cx, &mut t);
    let title = t.text(cx, "title", Need::Required, Fits::TITLE);
    let date = t.date(cx, "date", Need::Required);
    let location = t.text(cx, "location", Need::Optional, PLACE);
    let author = read_author(cx, &mut t, known);
    let summary = t.text(cx, "summary", Need::Required, Fits::DESCRIPTION);
    let key_points = t.text_list(cx, "key_points", Fits::FIELD_VALUE);
    let status = t.text(cx, "status", Need::Optional, Fits::FIELD_VALUE);
    let sources = t
        .tables(cx, "sources")
        .into_iter()
        .filter_map(|(table, span)| read_source(cx, table, span))
        .collect();
    let positions = read_positions(cx, &mut t, known);
    let corrections = read_corrections(cx, &mut t, date);
    let hold = publication::read_hold(cx, &mut t);
    t.finish(cx);
    check_body_placeholders(cx, text, body.clone());
    warn_of_undrawn_markdown(cx, text, body.clone());

    if let (Some(track), Some((number, span))) = (&track, &number) {
        let span = cx.absolute(span.clone());
        parsed.identity = Some(Identity {
            id: RoundId {
                track: track.clone(),
                number: *number,
            },
            location: Location::of(text, span.start),
            span,
        });
    }
    if cx.errors.len() > errors_before {
        return parsed;
    }
    let (Some(track), Some((number, _)), Some(title), Some(date), Some(author), Some(summary)) =
        (track, number, title, date, author, summary)
    else {
        return parsed;
    };
    parsed.hold = hold;
    parsed.round = Some(Round {
        track,
        number,
        title,
        date,
        location: location.filter(|l| !l.is_empty()),
        author,
        summary,
        key_points,
        status: status.filter(|s| !s.is_empty()),
        sources,
        positions,
        corrections,
        body: {
            let body = text[body].trim();
            if body.contains('\r') {
                body.replace("\r\n", "\n")
            } else {
                body.to_string()
            }
        },
        path,
    });
    parsed
}

/// `round = N`: a whole number from 1 up.
fn read_number(cx: &mut FileCx, t: &mut Table) -> Option<(u32, Range<usize>)> {
    let number = t.integer(cx, "round", Need::Required)?;
    let (span, value) = (number.span(), *number.get_ref());
    if value < i64::from(FIRST_ROUND) {
        cx.error(
            span,
            format!("`round` must be {FIRST_ROUND} or more, found {value}"),
        );
        return None;
    }
    match u32::try_from(value) {
        Ok(n) => Some((n, span)),
        Err(_) => {
            cx.error(span, format!("`round` {value} is too large a round number"));
            None
        }
    }
}

/// Finds the front matter between the `+++` lines and the body after them, as byte ranges,
/// and whether the fences were YAML's `---` (reported, then read on as if they were `+++`).
fn split_fences(cx: &mut FileCx, text: &str) -> Option<(Range<usize>, Range<usize>, bool)> {
    let mut lines = line_ranges(text);
    let first = lines.next();
    let yaml = first
        .clone()
        .is_some_and(|r| text[r].trim_end() == YAML_FENCE);
    let fence = if yaml { YAML_FENCE } else { FENCE };
    let opens = first.clone().is_some_and(|r| text[r].trim_end() == FENCE);
    if yaml {
        let mistake = mistakes::yaml_front_matter(text);
        cx.error_in_file(mistake.span, mistake.message, Some(mistake.help));
    } else if !opens {
        let span = first.clone().unwrap_or(0..0);
        cx.error_in_file(
            span,
            "missing `+++` fence: a brief starts with a line `+++`",
            Some(
                "begin the file with `+++`, then the TOML keys (round, title, …), then another `+++`, then the briefing"
                    .to_string(),
            ),
        );
        return None;
    }
    let front_start = first.map_or(0, |r| line_end(text, r.end));
    for line in lines {
        if text[line.clone()].trim_end() == fence {
            let body_start = line_end(text, line.end);
            return Some((front_start..line.start, body_start..text.len(), yaml));
        }
    }
    if yaml {
        // Its message already says to close it with `+++`.
        return None;
    }
    cx.error_in_file(
        0..FENCE.len(),
        "the front matter opened here is never closed: no second `+++` line",
        Some("add a line `+++` after the last key, before the briefing".to_string()),
    );
    None
}

/// Byte ranges of each line, without the line break.
fn line_ranges(text: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut start = 0;
    text.split_inclusive('\n').map(move |line| {
        let range = start..start + line.trim_end_matches(['\n', '\r']).len();
        start += line.len();
        range
    })
}

/// Where the next line starts, given the end of this line's text.
fn line_end(text: &str, end: usize) -> usize {
    match text[end..].find('\n') {
        Some(i) => end + i + 1,
        None => text.len(),
    }
}

/// The round's track: its `track` line; else the folder directly under the briefs folder,
/// when `tracks.toml` lists it; else the default track. `path` is relative to the folder.
fn read_track(cx: &mut FileCx, t: &mut Table, known: &Known, path: &Path) -> Option<String> {
    let implied = known
        .tracks
        .of_folder(path)
        .map(str::to_string)
        .or_else(|| known.default_track.clone());
    let fits = Fits {
        max: TRACK_ID_MAX,
        shown_as: "a button's custom_id (with the round)",
    };
    let Some(track) = t.text(cx, "track", Need::Optional, fits) else {
        if implied.is_none() && t.span_of("track").is_none() {
            cx.error_in_file(
                0..FENCE.len(),
                "missing required key `track` in a brief",
                Some(format!(
                    "write the track the round belongs to, such as `track = \"syria-israel\"`; or list the track in the briefs folder's {TRACKS_FILE} and put the file in the track's folder, or name a `default` track there"
                )),
            );
        }
        return implied;
    };
    if !is_slug(&track) {
        // The span of the value is not kept by `text`, so point at the key's line via a re-read.
        cx.error_with_help(
            t_span(t, "track"),
            format!("`track` must be lower-case letters, digits and dashes, found \"{track}\""),
            Some("for example `track = \"syria-israel\"`".to_string()),
        );
        return None;
    }
    Some(track)
}

fn read_author(cx: &mut FileCx, t: &mut Table, known: &Known) -> Option<String> {
    let fits = Fits {
        max: 64,
        shown_as: "an author file name",
    };
    let author = t.text(cx, "author", Need::Required, fits)?;
    if known.author_set.contains(&author) {
        return Some(author);
    }
    let message = match closest(&author, known.authors.iter().map(String::as_str)) {
        Some(near) => format!("unknown author `{author}`; did you mean `{near}`?"),
        None => format!("unknown author `{author}`"),
    };
    cx.error_with_help(
        t_span(t, "author"),
        message,
        Some(match known.authors.as_slice() {
            [] => format!("`author` names a file in authors/: add authors/{author}.toml"),
            all => format!(
                "`author` names a file in authors/: add authors/{author}.toml or use one of: {}",
                all.join(", ")
            ),
        }),
    );
    None
}

fn read_source(cx: &mut FileCx, table: &DeTable, span: Range<usize>) -> Option<Source> {
    let mut t = Table::new(table, cx.absolute(span), "a source");
    let title = t.text(cx, "title", Need::Required, Fits::FIELD_NAME);
    let publisher = t.text(cx, "publisher", Need::Optional, Fits::FIELD_NAME);
    let url = t
        .text(cx, "url", Need::Optional, Fits::LINK)
        .filter(|u| !u.is_empty());
    let url_span = t_span(&t, "url");
    t.finish(cx);
    if let Some(url) = url.as_deref().filter(|u| !is_https_url(u)) {
        cx.error_with_help(
            url_span,
            format!("source URL must start with https://, found \"{url}\""),
            Some(
                "link to the https:// address of the page, or leave `url` out for a printed source"
                    .to_string(),
            ),
        );
        return None;
    }
    Some(Source {
        title: title?,
        publisher: publisher.filter(|p| !p.is_empty()),
        url,
    })
}

fn read_positions(cx: &mut FileCx, t: &mut Table, known: &Known) -> Vec<Position> {
    let mut positions: Vec<Position> = Vec::new();
    for (table, span) in t.tables(cx, "positions") {
        let mut p = Table::nested(table, cx.absolute(span), "a position", t);
        // Party names are offered as autocomplete choices, whose values hold 100 characters.
        let party = p.text(cx, "party", Need::Required, Fits::CHOICE);
        let party_span = t_span(&p, "party");
        let role = p.text(cx, "role", Need::Optional, Fits::FIELD_NAME);
        let role_span = t_span(&p, "role");
        let stance = p.text(cx, "stance", Need::Required, Fits::FIELD_VALUE);
        let details = p.text(cx, "details", Need::Optional, Fits::FIELD_VALUE);
        let representatives = p.text_list(cx, "representatives", Fits::FIELD_NAME);
        let misplaced = p.finish(cx);
        t.take_misplaced(misplaced);

        let party = party.and_then(|name| resolve_party(cx, name, party_span.clone(), known));
        let role = match role.as_deref() {
            None => Some(Role::Party),
            Some(text) => parse_role(cx, text, role_span),
        };
        let (Some(party), Some(role), Some(stance)) = (party, role, stance) else {
            continue;
        };
        if positions
            .iter()
            .any(|q| q.party.to_lowercase() == party.to_lowercase())
        {
            cx.error(
                party_span,
                format!("{party} has two positions in this round; merge them into one"),
            );
            continue;
        }
        positions.push(Position {
            party,
            role,
            stance,
            details: details.filter(|d| !d.is_empty()),
            representatives,
        });
    }
    positions
}

/// `[[corrections]]`: each with the day it was made (not before the round's `date`) and a
/// note; returned oldest first, whatever the file's order.
fn read_corrections(cx: &mut FileCx, t: &mut Table, round_date: Option<Date>) -> Vec<Correction> {
    let mut corrections = Vec::new();
    for (table, span) in t.tables_explained(cx, "corrections", Some(CORRECTION_EXAMPLE)) {
        let mut c = Table::nested(table, cx.absolute(span), "a correction", t);
        let date_help = "write the day the correction was made, as YYYY-MM-DD without quotes: `date = 2026-01-08`";
        let date = c.date_explained(cx, "date", Need::Required, Some(date_help));
        let date_span = t_span(&c, "date");
        let note_help = "write what was corrected, in quotes: `note = \"The memo was released by the State Department, not the White House.\"`";
        let note = c.text_explained(cx, "note", Need::Required, NOTE, Some(note_help));
        let misplaced = c.finish(cx);
        t.take_misplaced(misplaced);

        let (Some(date), Some(note)) = (date, note) else {
            continue;
        };
        if let Some(round_date) = round_date.filter(|round| date < *round) {
            cx.error_with_help(
                date_span,
                format!(
                    "a correction's `date` {date} is before the round's own date {round_date}"
                ),
                Some(format!(
                    "a correction is made after the round: write the day it was made, {round_date} or later"
                )),
            );
            continue;
        }
        corrections.push(Correction { date, note });
    }
    // Stable: two corrections of one day keep the file's order.
    corrections.sort_by_key(|c| c.date);
    corrections
}

/// The canonical name for `name`, by name or alias, when `parties.toml` exists.
fn resolve_party(
    cx: &mut FileCx,
    name: String,
    span: Range<usize>,
    known: &Known,
) -> Option<String> {
    let Some(parties) = &known.parties else {
        return Some(name);
    };
    if let Some(party) = known.party(&name) {
        return Some(party.name.clone());
    }
    let all = parties
        .iter()
        .flat_map(|p| std::iter::once(p.name.as_str()).chain(p.aliases.iter().map(String::as_str)));
    let message = match closest(&name, all) {
        Some(near) => format!("unknown party `{name}`; did you mean `{near}`?"),
        None => format!("unknown party `{name}`"),
    };
    let names: Vec<&str> = parties.iter().map(|p| p.name.as_str()).collect();
    let help = match names.as_slice() {
        [] => "parties.toml lists no parties yet: add this one there".to_string(),
        names => format!(
            "use a name or alias from parties.toml ({}), or add the party there",
            names.join(", ")
        ),
    };
    cx.error_with_help(span, message, Some(help));
    None
}

fn parse_role(cx: &mut FileCx, text: &str, span: Range<usize>) -> Option<Role> {
    match text {
        "party" => Some(Role::Party),
        "mediator" => Some(Role::Mediator),
        "observer" => Some(Role::Observer),
        other => {
            let message = match closest(other, ["party", "mediator", "observer"]) {
                Some(near) => format!(
                    "`role` must be party, mediator or observer, found \"{other}\"; did you mean `{near}`?"
                ),
                None => format!("`role` must be party, mediator or observer, found \"{other}\""),
            };
            cx.error(span, message);
            None
        }
    }
}

fn check_body_placeholders(cx: &mut FileCx, text: &str, body: Range<usize>) {
    for line in line_ranges(&text[body.clone()]) {
        let line = line.start + body.start..line.end + body.start;
        let content = &text[line.clone()];
        if is_placeholder(content) {
            let start = line.end - content.trim_start().len();
            cx.error_in_file(
                start..line.end,
                "the briefing still holds a placeholder from `briefbot new`",
                Some("replace the TODO line with the briefing's text".to_string()),
            );
        }
    }
}

/// Markdown in the briefing that Discord would show raw on the More pages: a warning each.
fn warn_of_undrawn_markdown(cx: &mut FileCx, text: &str, body: Range<usize>) {
    for undrawn in undrawn::find(&text[body.clone()]) {
        let span = undrawn.span.start + body.start..undrawn.span.end + body.start;
        cx.warn_in_file(span, undrawn.message, Some(undrawn.help));
    }
}

/// The span of `key`'s value in `t`, for errors found after reading it.
fn t_span(t: &Table, key: &str) -> Range<usize> {
    t.span_of(key).unwrap_or(0..0)
}
