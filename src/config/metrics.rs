//! `[metrics] listen` (or `BRIEFBOT_METRICS_LISTEN`): where `run` and `serve` answer
//! `GET /metrics` (Prometheus) and `GET /healthz`, on a listener of their own. Off unless set;
//! a port alone listens on loopback.

use std::net::{Ipv4Addr, SocketAddr};

use serde::Deserialize;

use super::ConfigError;

/// The variable that sets `[metrics] listen`.
const VAR: &str = "BRIEFBOT_METRICS_LISTEN";

/// The `[metrics]` table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsConfig {
    /// Where the metrics listener listens: none (the default) serves no metrics.
    #[serde(default, deserialize_with = "file_listen")]
    pub listen: Option<SocketAddr>,
}

impl MetricsConfig {
    /// `BRIEFBOT_METRICS_LISTEN`, when set and not blank, replaces `[metrics] listen`.
    pub(super) fn apply_env(
        &mut self,
        env: &impl Fn(&str) -> Option<String>,
    ) -> Result<(), ConfigError> {
        if let Some(listen) = env(VAR).filter(|value| !value.trim().is_empty()) {
            self.listen =
                Some(parse(&listen).map_err(|message| ConfigError::Env { var: VAR, message })?);
        }
        Ok(())
    }
}

/// An address and port (`127.0.0.1:9184`, `[::1]:9184`, `localhost:9184`, looked up as
/// `[serve] listen` is), or a port alone (`9184`), which listens on loopback.
fn parse(text: &str) -> Result<SocketAddr, String> {
    match text.trim().parse::<u16>() {
        Ok(port) => Ok(SocketAddr::from((Ipv4Addr::LOCALHOST, port))),
        Err(_) => super::listen::resolve(text),
    }
}

/// `listen` in the file: a string as `parse` reads it, or a port as a number.
fn file_listen<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<SocketAddr>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Port(u16),
        Text(String),
    }
    match Raw::deserialize(deserializer)? {
        Raw::Port(port) => Ok(Some(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))),
        Raw::Text(text) => parse(&text)
            .map(Some)
            .map_err(|message| serde::de::Error::custom(format!("`metrics.listen` {message}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_port_alone_listens_on_loopback() {
        assert_eq!(
            parse("9184"),
            Ok("127.0.0.1:9184".parse().expect("address"))
        );
        assert_eq!(
            parse(" 0.0.0.0:9184 "),
            Ok("0.0.0.0:9184".parse().expect("address"))
        );
        assert_eq!(
            parse("[::1]:9184"),
            Ok("[::1]:9184".parse().expect("address"))
        );
        assert!(parse("localhost:9184").is_ok_and(|a| a.ip().is_loopback() && a.port() == 9184));
        for wrong in ["nine", "9184x", "127.0.0.1", "70000"] {
            let error = parse(wrong).expect_err(wrong);
            assert!(error.contains(&format!("found \"{wrong}\"")), "{error}");
        }
    }

    #[test]
    fn the_file_takes_a_port_or_an_address_and_the_variable_wins() {
        let table = |text: &str| toml::from_str::<MetricsConfig>(text);
        assert_eq!(table("").expect("empty").listen, None);
        assert_eq!(
            table("listen = 9184").expect("port").listen,
            Some("127.0.0.1:9184".parse().expect("address"))
        );
        assert_eq!(
            table("listen = \"0.0.0.0:9184\"").expect("address").listen,
            Some("0.0.0.0:9184".parse().expect("address"))
        );
        assert!(table("listen = \"nine\"").is_err());
        assert!(table("port = 1").is_err());

        let mut config = table("listen = 9184").expect("port");
        config
            .apply_env(&|var: &str| (var == VAR).then(|| "9185".to_string()))
            .expect("a port");
        assert_eq!(config.listen, Some("127.0.0.1:9185".parse().expect("a")));
        config
            .apply_env(&|_: &str| Some(" ".to_string()))
            .expect("blank");
        assert_eq!(config.listen, Some("127.0.0.1:9185".parse().expect("a")));
        let error = config
            .apply_env(&|_: &str| Some("nine".to_string()))
            .expect_err("refused");
        assert!(
            error
                .to_string()
                .starts_with("environment variable BRIEFBOT_METRICS_LISTEN: must be an address"),
            "{error}"
        );
    }
}
