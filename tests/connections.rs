//! Connection URLs name technologies through the built-in catalog: every
//! scheme the issue lists, and the host they point at.
#![allow(clippy::unwrap_used)]

use stacklint::catalog::Catalog;
use stacklint::detect::connection;

#[test]
fn every_common_scheme_names_its_technology_and_host() {
    let catalog = Catalog::builtin().unwrap();
    let cases = [
        ("postgres://app:pw@db:5432/app", "postgresql", Some("db")),
        (
            "postgresql://db/app?sslmode=disable",
            "postgresql",
            Some("db"),
        ),
        (
            "postgresql+asyncpg://app@pg.internal/app",
            "postgresql",
            Some("pg.internal"),
        ),
        ("mysql://root@mysql:3306/shop", "mysql", Some("mysql")),
        ("mongodb://mongo:27017/app", "mongodb", Some("mongo")),
        (
            "mongodb+srv://user:pw@cluster0.example.net/app",
            "mongodb",
            Some("cluster0.example.net"),
        ),
        ("redis://cache:6379/0", "redis", Some("cache")),
        (
            "rediss://:pw@cache.example.com:6380",
            "redis",
            Some("cache.example.com"),
        ),
        (
            "amqp://guest:guest@rabbitmq:5672/",
            "rabbitmq",
            Some("rabbitmq"),
        ),
        (
            "amqps://broker.example.com",
            "rabbitmq",
            Some("broker.example.com"),
        ),
        ("nats://nats:4222", "nats", Some("nats")),
        ("sqlite:///data/app.db", "sqlite", None),
        ("sqlite:app.db", "sqlite", None),
        ("jdbc:postgresql://db:5432/orders", "postgresql", Some("db")),
        (
            "jdbc:mysql://mysql:3306/shop?useSSL=false",
            "mysql",
            Some("mysql"),
        ),
        (
            "jdbc:sqlserver://mssql:1433;databaseName=app",
            "sqlserver",
            Some("mssql"),
        ),
        ("jdbc:h2:mem:test", "h2", None),
    ];
    for (url, tech, host) in cases {
        let conn =
            connection::parse(&catalog, url).unwrap_or_else(|| panic!("{url} not recognised"));
        assert_eq!(catalog.get(conn.tech).id, tech, "{url}");
        assert_eq!(conn.host.as_deref(), host, "{url}");
    }
    assert!(connection::parse(&catalog, "https://api.example.com").is_none());
}
