//! `tracks.toml`, the optional file at the top of the briefs folder that says what the tracks
//! are called and which track a round file belongs to when it does not say. It lives with the
//! briefs, not in the operator's `config.toml`, because it is what the briefs mean: `check` in
//! an editor's copy, in the pull request's workflow and on the server reads the same file and
//! so gives the same verdict. (The follow roles stay in `config.toml`: they are Discord ids of
//! one deployment, not part of the briefs.)

use std::path::{Component, Path};

use toml::de::DeTable;

use super::fields::{FileCx, Fits, Need, Table, report_toml_error};
use super::model::{TRACK_ID_MAX, is_slug};

/// The file's name, directly inside the briefs folder.
pub(crate) const TRACKS_FILE: &str = "tracks.toml";

/// What `tracks.toml` says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct TrackSettings {
    /// The track of round files that name none and sit in no track's folder.
    pub(crate) default: Option<String>,
    /// Each track's id and the name readers see, in file order.
    pub(crate) names: Vec<(String, String)>,
}

impl TrackSettings {
    /// Whether `id` is a track the file lists.
    pub(crate) fn lists(&self, id: &str) -> bool {
        self.names.iter().any(|(known, _)| known == id)
    }

    /// The track a round file at `path` (relative to the briefs folder) belongs to by its
    /// folder: the folder directly under the briefs folder, when the file lists it.
    pub(crate) fn of_folder(&self, path: &Path) -> Option<&str> {
        let mut components = path.components();
        let Some(Component::Normal(first)) = components.next() else {
            return None;
        };
        // A file directly in the briefs folder is in no track's folder.
        components.next()?;
        let first = first.to_str()?;
        self.names
            .iter()
            .find(|(id, _)| id == first)
            .map(|(id, _)| id.as_str())
    }
}

/// The track of round files that name none, as the folder at `root` gives it: `tracks.toml`'s
/// `default` (a broken file gives none), else the operator's `configured` one. For the
/// commands that take a track (`new`, `announce`) when none is given.
pub fn default_track(root: &Path, configured: Option<&str>) -> Option<String> {
    let from_file = std::fs::read_to_string(root.join(TRACKS_FILE))
        .ok()
        .and_then(|text| parse_tracks(&mut FileCx::default(), &text))
        .and_then(|settings| settings.default);
    from_file.or_else(|| configured.map(str::to_string))
}

/// How long a track's name may be: it is shown in card titles and footers.
const TRACK_NAME: Fits = Fits {
    max: 80,
    shown_as: "a card's footer",
};

/// Reads `tracks.toml`: an optional `default = "track"` and `[[track]]` tables, each with an
/// `id` (the slug briefs use) and a `name` (what readers see).
pub(crate) fn parse_tracks(cx: &mut FileCx, text: &str) -> Option<TrackSettings> {
    let (table, errors) = DeTable::parse_recoverable(text);
    if let Some(first) = errors.first() {
        report_toml_error(cx, text, first);
        return None;
    }
    let table = table.into_inner();
    let before = cx.errors.len();
    let mut t = Table::new(&table, 0..0, "tracks.toml");
    let default = t.text(cx, "default", Need::Optional, Fits::CHOICE);
    let default_span = t.span_of("default").unwrap_or(0..0);
    let mut names: Vec<(String, String)> = Vec::new();
    for (entry, span) in t.tables(cx, "track") {
        let mut track = Table::new(entry, cx.absolute(span), "a track");
        let id = track.text(cx, "id", Need::Required, Fits::CHOICE);
        let id_span = track.span_of("id").unwrap_or(0..0);
        let name = track.text(cx, "name", Need::Required, TRACK_NAME);
        track.finish(cx);
        let Some(id) = id else { continue };
        if !is_slug(&id) || id.len() > TRACK_ID_MAX {
            cx.error_with_help(
                id_span,
                format!(
                    "a track's `id` must be lower-case letters, digits and dashes, at most {TRACK_ID_MAX} characters, found \"{id}\""
                ),
                Some("for example `id = \"syria-israel\"`; the name readers see goes in `name`".to_string()),
            );
            continue;
        }
        if names.iter().any(|(known, _)| *known == id) {
            cx.error(id_span, format!("track `{id}` is listed twice"));
            continue;
        }
        if let Some(name) = name {
            names.push((id, name));
        }
    }
    t.finish(cx);
    let settings = TrackSettings { default, names };
    if let Some(default) = &settings.default
        && !settings.lists(default)
    {
        let listed: Vec<&str> = settings.names.iter().map(|(id, _)| id.as_str()).collect();
        cx.error_with_help(
            default_span,
            format!("`default` names track `{default}`, which no `[[track]]` below lists"),
            Some(match listed.as_slice() {
                [] => format!(
                    "add the track: `[[track]]`, then `id = \"{default}\"` and `name = \"…\"`"
                ),
                listed => format!("the tracks listed: {}", listed.join(", ")),
            }),
        );
    }
    (cx.errors.len() == before).then_some(settings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::diagnostics::Diagnostics;

    fn tracks(text: &str) -> (Option<TrackSettings>, Vec<String>) {
        let mut cx = FileCx::default();
        let parsed = parse_tracks(&mut cx, text);
        let mut diagnostics = Diagnostics::default();
        diagnostics.add_file(Path::new("tracks.toml"), text.to_string(), cx.errors);
        (
            parsed,
            diagnostics.items().iter().map(|d| d.to_string()).collect(),
        )
    }

    #[test]
    fn names_and_default_are_read() {
        let text = "default = \"syria-israel\"\n\n[[track]]\nid = \"syria-israel\"\nname = \"Syria–Israel talks\"\n";
        let (parsed, messages) = tracks(text);
        assert_eq!(messages, Vec::<String>::new());
        let parsed = parsed.expect("valid");
        assert_eq!(parsed.default.as_deref(), Some("syria-israel"));
        assert_eq!(
            parsed.names,
            [("syria-israel".to_string(), "Syria–Israel talks".to_string())]
        );
    }

    #[test]
    fn a_default_that_is_not_listed_is_a_mistake_with_its_line() {
        let text = "default = \"syria-isreal\"\n\n[[track]]\nid = \"syria-israel\"\nname = \"Syria–Israel talks\"\n";
        let (parsed, messages) = tracks(text);
        assert!(parsed.is_none());
        assert_eq!(
            messages,
            [
                "tracks.toml:1:11: `default` names track `syria-isreal`, which no `[[track]]` below lists"
            ]
        );
    }

    #[test]
    fn a_track_id_must_be_a_slug_and_listed_once() {
        let text = "[[track]]\nid = \"Syria Israel\"\nname = \"A\"\n\n[[track]]\nid = \"gulf\"\nname = \"B\"\n\n[[track]]\nid = \"gulf\"\nname = \"C\"\n";
        let (parsed, messages) = tracks(text);
        assert!(parsed.is_none());
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert!(messages[0].starts_with("tracks.toml:2:6: a track's `id` must be"));
        assert_eq!(
            messages[1],
            "tracks.toml:10:6: track `gulf` is listed twice"
        );
    }

    #[test]
    fn the_folder_directly_under_the_briefs_folder_names_a_listed_track() {
        let settings = TrackSettings {
            default: None,
            names: vec![("syria-israel".into(), "Syria–Israel talks".into())],
        };
        assert_eq!(
            settings.of_folder(Path::new("syria-israel/06-abu-dhabi.md")),
            Some("syria-israel")
        );
        assert_eq!(
            settings.of_folder(Path::new("syria-israel/2026/06-abu-dhabi.md")),
            Some("syria-israel")
        );
        assert_eq!(settings.of_folder(Path::new("2026/06-abu-dhabi.md")), None);
        assert_eq!(settings.of_folder(Path::new("syria-israel.md")), None);
    }
}
