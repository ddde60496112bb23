//! Button state in the `custom_id` itself (`round:syria-israel:5:positions`), so a press is
//! answered after a restart, by any instance, with nothing remembered in between.

use std::fmt;

/// What a button shows when pressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum View {
    /// The round's card.
    Card,
    /// The card of the round before (resolved when pressed, so it survives new rounds).
    Prev,
    /// The card of the round after.
    Next,
    /// Every party's position in the round.
    Positions,
    /// The round author's bio.
    Author,
    /// Page `n` (from 1) of the round's longer briefing.
    More(usize),
}

/// A button's target: a view of one round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target {
    pub(crate) track: String,
    pub(crate) round: u32,
    pub(crate) view: View,
}

const PREFIX: &str = "round";

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{PREFIX}:{}:{}:", self.track, self.round)?;
        match self.view {
            View::Card => write!(f, "card"),
            View::Prev => write!(f, "prev"),
            View::Next => write!(f, "next"),
            View::Positions => write!(f, "positions"),
            View::Author => write!(f, "author"),
            View::More(page) => write!(f, "more:{page}"),
        }
    }
}

impl Target {
    pub(crate) fn new(track: &str, round: u32, view: View) -> Target {
        Target {
            track: track.to_string(),
            round,
            view,
        }
    }

    /// Reads a `custom_id`; `None` for anything briefbot did not write.
    pub(crate) fn parse(custom_id: &str) -> Option<Target> {
        let mut parts = custom_id.split(':');
        if parts.next()? != PREFIX {
            return None;
        }
        let track = slug(parts.next()?)?;
        let round = from_one(parts.next()?)?;
        let view = match (parts.next()?, parts.next()) {
            ("card", None) => View::Card,
            ("prev", None) => View::Prev,
            ("next", None) => View::Next,
            ("positions", None) => View::Positions,
            ("author", None) => View::Author,
            ("more", Some(page)) => View::More(from_one(page)?),
            _ => return None,
        };
        parts
            .next()
            .is_none()
            .then(|| Target::new(track, round, view))
    }
}

/// A page of a track's timeline: `rounds:<track>:<page>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TimelinePage {
    pub(crate) track: String,
    /// From 1.
    pub(crate) page: usize,
}

const TIMELINE: &str = "rounds";

impl fmt::Display for TimelinePage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{TIMELINE}:{}:{}", self.track, self.page)
    }
}

impl TimelinePage {
    pub(crate) fn new(track: &str, page: usize) -> TimelinePage {
        TimelinePage {
            track: track.to_string(),
            page,
        }
    }

    /// Reads a `custom_id`; `None` for anything else.
    pub(crate) fn parse(custom_id: &str) -> Option<TimelinePage> {
        let [track, page] = fields(custom_id, TIMELINE)?;
        Some(TimelinePage::new(slug(track)?, from_one(page)?))
    }
}

/// A page of search results: `search:<track>:<page>`, the track empty when the search covers
/// every track. The query is not here: it travels in the results message (see
/// `views::search`), so it may be longer than a `custom_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SearchPage {
    pub(crate) track: Option<String>,
    /// From 1.
    pub(crate) page: usize,
}

const SEARCH: &str = "search";

impl fmt::Display for SearchPage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let track = self.track.as_deref().unwrap_or("");
        write!(f, "{SEARCH}:{track}:{}", self.page)
    }
}

impl SearchPage {
    pub(crate) fn new(track: Option<&str>, page: usize) -> SearchPage {
        SearchPage {
            track: track.map(str::to_string),
            page,
        }
    }

    /// Reads a `custom_id`; `None` for anything else.
    pub(crate) fn parse(custom_id: &str) -> Option<SearchPage> {
        let [track, page] = fields(custom_id, SEARCH)?;
        let track = match track {
            "" => None,
            track => Some(slug(track)?),
        };
        Some(SearchPage::new(track, from_one(page)?))
    }
}

/// A round's card opened from a list (search results, the other matches of "Brief me") as a
/// new private message, so the list stays where it is: `open:<track>:<round>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Open {
    pub(crate) track: String,
    pub(crate) round: u32,
}

const OPEN: &str = "open";

impl fmt::Display for Open {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{OPEN}:{}:{}", self.track, self.round)
    }
}

impl Open {
    pub(crate) fn new(track: &str, round: u32) -> Open {
        Open {
            track: track.to_string(),
            round,
        }
    }

    /// Reads a `custom_id`; `None` for anything else.
    pub(crate) fn parse(custom_id: &str) -> Option<Open> {
        let [track, round] = fields(custom_id, OPEN)?;
        Some(Open::new(slug(track)?, from_one(round)?))
    }
}

/// The Follow button of a track: `follow:<track>`. A press gives the member the server's
/// follow role of the track, or takes it away when they have it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FollowTrack {
    pub(crate) track: String,
}

const FOLLOW: &str = "follow";

impl fmt::Display for FollowTrack {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{FOLLOW}:{}", self.track)
    }
}

impl FollowTrack {
    pub(crate) fn new(track: &str) -> FollowTrack {
        FollowTrack {
            track: track.to_string(),
        }
    }

    /// Reads a `custom_id`; `None` for anything else.
    pub(crate) fn parse(custom_id: &str) -> Option<FollowTrack> {
        let [track] = fields(custom_id, FOLLOW)?;
        Some(FollowTrack::new(slug(track)?))
    }
}

/// The `N` fields after `prefix` of a `custom_id` written `prefix:a:b…`; `None` for another
/// prefix or another number of fields.
fn fields<'a, const N: usize>(custom_id: &'a str, prefix: &str) -> Option<[&'a str; N]> {
    let mut parts = custom_id.split(':');
    if parts.next()? != prefix {
        return None;
    }
    let mut fields = [""; N];
    for field in &mut fields {
        *field = parts.next()?;
    }
    parts.next().is_none().then_some(fields)
}

/// A track's id as a `custom_id` holds it.
fn slug(text: &str) -> Option<&str> {
    Some(text).filter(|t| crate::library::is_slug(t))
}

/// A round number or a page, counted from 1.
fn from_one<N: std::str::FromStr + PartialOrd + From<u8>>(text: &str) -> Option<N> {
    text.parse::<N>().ok().filter(|n| *n >= N::from(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_view_round_trips() {
        for view in [
            View::Card,
            View::Prev,
            View::Next,
            View::Positions,
            View::Author,
            View::More(3),
        ] {
            let target = Target::new("syria-israel", 5, view);
            assert_eq!(Target::parse(&target.to_string()), Some(target));
        }
        assert_eq!(
            Target::new("syria-israel", 5, View::Positions).to_string(),
            "round:syria-israel:5:positions"
        );
    }

    #[test]
    fn open_round_trips() {
        let open = Open::new("syria-israel", 5);
        assert_eq!(open.to_string(), "open:syria-israel:5");
        assert_eq!(Open::parse(&open.to_string()), Some(open));
        assert_eq!(Open::parse("open:syria-israel:0"), None);
        assert_eq!(Open::parse("open:syria-israel:5:card"), None);
    }

    #[test]
    fn follow_buttons_round_trip_and_damaged_ones_are_refused() {
        let follow = FollowTrack::new("syria-israel");
        assert_eq!(follow.to_string(), "follow:syria-israel");
        assert_eq!(FollowTrack::parse(&follow.to_string()), Some(follow));
        for id in ["follow", "follow:", "follow:Syria", "follow:x:1", "round:x"] {
            assert_eq!(FollowTrack::parse(id), None, "{id}");
        }
    }

    #[test]
    fn search_pages_round_trip() {
        for page in [
            SearchPage::new(None, 1),
            SearchPage::new(Some("syria-israel"), 7),
        ] {
            assert_eq!(SearchPage::parse(&page.to_string()), Some(page));
        }
        assert_eq!(SearchPage::new(None, 2).to_string(), "search::2");
        assert_eq!(SearchPage::parse("search:Not A Slug:1"), None);
        assert_eq!(SearchPage::parse("search::0"), None);
    }

    #[test]
    fn timeline_pages_round_trip_and_damaged_ones_are_refused() {
        let page = TimelinePage::new("syria-israel", 3);
        assert_eq!(page.to_string(), "rounds:syria-israel:3");
        assert_eq!(TimelinePage::parse(&page.to_string()), Some(page));
        for id in [
            "rounds",
            "rounds:x",
            "rounds:x:0",
            "rounds:X:1",
            "rounds:x:1:2",
            "round:x:1",
        ] {
            assert_eq!(TimelinePage::parse(id), None, "{id}");
        }
    }

    #[test]
    fn foreign_or_damaged_ids_are_refused() {
        for id in [
            "",
            "round",
            "round:syria-israel:five:card",
            "round:Syria:5:card",
            "round:x:0:card",
            "round:x:5:more:0",
            "round:x:5:card:extra",
            "poll:x:5:card",
        ] {
            assert_eq!(Target::parse(id), None, "{id}");
        }
    }
}
