//! Word patterns for CI commands: how a pattern such as `mvn ... verify` or
//! `npm run test*` is matched against the words of one simple command.
//!
//! A pattern is a list of words. A word may hold `*` (any run of characters);
//! the word `...` stands for any number of words, so flags may sit between a
//! tool and its sub-command (`mvn -B -ntp verify`). A pattern matches a prefix
//! of the command: words after it are ignored. The first word of a command may
//! carry a path (`./gradlew`, `vendor/bin/phpunit`), a `.exe`/`.bat`/`.cmd`/`.sh`
//! suffix and a version or tag (`eslint@9`, `aquasec/trivy:0.50`).

/// The word that stands for "any number of words".
pub const GAP: &str = "...";

/// A pattern's words as written, except the first, which is reduced to a
/// command name once (so `vendor/bin/phpunit` is `phpunit`).
pub fn pattern_words(text: &str) -> Vec<String> {
    let mut words: Vec<String> = text.split_whitespace().map(str::to_string).collect();
    if let Some(first) = words.first_mut()
        && first != GAP
    {
        *first = command_name(first).to_string();
    }
    words
}

/// Whether `pattern` (from [`pattern_words`]) matches the start of `tokens`,
/// whose first word runs the command `name` (its [`command_name`], computed
/// once per command rather than once per pattern).
pub fn matches_prefix(pattern: &[String], tokens: &[&str], name: &str) -> bool {
    if pattern.is_empty() || tokens.is_empty() {
        return false;
    }
    let mut segments = pattern.split(|w| w == GAP);
    let Some(first) = segments.next() else {
        return false;
    };
    if !segment_at(first, tokens, 0, name) {
        return false;
    }
    let mut cursor = first.len();
    for segment in segments {
        if segment.is_empty() {
            continue;
        }
        // The earliest place a segment fits leaves the most room for the
        // segments after it, so a greedy scan is exact (and linear per segment).
        let found = (cursor..tokens.len()).find(|&at| segment_at(segment, tokens, at, name));
        match found {
            Some(at) => cursor = at + segment.len(),
            None => return false,
        }
    }
    true
}

/// Whether the words of `sequence` appear one after another anywhere in `tokens`.
pub fn contains_sequence(sequence: &[String], tokens: &[&str]) -> bool {
    let name = tokens.first().map_or("", |t| command_name(t));
    !sequence.is_empty() && (0..tokens.len()).any(|at| segment_at(sequence, tokens, at, name))
}

/// Whether `segment` (no gaps) matches `tokens` starting at index `at`.
fn segment_at(segment: &[String], tokens: &[&str], at: usize, name: &str) -> bool {
    let Some(window) = tokens.get(at..at + segment.len()) else {
        return false;
    };
    segment.iter().zip(window).enumerate().all(|(i, (p, t))| {
        if at + i == 0 {
            glob_matches(p, name)
        } else {
            glob_matches(p, unquote(t))
        }
    })
}

fn unquote(token: &str) -> &str {
    token.trim_matches(|c| c == '"' || c == '\'')
}

/// The name a command is run by: no directory, quotes, extension, version or tag.
pub fn command_name(token: &str) -> &str {
    let token = token.trim_matches(|c| c == '"' || c == '\'' || c == '(' || c == ')');
    let base = token.rsplit(['/', '\\']).next().unwrap_or(token);
    // `eslint@9`, `trivy:0.50` (a scoped npm name `@scope/x` has lost its
    // scope with the directory part above).
    let base = match base.find(['@', ':']) {
        Some(0) | None => base,
        Some(i) => base.get(..i).unwrap_or(base),
    };
    for ext in [".exe", ".bat", ".cmd", ".sh"] {
        if let Some(stripped) = base.strip_suffix(ext) {
            return stripped;
        }
    }
    base
}

/// `*` matches any run of characters; everything else matches itself.
pub fn glob_matches(pattern: &str, text: &str) -> bool {
    if !pattern.contains('*') {
        return pattern == text;
    }
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(i) => rest = rest.get(i + part.len()..).unwrap_or(""),
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        pattern_words(text)
    }

    fn toks(text: &str) -> Vec<&str> {
        text.split_whitespace().collect()
    }

    fn matches(pattern: &[String], command: &str) -> bool {
        let tokens = toks(command);
        let name = command_name(tokens.first().unwrap());
        matches_prefix(pattern, &tokens, name)
    }

    #[test]
    fn gaps_let_flags_sit_between_words() {
        let p = words("mvn ... verify");
        assert!(matches(&p, "mvn verify"));
        assert!(matches(&p, "/usr/bin/mvn -B -ntp clean verify -Pci"));
        assert!(!matches(&p, "mvn -B package"));
        let p = words("cargo fmt ... --check");
        assert!(matches(&p, "cargo fmt --all -- --check"));
        assert!(!matches(&p, "cargo fmt --all"));
        assert!(!matches(&p, "cargo clippy --check"));
        // The pattern's own first word may carry a path.
        assert!(matches(
            &words("vendor/bin/phpunit"),
            "./vendor/bin/phpunit -c x"
        ));
    }

    #[test]
    fn globs_match_inside_words() {
        assert!(glob_matches("test*", "test:unit"));
        assert!(glob_matches("*Test", "integrationTest"));
        assert!(!glob_matches("*Test", "latest"));
        assert!(glob_matches(
            "*aquasec/trivy*",
            "ghcr.io/aquasec/trivy:0.50"
        ));
        assert!(glob_matches("a*b*c", "abbc"));
        assert!(!glob_matches("a*b*c", "acb"));
        assert!(glob_matches("*", ""));
    }

    #[test]
    fn command_names_lose_paths_versions_and_extensions() {
        assert_eq!(command_name("./gradlew"), "gradlew");
        assert_eq!(command_name("C:\\tools\\dotnet.exe"), "dotnet");
        assert_eq!(command_name("eslint@9.1.0"), "eslint");
        assert_eq!(command_name("@biomejs/biome@1.9"), "biome");
        assert_eq!(command_name("aquasec/trivy:0.50.0"), "trivy");
        assert_eq!(command_name("\"pytest\""), "pytest");
        assert_eq!(command_name("@"), "@");
        assert_eq!(command_name(""), "");
    }

    #[test]
    fn sequences_are_found_anywhere() {
        assert!(contains_sequence(
            &words("-x test"),
            &toks("./gradlew build -x test")
        ));
        assert!(contains_sequence(
            &words("-DskipTests*"),
            &toks("mvn -B -DskipTests=true package")
        ));
        assert!(!contains_sequence(&words(""), &toks("mvn")));
    }
}
