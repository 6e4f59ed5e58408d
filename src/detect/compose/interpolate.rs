//! Compose variable interpolation, as far as a file alone can resolve it:
//! `${VAR:-default}` and `${VAR-default}` become their default (the scan
//! knows no shell environment), `$$` is a literal `$`, and every other form
//! (`${VAR}`, `$VAR`, `${VAR:?error}`, `${VAR:+alt}`) stays as written.

/// Defaults may nest (`${A:-${B:-x}}`); deeper nesting is left as written.
const MAX_NESTING: usize = 8;

/// `text` with the defaults it names filled in.
pub fn interpolate(text: &str) -> String {
    expand(text, 0)
}

fn expand(text: &str, depth: usize) -> String {
    if !text.contains('$') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(dollar) = rest.find('$') {
        out.push_str(rest.get(..dollar).unwrap_or(""));
        let after = rest.get(dollar + 1..).unwrap_or("");
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
            continue;
        }
        let Some(inner_and_tail) = after.strip_prefix('{') else {
            out.push('$');
            rest = after;
            continue;
        };
        let Some(close) = matching_brace(inner_and_tail) else {
            // No closing brace: nothing more to resolve.
            out.push('$');
            out.push_str(after);
            return out;
        };
        let inner = inner_and_tail.get(..close).unwrap_or("");
        match default_of(inner) {
            Some(default) if depth < MAX_NESTING => out.push_str(&expand(default, depth + 1)),
            _ => {
                out.push_str("${");
                out.push_str(inner);
                out.push('}');
            }
        }
        rest = inner_and_tail.get(close + 1..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

/// Offset of the `}` that closes a `${` whose contents start `text`.
fn matching_brace(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => return Some(i),
            '}' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// The default of `NAME:-default` or `NAME-default`.
fn default_of(inner: &str) -> Option<&str> {
    let name_end = inner
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(inner.len());
    if name_end == 0 {
        return None;
    }
    let op = inner.get(name_end..)?;
    op.strip_prefix(":-").or_else(|| op.strip_prefix('-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_filled_in() {
        assert_eq!(
            interpolate("postgres:${PG_VERSION:-16}-alpine"),
            "postgres:16-alpine"
        );
        assert_eq!(
            interpolate("${REGISTRY-ghcr.io}/acme/api"),
            "ghcr.io/acme/api"
        );
        assert_eq!(interpolate("${PORT:-}"), "");
        assert_eq!(interpolate("${A:-${B:-nested}}:x"), "nested:x");
    }

    #[test]
    fn other_forms_stay_as_written() {
        for text in [
            "${TAG}",
            "$TAG",
            "${TAG:?tag is required}",
            "${TAG?required}",
            "${TAG:+set}",
            "api:${TAG}",
        ] {
            assert_eq!(interpolate(text), text);
        }
    }

    #[test]
    fn double_dollars_are_literal() {
        assert_eq!(interpolate("echo $$HOME"), "echo $HOME");
        assert_eq!(interpolate("$${X:-y}"), "${X:-y}");
    }

    #[test]
    fn broken_references_do_not_panic() {
        assert_eq!(interpolate("${OPEN:-x"), "${OPEN:-x");
        assert_eq!(interpolate("$"), "$");
        assert_eq!(interpolate("${}"), "${}");
        assert_eq!(interpolate("${:-x}"), "${:-x}");
        assert_eq!(interpolate("é${A:-ü}é"), "éüé");
        let deep = format!("{}x{}", "${A:-".repeat(50), "}".repeat(50));
        assert!(interpolate(&deep).contains('x'));
    }
}
