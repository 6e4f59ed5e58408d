//! Team size from git history: distinct non-bot commit authors of the last 90
//! days. Git runs with a fixed, safe configuration: no pager, no fsmonitor, no
//! signature verification, no prompts; `git log` runs no hooks. A shallow
//! clone or a directory outside git gives `None` — never a wrong number.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Stdio};

/// How far back a commit counts towards the team.
pub const TEAM_WINDOW_DAYS: u32 = 90;

/// Why the team size is unknown, for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TeamError {
    NotARepository,
    Shallow,
    GitFailed(String),
}

/// Distinct non-bot authors of commits touching `root` in the last 90 days.
pub fn team_size(root: &Path) -> Result<u32, TeamError> {
    // Look for the repository before starting git at all: most of the cost
    // of asking git is starting it.
    match find_git_dir(root) {
        None => return Err(TeamError::NotARepository),
        // A plain `.git` directory says it is shallow by holding `shallow`.
        Some(GitDir::Directory(dir)) => {
            if dir.join("shallow").exists() {
                return Err(TeamError::Shallow);
            }
        }
        // Worktrees and submodules point elsewhere: let git say.
        Some(GitDir::File) => {
            let shallow = git(root, &["rev-parse", "--is-shallow-repository"])?;
            match shallow.trim() {
                "false" => {}
                "true" => return Err(TeamError::Shallow),
                other => {
                    return Err(TeamError::GitFailed(format!("unexpected answer {other:?}")));
                }
            }
        }
    }
    let since = format!("--since={TEAM_WINDOW_DAYS}.days.ago");
    // %aN/%aE apply .mailmap, so one person with two addresses counts once
    // when the repository maps them.
    let log = git(root, &["log", &since, "--format=%aN%x00%aE", "--", "."])?;
    Ok(count_authors(&log))
}

enum GitDir {
    Directory(std::path::PathBuf),
    File,
}

/// The `.git` of `root` or of the nearest directory above it.
fn find_git_dir(root: &Path) -> Option<GitDir> {
    let start = root.canonicalize().ok()?;
    for dir in start.ancestors() {
        let git = dir.join(".git");
        match std::fs::symlink_metadata(&git) {
            Ok(meta) if meta.is_dir() => return Some(GitDir::Directory(git)),
            Ok(meta) if meta.is_file() => return Some(GitDir::File),
            _ => {}
        }
    }
    None
}

fn git(root: &Path, args: &[&str]) -> Result<String, TeamError> {
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args([
            "--no-pager",
            "-c",
            "core.fsmonitor=false",
            "-c",
            "core.hooksPath=/dev/null",
            "-c",
            "log.showSignature=false",
            "-c",
            "log.mailmap=true",
            "-c",
            "core.quotePath=false",
        ])
        .args(args)
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_PAGER", "cat")
        .env("GIT_OPTIONAL_LOCKS", "0")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .env_remove("GIT_CEILING_DIRECTORIES")
        .env_remove("GIT_EXTERNAL_DIFF")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| TeamError::GitFailed(format!("cannot run git: {e}")))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        if stderr.contains("not a git repository") {
            return Err(TeamError::NotARepository);
        }
        return Err(TeamError::GitFailed(stderr.trim().to_string()));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Count distinct people in `name\0email` lines. Two lines are one person when
/// they share an email or a name (case-insensitive); bots are left out.
pub fn count_authors(log: &str) -> u32 {
    let mut people: Vec<(BTreeSet<String>, BTreeSet<String>)> = Vec::new();
    for line in log.lines() {
        let (name, email) = line.split_once('\0').unwrap_or((line, ""));
        let name = name.trim().to_lowercase();
        let email = email.trim().to_lowercase();
        if (name.is_empty() && email.is_empty()) || is_bot(&name, &email) {
            continue;
        }
        let matching: Vec<usize> = people
            .iter()
            .enumerate()
            .filter(|(_, (names, emails))| {
                (!name.is_empty() && names.contains(&name))
                    || (!email.is_empty() && emails.contains(&email))
            })
            .map(|(i, _)| i)
            .collect();
        // Merge every person this line connects into one.
        let mut merged = (BTreeSet::new(), BTreeSet::new());
        for i in matching.into_iter().rev() {
            let (names, emails) = people.swap_remove(i);
            merged.0.extend(names);
            merged.1.extend(emails);
        }
        if !name.is_empty() {
            merged.0.insert(name);
        }
        if !email.is_empty() {
            merged.1.insert(email);
        }
        people.push(merged);
    }
    u32::try_from(people.len()).unwrap_or(u32::MAX)
}

/// Bots: `[bot]` accounts (GitHub Apps), `-bot` style names and the known
/// bot addresses of Renovate, GitHub and GitLab.
pub fn is_bot(name: &str, email: &str) -> bool {
    let local = email.split('@').next().unwrap_or("");
    name.contains("[bot]")
        || local.contains("[bot]")
        || name.ends_with("-bot")
        || name.ends_with(" bot")
        || name == "bot"
        || local.ends_with("-bot")
        || local.ends_with("_bot")
        || local == "bot"
        || matches!(
            email,
            "bot@renovateapp.com"
                | "noreply@github.com"
                | "action@github.com"
                | "actions@github.com"
        )
        || (email.ends_with("@noreply.gitlab.com") && local.starts_with("project_"))
        || name == "github actions"
        || name == "dependabot"
        || name == "renovate"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bots_are_not_people() {
        assert!(is_bot(
            "dependabot[bot]",
            "49699333+dependabot[bot]@users.noreply.github.com"
        ));
        assert!(is_bot(
            "renovate[bot]",
            "29139614+renovate[bot]@users.noreply.github.com"
        ));
        assert!(is_bot("renovate bot", "bot@renovateapp.com"));
        assert!(is_bot(
            "github-actions",
            "41898282+github-actions[bot]@users.noreply.github.com"
        ));
        assert!(is_bot("snyk-bot", "snyk-bot@snyk.io"));
        assert!(is_bot(
            "group_1_bot",
            "project_12_bot_abc@noreply.gitlab.com"
        ));
        assert!(!is_bot("ada lovelace", "ada@example.com"));
        assert!(!is_bot("abbot", "abbot@example.com"));
    }

    #[test]
    fn one_person_with_two_addresses_or_spellings_counts_once() {
        let log = "Ada Lovelace\0ada@example.com\nAda Lovelace\0ada@personal.example\nada lovelace\0ada@example.com\nGrace Hopper\0grace@example.com\ndependabot[bot]\x0049699333+dependabot[bot]@users.noreply.github.com\n";
        assert_eq!(count_authors(log), 2);
    }

    #[test]
    fn an_empty_log_is_zero() {
        assert_eq!(count_authors(""), 0);
    }
}
