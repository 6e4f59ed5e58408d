//! `extends` and `!reference`: a job merged over the jobs it extends (in
//! order, several levels deep, cycles reported), and values that reuse
//! another job's keys (`!reference [.setup, script]`). Every value produced
//! counts against a budget, so a configuration cannot make us build an
//! exponentially large tree.

use std::collections::HashMap;

use super::config::{Kind, Origin, Val};
use super::config::{MAX_EXTENDS_DEPTH, MAX_REFERENCE_DEPTH};

/// At most this many values may be produced by `extends` and `!reference`.
pub const MAX_VALUES: usize = 250_000;

/// One command of a script, after references and nested lists are flattened.
#[derive(Debug, Clone, PartialEq)]
pub struct ScriptLine {
    pub text: String,
    /// Where the command is written.
    pub origin: Origin,
    /// The line of `.gitlab-ci.yml` holding the `!reference` that brought
    /// the command in, if one did.
    pub referenced_at: Option<u32>,
}

pub struct Resolver<'a> {
    /// Top-level entries by key.
    index: HashMap<&'a str, &'a Val>,
    /// Jobs merged with what they extend; `None`: not a mapping.
    extended: HashMap<String, Option<Val>>,
    budget: usize,
    /// The budget refused something (reported once).
    exhausted: bool,
    /// Problems found: where, and what.
    pub problems: Vec<(Origin, String)>,
}

impl<'a> Resolver<'a> {
    pub fn new(root: &'a Val) -> Self {
        Self {
            index: root
                .entries()
                .iter()
                .map(|e| (e.key.as_str(), &e.value))
                .collect(),
            extended: HashMap::new(),
            budget: MAX_VALUES,
            exhausted: false,
            problems: Vec::new(),
        }
    }

    #[cfg(test)]
    fn with_budget(root: &'a Val, budget: usize) -> Self {
        Self {
            budget,
            ..Self::new(root)
        }
    }

    /// The job (or hidden job, or `default`) `name`, merged over what it extends.
    pub fn job(&mut self, name: &str) -> Option<Val> {
        self.ensure(name, &mut Vec::new());
        self.extended.get(name).cloned().flatten()
    }

    /// Resolve every `!reference` in `value`.
    pub fn resolve(&mut self, value: &Val) -> Val {
        self.resolve_at(value, 0)
    }

    /// The commands of a script value: a string, a list, nested lists and
    /// `!reference`s, flattened in order.
    pub fn script(&mut self, value: &Val) -> Vec<ScriptLine> {
        let mut out = Vec::new();
        self.script_into(value, None, 0, &mut out);
        out
    }

    fn ensure(&mut self, name: &str, chain: &mut Vec<String>) {
        if self.extended.contains_key(name) {
            return;
        }
        let Some(own) = self.index.get(name).copied() else {
            return;
        };
        if !own.is_map() {
            self.extended.insert(name.to_string(), None);
            return;
        }
        chain.push(name.to_string());
        let mut merged = Val::empty_map(own.origin);
        if let Some(extends) = own.get("extends") {
            for target in extends.strings() {
                if chain.iter().any(|c| c == target) {
                    let cycle = format!("{} → {target}", chain.join(" → "));
                    self.problem(extends.origin, format!("circular `extends`: {cycle}"));
                    continue;
                }
                if chain.len() >= MAX_EXTENDS_DEPTH {
                    self.problem(
                        extends.origin,
                        format!("`extends` nests deeper than {MAX_EXTENDS_DEPTH} levels"),
                    );
                    continue;
                }
                self.ensure(target, chain);
                let base = self.extended.get(target).cloned().flatten();
                // Unknown targets may come from includes we cannot read.
                if let Some(base) = base
                    && self.spend(size(&base), base.origin)
                {
                    merged.merge(base.without("extends"));
                }
            }
        }
        if self.spend(size(own), own.origin) {
            merged.merge(own.clone());
        }
        chain.pop();
        self.extended.insert(name.to_string(), Some(merged));
    }

    /// The value at `path` (`[job, key, key...]`), cloned.
    fn lookup(&mut self, path: &[String], at: Origin) -> Option<Val> {
        let (first, keys) = path.split_first()?;
        self.ensure(first, &mut Vec::new());
        let mut current = match self.extended.get(first.as_str()) {
            Some(Some(job)) => job,
            _ => self.index.get(first.as_str()).copied()?,
        };
        for key in keys {
            current = current.get(key)?;
        }
        let found = current.clone();
        self.spend(size(&found), at).then_some(found)
    }

    fn resolve_at(&mut self, value: &Val, depth: usize) -> Val {
        let null = || Val {
            kind: Kind::Null,
            origin: value.origin,
        };
        match &value.kind {
            Kind::Reference(path) => {
                if depth >= MAX_REFERENCE_DEPTH {
                    self.problem(
                        value.origin,
                        format!("`!reference` nests deeper than {MAX_REFERENCE_DEPTH} levels"),
                    );
                    return null();
                }
                match self.lookup(path, value.origin) {
                    Some(found) => self.resolve_at(&found, depth + 1),
                    None => null(),
                }
            }
            Kind::Seq(items) => Val {
                kind: Kind::Seq(items.iter().map(|i| self.resolve_at(i, depth)).collect()),
                origin: value.origin,
            },
            Kind::Map(entries) => {
                let mut out = value.clone();
                if let Kind::Map(resolved) = &mut out.kind {
                    for (slot, entry) in resolved.iter_mut().zip(entries) {
                        slot.value = self.resolve_at(&entry.value, depth);
                    }
                }
                out
            }
            Kind::Null | Kind::Str(_) => value.clone(),
        }
    }

    fn script_into(
        &mut self,
        value: &Val,
        referenced_at: Option<u32>,
        depth: usize,
        out: &mut Vec<ScriptLine>,
    ) {
        if depth > MAX_REFERENCE_DEPTH * 2 {
            self.problem(value.origin, "script nests too deeply".to_string());
            return;
        }
        match &value.kind {
            Kind::Str(text) => {
                if self.spend(1, value.origin) {
                    out.push(ScriptLine {
                        text: text.clone(),
                        origin: value.origin,
                        referenced_at,
                    });
                }
            }
            Kind::Seq(items) => {
                for item in items {
                    self.script_into(item, referenced_at, depth + 1, out);
                }
            }
            Kind::Reference(path) => {
                let at = if value.origin.file == 0 {
                    Some(value.origin.line)
                } else {
                    referenced_at
                };
                if let Some(found) = self.lookup(path, value.origin) {
                    self.script_into(&found, at, depth + 1, out);
                }
            }
            Kind::Null | Kind::Map(_) => {}
        }
    }

    /// Take `n` values from the budget; once it is spent, say so once.
    fn spend(&mut self, n: usize, at: Origin) -> bool {
        if n <= self.budget {
            self.budget -= n;
            return true;
        }
        if !self.exhausted {
            self.exhausted = true;
            self.problem(
                at,
                format!(
                    "`extends` and `!reference` expand to more than {MAX_VALUES} values; not expanded"
                ),
            );
        }
        false
    }

    fn problem(&mut self, at: Origin, message: String) {
        if !self.problems.iter().any(|(o, m)| *o == at && *m == message) {
            self.problems.push((at, message));
        }
    }
}

/// The number of values in a tree.
fn size(value: &Val) -> usize {
    match &value.kind {
        Kind::Seq(items) => 1 + items.iter().map(size).sum::<usize>(),
        Kind::Map(entries) => 1 + entries.iter().map(|e| size(&e.value)).sum::<usize>(),
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::yaml;
    use crate::source::SourceFile;

    fn root(text: &str) -> Val {
        let src = SourceFile::new(".gitlab-ci.yml", text);
        let doc = yaml::parse(&src).unwrap().remove(0);
        Val::from_node(&doc, &src, 0)
    }

    fn texts(lines: &[ScriptLine]) -> Vec<&str> {
        lines.iter().map(|l| l.text.as_str()).collect()
    }

    #[test]
    fn extends_merge_in_order_over_several_levels() {
        let root = root(
            ".base:
  image: node:20
  variables: {A: '1', B: '1'}
  script: [base]
.lint:
  extends: .base
  variables: {B: '2'}
  stage: lint
.other:
  stage: other
  script: [other]
job:
  extends: [.lint, .other]
  variables: {C: '3'}
",
        );
        let mut r = Resolver::new(&root);
        let job = r.job("job").unwrap();
        assert_eq!(job.get("stage").unwrap().as_str(), Some("other"));
        assert_eq!(job.get("image").unwrap().as_str(), Some("node:20"));
        let script = r.script(job.get("script").unwrap());
        assert_eq!(texts(&script), ["other"]);
        let vars = job.get("variables").unwrap();
        let names: Vec<&str> = vars.entries().iter().map(|e| e.key.as_str()).collect();
        assert_eq!(names, ["A", "B", "C"]);
        assert_eq!(vars.get("B").unwrap().as_str(), Some("2"));
        assert!(r.problems.is_empty());
    }

    #[test]
    fn extends_cycles_are_problems_not_hangs() {
        let root = root("a:\n  extends: b\n  script: [x]\nb:\n  extends: a\n");
        let mut r = Resolver::new(&root);
        assert!(r.job("a").is_some());
        assert_eq!(r.problems.len(), 1);
        assert!(r.problems[0].1.contains("a → b → a"), "{:?}", r.problems);
        assert_eq!(r.problems[0].0.line, 5);
    }

    #[test]
    fn references_are_flattened_into_scripts() {
        let root = root(
            ".setup:
  script:
    - npm ci
    - [npm run build, [npm run gen]]
job:
  script:
    - !reference [.setup, script]
    - npm test
  variables: !reference [.vars, variables]
",
        );
        let mut r = Resolver::new(&root);
        let job = r.job("job").unwrap();
        let script = r.script(job.get("script").unwrap());
        assert_eq!(
            texts(&script),
            ["npm ci", "npm run build", "npm run gen", "npm test"]
        );
        assert_eq!(script[0].origin.line, 3);
        assert_eq!(script[0].referenced_at, Some(7));
        assert_eq!(script[3].referenced_at, None);
        // A reference to nothing is nothing.
        let vars = r.resolve(job.get("variables").unwrap());
        assert_eq!(vars.kind, Kind::Null);
    }

    #[test]
    fn self_references_stop_at_the_depth_limit() {
        let root = root(
            ".a:\n  script: [!reference [.a, script], x]\njob:\n  script: !reference [.a, script]\n",
        );
        let mut r = Resolver::new(&root);
        let job = r.job("job").unwrap();
        let script = r.script(job.get("script").unwrap());
        assert!(script.len() <= MAX_REFERENCE_DEPTH * 2);
        assert!(!r.problems.is_empty());
    }

    #[test]
    fn a_spent_budget_is_reported_once() {
        let root = root("job:\n  script: [a, b, c, d, e]\n");
        let job = root.get("job").unwrap().clone();
        let mut r = Resolver::with_budget(&root, 3);
        let script = r.script(job.get("script").unwrap());
        assert_eq!(texts(&script), ["a", "b", "c"]);
        assert_eq!(r.problems.len(), 1);
    }

    #[test]
    fn exponential_references_hit_the_budget() {
        let mut text = String::from(".l0:\n  script: [a, b, c, d, e, f, g, h]\n");
        for level in 1..8 {
            let refs = vec![format!("!reference [.l{}, script]", level - 1); 16].join(", ");
            text.push_str(&format!(".l{level}:\n  script: [{refs}]\n"));
        }
        text.push_str("job:\n  script: !reference [.l7, script]\n");
        let root = root(&text);
        let mut r = Resolver::new(&root);
        let job = r.job("job").unwrap();
        let script = r.script(job.get("script").unwrap());
        assert!(script.len() <= MAX_VALUES);
        assert!(r.problems.iter().any(|(_, m)| m.contains("values")));
    }
}
