//! The shape of a Jenkinsfile from its tokens: stages (nested, parallel,
//! scripted `parallel` maps), the steps inside them with their `dir()`, and
//! the service containers it starts. Anything else is looked through, so
//! wrappers (`withMaven { }`, `script { }`, `node { }`) need no list.

use std::ops::Range;

use super::lexer::{Tok, Token};
use crate::detect::DetectContext;
use crate::detect::ci::jobs::resolve_dir;

/// How deeply stages, parallel blocks and `dir()` blocks may nest.
const MAX_DEPTH: usize = 64;
/// Shell steps: their text is a command line.
const SHELL_STEPS: &[&str] = &["sh", "bat", "powershell", "pwsh"];

#[derive(Debug)]
pub enum Item {
    Stage(Stage),
    /// Branches run side by side (declarative stages or scripted map entries).
    Parallel(Vec<Stage>),
    Step(StepDraft),
}

impl Item {
    pub fn step(&self) -> Option<&StepDraft> {
        match self {
            Item::Step(step) => Some(step),
            _ => None,
        }
    }
}

#[derive(Debug)]
pub struct Stage {
    pub name: String,
    /// Offset of the `stage` keyword (or of a scripted branch's name).
    pub offset: usize,
    pub items: Vec<Item>,
}

#[derive(Debug)]
pub struct StepDraft {
    pub offset: usize,
    pub dir: Option<String>,
    pub kind: StepKind,
}

#[derive(Debug)]
pub enum StepKind {
    Command(String),
    /// A Jenkins step or global (`input`, `withSonarQubeEnv`,
    /// `docker.build`), with the command it amounts to, if any.
    Task {
        uses: String,
        command: Option<String>,
    },
}

pub struct Parsed {
    pub items: Vec<Item>,
    /// `docker.image('x').withRun` images and their offsets.
    pub services: Vec<(String, usize)>,
}

pub fn parse(ctx: &DetectContext<'_>, tokens: &[Token]) -> Parsed {
    let parser = Parser {
        ctx,
        toks: tokens,
        matching: matching(tokens),
    };
    let mut services = Vec::new();
    let items = parser.items(0..tokens.len(), None, 0, &mut services);
    Parsed { items, services }
}

/// For each opening bracket, the index of its closing one (brackets that do
/// not close are left unmatched).
fn matching(tokens: &[Token]) -> Vec<Option<usize>> {
    let mut out = vec![None; tokens.len()];
    let mut open: Vec<usize> = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        match token.tok {
            Tok::Open(_) => open.push(i),
            Tok::Close(_) => {
                if let Some(j) = open.pop()
                    && let Some(slot) = out.get_mut(j)
                {
                    *slot = Some(i);
                }
            }
            _ => {}
        }
    }
    out
}

struct Parser<'a, 'c> {
    ctx: &'a DetectContext<'c>,
    toks: &'a [Token],
    matching: Vec<Option<usize>>,
}

impl Parser<'_, '_> {
    fn tok(&self, i: usize) -> Option<&Tok> {
        self.toks.get(i).map(|t| &t.tok)
    }

    fn offset(&self, i: usize) -> usize {
        self.toks.get(i).map_or(0, |t| t.start)
    }

    fn is_ident(&self, i: usize, name: &str) -> bool {
        matches!(self.tok(i), Some(Tok::Ident(s)) if s == name)
    }

    fn is_open(&self, i: usize, c: char) -> bool {
        self.tok(i) == Some(&Tok::Open(c))
    }

    fn is_punct(&self, i: usize, c: char) -> bool {
        self.tok(i) == Some(&Tok::Punct(c))
    }

    /// The closing index of the bracket opening at `i`, within `limit`.
    fn close(&self, i: usize, limit: usize) -> Option<usize> {
        self.matching
            .get(i)
            .copied()
            .flatten()
            .filter(|c| *c < limit)
    }

    /// The closing index of a bracket `c` opening at `i`, within `limit`;
    /// `None` when no such bracket opens there.
    fn group(&self, i: usize, c: char, limit: usize) -> Option<usize> {
        self.is_open(i, c).then(|| self.close(i, limit)).flatten()
    }

    /// The first string literal at bracket depth 0 of `range`.
    fn first_string(&self, range: Range<usize>) -> Option<(String, usize)> {
        let mut i = range.start;
        while i < range.end {
            match self.tok(i) {
                Some(Tok::Str(s)) => return Some((s.clone(), self.offset(i))),
                Some(Tok::Open(_)) => i = self.close(i, range.end).map_or(range.end, |c| c + 1),
                _ => i += 1,
            }
        }
        None
    }

    /// The value of `key: '...'` in the named arguments of `range`.
    fn named_string(&self, range: Range<usize>, key: &str) -> Option<String> {
        (range.start..range.end).find_map(|i| {
            if self.is_ident(i, key) && self.is_punct(i + 1, ':') {
                match self.tok(i + 2) {
                    Some(Tok::Str(s)) => Some(s.clone()),
                    _ => None,
                }
            } else {
                None
            }
        })
    }

    fn items(
        &self,
        range: Range<usize>,
        dir: Option<&str>,
        depth: usize,
        services: &mut Vec<(String, usize)>,
    ) -> Vec<Item> {
        let mut out = Vec::new();
        if depth > MAX_DEPTH {
            return out;
        }
        let end = range.end;
        let mut i = range.start;
        while i < end {
            let Some(Tok::Ident(name)) = self.tok(i) else {
                i += 1;
                continue;
            };
            // `x.sh(...)` is a method of something else.
            let member = i > 0 && self.is_punct(i - 1, '.');
            i = match name.as_str() {
                _ if member => i + 1,
                "stage" => self.stage(i, end, dir, depth, services, &mut out),
                "parallel" => self.parallel(i, end, dir, depth, services, &mut out),
                "dir" => self.dir(i, end, dir, depth, services, &mut out),
                "docker" => self.docker(i, end, dir, services, &mut out),
                shell if SHELL_STEPS.contains(&shell) => self.shell(i, end, dir, &mut out),
                other => {
                    if self.is_step_call(i) && self.is_known_step(other) {
                        out.push(Item::Step(StepDraft {
                            offset: self.offset(i),
                            dir: dir.map(str::to_string),
                            kind: StepKind::Task {
                                uses: other.to_string(),
                                command: None,
                            },
                        }));
                    }
                    i + 1
                }
            };
        }
        out
    }

    /// Whether the identifier at `i` is called as a step: `x(`, `x {`,
    /// `x 'arg'` or `x key: value`.
    fn is_step_call(&self, i: usize) -> bool {
        match self.tok(i + 1) {
            Some(Tok::Open('(' | '{')) | Some(Tok::Str(_)) => true,
            Some(Tok::Ident(_)) => self.is_punct(i + 2, ':'),
            _ => false,
        }
    }

    /// `input` (a manual gate) and the steps the step data knows.
    fn is_known_step(&self, name: &str) -> bool {
        if name == "input" {
            return true;
        }
        let class = self.ctx.ci_steps.classify_action(name);
        !class.stages.is_empty() || !class.tools.is_empty()
    }

    /// `stage('Name') { ... }`; returns where to go on.
    fn stage(
        &self,
        i: usize,
        end: usize,
        dir: Option<&str>,
        depth: usize,
        services: &mut Vec<(String, usize)>,
        out: &mut Vec<Item>,
    ) -> usize {
        let Some(args_end) = self.group(i + 1, '(', end) else {
            return i + 1;
        };
        let Some(name) = self
            .named_string(i + 2..args_end, "name")
            .or_else(|| self.first_string(i + 2..args_end).map(|(s, _)| s))
        else {
            return args_end + 1;
        };
        let body = args_end + 1;
        let Some(body_end) = self.group(body, '{', end) else {
            // `stage('x')` without a block (old scripted syntax): nothing to
            // attach to it.
            return args_end + 1;
        };
        let items = self.items(body + 1..body_end, dir, depth + 1, services);
        out.push(Item::Stage(Stage {
            name,
            offset: self.offset(i),
            items,
        }));
        body_end + 1
    }

    /// Declarative `parallel { stage... }` or scripted
    /// `parallel(a: { ... }, 'b': { ... })` / `parallel a: { ... }, ...`.
    fn parallel(
        &self,
        i: usize,
        end: usize,
        dir: Option<&str>,
        depth: usize,
        services: &mut Vec<(String, usize)>,
        out: &mut Vec<Item>,
    ) -> usize {
        if self.is_open(i + 1, '{') {
            let Some(body_end) = self.close(i + 1, end) else {
                return i + 1;
            };
            let branches = self
                .items(i + 2..body_end, dir, depth + 1, services)
                .into_iter()
                .filter_map(|item| match item {
                    Item::Stage(stage) => Some(stage),
                    _ => None,
                })
                .collect();
            out.push(Item::Parallel(branches));
            return body_end + 1;
        }
        let (start, limit, after) = if self.is_open(i + 1, '(') {
            match self.close(i + 1, end) {
                Some(c) => (i + 2, c, c + 1),
                None => return i + 1,
            }
        } else {
            (i + 1, end, end)
        };
        // Entries `key: { ... }` separated by commas.
        let mut branches = Vec::new();
        let mut j = start;
        let mut last = i + 1;
        while j < limit {
            let key = match self.tok(j) {
                Some(Tok::Ident(s) | Tok::Str(s)) if self.is_punct(j + 1, ':') => s.clone(),
                _ => break,
            };
            let value = j + 2;
            let next = if self.is_open(value, '{') {
                let Some(body_end) = self.close(value, limit) else {
                    break;
                };
                let items = self.items(value + 1..body_end, dir, depth + 1, services);
                branches.push(Stage {
                    name: key,
                    offset: self.offset(j),
                    items,
                });
                body_end + 1
            } else {
                // `failFast: true` and the like.
                value + 1
            };
            last = next;
            if self.is_punct(next, ',') {
                j = next + 1;
            } else {
                break;
            }
        }
        if branches.is_empty() {
            return i + 1;
        }
        out.push(Item::Parallel(branches));
        if after == end { last } else { after }
    }

    /// `dir('path') { ... }`: the block's steps run in `path`.
    fn dir(
        &self,
        i: usize,
        end: usize,
        dir: Option<&str>,
        depth: usize,
        services: &mut Vec<(String, usize)>,
        out: &mut Vec<Item>,
    ) -> usize {
        let Some(args_end) = self.group(i + 1, '(', end) else {
            return i + 1;
        };
        let body = args_end + 1;
        let Some(body_end) = self.group(body, '{', end) else {
            return i + 1;
        };
        let inner = self
            .first_string(i + 2..args_end)
            .and_then(|(path, _)| resolve_dir(dir, &path));
        let inner = inner.as_deref().or(dir);
        out.extend(self.items(body + 1..body_end, inner, depth + 1, services));
        body_end + 1
    }

    /// `docker.build(...)` and `docker.image('x').withRun`.
    fn docker(
        &self,
        i: usize,
        end: usize,
        dir: Option<&str>,
        services: &mut Vec<(String, usize)>,
        out: &mut Vec<Item>,
    ) -> usize {
        if !self.is_punct(i + 1, '.') {
            return i + 1;
        }
        if self.is_ident(i + 2, "build") && self.is_open(i + 3, '(') {
            out.push(Item::Step(StepDraft {
                offset: self.offset(i),
                dir: dir.map(str::to_string),
                kind: StepKind::Task {
                    uses: "docker.build".to_string(),
                    command: Some("docker build".to_string()),
                },
            }));
            return self.close(i + 3, end).map_or(i + 4, |c| c + 1);
        }
        if self.is_ident(i + 2, "image")
            && let Some(args_end) = self.group(i + 3, '(', end)
            && self.is_punct(args_end + 1, '.')
            && self.is_ident(args_end + 2, "withRun")
            && let Some((image, offset)) = self.first_string(i + 4..args_end)
        {
            services.push((image, offset));
        }
        // Go on inside: `.inside { sh ... }` blocks hold steps.
        i + 1
    }

    /// A shell step in any of its forms; returns where to go on.
    fn shell(&self, i: usize, end: usize, dir: Option<&str>, out: &mut Vec<Item>) -> usize {
        let (script, next) = match self.tok(i + 1) {
            Some(Tok::Str(s)) => (Some(s.clone()), i + 2),
            Some(Tok::Open('(')) => match self.close(i + 1, end) {
                Some(c) => (
                    self.named_string(i + 2..c, "script")
                        .or_else(|| self.positional_string(i + 2..c)),
                    c + 1,
                ),
                None => (None, i + 1),
            },
            Some(Tok::Ident(_)) if self.is_punct(i + 2, ':') => {
                let args_end = self.named_args_end(i + 1, end);
                (self.named_string(i + 1..args_end, "script"), args_end)
            }
            _ => (None, i + 1),
        };
        if let Some(script) = script {
            out.push(Item::Step(StepDraft {
                offset: self.offset(i),
                dir: dir.map(str::to_string),
                kind: StepKind::Command(script),
            }));
        }
        next
    }

    /// The end of `key: value, key: value` arguments written without
    /// parentheses, starting at `start`.
    fn named_args_end(&self, start: usize, end: usize) -> usize {
        let mut j = start;
        while j < end
            && matches!(self.tok(j), Some(Tok::Ident(_) | Tok::Str(_)))
            && self.is_punct(j + 1, ':')
        {
            let value = j + 2;
            let after = match self.tok(value) {
                Some(Tok::Open(_)) => self.close(value, end).map_or(end, |c| c + 1),
                _ => value + 1,
            };
            if !self.is_punct(after, ',') {
                return after.min(end);
            }
            j = after + 1;
        }
        j.min(end)
    }

    /// The first string argument that is not a named one's value.
    fn positional_string(&self, range: Range<usize>) -> Option<String> {
        let mut i = range.start;
        while i < range.end {
            match self.tok(i) {
                Some(Tok::Str(s)) if i == 0 || !self.is_punct(i - 1, ':') => {
                    return Some(s.clone());
                }
                Some(Tok::Open(_)) => i = self.close(i, range.end).map_or(range.end, |c| c + 1),
                _ => i += 1,
            }
        }
        None
    }
}
