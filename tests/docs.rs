//! The documentation's links and command lines, checked: README.md and every `docs/*.md`.
//!
//! **Links.** Every relative link and image, `[text](path#anchor)` or `![alt](path)` (and a
//! reference definition `[name]: path`), must name a file or folder that exists, relative to
//! the page, and its `#anchor` a heading of the Markdown file it names (or of the page itself,
//! for `#anchor` alone). Anchors follow GitHub's rules: the heading's text in lower case, every
//! character but letters, digits, spaces, `-` and `_` dropped, spaces turned into `-`; a second
//! heading with the same slug gets `-1`, a third `-2`. Links to `http://`, `https://` and
//! `mailto:` are not followed. Code (fenced blocks and inline spans) holds no links.
//!
//! **Command lines.** Every `briefbot …` line must be accepted by briefbot's own argument
//! parser (`briefbot::app::Cli`). Looked at: each line of a fenced block tagged `sh`, `bash`,
//! `shell`, `console` (there only lines after a `$ ` prompt) or not tagged, and every inline
//! code span. A line is split as a shell splits it (quotes, backslashes, a `\` at the end
//! joining the next line) and cut at an unquoted `#` comment or `>`; each command of it (between
//! `|`, `&&`, `||` and `;`) is a `briefbot` command line when, after `sudo` and `VAR=value`
//! words, it starts with:
//! - `briefbot`, or a path to it (`target/release/briefbot`, `/usr/bin/briefbot`);
//! - `briefbot-admin`, which takes briefbot's arguments;
//! - `cargo run --release --` or `cargo run --`, which run briefbot with what follows.
//!
//! Nothing is substituted: a value in a documented command must be one that parses
//! (`--round 6`, not `--round N`). Two exceptions:
//! - a command line with a placeholder, an argument holding `…` or written `<like-this>`, is
//!   not checked;
//! - an inline span that only names a subcommand (`briefbot announce`: no option) must name
//!   one that exists, but need not give the arguments it requires.
//!
//! `--help` and `--version` count as accepted. Every failure is printed with its file and
//! line, not only the first.
//!
//! **The source's references.** A doc comment that points at a page instead of repeating it
//! (`docs/announcements.md#the-delivery-guarantee`) must point at a heading that is there.

use std::fs;
use std::path::{Path, PathBuf};

use clap::Parser;

/// README.md and every Markdown page under docs/, with their text.
fn pages() -> Vec<(PathBuf, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = vec![root.join("README.md")];
    if let Ok(entries) = fs::read_dir(root.join("docs")) {
        let mut docs: Vec<PathBuf> = entries
            .map(|entry| entry.expect("a docs/ entry").path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "md"))
            .collect();
        docs.sort();
        paths.extend(docs);
    }
    paths
        .into_iter()
        .map(|path| {
            let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
            (path, text)
        })
        .collect()
}

/// A path as the failures name it: relative to the repository.
fn shown(path: &Path) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

fn report(failures: Vec<String>, what: &str) {
    assert!(
        failures.is_empty(),
        "{} {what}:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_relative_link_and_anchor_resolves() {
    let mut failures = Vec::new();
    for (page, text) in pages() {
        for (line, target) in links(&text) {
            if let Err(why) = resolve(&page, &target) {
                failures.push(format!("{}:{line}: ({target}) {why}", shown(&page)));
            }
        }
    }
    report(failures, "links that do not resolve");
}

#[test]
fn references_to_the_docs_from_the_source_resolve() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut failures = Vec::new();
    let mut folders = vec![root.join("src")];
    while let Some(folder) = folders.pop() {
        for entry in fs::read_dir(&folder).expect("a source folder") {
            let path = entry.expect("a source entry").path();
            if path.is_dir() {
                folders.push(path);
                continue;
            }
            if path.extension().is_none_or(|ext| ext != "rs") {
                continue;
            }
            let text = fs::read_to_string(&path).expect("a source file");
            for (index, line) in text.lines().enumerate() {
                for (at, _) in line.match_indices("docs/") {
                    let target: String = line[at..]
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || "-_./#".contains(*c))
                        .collect();
                    let target = target.trim_end_matches('.');
                    if !target.contains(".md") {
                        continue;
                    }
                    if let Err(why) = resolve(&root.join("README.md"), target) {
                        failures.push(format!("{}:{}: ({target}) {why}", shown(&path), index + 1));
                    }
                }
            }
        }
    }
    report(failures, "references to the docs that do not resolve");
}

#[test]
fn every_briefbot_command_line_parses() {
    let mut failures = Vec::new();
    for (page, text) in pages() {
        for CommandLine {
            line,
            words,
            inline,
        } in command_lines(&text)
        {
            if let Err(error) = briefbot::app::Cli::try_parse_from(&words) {
                use clap::error::ErrorKind::{
                    DisplayHelp, DisplayVersion, MissingRequiredArgument,
                };
                // Prose may name a subcommand without what it needs: `briefbot announce`.
                let names_only = inline && words.iter().all(|w| !w.starts_with('-'));
                let named = names_only && error.kind() == MissingRequiredArgument;
                if !named && !matches!(error.kind(), DisplayHelp | DisplayVersion) {
                    let first = error.to_string();
                    let first = first.lines().next().unwrap_or_default();
                    let line_shown = words.join(" ");
                    failures.push(format!("{}:{line}: `{line_shown}`: {first}", shown(&page)));
                }
            }
        }
    }
    report(failures, "command lines briefbot refuses");
}

// ---- The Markdown: fenced blocks, prose, code spans, headings ----

/// A page cut into fenced code blocks and prose, each line with its number (from 1).
enum Part<'a> {
    /// A fenced block's lines, with its info string's first word (lower case).
    Code(String, Lines<'a>),
    /// Consecutive lines outside code.
    Prose(Lines<'a>),
}

/// Lines of a page, each with its number.
type Lines<'a> = Vec<(usize, &'a str)>;

/// Texts found on a page, each with the number of the line it starts on.
type Found = Vec<(usize, String)>;

/// An open fenced block: its marker (`` ` `` or `~`), how many, its info word, its lines.
struct Fence<'a> {
    mark: char,
    run: usize,
    info: String,
    lines: Lines<'a>,
}

fn parts(text: &str) -> Vec<Part<'_>> {
    let mut parts = Vec::new();
    let mut prose = Vec::new();
    let mut fence: Option<Fence> = None;
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        let trimmed = line.trim_start();
        let marker = trimmed.chars().next().filter(|c| *c == '`' || *c == '~');
        let run = marker.map_or(0, |m| trimmed.chars().take_while(|c| *c == m).count());
        let after_run = marker.map_or("", |m| &trimmed[run * m.len_utf8()..]);
        match &mut fence {
            Some(open) => {
                let closes =
                    marker == Some(open.mark) && run >= open.run && after_run.trim().is_empty();
                if closes {
                    let open = fence.take().expect("in a fence");
                    parts.push(Part::Code(open.info, open.lines));
                } else {
                    open.lines.push((number, line));
                }
            }
            None if run >= 3 => {
                let info = after_run.split_whitespace().next().unwrap_or_default();
                parts.push(Part::Prose(std::mem::take(&mut prose)));
                fence = Some(Fence {
                    mark: marker.expect("a fence marker"),
                    run,
                    info: info.to_lowercase(),
                    lines: Vec::new(),
                });
            }
            None => prose.push((number, line)),
        }
    }
    if let Some(open) = fence {
        parts.push(Part::Code(open.info, open.lines));
    }
    parts.push(Part::Prose(prose));
    parts
}

/// Prose lines with their inline code spans taken out: the text left (spans blanked, so
/// no link is found inside one), and each span's content with its line number.
fn spans(prose: &[(usize, &str)]) -> (Found, Found) {
    // A span may run over a line break, so the paragraph is read as one text.
    let mut text = String::new();
    let mut starts = Vec::new();
    for (number, line) in prose {
        starts.push((text.len(), *number));
        text.push_str(line);
        text.push('\n');
    }
    let line_at = |offset: usize| {
        let i = starts.partition_point(|(start, _)| *start <= offset);
        starts[i.saturating_sub(1)].1
    };
    let mut found = Vec::new();
    let mut blanked = text.clone().into_bytes();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' {
            i += 2;
            continue;
        }
        if bytes[i] != b'`' {
            i += 1;
            continue;
        }
        let open = bytes[i..].iter().take_while(|b| **b == b'`').count();
        let content_start = i + open;
        // The closing run is as long as the opening one, in the same paragraph.
        let paragraph_end = text[content_start..]
            .find("\n\n")
            .map_or(bytes.len(), |end| content_start + end);
        let close = (content_start..paragraph_end).find(|&j| {
            bytes[j..].starts_with(&bytes[i..content_start])
                && bytes.get(j + open) != Some(&b'`')
                && bytes[j - 1] != b'`'
        });
        let Some(close) = close else {
            i = content_start;
            continue;
        };
        let content = text[content_start..close].replace('\n', " ");
        let content = match content.strip_prefix(' ').and_then(|c| c.strip_suffix(' ')) {
            Some(inner) if !inner.trim().is_empty() => inner.to_string(),
            _ => content,
        };
        found.push((line_at(i), content));
        for b in &mut blanked[i..close + open] {
            if *b != b'\n' {
                *b = b' ';
            }
        }
        i = close + open;
    }
    let blanked = String::from_utf8(blanked).expect("blanked whole ASCII runs only");
    let lines = blanked
        .lines()
        .zip(prose)
        .map(|(line, (number, _))| (*number, line.to_string()))
        .collect();
    (lines, found)
}

/// The heading slugs of a page, as GitHub makes them, duplicates numbered.
fn anchors(text: &str) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    let mut anchors = Vec::new();
    for part in parts(text) {
        let Part::Prose(lines) = part else { continue };
        for (_, line) in lines {
            let hashes = line.chars().take_while(|c| *c == '#').count();
            if !(1..=6).contains(&hashes) || !line[hashes..].starts_with(' ') {
                continue;
            }
            let title = line[hashes..].trim().trim_end_matches('#').trim();
            let base = slug(&link_texts(title));
            let count = seen.iter().filter(|s| **s == base).count();
            seen.push(base.clone());
            anchors.push(match count {
                0 => base,
                n => format!("{base}-{n}"),
            });
        }
    }
    anchors
}

/// A heading's text as shown: `[text](target)` becomes `text`.
fn link_texts(title: &str) -> String {
    let mut shown = String::new();
    let mut rest = title;
    while let Some(open) = rest.find('[') {
        let Some(mid) = rest[open..].find("](") else {
            break;
        };
        let Some(end) = rest[open + mid..].find(')') else {
            break;
        };
        shown.push_str(&rest[..open]);
        shown.push_str(&rest[open + 1..open + mid]);
        rest = &rest[open + mid + end + 1..];
    }
    shown.push_str(rest);
    shown
}

/// GitHub's anchor for a heading's text.
fn slug(title: &str) -> String {
    title
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

// ---- Links ----

/// Every link target of a page outside code, with its line: `](target)` and `[name]: target`.
fn links(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for part in parts(text) {
        let Part::Prose(prose) = part else { continue };
        let (lines, _) = spans(&prose);
        for (number, line) in lines {
            let mut rest = line.as_str();
            while let Some(at) = rest.find("](") {
                let after = &rest[at + 2..];
                let mut depth = 0;
                let end = after
                    .char_indices()
                    .find(|&(_, c)| {
                        depth += match c {
                            '(' => 1,
                            ')' => -1,
                            _ => 0,
                        };
                        depth < 0
                    })
                    .map_or(after.len(), |(i, _)| i);
                found.push((number, destination(&after[..end])));
                rest = &after[end..];
            }
            let definition = line.trim_start();
            if let Some(close) = definition.find("]: ")
                && definition.starts_with('[')
                && !definition.starts_with("[^")
            {
                found.push((number, destination(&definition[close + 3..])));
            }
        }
    }
    found
}

/// A link's destination without its title or angle brackets.
fn destination(inside: &str) -> String {
    let inside = inside.trim();
    match inside.strip_prefix('<') {
        Some(rest) => rest.split('>').next().unwrap_or_default().to_string(),
        None => inside
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_string(),
    }
}

/// A path with its `..` and `.` taken out, as a browser reads a link.
fn lexical(path: &Path) -> PathBuf {
    use std::path::Component::{CurDir, ParentDir};
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            CurDir => {}
            ParentDir => {
                out.pop();
            }
            part => out.push(part),
        }
    }
    out
}

/// Ok when a page's link target names something that exists (and an anchor it has).
fn resolve(page: &Path, target: &str) -> Result<(), String> {
    let lower = target.to_lowercase();
    if ["http://", "https://", "mailto:"]
        .iter()
        .any(|p| lower.starts_with(p))
    {
        return Ok(());
    }
    if target.is_empty() {
        return Err("an empty link".into());
    }
    let (file, anchor) = match target.split_once('#') {
        Some((file, anchor)) => (file, Some(anchor)),
        None => (target, None),
    };
    let path = match file {
        "" => page.to_path_buf(),
        file => lexical(&page.parent().expect("a page's folder").join(file)),
    };
    if !path.exists() {
        return Err(format!("{} does not exist", shown(&path)));
    }
    let Some(anchor) = anchor else { return Ok(()) };
    if path.extension().is_none_or(|ext| ext != "md") {
        return Err(format!(
            "an anchor into {}, which is not Markdown",
            shown(&path)
        ));
    }
    let text = fs::read_to_string(&path).map_err(|e| e.to_string())?;
    let anchors = anchors(&text);
    if anchors.iter().any(|a| a == anchor) {
        return Ok(());
    }
    let near = anchors
        .iter()
        .min_by_key(|a| strsim::levenshtein(a, anchor))
        .map(|a| format!("; the nearest is #{a}"))
        .unwrap_or_default();
    Err(format!("{} has no heading #{anchor}{near}", shown(&path)))
}

// ---- Command lines ----

/// A `briefbot` command line of a page.
struct CommandLine {
    line: usize,
    /// The words briefbot would get, the first one `briefbot`.
    words: Vec<String>,
    /// In an inline code span, not a code block.
    inline: bool,
}

/// Every `briefbot` command line of a page.
fn command_lines(text: &str) -> Vec<CommandLine> {
    let mut found = Vec::new();
    for part in parts(text) {
        match part {
            Part::Code(info, lines) if ["", "sh", "bash", "shell", "console"].contains(&&*info) => {
                let console = info == "console";
                let mut joined: Option<(usize, String)> = None;
                for (number, line) in lines {
                    let (start, mut text) = joined.take().unwrap_or((number, String::new()));
                    text.push_str(line);
                    if let Some(open) = text.strip_suffix('\\') {
                        joined = Some((start, format!("{open} ")));
                        continue;
                    }
                    let command = match console {
                        true => text.trim_start().strip_prefix("$ ").map(str::to_string),
                        false => Some(text),
                    };
                    for words in command.as_deref().map(commands).unwrap_or_default() {
                        found.push(CommandLine {
                            line: start,
                            words,
                            inline: false,
                        });
                    }
                }
            }
            Part::Code(..) => {}
            Part::Prose(prose) => {
                let (_, spans) = spans(&prose);
                for (line, span) in spans {
                    for words in commands(&span) {
                        found.push(CommandLine {
                            line,
                            words,
                            inline: true,
                        });
                    }
                }
            }
        }
    }
    found
}

/// The briefbot commands of one shell line, each as briefbot's argument list; a command line
/// with a placeholder is left out.
fn commands(line: &str) -> Vec<Vec<String>> {
    shell_words(line)
        .split(|word| matches!(word, Word::Operator))
        .filter_map(|words| {
            let words: Vec<&str> = words
                .iter()
                .map(|w| match w {
                    Word::Text(text) => text.as_str(),
                    Word::Operator => unreachable!("split at operators"),
                })
                .collect();
            briefbot_arguments(&words)
        })
        .filter(|arguments| !arguments.iter().any(|a| is_placeholder(a)))
        .collect()
}

/// After `sudo` and `VAR=value`, the arguments briefbot gets, when this runs briefbot.
fn briefbot_arguments(words: &[&str]) -> Option<Vec<String>> {
    let is_assignment = |w: &str| {
        w.split_once('=').is_some_and(|(name, _)| {
            !name.is_empty()
                && !name.starts_with(|c: char| c.is_ascii_digit())
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
    };
    let start = words
        .iter()
        .position(|w| *w != "sudo" && !is_assignment(w))?;
    let words = &words[start..];
    let rest = match words {
        [program, rest @ ..] if *program == "briefbot" || program.ends_with("/briefbot") => rest,
        ["briefbot-admin", rest @ ..] => rest,
        ["cargo", "run", "--release", "--", rest @ ..] | ["cargo", "run", "--", rest @ ..] => rest,
        _ => return None,
    };
    let mut arguments = vec!["briefbot".to_string()];
    arguments.extend(rest.iter().map(|w| w.to_string()));
    Some(arguments)
}

fn is_placeholder(word: &str) -> bool {
    word.contains('…') || (word.starts_with('<') && word.ends_with('>'))
}

#[derive(Debug, PartialEq)]
enum Word {
    Text(String),
    /// `|`, `||`, `&&`, `&` or `;`: one command ends, another may start.
    Operator,
}

/// A line split as a POSIX shell splits it, ended at an unquoted `#` comment or redirection.
fn shell_words(line: &str) -> Vec<Word> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                let text = word.get_or_insert_with(String::new);
                text.extend(chars.by_ref().take_while(|c| *c != '\''));
            }
            '"' => {
                let text = word.get_or_insert_with(String::new);
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' if matches!(chars.peek(), Some('"' | '\\' | '$' | '`')) => {
                            text.extend(chars.next());
                        }
                        c => text.push(c),
                    }
                }
            }
            '\\' => word.get_or_insert_with(String::new).extend(chars.next()),
            '#' if word.is_none() => break,
            // `<like-this>` is a placeholder, kept as a word; `<` or `>` otherwise redirects.
            '<' => {
                let rest: String = chars.clone().take_while(|c| !c.is_whitespace()).collect();
                let Some(end) = rest.find('>') else { break };
                let text = word.get_or_insert_with(String::new);
                text.push('<');
                text.extend(chars.by_ref().take(rest[..=end].chars().count()));
            }
            '>' => break,
            '|' | '&' | ';' => {
                words.extend(word.take().map(Word::Text));
                if words.last() != Some(&Word::Operator) {
                    words.push(Word::Operator);
                }
            }
            c if c.is_whitespace() => words.extend(word.take().map(Word::Text)),
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(word.map(Word::Text));
    words
}

// ---- The scanner's own rules ----

#[test]
fn slugs_are_githubs() {
    assert_eq!(
        slug("Several instances, one announcer (PostgreSQL)"),
        "several-instances-one-announcer-postgresql"
    );
    assert_eq!(
        slug("Author files: `authors/<name>.toml`"),
        "author-files-authorsnametoml"
    );
    assert_eq!(
        slug("How /search reads a query"),
        "how-search-reads-a-query"
    );
    assert_eq!(slug("3. As a service — systemd"), "3-as-a-service--systemd");
    let text = "# A\n\n```sh\n# not a heading\n```\n## A\n### a\n";
    assert_eq!(anchors(text), ["a", "a-1", "a-2"]);
}

#[test]
fn lines_split_as_a_shell_splits_them() {
    let words = |line| -> Vec<Vec<String>> { commands(line) };
    assert_eq!(
        words(r#"sudo BRIEFBOT_CONFIG=x briefbot ask "/round 5"   # a comment"#),
        [["briefbot", "ask", "/round 5"]]
    );
    assert_eq!(
        words("systemctl stop briefbot && briefbot announce --round 6 && systemctl start briefbot"),
        [["briefbot", "announce", "--round", "6"]]
    );
    assert_eq!(
        words("cargo run --release -- check > out.txt"),
        [["briefbot", "check"]]
    );
    assert_eq!(
        words("briefbot-admin state export --to - | less"),
        [["briefbot", "state", "export", "--to", "-"]]
    );
    assert_eq!(
        words("cargo run --release --example corpus -- /tmp/x"),
        Vec::<Vec<String>>::new()
    );
    assert_eq!(
        words("briefbot announce --track <track> --round …"),
        Vec::<Vec<String>>::new()
    );
}

#[test]
fn links_are_found_outside_code_only() {
    let text = "See [a](docs/a.md#x) and ![card](docs/images/card.png \"The card\").\n\
                `[not](a-link.md)`\n\n```md\n[nor](this.md)\n```\n[ref]: <other.md#y>\n";
    let targets: Vec<String> = links(text).into_iter().map(|(_, t)| t).collect();
    assert_eq!(
        targets,
        ["docs/a.md#x", "docs/images/card.png", "other.md#y"]
    );
}
