//! Connection strings: which technology a URL names and which host it points
//! at, so that `DATABASE_URL=postgres://app@db:5432/app` says "PostgreSQL, on
//! the service `db`".

use crate::catalog::{Catalog, TechId};

/// What a connection string says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    pub tech: TechId,
    /// The first host, lowercased, without port (`None` for `sqlite:` and
    /// other host-less URLs).
    pub host: Option<String>,
}

/// Read a connection string. Accepts `scheme://[user[:pass]@]host[:port][,host2...]/...`,
/// `jdbc:<sub>://host...`, `jdbc:sqlserver://host;databaseName=x`, `sqlite:...`.
pub fn parse(catalog: &Catalog, value: &str) -> Option<Connection> {
    let value = value.trim().trim_matches(|c| c == '"' || c == '\'');
    if value.len() > 4096 || !value.contains(':') {
        return None;
    }
    let tech = catalog.match_url(value)?;
    let host = value.find("://").and_then(|i| {
        let rest = &value[i + 3..];
        let authority = rest.split(['/', '?', '#', ';']).next().unwrap_or("");
        let hosts = authority.rsplit('@').next().unwrap_or(authority);
        let first = hosts.split(',').next().unwrap_or(hosts);
        let host = if let Some(bracketed) = first.strip_prefix('[') {
            bracketed.split(']').next().unwrap_or("")
        } else {
            first.split(':').next().unwrap_or("")
        };
        let host = host.trim().to_ascii_lowercase();
        (!host.is_empty() && !host.contains(['$', '{', '}'])).then_some(host)
    });
    Some(Connection { tech, host })
}

/// A host's short name: `db.default.svc.cluster.local` → `db`.
pub fn short_host(host: &str) -> &str {
    host.split('.').next().unwrap_or(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> Catalog {
        let text = r#"category = "database"
[[technology]]
id = "postgresql"
name = "PostgreSQL"
urls = ["postgres", "postgresql", "jdbc:postgresql"]
[[technology]]
id = "sqlite"
name = "SQLite"
urls = ["sqlite"]
[[technology]]
id = "sqlserver"
name = "SQL Server"
urls = ["sqlserver", "jdbc:sqlserver"]
"#;
        crate::detect::testing::catalog(text)
    }

    #[test]
    fn hosts_are_found_behind_credentials_and_ports() {
        let c = catalog();
        let conn = parse(&c, "postgres://app:pw@db:5432/app?sslmode=disable").unwrap();
        assert_eq!(conn.host.as_deref(), Some("db"));
        let conn = parse(
            &c,
            "jdbc:postgresql://pg-primary.data.svc.cluster.local:5432/app",
        )
        .unwrap();
        assert_eq!(
            conn.host.as_deref(),
            Some("pg-primary.data.svc.cluster.local")
        );
        assert_eq!(
            short_host("pg-primary.data.svc.cluster.local"),
            "pg-primary"
        );
        let conn = parse(&c, "jdbc:sqlserver://mssql:1433;databaseName=app").unwrap();
        assert_eq!(conn.host.as_deref(), Some("mssql"));
        let conn = parse(&c, "sqlite:///data/app.db").unwrap();
        assert_eq!(conn.host, None);
    }

    #[test]
    fn templated_hosts_are_not_hosts() {
        let c = catalog();
        let conn = parse(&c, "postgres://app@${DB_HOST}:5432/app").unwrap();
        assert_eq!(conn.host, None);
    }

    #[test]
    fn other_urls_are_not_connections() {
        assert_eq!(parse(&catalog(), "https://api.example.com"), None);
        assert_eq!(parse(&catalog(), "8080"), None);
    }
}
