//! The GitLab CI configuration as GitLab itself sees it: `.gitlab-ci.yml`
//! merged with its local `include:` files, then each job merged with what it
//! `extends`, then `!reference` tags resolved.
//!
//! Values are kept in a small tree of our own ([`Val`]) that remembers, for
//! every value, which file and line it was written on, so that a step taken
//! from an included template still has real evidence. Merging follows GitLab:
//! mappings merge deeply, anything else (lists included) is replaced, and the
//! later source wins (included files first, the including file last).

use std::collections::HashMap;

use crate::parse::yaml::{Node, Value};
use crate::source::SourceFile;

/// The tag GitLab uses to reuse a value from another job.
pub const REFERENCE_TAG: &str = "!reference";
/// `extends` chains are at most this deep (GitLab's own limit is 11).
pub const MAX_EXTENDS_DEPTH: usize = 11;
/// `!reference` tags nest at most this deep (GitLab's own limit is 10).
pub const MAX_REFERENCE_DEPTH: usize = 10;

/// Which file of the configuration (0 is `.gitlab-ci.yml`) and which line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Origin {
    pub file: usize,
    pub line: u32,
}

/// A configuration value and where it is written.
#[derive(Debug, Clone, PartialEq)]
pub struct Val {
    pub kind: Kind,
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Null,
    Str(String),
    Seq(Vec<Val>),
    /// Entries in written order; keys are unique.
    Map(Vec<Entry>),
    /// `!reference [job, key, ...]`.
    Reference(Vec<String>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_origin: Origin,
    pub value: Val,
}

impl Val {
    pub fn empty_map(origin: Origin) -> Self {
        Self {
            kind: Kind::Map(Vec::new()),
            origin,
        }
    }

    /// Convert a parsed YAML node of file `file`.
    pub fn from_node(node: &Node, src: &SourceFile, file: usize) -> Self {
        let origin = Origin {
            file,
            line: src.line(node.span.start),
        };
        let kind = match &node.value {
            Value::Seq(items) if node.tag.as_deref() == Some(REFERENCE_TAG) => Kind::Reference(
                items
                    .iter()
                    .filter_map(|i| i.as_str().map(str::to_string))
                    .collect(),
            ),
            Value::Scalar(_) => match node.as_str() {
                Some(text) => Kind::Str(text.to_string()),
                None => Kind::Null,
            },
            Value::Seq(items) => {
                Kind::Seq(items.iter().map(|i| Val::from_node(i, src, file)).collect())
            }
            Value::Map(entries) => {
                let mut out: Vec<Entry> = Vec::with_capacity(entries.len());
                let mut index: HashMap<String, usize> = HashMap::new();
                for (key, value) in entries {
                    // Non-scalar keys mean nothing to GitLab.
                    let Some(text) = key.as_str() else {
                        continue;
                    };
                    let entry = Entry {
                        key: text.to_string(),
                        key_origin: Origin {
                            file,
                            line: src.line(key.span.start),
                        },
                        value: Val::from_node(value, src, file),
                    };
                    // A repeated key: the last one wins, as in GitLab.
                    match index.get(text).and_then(|&i| out.get_mut(i)) {
                        Some(slot) => *slot = entry,
                        None => {
                            index.insert(text.to_string(), out.len());
                            out.push(entry);
                        }
                    }
                }
                Kind::Map(out)
            }
        };
        Self { kind, origin }
    }

    pub fn entries(&self) -> &[Entry] {
        match &self.kind {
            Kind::Map(entries) => entries,
            _ => &[],
        }
    }

    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries().iter().find(|e| e.key == key)
    }

    pub fn get(&self, key: &str) -> Option<&Val> {
        self.entry(key).map(|e| &e.value)
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn is_map(&self) -> bool {
        matches!(self.kind, Kind::Map(_))
    }

    /// A string or a list of strings (`extends: .a`, `extends: [.a, .b]`).
    pub fn strings(&self) -> Vec<&str> {
        match &self.kind {
            Kind::Str(s) => vec![s.as_str()],
            Kind::Seq(items) => items.iter().filter_map(Val::as_str).collect(),
            _ => Vec::new(),
        }
    }

    /// The items of a list, or the value itself when it is not a list.
    pub fn items(&self) -> Vec<&Val> {
        match &self.kind {
            Kind::Seq(items) => items.iter().collect(),
            Kind::Null => Vec::new(),
            _ => vec![self],
        }
    }

    /// Deep merge `over` into `self`: mappings merge key by key, anything
    /// else is replaced by `over`.
    pub fn merge(&mut self, over: Val) {
        match (&mut self.kind, over.kind) {
            (Kind::Map(base), Kind::Map(over_entries)) => {
                let mut index: HashMap<String, usize> = base
                    .iter()
                    .enumerate()
                    .map(|(i, e)| (e.key.clone(), i))
                    .collect();
                for entry in over_entries {
                    match index.get(&entry.key).and_then(|&i| base.get_mut(i)) {
                        Some(slot) => {
                            slot.key_origin = entry.key_origin;
                            slot.value.merge(entry.value);
                        }
                        None => {
                            index.insert(entry.key.clone(), base.len());
                            base.push(entry);
                        }
                    }
                }
                self.origin = over.origin;
            }
            (_, kind) => {
                *self = Val {
                    kind,
                    origin: over.origin,
                };
            }
        }
    }

    /// This mapping without one key.
    pub fn without(mut self, key: &str) -> Val {
        if let Kind::Map(entries) = &mut self.kind {
            entries.retain(|e| e.key != key);
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::yaml;

    fn val(text: &str) -> Val {
        let src = SourceFile::new("x.yml", text);
        let doc = yaml::parse(&src).unwrap().remove(0);
        Val::from_node(&doc, &src, 0)
    }

    #[test]
    fn mappings_merge_deeply_and_lists_are_replaced() {
        let mut base = val("a: {x: 1, y: [1, 2]}\nb: 1\n");
        base.merge(val("a: {y: [3], z: 4}\nc: 5\n"));
        let a = base.get("a").unwrap();
        assert_eq!(a.get("x").unwrap().as_str(), Some("1"));
        assert_eq!(a.get("y").unwrap().items().len(), 1);
        assert_eq!(a.get("z").unwrap().as_str(), Some("4"));
        assert_eq!(base.get("c").unwrap().as_str(), Some("5"));
        // A key keeps its first place and takes the later origin.
        let keys: Vec<&str> = base.entries().iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["a", "b", "c"]);
        assert_eq!(base.entry("a").unwrap().key_origin.line, 1);
    }

    #[test]
    fn a_scalar_replaces_a_mapping_and_null_is_kept() {
        let mut base = val("a: {x: 1}\n");
        base.merge(val("a: plain\nb:\n"));
        assert_eq!(base.get("a").unwrap().as_str(), Some("plain"));
        assert_eq!(base.get("b").unwrap().kind, Kind::Null);
    }

    #[test]
    fn reference_tags_become_references() {
        let v = val("script:\n  - !reference [.setup, script]\n  - pytest\n");
        let items = v.get("script").unwrap().items();
        assert_eq!(
            items[0].kind,
            Kind::Reference(vec![".setup".into(), "script".into()])
        );
        assert_eq!(items[1].origin.line, 3);
    }

    #[test]
    fn repeated_keys_keep_the_last_value() {
        let v = val("a: 1\na: 2\n");
        assert_eq!(v.entries().len(), 1);
        assert_eq!(v.get("a").unwrap().as_str(), Some("2"));
    }
}
