//! The one way in: every interaction, from the gateway or over HTTP, is answered here. The
//! handler owns `/reload` (the one action today), the panic guard, and every fallback reply;
//! the transports only read interactions in and send the bytes out.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use tracing::{error, warn};

use super::interaction::{Interaction, Kind};
use crate::commands::{self, Action, Answer, Command, Request, notices};
use crate::library::Library;
use crate::live::{Outcome, Reloader, Trigger};
use crate::reply::Reply;

/// The body of the answer to Discord's PING.
const PONG: &[u8] = br#"{"type":1}"#;

/// How long `/reload` waits for the load before answering that it is still going: Discord
/// drops an interaction not answered within 3 s, and sending the answer takes time too.
const RELOAD_ANSWER_WITHIN: Duration = Duration::from_millis(1500);

/// Answers interactions from the snapshot the reloader serves.
pub struct Handler {
    reloader: Arc<Reloader>,
    cache: ReplyCache,
}

impl Handler {
    pub fn new(reloader: Arc<Reloader>) -> Handler {
        Handler {
            reloader,
            cache: ReplyCache::default(),
        }
    }

    pub fn reloader(&self) -> &Arc<Reloader> {
        &self.reloader
    }

    /// The JSON body of the interaction response. Never panics and never fails: a bug in the
    /// core is logged and answered with an apology of the kind Discord accepts there.
    pub async fn answer(&self, interaction: &Interaction) -> Bytes {
        let autocomplete = interaction.kind.is_autocomplete();
        let request = match &interaction.kind {
            Kind::Ping => return Bytes::from_static(PONG),
            Kind::Request(request) => request,
            Kind::Malformed { error, .. } => {
                warn!(%error, "a request briefbot does not understand; are the registered commands out of date?");
                let reply = if autocomplete {
                    commands::no_choices()
                } else {
                    commands::bad_request(error)
                };
                return guarded(autocomplete, || reply);
            }
            Kind::Unreadable { why, .. } => {
                error!(interaction = interaction.id, error = %why, "an interaction briefbot could not read");
                return apology(autocomplete);
            }
            Kind::Unsupported => return guarded(false, commands::unsupported),
        };
        let library = self.reloader.current();
        if let Some(cached) = self.cache.get(&library, request) {
            return cached;
        }
        let answer = catch_unwind(AssertUnwindSafe(|| commands::answer(&library, request)));
        match answer {
            Ok(Answer::Reply(reply)) => {
                let json = guarded(autocomplete, || reply);
                if cacheable(request) {
                    self.cache.put(&library, request.clone(), json.clone());
                }
                json
            }
            Ok(Answer::Do(Action::Reload)) => self.reload(interaction).await,
            Err(_) => {
                error!("the command core panicked; answered with an apology");
                apology(autocomplete)
            }
        }
    }

    /// `/reload`: the permission checked again (a server can show the command to anyone it
    /// likes), the folder loaded, the outcome worded. A reload longer than Discord waits for
    /// an answer goes on, and the answer says so. Never cached: it is an action.
    async fn reload(&self, interaction: &Interaction) -> Bytes {
        if !interaction.may_manage() {
            warn!("/reload refused: the member may not manage the server");
            return guarded(false, notices::reload_not_allowed);
        }
        let reloader = self.reloader.clone();
        let reload = tokio::spawn(async move { reloader.reload(Trigger::Command).await });
        let outcome = tokio::time::timeout(RELOAD_ANSWER_WITHIN, reload).await;
        guarded(false, || match outcome {
            Ok(Ok(Outcome::Loaded { library, added })) => notices::reloaded(&library, &added),
            Ok(Ok(Outcome::Failed { failure, serving })) => {
                notices::reload_failed(&failure, &serving)
            }
            Ok(Err(_)) => commands::something_went_wrong(),
            Err(_) => notices::reload_slow(),
        })
    }
}

/// The apology for a failure on briefbot's side, as the JSON body Discord accepts there.
pub fn apology(autocomplete: bool) -> Bytes {
    Bytes::from(commands::apology(autocomplete).fit().to_json_bytes())
}

/// A reply fitted and serialised, with a bug anywhere in that answered by the apology.
fn guarded(autocomplete: bool, reply: impl FnOnce() -> Reply) -> Bytes {
    catch_unwind(AssertUnwindSafe(|| reply().fit().to_json_bytes()))
        .map(Bytes::from)
        .unwrap_or_else(|_| {
            error!("building the reply panicked; answered with an apology");
            apology(autocomplete)
        })
}

/// Replies already rendered from the current snapshot. The core is a pure function of the
/// snapshot and the request, so the same request gets the same bytes until a reload swaps
/// the snapshot, which empties the cache. Bounded: it is emptied when full.
#[derive(Default)]
struct ReplyCache {
    inner: Mutex<CacheInner>,
}

#[derive(Default)]
struct CacheInner {
    /// The snapshot the replies were rendered from, kept alive so its address is not reused.
    snapshot: Option<Arc<Library>>,
    replies: HashMap<Request, Bytes>,
}

const CACHE_ENTRIES: usize = 4096;

/// The longest text a cached request may hold, in bytes (a search query within Discord's
/// bound, in any script, fits).
const CACHE_KEY_TEXT: usize = 4 * commands::views::search::MAX_QUERY_CHARS;

/// Whether a reply is worth keeping: not "Brief me", whose key is a whole message that is
/// seldom asked about twice, nor a search whose query is longer than Discord lets anyone
/// type; either would let 4096 entries hold megabytes.
fn cacheable(request: &Request) -> bool {
    match request {
        Request::Command(Command::BriefMe { .. }) => false,
        Request::Command(Command::Search { query, .. }) => query.len() <= CACHE_KEY_TEXT,
        _ => true,
    }
}

impl CacheInner {
    fn is_of(&self, library: &Arc<Library>) -> bool {
        self.snapshot
            .as_ref()
            .is_some_and(|s| Arc::ptr_eq(s, library))
    }
}

impl ReplyCache {
    fn get(&self, library: &Arc<Library>, request: &Request) -> Option<Bytes> {
        let inner = self.inner.lock().ok()?;
        if inner.is_of(library) {
            inner.replies.get(request).cloned()
        } else {
            None
        }
    }

    fn put(&self, library: &Arc<Library>, request: Request, reply: Bytes) {
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        if !inner.is_of(library) || inner.replies.len() >= CACHE_ENTRIES {
            inner.replies.clear();
            inner.snapshot = Some(library.clone());
        }
        inner.replies.insert(request, reply);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_to_whole_messages_and_overlong_queries_are_not_kept() {
        let search = |query: String| Request::Command(Command::Search { query, track: None });
        assert!(cacheable(&Request::Command(Command::Latest {
            track: None
        })));
        assert!(cacheable(&Request::press("search::2")));
        assert!(cacheable(&search("economic zone".into())));
        assert!(cacheable(&search(
            "é".repeat(commands::views::search::MAX_QUERY_CHARS)
        )));
        assert!(!cacheable(&search("zone ".repeat(1000))));
        assert!(!cacheable(&Request::Command(Command::BriefMe {
            text: "Talks resume in Paris".into()
        })));
    }
}
