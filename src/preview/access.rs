//! Whom the preview answers, and what every answer tells the browser. The preview asks no one
//! who they are, so it answers only requests addressed to this machine: otherwise a web page
//! the editor visits could point its own name at 127.0.0.1 (DNS rebinding) and read, through
//! the editor's browser, the drafts and embargoed rounds under `/held/`. And no page of it may
//! be framed by another site, have its type guessed, or tell another site where it was.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The names of this machine a browser on it uses, on any port: a page elsewhere cannot make
/// the browser send them, and a forwarded port (`ssh -L 8080:127.0.0.1:4000`) reaches the
/// preview under a port of its own.
const LOOPBACK_NAME: &str = "localhost";
const LOOPBACK_IPS: [IpAddr; 2] = [
    IpAddr::V4(Ipv4Addr::LOCALHOST),
    IpAddr::V6(Ipv6Addr::LOCALHOST),
];

/// No site may show a page of the preview inside one of its own (clickjacking); browsers that
/// know only the older `X-Frame-Options: DENY` are told that as well.
const FRAME_ANCESTORS: &str = "frame-ancestors 'none'";

/// Which `Host` a request may name to be answered.
#[derive(Clone, Debug)]
pub(super) struct Hosts {
    /// The listen address as bound, then as given on the command line (they differ for
    /// port 0).
    listen: Vec<SocketAddr>,
    /// `--allow-remote`: a request for any name.
    any: bool,
}

impl Hosts {
    pub(super) fn new(listen: impl IntoIterator<Item = SocketAddr>, allow_remote: bool) -> Hosts {
        Hosts {
            listen: listen.into_iter().collect(),
            any: allow_remote,
        }
    }

    /// Whether `authority` (a `Host` header, or the authority of a request target in absolute
    /// form) names this machine: a loopback name, or the listen address.
    fn accepts(&self, authority: &str) -> bool {
        let Some((host, port)) = split(authority) else {
            return false;
        };
        if host.eq_ignore_ascii_case(LOOPBACK_NAME) {
            return true;
        }
        let Some(ip) = ip_of(host) else {
            return false;
        };
        LOOPBACK_IPS.contains(&ip)
            || self.listen.iter().any(|addr| {
                // A browser leaves out port 80, as the address's default.
                addr.ip() == ip && port.unwrap_or(80) == addr.port()
            })
    }

    /// Whether `request` is for this machine. Every name it gives must be: its `Host` headers
    /// and the authority of its target; a request giving none (HTTP/1.0) is not.
    fn admit(&self, request: &Request) -> Result<(), Refused> {
        if self.any {
            return Ok(());
        }
        let headers = request.headers().get_all(header::HOST).iter();
        let mut named = headers
            .map(|host| host.to_str().ok())
            .chain(request.uri().authority().map(|a| Some(a.as_str())))
            .peekable();
        if named.peek().is_none() {
            return Err(Refused::NoHost);
        }
        for name in named {
            match name {
                Some(name) if self.accepts(name) => {}
                Some(name) => return Err(Refused::Foreign(name.to_string())),
                None => return Err(Refused::Foreign("(not text)".to_string())),
            }
        }
        Ok(())
    }

    /// The address to open, for the refusal's text.
    fn open_at(&self) -> String {
        match self.listen.first() {
            Some(addr) if addr.ip().is_loopback() => format!("http://{addr}/"),
            Some(addr) => format!("http://localhost:{}/", addr.port()),
            None => "http://localhost/".to_string(),
        }
    }
}

enum Refused {
    NoHost,
    Foreign(String),
}

/// `authority` as host and port; an IPv6 address keeps its brackets. `None` when it is not
/// one (an empty or unreadable port, a bracket left open).
fn split(authority: &str) -> Option<(&str, Option<u16>)> {
    let (host, port) = if authority.starts_with('[') {
        let end = authority.find(']')? + 1;
        let (host, rest) = authority.split_at(end);
        match rest {
            "" => (host, None),
            rest => (host, Some(rest.strip_prefix(':')?)),
        }
    } else {
        match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    let port = match port {
        // Digits only: `parse` would take a sign.
        Some(port) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => {
            Some(port.parse().ok()?)
        }
        Some(_) => return None,
        None => None,
    };
    Some((host, port))
}

/// The address a host names literally: `127.0.0.1`, or `[::1]` in brackets.
fn ip_of(host: &str) -> Option<IpAddr> {
    match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        Some(v6) => v6.parse::<Ipv6Addr>().ok().map(IpAddr::V6),
        None => host.parse::<Ipv4Addr>().ok().map(IpAddr::V4),
    }
}

/// Answers a request for this machine, and refuses any other with 421 Misdirected Request
/// and a note saying why and what to do.
pub(super) async fn only_this_machine(
    State(hosts): State<Arc<Hosts>>,
    request: Request,
    next: Next,
) -> Response {
    let refused = match hosts.admit(&request) {
        Ok(()) => return next.run(request).await,
        Err(refused) => refused,
    };
    // The name in debug form: a request cannot write a line of its own into the log.
    let why = match &refused {
        Refused::NoHost => {
            tracing::warn!("refused a preview request that names no host");
            "names no host"
        }
        Refused::Foreign(host) => {
            tracing::warn!(host = ?host, "refused a preview request for another host");
            "is for another host"
        }
    };
    let text = format!(
        "This request {why}, and briefbot preview answers only requests for this machine \
         (localhost, 127.0.0.1, [::1] or the address it listens on): a web page could \
         otherwise use a name of its own to read briefs that are not published yet. Open \
         {}, or start `briefbot preview --allow-remote` to answer requests for any host.\n",
        hosts.open_at()
    );
    (
        StatusCode::MISDIRECTED_REQUEST,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        text,
    )
        .into_response()
}

/// The headers every answer carries, whichever handler made it: no framing by another site,
/// no guessing of its type, no address of the preview sent to another site.
pub(super) async fn protect(mut response: Response) -> Response {
    let headers = response.headers_mut();
    let mut policies = Vec::new();
    for policy in headers.get_all(header::CONTENT_SECURITY_POLICY) {
        match unframed(policy) {
            Some(merged) => policies.push(merged),
            // Not text, so not a policy briefbot wrote: kept as it is, beside one that
            // forbids framing (a browser enforces both).
            None => policies.extend([policy.clone(), HeaderValue::from_static(FRAME_ANCESTORS)]),
        }
    }
    if policies.is_empty() {
        policies.push(HeaderValue::from_static(FRAME_ANCESTORS));
    }
    headers.remove(header::CONTENT_SECURITY_POLICY);
    for policy in policies {
        headers.append(header::CONTENT_SECURITY_POLICY, policy);
    }
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

/// A page's own policy with `frame-ancestors 'none'` in place of any `frame-ancestors` it
/// had: one policy, not two the browser would have to reconcile. `None` when it is not text.
fn unframed(policy: &HeaderValue) -> Option<HeaderValue> {
    let directives = policy
        .to_str()
        .ok()?
        .split(';')
        .map(str::trim)
        .filter(|directive| {
            let name = directive
                .split_ascii_whitespace()
                .next()
                .unwrap_or_default();
            !directive.is_empty() && !name.eq_ignore_ascii_case("frame-ancestors")
        });
    let merged: Vec<&str> = directives.chain([FRAME_ANCESTORS]).collect();
    HeaderValue::from_str(&merged.join("; ")).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on(listen: &str) -> Hosts {
        Hosts::new([listen.parse().expect("an address")], false)
    }

    #[test]
    fn loopback_names_are_accepted_on_any_port_in_any_case() {
        let hosts = on("127.0.0.1:4000");
        for name in [
            "localhost",
            "localhost:4000",
            "LocalHost:8080",
            "127.0.0.1",
            "127.0.0.1:4000",
            "[::1]",
            "[::1]:4000",
            "[0:0:0:0:0:0:0:1]:4000",
        ] {
            assert!(hosts.accepts(name), "{name}");
        }
    }

    #[test]
    fn the_listen_address_is_accepted_with_its_port() {
        let hosts = on("127.0.0.2:4000");
        assert!(hosts.accepts("127.0.0.2:4000"));
        assert!(!hosts.accepts("127.0.0.2:4001"));
        assert!(!hosts.accepts("127.0.0.2"), "port 80 is left out, not 4000");
        assert!(on("127.0.0.2:80").accepts("127.0.0.2"));
        assert!(on("[::1]:4000").accepts("[::1]:4000"));
        let both = Hosts::new(
            [
                "127.0.0.3:41234".parse().expect("bound"),
                "127.0.0.3:0".parse().expect("given"),
            ],
            false,
        );
        assert!(both.accepts("127.0.0.3:41234") && both.accepts("127.0.0.3:0"));
    }

    #[test]
    fn other_names_are_refused() {
        let hosts = on("127.0.0.1:4000");
        for name in [
            "evil.example",
            "evil.example:4000",
            "localhost.evil.example",
            "127.0.0.1.nip.io:4000",
            "192.168.1.20:4000",
            "",
            ":4000",
            "localhost:",
            "localhost:+4000",
            "localhost:99999",
            "[::1",
            "[::1]4000",
            "::1",
            "user@localhost",
        ] {
            assert!(!hosts.accepts(name), "{name:?}");
        }
    }

    #[test]
    fn a_frame_ancestors_rule_is_merged_into_the_pages_policy() {
        let merged = unframed(&HeaderValue::from_static(
            "default-src 'none'; script-src 'self'; frame-ancestors https://a.example;",
        ));
        assert_eq!(
            merged.expect("a policy"),
            "default-src 'none'; script-src 'self'; frame-ancestors 'none'"
        );
    }
}
