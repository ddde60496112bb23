//! The preview's HTML for the shipped briefs, snapshotted: no browser needed.

use briefbot::preview::pages::{self, Snapshot};
use briefbot::preview::site::Live;

use crate::common;

fn shipped<T>(page: impl FnOnce(&Snapshot) -> T) -> T {
    let library = common::shipped();
    page(&Snapshot {
        library: &library,
        failure: None,
        generation: 0,
        held: false,
        site: &Live,
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

/// The pages of the drafts fixture: round 5 published, round 6 a draft ("marzipan"), round 7
/// embargoed until 2099 ("quetzal"); `held` picks the pages under `/held/`.
fn drafts_page<T>(held: bool, page: impl FnOnce(&Snapshot) -> T) -> T {
    let served = common::load(
        &common::repo("tests/fixtures/briefs-drafts"),
        "syria-israel",
    );
    let with_held = served.with_held_served();
    page(&Snapshot {
        library: if held { &with_held } else { &served },
        failure: None,
        generation: 0,
        held,
        site: &Live,
    })
}

#[test]
fn the_index_marks_drafts_and_embargoed_rounds_and_links_their_cards() {
    let html = drafts_page(false, pages::index);
    let held = &html[html
        .find("Not served yet")
        .expect("a section of held rounds")..];
    assert!(
        held.contains(
            "<span class=\"badge draft\">Draft</span> <a href=\"/held/view?cmd=%2Fround%206%20track%3Asyria-israel\">Round 6 of syria-israel: Geneva round drafts the marzipan accord</a>"
        ),
        "{held}"
    );
    assert!(
        held.contains(
            "<span class=\"badge embargo\">Embargoed until <time datetime=\"2099-01-07T09:00:00Z\" \
             data-moment=\"4071459600000\">2099-01-07T09:00:00Z</time></span>"
        ),
        "{held}"
    );
    // The served part of the page knows nothing of them.
    let served = &html[..html.find("Not served yet").unwrap_or(0)];
    assert!(!served.contains("marzipan") && !served.contains("quetzal"));
}

#[test]
fn a_held_rounds_card_is_shown_as_it_will_look_with_its_buttons_kept_among_held_pages() {
    // As members see it: no such round.
    let served = drafts_page(false, |s| pages::view(s, "/round 6"));
    assert!(served.contains("Only you can see this"), "{served}");
    assert!(!served.contains("marzipan accord</"), "{served}");
    // On the held pages: the card, under a banner saying members cannot see it yet.
    let held = drafts_page(true, |s| pages::view(s, "/round 6"));
    assert!(held.contains("members cannot see them yet"), "{held}");
    assert!(
        held.contains("Geneva round drafts the marzipan accord"),
        "{held}"
    );
    assert!(held.contains("href=\"/held/press?id="), "{held}");
    assert!(!held.contains("href=\"/press?id="), "{held}");
    let pressed = drafts_page(true, |s| {
        pages::press(s, "round:syria-israel:7:positions", None)
    });
    assert!(!pressed.contains("Only you can see this"), "{pressed}");
    assert!(pressed.contains("members cannot see them yet"), "{pressed}");
}

/// The live pages' links, on a site without the held pages (as an export for others is).
struct Public;

impl briefbot::preview::site::Site for Public {
    fn home(&self) -> String {
        Live.home()
    }
    fn asset(&self, file: &str) -> String {
        Live.asset(file)
    }
    fn view(&self, held: bool, line: &str) -> Option<String> {
        Live.view(held, line)
    }
    fn press(&self, held: bool, custom_id: &str, carried: &str) -> Option<String> {
        Live.press(held, custom_id, carried)
    }
    fn ask(&self, held: bool) -> Option<String> {
        Live.ask(held)
    }
    fn events(&self) -> Option<String> {
        None
    }
    fn shows_held(&self) -> bool {
        false
    }
    fn policy(&self) -> Option<&str> {
        None
    }
}

#[test]
fn the_index_lists_what_check_warns_of_for_the_editors_only() {
    use briefbot::preview::site::Site;
    let (_dir, briefs) = common::shipped_copy();
    let path = briefs.join("syria-israel/05-paris.md");
    let text = std::fs::read_to_string(&path).expect("round 5") + "\n| a | b |\n|---|---|\n";
    std::fs::write(&path, text).expect("write");
    let library = briefbot::library::Library::load(&briefs, &Default::default())
        .unwrap_or_else(|e| panic!("loads:\n{}", e.diagnostics.render()));
    let index = |site: &dyn Site| {
        pages::index(&Snapshot {
            library: &library,
            failure: None,
            generation: 0,
            held: false,
            site,
        })
    };
    let live = index(&Live);
    assert!(live.contains("<h2>Warnings</h2>"), "{live}");
    assert!(
        live.contains(
            "Discord does not draw tables: members would see this table as lines of `|` and `-`"
        ),
        "{live}"
    );
    let public = index(&Public);
    assert!(!public.contains("Warnings"), "{public}");
}
