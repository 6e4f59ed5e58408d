//! What a CI step does, decided by data: `rules/ci-steps.toml` lists commands
//! (`pytest`, `go test`, `kubectl apply`) and actions (`github/codeql-action/analyze`)
//! with the stages they cover and the tool they run. Provider modules extract
//! commands and actions; this module classifies them.

use std::collections::BTreeSet;

use serde::Deserialize;

use crate::catalog::{Catalog, embedded_rule_files};
use crate::error::FileError;
use crate::model::Stage;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StepsFile {
    /// Words that run another command (`poetry run`, `bundle exec`, `npx`):
    /// stripped before matching.
    #[serde(default)]
    wrappers: Vec<String>,
    /// Job names or ids that say a job deploys (`deploy`, `release-prod`).
    #[serde(default)]
    deploy_job_names: Vec<String>,
    #[serde(default)]
    step: Vec<StepDef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StepDef {
    #[serde(default)]
    stages: Vec<Stage>,
    /// A technology id from the catalog.
    #[serde(default)]
    tool: Option<String>,
    /// Command prefixes, word by word; a word ending in `*` matches any word
    /// starting with the rest (`test*` matches `test:unit`).
    #[serde(default)]
    commands: Vec<String>,
    /// Action / orb / task references without version (`actions/checkout`,
    /// `github/codeql-action/*`).
    #[serde(default)]
    actions: Vec<String>,
}

#[derive(Debug)]
struct CommandPattern {
    words: Vec<String>,
    stages: Vec<Stage>,
    tool: Option<String>,
}

#[derive(Debug)]
struct ActionPattern {
    pattern: String,
    stages: Vec<Stage>,
    tool: Option<String>,
}

/// The loaded step signatures.
#[derive(Debug)]
pub struct StepRules {
    wrappers: Vec<Vec<String>>,
    deploy_job_names: Vec<String>,
    commands: Vec<CommandPattern>,
    actions: Vec<ActionPattern>,
}

/// What a command or action does.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Classification {
    pub stages: BTreeSet<Stage>,
    /// Technology ids of the tools it runs.
    pub tools: Vec<String>,
    /// A directory the command changes into first (`cd api && pytest`).
    pub directory: Option<String>,
}

impl Classification {
    fn add(&mut self, stages: &[Stage], tool: Option<&String>) {
        self.stages.extend(stages.iter().copied());
        if let Some(tool) = tool
            && !self.tools.contains(tool)
        {
            self.tools.push(tool.clone());
        }
    }
}

impl StepRules {
    /// Rules that classify nothing (for tests of detectors that never look at CI).
    pub fn empty() -> Self {
        Self {
            wrappers: Vec::new(),
            deploy_job_names: Vec::new(),
            commands: Vec::new(),
            actions: Vec::new(),
        }
    }

    /// The built-in `rules/ci-steps.toml`.
    pub fn builtin() -> Result<Self, Box<FileError>> {
        let text = embedded_rule_files()
            .iter()
            .find(|(path, _)| *path == "ci-steps.toml")
            .map_or("", |(_, text)| *text);
        Self::from_str("rules/ci-steps.toml", text)
    }

    /// Load step signatures. Tool ids are checked against a catalog by
    /// [`StepRules::unknown_tools`] (a test does it for the built-in files),
    /// so a custom catalog never makes a scan fail.
    pub fn from_str(path: &str, text: &str) -> Result<Self, Box<FileError>> {
        let file: StepsFile = toml_edit::de::from_str(text).map_err(|e| {
            Box::new(FileError::new(
                path,
                text,
                e.span(),
                e.message().to_string(),
            ))
        })?;
        let mut rules = StepRules {
            wrappers: file.wrappers.iter().map(|w| words(w)).collect(),
            deploy_job_names: file
                .deploy_job_names
                .iter()
                .map(|n| n.to_ascii_lowercase())
                .collect(),
            commands: Vec::new(),
            actions: Vec::new(),
        };
        // Longest wrappers first, so `python -m` is tried before `python`.
        rules.wrappers.sort_by_key(|w| std::cmp::Reverse(w.len()));
        for step in file.step {
            let tool = step.tool.clone();
            if step.stages.is_empty() && tool.is_none() {
                let first = step
                    .commands
                    .first()
                    .or(step.actions.first())
                    .cloned()
                    .unwrap_or_default();
                let at = text.find(&first).map(|i| i..i + first.len());
                return Err(Box::new(FileError::new(
                    path,
                    text,
                    at,
                    "a step needs `stages` or a `tool`",
                )));
            }
            for command in &step.commands {
                rules.commands.push(CommandPattern {
                    words: words(command),
                    stages: step.stages.clone(),
                    tool: tool.clone(),
                });
            }
            for action in &step.actions {
                rules.actions.push(ActionPattern {
                    pattern: action.to_ascii_lowercase(),
                    stages: step.stages.clone(),
                    tool: tool.clone(),
                });
            }
        }
        Ok(rules)
    }

    /// Classify a shell command line (possibly several lines and `&&` chains).
    pub fn classify_command(&self, script: &str) -> Classification {
        let mut out = Classification::default();
        for simple in split_commands(script) {
            let mut tokens: Vec<&str> = simple.split_whitespace().collect();
            // `FOO=bar cmd`: environment assignments before the command.
            while tokens.first().is_some_and(|t| is_assignment(t)) {
                tokens.remove(0);
            }
            if tokens.first() == Some(&"cd") {
                if out.directory.is_none()
                    && let Some(dir) = tokens.get(1)
                {
                    out.directory = Some(clean_dir(dir));
                }
                continue;
            }
            let tokens = self.strip_wrappers(&tokens);
            for pattern in &self.commands {
                if matches_words(&pattern.words, &tokens) {
                    out.add(&pattern.stages, pattern.tool.as_ref());
                }
            }
        }
        out
    }

    /// Classify an action/orb/task reference (`owner/repo/path@ref`).
    pub fn classify_action(&self, reference: &str) -> Classification {
        let name = reference
            .split('@')
            .next()
            .unwrap_or(reference)
            .trim()
            .to_ascii_lowercase();
        let mut out = Classification::default();
        for pattern in &self.actions {
            if action_matches(&pattern.pattern, &name) {
                out.add(&pattern.stages, pattern.tool.as_ref());
            }
        }
        out
    }

    /// Tool ids that `catalog` does not know (empty for the built-in files).
    pub fn unknown_tools(&self, catalog: &Catalog) -> Vec<String> {
        let mut unknown: Vec<String> = self
            .commands
            .iter()
            .filter_map(|c| c.tool.as_ref())
            .chain(self.actions.iter().filter_map(|a| a.tool.as_ref()))
            .filter(|id| catalog.id_of(id).is_none())
            .cloned()
            .collect();
        unknown.sort();
        unknown.dedup();
        unknown
    }

    /// Whether a job's id or name says it deploys.
    pub fn is_deploy_job_name(&self, name: &str) -> bool {
        let lower = name.to_ascii_lowercase();
        lower
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|word| self.deploy_job_names.iter().any(|n| n == word))
    }

    fn strip_wrappers<'a>(&self, tokens: &[&'a str]) -> Vec<&'a str> {
        let mut rest: Vec<&str> = tokens.to_vec();
        // Wrappers can nest (`sudo -E poetry run pytest`); bounded by length.
        let mut changed = true;
        while changed && !rest.is_empty() {
            changed = false;
            for wrapper in &self.wrappers {
                if let Some(len) = match_len(wrapper, &rest)
                    && rest.len() > len
                {
                    rest.drain(..len);
                    // Flags of the wrapper itself (`npx --yes`, `sudo -E`).
                    while rest.first().is_some_and(|t| t.starts_with('-')) && rest.len() > 1 {
                        rest.remove(0);
                    }
                    changed = true;
                    break;
                }
            }
        }
        rest
    }
}

fn words(text: &str) -> Vec<String> {
    text.split_whitespace().map(str::to_string).collect()
}

fn is_assignment(token: &str) -> bool {
    match token.split_once('=') {
        Some((name, _)) => {
            !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        }
        None => false,
    }
}

fn clean_dir(dir: &str) -> String {
    let dir = dir.trim_matches(|c| c == '"' || c == '\'');
    let dir = dir.trim_start_matches("./").trim_end_matches('/');
    dir.replace("${{ github.workspace }}/", "")
        .replace("$GITHUB_WORKSPACE/", "")
}

/// Whether `pattern` matches the start of `tokens`. A pattern word ending in
/// `*` matches by prefix; the command's first word may carry a path
/// (`./gradlew`, `/usr/bin/pytest`) and a `.exe`/`.bat`/`.cmd` suffix.
fn matches_words(pattern: &[String], tokens: &[&str]) -> bool {
    match_len(pattern, tokens).is_some()
}

/// How many tokens `pattern` matches at the start of `tokens`, if it does.
/// Options the pattern does not name are skipped between its words, so
/// `mvn package` matches `mvn -B package` and `./gradlew --no-daemon test`
/// matches `gradlew test`.
fn match_len(pattern: &[String], tokens: &[&str]) -> Option<usize> {
    let (first, rest) = pattern.split_first()?;
    let token = tokens.first()?;
    if !word_matches(command_name(first), command_name(token)) {
        return None;
    }
    let mut at = 1;
    for p in rest {
        while !p.starts_with('-')
            && tokens
                .get(at)
                .is_some_and(|t| t.starts_with('-') && *t != p)
        {
            at += 1;
        }
        let t = tokens.get(at)?.trim_matches(|c| c == '"' || c == '\'');
        if !word_matches(p, t) {
            return None;
        }
        at += 1;
    }
    Some(at)
}

fn word_matches(pattern: &str, token: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => token.starts_with(prefix),
        None => token == pattern,
    }
}

fn command_name(token: &str) -> &str {
    let base = token.rsplit(['/', '\\']).next().unwrap_or(token);
    let base = base.trim_matches(|c| c == '"' || c == '\'' || c == '(' || c == ')');
    for ext in [".exe", ".bat", ".cmd", ".sh"] {
        if let Some(stripped) = base.strip_suffix(ext) {
            return stripped;
        }
    }
    base
}

/// Split a script into simple commands: lines, `&&`, `||`, `;`, `|`.
fn split_commands(script: &str) -> Vec<String> {
    let joined = script.replace("\\\n", " ");
    let mut out = Vec::new();
    for line in joined.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        for part in line
            .split("&&")
            .flat_map(|p| p.split("||"))
            .flat_map(|p| p.split([';', '|']))
        {
            let part = part.trim().trim_start_matches(['(', '{']).trim();
            if !part.is_empty() {
                out.push(part.to_string());
            }
        }
        if out.len() > 10_000 {
            break;
        }
    }
    out
}

fn action_matches(pattern: &str, name: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => name.starts_with(prefix),
        None => name == pattern,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> (Catalog, StepRules) {
        let catalog = Catalog::from_files([(
            "t.toml".to_string(),
            "category = \"testing\"\n[[technology]]\nid = \"pytest\"\nname = \"pytest\"\n"
                .to_string(),
        )])
        .unwrap();
        let text = r#"
wrappers = ["poetry run", "uv run", "python -m", "npx", "bundle exec", "sudo"]
deploy_job_names = ["deploy", "release"]

[[step]]
tool = "pytest"
stages = ["test"]
commands = ["pytest", "py.test"]

[[step]]
stages = ["test"]
commands = ["go test", "npm test", "npm run test*", "./gradlew test", "make test*"]

[[step]]
stages = ["deploy"]
commands = ["kubectl apply", "helm upgrade"]

[[step]]
tool = "codeql"
stages = ["security"]
actions = ["github/codeql-action/analyze", "github/codeql-action/upload-sarif*"]
"#;
        let rules = StepRules::from_str("ci-steps.toml", text).unwrap();
        (catalog, rules)
    }

    #[test]
    fn commands_are_matched_through_wrappers_chains_and_env() {
        let (_, rules) = rules();
        let c = rules.classify_command("cd api && CI=1 poetry run pytest -q");
        assert!(c.stages.contains(&Stage::Test));
        assert_eq!(c.tools, ["pytest"]);
        assert_eq!(c.directory.as_deref(), Some("api"));
        assert!(
            rules
                .classify_command("python -m pytest")
                .stages
                .contains(&Stage::Test)
        );
        assert!(
            rules
                .classify_command("npm run test:unit -- --ci")
                .stages
                .contains(&Stage::Test)
        );
        assert!(
            rules
                .classify_command("./gradlew test --info")
                .stages
                .contains(&Stage::Test)
        );
        assert!(
            rules
                .classify_command("make test-integration")
                .stages
                .contains(&Stage::Test)
        );
        assert!(rules.classify_command("echo go test").stages.is_empty());
        assert!(rules.classify_command("npm run build").stages.is_empty());
    }

    #[test]
    fn multi_line_scripts_are_split() {
        let (_, rules) = rules();
        let c = rules
            .classify_command("go vet ./...\ngo test ./... | tee out.txt\nkubectl apply -f k8s/");
        assert!(c.stages.contains(&Stage::Test));
        assert!(c.stages.contains(&Stage::Deploy));
    }

    #[test]
    fn actions_match_without_their_version() {
        let (catalog, rules) = rules();
        let c = rules.classify_action("github/codeql-action/analyze@v3");
        assert_eq!(c.tools, ["codeql"]);
        assert_eq!(rules.unknown_tools(&catalog), ["codeql"]);
        assert!(
            rules
                .classify_action("GitHub/codeql-action/upload-sarif@abc")
                .stages
                .contains(&Stage::Security)
        );
        assert!(
            rules
                .classify_action("actions/checkout@v4")
                .stages
                .is_empty()
        );
    }

    #[test]
    fn deploy_job_names_match_by_word() {
        let (_, rules) = rules();
        assert!(rules.is_deploy_job_name("deploy-production"));
        assert!(rules.is_deploy_job_name("Release"));
        assert!(!rules.is_deploy_job_name("redeployment-check"));
    }

    #[test]
    fn a_step_without_stages_or_tool_is_an_error() {
        let err = StepRules::from_str("s.toml", "[[step]]\ncommands = [\"x\"]\n").unwrap_err();
        assert!(err.message.contains("stages"));
    }
}
