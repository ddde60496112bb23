//! The preview's HTML pages: the index of every track and round, a command's reply, a button
//! press, and the page of mistakes while the folder does not load. Pure functions of one
//! snapshot, so the pages are snapshot-tested without a server or a browser.

use crate::commands::{self, Request};
use crate::library::{Failure, Held, Hold, Library, Track};
use crate::reply::Reply;

use super::markdown::escape;
use super::message::{query_escape, response};

/// What a page shows, as the running bot's state has it.
pub struct Snapshot<'a> {
    pub library: &'a Library,
    pub failure: Option<&'a Failure>,
    pub generation: u64,
    /// Whether `library` serves the held rounds (drafts, embargoes) too: the pages under
    /// `/held/`, which say so, and whose buttons stay there.
    pub held: bool,
}

impl Snapshot<'_> {
    fn paths(&self) -> (&'static str, &'static str) {
        if self.held {
            ("/held/view", "/held/press")
        } else {
            ("/view", "/press")
        }
    }
}

/// The index: every track, every round, and a link to each view of them.
pub fn index(snapshot: &Snapshot) -> String {
    if let Some(failure) = snapshot.failure {
        return mistakes(snapshot.generation, failure);
    }
    let mut main = String::from("<h1>Every card, as Discord shows it</h1>");
    main.push_str(&search_form(snapshot.paths().0, ""));
    main.push_str(&links(&[("/about", "/about"), ("/author", "/author")]));
    let tracks = snapshot.library.tracks();
    if tracks.is_empty() {
        main.push_str("<p class=\"empty\">The briefs folder has no rounds yet.</p>");
    }
    for track in tracks {
        main.push_str(&track_section(track));
    }
    main.push_str(&held_section(snapshot.library.held()));
    shell("briefbot preview", snapshot.generation, &main)
}

/// The rounds members cannot see yet, each marked with why, linked to its card as it will
/// look once served.
fn held_section(held: &[Held]) -> String {
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
        html.push_str(&format!(
            "\n<li>{badge} <a href=\"{}\">Round {} of {}: {}</a></li>",
            view_href_at(
                "/held/view",
                &format!("/round {} track:{}", round.number, round.track)
            ),
            round.number,
            escape(&round.track),
            escape(&round.title),
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

fn track_section(track: &Track) -> String {
    let id = &track.id;
    let mut html = format!("<section class=\"track\"><h2>{}</h2>", escape(id));
    html.push_str(&links(&[
        (&format!("/latest track:{id}"), "/latest"),
        (&format!("/rounds track:{id}"), "/rounds (timeline)"),
        (&format!("/positions track:{id}"), "/positions"),
    ]));
    html.push_str("<ol class=\"rounds\">");
    for round in track.newest_first() {
        let number = round.number;
        html.push_str(&format!(
            "\n<li><a href=\"{}\">Round {number}: {}</a> <span class=\"muted\">{} · {}</span> \
             <a class=\"small\" href=\"{}\">positions</a></li>",
            view_href(&format!("/round {number} track:{id}")),
            escape(&round.title),
            escape(&round.date.to_string()),
            escape(round.location.as_deref().unwrap_or("")),
            view_href(&format!("/positions round:{number} track:{id}")),
        ));
    }
    html.push_str("</ol></section>");
    html
}

/// The reply to a command line, as a member who typed it would see it.
pub fn view(snapshot: &Snapshot, line: &str) -> String {
    if let Some(failure) = snapshot.failure {
        return mistakes(snapshot.generation, failure);
    }
    let reply = match crate::cli::line::parse(line) {
        Ok(request) => commands::respond(snapshot.library, &request),
        Err(error) => commands::bad_request(&error),
    };
    let mut main = held_banner(snapshot);
    main.push_str(&search_form(snapshot.paths().0, line));
    main.push_str(&format!(
        "<p class=\"used\"><span class=\"muted\">used</span> <code>{}</code></p>",
        escape(line)
    ));
    main.push_str(&response(&reply.fit().to_json(), Some(snapshot.paths().1)));
    shell(
        &format!("{line} · briefbot preview"),
        snapshot.generation,
        &main,
    )
}

/// What pressing the button `custom_id` shows, on a message whose first embed has the title
/// `carried` (Discord sends it with the press; search pages read their query there).
pub fn press(snapshot: &Snapshot, custom_id: &str, carried: Option<&str>) -> String {
    if let Some(failure) = snapshot.failure {
        return mistakes(snapshot.generation, failure);
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
    main.push_str(&search_form(snapshot.paths().0, ""));
    main.push_str(&format!(
        "<p class=\"used\"><span class=\"muted\">pressed</span> <code>{}</code> · {what}</p>",
        escape(custom_id)
    ));
    main.push_str(&response(&reply.fit().to_json(), Some(snapshot.paths().1)));
    shell(
        &format!("{custom_id} · briefbot preview"),
        snapshot.generation,
        &main,
    )
}

/// Every mistake in the folder, each with its file, line, column and marked source line, as
/// `briefbot check` prints them; the cards come back on the first load without mistakes.
fn mistakes(generation: u64, failure: &Failure) -> String {
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
    shell("Mistakes · briefbot preview", generation, &main)
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

fn links(items: &[(&str, &str)]) -> String {
    let mut html = String::from("<p class=\"views\">");
    for (line, label) in items {
        html.push_str(&format!(
            "<a href=\"{}\">{}</a> ",
            view_href(line),
            escape(label)
        ));
    }
    html.push_str("</p>");
    html
}

fn view_href(line: &str) -> String {
    view_href_at("/view", line)
}

/// The link to the page at `path` (`/view`, or `/held/view`) that shows `line`'s answer.
fn view_href_at(path: &str, line: &str) -> String {
    escape(&format!("{path}?cmd={}", query_escape(line)))
}

fn search_form(action: &str, line: &str) -> String {
    let value = if line.is_empty() { "/search " } else { line };
    format!(
        "<form class=\"ask\" action=\"{action}\" method=\"get\"><label for=\"cmd\">Command</label>\
         <input id=\"cmd\" name=\"cmd\" value=\"{}\" autocomplete=\"off\" spellcheck=\"false\">\
         <button type=\"submit\">Send</button></form>",
        escape(value)
    )
}

/// The page around `main`: the stylesheet, the navigation, the theme toggle and the script.
fn shell(title: &str, generation: u64, main: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\" data-generation=\"{generation}\"><head>\
         <meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, \
         initial-scale=1\"><title>{}</title><link rel=\"stylesheet\" href=\"/style.css\"></head>\
         <body>\n<nav class=\"top\"><a class=\"home\" href=\"/\">briefbot preview</a>\
         <button id=\"theme\" type=\"button\" aria-label=\"Switch between light and dark\">\
         ◐ Theme</button></nav>\n<main>\n{main}\n</main>\n<script src=\"/preview.js\"></script></body></html>\n",
        escape(title)
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
