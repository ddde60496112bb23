//! Where the preview's pages live: the one thing that differs between the live preview (a
//! server answering `/view?cmd=…`) and the exported one (files beside each other). The pages
//! ask a [`Site`] for every link they write, so both are the same HTML but for the links.

/// What a page says of a link or a button that only the live preview answers.
pub(crate) const LIVE_ONLY: &str = "Needs the live preview: run briefbot preview";

/// The address of each kind of page, and what the pages may count on being there. Every
/// answer is a URL not yet escaped for HTML: the pages escape it as they write it.
pub trait Site {
    /// The index.
    fn home(&self) -> String;
    /// The stylesheet or the script, by file name (`style.css`, `preview.js`).
    fn asset(&self, file: &str) -> String;
    /// The page answering the command line `line`, among the held pages when `held`; `None`
    /// when the site has no such page.
    fn view(&self, held: bool, line: &str) -> Option<String>;
    /// The page of a press of `custom_id` on a message whose first embed's title is
    /// `carried`; `None` when the site has no such page.
    fn press(&self, held: bool, custom_id: &str, carried: &str) -> Option<String>;
    /// Where the command box sends its line (`held`: among the held pages); `None` where no
    /// server answers it, and the page says so instead of showing a box that does nothing.
    fn ask(&self, held: bool) -> Option<String>;
    /// The event stream that tells an open page the folder changed; `None` where nothing
    /// changes once written.
    fn events(&self) -> Option<String>;
    /// Whether the held rounds (drafts, embargoes) are listed and have pages.
    fn shows_held(&self) -> bool;
    /// A Content-Security-Policy for the page itself, where no server sends one as a header.
    fn policy(&self) -> Option<&str>;
}

/// The live preview's server: every page answered on request, the held ones under `/held/`,
/// its policy sent as a header (which can also forbid framing, as a `<meta>` cannot).
pub struct Live;

impl Live {
    fn at(held: bool, page: &str) -> String {
        if held {
            format!("/held/{page}")
        } else {
            format!("/{page}")
        }
    }
}

impl Site for Live {
    fn home(&self) -> String {
        "/".to_string()
    }

    fn asset(&self, file: &str) -> String {
        format!("/{file}")
    }

    fn view(&self, held: bool, line: &str) -> Option<String> {
        Some(format!(
            "{}?cmd={}",
            Live::at(held, "view"),
            query_escape(line)
        ))
    }

    fn press(&self, held: bool, custom_id: &str, carried: &str) -> Option<String> {
        // The press carries the title of the message's first embed, as Discord's does.
        Some(format!(
            "{}?id={}&carried={}",
            Live::at(held, "press"),
            query_escape(custom_id),
            query_escape(carried)
        ))
    }

    fn ask(&self, held: bool) -> Option<String> {
        Some(Live::at(held, "view"))
    }

    fn events(&self) -> Option<String> {
        Some("/events".to_string())
    }

    fn shows_held(&self) -> bool {
        true
    }

    fn policy(&self) -> Option<&str> {
        None
    }
}

/// `text` as one value of a URL's query string (percent-encoded UTF-8).
pub(crate) fn query_escape(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}
