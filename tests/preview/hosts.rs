//! Whom the preview answers, over loopback: a request whose `Host` is not this machine (as a
//! web page that rebinds its own name to 127.0.0.1 sends it) is refused and shown no brief;
//! this machine's names are served, and any name with `--allow-remote`; every answer carries
//! the headers that keep other sites out. Requests are written by hand, so that the `Host`
//! header is exactly what the test says (or missing).

use std::net::SocketAddr;
use std::time::Duration;

use briefbot::preview::Access;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_util::sync::CancellationToken;

use crate::common;

/// Words of the drafts fixture's held rounds (6, a draft; 7, embargoed), and of round 5,
/// the one it serves: none may reach a refused request.
const BRIEF_WORDS: [&str; 3] = ["marzipan", "quetzal", "Paris round"];

/// The held rounds' pages, and the index that lists them.
const SECRET_PATHS: [&str; 4] = [
    "/",
    "/held/",
    "/held/view?cmd=%2Fround%206",
    "/held/press?id=round:syria-israel:7:positions",
];

/// The preview serving a copy of the drafts fixture on a free loopback port.
struct Preview {
    addr: SocketAddr,
    stop: CancellationToken,
    served: tokio::task::JoinHandle<()>,
    _folder: tempfile::TempDir,
}

impl Preview {
    async fn start(access: Access) -> Preview {
        let folder = tempfile::tempdir().expect("tempdir");
        common::copy_tree(&common::repo("tests/fixtures/briefs-drafts"), folder.path());
        let reloader = briefbot::preview::open(folder.path(), common::shipped_options()).await;
        let listener = briefbot::preview::bind(([127, 0, 0, 1], 0).into())
            .await
            .expect("bind the preview");
        let addr = listener.local_addr().expect("its address");
        let stop = CancellationToken::new();
        let served = tokio::spawn({
            let stop = stop.clone();
            async move {
                briefbot::preview::serve_with(listener, reloader, stop, access)
                    .await
                    .expect("the preview serves");
            }
        });
        Preview {
            addr,
            stop,
            served,
            _folder: folder,
        }
    }

    /// `GET path` with `Host: host` (HTTP/1.1), or with no `Host` at all (HTTP/1.0).
    async fn get(&self, path: &str, host: Option<&str>) -> Answer {
        let request = match host {
            Some(host) => {
                format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n")
            }
            None => format!("GET {path} HTTP/1.0\r\n\r\n"),
        };
        self.send(&request).await
    }

    /// Sends `request` as it is on a new connection and reads the answer: all of it, or only
    /// its head for an event stream, which does not end.
    async fn send(&self, request: &str) -> Answer {
        let exchange = async {
            let mut stream = TcpStream::connect(self.addr).await.expect("connect");
            stream
                .write_all(request.as_bytes())
                .await
                .expect("send the request");
            let mut read = Vec::new();
            let mut buffer = [0; 8192];
            loop {
                let n = stream.read(&mut buffer).await.expect("read the answer");
                read.extend_from_slice(&buffer[..n]);
                let head_done = read.windows(4).any(|w| w == b"\r\n\r\n");
                if n == 0 || (head_done && Answer::parse(&read).is_event_stream()) {
                    return Answer::parse(&read);
                }
            }
        };
        tokio::time::timeout(Duration::from_secs(10), exchange)
            .await
            .unwrap_or_else(|_| panic!("no answer within 10 s to {request:?}"))
    }

    async fn stop(self) {
        self.stop.cancel();
        tokio::time::timeout(Duration::from_secs(5), self.served)
            .await
            .expect("the preview stops within 5 s")
            .expect("the preview task");
    }
}

/// An HTTP answer as read off the wire.
#[derive(Debug)]
struct Answer {
    status: u16,
    /// Names in lower case, in the order sent.
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn parse(read: &[u8]) -> Answer {
        let text = String::from_utf8_lossy(read);
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let mut lines = head.split("\r\n");
        let status = lines
            .next()
            .and_then(|line| line.split(' ').nth(1))
            .and_then(|code| code.parse().ok())
            .unwrap_or_else(|| panic!("no status line in {text:?}"));
        let headers = lines
            .filter_map(|line| line.split_once(':'))
            .map(|(name, value)| (name.to_ascii_lowercase(), value.trim().to_string()))
            .collect();
        Answer {
            status,
            headers,
            body: body.to_string(),
        }
    }

    fn all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    fn is_event_stream(&self) -> bool {
        self.all("content-type")
            .iter()
            .any(|t| t.starts_with("text/event-stream"))
    }

    /// Refused as addressed elsewhere, saying how to allow it, and showing nothing of the
    /// briefs.
    fn assert_refused(&self, what: &str) {
        assert_eq!(self.status, 421, "{what}: {self:#?}");
        assert_eq!(
            self.all("content-type"),
            ["text/plain; charset=utf-8"],
            "{what}"
        );
        assert!(
            self.body.contains("--allow-remote"),
            "{what}: {}",
            self.body
        );
        for word in BRIEF_WORDS {
            assert!(
                !self.body.contains(word),
                "{what} shows {word:?}: {}",
                self.body
            );
        }
        self.assert_kept_to_itself(what);
    }

    /// The four headers that keep other sites out: one policy, forbidding framing.
    fn assert_kept_to_itself(&self, what: &str) {
        let policies = self.all("content-security-policy");
        assert_eq!(policies.len(), 1, "{what}: one policy, {policies:?}");
        assert!(
            policies[0].contains("frame-ancestors 'none'"),
            "{what}: {policies:?}"
        );
        assert_eq!(self.all("x-frame-options"), ["DENY"], "{what}");
        assert_eq!(self.all("x-content-type-options"), ["nosniff"], "{what}");
        assert_eq!(self.all("referrer-policy"), ["no-referrer"], "{what}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_for_a_foreign_host_is_refused_and_shown_no_brief() {
    let preview = Preview::start(Access::default()).await;
    let port = preview.addr.port();
    let foreign = [
        "evil.example".to_string(),
        format!("evil.example:{port}"),
        format!("EVIL.example:{port}"),
        format!("localhost.evil.example:{port}"),
    ];
    for host in &foreign {
        for path in SECRET_PATHS {
            preview
                .get(path, Some(host))
                .await
                .assert_refused(&format!("{path} for {host}"));
        }
    }
    // A target in absolute form names the host too, whatever the `Host` header says.
    preview
        .send(&format!(
            "GET http://evil.example:{port}/held/view?cmd=%2Fround%206 HTTP/1.1\r\n\
             Host: localhost:{port}\r\nConnection: close\r\n\r\n"
        ))
        .await
        .assert_refused("an absolute target for evil.example");
    // A second `Host` header does not slip a foreign name past the first.
    preview
        .send(&format!(
            "GET / HTTP/1.1\r\nHost: localhost:{port}\r\nHost: evil.example:{port}\r\n\
             Connection: close\r\n\r\n"
        ))
        .await
        .assert_refused("a foreign name in a second Host header");
    preview.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_that_names_no_host_is_refused() {
    let preview = Preview::start(Access::default()).await;
    for path in SECRET_PATHS {
        preview
            .get(path, None)
            .await
            .assert_refused(&format!("{path} without a Host"));
    }
    preview.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn this_machines_names_are_served() {
    let preview = Preview::start(Access::default()).await;
    let port = preview.addr.port();
    for host in [
        format!("localhost:{port}"),
        format!("LOCALHOST:{port}"),
        format!("127.0.0.1:{port}"),
        format!("[::1]:{port}"),
        "localhost".to_string(),
        "127.0.0.1".to_string(),
        // A port forwarded to this one (`ssh -L 8080:127.0.0.1:PORT`) keeps its own number.
        "localhost:8080".to_string(),
    ] {
        let index = preview.get("/", Some(&host)).await;
        assert_eq!(index.status, 200, "{host}: {index:#?}");
        assert!(
            index.body.contains("marzipan"),
            "{host}: the held rounds listed"
        );
        let held = preview
            .get("/held/view?cmd=%2Fround%206", Some(&host))
            .await;
        assert_eq!(held.status, 200, "{host}: {held:#?}");
        assert!(
            held.body
                .contains("Geneva round drafts the marzipan accord"),
            "{host}: {}",
            held.body
        );
        held.assert_kept_to_itself(&host);
    }
    preview.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_allow_remote_a_foreign_host_is_served() {
    let preview = Preview::start(Access {
        allow_remote: true,
        ..Access::default()
    })
    .await;
    let port = preview.addr.port();
    for host in [
        Some("evil.example"),
        Some(&format!("evil.example:{port}")),
        None,
    ] {
        let held = preview.get("/held/view?cmd=%2Fround%206", host).await;
        assert_eq!(held.status, 200, "{host:?}: {held:#?}");
        assert!(held.body.contains("marzipan"), "{host:?}");
        held.assert_kept_to_itself(&format!("{host:?} with --allow-remote"));
    }
    preview.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answer_carries_the_headers_that_keep_other_sites_out() {
    let preview = Preview::start(Access::default()).await;
    let host = format!("127.0.0.1:{}", preview.addr.port());
    for (path, status) in [
        ("/", 200),
        ("/view?cmd=%2Fround%205", 200),
        ("/press?id=round:syria-israel:5:positions", 200),
        ("/held/view?cmd=%2Fround%207", 200),
        ("/held/press?id=round:syria-israel:7:positions", 200),
        ("/events", 200),
        ("/style.css", 200),
        ("/preview.js", 200),
        ("/press", 400),
        ("/nowhere", 404),
    ] {
        let answer = preview.get(path, Some(&host)).await;
        assert_eq!(answer.status, status, "{path}: {answer:#?}");
        answer.assert_kept_to_itself(path);
    }
    let posted = preview
        .send(&format!(
            "POST / HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        ))
        .await;
    assert_eq!(posted.status, 405, "{posted:#?}");
    posted.assert_kept_to_itself("POST /");
    // The pages keep their own policy, with the framing rule merged into it.
    let page = preview.get("/view?cmd=%2Fround%205", Some(&host)).await;
    let policy = page.all("content-security-policy");
    assert!(
        policy[0].contains("script-src 'self'") && policy[0].contains("default-src 'none'"),
        "{policy:?}"
    );
    preview.stop().await;
}
