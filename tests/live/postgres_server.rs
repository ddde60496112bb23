//! The throwaway PostgreSQL the database tests run against (`common::postgres`): it starts,
//! takes connections over TCP with the password in its URL and refuses a wrong one, and keeps
//! its data across a stop and a start, as a deployment's server does across a restart.

use std::time::Instant;

use crate::common::postgres::{self, PgServer, psql};

#[test]
fn a_server_starts_and_takes_connections_with_its_password_only() {
    let started = Instant::now();
    let Some(server) = PgServer::start() else {
        return;
    };
    eprintln!("initdb and start took {:?}", started.elapsed());

    let url = server.create_database("announcements");
    assert_eq!(
        url,
        format!(
            "postgres://postgres:{}@127.0.0.1:{}/announcements",
            server.password(),
            server.port()
        )
    );
    assert_eq!(psql(&url, "SELECT 1").expect("SELECT 1 over TCP"), "1");

    let wrong = url.replace(server.password(), "not-the-password");
    let refused = psql(&wrong, "SELECT 1").expect_err("a wrong password is refused");
    assert!(
        refused.contains("password authentication failed"),
        "{refused}"
    );
}

#[test]
fn data_survives_a_stop_and_a_start() {
    let Some(server) = PgServer::start() else {
        return;
    };
    let url = server.create_database("state");
    psql(
        &url,
        "CREATE TABLE posted (round int PRIMARY KEY); INSERT INTO posted VALUES (5)",
    )
    .expect("create a table");

    server.stop();
    assert!(
        psql(&url, "SELECT 1").is_err(),
        "a stopped server takes no connections"
    );
    let started = Instant::now();
    server.start_again();
    eprintln!("start again took {:?}", started.elapsed());

    assert_eq!(psql(&url, "SELECT round FROM posted").expect("read"), "5");
}

#[tokio::test]
async fn each_test_database_is_fresh_and_empty() {
    let (Some(first), Some(second)) = (postgres::database(), postgres::database()) else {
        return;
    };
    assert_ne!(first.url(), second.url());
    psql(first.url(), "CREATE TABLE only_here (id int)").expect("create a table");
    let tables = "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'";
    assert_eq!(psql(second.url(), tables).expect("count tables"), "0");
    assert_eq!(psql(first.url(), tables).expect("count tables"), "1");
}
