//! Search results, the "Brief me" message command and their pages.
//!
//! The query travels in the results message itself (the embed's title), so a page button's
//! `custom_id` holds only the page and the track: paging works after a restart and on any
//! instance, and a query can be longer than a `custom_id`.

use crate::library::Library;
use crate::reply::Reply;

/// The longest query accepted, in characters; it must fit an embed title with its prefix.
pub const MAX_QUERY_CHARS: usize = 200;

/// `/search query [track]`: the first page of results.
pub fn search(library: &Library, query: &str, track: Option<&str>) -> Reply {
    let _ = (library, track);
    Reply::notice(format!("search for {query}: not built yet"))
}

/// A page button of a results message: `carried` is the title of the pressed message's first
/// embed, where the results keep their query.
pub fn page(library: &Library, carried: Option<&str>, track: Option<&str>, page: usize) -> Reply {
    let _ = (library, carried, track, page);
    Reply::notice("search pages: not built yet")
}

/// The "Brief me" message command: the round that best matches a message's text.
pub fn brief_me(library: &Library, text: &str) -> Reply {
    let _ = (library, text);
    Reply::notice("brief me: not built yet")
}
