//! The address a listener binds: `127.0.0.1:8080`, `[::1]:8080`, or a host name and a port
//! (`localhost:8080`), which is looked up once, when the settings are read, as the standard
//! library's `TcpListener::bind` looks it up: the first address the system's resolver gives.

use std::net::{SocketAddr, ToSocketAddrs};

use serde::Deserialize;
use serde::de::{Deserializer, Error};

/// The address that `text` names, or why it names none: the message's end, after the
/// setting's name.
pub fn resolve(text: &str) -> Result<SocketAddr, String> {
    let written = text.trim();
    if let Ok(addr) = written.parse::<SocketAddr>() {
        return Ok(addr);
    }
    let has_port = written
        .rsplit_once(':')
        .is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok());
    if !has_port {
        return Err(format!(
            "must be an address or host name and a port, such as 127.0.0.1:8080 or localhost:8080, found \"{text}\""
        ));
    }
    let mut found = written.to_socket_addrs().map_err(|error| {
        format!("names a host that cannot be looked up, found \"{text}\" ({error}); give an address such as 127.0.0.1:8080, or a name the system resolves")
    })?;
    found.next().ok_or_else(|| {
        format!("names a host that resolves to no address, found \"{text}\"; give an address such as 127.0.0.1:8080, or a name the system resolves")
    })
}

/// `[serve] listen`, looked up where it is written.
pub(super) fn serve_listen<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<SocketAddr, D::Error> {
    let text = String::deserialize(deserializer).map_err(|_: D::Error| {
        D::Error::custom(
            "`serve.listen` must be an address and a port in quotes, such as \"127.0.0.1:8080\" or \"localhost:8080\"",
        )
    })?;
    resolve(&text).map_err(|message| D::Error::custom(format!("`serve.listen` {message}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_or_a_host_name_with_a_port() {
        assert_eq!(
            resolve(" 0.0.0.0:8080 "),
            Ok(SocketAddr::from(([0, 0, 0, 0], 8080)))
        );
        assert_eq!(
            resolve("[::1]:8080"),
            Ok(SocketAddr::from(([0, 0, 0, 0, 0, 0, 0, 1], 8080)))
        );
        let local = resolve("localhost:8080").expect("localhost resolves");
        assert!(local.ip().is_loopback(), "{local}");
        assert_eq!(local.port(), 8080);
        for refused in [
            "localhost",
            "8080",
            ":8080",
            "localhost:http",
            "127.0.0.1:99999",
            "",
        ] {
            let message = resolve(refused).expect_err(refused);
            assert!(
                message.starts_with("must be an address or host name and a port"),
                "{message}"
            );
        }
        let message = resolve("nowhere.invalid:8080").expect_err("no such name");
        assert!(
            message.starts_with(
                "names a host that cannot be looked up, found \"nowhere.invalid:8080\""
            ),
            "{message}"
        );
    }
}
