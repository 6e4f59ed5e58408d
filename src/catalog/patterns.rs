//! Name patterns of the catalog: exact names in a map, `*` wildcards in a list.

use std::collections::HashMap;

use crate::catalog::TechId;

/// Exact names in a map, patterns with `*` in a list.
#[derive(Debug, Default)]
pub(super) struct PatternSet {
    exact: HashMap<String, Vec<TechId>>,
    wildcard: Vec<(Wildcard, TechId)>,
}

impl PatternSet {
    pub(super) fn insert(&mut self, pattern: String, tech: TechId) {
        if pattern.contains('*') {
            self.wildcard.push((Wildcard::new(&pattern), tech));
        } else {
            let techs = self.exact.entry(pattern).or_default();
            if !techs.contains(&tech) {
                techs.push(tech);
            }
        }
    }

    pub(super) fn matches(&self, name: &str) -> Vec<TechId> {
        let mut out: Vec<TechId> = self.exact.get(name).cloned().unwrap_or_default();
        for (pattern, tech) in &self.wildcard {
            if pattern.matches(name) && !out.contains(tech) {
                out.push(*tech);
            }
        }
        out
    }
}

/// A pattern where `*` matches any run of characters.
#[derive(Debug, Clone)]
pub(super) struct Wildcard {
    parts: Vec<String>,
}

impl Wildcard {
    pub(super) fn new(pattern: &str) -> Self {
        Self {
            parts: pattern.split('*').map(str::to_string).collect(),
        }
    }

    pub(super) fn matches(&self, text: &str) -> bool {
        let (first, rest) = match self.parts.split_first() {
            Some(split) => split,
            None => return text.is_empty(),
        };
        let Some(mut remaining) = text.strip_prefix(first.as_str()) else {
            return false;
        };
        let Some((last, middle)) = rest.split_last() else {
            return remaining.is_empty();
        };
        for part in middle {
            match remaining.find(part.as_str()) {
                Some(i) => remaining = &remaining[i + part.len()..],
                None => return false,
            }
        }
        remaining.len() >= last.len() && remaining.ends_with(last.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_prefixes_and_infixes() {
        let w = Wildcard::new("@opentelemetry/*");
        assert!(w.matches("@opentelemetry/api"));
        assert!(!w.matches("opentelemetry"));
        let w = Wildcard::new("io.opentelemetry*:*");
        assert!(w.matches("io.opentelemetry.instrumentation:opentelemetry-spring-boot"));
        let w = Wildcard::new("*/redis");
        assert!(w.matches("bitnami/redis"));
        assert!(!w.matches("redis"));
        let w = Wildcard::new("a*a");
        assert!(!w.matches("a"));
        assert!(w.matches("aa"));
    }
}
