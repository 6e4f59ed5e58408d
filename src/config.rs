//! `stacklint.toml`: found at the scanned root (`stacklint.toml`, then
//! `.stacklint.toml`, then `.github/stacklint.toml`) or given with `--config`.
//! Every key is checked: an unknown key, an unknown rule id or a bad value is
//! an error that names the file, the line and the valid choices.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use toml_edit::{Document, Item, Value};

use crate::error::{Error, FileError};

/// Where the configuration is looked for, in order.
pub const CONFIG_NAMES: [&str; 3] = [
    "stacklint.toml",
    ".stacklint.toml",
    ".github/stacklint.toml",
];

#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The file it came from (for messages), if any.
    pub path: Option<PathBuf>,
    /// `[team] size`: overrides the team size from git.
    pub team_size: Option<u32>,
    /// `[rules] extra`: directories of user rule files.
    pub extra_rules: Vec<String>,
    /// `[rules.<id>]` tables, kept for the rule engine, by rule id.
    pub rules: BTreeMap<String, toml_edit::Table>,
}

impl Config {
    /// Find and load the configuration of `root`; `Config::default()` when it has none.
    pub fn discover(root: &Path, known_rules: &[&str]) -> Result<Self, Error> {
        for name in CONFIG_NAMES {
            let path = root.join(name);
            if path.is_file() {
                return Self::load(&path, known_rules);
            }
        }
        Ok(Self::default())
    }

    pub fn load(path: &Path, known_rules: &[&str]) -> Result<Self, Error> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let mut config =
            Self::parse(&path.to_string_lossy(), &text, known_rules).map_err(Error::File)?;
        config.path = Some(path.to_path_buf());
        Ok(config)
    }

    pub fn parse(display: &str, text: &str, known_rules: &[&str]) -> Result<Self, Box<FileError>> {
        let err = |span: Option<std::ops::Range<usize>>, message: String| {
            Box::new(FileError::new(display, text, span, message))
        };
        let doc: Document<String> = Document::parse(text.to_string())
            .map_err(|e| err(e.span(), e.message().to_string()))?;
        let mut config = Config::default();
        for (key, item) in doc.as_table().iter() {
            let key_span = doc.as_table().key(key).and_then(|k| k.span());
            match key {
                "team" => {
                    let table = item
                        .as_table_like()
                        .ok_or_else(|| err(item.span(), "`team` must be a table".into()))?;
                    for (k, v) in table.iter() {
                        match k {
                            "size" => {
                                let size = v
                                    .as_integer()
                                    .filter(|n| (1..=100_000).contains(n))
                                    .ok_or_else(|| {
                                        err(
                                            v.span(),
                                            "`team.size` must be a whole number from 1 to 100000"
                                                .into(),
                                        )
                                    })?;
                                config.team_size = u32::try_from(size).ok();
                            }
                            other => {
                                let span = table.key(other).and_then(|k| k.span());
                                return Err(err(span, format!("unknown key `team.{other}`"))
                                    .map(|e| e.with_help("valid keys in [team]: size")));
                            }
                        }
                    }
                }
                "rules" => {
                    let table = item
                        .as_table_like()
                        .ok_or_else(|| err(item.span(), "`rules` must be a table".into()))?;
                    for (k, v) in table.iter() {
                        let span = table.key(k).and_then(|key| key.span());
                        if k == "extra" {
                            config.extra_rules = string_list(v).ok_or_else(|| {
                                err(
                                    v.span(),
                                    "`rules.extra` must be a list of directory paths".into(),
                                )
                            })?;
                        } else if known_rules.contains(&k) {
                            let rule = v.as_table().cloned().ok_or_else(|| {
                                err(v.span(), format!("`rules.{k}` must be a table"))
                            })?;
                            config.rules.insert(k.to_string(), rule);
                        } else {
                            let help = if known_rules.is_empty() {
                                "this version of stacklint has no built-in rules yet; only `extra` is accepted here".to_string()
                            } else {
                                format!("valid rule ids: {}", known_rules.join(", "))
                            };
                            return Err(err(span, format!("unknown rule id `{k}`"))
                                .map(|e| e.with_help(help)));
                        }
                    }
                }
                other => {
                    return Err(err(key_span, format!("unknown key `{other}`"))
                        .map(|e| e.with_help("valid top-level keys: team, rules")));
                }
            }
        }
        Ok(config)
    }
}

fn string_list(item: &Item) -> Option<Vec<String>> {
    let array = item.as_array()?;
    array
        .iter()
        .map(|v| match v {
            Value::String(s) => Some(s.value().clone()),
            _ => None,
        })
        .collect()
}

/// `Box<FileError>` helpers so errors read as one expression.
trait MapBox {
    fn map(self, f: impl FnOnce(FileError) -> FileError) -> Self;
}

impl MapBox for Box<FileError> {
    fn map(self, f: impl FnOnce(FileError) -> FileError) -> Self {
        Box::new(f(*self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn team_size_is_read() {
        let config = Config::parse("stacklint.toml", "[team]\nsize = 4\n", &[]).unwrap();
        assert_eq!(config.team_size, Some(4));
    }

    #[test]
    fn unknown_keys_are_errors_with_a_line_and_the_choices() {
        let err =
            Config::parse("stacklint.toml", "[team]\nsize = 4\nsizes = 5\n", &[]).unwrap_err();
        assert_eq!(err.line(), Some(3));
        assert!(err.message.contains("team.sizes"));
        assert!(err.help.as_deref().unwrap_or("").contains("size"));
        let err = Config::parse("stacklint.toml", "[teams]\n", &[]).unwrap_err();
        assert!(err.message.contains("unknown key `teams`"));
    }

    #[test]
    fn bad_values_are_errors() {
        let err = Config::parse("stacklint.toml", "[team]\nsize = \"four\"\n", &[]).unwrap_err();
        assert_eq!(err.line(), Some(2));
        let err = Config::parse("stacklint.toml", "[team]\nsize = 0\n", &[]).unwrap_err();
        assert!(err.message.contains("1 to 100000"));
    }

    #[test]
    fn unknown_rule_ids_are_errors_and_known_ones_are_kept() {
        let err = Config::parse(
            "stacklint.toml",
            "[rules.no-such-rule]\nseverity = \"off\"\n",
            &["no-metrics"],
        )
        .unwrap_err();
        assert!(err.message.contains("no-such-rule"));
        assert!(err.help.as_deref().unwrap_or("").contains("no-metrics"));
        let ok = Config::parse(
            "stacklint.toml",
            "[rules]\nextra = [\"policies/\"]\n[rules.no-metrics]\nseverity = \"note\"\n",
            &["no-metrics"],
        )
        .unwrap();
        assert_eq!(ok.extra_rules, vec!["policies/".to_string()]);
        assert!(ok.rules.contains_key("no-metrics"));
    }

    #[test]
    fn toml_syntax_errors_point_at_the_line() {
        let err = Config::parse("stacklint.toml", "[team]\nsize = = 4\n", &[]).unwrap_err();
        assert_eq!(err.line(), Some(2));
    }
}
