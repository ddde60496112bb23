//! A load that failed, as the running bot remembers and reports it: how many mistakes, the
//! report editors read, and a fingerprint that tells one failure from another.

use super::load::LoadError;

/// A load that failed: every mistake, as an editor reads them in a terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub(crate) errors: usize,
    /// The diagnostics rendered as `briefbot check` prints them (no colour).
    pub report: String,
    /// Tells one failure from another: the same mistakes give the same fingerprint.
    pub fingerprint: String,
}

impl Failure {
    pub(crate) fn of(error: &LoadError) -> Failure {
        let report = error.diagnostics.render();
        Failure {
            errors: error.diagnostics.len(),
            fingerprint: fingerprint(&report),
            report,
        }
    }

    /// A loader that did not finish (a bug): reported like a failure, so the last good
    /// snapshot stays served.
    pub(crate) fn crashed() -> Failure {
        Failure {
            errors: 1,
            report: "error: briefbot failed while loading the briefs (a bug; see its logs)\n"
                .to_string(),
            fingerprint: "panic".to_string(),
        }
    }
}

/// A short, stable name for a text (64-bit FNV-1a, hex): kept in the state file, so it must
/// not change between Rust releases as `std`'s hasher may.
pub(crate) fn fingerprint(text: &str) -> String {
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_stable_and_tell_texts_apart() {
        assert_eq!(fingerprint(""), "cbf29ce484222325");
        assert_eq!(fingerprint("a"), "af63dc4c8601ec8c");
        assert_ne!(fingerprint("error A"), fingerprint("error B"));
    }
}
