//! How long briefbot takes to answer each command on the shipped briefs: the pure core
//! (`commands::respond`) plus serialising the reply to the JSON Discord receives.
//! Run with `cargo bench --bench commands`; criterion prints the median of each.

use std::hint::black_box;
use std::path::Path;

use briefbot::cli::line;
use briefbot::commands::{self, Request};
use briefbot::library::{Library, LoadOptions};
use criterion::{Criterion, criterion_group, criterion_main};

fn shipped() -> Library {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("briefs");
    let options = LoadOptions {
        default_track: Some("syria-israel".into()),
    };
    match Library::load(&dir, &options) {
        Ok(library) => library,
        Err(error) => panic!(
            "the shipped briefs must load:\n{}",
            error.diagnostics.render()
        ),
    }
}

fn requests() -> Vec<(&'static str, Request)> {
    let line = |text: &str| line::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
    let complete =
        |text: &str| line::parse_completion(text).unwrap_or_else(|e| panic!("{text}: {e}"));
    vec![
        ("latest", line("/latest")),
        ("round 5", line("/round 5")),
        ("round 9 (missing)", line("/round 9")),
        ("positions", line("/positions")),
        ("positions party", line("/positions party:damascus")),
        ("author", line("/author")),
        ("rounds", line("/rounds")),
        ("about", line("/about")),
        (
            "press positions",
            Request::press("round:syria-israel:5:positions"),
        ),
        ("press more", Request::press("round:syria-israel:5:more:1")),
        ("autocomplete number", complete("/round number:")),
        ("autocomplete party", complete("/positions party:sy")),
    ]
}

fn bench_commands(c: &mut Criterion) {
    let library = shipped();
    let mut group = c.benchmark_group("respond+json");
    for (name, request) in requests() {
        group.bench_function(name, |b| {
            b.iter(|| {
                let reply = commands::respond(black_box(&library), black_box(&request));
                reply.fit().to_json_bytes().len()
            })
        });
    }
    group.finish();
}

fn bench_load(c: &mut Criterion) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("briefs");
    let options = LoadOptions {
        default_track: Some("syria-israel".into()),
    };
    c.bench_function("load shipped briefs", |b| {
        b.iter(|| Library::load(black_box(&dir), &options).is_ok())
    });
    // A whole reload as the watcher, SIGHUP and /reload run it: the load on a blocking
    // thread, the swap, the status sent to the announcer.
    let Ok(runtime) = tokio::runtime::Runtime::new() else {
        panic!("cannot start a tokio runtime for the reload benchmark");
    };
    let reloader = briefbot::live::Reloader::new(shipped(), dir.clone(), options.clone());
    c.bench_function("reload shipped briefs (load + swap)", |b| {
        b.iter(|| runtime.block_on(reloader.reload(briefbot::live::Trigger::Command)))
    });
}

/// The parts of an HTTP interaction's cost: the signature check, and reading the payload
/// (briefbot's own reader, as HTTP and unparsable gateway payloads use it; serenity's, as the
/// gateway uses it).
fn bench_endpoint_parts(c: &mut Criterion) {
    use ed25519_dalek::{Signer, SigningKey};
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/discord");
    let body = std::fs::read(dir.join("slash-round-5.json")).expect("fixture");
    let key = SigningKey::from_bytes(&[7u8; 32]);
    let timestamp = "1767700000";
    let mut message = timestamp.as_bytes().to_vec();
    message.extend_from_slice(&body);
    let verifying = key.verifying_key();
    let single = key.sign(&message);
    c.bench_function("ed25519 verify (1.4 KB body)", |b| {
        use ed25519_dalek::Verifier;
        b.iter(|| verifying.verify(black_box(&message), &single).is_ok())
    });
    let keys = vec![key.verifying_key(); 32];
    let signatures = vec![key.sign(&message); 32];
    let messages: Vec<&[u8]> = vec![&message[..]; 32];
    for n in [8usize, 32] {
        c.bench_function(&format!("ed25519 batch of {n}, per signature"), |b| {
            b.iter_custom(|iters| {
                let started = std::time::Instant::now();
                for _ in 0..iters {
                    let _ =
                        ed25519_dalek::verify_batch(&messages[..n], &signatures[..n], &keys[..n]);
                }
                started.elapsed() / n as u32
            })
        });
    }
    c.bench_function("read interaction (briefbot's reader)", |b| {
        b.iter(|| briefbot::transport::wire::read(black_box(&body)).is_ok())
    });
    c.bench_function("parse interaction (serenity)", |b| {
        b.iter(|| serde_json::from_slice::<serenity::all::Interaction>(black_box(&body)).is_ok())
    });
}

criterion_group!(benches, bench_commands, bench_load, bench_endpoint_parts);
criterion_main!(benches);
