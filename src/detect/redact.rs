//! Keeping secrets out of the model. stacklint runs on pull requests and its
//! output is public: a value read from a deployment file is stored only after
//! URL passwords are masked, and not at all when its name looks secret.

/// Words that mark a variable or attribute name as holding a secret.
const SECRET_WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "PASS",
    "PWD",
    "SECRET",
    "TOKEN",
    "APIKEY",
    "API_KEY",
    "ACCESS_KEY",
    "PRIVATE",
    "CREDENTIAL",
    "AUTH",
    "SIGNING",
    "SALT",
    "DSN_KEY",
    "ENCRYPTION_KEY",
    "MASTER_KEY",
];

/// Whether a name (`DB_PASSWORD`, `stripeApiKey`, `master_password`) looks like
/// it holds a secret.
pub fn looks_secret(name: &str) -> bool {
    let upper = camel_to_snake(name).to_ascii_uppercase();
    SECRET_WORDS.iter().any(|w| {
        upper == *w
            || upper.starts_with(&format!("{w}_"))
            || upper.ends_with(&format!("_{w}"))
            || upper.contains(&format!("_{w}_"))
    }) || upper.ends_with("_KEY") && !upper.ends_with("_PUBLIC_KEY")
}

fn camel_to_snake(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    let mut prev_lower = false;
    for c in name.chars() {
        if c.is_ascii_uppercase() && prev_lower {
            out.push('_');
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        out.push(if c == '-' || c == '.' { '_' } else { c });
    }
    out
}

/// The value with any password in it masked: `postgres://app:s3cret@db/x` →
/// `postgres://app:****@db/x`; `password=s3cret` query or `;Password=...`
/// key-value pairs → `****`.
pub fn redact_value(value: &str) -> String {
    let mut out = mask_userinfo(value);
    for key in [
        "password=",
        "pwd=",
        "passwd=",
        "secret=",
        "token=",
        "sslpassword=",
    ] {
        out = mask_after_key(&out, key);
    }
    out
}

fn mask_userinfo(value: &str) -> String {
    let Some(scheme_end) = value.find("://") else {
        return value.to_string();
    };
    let rest_start = scheme_end + 3;
    let rest = &value[rest_start..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let Some(at) = authority.rfind('@') else {
        return value.to_string();
    };
    let userinfo = &authority[..at];
    match userinfo.split_once(':') {
        Some((user, _password)) => format!(
            "{}{}:****{}",
            &value[..rest_start],
            user,
            &value[rest_start + at..]
        ),
        None => value.to_string(),
    }
}

fn mask_after_key(value: &str, key: &str) -> String {
    let lower = value.to_ascii_lowercase();
    let mut out = String::with_capacity(value.len());
    let mut last = 0;
    let mut search = 0;
    while let Some(found) = lower[search..].find(key) {
        let start = search + found + key.len();
        // Only at a boundary: `?password=`, `&password=`, `;Password=`, start.
        let boundary = search + found == 0
            || matches!(
                lower.as_bytes().get(search + found - 1),
                Some(b'?' | b'&' | b';' | b' ' | b',')
            );
        let end = value[start..]
            .find(['&', ';', ' ', ','])
            .map_or(value.len(), |i| start + i);
        if boundary && end > start {
            out.push_str(&value[last..start]);
            out.push_str("****");
            last = end;
        }
        search = start.max(search + found + 1);
        if search >= value.len() {
            break;
        }
    }
    out.push_str(&value[last..]);
    out
}

/// The value to store for a variable: `None` when its name looks secret,
/// else the redacted value.
pub fn stored_value(name: &str, value: &str) -> Option<String> {
    if looks_secret(name) {
        None
    } else {
        Some(redact_value(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names_are_recognised() {
        for name in [
            "DB_PASSWORD",
            "POSTGRES_PASSWORD",
            "JWT_SECRET",
            "GITHUB_TOKEN",
            "stripeApiKey",
            "AWS_SECRET_ACCESS_KEY",
            "master_password",
            "SECRET_KEY_BASE",
            "PASSWORD",
        ] {
            assert!(looks_secret(name), "{name}");
        }
        for name in [
            "DATABASE_URL",
            "PORT",
            "NODE_ENV",
            "LOG_LEVEL",
            "PASSPORT_STRATEGY",
            "REDIS_HOST",
            "SSL_PUBLIC_KEY",
        ] {
            assert!(!looks_secret(name), "{name}");
        }
    }

    #[test]
    fn url_passwords_are_masked() {
        assert_eq!(
            redact_value("postgres://app:s3cret@db:5432/app"),
            "postgres://app:****@db:5432/app"
        );
        assert_eq!(
            redact_value("redis://:pw@cache:6379/0"),
            "redis://:****@cache:6379/0"
        );
        assert_eq!(
            redact_value("mongodb+srv://u:p@x.mongodb.net/db?retryWrites=true"),
            "mongodb+srv://u:****@x.mongodb.net/db?retryWrites=true"
        );
        assert_eq!(
            redact_value("postgres://db/app?sslmode=disable"),
            "postgres://db/app?sslmode=disable"
        );
        assert_eq!(
            redact_value("https://example.com/a@b"),
            "https://example.com/a@b"
        );
    }

    #[test]
    fn key_value_passwords_are_masked() {
        assert_eq!(
            redact_value("Host=db;Username=app;Password=s3cret;SSL Mode=Disable"),
            "Host=db;Username=app;Password=****;SSL Mode=Disable"
        );
        assert_eq!(
            redact_value("jdbc:mysql://db/app?user=a&password=b&useSSL=false"),
            "jdbc:mysql://db/app?user=a&password=****&useSSL=false"
        );
    }
}
