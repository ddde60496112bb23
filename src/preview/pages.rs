//! The preview's HTML pages: the index of every track and round, a command's reply, a button
//! press, and the page of mistakes while the folder does not load. Pure functions of one
//! snapshot, so the pages are snapshot-tested without a server or a browser.

use crate::commands::{self, Request};
use crate::library::{Failure, Held, Hold, Library, Track};
use crate::reply::Reply;

use super::markdown::escape;
use super::message::{Buttons, response};
use super::site::{LIVE_ONLY, Site};

/// What a page shows, as the running bot's state has it.
pub struct Snapshot<'a> {
    pub library: &'a Library,
    pub failure: Option<&'a Failure>,
    pub generation: u64,
    /// Whether `library` serves the held rounds (drafts, embargoes) too: the pages under
    /// `/held/`, which say so, and whose buttons stay there.
    pub held: bool,
    /// Where the pages it links to live: the live server, or the exported files.
    pub site: &'a dyn Site,
}

/// The index: every track, every round, and a link to each view of them.
pub fn index(snapshot: &Snapshot) -> String {
    if let Some(failure) = snapshot.failure {
        return mistakes(snapshot.site, snapshot.generation, failure);
    }
    let site = snapshot.site;
    let mut main = String::from("<h1>Every card, as Discord shows it</h1>");
    main.push_str(&ask_box(snapshot, ""));
    // What `check` warns of is for the editors, and may name a held round's file: never on a
    // site without the held pages.
    if site.shows_held() {
        main.push_str(&warnings_section(snapshot.library));
    }
    main.push_str(&links(
        site,
        &[("/about", "/about"), ("/author", "/author")],
    ));
    let tracks = snapshot.library.tracks();
    if tracks.is_empty() {
        main.push_str("<p class=\"empty\">The briefs folder has no rounds yet.</p>");
    }
    for track in tracks {
        main.push_str(&track_section(
            site,
            track,
            snapshot.library.track_name(&track.id),
        ));
    }
    // A site without the held pages (an export made for others to read) must not even name
    // the rounds members cannot see yet.
    if site.shows_held() {
        main.push_str(&held_section(site, snapshot.library.held()));
    }
    shell(site, "briefbot preview", snapshot.generation, &main)
}

/// What `check` warns of (Markdown Discord does not draw…), each with its place and help.
fn warnings_section(library: &Library) -> String {
    let warnings = library.warnings().items();
    if warnings.is_empty() {
        return String::new();
    }
    let mut html = String::from(
        "<section class=\"warnings\"><h2>Warnings</h2>\
         <p class=\"muted\">The cards are served; these will not look as meant in Discord.</p><ul>",
    );
    for warning in warnings {
        html.push_str(&format!(
            "\n<li><code>{}</code> {}",
            escape(&warning.position()),
            escape(&warning.message)
        ));
        if let Some(help) = &warning.help {
            html.push_str(&format!(
                "<br><span class=\"muted\">help: {}</span>",
                escape(help)
            ));
        }
        html.push_str("</li>");
    }
    html.push_str("</ul></section>");
    html
}

/// The rounds members cannot see yet, each marked with why, linked to its card as it will
/// look once served.
fn held_section(site: &dyn Site, held: &[Held]) -> String {
    if held.is_empty() {
        return String::new();
    }
    let mut html = String::from(
        "<section class=\"track held\"><h2>Not served yet</h2>\
         <p class=\"muted\">Drafts and embargoed briefs: checked like every brief, never shown \
         to members until they are published.</p><ol class=\"rounds\">",
    );
    for Held { round, why } in held {
        let badge = match why {
            Hold::Draft => "<span class=\"badge draft\">Draft</span>".to_string(),
            // The page writes the moment in the editor's own time zone, and how far off it is
            // ("in 3 minutes"); without script, as the brief writes it.
            Hold::Until(moment) => format!(
                "<span class=\"badge embargo\">Embargoed until <time datetime=\"{written}\" \
                 data-moment=\"{ms}\">{written}</time></span>",
                written = escape(&moment.to_string()),
                ms = moment
                    .at()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |since| since.as_millis()),
            ),
        };
        let line = format!("/round {} track:{}", round.number, round.track);
        let label = format!("Round {} of {}: {}", round.number, round.track, round.title);
        html.push_str(&format!(
            "\n<li>{badge} {}</li>",
            link(site.view(true, &line), &label)
        ));
    }
    html.push_str("</ol></section>");
    html
}

/// The banner of the pages that show held rounds as served.
fn held_banner(snapshot: &Snapshot) -> String {
    if !snapshot.held {
        return String::new();
    }
    "<p class=\"banner held\">Drafts and embargoed rounds are shown here as they will look \
     once published; members cannot see them yet.</p>"
        .to_string()
}

/// One track's section of the index: headed by the name readers see, with the id editors
/// write beside it.
fn track_section(site: &dyn Site, track: &Track, name: &str) -> String {
    let id = &track.id;
    let mut html = if name == id {
        format!("<section class=\"track\"><h2>{}</h2>", escape(id))
    } else {
        format!(
            "<section class=\"track\"><h2>{} <span class=\"muted\">{}</span></h2>",
            escape(name),
            escape(id)
        )
    };
    html.push_str(&links(
        site,
        &[
            (&format!("/latest track:{id}"), "/latest"),
            (&format!("/rounds track:{id}"), "/rounds (timeline)"),
            (&format!("/positions track:{id}"), "/positions"),
        ],
    ));
    html.push_str(&party_links(site, track));
    html.push_str("<ol class=\"rounds\">");
    for round in track.newest_first() {
        let number = round.number;
        let card = site.view(false, &format!("/round {number} track:{id}"));
        let positions = site.view(false, &format!("/positions round:{number} track:{id}"));
        html.push_str(&format!(
            "\n<li>{} <span class=\"muted\">{} · {}</span> {}</li>",
            link(card, &format!("Round {number}: {}", round.title)),
            escape(&round.date.written().to_string()),
            escape(round.location.as_deref().unwrap_or("")),
            small_link(positions, "positions"),
        ));
    }
    html.push_str("</ol></section>");
    html
}

/// Each party's positions round by round (`/positions party:…`), for every party a round of
/// the track records, in the order they first appear.
fn party_links(site: &dyn Site, track: &Track) -> String {
    let mut parties: Vec<&str> = Vec::new();
    for position in track.rounds.iter().flat_map(|r| &r.positions) {
        if !parties.contains(&position.party.as_str()) {
            parties.push(&position.party);
        }
    }
    if parties.is_empty() {
        return String::new();
    }
    let mut html =
        String::from("<p class=\"views parties\"><span class=\"muted\">by party</span> ");
    for party in parties {
        let line = format!("/positions party:{party} track:{}", track.id);
        html.push_str(&link(site.view(false, &line), party));
        html.push(' ');
    }
    html.push_str("</p>");
    html
}

/// The reply to a command line, as a member who typed it would see it.
pub fn view(snapshot: &Snapshot, line: &str) -> String {
    if let Some(failure) = snapshot.failure {
        return mistakes(snapshot.site, snapshot.generation, failure);
    }
    let reply = match crate::cli::line::parse(line) {
        Ok(request) => commands::respond(snapshot.library, &request),
        Err(error) => commands::bad_request(&error),
    };
    let mut main = held_banner(snapshot);
    main.push_str(&ask_box(snapshot, line));
    main.push_str(&format!(
        "<p class=\"used\"><span class=\"muted\">used</span> <code>{}</code></p>",
        escape(line)
    ));
    main.push_str(&response(&reply.fit().to_json(), Some(buttons(snapshot))));
    shell(
        snapshot.site,
        &format!("{line} · briefbot preview"),
        snapshot.generation,
        &main,
    )
}

/// What pressing the button `custom_id` shows, on a message whose first embed has the title
/// `carried` (Discord sends it with the press; search pages read their query there).
pub fn press(snapshot: &Snapshot, custom_id: &str, carried: Option<&str>) -> String {
    if let Some(failure) = snapshot.failure {
        return mistakes(snapshot.site, snapshot.generation, failure);
    }
    let request = Request::Press {
        custom_id: custom_id.to_string(),
        carried: carried.filter(|c| !c.is_empty()).map(str::to_string),
    };
    let reply = commands::respond(snapshot.library, &request);
    let what = match &reply {
        Reply::Update(_) => "The message the button sits on now reads:",
        Reply::Message { .. } => "The press is answered with a new message:",
        Reply::Choices(_) => "The press is answered with choices:",
    };
    let mut main = held_banner(snapshot);
    main.push_str(&ask_box(snapshot, ""));
    main.push_str(&format!(
        "<p class=\"used\"><span class=\"muted\">pressed</span> <code>{}</code> · {what}</p>",
        escape(custom_id)
    ));
    main.push_str(&response(&reply.fit().to_json(), Some(buttons(snapshot))));
    shell(
        snapshot.site,
        &format!("{custom_id} · briefbot preview"),
        snapshot.generation,
        &main,
    )
}

/// Every mistake in the folder, each with its file, line, column and marked source line, as
/// `briefbot check` prints them; the cards come back on the first load without mistakes.
fn mistakes(site: &dyn Site, generation: u64, failure: &Failure) -> String {
    let mut main = format!(
        "<h1 class=\"failed\">The briefs folder has {} </h1>\
         <p>Nothing is shown until every mistake is fixed: the page goes back to the cards \
         by itself on the next save that loads cleanly.</p>",
        escape(&crate::library::plural(failure.errors, "mistake"))
    );
    for block in diagnostics(&failure.report) {
        let position = block
            .lines()
            .find_map(|l| l.trim_start().strip_prefix("┌─ "))
            .unwrap_or_default();
        main.push_str("<section class=\"diagnostic\">");
        if !position.is_empty() {
            main.push_str(&format!(
                "<h2 class=\"position\">{}</h2>",
                escape(position.trim())
            ));
        }
        main.push_str(&format!(
            "<pre>{}</pre></section>",
            escape(block.trim_end())
        ));
    }
    shell(site, "Mistakes · briefbot preview", generation, &main)
}

/// The report split into one block per diagnostic: each starts with a line `error…`.
fn diagnostics(report: &str) -> Vec<String> {
    let mut blocks: Vec<String> = Vec::new();
    for line in report.lines() {
        if line.starts_with("error") || blocks.is_empty() {
            blocks.push(String::new());
        }
        if let Some(block) = blocks.last_mut() {
            block.push_str(line);
            block.push('\n');
        }
    }
    blocks.retain(|b| !b.trim().is_empty());
    blocks
}

fn links(site: &dyn Site, items: &[(&str, &str)]) -> String {
    let mut html = String::from("<p class=\"views\">");
    for (line, label) in items {
        html.push_str(&link(site.view(false, line), label));
        html.push(' ');
    }
    html.push_str("</p>");
    html
}

/// `label` linked to `href`; where the site has no such page, the label alone, marked as
/// needing the live preview rather than a link that leads nowhere.
fn link(href: Option<String>, label: &str) -> String {
    match href {
        Some(href) => format!("<a href=\"{}\">{}</a>", escape(&href), escape(label)),
        None => format!(
            "<span class=\"live-only\" title=\"{LIVE_ONLY}\">{}</span>",
            escape(label)
        ),
    }
}

fn small_link(href: Option<String>, label: &str) -> String {
    match href {
        Some(href) => format!(
            "<a class=\"small\" href=\"{}\">{}</a>",
            escape(&href),
            escape(label)
        ),
        None => String::new(),
    }
}

/// The buttons of a page's message, pressed among the same kind of pages (held or not).
fn buttons<'a>(snapshot: &Snapshot<'a>) -> Buttons<'a> {
    Buttons {
        site: snapshot.site,
        held: snapshot.held,
    }
}

/// The box that takes any command line, where a server answers it; elsewhere (an exported
/// preview) a line saying where to find it, so nobody types into a box that does nothing.
fn ask_box(snapshot: &Snapshot, line: &str) -> String {
    let Some(action) = snapshot.site.ask(snapshot.held) else {
        return "<p class=\"ask live-only\">Any other command, and <code>/search</code>, need \
                the live preview: run <code>briefbot preview</code> on a copy of the briefs \
                folder.</p>"
            .to_string();
    };
    let value = if line.is_empty() { "/search " } else { line };
    format!(
        "<form class=\"ask\" action=\"{}\" method=\"get\"><label for=\"cmd\">Command</label>\
         <input id=\"cmd\" name=\"cmd\" value=\"{}\" autocomplete=\"off\" spellcheck=\"false\">\
         <button type=\"submit\">Send</button></form>",
        escape(&action),
        escape(value)
    )
}

/// The page around `main`: the stylesheet, the navigation, the theme toggle and the script.
fn shell(site: &dyn Site, title: &str, generation: u64, main: &str) -> String {
    // The script listens for reloads only where an event stream says so.
    let events = site
        .events()
        .map(|url| format!(" data-events=\"{}\"", escape(&url)))
        .unwrap_or_default();
    let policy = site
        .policy()
        .map(|policy| {
            format!(
                "<meta http-equiv=\"Content-Security-Policy\" content=\"{}\">",
                escape(policy)
            )
        })
        .unwrap_or_default();
    format!(
        "<!doctype html>\n<html lang=\"en\" data-generation=\"{generation}\"{events}><head>\
         <meta charset=\"utf-8\">{policy}<meta name=\"viewport\" content=\"width=device-width, \
         initial-scale=1\"><title>{}</title><link rel=\"stylesheet\" href=\"{}\"></head>\
         <body>\n<nav class=\"top\"><a class=\"home\" href=\"{}\">briefbot preview</a>\
         <button id=\"theme\" type=\"button\" aria-label=\"Switch between light and dark\">\
         ◐ Theme</button></nav>\n<main>\n{main}\n</main>\n<script src=\"{}\"></script></body></html>\n",
        escape(title),
        escape(&site.asset("style.css")),
        escape(&site.home()),
        escape(&site.asset("preview.js")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_splits_into_one_block_per_mistake() {
        let report = "error: one\n  ┌─ a.md:1:2\n\nerror: two\n  ┌─ b.md:3:4\n\n";
        let blocks = diagnostics(report);
        assert_eq!(blocks.len(), 2);
        assert!(blocks[1].contains("b.md:3:4"));
    }
}
