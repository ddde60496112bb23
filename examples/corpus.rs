//! A synthetic briefs folder for scale tests: valid round files, author files and a
//! `parties.toml`, written by `cargo run --release --example corpus -- OUT_DIR`.
//!
//! A development tool, not shipped content: it shows how `briefbot check`, a reload and the
//! commands behave on a library of thousands of rounds. The same arguments write the same bytes.
//! It uses none of briefbot's modules, so the loader stays the only judge of what it writes:
//! `briefbot check OUT_DIR` must find no errors.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context as _, Result, bail};
// Place names become file names as `briefbot new` makes them: "São Paulo" → "sao-paulo".
use briefbot::cli::new::slugify;
use briefbot::library::Date;
use clap::Parser;

use words::*;

/// Writes a synthetic, valid briefs folder for scale tests.
#[derive(Parser)]
#[command(name = "corpus")]
struct Args {
    /// The folder to write; created when missing, refused unless empty.
    out_dir: PathBuf,
    /// Round files in all.
    #[arg(long, default_value_t = 10_000)]
    briefs: usize,
    /// Tracks the rounds are spread over, evenly.
    #[arg(long, default_value_t = 20)]
    tracks: usize,
    /// Author files.
    #[arg(long, default_value_t = 300)]
    authors: usize,
    /// Parties in parties.toml.
    #[arg(long, default_value_t = 60)]
    parties: usize,
    /// Seed of the generator: the same seed and counts write the same bytes.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

/// More rounds than this in one track would run the dates past year 9999, which TOML
/// cannot write.
const MAX_ROUNDS_PER_TRACK: usize = 100_000;

/// Bytes of a briefing, the Markdown after the front matter.
const BODY_MIN: usize = 2 * 1024;
const BODY_MAX: usize = 10 * 1024;

/// Characters of a summary (the card's text).
const SUMMARY_MIN: usize = 500;
const SUMMARY_MAX: usize = 1500;

/// Columns that briefings and multi-line strings are hard-wrapped at, as editors do.
const WRAP: usize = 94;

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<()> {
    validate(args)?;
    prepare_out_dir(&args.out_dir)?;
    let started = Instant::now();
    let mut rng = Rng::new(args.seed);
    let world = World::new(&mut rng, args);
    let mut out = Output::new(&args.out_dir);

    out.write(Path::new("parties.toml"), &parties_toml(&world.parties))?;
    for author in &world.authors {
        out.write(
            &Path::new("authors").join(format!("{}.toml", author.slug)),
            &author_toml(author),
        )?;
    }
    for (index, track) in world.tracks.iter().enumerate() {
        let rounds = args.briefs / args.tracks + usize::from(index < args.briefs % args.tracks);
        write_track(&mut out, &mut rng, &world, track, rounds)?;
    }

    println!(
        "wrote {} files ({} briefs in {} tracks, {} authors, {} parties) to {}: {:.1} MB in {:.2} s",
        out.files,
        args.briefs,
        args.tracks,
        args.authors,
        args.parties,
        args.out_dir.display(),
        out.bytes as f64 / 1_000_000.0,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn validate(args: &Args) -> Result<()> {
    if args.briefs == 0 {
        bail!("--briefs must be 1 or more: briefbot refuses a folder without briefs");
    }
    if args.tracks == 0 || args.tracks > args.briefs {
        bail!(
            "--tracks must be between 1 and --briefs ({}), found {}",
            args.briefs,
            args.tracks
        );
    }
    if args.briefs.div_ceil(args.tracks) > MAX_ROUNDS_PER_TRACK {
        bail!(
            "at most {MAX_ROUNDS_PER_TRACK} rounds per track (their dates would pass year 9999); raise --tracks"
        );
    }
    if args.authors == 0 {
        bail!("--authors must be 1 or more: every brief names its author");
    }
    if args.parties < 2 {
        bail!("--parties must be 2 or more: every round has at least two positions");
    }
    Ok(())
}

/// Creates `dir`, or accepts it when it is an empty folder: the corpus never mixes with,
/// or overwrites, briefs that are already there.
fn prepare_out_dir(dir: &Path) -> Result<()> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                bail!(
                    "{} is not empty; give a new or empty folder, so no existing file is overwritten",
                    dir.display()
                );
            }
            Ok(())
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the folder {}", dir.display())),
        Err(error) => {
            Err(error).with_context(|| format!("cannot use {} as the folder", dir.display()))
        }
    }
}

/// Files written so far, for the summary line.
struct Output {
    root: PathBuf,
    files: usize,
    bytes: u64,
}

impl Output {
    fn new(root: &Path) -> Output {
        Output {
            root: root.to_path_buf(),
            files: 0,
            bytes: 0,
        }
    }

    fn write(&mut self, relative: &Path, text: &str) -> Result<()> {
        let path = self.root.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create the folder {}", parent.display()))?;
        }
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
        self.files += 1;
        self.bytes += text.len() as u64;
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// The generator: splitmix64, small and fixed, so the corpus does not change when a
// dependency's generator does.

struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`; `n` must not be 0. The modulo bias is far below anything a test
    /// corpus could show.
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// A number in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// True `percent` times in a hundred.
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a, T: ?Sized>(&mut self, items: &'a [&'a T]) -> &'a T {
        items[self.below(items.len())]
    }

    /// Two different items, for "A and B"; `items` must hold at least two.
    fn pick_two<'a, T: ?Sized>(&mut self, items: &'a [&'a T]) -> (&'a T, &'a T) {
        let first = self.below(items.len());
        let second = (first + 1 + self.below(items.len() - 1)) % items.len();
        (items[first], items[second])
    }
}

// ---------------------------------------------------------------------------------------
// The cast: parties, authors and tracks, made once and shared by every round.

struct World {
    parties: Vec<Party>,
    authors: Vec<Author>,
    tracks: Vec<Track>,
}

struct Party {
    name: String,
    aliases: Vec<String>,
    emoji: Option<String>,
    /// Organisations mediate and observe; tracks are between states.
    organisation: bool,
}

impl Party {
    /// The name as a sentence uses it: "the United Nations", "Egypt".
    fn subject(&self) -> String {
        const TAKES_THE: &[&str] = &[
            " Authority",
            " Union",
            " League",
            " Council",
            " Cross",
            " Bank",
            " Federation",
            " Front",
            " Alliance",
            " Coalition",
            " Movement",
            " Cooperation",
        ];
        let name = &self.name;
        let takes_the = name.starts_with("United ")
            || name.starts_with("Republic of ")
            || name == "Philippines"
            || TAKES_THE.iter().any(|end| name.ends_with(end));
        if takes_the {
            format!("the {name}")
        } else {
            name.clone()
        }
    }
}

struct Author {
    slug: String,
    name: String,
    title: String,
    affiliation: Option<String>,
    bio: String,
    education: Vec<String>,
    expertise: Vec<String>,
    links: Vec<String>,
}

struct Track {
    slug: String,
    /// Indexes into `World::parties` of the two sides at the table.
    sides: [usize; 2],
}

impl World {
    fn new(rng: &mut Rng, args: &Args) -> World {
        let parties = make_parties(rng, args.parties);
        let authors = make_authors(rng, args.authors);
        let tracks = make_tracks(rng, &parties, args.tracks);
        World {
            parties,
            authors,
            tracks,
        }
    }
}

/// Real states and organisations first, then invented ones once those run out. Every
/// name and alias is kept unique (in any case), as the loader requires.
fn make_parties(rng: &mut Rng, count: usize) -> Vec<Party> {
    let mut taken = BTreeSet::new();
    let mut parties = Vec::with_capacity(count);
    let mut states = STATE_PARTIES.iter();
    let mut organisations = ORGANISATIONS.iter();
    let mut invented = 0;
    while parties.len() < count {
        // One organisation in five keeps mediators among the first parties of a small list.
        let mut state = || states.next().map(|s| (s, false));
        let mut organisation = || organisations.next().map(|o| (o, true));
        let next = if parties.len() % 5 == 4 {
            organisation().or_else(state)
        } else {
            state().or_else(organisation)
        };
        let party = match next {
            Some((&(name, code, aliases), organisation)) => {
                let chosen = choose_aliases(rng, aliases);
                Party {
                    name: name.to_string(),
                    aliases: chosen,
                    emoji: flag(code).filter(|_| organisation || !rng.chance(15)),
                    organisation,
                }
            }
            None => {
                invented += 1;
                invented_party(rng, invented)
            }
        };
        // A name some earlier party answers to would be refused by the loader: skip it.
        if !taken.insert(party.name.to_lowercase()) {
            continue;
        }
        let mut party = party;
        party
            .aliases
            .retain(|alias| taken.insert(alias.to_lowercase()));
        if party.aliases.is_empty() {
            let alias = format!("{} delegation", party.name);
            taken.insert(alias.to_lowercase());
            party.aliases.push(alias);
        }
        parties.push(party);
    }
    parties
}

/// One to three of a party's known aliases, in their listed order.
fn choose_aliases(rng: &mut Rng, aliases: &[&str]) -> Vec<String> {
    let want = rng.range(1, aliases.len().min(3));
    let mut keep: Vec<usize> = (0..aliases.len()).collect();
    while keep.len() > want {
        keep.remove(rng.below(keep.len()));
    }
    keep.into_iter().map(|i| aliases[i].to_string()).collect()
}

/// A flag emoji from a two-letter region code: two regional indicator symbols.
fn flag(code: &str) -> Option<String> {
    if code.len() != 2 {
        return None;
    }
    code.bytes()
        .map(|b| char::from_u32(0x1F1E6 + u32::from(b.checked_sub(b'A')?)))
        .collect()
}

fn invented_party(rng: &mut Rng, number: usize) -> Party {
    let root = INVENTED_ROOTS[(number - 1) % INVENTED_ROOTS.len()];
    let form = INVENTED_FORMS[(number - 1) / INVENTED_ROOTS.len() % INVENTED_FORMS.len()];
    let round = (number - 1) / (INVENTED_ROOTS.len() * INVENTED_FORMS.len());
    let mut name = form.replace("{}", root);
    if round > 0 {
        name = format!("{name} {}", round + 1);
    }
    let initials: String = name
        .split(' ')
        .filter_map(|w| w.chars().next())
        .filter(char::is_ascii_uppercase)
        .collect();
    let mut aliases = vec![format!("{initials}-{number}")];
    if rng.chance(60) {
        aliases.push(format!("{name} delegation"));
    }
    let emoji = rng.chance(50).then(|| rng.pick(INVENTED_EMOJI).to_string());
    Party {
        name,
        aliases,
        emoji,
        organisation: false,
    }
}

fn make_authors(rng: &mut Rng, count: usize) -> Vec<Author> {
    let mut taken = BTreeSet::new();
    (0..count)
        .map(|_| {
            // A name not yet used, if one turns up soon; a namesake gets a numbered file.
            let mut name = String::new();
            for _ in 0..50 {
                name = format!("{} {}", rng.pick(FIRST_NAMES), rng.pick(LAST_NAMES));
                if !taken.contains(&slugify(&name)) {
                    break;
                }
            }
            let base = slugify(&name);
            let mut slug = base.clone();
            let mut n = 1;
            while taken.contains(&slug) {
                n += 1;
                slug = format!("{base}-{n}");
            }
            taken.insert(slug.clone());
            make_author(rng, name, slug)
        })
        .collect()
}

fn make_author(rng: &mut Rng, name: String, slug: String) -> Author {
    let title = rng.pick(AUTHOR_TITLES).to_string();
    let affiliation = (!rng.chance(10)).then(|| rng.pick(INSTITUTES).to_string());
    let mut expertise: Vec<String> = Vec::new();
    for _ in 0..rng.range(1, 4) {
        let topic = rng.pick(EXPERTISE).to_string();
        if !expertise.contains(&topic) {
            expertise.push(topic);
        }
    }
    let education: Vec<String> = (0..rng.range(0, 2))
        .map(|_| {
            format!(
                "{} in {}, {}",
                rng.pick(DEGREES),
                rng.pick(FIELDS),
                rng.pick(UNIVERSITIES)
            )
        })
        .collect();
    let mut links = Vec::new();
    if rng.chance(70) {
        links.push(format!("https://www.example.org/people/{slug}"));
    }
    if rng.chance(30) {
        links.push(format!("https://{}/experts/{slug}", rng.pick(DOMAINS)));
    }
    let bio = author_bio(rng, &name, &title, affiliation.as_deref(), &expertise);
    Author {
        slug,
        name,
        title,
        affiliation,
        bio,
        education,
        expertise,
        links,
    }
}

fn author_bio(
    rng: &mut Rng,
    name: &str,
    title: &str,
    affiliation: Option<&str>,
    expertise: &[String],
) -> String {
    let last = name.rsplit(' ').next().unwrap_or(name);
    let mut bio = match affiliation {
        Some(place) => format!("{name} is {} {title} at {place}.", article(title)),
        None => format!("{name} is an independent analyst."),
    };
    let degree = rng.pick(DEGREES);
    bio.push_str(&format!(
        " {last} holds {} {degree} in {} from {}.",
        article(degree),
        rng.pick(FIELDS),
        rng.pick(UNIVERSITIES)
    ));
    let topics: Vec<String> = expertise.iter().map(|e| e.to_lowercase()).collect();
    bio.push_str(&format!(" {last}'s work covers {}.", join_and(&topics)));
    // Each kind of sentence at most once, so no bio says the same thing twice.
    let mut kinds: Vec<usize> = (0..4).collect();
    for _ in 0..rng.range(1, 3) {
        let line = match kinds.remove(rng.below(kinds.len())) {
            0 => format!(
                "Before this, {last} {}.",
                rng.pick(CAREERS).replace("{place}", rng.pick(PLACES))
            ),
            1 => format!(
                "{last} has written {} briefs for the series since {}.",
                rng.range(3, 140),
                rng.range(1998, 2024)
            ),
            2 => {
                let (first, second) = rng.pick_two(LANGUAGES);
                format!("{last} speaks {first} and {second}.")
            }
            _ => {
                let (first, second) = rng.pick_two(PUBLISHERS);
                format!("{last}'s commentary has appeared in {first} and {second}.")
            }
        };
        bio.push(' ');
        bio.push_str(&line);
    }
    bio
}

/// Tracks between two states, named after them like `syria-israel`; a pair whose name is
/// taken or longer than a track may be gets a numbered name.
fn make_tracks(rng: &mut Rng, parties: &[Party], count: usize) -> Vec<Track> {
    let states: Vec<usize> = (0..parties.len())
        .filter(|&i| !parties[i].organisation)
        .collect();
    // With fewer than two states, organisations sit at the table too.
    let pool: Vec<usize> = if states.len() >= 2 {
        states
    } else {
        (0..parties.len()).collect()
    };
    let mut taken = BTreeSet::new();
    (0..count)
        .map(|index| {
            let mut sides = [0, 0];
            let mut slug = String::new();
            for _ in 0..20 {
                let a = pool[rng.below(pool.len())];
                let mut b = pool[rng.below(pool.len() - 1)];
                if b == a {
                    b = pool[pool.len() - 1];
                }
                sides = [a, b];
                slug = format!(
                    "{}-{}",
                    slugify(&parties[a].name),
                    slugify(&parties[b].name)
                );
                if slug.len() <= 32 && !taken.contains(&slug) {
                    break;
                }
            }
            if slug.len() > 32 || taken.contains(&slug) {
                slug = format!("track-{}", index + 1);
            }
            taken.insert(slug.clone());
            Track { slug, sides }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Rounds.

fn write_track(
    out: &mut Output,
    rng: &mut Rng,
    world: &World,
    track: &Track,
    rounds: usize,
) -> Result<()> {
    let width = rounds.to_string().len().max(3);
    let first = Date::new(rng.range(1990, 2005) as u32, rng.range(1, 12) as u32, 1)
        .context("the first of a month is a day of the calendar")?;
    let mut day = Day(first.days_since_epoch()) + rng.range(0, 27) as i64;
    for number in 1..=rounds {
        day = day + rng.range(3, 25) as i64;
        let place = rng.pick(PLACES);
        let text = round_file(rng, world, track, number, day, place);
        let file = format!("{number:0width$}-{}.md", slugify(place));
        out.write(&Path::new(&track.slug).join(file), &text)?;
    }
    Ok(())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Party,
    Mediator,
    Observer,
}

/// A party's place at one round, and how this brief happens to name it.
struct Seat<'w> {
    party: &'w Party,
    role: Role,
    named_as: String,
}

/// What the prose of one round talks about.
struct Scene {
    place: &'static str,
    ordinal: String,
    date: Day,
    /// "the United Nations", "Egypt": every party at the table, the two sides first.
    subjects: Vec<String>,
    sides: [String; 2],
    mediator: Option<String>,
}

fn round_file(
    rng: &mut Rng,
    world: &World,
    track: &Track,
    number: usize,
    date: Day,
    place: &'static str,
) -> String {
    let seats = seat_parties(rng, world, track);
    let scene = Scene {
        place,
        ordinal: ordinal(number),
        date,
        subjects: seats.iter().map(|s| s.party.subject()).collect(),
        sides: [
            world.parties[track.sides[0]].subject(),
            world.parties[track.sides[1]].subject(),
        ],
        mediator: seats
            .iter()
            .find(|s| s.role == Role::Mediator)
            .map(|s| s.party.subject()),
    };
    // One brief in five quotes a source in Arabic or Hebrew, as real briefs do.
    let quote = rng.chance(20).then(|| *rng.pick_quote());
    let author = &world.authors[rng.below(world.authors.len())];

    let mut f = String::with_capacity(12 * 1024);
    f.push_str("+++\n");
    field(&mut f, "track", toml_string(&track.slug));
    field(&mut f, "round", number.to_string());
    field(&mut f, "title", toml_string(&title(rng, &scene)));
    field(&mut f, "date", date.to_string());
    field(&mut f, "location", toml_string(place));
    field(&mut f, "author", toml_string(&author.slug));
    field(
        &mut f,
        "summary",
        toml_wrapped_string(&summary(rng, &scene, quote.as_ref())),
    );

    f.push_str("key_points = [\n");
    for _ in 0..rng.range(3, 8) {
        let point = prose(rng, &scene, String::new(), 60, 420);
        f.push_str(&format!("  {},\n", toml_string(&point)));
    }
    f.push_str("]\n");
    let opener = rng.pick(STATUS_OPENERS).to_string();
    let status = prose(rng, &scene, opener, 80, 600);
    field(&mut f, "status", toml_string(&status));

    f.push_str("sources = [\n");
    for _ in 0..rng.range(1, 3) {
        f.push_str(&source(rng, &scene));
    }
    f.push_str("]\n");

    let quoted_seat = quote
        .filter(|_| rng.chance(50))
        .map(|q| (rng.below(seats.len()), q));
    for (index, seat) in seats.iter().enumerate() {
        let quote = quoted_seat.filter(|(i, _)| *i == index).map(|(_, q)| q);
        f.push_str(&position(rng, &scene, seat, quote.as_ref()));
    }
    f.push_str("+++\n\n");
    f.push_str(&briefing(rng, &scene, quote.as_ref()));
    f
}

/// The two sides, then perhaps a mediator and observers: 2 to 6 parties, each once.
fn seat_parties<'w>(rng: &mut Rng, world: &'w World, track: &Track) -> Vec<Seat<'w>> {
    let count = rng.range(2, 6.min(world.parties.len()));
    let mut used: Vec<usize> = track.sides.to_vec();
    while used.len() < count {
        let candidate = rng.below(world.parties.len());
        if !used.contains(&candidate) {
            used.push(candidate);
        }
    }
    used.iter()
        .enumerate()
        .map(|(i, &p)| {
            let role = match i {
                0 | 1 => Role::Party,
                2 => Role::Mediator,
                _ if rng.chance(70) => Role::Observer,
                _ => Role::Party,
            };
            let party = &world.parties[p];
            Seat {
                party,
                role,
                named_as: named_as(rng, party),
            }
        })
        .collect()
}

/// Briefs name a party by its name, by an alias, or in another case: the loader accepts
/// all three and the corpus should make it do so.
fn named_as(rng: &mut Rng, party: &Party) -> String {
    let alias = |rng: &mut Rng| match party.aliases.len() {
        0 => party.name.clone(),
        n => party.aliases[rng.below(n)].clone(),
    };
    match rng.below(100) {
        0..55 => party.name.clone(),
        55..90 => alias(rng),
        _ => alias(rng).to_lowercase(),
    }
}

fn title(rng: &mut Rng, scene: &Scene) -> String {
    let noun = rng.pick(NOUNS);
    let adjective = rng.pick(ADJECTIVES);
    let place = scene.place;
    let text = match rng.below(6) {
        0 => format!(
            "{place} round ends with {} {adjective} {noun}",
            article(adjective)
        ),
        1 => format!(
            "{} round in {place}: {} {} {} {adjective} {noun}",
            capitalize(&scene.ordinal),
            scene.sides[rng.below(2)],
            rng.pick(VERBS),
            article(adjective)
        ),
        2 => format!("Talks in {place} stall over {}", rng.pick(TOPICS)),
        3 => format!(
            "{} and {} agree on {} {adjective} {noun} in {place}",
            scene.sides[0],
            scene.sides[1],
            article(adjective)
        ),
        4 => format!(
            "No breakthrough in {place} as talks on {} dominate the {} round",
            rng.pick(TOPICS),
            scene.ordinal
        ),
        _ => format!("{place} talks produce a \"{adjective} {noun}\""),
    };
    capitalize(&text)
}

fn summary(rng: &mut Rng, scene: &Scene, quote: Option<&Quote>) -> String {
    let between = format!("{} and {}", scene.sides[0], scene.sides[1]);
    let talks = match &scene.mediator {
        Some(mediator) => format!("talks between {between}, mediated by {mediator},"),
        None => format!("direct talks between {between}"),
    };
    let adjective = rng.pick(ADJECTIVES);
    let mut text = format!(
        "The {} round of {talks} closed in {} on {} with {} {adjective} {}.",
        scene.ordinal,
        scene.place,
        scene.date.long(),
        article(adjective),
        rng.pick(NOUNS)
    );
    if let Some(quote) = quote {
        text.push(' ');
        text.push_str(&quote_sentence(rng, scene, quote));
    }
    prose(rng, scene, text, SUMMARY_MIN, SUMMARY_MAX)
}

fn quote_sentence(rng: &mut Rng, scene: &Scene, quote: &Quote) -> String {
    let who = &scene.subjects[rng.below(scene.subjects.len())];
    format!(
        "A statement from {who} read, in {}: \"{}\" (\"{}\").",
        quote.language, quote.text, quote.english
    )
}

fn source(rng: &mut Rng, scene: &Scene) -> String {
    let title = match rng.below(5) {
        0 => format!(
            "Readout of the {} round of talks in {}",
            scene.ordinal, scene.place
        ),
        1 => format!(
            "{}–{} talks: what was agreed in {}",
            capitalize(&scene.sides[0]),
            scene.sides[1],
            scene.place
        ),
        2 => format!("Updates on the {} negotiations", scene.place),
        3 => format!(
            "Joint statement on the {} {}",
            rng.pick(ADJECTIVES),
            rng.pick(NOUNS)
        ),
        _ => format!(
            "Analysis: {} after {}",
            capitalize(rng.pick(TOPICS)),
            scene.place
        ),
    };
    let url = format!(
        "https://{}/{}/{:02}/{}",
        rng.pick(DOMAINS),
        scene.date.year(),
        scene.date.month(),
        slugify(&title)
    );
    let publisher = (!rng.chance(10)).then(|| rng.pick(PUBLISHERS));
    match publisher {
        Some(publisher) => format!(
            "  {{ title = {}, publisher = {}, url = {} }},\n",
            toml_string(&title),
            toml_string(publisher),
            toml_string(&url)
        ),
        None => format!(
            "  {{ title = {}, url = {} }},\n",
            toml_string(&title),
            toml_string(&url)
        ),
    }
}

fn position(rng: &mut Rng, scene: &Scene, seat: &Seat, quote: Option<&Quote>) -> String {
    let subject = seat.party.subject();
    let mut p = String::from("\n[[positions]]\n");
    field(&mut p, "party", toml_string(&seat.named_as));
    // `role` may be left out for a party; some briefs do.
    let role = match seat.role {
        Role::Party if rng.chance(30) => None,
        Role::Party => Some("party"),
        Role::Mediator => Some("mediator"),
        Role::Observer => Some("observer"),
    };
    if let Some(role) = role {
        field(&mut p, "role", toml_string(role));
    }
    let adjective = rng.pick(ADJECTIVES);
    let stance = format!(
        "{} {} {} {adjective} {} {}.",
        capitalize(&subject),
        rng.pick(VERBS),
        article(adjective),
        rng.pick(NOUNS),
        complement(rng, scene)
    );
    let stance = prose(rng, scene, stance, 60, 360);
    field(&mut p, "stance", toml_string(&stance));
    if rng.chance(85) {
        let mut details = String::new();
        if let Some(quote) = quote {
            details = format!(
                "A spokesperson for {subject} said, in {}: \"{}\" (\"{}\").",
                quote.language, quote.text, quote.english
            );
        }
        let details = prose(rng, scene, details, 150, 800);
        field(&mut p, "details", toml_string(&details));
    }
    let representatives: Vec<String> = (0..rng.range(0, 3))
        .map(|_| {
            let role = rng
                .pick(REPRESENTATIVE_ROLES)
                .replace("{name}", &seat.party.name)
                .replace("{subject}", &subject);
            format!("{} {}, {role}", rng.pick(FIRST_NAMES), rng.pick(LAST_NAMES))
        })
        .collect();
    if !representatives.is_empty() {
        field(&mut p, "representatives", toml_list(&representatives));
    }
    p
}

/// The Markdown briefing: headings, paragraphs, lists and quotes, hard-wrapped, of
/// `BODY_MIN` to `BODY_MAX` bytes. Most are short; some run long, as real ones do.
fn briefing(rng: &mut Rng, scene: &Scene, quote: Option<&Quote>) -> String {
    let spread = rng.range(1, 7) * 1024;
    let target = BODY_MIN + rng.below(spread);
    let mut body = format!("## {}\n", heading(rng, scene));
    let mut quoted = quote.is_none();
    let mut last_was_heading = true;
    // Two lists in a row would read as one; a paragraph goes between them.
    let mut last_was_list = false;
    while body.len() < target {
        let block = if !quoted && !last_was_heading {
            quoted = true;
            quote.map(|q| blockquote(rng, scene, q)).unwrap_or_default()
        } else {
            // A heading only where a section can still follow it, so none ends the briefing.
            let room_for_section = !last_was_heading && body.len() + 1024 < target;
            match rng.below(100) {
                0..14 if room_for_section => format!("## {}", heading(rng, scene)),
                14..18 if room_for_section => format!("### {}", heading(rng, scene)),
                18..30 if !last_was_list => list(rng, scene, false),
                30..36 if !last_was_list => list(rng, scene, true),
                36..40 => link_paragraph(rng, scene),
                _ => paragraph(rng, scene),
            }
        };
        // Blocks are well under 2 KB, so one that would pass the maximum is only ever
        // skipped once the briefing is long enough.
        if body.len() + block.len() + 2 > BODY_MAX && body.len() >= BODY_MIN {
            break;
        }
        last_was_heading = block.starts_with('#');
        last_was_list = block.starts_with("- ") || block.starts_with("1. ");
        body.push('\n');
        body.push_str(&block);
        body.push('\n');
    }
    body
}

fn heading(rng: &mut Rng, scene: &Scene) -> String {
    let text = rng
        .pick(HEADINGS)
        .replace("{place}", scene.place)
        .replace("{noun}", rng.pick(NOUNS))
        .replace("{adjective}", rng.pick(ADJECTIVES))
        .replace("{topic}", rng.pick(TOPICS));
    capitalize(&text)
}

fn paragraph(rng: &mut Rng, scene: &Scene) -> String {
    let mut text = String::new();
    // Some paragraphs open with a bold lead-in, as briefings often do.
    if rng.chance(15) {
        text = format!("**{}.**", capitalize(rng.pick(TOPICS)));
    }
    for _ in 0..rng.range(3, 7) {
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(&sentence(rng, scene));
    }
    wrap(&text, "", "")
}

fn link_paragraph(rng: &mut Rng, scene: &Scene) -> String {
    let adjective = rng.pick(ADJECTIVES);
    let text = format!(
        "The [readout published by {}](https://{}/{}/{}) describes the {} as *{adjective}*. {} {}",
        rng.pick(PUBLISHERS),
        rng.pick(DOMAINS),
        scene.date.year(),
        slugify(scene.place),
        rng.pick(NOUNS),
        sentence(rng, scene),
        sentence(rng, scene)
    );
    wrap(&text, "", "")
}

fn list(rng: &mut Rng, scene: &Scene, numbered: bool) -> String {
    let items: Vec<String> = (1..=rng.range(3, 6))
        .map(|n| {
            let text = sentence(rng, scene);
            if numbered {
                wrap(&text, &format!("{n}. "), "   ")
            } else {
                wrap(&text, "- ", "  ")
            }
        })
        .collect();
    items.join("\n")
}

fn blockquote(rng: &mut Rng, scene: &Scene, quote: &Quote) -> String {
    let who = &scene.subjects[rng.below(scene.subjects.len())];
    let attribution = wrap(
        &format!(
            "\"{},\" in the words of a statement from {who}, given in {}.",
            quote.english, quote.language
        ),
        "> ",
        "> ",
    );
    format!("> {}\n>\n{attribution}", quote.text)
}

/// Sentences added to `start` until the text reaches a length between `min` and `max`
/// characters; a sentence that would pass `max` is left out.
fn prose(rng: &mut Rng, scene: &Scene, start: String, min: usize, max: usize) -> String {
    let target = rng.range(min, max);
    let mut text = start;
    let mut length = text.chars().count();
    let mut tries = 0;
    while length < target && tries < 200 {
        tries += 1;
        let next = sentence(rng, scene);
        let added = usize::from(!text.is_empty()) + next.chars().count();
        if length + added > max {
            continue;
        }
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(&next);
        length += added;
    }
    text
}

/// Where, when or how something happened: "after 4 days of talks", "in Paris".
fn complement(rng: &mut Rng, scene: &Scene) -> String {
    let since = scene.date.year() - rng.range(2, 30) as i64;
    rng.pick(COMPLEMENTS)
        .replace("{place}", scene.place)
        .replace("{n}", &rng.range(2, 14).to_string())
        .replace("{year}", &since.to_string())
}

/// One sentence about the round, from a handful of shapes.
fn sentence(rng: &mut Rng, scene: &Scene) -> String {
    let subject = |rng: &mut Rng| -> String {
        if rng.chance(50) {
            scene.subjects[rng.below(scene.subjects.len())].clone()
        } else {
            rng.pick(SUBJECTS).to_string()
        }
    };
    let object = |rng: &mut Rng| -> String {
        let adjective = rng.pick(ADJECTIVES);
        match rng.below(3) {
            0 => format!("{} {adjective} {}", article(adjective), rng.pick(NOUNS)),
            1 => format!(
                "the {adjective} {} on {}",
                rng.pick(NOUNS),
                rng.pick(TOPICS)
            ),
            _ => format!("the {}", rng.pick(NOUNS)),
        }
    };
    let text = match rng.below(9) {
        0 | 1 => format!(
            "{}{} {} {} {}.",
            rng.pick(OPENERS),
            subject(rng),
            rng.pick(VERBS),
            object(rng),
            complement(rng, scene)
        ),
        2 => format!(
            "{} said the {} would {} {} {}.",
            subject(rng),
            rng.pick(NOUNS),
            rng.pick(INFINITIVES),
            rng.pick(TOPICS),
            rng.pick(TIMEFRAMES)
                .replace("{n}", &rng.range(2, 18).to_string())
        ),
        3 => format!(
            "The {} {} remains {}, {}.",
            rng.pick(ADJECTIVES),
            rng.pick(NOUNS),
            rng.pick(STATES_OF_PLAY),
            rng.pick(TAILS)
        ),
        4 => {
            let noun = rng.pick(NOUNS);
            let (first, second) = rng.pick_two(ADJECTIVES);
            format!(
                "Officials described the {noun} as \"{first} and {second}\", a phrase repeated in the joint statement."
            )
        }
        5 => format!(
            "The {} on {} would take {} {} to put in place, according to {}.",
            rng.pick(NOUNS),
            rng.pick(TOPICS),
            rng.range(2, 24),
            rng.pick(&["weeks", "months", "years"]),
            rng.pick(ATTRIBUTIONS)
        ),
        6 => {
            let first = subject(rng);
            let mut second = subject(rng);
            if second == first {
                second = "their counterparts".to_string();
            }
            format!(
                "{first} and {second} {} {} {}.",
                rng.pick(VERBS),
                object(rng),
                complement(rng, scene)
            )
        }
        7 => format!(
            "Talks on {} {}, while those on {} {}.",
            rng.pick(TOPICS),
            rng.pick(PROGRESS),
            rng.pick(TOPICS),
            rng.pick(PROGRESS)
        ),
        _ => format!(
            "In all, {} delegates took part in the sessions in {}, {}.",
            rng.range(12, 240),
            scene.place,
            rng.pick(TURNOUT)
        ),
    };
    capitalize(&text)
}

// ---------------------------------------------------------------------------------------
// Quotes in Arabic and Hebrew, some with their vowel marks (harakat, niqqud), because
// briefs quote their sources and the loader, the limits and the cards must cope.

#[derive(Clone, Copy)]
struct Quote {
    language: &'static str,
    text: &'static str,
    english: &'static str,
}

const QUOTES: &[Quote] = &[
    Quote {
        language: "Arabic",
        text: "نحن ملتزمون بالحوار من أجل السلام.",
        english: "We are committed to dialogue for the sake of peace",
    },
    Quote {
        language: "Arabic",
        text: "نَحْنُ مُلْتَزِمُونَ بِالْحِوَارِ مِنْ أَجْلِ السَّلَامِ.",
        english: "We are committed to dialogue for the sake of peace",
    },
    Quote {
        language: "Arabic",
        text: "المفاوضات مستمرة ولم يتم التوصل إلى اتفاق بعد.",
        english: "The negotiations continue, and no agreement has been reached yet",
    },
    Quote {
        language: "Arabic",
        text: "لَا سَلَامَ دُونَ احْتِرَامِ السِّيَادَةِ الْوَطَنِيَّةِ.",
        english: "There is no peace without respect for national sovereignty",
    },
    Quote {
        language: "Arabic",
        text: "الاتفاق خطوة أولى نحو الاستقرار في المنطقة.",
        english: "The agreement is a first step toward stability in the region",
    },
    Quote {
        language: "Hebrew",
        text: "אנחנו מחויבים לדיאלוג ולשלום.",
        english: "We are committed to dialogue and to peace",
    },
    Quote {
        language: "Hebrew",
        text: "אֲנַחְנוּ מְחֻיָּבִים לְדִיאָלוֹג וּלְשָׁלוֹם.",
        english: "We are committed to dialogue and to peace",
    },
    Quote {
        language: "Hebrew",
        text: "המשא ומתן נמשך, ועדיין לא הושג הסכם.",
        english: "The negotiations go on, and no agreement has been reached yet",
    },
    Quote {
        language: "Hebrew",
        text: "הַבִּטָּחוֹן שֶׁל אֶזְרָחֵינוּ קוֹדֵם לַכֹּל.",
        english: "The security of our citizens comes first",
    },
    Quote {
        language: "Hebrew",
        text: "ההסכם הוא צעד ראשון לקראת יציבות באזור.",
        english: "The agreement is a first step toward stability in the region",
    },
];

impl Rng {
    fn pick_quote(&mut self) -> &'static Quote {
        &QUOTES[self.below(QUOTES.len())]
    }
}

// ---------------------------------------------------------------------------------------
// Writing text: TOML strings, wrapped lines, names.

/// A line `key = value` of a TOML table; `value` is already TOML.
fn field(out: &mut String, key: &str, value: impl AsRef<str>) {
    out.push_str(key);
    out.push_str(" = ");
    out.push_str(value.as_ref());
    out.push('\n');
}

/// A TOML list of strings on one line.
fn toml_list(items: &[String]) -> String {
    let items: Vec<String> = items.iter().map(|s| toml_string(s)).collect();
    format!("[{}]", items.join(", "))
}

/// A TOML basic string. Written by hand rather than by the toml crate, so the corpus's
/// bytes do not depend on how a toml release chooses to quote.
fn toml_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    push_escaped(&mut out, text);
    out.push('"');
    out
}

/// A TOML multi-line basic string hard-wrapped with `\` continuations, as the shipped
/// brief writes its summary; the loader reads it back as one line.
fn toml_wrapped_string(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len() + 16);
    push_escaped(&mut escaped, text);
    let mut out = String::from("\"\"\"\n");
    let mut column = 0;
    for (i, word) in escaped.split(' ').enumerate() {
        let width = word.chars().count();
        if i > 0 {
            // The space stays before the `\`; the continuation drops the line break and
            // the next line's indentation, so the text reads back unchanged.
            if column + 1 + width > WRAP {
                out.push_str(" \\\n");
                column = 0;
            } else {
                out.push(' ');
                column += 1;
            }
        }
        out.push_str(word);
        column += width;
    }
    out.push_str("\"\"\"");
    out
}

fn push_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                out.push_str(&format!("\\u{:04X}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
}

/// Hard-wraps `text` at `WRAP` columns: `first` before the first line, `rest` before the
/// others (a list marker and its indentation, or `> `).
fn wrap(text: &str, first: &str, rest: &str) -> String {
    let mut out = String::from(first);
    let mut column = first.chars().count();
    let mut line_empty = true;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let width = word.chars().count();
        if !line_empty && column + 1 + width > WRAP {
            out.push('\n');
            out.push_str(rest);
            column = rest.chars().count();
            line_empty = true;
        }
        if !line_empty {
            out.push(' ');
            column += 1;
        }
        out.push_str(word);
        column += width;
        line_empty = false;
    }
    out
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// "a" or "an" before `word`, by its first letter: right for the words listed here.
fn article(word: &str) -> &'static str {
    match word.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u' | 'A' | 'E' | 'I' | 'O' | 'U') => "an",
        _ => "a",
    }
}

fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn ordinal(n: usize) -> String {
    #[rustfmt::skip]
    const WORDS: &[&str] = &[
        "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
        "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth",
        "seventeenth", "eighteenth", "nineteenth", "twentieth",
    ];
    if let Some(word) = n.checked_sub(1).and_then(|i| WORDS.get(i)) {
        return word.to_string();
    }
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

// ---------------------------------------------------------------------------------------
// Dates: days since 1970-01-01 (the library's `Date::days_since_epoch` one way, and here
// back again), with the civil calendar conversion from Howard Hinnant's "chrono-Compatible
// Low-Level Date Algorithms", so no date crate is needed.

#[derive(Clone, Copy)]
struct Day(i64);

impl Day {
    fn civil(self) -> (i64, i64, i64) {
        let z = self.0 + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        (year, month, day)
    }

    fn year(self) -> i64 {
        self.civil().0
    }

    fn month(self) -> i64 {
        self.civil().1
    }

    /// "Tuesday 6 January 2026", as the shipped brief writes dates in prose.
    fn long(self) -> String {
        #[rustfmt::skip]
        const WEEKDAYS: &[&str] = &[
            "Thursday", "Friday", "Saturday", "Sunday", "Monday", "Tuesday", "Wednesday",
        ];
        #[rustfmt::skip]
        const MONTHS: &[&str] = &[
            "January", "February", "March", "April", "May", "June", "July", "August", "September",
            "October", "November", "December",
        ];
        let (year, month, day) = self.civil();
        // 1970-01-01, day 0, was a Thursday.
        let weekday = WEEKDAYS[self.0.rem_euclid(7) as usize];
        let month = MONTHS[(month - 1) as usize];
        format!("{weekday} {day} {month} {year}")
    }
}

impl std::ops::Add<i64> for Day {
    type Output = Day;
    fn add(self, days: i64) -> Day {
        Day(self.0 + days)
    }
}

/// A TOML date, `2026-01-06`.
impl std::fmt::Display for Day {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (year, month, day) = self.civil();
        write!(f, "{year:04}-{month:02}-{day:02}")
    }
}

// ---------------------------------------------------------------------------------------
// parties.toml and author files.

fn parties_toml(parties: &[Party]) -> String {
    let mut f = String::from(
        "# Synthetic parties written by examples/corpus.rs for scale tests; not real briefs.\n",
    );
    for party in parties {
        f.push_str("\n[[party]]\n");
        field(&mut f, "name", toml_string(&party.name));
        field(&mut f, "aliases", toml_list(&party.aliases));
        if let Some(emoji) = &party.emoji {
            field(&mut f, "emoji", toml_string(emoji));
        }
    }
    f
}

fn author_toml(author: &Author) -> String {
    let mut f = format!(
        "# Briefs name this author as `author = \"{}\"` (the file's name).\n",
        author.slug
    );
    field(&mut f, "name", toml_string(&author.name));
    field(&mut f, "title", toml_string(&author.title));
    if let Some(affiliation) = &author.affiliation {
        field(&mut f, "affiliation", toml_string(affiliation));
    }
    field(&mut f, "bio", toml_wrapped_string(&author.bio));
    for (key, list) in [
        ("education", &author.education),
        ("expertise", &author.expertise),
        ("links", &author.links),
    ] {
        if !list.is_empty() {
            field(&mut f, key, toml_list(list));
        }
    }
    f
}

// ---------------------------------------------------------------------------------------
// Word lists: data, packed as many to a line as fit, which rustfmt would undo.

/// (name, two-letter region code for the flag, aliases to choose from).
type PartyEntry = (&'static str, &'static str, &'static [&'static str]);

#[rustfmt::skip]
mod words {
    use super::PartyEntry;

    pub const STATE_PARTIES: &[PartyEntry] = &[
        ("United States", "US", &["USA", "United States of America", "Washington"]),
        ("Israel", "IL", &["State of Israel", "Israeli government", "IL"]),
        ("Syria", "SY", &["Syrian Arab Republic", "Syrian government", "Damascus", "SY"]),
        ("Lebanon", "LB", &["Lebanese Republic", "Lebanese government", "Beirut"]),
        ("Jordan", "JO", &["Hashemite Kingdom of Jordan", "Jordanian government", "Amman"]),
        ("Egypt", "EG", &["Arab Republic of Egypt", "Egyptian government", "Cairo"]),
        ("Turkey", "TR", &["Türkiye", "Turkish government", "Ankara"]),
        ("Iraq", "IQ", &["Republic of Iraq", "Iraqi government", "Baghdad"]),
        ("Iran", "IR", &["Islamic Republic of Iran", "Iranian government", "Tehran"]),
        ("Saudi Arabia", "SA", &["Kingdom of Saudi Arabia", "Saudi government", "Riyadh"]),
        ("Qatar", "QA", &["State of Qatar", "Qatari government", "Doha"]),
        ("United Arab Emirates", "AE", &["UAE", "Emirati government", "Abu Dhabi"]),
        ("Oman", "OM", &["Sultanate of Oman", "Omani government", "Muscat"]),
        ("Kuwait", "KW", &["State of Kuwait", "Kuwaiti government", "Kuwait City"]),
        ("Bahrain", "BH", &["Kingdom of Bahrain", "Bahraini government", "Manama"]),
        ("Yemen", "YE", &["Republic of Yemen", "Yemeni government", "Sanaa"]),
        ("Palestinian Authority", "PS", &["PA", "Palestinian government", "Ramallah"]),
        ("Cyprus", "CY", &["Republic of Cyprus", "Cypriot government", "Nicosia"]),
        ("Greece", "GR", &["Hellenic Republic", "Greek government", "Athens"]),
        ("Armenia", "AM", &["Republic of Armenia", "Armenian government", "Yerevan"]),
        ("Azerbaijan", "AZ", &["Republic of Azerbaijan", "Azerbaijani government", "Baku"]),
        ("Georgia", "GE", &["Georgian government", "Tbilisi"]),
        ("Russia", "RU", &["Russian Federation", "Russian government", "Moscow"]),
        ("Ukraine", "UA", &["Ukrainian government", "Kyiv"]),
        ("France", "FR", &["French Republic", "French government", "Paris"]),
        ("United Kingdom", "GB", &["UK", "British government", "London"]),
        ("Germany", "DE", &["Federal Republic of Germany", "German government", "Berlin"]),
        ("Norway", "NO", &["Kingdom of Norway", "Norwegian government", "Oslo"]),
        ("Switzerland", "CH", &["Swiss Confederation", "Swiss government", "Bern"]),
        ("Sweden", "SE", &["Kingdom of Sweden", "Swedish government", "Stockholm"]),
        ("Finland", "FI", &["Republic of Finland", "Finnish government", "Helsinki"]),
        ("Italy", "IT", &["Italian Republic", "Italian government", "Rome"]),
        ("Spain", "ES", &["Kingdom of Spain", "Spanish government", "Madrid"]),
        ("China", "CN", &["People's Republic of China", "Chinese government", "Beijing"]),
        ("Japan", "JP", &["Japanese government", "Tokyo"]),
        ("India", "IN", &["Republic of India", "Indian government", "New Delhi"]),
        ("Pakistan", "PK", &["Islamic Republic of Pakistan", "Pakistani government", "Islamabad"]),
        ("Afghanistan", "AF", &["Afghan government", "Kabul"]),
        ("Ethiopia", "ET", &["Ethiopian government", "Addis Ababa"]),
        ("Sudan", "SD", &["Republic of the Sudan", "Sudanese government", "Khartoum"]),
        ("South Sudan", "SS", &["Republic of South Sudan", "South Sudanese government", "Juba"]),
        ("Eritrea", "ER", &["State of Eritrea", "Eritrean government", "Asmara"]),
        ("Somalia", "SO", &["Federal Republic of Somalia", "Somali government", "Mogadishu"]),
        ("Kenya", "KE", &["Republic of Kenya", "Kenyan government", "Nairobi"]),
        ("Libya", "LY", &["State of Libya", "Libyan government", "Tripoli"]),
        ("Tunisia", "TN", &["Tunisian Republic", "Tunisian government", "Tunis"]),
        ("Algeria", "DZ",
            &["People's Democratic Republic of Algeria", "Algerian government", "Algiers"]),
        ("Morocco", "MA", &["Kingdom of Morocco", "Moroccan government", "Rabat"]),
        ("Serbia", "RS", &["Republic of Serbia", "Serbian government", "Belgrade"]),
        ("Kosovo", "", &["Republic of Kosovo", "Kosovar government", "Pristina"]),
        ("Colombia", "CO", &["Republic of Colombia", "Colombian government", "Bogotá"]),
        ("Venezuela", "VE", &["Venezuelan government", "Caracas"]),
        ("North Korea", "KP", &["DPRK", "Pyongyang"]),
        ("South Korea", "KR", &["Republic of Korea", "ROK", "Seoul"]),
        ("Philippines", "PH", &["Philippine government", "Manila"]),
    ];

    pub const ORGANISATIONS: &[PartyEntry] = &[
        ("United Nations", "UN", &["UN", "UN Secretariat", "Secretary-General's office"]),
        ("European Union", "EU", &["EU", "European Commission", "Brussels"]),
        ("African Union", "", &["AU", "AU Commission", "African Union Commission"]),
        ("Arab League", "", &["League of Arab States", "LAS"]),
        ("NATO", "", &["North Atlantic Treaty Organization", "the Alliance"]),
        ("OSCE", "", &["Organization for Security and Co-operation in Europe", "OSCE Minsk Group"]),
        ("International Committee of the Red Cross", "", &["ICRC", "Red Cross"]),
        ("Gulf Cooperation Council", "",
            &["GCC", "Cooperation Council for the Arab States of the Gulf"]),
        ("Organisation of Islamic Cooperation", "", &["OIC"]),
        ("IGAD", "", &["Intergovernmental Authority on Development"]),
        ("World Bank", "", &["World Bank Group", "IBRD"]),
        ("IAEA", "", &["International Atomic Energy Agency"]),
        ("UNHCR", "", &["UN Refugee Agency", "Office of the UN High Commissioner for Refugees"]),
    ];

    /// Invented places for parties beyond the real ones: "Republic of Valdoria", "Marovia Front".
    pub const INVENTED_ROOTS: &[&str] = &[
        "Valdoria", "Marovia", "Kestria", "Ardenne", "Solvay", "Tarsia", "Belmora", "Orlavia",
        "Quenmark", "Dravia", "Hollin", "Seravel", "Mirrow", "Castellane", "Ostrelia", "Venmark",
        "Lirath", "Corvania", "Pellas", "Zemora",
    ];

    pub const INVENTED_FORMS: &[&str] = &[
        "Republic of {}", "{} Federation", "{} Front", "{} Council", "{} Alliance", "{} Authority",
        "{} Coalition", "{} Movement",
    ];

    pub const INVENTED_EMOJI: &[&str] = &["🕊️", "🤝", "⚖️", "🏛️", "🌐", "🏳️"];

    pub const FIRST_NAMES: &[&str] = &[
        "Omar", "Amal", "Yusuf", "Layla", "Karim", "Nour", "Rami", "Hala", "Tariq", "Dina", "Samir",
        "Rania", "Fadi", "Lina", "Ziad", "Maya", "Noa", "Avi", "Tamar", "Eitan", "Yael", "Ido",
        "Shira", "Daniel", "Sarah", "James", "Emily", "Thomas", "Claire", "Pierre", "Élodie",
        "Marco", "Giulia", "Ingrid", "Lars", "Anya", "Dmitri", "Zeynep", "Emre", "Ayşe", "Mehmet",
        "Arman", "Nino", "Giorgi", "Leyla", "Rashid", "Farah", "Hamid", "Soraya", "Kwame", "Amina",
        "Abebe", "Helen", "Priya", "Arjun", "Mei", "Kenji", "Lucía", "Mateo", "Jonas", "Katarzyna",
    ];

    pub const LAST_NAMES: &[&str] = &[
        "Safadi", "Haddad", "Khoury", "Nasser", "Mansour", "Saleh", "Hamdan", "Darwish", "Aziz",
        "Barakat", "Levi", "Cohen", "Mizrahi", "Friedman", "Peretz", "Ben-David", "Shapiro",
        "Carter", "Whitfield", "Morgan", "Hughes", "Dubois", "Laurent", "Moreau", "Rossi",
        "Bianchi", "Lindqvist", "Haugen", "Virtanen", "Müller", "Schneider", "Ivanova", "Petrov",
        "Çelik", "Yılmaz", "Demir", "Sargsyan", "Aliyev", "Beridze", "Karimi", "Tehrani", "Mensah",
        "Okafor", "Tesfaye", "Osman", "Sharma", "Iyer", "Chen", "Tanaka", "Núñez", "García",
        "Novak", "Dvořák", "Kowalski", "O'Neill", "Abadi", "Jaber", "Qasim", "Rahman", "Sultan",
    ];

    pub const AUTHOR_TITLES: &[&str] = &[
        "Senior Fellow", "Research Fellow", "Affiliate Fellow and Senior Editor",
        "Research Associate", "Director of the Mediation Programme", "Non-Resident Fellow",
        "Visiting Scholar", "Senior Analyst", "Editor", "Head of Research", "Policy Analyst",
        "Associate Professor of International Relations",
    ];

    pub const INSTITUTES: &[&str] = &[
        "Tukhum Institute", "Levant Policy Centre", "Carrow Centre for Mediation Studies",
        "Harwell School of Diplomacy", "Mediterranean Dialogue Forum",
        "Institute for Regional Security Studies", "Northgate Peace Research Institute",
        "Caspian Affairs Council", "Red Sea Policy Network", "Geneva Negotiation Lab",
    ];

    pub const DEGREES: &[&str] = &["Ph.D.", "M.A.", "M.Phil.", "LL.M.", "M.Sc.", "B.A."];

    pub const FIELDS: &[&str] = &[
        "Political Science", "International Relations", "Middle Eastern Studies", "Public Policy",
        "International Law", "Economics", "History", "Conflict Resolution",
        "Near Eastern Languages and Civilizations",
    ];

    pub const UNIVERSITIES: &[&str] = &[
        "the University of Chicago", "the American University of Beirut",
        "the Hebrew University of Jerusalem", "Sciences Po", "the London School of Economics",
        "the University of Oxford", "Georgetown University", "the University of Jordan",
        "Boğaziçi University", "the Graduate Institute Geneva", "Cairo University",
        "Tel Aviv University", "Columbia University",
    ];

    pub const EXPERTISE: &[&str] = &[
        "Civil war", "Geopolitics of the Middle East", "Ceasefire design", "Water diplomacy",
        "Border demarcation", "Sanctions", "Refugee policy", "Security sector reform",
        "Energy politics", "Mediation", "Transitional justice", "Gulf politics",
        "Maritime disputes", "Arms control", "Humanitarian access", "Post-war reconstruction",
    ];

    pub const CAREERS: &[&str] = &[
        "reported on the region as a correspondent based in {place}",
        "served as a political officer with a UN mission",
        "taught international relations for a decade", "worked on ceasefire monitoring in {place}",
        "advised a parliamentary committee on foreign affairs",
        "ran a field office for a humanitarian organisation in {place}",
    ];

    pub const LANGUAGES: &[&str] = &[
        "Arabic", "Hebrew", "English", "French", "Turkish", "Persian", "Russian", "Kurdish",
        "Armenian", "German",
    ];

    pub const PUBLISHERS: &[&str] = &[
        "Tukhum Institute", "Regional Policy Review", "The Negotiation Ledger", "Levant Monitor",
        "Gulf Research Notes", "Council on Regional Security", "International Crisis Observer",
        "Geneva Dialogue Centre", "Press Office of the Mediator", "Mediterranean Affairs Desk",
    ];

    /// Reserved example domains (RFC 2606), so no link points at a real site.
    pub const DOMAINS: &[&str] = &[
        "www.example.org", "news.example.com", "press.example.net", "reports.example.org",
        "www.example.com",
    ];

    pub const PLACES: &[&str] = &[
        "Paris", "Geneva", "Abu Dhabi", "Doha", "Cairo", "Amman", "Muscat", "Oslo", "Vienna",
        "Istanbul", "Baku", "Astana", "Sochi", "Riyadh", "Jeddah", "Rome", "Madrid", "Stockholm",
        "Helsinki", "Brussels", "The Hague", "New York", "Washington, D.C.", "Camp David",
        "Sharm el-Sheikh", "Aqaba", "Beirut", "Nicosia", "Montreux", "Lausanne", "Bern",
        "Addis Ababa", "Nairobi", "Kuwait City", "Manama", "Baghdad", "Erbil", "Ankara", "Tbilisi",
        "Yerevan", "Dayton", "Taba", "Annapolis", "Lisbon", "Athens", "Valletta", "Tunis",
        "Algiers", "Rabat", "Marrakesh", "Zürich", "Montréal", "Bogotá", "Reykjavík", "Jūrmala",
        "Naqoura", "Kampala", "Djibouti", "Salalah", "Antalya", "Dushanbe", "Tashkent", "Lugano",
        "Évian-les-Bains",
    ];

    pub const ADJECTIVES: &[&str] = &[
        "joint", "demilitarized", "phased", "provisional", "binding", "non-binding",
        "comprehensive", "partial", "bilateral", "trilateral", "regional", "humanitarian",
        "economic", "technical", "political", "verifiable", "gradual", "conditional", "limited",
        "broad", "cautious", "formal", "informal", "preliminary", "final", "interim", "reciprocal",
        "mutual", "sustained", "durable", "fragile", "renewed", "long-delayed", "unprecedented",
        "modest", "ambitious", "detailed", "vague", "public", "confidential", "military",
        "civilian", "cross-border", "maritime", "territorial", "financial", "legal",
        "administrative", "independent", "international", "multilateral", "coordinated",
        "transitional", "shared", "northern", "southern", "eastern", "western", "open-ended",
        "time-bound",
    ];

    pub const NOUNS: &[&str] = &[
        "agreement", "framework", "ceasefire", "memorandum", "mechanism", "zone", "corridor",
        "commission", "roadmap", "timetable", "withdrawal plan", "package", "guarantee",
        "arrangement", "protocol", "committee", "working group", "buffer zone", "border crossing",
        "water-sharing plan", "prisoner exchange", "reconstruction fund", "monitoring mission",
        "de-escalation plan", "security annex", "trade corridor", "energy deal", "customs regime",
        "hotline", "liaison office", "observer mission", "demarcation line", "sanctions relief",
        "aid convoy", "verification regime", "confidence-building measure", "joint statement",
        "declaration of principles", "electricity link", "refugee return plan", "fisheries accord",
        "pipeline route", "airspace protocol", "demining programme", "amnesty", "census",
        "power-sharing formula", "truce", "investment fund", "port concession", "rail link",
        "detainee list", "compensation fund", "land swap", "security belt", "water quota",
        "communication cell", "fusion mechanism", "economic zone", "deconfliction channel",
    ];

    pub const VERBS: &[&str] = &[
        "proposed", "rejected", "welcomed", "endorsed", "questioned", "signed", "initialled",
        "drafted", "revised", "postponed", "accepted", "tabled", "floated", "reaffirmed",
        "dismissed", "cautiously welcomed", "called for", "pressed for", "objected to", "agreed on",
        "reviewed", "circulated", "publicly praised", "privately criticized", "insisted on",
        "sought guarantees on", "withdrew from", "returned to", "pushed back against", "outlined",
        "announced", "leaked", "disputed", "clarified", "expanded", "narrowed", "ratified",
        "suspended", "reopened", "negotiated", "finalized", "amended", "presented", "backed",
    ];

    pub const INFINITIVES: &[&str] = &[
        "cover", "address", "settle", "govern", "regulate", "exclude", "replace", "strengthen",
        "test", "freeze", "monitor", "open talks on",
    ];

    pub const SUBJECTS: &[&str] = &[
        "the mediators", "both delegations", "the host government", "negotiators",
        "the technical committee", "a senior official", "the chief negotiator", "observers",
        "the working group", "military representatives", "legal advisors", "the envoy",
        "diplomats close to the talks",
    ];

    pub const OPENERS: &[&str] = &[
        "", "", "", "However, ", "In addition, ", "At the same time, ", "According to officials, ",
        "By the end of the round, ", "Earlier in the week, ", "Meanwhile, ", "As a result, ",
        "Notably, ", "In private, ", "For now, ",
    ];

    pub const COMPLEMENTS: &[&str] = &[
        "after {n} days of talks", "in {place}", "behind closed doors",
        "under heavy international pressure", "despite earlier objections",
        "ahead of the next round", "with support from the host government",
        "for the first time since {year}", "without a public statement",
        "at the request of the mediators", "on the last day of the round",
        "at a joint press conference in {place}", "in a late-night session",
        "after a week of shuttle diplomacy", "in a memo released after the talks",
        "in posts on social media",
    ];

    pub const TOPICS: &[&str] = &[
        "the border", "water rights", "prisoner releases", "the return of refugees",
        "reconstruction", "sanctions", "the disputed territory", "airspace", "energy exports",
        "the ceasefire line", "security arrangements", "humanitarian access", "elections",
        "disarmament", "trade", "fishing rights", "the demilitarized strip", "missing persons",
        "heritage sites", "the port", "electricity supplies", "intelligence sharing",
        "the 1974 disengagement lines", "customs revenue",
    ];

    pub const TIMEFRAMES: &[&str] = &[
        "within {n} months", "by the end of the year", "before the next round", "over {n} years",
        "in stages", "once the ceasefire holds", "after a review in {n} weeks",
    ];

    pub const STATES_OF_PLAY: &[&str] = &[
        "under discussion", "unpublished", "contested", "on hold", "the main obstacle",
        "largely symbolic", "the centrepiece of the round", "open to interpretation",
    ];

    pub const TAILS: &[&str] = &[
        "and neither side has commented on its details",
        "though both sides say it is close to final",
        "which the mediators hope to settle before the next round",
        "and its wording has not been made public",
        "a point the host government stressed in its statement",
        "although officials expect more talks on it",
    ];

    pub const TURNOUT: &[&str] = &[
        "more than at the previous round", "fewer than the mediators had invited",
        "including technical experts from both sides", "according to the host government",
        "most of them for the working groups",
    ];

    pub const ATTRIBUTIONS: &[&str] = &[
        "the host government", "a senior diplomat", "two officials present",
        "the mediators' readout", "a draft seen by reporters", "the joint memo",
    ];

    pub const PROGRESS: &[&str] = &[
        "moved forward", "stalled", "were deferred to the next round", "went better than expected",
        "were left to a technical committee", "ended without agreement",
    ];

    pub const HEADINGS: &[&str] = &[
        "What was agreed in {place}", "Background", "The {adjective} {noun}",
        "Why the round matters", "What each side wants", "Open questions", "What comes next",
        "Reactions", "The {noun} in detail", "Sticking points on {topic}", "Analysis",
        "How {topic} shaped the talks",
    ];

    pub const STATUS_OPENERS: &[&str] = &[
        "Outcomes undetermined.", "Agreement reached in principle.",
        "Talks adjourned without agreement.", "Round concluded; next round scheduled.",
        "Talks suspended.", "Framework signed; implementation pending.", "Deadlock persists.",
    ];

    pub const REPRESENTATIVE_ROLES: &[&str] = &[
        "head of the {name} delegation", "chief negotiator for {subject}", "envoy of {subject}",
        "senior advisor to the {name} delegation", "legal counsel to the {name} delegation",
        "military liaison for {subject}",
    ];
}
