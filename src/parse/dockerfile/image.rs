//! Image references (`registry:5000/team/app:1.2@sha256:...`) split into
//! name, tag and digest following the distribution reference grammar Docker
//! uses. Usable for any image string: `FROM`, compose `image:`, Kubernetes
//! `image:`. Names are kept as written (`node`, not `docker.io/library/node`).

use std::fmt;

/// A parsed image reference.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ImageRef {
    /// Registry (if any) and repository path: `localhost:5000/app`, `node`.
    pub name: String,
    /// `20-alpine` in `node:20-alpine`.
    pub tag: Option<String>,
    /// `sha256:...` after `@`.
    pub digest: Option<String>,
}

impl ImageRef {
    /// See [`parse_image_ref`].
    pub fn parse(text: &str) -> Option<Self> {
        parse_image_ref(text)
    }

    /// The registry host (with port), when the first path component names
    /// one: it contains `.` or `:`, is `localhost`, or has uppercase letters.
    pub fn registry(&self) -> Option<&str> {
        split_registry(&self.name).0
    }

    /// The repository path without the registry: `team/app`, `node`.
    pub fn repository(&self) -> &str {
        split_registry(&self.name).1
    }
}

impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)?;
        if let Some(tag) = &self.tag {
            write!(f, ":{tag}")?;
        }
        if let Some(digest) = &self.digest {
            write!(f, "@{digest}")?;
        }
        Ok(())
    }
}

/// Split an image reference into name, tag and digest. `None` when the text
/// is not a valid reference (empty, blanks, uppercase repository, bad tag or
/// digest, a tag separator with nothing after it). A `:` before the last `/`
/// is a registry port, not a tag.
pub fn parse_image_ref(text: &str) -> Option<ImageRef> {
    let (rest, digest) = match text.split_once('@') {
        Some((rest, digest)) => (rest, Some(digest)),
        None => (text, None),
    };
    if let Some(digest) = digest {
        if !is_digest(digest) {
            return None;
        }
    }
    let slash = rest.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match rest.get(slash..).and_then(|last| last.rfind(':')) {
        Some(colon) => {
            let at = slash + colon;
            (rest.get(..at)?, Some(rest.get(at + 1..)?))
        }
        None => (rest, None),
    };
    if let Some(tag) = tag {
        if !is_tag(tag) {
            return None;
        }
    }
    let (registry, path) = split_registry(name);
    if registry.is_some_and(|r| !is_registry(r)) || !is_path(path) {
        return None;
    }
    Some(ImageRef {
        name: name.to_string(),
        tag: tag.map(str::to_string),
        digest: digest.map(str::to_string),
    })
}

/// Docker's rule: the part before the first `/` is a registry if it has a
/// `.` or `:`, is `localhost`, or is not all lowercase.
fn split_registry(name: &str) -> (Option<&str>, &str) {
    match name.split_once('/') {
        Some((first, rest))
            if first.contains(['.', ':'])
                || first == "localhost"
                || first.chars().any(|c| c.is_ascii_uppercase()) =>
        {
            (Some(first), rest)
        }
        _ => (None, name),
    }
}

/// `host[:port]`; the host is dotted labels or a bracketed IPv6 address.
fn is_registry(registry: &str) -> bool {
    let (host, port) = if let Some(inner) = registry.strip_prefix('[') {
        let Some((ip, after)) = inner.split_once(']') else {
            return false;
        };
        if ip.is_empty() || !ip.chars().all(|c| c.is_ascii_hexdigit() || c == ':') {
            return false;
        }
        (None, after.strip_prefix(':'))
    } else {
        match registry.split_once(':') {
            Some((host, port)) => (Some(host), Some(port)),
            None => (Some(registry), None),
        }
    };
    let host_ok = host.is_none_or(|h| {
        !h.is_empty()
            && h.split('.').all(|label| {
                !label.is_empty()
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            })
    });
    let port_ok = port.is_none_or(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
    host_ok && port_ok
}

/// Path components of lowercase letters and digits joined by `.`, `_`,
/// `__` or runs of `-`.
fn is_path(path: &str) -> bool {
    !path.is_empty()
        && path.split('/').all(|component| {
            let bytes = component.as_bytes();
            let alnum = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
            let (Some(first), Some(last)) = (bytes.first(), bytes.last()) else {
                return false;
            };
            if !alnum(first) || !alnum(last) {
                return false;
            }
            // Separators between alphanumerics: one `.`, one or two `_`, any `-`.
            component
                .split(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
                .all(|sep| matches!(sep, "" | "." | "_" | "__") || sep.bytes().all(|b| b == b'-'))
        })
}

/// `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
fn is_tag(tag: &str) -> bool {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    tag.len() <= 128
        && tag.starts_with(word)
        && tag.chars().all(|c| word(c) || c == '.' || c == '-')
}

/// `algorithm:hex` with at least 32 hex digits.
fn is_digest(digest: &str) -> bool {
    let Some((algorithm, hex)) = digest.split_once(':') else {
        return false;
    };
    algorithm.starts_with(|c: char| c.is_ascii_alphabetic())
        && algorithm
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-' | '_'))
        && hex.len() >= 32
        && hex.chars().all(|c| c.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIGEST: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    fn split(text: &str) -> (String, Option<String>, Option<String>) {
        let r = parse_image_ref(text).unwrap_or_else(|| panic!("{text} should parse"));
        (r.name, r.tag, r.digest)
    }

    #[test]
    fn name_tag_and_digest_are_split() {
        assert_eq!(split("node"), ("node".into(), None, None));
        assert_eq!(
            split("node:20-alpine"),
            ("node".into(), Some("20-alpine".into()), None)
        );
        let with_digest = format!("python:3.12-slim@{DIGEST}");
        assert_eq!(
            split(&with_digest),
            (
                "python".into(),
                Some("3.12-slim".into()),
                Some(DIGEST.into())
            )
        );
        let only_digest = format!("gcr.io/distroless/static@{DIGEST}");
        assert_eq!(split(&only_digest).1, None);
    }

    #[test]
    fn a_registry_port_is_not_a_tag() {
        let r = parse_image_ref("localhost:5000/app:1.2").unwrap();
        assert_eq!(
            (r.name.as_str(), r.tag.as_deref()),
            ("localhost:5000/app", Some("1.2"))
        );
        assert_eq!(r.registry(), Some("localhost:5000"));
        assert_eq!(r.repository(), "app");
        let r = parse_image_ref("registry.example.com:443/team/api").unwrap();
        assert_eq!(
            (r.tag.as_deref(), r.registry()),
            (None, Some("registry.example.com:443"))
        );
    }

    #[test]
    fn registries_are_recognised_like_docker() {
        assert_eq!(ImageRef::parse("bitnami/redis").unwrap().registry(), None);
        assert_eq!(
            ImageRef::parse("ghcr.io/acme/api:v1").unwrap().registry(),
            Some("ghcr.io")
        );
        assert_eq!(
            ImageRef::parse("localhost/app").unwrap().registry(),
            Some("localhost")
        );
        assert_eq!(
            ImageRef::parse("[::1]:5000/app").unwrap().registry(),
            Some("[::1]:5000")
        );
    }

    #[test]
    fn invalid_references_are_rejected() {
        for text in [
            "",
            "node:",
            ":20",
            "Node:20",
            "node:-x",
            "a//b",
            "app@sha256:short",
            "node 20",
            "-app",
            "app-",
            "a..b",
            "bad host!/app",
            "${IMAGE}",
        ] {
            assert!(parse_image_ref(text).is_none(), "{text:?} should not parse");
        }
    }

    #[test]
    fn display_round_trips() {
        for text in ["node", "node:20", "localhost:5000/a/b:c"] {
            assert_eq!(parse_image_ref(text).unwrap().to_string(), text);
        }
    }
}
