//! What a CI step does, decided by data: `rules/ci-steps.toml` lists commands
//! (`pytest`, `go test`, `kubectl apply`) and actions (`github/codeql-action/analyze`)
//! with the stages they cover and the tool they run. Provider modules extract
//! commands and actions; this module classifies them. How one pattern matches
//! one command is in [`pattern`].

mod pattern;

use std::collections::{BTreeMap, BTreeSet, HashMap};

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
    /// Job names or ids that say a job deploys (`deploy`, `production`).
    #[serde(default)]
    deploy_job_names: Vec<String>,
    /// Words that say what a job does when only its name is known (a GitLab
    /// stage, a remote reusable workflow's file name).
    #[serde(default)]
    stage_names: BTreeMap<Stage, Vec<String>>,
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
    /// Word sequences that, anywhere in the command, mean it does not do what
    /// the step says (`-DskipTests` for `mvn package`, `--dry-run*` for
    /// `kubectl apply`).
    #[serde(default)]
    unless: Vec<String>,
}

#[derive(Debug)]
struct CommandPattern {
    words: Vec<String>,
    unless: Vec<Vec<String>>,
    stages: Vec<Stage>,
    tool: Option<String>,
}

/// A word sequence that runs the command after it.
#[derive(Debug)]
struct Wrapper {
    words: Vec<String>,
    /// Written with a trailing `...`: the command may start at any later
    /// word (`docker compose run --rm -e X=1 api pytest`).
    anywhere_after: bool,
}

/// At most this many ways to read one command through its wrappers.
const MAX_READINGS: usize = 64;
/// A `...` wrapper tries the command at most this many words after it.
const MAX_WRAPPED_START: usize = 24;

#[derive(Debug)]
struct ActionPattern {
    pattern: String,
    stages: Vec<Stage>,
    tool: Option<String>,
}

/// The loaded step signatures.
#[derive(Debug)]
pub struct StepRules {
    wrappers: Vec<Wrapper>,
    deploy_job_names: Vec<String>,
    stage_names: Vec<(Stage, String)>,
    commands: Vec<CommandPattern>,
    /// Indexes of `commands` by their first word, when it is a plain name.
    commands_by_name: HashMap<String, Vec<usize>>,
    /// Indexes of `commands` whose first word is a glob or a gap.
    commands_any_name: Vec<usize>,
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
            stage_names: Vec::new(),
            commands: Vec::new(),
            commands_by_name: HashMap::new(),
            commands_any_name: Vec::new(),
            actions: Vec::new(),
        }
    }

    /// The built-in `rules/ci-steps.toml`.
    pub fn builtin() -> Result<Self, Box<FileError>> {
        let text = embedded_rule_files()
            .iter()
            .find(|(path, _)| *path == "ci-steps.toml")
            .map_or("", |(_, text)| *text);
        // The JSON form converted at build time reads faster; the TOML is
        // there for messages (and if the conversion failed).
        let json = crate::catalog::embedded_rule_json("ci-steps.toml");
        if let Some(file) = json.and_then(|json| serde_json::from_str::<StepsFile>(json).ok()) {
            return Self::from_file("rules/ci-steps.toml", text, file);
        }
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
        Self::from_file(path, text, file)
    }

    fn from_file(path: &str, text: &str, file: StepsFile) -> Result<Self, Box<FileError>> {
        let mut rules = StepRules {
            wrappers: file.wrappers.iter().map(|w| wrapper(w)).collect(),
            deploy_job_names: file
                .deploy_job_names
                .iter()
                .map(|n| n.to_ascii_lowercase())
                .collect(),
            stage_names: file
                .stage_names
                .iter()
                .flat_map(|(stage, names)| names.iter().map(|n| (*stage, n.to_ascii_lowercase())))
                .collect(),
            commands: Vec::new(),
            commands_by_name: HashMap::new(),
            commands_any_name: Vec::new(),
            actions: Vec::new(),
        };
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
            let unless: Vec<Vec<String>> = step.unless.iter().map(|u| words(u)).collect();
            for command in &step.commands {
                let words = pattern::pattern_words(command);
                let index = rules.commands.len();
                match words.first() {
                    Some(first) if !first.contains('*') && first != pattern::GAP => rules
                        .commands_by_name
                        .entry(first.clone())
                        .or_default()
                        .push(index),
                    _ => rules.commands_any_name.push(index),
                }
                rules.commands.push(CommandPattern {
                    words,
                    unless: unless.clone(),
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
            let assignments = tokens.iter().take_while(|t| is_assignment(t)).count();
            tokens.drain(..assignments);
            if tokens.first() == Some(&"cd") {
                if out.directory.is_none()
                    && let Some(dir) = tokens.get(1)
                {
                    out.directory = Some(clean_dir(dir));
                }
                continue;
            }
            for start in self.readings(&tokens) {
                let Some(command) = tokens.get(start..) else {
                    continue;
                };
                let name = command.first().map_or("", |t| pattern::command_name(t));
                // Only patterns that can match this command name, in file order.
                let mut candidates: Vec<usize> = self
                    .commands_by_name
                    .get(name)
                    .map(|found| found.to_vec())
                    .unwrap_or_default();
                candidates.extend(&self.commands_any_name);
                candidates.sort_unstable();
                for p in candidates.iter().filter_map(|&i| self.commands.get(i)) {
                    if pattern::matches_prefix(&p.words, command, name)
                        && !p
                            .unless
                            .iter()
                            .any(|u| pattern::contains_sequence(u, command))
                    {
                        out.add(&p.stages, p.tool.as_ref());
                    }
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
        for p in &self.actions {
            if pattern::glob_matches(&p.pattern, &name) {
                out.add(&p.stages, p.tool.as_ref());
            }
        }
        if out.stages.is_empty() && out.tools.is_empty() {
            // An action the data does not list, named after the tool it runs
            // (`acme/actions/golang/govulncheck`, `acme/trivy-action`): read
            // its name as that tool's command.
            if let Some(tool) = action_tool_name(&name) {
                let by_name = self.classify_command(tool);
                out.stages = by_name.stages;
                out.tools = by_name.tools;
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

    /// What a name alone says a job does: `deploy_job_names` give `deploy`,
    /// `stage_names` the other stages (`release`, `security`, ...).
    pub fn stages_named(&self, name: &str) -> BTreeSet<Stage> {
        let lower = name.to_ascii_lowercase();
        let mut out = BTreeSet::new();
        for word in lower.split(|c: char| !c.is_ascii_alphanumeric()) {
            for (stage, n) in &self.stage_names {
                if n == word {
                    out.insert(*stage);
                }
            }
        }
        if self.is_deploy_job_name(name) {
            out.insert(Stage::Deploy);
        }
        out
    }

    /// Where the real command may start in `tokens`: 0, and after each
    /// wrapper (`poetry run`, `npx --yes`, `docker compose run ... `), nested.
    /// Every reading is kept, so `yarn test` matches `yarn test*` and
    /// `yarn eslint .` matches `eslint`.
    fn readings(&self, tokens: &[&str]) -> Vec<usize> {
        let mut starts = vec![0];
        let mut next = 0;
        while let Some(&start) = starts.get(next) {
            next += 1;
            let Some(rest) = tokens.get(start..) else {
                continue;
            };
            let name = rest.first().map_or("", |t| pattern::command_name(t));
            for w in &self.wrappers {
                if rest.len() <= w.words.len() || !pattern::matches_prefix(&w.words, rest, name) {
                    continue;
                }
                let after = start + w.words.len();
                if w.anywhere_after {
                    let end = tokens.len().min(after + MAX_WRAPPED_START);
                    for at in after..end {
                        if !starts.contains(&at) && starts.len() < MAX_READINGS {
                            starts.push(at);
                        }
                    }
                } else {
                    // The wrapper's own flags (`npx --yes`, `sudo -E`) and
                    // assignments (`env CI=1`) come before the command.
                    let mut at = after;
                    while at + 1 < tokens.len()
                        && tokens
                            .get(at)
                            .is_some_and(|t| t.starts_with('-') || is_assignment(t))
                    {
                        at += 1;
                    }
                    if !starts.contains(&at) && starts.len() < MAX_READINGS {
                        starts.push(at);
                    }
                }
            }
        }
        starts
    }
}

fn wrapper(text: &str) -> Wrapper {
    let mut words = pattern::pattern_words(text);
    let anywhere_after = words.last().is_some_and(|w| w == pattern::GAP);
    if anywhere_after {
        words.pop();
    }
    Wrapper {
        words,
        anywhere_after,
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

/// The tool an action is named after: its last path segment without an
/// `action` affix (`trivy-action` → `trivy`); `None` for local and docker
/// actions and for generic names.
fn action_tool_name(name: &str) -> Option<&str> {
    if name.starts_with("./") || name.starts_with("docker://") {
        return None;
    }
    let last = name.rsplit('/').next()?;
    let tool = last
        .strip_suffix("-action")
        .or_else(|| last.strip_prefix("action-"))
        .unwrap_or(last);
    (!tool.is_empty()
        && tool != "action"
        && tool
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
    .then_some(tool)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> (Catalog, StepRules) {
        let catalog = crate::detect::testing::catalog(
            "category = \"testing\"\n[[technology]]\nid = \"pytest\"\nname = \"pytest\"\n",
        );
        let text = r#"
wrappers = ["poetry run", "uv run", "python -m", "npx", "bundle exec", "sudo", "yarn", "docker compose run ..."]
deploy_job_names = ["deploy", "release"]

[stage_names]
security = ["codeql", "sast"]
test = ["test", "tests"]

[[step]]
tool = "pytest"
stages = ["test"]
commands = ["pytest", "py.test"]

[[step]]
stages = ["test"]
commands = ["go test", "npm test", "npm run test*", "./gradlew test", "make test*"]

[[step]]
stages = ["deploy"]
commands = ["kubectl ... apply", "helm upgrade"]
unless = ["--dry-run*"]

[[step]]
tool = "eslint"
stages = ["lint"]
commands = ["eslint"]

[[step]]
stages = ["test"]
commands = ["yarn test*"]

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
        assert_eq!(rules.unknown_tools(&catalog), ["codeql", "eslint"]);
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
    fn every_reading_through_wrappers_is_tried() {
        let (_, rules) = rules();
        assert!(
            rules
                .classify_command("yarn test --coverage")
                .stages
                .contains(&Stage::Test)
        );
        assert_eq!(rules.classify_command("yarn eslint .").tools, ["eslint"]);
        assert!(rules.classify_command("yarn install").stages.is_empty());
        let c = rules.classify_command("docker compose run --rm -e CI=1 api poetry run pytest");
        assert_eq!(c.tools, ["pytest"]);
        assert!(
            rules
                .classify_command("docker compose run --rm api")
                .stages
                .is_empty()
        );
    }

    #[test]
    fn unless_words_veto_a_match() {
        let (_, rules) = rules();
        assert!(
            rules
                .classify_command("kubectl -n prod apply -f k8s/")
                .stages
                .contains(&Stage::Deploy)
        );
        assert!(
            rules
                .classify_command("kubectl apply --dry-run=server -f k8s/")
                .stages
                .is_empty()
        );
    }

    #[test]
    fn names_say_stages() {
        let (_, rules) = rules();
        let named = rules.stages_named("codeql-analysis.yml");
        assert_eq!(named.into_iter().collect::<Vec<_>>(), [Stage::Security]);
        let named = rules.stages_named("Deploy_Tests");
        assert_eq!(
            named.into_iter().collect::<Vec<_>>(),
            [Stage::Test, Stage::Deploy]
        );
        assert!(rules.stages_named("build").is_empty());
    }

    #[test]
    fn unknown_stage_names_are_an_error() {
        let err = StepRules::from_str("s.toml", "[stage_names]\nqa = [\"x\"]\n").unwrap_err();
        assert!(err.message.contains("qa"), "{}", err.message);
    }

    #[test]
    fn a_step_without_stages_or_tool_is_an_error() {
        let err = StepRules::from_str("s.toml", "[[step]]\ncommands = [\"x\"]\n").unwrap_err();
        assert!(err.message.contains("stages"));
    }
}
