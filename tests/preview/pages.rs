//! The preview's HTML for the shipped briefs, snapshotted: no browser needed.

use briefbot::preview::pages::{self, Snapshot};

use crate::common;

fn shipped<T>(page: impl FnOnce(&Snapshot) -> T) -> T {
    let library = common::shipped();
    page(&Snapshot {
        library: &library,
        failure: None,
        generation: 0,
    })
}

#[test]
fn index_page_of_the_shipped_briefs() {
    insta::assert_snapshot!(shipped(pages::index));
}

#[test]
fn round_5_page_of_the_shipped_briefs() {
    insta::assert_snapshot!(shipped(|s| pages::view(s, "/round 5")));
}

#[test]
fn positions_press_page_of_the_shipped_briefs() {
    insta::assert_snapshot!(shipped(|s| pages::press(
        s,
        "round:syria-israel:5:positions",
        None
    )));
}

#[test]
fn a_missing_round_is_an_ephemeral_reply() {
    let html = shipped(|s| pages::view(s, "/round 9"));
    assert!(html.contains("Only you can see this"), "{html}");
}

#[test]
fn the_pages_load_nothing_from_the_network() {
    for html in [
        shipped(pages::index),
        shipped(|s| pages::view(s, "/round 5")),
        shipped(|s| pages::view(s, "/rounds")),
    ] {
        assert_eq!(
            html.matches(" src=").count(),
            1,
            "one script, and nothing else embedded"
        );
        assert!(html.contains("<script src=\"/preview.js\"></script>"));
        assert_eq!(html.matches("<link ").count(), 1);
        assert!(html.contains("<link rel=\"stylesheet\" href=\"/style.css\">"));
        assert!(!html.contains("@import"));
    }
}
