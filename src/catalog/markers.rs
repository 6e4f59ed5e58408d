//! Marker files: which technologies a file's name or path announces
//! (`Dockerfile`, `.eslintrc.json`, `*.tf`, `.github/workflows/*.yml`).
//!
//! Every file of the tree is checked, so this is on the walk's hot path. Most
//! patterns are literal names, `prefix*` or `*suffix`: those are answered by a
//! hash lookup and a few byte comparisons. The rest go to a `GlobSet`, but
//! only for files whose name ends the way one of those patterns ends.

use std::collections::HashMap;

use globset::{Candidate, GlobBuilder, GlobSet, GlobSetBuilder};

use crate::catalog::TechId;

#[derive(Debug)]
pub struct MarkerIndex {
    exact: HashMap<String, Vec<TechId>>,
    /// Literal paths from the root (`.husky/pre-commit`).
    exact_paths: HashMap<String, Vec<TechId>>,
    /// `prefix*` patterns, bucketed by the prefix's first byte.
    prefixes: HashMap<u8, Vec<(String, TechId)>>,
    /// `*suffix` patterns, bucketed by the extension the suffix ends with
    /// (the text after its last `.`)...
    suffixes: HashMap<String, Vec<(String, TechId)>>,
    /// ... and those whose suffix has no `.`, checked for every file.
    suffixes_any: Vec<(String, TechId)>,
    /// Name patterns of any other shape.
    names: GlobSet,
    name_techs: Vec<TechId>,
    /// Patterns on the path from the root (they hold a `/`).
    paths: GlobSet,
    path_techs: Vec<TechId>,
    /// How the patterns in `names` and `paths` end, bucketed like
    /// `suffixes` (a file that ends otherwise cannot match them); `None` when
    /// one of them may end any way.
    complex_endings: Option<HashMap<String, Vec<String>>>,
}

/// The bucket of a literal ending: the text after its last `.`; `None` when
/// it has no `.` (then it can end any name, whatever its extension).
fn ending_key(text: &str) -> Option<&str> {
    text.rfind('.').map(|i| &text[i + 1..])
}

fn is_meta(c: char) -> bool {
    matches!(c, '*' | '?' | '[' | ']' | '{' | '}' | '\\')
}

/// `{a,b}` alternatives expanded (one level, no nesting), so that each
/// alternative is classified on its own.
fn expand_braces(pattern: &str) -> Vec<String> {
    let (Some(open), Some(close)) = (pattern.find('{'), pattern.rfind('}')) else {
        return vec![pattern.to_string()];
    };
    if close < open || pattern[open + 1..close].contains('{') {
        return vec![pattern.to_string()];
    }
    let (head, tail) = (&pattern[..open], &pattern[close + 1..]);
    pattern[open + 1..close]
        .split(',')
        .map(|alt| format!("{head}{alt}{tail}"))
        .collect()
}

impl MarkerIndex {
    pub fn build(patterns: &[(String, TechId)]) -> Result<Self, String> {
        let mut index = MarkerIndex {
            exact: HashMap::new(),
            exact_paths: HashMap::new(),
            prefixes: HashMap::new(),
            suffixes: HashMap::new(),
            suffixes_any: Vec::new(),
            names: GlobSet::empty(),
            name_techs: Vec::new(),
            paths: GlobSet::empty(),
            path_techs: Vec::new(),
            complex_endings: Some(HashMap::new()),
        };
        let mut names = GlobSetBuilder::new();
        let mut paths = GlobSetBuilder::new();
        for (original, tech) in patterns {
            // An alternative of a path pattern stays a path pattern:
            // `{app.yaml,*/app.yaml}` matches `app.yaml` at the root only.
            let on_path = original.contains('/');
            for pattern in expand_braces(original) {
                let metas = pattern.chars().filter(|c| is_meta(*c)).count();
                if metas == 0 {
                    let map = if on_path {
                        &mut index.exact_paths
                    } else {
                        &mut index.exact
                    };
                    map.entry(pattern).or_default().push(*tech);
                    continue;
                }
                if !on_path && metas == 1 {
                    if let Some(prefix) = pattern.strip_suffix('*')
                        && let Some(first) = prefix.bytes().next()
                    {
                        index
                            .prefixes
                            .entry(first)
                            .or_default()
                            .push((prefix.to_string(), *tech));
                        continue;
                    }
                    if let Some(suffix) = pattern.strip_prefix('*')
                        && !suffix.is_empty()
                    {
                        match ending_key(suffix) {
                            Some(key) => index
                                .suffixes
                                .entry(key.to_string())
                                .or_default()
                                .push((suffix.to_string(), *tech)),
                            None => index.suffixes_any.push((suffix.to_string(), *tech)),
                        }
                        continue;
                    }
                }
                let glob = GlobBuilder::new(&pattern)
                    .literal_separator(true)
                    .build()
                    .map_err(|e| format!("bad file pattern `{original}`: {e}"))?;
                let ending: String = pattern
                    .chars()
                    .rev()
                    .take_while(|c| !is_meta(*c) && *c != '/')
                    .collect::<Vec<char>>()
                    .into_iter()
                    .rev()
                    .collect();
                match (&mut index.complex_endings, ending_key(&ending)) {
                    (Some(endings), Some(key)) => {
                        let key = key.to_string();
                        endings.entry(key).or_default().push(ending);
                    }
                    (endings, None) => *endings = None,
                    (None, Some(_)) => {}
                }
                if on_path {
                    paths.add(glob);
                    index.path_techs.push(*tech);
                } else {
                    names.add(glob);
                    index.name_techs.push(*tech);
                }
            }
        }
        index.names = names
            .build()
            .map_err(|e| format!("bad file patterns: {e}"))?;
        index.paths = paths
            .build()
            .map_err(|e| format!("bad file patterns: {e}"))?;
        for techs in index
            .exact
            .values_mut()
            .chain(index.exact_paths.values_mut())
        {
            techs.dedup();
        }
        Ok(index)
    }

    /// Append the technologies `path` (whose file name is `name`) announces to
    /// `out`, without duplicates; `scratch` is a reusable buffer.
    pub fn match_into(
        &self,
        path: &str,
        name: &str,
        scratch: &mut Vec<usize>,
        out: &mut Vec<TechId>,
    ) {
        let push = |tech: TechId, out: &mut Vec<TechId>| {
            if !out.contains(&tech) {
                out.push(tech);
            }
        };
        if let Some(techs) = self.exact.get(name) {
            for tech in techs {
                push(*tech, out);
            }
        }
        if !self.exact_paths.is_empty()
            && let Some(techs) = self.exact_paths.get(path)
        {
            for tech in techs {
                push(*tech, out);
            }
        }
        if let Some(first) = name.bytes().next()
            && let Some(bucket) = self.prefixes.get(&first)
        {
            for (prefix, tech) in bucket {
                if name.starts_with(prefix.as_str()) {
                    push(*tech, out);
                }
            }
        }
        let key = ending_key(name);
        if let Some(bucket) = key.and_then(|k| self.suffixes.get(k)) {
            for (suffix, tech) in bucket {
                if name.ends_with(suffix.as_str()) {
                    push(*tech, out);
                }
            }
        }
        for (suffix, tech) in &self.suffixes_any {
            if name.ends_with(suffix.as_str()) {
                push(*tech, out);
            }
        }
        let worth_a_glob = match &self.complex_endings {
            None => true,
            Some(endings) => key
                .and_then(|k| endings.get(k))
                .is_some_and(|bucket| bucket.iter().any(|e| name.ends_with(e.as_str()))),
        };
        if !worth_a_glob {
            return;
        }
        if !self.name_techs.is_empty() {
            self.names
                .matches_candidate_into(&Candidate::new(name), scratch);
            for i in scratch.iter() {
                push(self.name_techs[*i], out);
            }
        }
        if !self.path_techs.is_empty() {
            self.paths
                .matches_candidate_into(&Candidate::new(path), scratch);
            for i in scratch.iter() {
                push(self.path_techs[*i], out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(patterns: &[&str]) -> MarkerIndex {
        let patterns: Vec<(String, TechId)> = patterns
            .iter()
            .enumerate()
            .map(|(i, p)| (p.to_string(), i))
            .collect();
        MarkerIndex::build(&patterns).unwrap()
    }

    fn hits(index: &MarkerIndex, path: &str) -> Vec<TechId> {
        let name = path.rsplit('/').next().unwrap_or(path);
        let mut out = Vec::new();
        index.match_into(path, name, &mut Vec::new(), &mut out);
        out.sort();
        out
    }

    #[test]
    fn every_pattern_shape_matches_like_a_glob() {
        let i = index(&[
            "Dockerfile",
            ".eslintrc*",
            "*.tf",
            "docker-compose.*.yml",
            ".github/workflows/*.yml",
            "{app.yaml,[!.]*/app.yaml,[!.]*/**/app.yaml}",
            "**/supabase/config.toml",
            "*Jenkinsfile",
            ".husky/pre-commit",
        ]);
        assert_eq!(hits(&i, ".husky/pre-commit"), [8]);
        assert!(hits(&i, "hooks/pre-commit").is_empty());
        assert_eq!(hits(&i, "ci/Jenkinsfile"), [7]);
        assert_eq!(hits(&i, "api/Dockerfile"), [0]);
        assert_eq!(hits(&i, "web/.eslintrc.json"), [1]);
        assert_eq!(hits(&i, "infra/main.tf"), [2]);
        assert_eq!(hits(&i, "docker-compose.prod.yml"), [3]);
        assert_eq!(hits(&i, ".github/workflows/ci.yml"), [4]);
        assert!(
            hits(&i, "sub/.github/workflows/ci.yml").is_empty(),
            "path patterns are anchored at the root"
        );
        assert_eq!(hits(&i, "app.yaml"), [5]);
        assert_eq!(hits(&i, "service/gae/app.yaml"), [5]);
        assert!(hits(&i, ".do/app.yaml").is_empty());
        assert_eq!(hits(&i, "supabase/config.toml"), [6]);
        assert!(hits(&i, "src/main.rs").is_empty());
        assert!(hits(&i, "Dockerfile.dev").is_empty());
    }

    #[test]
    fn braces_expand_into_alternatives() {
        assert_eq!(expand_braces("a.{yml,yaml}"), ["a.yml", "a.yaml"]);
        assert_eq!(expand_braces("plain"), ["plain"]);
    }
}
