//! The preview page in headless Chromium: the round-5 card, a button press, a save that
//! shows by itself, a broken file's diagnostic, and a brief's `<script>` shown as text; and
//! the exported preview, opened from disk and from a web host's sub-folder, with and without
//! the held rounds (its screenshot is kept as `target/exported-preview.png`).
//! They need Chromium and chromedriver (Debian's `chromium` and `chromium-driver`): without
//! them each test is reported as not run, or fails where `BRIEFBOT_TEST_REQUIRE` asks, as in
//! CI, which installs them (see `common::needs`).

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use tokio_util::sync::CancellationToken;

use crate::common;
use crate::common::needs::{CHROMEDRIVER, CHROMIUM, Package, needs};

/// How long a save may take to show on an open page: the issue asks for a second; the rest
/// is slack for a loaded CI machine.
const LIVE: Duration = Duration::from_secs(2);

/// The preview server on a free loopback port, serving (and watching) `dir`.
struct Preview {
    addr: SocketAddr,
    stop: CancellationToken,
    served: tokio::task::JoinHandle<()>,
}

impl Preview {
    async fn start(dir: &Path) -> Preview {
        let reloader = briefbot::preview::open(dir, common::shipped_options()).await;
        let listener = briefbot::preview::bind(([127, 0, 0, 1], 0).into())
            .await
            .expect("bind the preview");
        let addr = listener.local_addr().expect("its address");
        let stop = CancellationToken::new();
        let served = tokio::spawn({
            let stop = stop.clone();
            async move {
                briefbot::preview::serve(listener, reloader, stop)
                    .await
                    .expect("the preview serves");
            }
        });
        Preview { addr, stop, served }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn view(&self, line: &str) -> String {
        let query: String = line
            .bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect();
        self.url(&format!("/view?cmd={query}"))
    }

    /// Stops the server; the open page's event stream ends with it.
    async fn stop(self) {
        self.stop.cancel();
        tokio::time::timeout(Duration::from_secs(5), self.served)
            .await
            .expect("the preview stops within 5 s")
            .expect("the preview task");
    }
}

/// Headless Chromium behind its own chromedriver, with a fresh profile; both end on drop.
struct Browser {
    driver: Child,
    client: Option<Client>,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Call it once [`needs`] has said Chromium is there.
    async fn start() -> Browser {
        let (driver, port) = start_driver().await;
        let profile = tempfile::tempdir().expect("a profile folder");
        // Without these Chromium waits on lookups of a closed network and on a sandbox it
        // cannot have as root.
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--window-size=1024,1400",
            &format!("--user-data-dir={}", profile.path().display()),
        ];
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": CHROMIUM, "args": args },
        });
        let serde_json::Value::Object(capabilities) = capabilities else {
            unreachable!("a JSON object")
        };
        let mut browser = Browser {
            driver,
            client: None,
            _profile: profile,
        };
        // A Chromium that hangs at start fails the test rather than holding up CI.
        let mut builder = ClientBuilder::new(HttpConnector::new());
        builder.capabilities(capabilities);
        let webdriver = format!("http://127.0.0.1:{port}");
        let session = builder.connect(&webdriver);
        let client = tokio::time::timeout(Duration::from_secs(30), session)
            .await
            .expect("Chromium starts within 30 s")
            .expect("a Chromium session");
        browser.client = Some(client);
        browser
    }

    fn page(&self) -> &Client {
        self.client.as_ref().expect("a session")
    }

    async fn close(mut self) {
        if let Some(client) = self.client.take() {
            let _ = client.close().await;
        }
    }

    /// The text of every element `css` matches, or nothing while the page is (re)loading.
    async fn texts(&self, css: &str) -> Vec<String> {
        let Ok(found) = self.page().find_all(Locator::Css(css)).await else {
            return Vec::new();
        };
        let mut texts = Vec::new();
        for element in found {
            match element.text().await {
                Ok(text) => texts.push(text),
                Err(_) => return Vec::new(),
            }
        }
        texts
    }

    /// Waits up to `limit` for `check` on the texts `css` matches; how long it took.
    async fn until(
        &self,
        what: &str,
        css: &str,
        limit: Duration,
        check: impl Fn(&[String]) -> bool,
    ) -> Duration {
        let started = Instant::now();
        loop {
            let texts = self.texts(css).await;
            if check(&texts) {
                return started.elapsed();
            }
            assert!(
                started.elapsed() < limit,
                "timed out after {limit:?} waiting for {what}; `{css}` reads {texts:#?}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Leaves a mark in the page's window, which only a reload of the page removes.
    async fn mark(&self) {
        self.page()
            .execute("window.briefbotMark = true; return true;", vec![])
            .await
            .expect("mark the page");
    }

    async fn still_marked(&self) -> bool {
        self.page()
            .execute("return window.briefbotMark === true;", vec![])
            .await
            .expect("read the mark")
            == json!(true)
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// chromedriver listening on a port of its own. A free port can be taken by another test
/// (a preview, another chromedriver) between being found and being bound: then this
/// chromedriver exits at once, and whatever answers on the port is not it. So a driver that
/// has exited is started again on another port, and one is used only once it has listened
/// and is still running a moment later.
async fn start_driver() -> (Child, u16) {
    for _ in 0..5 {
        let port = free_port();
        let mut driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let started = Instant::now();
        let exited = |driver: &mut Child| !matches!(driver.try_wait(), Ok(None));
        while TcpStream::connect(("127.0.0.1", port)).is_err() && !exited(&mut driver) {
            assert!(
                started.elapsed() < Duration::from_secs(15),
                "chromedriver did not listen on port {port} within 15 s"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        if !exited(&mut driver) {
            return (driver, port);
        }
    }
    panic!("chromedriver could not listen on any of five free ports");
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// The preview serving a folder of briefs, and Chromium to look at it: the set-up most tests
/// share. On a failed test it drops Chromium first, then the preview, then the folder.
struct Session {
    browser: Browser,
    preview: Preview,
    /// The briefs being served, to edit while the page is open.
    briefs: PathBuf,
    _folder: tempfile::TempDir,
}

impl Session {
    /// Starts the preview on `briefs` (inside `folder`, kept until the end), then Chromium;
    /// `None`, with the test reported as not run, where Chromium is missing.
    async fn start(folder: tempfile::TempDir, briefs: PathBuf) -> Option<Session> {
        if !needs(Package::Chromium) {
            return None;
        }
        let preview = Preview::start(&briefs).await;
        let browser = Browser::start().await;
        Some(Session {
            browser,
            preview,
            briefs,
            _folder: folder,
        })
    }

    /// The preview of a copy of the shipped briefs, open at command `line`; `None` where
    /// Chromium is missing.
    async fn shipped_at(line: &str) -> Option<Session> {
        let (folder, briefs) = common::shipped_copy();
        let session = Session::start(folder, briefs).await?;
        session.open(line).await;
        Some(session)
    }

    /// Opens the page of command `line` (`/round 5`).
    async fn open(&self, line: &str) {
        self.browser
            .page()
            .goto(&self.preview.view(line))
            .await
            .unwrap_or_else(|e| panic!("open {line}: {e:?}"));
    }

    async fn close(self) {
        self.browser.close().await;
        self.preview.stop().await;
    }
}

/// Where the screenshot is kept: the cargo target folder.
fn artifact(name: &str) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| common::repo("target"));
    std::fs::create_dir_all(&target).expect("the target folder");
    target.join(name)
}

/// The README's picture of a card: round 5's, as `/latest` shows it, taken by
/// [`round_5_card_shows_its_title_fields_and_buttons`] when [`UPDATE_SCREENSHOT`] is `1`.
const README_CARD: &str = "docs/images/card.png";
/// Set to `1` to take the README's picture again, as snapshots are blessed. The parties'
/// flags need an emoji font (Debian's `fonts-noto-color-emoji`).
const UPDATE_SCREENSHOT: &str = "BRIEFBOT_UPDATE_SCREENSHOT";
/// What the README's picture may weigh.
const README_CARD_BYTES: usize = 200 * 1024;

const ROUND_5: &str = "Paris round ends with a proposal for a joint, demilitarized economic zone";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn round_5_card_shows_its_title_fields_and_buttons() {
    let Some(session) = Session::shipped_at("/round 5").await else {
        return;
    };
    let browser = &session.browser;
    // For the screenshot below: the desktop layout, with little blank beside the embed
    // (at most 520 pixels wide), and the whole card in the window.
    browser
        .page()
        .set_window_size(640, 1600)
        .await
        .expect("a 640-pixel window");

    assert_eq!(browser.texts(".embed-title").await, [ROUND_5]);
    let fields = browser.texts(".embed-field .field-name").await;
    assert_eq!(fields, ["Status", "Where the parties stand", "Sources"]);
    // The key points follow the summary in the description.
    let description = browser.texts(".embed-description").await.join("");
    assert!(
        description.contains("Key points") && description.contains("• The round proposed"),
        "{description}"
    );
    assert_eq!(
        browser.texts(".action-row .button").await,
        ["◀ Previous", "Next ▶", "Positions", "Author", "More"]
    );
    let disabled = browser.texts(".button.disabled").await;
    assert_eq!(
        disabled,
        ["◀ Previous", "Next ▶"],
        "only round 5 is shipped"
    );
    assert!(
        browser
            .texts(".embed-footer")
            .await
            .iter()
            .any(|f| f.contains("Omar Safadi"))
    );

    let card = browser
        .page()
        .find(Locator::Css("article.message"))
        .await
        .expect("the card");
    let png = card.screenshot().await.expect("a screenshot of the card");
    assert!(png.starts_with(PNG_SIGNATURE), "a PNG");
    std::fs::write(artifact("preview-round-5.png"), &png).expect("keep the screenshot");
    if std::env::var(UPDATE_SCREENSHOT).as_deref() == Ok("1") {
        assert!(
            png.len() <= README_CARD_BYTES,
            "the card's picture weighs {} bytes",
            png.len()
        );
        let path = common::repo(README_CARD);
        std::fs::create_dir_all(path.parent().expect("docs/images")).expect("docs/images");
        std::fs::write(&path, &png).expect("write the README's picture");
        eprintln!("wrote {} ({} bytes)", path.display(), png.len());
    }

    session.close().await;
}

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// Without Chromium too: the README's picture of a card is there, a PNG, and small.
#[test]
fn the_readmes_picture_of_a_card_is_a_small_png() {
    let path = common::repo(README_CARD);
    let png = std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "{README_CARD}, the README's picture of a card: {e}; take it with \
             {UPDATE_SCREENSHOT}=1 cargo test --test preview round_5_card"
        )
    });
    assert!(png.starts_with(PNG_SIGNATURE), "{README_CARD} is no PNG");
    assert!(
        png.len() <= README_CARD_BYTES,
        "{README_CARD} weighs {} bytes, more than {README_CARD_BYTES}",
        png.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_theme_toggle_switches_between_discords_light_and_dark() {
    let Some(session) = Session::shipped_at("/round 5").await else {
        return;
    };
    let browser = &session.browser;
    let colours = "var s = getComputedStyle; return [s(document.documentElement).backgroundColor, \
                   s(document.querySelector('.embed')).backgroundColor];";
    let before = browser
        .page()
        .execute(colours, vec![])
        .await
        .expect("colours");
    let light = json!(["rgb(255, 255, 255)", "rgb(242, 243, 245)"]);
    let dark = json!(["rgb(49, 51, 56)", "rgb(43, 45, 49)"]);
    assert!(before == light || before == dark, "{before}");
    browser
        .page()
        .find(Locator::Id("theme"))
        .await
        .expect("the toggle")
        .click()
        .await
        .expect("toggle the theme");
    let after = browser
        .page()
        .execute(colours, vec![])
        .await
        .expect("colours");
    assert_eq!(after, if before == light { dark } else { light });

    session.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_card_fits_a_phone_screen() {
    let (folder, briefs) = common::shipped_copy();
    let Some(session) = Session::start(folder, briefs).await else {
        return;
    };
    let browser = &session.browser;
    browser
        .page()
        .set_window_size(390, 844)
        .await
        .expect("a phone-sized window");
    session.open("/round 5").await;
    let widths = browser
        .page()
        .execute(
            "return [document.documentElement.scrollWidth, document.documentElement.clientWidth];",
            vec![],
        )
        .await
        .expect("the page's widths");
    assert_eq!(widths[0], widths[1], "no sideways scrolling: {widths}");

    session.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pressing_positions_shows_the_positions_view() {
    let Some(session) = Session::shipped_at("/round 5").await else {
        return;
    };
    let browser = &session.browser;
    let positions = browser
        .page()
        .find(Locator::Css(
            "a.button[data-custom-id='round:syria-israel:5:positions']",
        ))
        .await
        .expect("the Positions button");
    positions.click().await.expect("press Positions");

    let expected = common::shipped();
    let reply = briefbot::commands::respond(
        &expected,
        &briefbot::commands::Request::press("round:syria-israel:5:positions"),
    )
    .fit()
    .to_json();
    let title = reply["data"]["embeds"][0]["title"]
        .as_str()
        .expect("the positions view has a title")
        .to_string();
    browser
        .until("the positions view", ".embed-title", LIVE, |t| {
            t == [title.clone()]
        })
        .await;
    let fields = browser.texts(".field-name").await;
    for party in ["United States", "Israel", "Syria"] {
        assert!(
            fields.iter().any(|f| f.contains(party)),
            "no {party} in {fields:?}"
        );
    }
    assert!(
        browser
            .texts(".note")
            .await
            .iter()
            .any(|n| n.contains("updated in place")),
        "a press updates the message it sits on"
    );

    session.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_results_turn_their_page_as_in_discord() {
    let tmp = tempfile::tempdir().expect("tempdir");
    common::copy_tree(&common::repo("tests/fixtures/briefs-search"), tmp.path());
    let briefs = tmp.path().to_path_buf();
    let Some(session) = Session::start(tmp, briefs).await else {
        return;
    };
    let browser = &session.browser;
    session.open("/search israel").await;
    assert_eq!(
        browser.texts(".embed-footer").await,
        ["9 rounds match · page 1 of 2"]
    );
    // The page button reads the query from the message's title, as Discord sends it.
    browser
        .page()
        .find(Locator::Css("a.button[data-custom-id='search::2']"))
        .await
        .expect("the More ▶ button")
        .click()
        .await
        .expect("press More ▶");
    browser
        .until("page 2", ".embed-footer", LIVE, |f| {
            f == ["9 rounds match · page 2 of 2"]
        })
        .await;
    assert_eq!(browser.texts(".embed-title").await[0], "🔎 israel");

    session.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saved_edit_appears_within_a_second_without_a_manual_reload() {
    let Some(session) = Session::shipped_at("/round 5").await else {
        return;
    };
    let browser = &session.browser;
    assert_eq!(browser.texts(".embed-title").await, [ROUND_5]);
    browser.mark().await;

    let file = session.briefs.join("syria-israel/05-paris.md");
    let shipped = std::fs::read_to_string(&file).expect("round 5");
    let edited = shipped.replacen(ROUND_5, "Paris round, as corrected on save", 1);
    std::fs::write(&file, edited).expect("save the edit");

    let took = browser
        .until("the edited title", ".embed-title", LIVE, |t| {
            t == ["Paris round, as corrected on save"]
        })
        .await;
    assert!(
        !browser.still_marked().await,
        "the page reloaded itself (the mark is gone)"
    );
    assert!(took <= LIVE, "shown after {took:?}");

    session.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_file_shows_its_diagnostic_until_it_is_fixed() {
    let Some(session) = Session::shipped_at("/round 5").await else {
        return;
    };
    let browser = &session.browser;

    let file = session.briefs.join("syria-israel/05-paris.md");
    let shipped = std::fs::read_to_string(&file).expect("round 5");
    let line = shipped
        .lines()
        .position(|l| l.starts_with("summary = "))
        .expect("a summary line")
        + 1;
    std::fs::write(&file, shipped.replacen("summary = ", "sumary = ", 1)).expect("break it");

    let at = format!("05-paris.md:{line}:1");
    browser
        .until("the diagnostic", ".diagnostic .position", LIVE, |p| {
            p.iter().any(|p| p.ends_with(&at))
        })
        .await;
    let report = browser.texts(".diagnostic pre").await.join("\n");
    assert!(report.contains("sumary"), "{report}");
    assert!(
        report.contains(&format!("{line} │ sumary = ")),
        "the marked source line: {report}"
    );
    assert!(
        browser.texts(".embed").await.is_empty(),
        "no card meanwhile"
    );
    // The summary's line is long: the report wraps, so the message and help are read whole
    // without scrolling sideways.
    let wraps = browser
        .page()
        .execute(
            "const pre = document.querySelector('.diagnostic pre'); \
             return pre.scrollWidth <= pre.clientWidth;",
            vec![],
        )
        .await
        .expect("measure the report");
    assert_eq!(wraps, serde_json::Value::Bool(true), "the report wraps");

    std::fs::write(&file, &shipped).expect("fix it");
    browser
        .until("the card again", ".embed-title", LIVE, |t| t == [ROUND_5])
        .await;

    session.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_folder_broken_at_start_opens_on_its_mistakes() {
    let (folder, briefs) = common::shipped_copy();
    let file = briefs.join("syria-israel/05-paris.md");
    let shipped = std::fs::read_to_string(&file).expect("round 5");
    std::fs::write(
        &file,
        shipped.replacen("round = 5\n", "round = \"five\"\n", 1),
    )
    .expect("break it");
    let Some(session) = Session::start(folder, briefs).await else {
        return;
    };
    let browser = &session.browser;
    browser
        .page()
        .goto(&session.preview.url("/"))
        .await
        .expect("open the index");
    let positions = browser.texts(".diagnostic .position").await;
    assert!(
        positions.iter().any(|p| p.ends_with("05-paris.md:3:9")),
        "{positions:?}"
    );

    std::fs::write(&file, &shipped).expect("fix it");
    browser
        .until("the index's rounds", "ol.rounds a", LIVE, |links| {
            links.iter().any(|l| l.contains(ROUND_5))
        })
        .await;

    session.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_brief_containing_a_script_tag_shows_it_as_text() {
    let (folder, briefs) = common::shipped_copy();
    let hostile = "<script>alert(1)</script> Geneva";
    let brief = common::round_brief(6, hostile).replacen(
        "The fifth round of US-mediated",
        "<script>alert(2)</script><img src=x onerror=alert(3)> The fifth round of US-mediated",
        1,
    );
    std::fs::write(briefs.join("syria-israel/06-geneva.md"), brief).expect("write round 6");
    let Some(session) = Session::start(folder, briefs).await else {
        return;
    };
    let browser = &session.browser;
    session.open("/round 6").await;

    assert_eq!(browser.texts(".embed-title").await, [hostile]);
    let description = browser.texts(".embed-description").await.join("");
    assert!(
        description.contains("<script>alert(2)</script><img src=x onerror=alert(3)>"),
        "{description}"
    );
    let counts = browser
        .page()
        .execute(
            "return [document.querySelectorAll('script').length, \
             document.querySelectorAll('main img').length];",
            vec![],
        )
        .await
        .expect("count the scripts");
    assert_eq!(
        counts,
        json!([1, 0]),
        "only the page's own script, no image"
    );
    // And were anything to get past the escaping, the page's policy runs no script of it.
    let answer = reqwest::get(session.preview.view("/round 6"))
        .await
        .expect("the page over HTTP");
    let policy = answer
        .headers()
        .get("content-security-policy")
        .and_then(|p| p.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(policy.contains("script-src 'self'"), "{policy}");

    session.close().await;
}

/// An embargo's badge says its moment in the editor's own time zone, and how far off it is,
/// rather than the brief's UTC text.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_embargo_badge_says_when_in_the_editors_time_and_how_far_off() {
    let (folder, briefs) = common::shipped_copy();
    let embargoed = common::round_brief(7, "Embargoed round").replacen(
        "\n[[positions]]",
        "\npublish_at = 2099-01-07T09:00:00Z\n\n[[positions]]",
        1,
    );
    std::fs::write(briefs.join("syria-israel/07-later.md"), embargoed).expect("write");
    let Some(session) = Session::start(folder, briefs).await else {
        return;
    };
    let browser = &session.browser;
    browser
        .page()
        .goto(&session.preview.url("/"))
        .await
        .expect("open the index");
    let badge = browser.texts(".badge.embargo").await.join(" ");
    assert!(badge.starts_with("Embargoed until "), "{badge}");
    assert!(
        !badge.contains("2099-01-07T09:00:00Z"),
        "written for people: {badge}"
    );
    assert!(
        badge.contains("2099") && badge.contains("years)"),
        "{badge}"
    );
    session.close().await;
}

/// An exported preview (`briefbot preview --out`) open in Chromium; dropped in this order:
/// Chromium, then the folder.
struct Exported {
    browser: Browser,
    /// The export's folder.
    out: PathBuf,
    _folder: tempfile::TempDir,
}

impl Exported {
    /// `fixture` exported with `extra`, and Chromium started; `None`, with the test reported
    /// as not run, where Chromium is missing.
    async fn start(fixture: &str, extra: &[&str]) -> Option<Exported> {
        if !needs(Package::Chromium) {
            return None;
        }
        let (folder, out) = crate::export::exported(fixture, extra);
        let browser = Browser::start().await;
        Some(Exported {
            browser,
            out,
            _folder: folder,
        })
    }

    /// Opens the export's index from disk, as an editor who downloaded it would.
    async fn open_index(&self) {
        let url = format!("file://{}", self.out.join("index.html").display());
        self.browser
            .page()
            .goto(&url)
            .await
            .unwrap_or_else(|e| panic!("open {url}: {e:?}"));
    }

    async fn close(self) {
        self.browser.close().await;
    }
}

impl Browser {
    /// Clicks what `locator` finds (a link, or a button drawn as one).
    async fn click(&self, what: &str, locator: Locator<'_>) {
        self.page()
            .find(locator)
            .await
            .unwrap_or_else(|e| panic!("no {what}: {e:?}"))
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {what}: {e:?}"));
    }

    /// Presses the button whose `custom_id` is `id`, and waits for the card titled `title`.
    async fn press(&self, id: &str, title: &str) {
        let css = format!("a.button[data-custom-id='{id}']");
        self.click(id, Locator::Css(&css)).await;
        self.until(title, ".embed-title", LIVE, |t| t == [title.to_string()])
            .await;
    }

    /// Everything the page says, as a reader sees it.
    async fn page_text(&self) -> String {
        let text = self
            .page()
            .execute("return document.documentElement.innerText;", vec![])
            .await
            .expect("the page's text");
        text.as_str().unwrap_or_default().to_string()
    }

    /// The page's own stylesheet and script work: the embed has Discord's colours, and the
    /// theme toggle switches them (the policy in the page lets both load).
    async fn assert_styled_and_scripted(&self) {
        let colour = "return getComputedStyle(document.documentElement).backgroundColor;";
        let before = self.page().execute(colour, vec![]).await.expect("colour");
        let (light, dark) = (json!("rgb(255, 255, 255)"), json!("rgb(49, 51, 56)"));
        assert!(before == light || before == dark, "styled: {before}");
        self.click("the theme toggle", Locator::Id("theme")).await;
        let after = self.page().execute(colour, vec![]).await.expect("colour");
        assert_eq!(
            after,
            if before == light { dark } else { light },
            "scripted"
        );
    }
}

/// The titles of rounds 2 and 3 of the search fixture's syria-israel track.
const SEARCH_ROUND_2: &str = "Paris talks settle a de-escalation zone in the south";
const SEARCH_ROUND_3: &str =
    "London round drafts a security agreement to replace the 1974 disengagement";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_exported_preview_opens_from_disk_and_its_links_and_buttons_lead_on() {
    let Some(exported) = Exported::start("tests/fixtures/briefs-search", &[]).await else {
        return;
    };
    let browser = &exported.browser;
    browser
        .page()
        .set_window_size(900, 1400)
        .await
        .expect("a 900-pixel window");
    exported.open_index().await;
    assert_eq!(
        browser.texts("h1").await,
        ["Every card, as Discord shows it"]
    );
    let note = browser.texts("p.ask.live-only").await.join("");
    assert!(note.contains("need the live preview"), "{note}");
    assert!(
        browser.texts("form").await.is_empty(),
        "no box that does nothing"
    );

    // A round's card from the index, then its buttons: ◀, ▶, Positions, More, Author.
    let link = format!("Round 3: {SEARCH_ROUND_3}");
    browser.click("round 3", Locator::LinkText(&link)).await;
    browser
        .until("round 3's card", ".embed-title", LIVE, |t| {
            t == [SEARCH_ROUND_3.to_string()]
        })
        .await;
    browser.assert_styled_and_scripted().await;
    std::fs::write(
        artifact("exported-preview.png"),
        browser.page().screenshot().await.expect("a screenshot"),
    )
    .expect("keep the screenshot");
    browser
        .press("round:syria-israel:3:prev", SEARCH_ROUND_2)
        .await;
    browser
        .press("round:syria-israel:2:next", SEARCH_ROUND_3)
        .await;
    browser
        .click(
            "Positions",
            Locator::Css("a.button[data-custom-id='round:syria-israel:3:positions']"),
        )
        .await;
    browser
        .until("the positions view", ".field-name", LIVE, |f| {
            f.iter().any(|f| f.contains("Syria"))
        })
        .await;
    assert!(
        browser
            .texts(".note")
            .await
            .iter()
            .any(|n| n.contains("updated in place"))
    );
    browser
        .click(
            "More",
            Locator::Css("a.button[data-custom-id='round:syria-israel:3:more:1']"),
        )
        .await;
    browser
        .until("the More page", "p.used code", LIVE, |c| {
            c == ["round:syria-israel:3:more:1"]
        })
        .await;

    // The timeline's pages, from the index.
    browser.click("home", Locator::Css("nav.top a.home")).await;
    browser
        .until("the index", "h1", LIVE, |h| {
            h == ["Every card, as Discord shows it"]
        })
        .await;
    browser
        .click(
            "the timeline",
            Locator::Css("section.track:last-of-type .views a:nth-child(2)"),
        )
        .await;
    browser
        .until("the timeline", ".embed-title", LIVE, |t| {
            t.iter().any(|t| t.contains("syria-israel"))
        })
        .await;

    exported.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_exported_preview_without_held_rounds_shows_none_of_them() {
    let Some(exported) = Exported::start("tests/fixtures/briefs-drafts", &[]).await else {
        return;
    };
    let browser = &exported.browser;
    exported.open_index().await;
    let index = browser.page_text().await;
    assert!(index.contains(&format!("Round 5: {ROUND_5}")), "{index}");
    assert!(!index.contains("Not served yet"), "{index}");
    browser
        .click("round 5", Locator::LinkText(&format!("Round 5: {ROUND_5}")))
        .await;
    browser
        .until("round 5's card", ".embed-title", LIVE, |t| t == [ROUND_5])
        .await;
    // Round 6 is a draft: as members see it, round 5 is the last.
    assert_eq!(
        browser.texts(".button.disabled").await,
        ["◀ Previous", "Next ▶"]
    );
    browser
        .click(
            "Author",
            Locator::Css("a.button[data-custom-id='round:syria-israel:5:author']"),
        )
        .await;
    browser
        .until("the author", ".embed-title", LIVE, |t| {
            t.iter().any(|t| t.contains("Omar Safadi"))
        })
        .await;
    for page in [index, browser.page_text().await] {
        let page = page.to_lowercase();
        for word in ["marzipan", "quetzal", "geneva", "lausanne"] {
            assert!(!page.contains(word), "`{word}` shown: {page}");
        }
    }
    exported.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_exported_preview_with_held_rounds_shows_them_as_they_will_look() {
    let Some(exported) = Exported::start("tests/fixtures/briefs-drafts", &["--include-held"]).await
    else {
        return;
    };
    let browser = &exported.browser;
    exported.open_index().await;
    let held = browser.texts("section.held li").await;
    assert_eq!(held.len(), 2, "{held:?}");
    assert!(held[0].starts_with("Draft Round 6"), "{held:?}");
    assert!(held[1].starts_with("Embargoed until "), "{held:?}");
    let round_6 = "Geneva round drafts the marzipan accord";
    let round_7 = "Lausanne round opens the quetzal corridor";
    browser
        .click(
            "round 6",
            Locator::LinkText(&format!("Round 6 of syria-israel: {round_6}")),
        )
        .await;
    browser
        .until("round 6's card", ".embed-title", LIVE, |t| t == [round_6])
        .await;
    let banner = browser.texts("p.banner.held").await.join("");
    assert!(banner.contains("members cannot see them yet"), "{banner}");
    browser.press("round:syria-israel:6:next", round_7).await;
    browser.press("round:syria-israel:7:prev", round_6).await;
    browser.press("round:syria-israel:6:prev", ROUND_5).await;
    assert!(
        browser
            .page()
            .current_url()
            .await
            .expect("the page's address")
            .path()
            .contains("/pages/held-press-"),
        "the buttons stay among the held pages"
    );
    exported.close().await;
}

/// The export's folder served as plain files under `/pr/42/`, as a web host serves a
/// sub-folder: no server answers anything but the files.
async fn serve_files(out: PathBuf) -> (SocketAddr, tokio::task::JoinHandle<()>) {
    use axum::extract::Path as UrlPath;
    use axum::http::{StatusCode, header};
    use axum::response::IntoResponse;

    let files = move |UrlPath(rest): UrlPath<String>| {
        let out = out.clone();
        async move {
            if rest.split('/').any(|part| part == "..") {
                return StatusCode::NOT_FOUND.into_response();
            }
            let kind = match rest.rsplit('.').next() {
                Some("html") => "text/html; charset=utf-8",
                Some("css") => "text/css",
                Some("js") => "text/javascript",
                _ => "application/octet-stream",
            };
            match std::fs::read(out.join(&rest)) {
                Ok(body) => ([(header::CONTENT_TYPE, kind)], body).into_response(),
                Err(_) => StatusCode::NOT_FOUND.into_response(),
            }
        }
    };
    let app = axum::Router::new().route("/pr/42/{*rest}", axum::routing::get(files));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("its address");
    let served = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (addr, served)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_exported_preview_works_from_a_sub_folder_of_a_web_host() {
    let Some(exported) = Exported::start("tests/fixtures/briefs-search", &[]).await else {
        return;
    };
    let (addr, served) = serve_files(exported.out.clone()).await;
    let browser = &exported.browser;
    browser
        .page()
        .goto(&format!("http://{addr}/pr/42/index.html"))
        .await
        .expect("open the index");
    let link = format!("Round 3: {SEARCH_ROUND_3}");
    browser.click("round 3", Locator::LinkText(&link)).await;
    browser
        .until("round 3's card", ".embed-title", LIVE, |t| {
            t == [SEARCH_ROUND_3.to_string()]
        })
        .await;
    browser.assert_styled_and_scripted().await;
    browser
        .press("round:syria-israel:3:prev", SEARCH_ROUND_2)
        .await;
    served.abort();
    exported.close().await;
}
