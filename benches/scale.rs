//! briefbot at an institute's scale, by hand (not in CI): a folder of 10,000 generated briefs
//! (`examples/corpus.rs`; 20 tracks of 500 rounds, 300 authors, 60 parties), loaded cold, then
//! reloaded after one edited file, and every command, button and autocomplete answered
//! against it, with each reply's p50, p99 and maximum including the JSON Discord receives.
//!
//! `cargo bench --bench scale` generates the folder on first use in
//! `target/briefbot-corpus-10k` (or uses `BRIEFBOT_CORPUS=DIR`).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use briefbot::cli::line;
use briefbot::commands::{self, Request};
use briefbot::library::{Folder, Library, LoadOptions};

const ANSWERS: usize = 20_000;
const ROUNDS: usize = 5;

fn corpus() -> PathBuf {
    if let Some(dir) = std::env::var_os("BRIEFBOT_CORPUS") {
        return PathBuf::from(dir);
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/briefbot-corpus-10k");
    if !dir.exists() {
        eprintln!("generating {} …", dir.display());
        let status = std::process::Command::new(env!("CARGO"))
            .args(["run", "--release", "--quiet", "--example", "corpus", "--"])
            .arg(&dir)
            .status()
            .expect("run the corpus generator");
        assert!(status.success(), "the corpus generator failed");
    }
    dir
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// This process's resident memory now and at its peak, from /proc (Linux), in MB.
fn memory() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn size_on_disk(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| {
            let path = e.path();
            if path.is_dir() {
                size_on_disk(&path)
            } else {
                e.metadata().map_or(0, |m| m.len())
            }
        })
        .sum()
}

fn main() {
    let dir = corpus();
    let options = LoadOptions::default();
    let mb = size_on_disk(&dir) as f64 / 1e6;
    println!("corpus: {} ({mb:.0} MB of files)", dir.display());

    // Cold loads: a new Folder each time, as `briefbot check` and a start do.
    let mut cold = Vec::new();
    let mut library = None;
    for _ in 0..5 {
        // As at a start, no other library is held while this one loads.
        drop(library.take());
        let started = Instant::now();
        let loaded = Folder::new(&dir, options.clone()).load();
        cold.push(started.elapsed());
        library = Some(loaded.unwrap_or_else(|e| panic!("{}", e.diagnostics.render())));
    }
    let library: Library = library.expect("loaded");
    println!(
        "full load: {} rounds, median {:.0} ms of 5 (min {:.0} ms)",
        library.round_count(),
        median(cold.clone()).as_secs_f64() * 1e3,
        cold.iter().min().copied().unwrap_or_default().as_secs_f64() * 1e3
    );

    // One edited file in a folder already loaded, as the watcher's reload does it.
    let mut folder = Folder::new(&dir, options.clone());
    let served = folder.load().expect("loads");
    let (before, _) = memory();
    let track = served.tracks()[0].id.clone();
    let edited = served.tracks()[0].rounds[7].path.clone();
    let file = dir.join(&edited);
    let original = std::fs::read_to_string(&file).expect("read a brief");
    let mut incremental = Vec::new();
    let mut reloaded = None;
    for i in 0..5 {
        let text = original.replacen("title = \"", &format!("title = \"Edit {i}: "), 1);
        std::fs::write(&file, text).expect("edit a brief");
        let started = Instant::now();
        reloaded = Some(folder.load().expect("reloads"));
        incremental.push(started.elapsed());
    }
    std::fs::write(&file, &original).expect("restore the brief");
    let (after, peak) = memory();
    let reloaded = reloaded.expect("reloaded");
    let shared = served
        .rounds()
        .zip(reloaded.rounds())
        .filter(|(a, b)| std::ptr::eq(*a, *b))
        .count();
    println!(
        "reload after editing {} ({track}): median {:.1} ms of 5; {shared} of {} rounds shared with the served library",
        edited.display(),
        median(incremental).as_secs_f64() * 1e3,
        reloaded.round_count()
    );
    println!(
        "memory: {before:.0} MB with one library, {after:.0} MB with both (peak of this process {peak:.0} MB)"
    );
    let (shards, of) = reloaded
        .search_index()
        .shards_shared_with(served.search_index());
    println!(
        "search index after the reload: {shards} of {of} shards shared with the served library"
    );
    let index = reloaded.search_index();
    println!(
        "search index: {:.1} MB beyond the rounds ({:.1}% of the files)",
        index.heap_size() as f64 / 1e6,
        index.heap_size() as f64 / 1e4 / mb
    );

    saved_to_served(&dir, served);
    answers(&reloaded);
}

/// From a saved edit to the edited round being served, through the real file watcher: the
/// quiet period (250 ms) plus the reload.
fn saved_to_served(dir: &Path, library: Library) {
    let Ok(runtime) = tokio::runtime::Runtime::new() else {
        panic!("cannot start a tokio runtime");
    };
    let mut folder = Folder::new(dir, LoadOptions::default());
    // Loaded through `folder` so that reloads read only what changed, as in `run` and `serve`.
    drop(library);
    let served = folder.load().expect("loads");
    let target = served.tracks()[1].rounds[3].clone();
    let file = dir.join(&target.path);
    let original = std::fs::read_to_string(&file).expect("read a brief");
    let reloader = briefbot::live::Reloader::with_folder(served, folder);
    let mut took = Vec::new();
    runtime.block_on(async {
        let tasks = tokio_util::task::TaskTracker::new();
        let _watch = briefbot::live::watch(reloader.clone(), &tasks).expect("watch the corpus");
        for i in 0..5 {
            let title = format!("Saved edit {i}");
            let text = original.replacen("title = \"", &format!("title = \"{title}: "), 1);
            let started = Instant::now();
            std::fs::write(&file, text).expect("edit a brief");
            loop {
                let current = reloader.current();
                let round = current
                    .track(&target.track)
                    .and_then(|t| t.round(target.number));
                if round.is_some_and(|r| r.title.starts_with(&title)) {
                    break;
                }
                assert!(started.elapsed() < Duration::from_secs(10), "not served");
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            took.push(started.elapsed());
            // Let the watcher settle before the next save.
            tokio::time::sleep(Duration::from_millis(600)).await;
        }
    });
    std::fs::write(&file, &original).expect("restore the brief");
    println!(
        "saved edit to served, through the watcher: median {:.0} ms of 5 (max {:.0} ms)",
        median(took.clone()).as_secs_f64() * 1e3,
        took.iter().max().copied().unwrap_or_default().as_secs_f64() * 1e3
    );
}

/// "Geneva" → "Gneeva": a misspelling a reader makes.
fn swap_two_letters(word: &str) -> String {
    let mut chars: Vec<char> = word.chars().collect();
    if chars.len() > 3 {
        chars.swap(1, 2);
    }
    chars.into_iter().collect()
}

/// Each command's reply, rendered and serialised, `ANSWERS` times.
fn answers(library: &Library) {
    let track = library.main_track().expect("a track");
    let middle = track.rounds[track.rounds.len() / 2].number;
    let round = library
        .track(&track.id)
        .and_then(|t| t.round(middle))
        .expect("the middle round");
    let party = round
        .positions
        .first()
        .map(|p| p.party.clone())
        .expect("a position");
    let alias = library
        .party(&party)
        .and_then(|p| p.aliases.first().cloned())
        .unwrap_or_else(|| party.clone());
    let author = library.author(&round.author).expect("the author");
    let first_word = author
        .name
        .split(' ')
        .next()
        .unwrap_or_default()
        .to_string();
    let id = |view: &str| format!("round:{}:{middle}:{view}", track.id);
    let lines = [
        "/latest".to_string(),
        format!("/round {middle}"),
        "/round 99999".to_string(),
        "/positions".to_string(),
        format!("/positions party:\"{alias}\""),
        format!("/positions party:\"{party}\" round:{middle}"),
        "/positions party:Nowhereland".to_string(),
        "/author".to_string(),
        format!("/author name:\"{}\"", author.name),
        "/author name:Nobodyknows".to_string(),
        "/rounds".to_string(),
        "/about".to_string(),
    ];
    let mut requests: Vec<(String, Request)> = lines
        .iter()
        .map(|l| {
            (
                l.clone(),
                line::parse(l).unwrap_or_else(|e| panic!("{l}: {e}")),
            )
        })
        .collect();
    for view in [
        "card",
        "prev",
        "next",
        "positions",
        "author",
        "more:1",
        "more:2",
    ] {
        requests.push((format!("press {view}"), Request::press(id(view))));
    }
    // Search: words of the middle round, a misspelling of its place, its parties' aliases,
    // a common word; Brief me on a message that names its people and place, and on one that
    // names nothing.
    let place = round.location.clone().unwrap_or_default();
    let misspelt = swap_two_letters(&place);
    let person = round
        .positions
        .iter()
        .flat_map(|p| &p.representatives)
        .next()
        .cloned()
        .unwrap_or_else(|| author.name.clone());
    let headline_words: Vec<&str> = round.title.split_whitespace().take(3).collect();
    for query in [
        format!("/search {}", headline_words.join(" ")),
        format!("/search {place}"),
        format!("/search {misspelt}"),
        format!("/search {alias}"),
        format!("/search {} track:{}", author.name, track.id),
        "/search the talks".to_string(),
        "/search zzzzqqq".to_string(),
        // Arabic and Hebrew as readers type them: without the article the briefs write
        // (السلام, ההסכם), and with prefixes they do not, stacked or not (وبسلام).
        "/search سلام".to_string(),
        "/search والمفاوضات".to_string(),
        "/search وبسلام".to_string(),
        "/search הסכם".to_string(),
        "/search ובהסכם".to_string(),
    ] {
        let request = line::parse(&query).unwrap_or_else(|e| panic!("{query}: {e}"));
        requests.push((query, request));
    }
    let carried =
        match commands::respond(library, &line::parse("/search the talks").expect("parses")) {
            briefbot::reply::Reply::Message { message, .. } => message.embeds[0].title.clone(),
            other => panic!("search results expected, got {other:?}"),
        };
    requests.push((
        "press search page 3".to_string(),
        Request::Press {
            custom_id: "search::3".to_string(),
            carried: Some(carried),
        },
    ));
    for (name, text) in [
        (
            "Brief me (names a person, a place, a party)",
            format!(
                "Did anyone see what {person} said in {place} yesterday? Sounds like {alias} moved."
            ),
        ),
        (
            "Brief me (names nothing)",
            "lunch at noon? bring snacks and the good coffee".to_string(),
        ),
    ] {
        let request = briefbot::cli::ask::request(&briefbot::cli::ask::Question::Message(text))
            .expect("a Brief me request");
        requests.push((name.to_string(), request));
    }
    for typing in [
        "/round number:".to_string(),
        format!("/round number:{}", middle / 10),
        "/positions party:a".to_string(),
        format!("/author name:{first_word}"),
        "/latest track:".to_string(),
        "/round number:geneva".to_string(),
    ] {
        let request = line::parse_completion(&typing).unwrap_or_else(|e| panic!("{typing}: {e}"));
        requests.push((format!("complete {typing}"), request));
    }
    println!(
        "\n{:<48} {:>9} {:>9} {:>9} {:>7}",
        "reply (respond + fit + JSON)", "p50 µs", "p99 µs*", "max µs", "bytes"
    );
    let mut worst = Duration::ZERO;
    for (name, request) in &requests {
        // Five rounds, and the median of their p99s: a machine shared with other work (a
        // virtual machine, a build) stalls a few answers at random, which one round's p99
        // would report as the reply's own cost.
        let mut all = Vec::with_capacity(ANSWERS);
        let mut p99s = Vec::new();
        let mut bytes = 0;
        for _ in 0..ROUNDS {
            let mut times = Vec::with_capacity(ANSWERS / ROUNDS);
            for _ in 0..ANSWERS / ROUNDS {
                let started = Instant::now();
                let json = commands::respond(library, request).fit().to_json_bytes();
                times.push(started.elapsed());
                bytes = std::hint::black_box(json).len();
            }
            times.sort();
            p99s.push(times[times.len() * 99 / 100]);
            all.extend(times);
        }
        all.sort();
        let p99 = median(p99s);
        worst = worst.max(p99);
        println!(
            "{:<48} {:>9.1} {:>9.1} {:>9.1} {:>7}",
            name,
            all[all.len() / 2].as_secs_f64() * 1e6,
            p99.as_secs_f64() * 1e6,
            all[all.len() - 1].as_secs_f64() * 1e6,
            bytes
        );
    }
    println!(
        "slowest p99: {:.1} µs   (* the median of {ROUNDS} rounds' p99 over {} answers each)",
        worst.as_secs_f64() * 1e6,
        ANSWERS / ROUNDS
    );
}
