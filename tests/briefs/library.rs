//! Loading real brief folders: the shipped `briefs/` and the multi-track fixture set.

use std::path::Path;

use crate::common::{corrected, repo, shipped};
use briefbot::library::{Date, Library, Role};

#[test]
fn shipped_round_five_is_the_paris_round_of_6_january_2026() {
    let library = shipped();
    let track = library
        .track("syria-israel")
        .expect("the syria-israel track");
    let round = track.latest().expect("a latest round");
    assert_eq!(round.number, 5);
    assert_eq!(
        round.date,
        Date {
            year: 2026,
            month: 1,
            day: 6
        }
    );
    assert_eq!(round.date.weekday(), "Tuesday");
    assert_eq!(round.location.as_deref(), Some("Paris"));
    assert_eq!(round.author, "omar-safadi");
    assert!(
        round
            .summary
            .contains("\"jointly-administered and demilitarized economic zone")
    );
}

#[test]
fn shipped_round_five_has_the_mediator_and_both_parties() {
    let library = shipped();
    let round = library
        .track("syria-israel")
        .and_then(|t| t.round(5))
        .expect("round 5");
    let parties: Vec<(&str, Role)> = round
        .positions
        .iter()
        .map(|p| (p.party.as_str(), p.role))
        .collect();
    assert_eq!(
        parties,
        [
            ("United States", Role::Mediator),
            ("Israel", Role::Party),
            ("Syria", Role::Party)
        ]
    );
    let us = &round.positions[0];
    for name in ["Tom Barrack", "Steve Witkoff", "Jared Kushner"] {
        assert!(
            us.representatives.iter().any(|r| r.starts_with(name)),
            "{name} is a US representative"
        );
    }
}

#[test]
fn shipped_key_points_cover_the_memo() {
    let library = shipped();
    let round = library
        .track("syria-israel")
        .and_then(|t| t.round(5))
        .expect("round 5");
    let all = round.key_points.join("\n");
    for phrase in [
        "\"joint fusion mechanism\"",
        "\"dedicated communication cell\"",
        "co-authored",
        "1974 Disengagement Agreement",
        "Transparency",
    ] {
        assert!(all.contains(phrase), "key points mention {phrase}");
    }
    assert!(
        round
            .status
            .as_deref()
            .is_some_and(|s| s.starts_with("Outcomes undetermined"))
    );
    // No invented links: the analysis the brief is drawn from has no URL.
    assert!(round.sources.iter().all(|s| s.url.is_none()));
}

#[test]
fn shipped_author_is_omar_safadi_of_tukhum_institute() {
    let library = shipped();
    let author = library.author("omar-safadi").expect("author file");
    assert_eq!(author.name, "Omar Safadi");
    assert_eq!(
        author.title.as_deref(),
        Some("Affiliate Fellow and Senior Editor")
    );
    assert_eq!(author.affiliation.as_deref(), Some("Tukhum Institute"));
    assert_eq!(
        author.education,
        ["Ph.D. in Political Science, University of Chicago"]
    );
    assert!(author.expertise.iter().any(|e| e.contains("Middle East")));
}

#[test]
fn shipped_parties_answer_to_their_aliases() {
    let library = shipped();
    assert_eq!(
        library.party("damascus").map(|p| p.name.as_str()),
        Some("Syria")
    );
    assert_eq!(
        library.party("USA").map(|p| p.name.as_str()),
        Some("United States")
    );
    assert_eq!(
        library.party("israel").map(|p| p.name.as_str()),
        Some("Israel")
    );
    assert!(library.party("Isreal").is_none());
}

/// The fixture set with `harbour` as the default track, for the flat file that names none.
fn fixtures() -> Library {
    crate::common::load(&repo("tests/fixtures/briefs-valid"), "harbour")
}

#[test]
fn fixture_tracks_hold_their_rounds_in_order() {
    let library = fixtures();
    let tracks: Vec<(&str, Vec<u32>)> = library
        .tracks()
        .iter()
        .map(|t| (t.id.as_str(), t.rounds.iter().map(|r| r.number).collect()))
        .collect();
    assert_eq!(
        tracks,
        [("harbour", vec![1, 3]), ("river-talks", vec![1, 2, 4])]
    );
    let counts = library.counts();
    assert_eq!((counts.briefs, counts.authors, counts.parties), (5, 2, 3));
}

#[test]
fn a_brief_without_a_track_takes_the_default_track() {
    let library = fixtures();
    let round = library
        .track("harbour")
        .and_then(|t| t.round(3))
        .expect("harbour round 3");
    assert_eq!(round.path, Path::new("harbour-03.md"));
}

#[test]
fn neighbours_skip_missing_round_numbers() {
    let library = fixtures();
    let track = library.track("river-talks").expect("river-talks");
    assert_eq!(track.latest().map(|r| r.number), Some(4));
    assert_eq!(track.previous(4).map(|r| r.number), Some(2));
    assert_eq!(track.next(2).map(|r| r.number), Some(4));
    assert!(track.next(4).is_none());
    assert!(track.previous(1).is_none());
    assert!(track.round(3).is_none());
}

#[test]
fn aliases_resolve_to_canonical_party_names() {
    let library = fixtures();
    let round = library
        .track("river-talks")
        .and_then(|t| t.round(4))
        .expect("round 4");
    let names: Vec<&str> = round.positions.iter().map(|p| p.party.as_str()).collect();
    assert_eq!(names, ["Northland", "Mediation Office"]);
    assert_eq!(round.positions[1].role, Role::Mediator);
}

#[test]
fn the_body_is_the_markdown_after_the_front_matter() {
    let library = fixtures();
    let round = library
        .track("river-talks")
        .and_then(|t| t.round(2))
        .expect("round 2");
    assert!(
        round
            .body
            .starts_with("## First part\n\nThe sides agreed a gauge.")
    );
    assert!(!round.body.contains("+++"));
}

#[test]
fn ignored_files_are_not_read() {
    // The fixture folder holds notes.txt, README.md, a hidden folder and editor leftovers,
    // none of which is a valid brief: loading succeeds only if all are skipped.
    let library = fixtures();
    assert_eq!(library.rounds().count(), 5);
}

#[test]
fn corrections_are_kept_oldest_first_whatever_the_file_order() {
    let library = corrected();
    let round = library
        .track("river-talks")
        .and_then(|t| t.round(1))
        .expect("round 1");
    let days: Vec<String> = round
        .corrections
        .iter()
        .map(|c| c.date.to_string())
        .collect();
    assert_eq!(days, ["2026-02-01", "2026-02-04", "2026-02-09"]);
    assert_eq!(
        round.corrections[1].note,
        "The gauge is on the upper river,\nnot the lower one."
    );
}

#[test]
fn the_shipped_round_and_the_fixtures_have_no_corrections() {
    assert!(shipped().rounds().all(|r| r.corrections.is_empty()));
    assert!(fixtures().rounds().all(|r| r.corrections.is_empty()));
}
