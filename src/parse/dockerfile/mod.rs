//! Dockerfiles (and Containerfiles) with positions: a small hand-written
//! parser that follows BuildKit's grammar (`frontend/dockerfile/parser` and
//! `instructions`), because no maintained crate gives both spans and heredocs.
//!
//! What it reads, in BuildKit's order: parser directives at the top
//! (`# syntax=`, `# escape=`, `# check=`), then logical lines (the escape
//! character at the end of a line continues it; comment and blank lines inside
//! a continued instruction are skipped), each split into a keyword, `--flags`
//! and arguments in exec (JSON array) or shell form, followed by any heredoc
//! bodies. Instructions are grouped into [`Stage`]s, one per `FROM`, with the
//! facts later code asks about (base image, `USER`, `HEALTHCHECK`, `EXPOSE`,
//! `ENV`, `ARG`, `COPY --from`) already extracted.
//!
//! Every span is a byte span in the [`SourceFile`]'s text. Text joined from
//! continued lines keeps a span from its first to its last byte.
//!
//! Errors are those BuildKit reports before building: a bad or repeated
//! directive, an unknown instruction, an instruction other than `ARG` before
//! the first `FROM`, a malformed `FROM`, no `FROM` at all, an unterminated
//! heredoc, a JSON array of non-strings. Flags are kept as written and not
//! checked against each instruction's list (that list grows with every
//! BuildKit release, and a false error would hide the whole file).

mod expand;
mod image;
mod instruction;
mod lines;
mod stages;
mod words;

#[cfg(test)]
mod fuzz;
#[cfg(test)]
mod tests;

pub use image::{ImageRef, parse_image_ref};

use crate::parse::ParseError;
use crate::source::{SourceFile, Span};

/// A parsed Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dockerfile {
    /// Parser directives from the top of the file, in order.
    pub directives: Vec<Directive>,
    /// The escape character: `\`, or `` ` `` after `# escape=``.
    pub escape: char,
    /// The instructions before the first `FROM` (only `ARG` may be there).
    pub preamble: Vec<Instruction>,
    /// The `ARG`s of the preamble: the only variables a `FROM` can use.
    pub global_args: Vec<ArgDecl>,
    /// The build stages; a parsed file has at least one.
    pub stages: Vec<Stage>,
}

/// A parser directive such as `# syntax=docker/dockerfile:1`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// Lowercase: `syntax`, `escape` or `check`.
    pub name: String,
    pub value: String,
    /// The whole comment line.
    pub span: Span,
    pub value_span: Span,
}

/// An instruction keyword. BuildKit matches keywords case-insensitively;
/// [`Keyword::as_str`] gives the usual uppercase form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Keyword {
    Add,
    Arg,
    Cmd,
    Copy,
    Entrypoint,
    Env,
    Expose,
    From,
    Healthcheck,
    Label,
    Maintainer,
    Onbuild,
    Run,
    Shell,
    Stopsignal,
    User,
    Volume,
    Workdir,
}

const KEYWORDS: [(Keyword, &str); 18] = [
    (Keyword::Add, "ADD"),
    (Keyword::Arg, "ARG"),
    (Keyword::Cmd, "CMD"),
    (Keyword::Copy, "COPY"),
    (Keyword::Entrypoint, "ENTRYPOINT"),
    (Keyword::Env, "ENV"),
    (Keyword::Expose, "EXPOSE"),
    (Keyword::From, "FROM"),
    (Keyword::Healthcheck, "HEALTHCHECK"),
    (Keyword::Label, "LABEL"),
    (Keyword::Maintainer, "MAINTAINER"),
    (Keyword::Onbuild, "ONBUILD"),
    (Keyword::Run, "RUN"),
    (Keyword::Shell, "SHELL"),
    (Keyword::Stopsignal, "STOPSIGNAL"),
    (Keyword::User, "USER"),
    (Keyword::Volume, "VOLUME"),
    (Keyword::Workdir, "WORKDIR"),
];

impl Keyword {
    /// The keyword of `word`, in any case.
    pub fn parse(word: &str) -> Option<Self> {
        KEYWORDS
            .iter()
            .find(|(_, name)| name.eq_ignore_ascii_case(word))
            .map(|(keyword, _)| *keyword)
    }

    /// The uppercase form (`RUN`).
    pub fn as_str(self) -> &'static str {
        KEYWORDS
            .iter()
            .find(|(keyword, _)| *keyword == self)
            .map_or("", |(_, name)| name)
    }
}

impl std::fmt::Display for Keyword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One instruction: all its continued lines and heredoc bodies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    pub keyword: Keyword,
    pub keyword_span: Span,
    /// From the keyword to the end of its last line (the last heredoc
    /// terminator, if any).
    pub span: Span,
    /// `--name[=value]` words between the keyword and the arguments.
    pub flags: Vec<Flag>,
    pub args: Arguments,
    /// Heredoc bodies (`RUN`, `COPY`, `ADD` and their `ONBUILD` forms), in the
    /// order of their `<<` markers.
    pub heredocs: Vec<Heredoc>,
}

impl Instruction {
    /// The last flag called `name` (without the leading `--`).
    pub fn flag(&self, name: &str) -> Option<&Flag> {
        self.flags.iter().rev().find(|f| f.name == name)
    }
}

/// A `--name=value` (or bare `--name`) flag, quotes and escapes removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    pub name: String,
    pub value: Option<String>,
    /// The whole flag as written.
    pub span: Span,
    /// The value as written (after the first `=`).
    pub value_span: Option<Span>,
}

/// A piece of text and where it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub text: String,
    pub span: Span,
}

/// An instruction's arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arguments {
    /// JSON array form, `["node", "server.js"]`: each decoded string.
    /// Recognised for `RUN`, `CMD`, `ENTRYPOINT`, `SHELL`, `COPY`, `ADD` and
    /// `VOLUME`, as in BuildKit; text that is not valid JSON is shell form.
    Exec(Vec<Word>),
    /// Everything after the flags as written, continuations joined and outer
    /// whitespace trimmed (empty when there are no arguments).
    Shell(Word),
}

impl Arguments {
    pub fn is_exec(&self) -> bool {
        matches!(self, Arguments::Exec(_))
    }

    /// The shell-form text, or the exec-form strings joined by spaces.
    pub fn text(&self) -> String {
        match self {
            Arguments::Shell(word) => word.text.clone(),
            Arguments::Exec(words) => words
                .iter()
                .map(|w| w.text.as_str())
                .collect::<Vec<_>>()
                .join(" "),
        }
    }
}

/// A heredoc (`<<EOF` ... `EOF`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heredoc {
    /// The delimiter without quotes (`EOF` for `<<"EOF"`).
    pub name: String,
    /// `<<-`: leading tabs are stripped from the body and the terminator.
    pub strip_tabs: bool,
    /// False when the delimiter is quoted: the body is not expanded.
    pub expand: bool,
    /// A file descriptor written before the marker (`3<<EOF`).
    pub fd: Option<u32>,
    /// The `<<EOF` marker in the instruction line.
    pub marker_span: Span,
    /// The body with its line endings, tabs stripped for `<<-`.
    pub body: String,
    /// The body lines as written, without the terminator line.
    pub body_span: Span,
}

/// One build stage: a `FROM` and the instructions up to the next one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    /// 0-based position among the stages (what `COPY --from=0` names).
    pub index: usize,
    /// The `AS` name, lowercased as BuildKit does, with its span as written.
    pub name: Option<Word>,
    /// `--platform=...` as written.
    pub platform: Option<Word>,
    pub base: BaseImage,
    /// Every instruction of the stage; the first is its `FROM`.
    pub instructions: Vec<Instruction>,
    /// The last `USER` of this stage (not inherited: see
    /// [`Stage::effective_user`]).
    pub user: Option<User>,
    /// The last `HEALTHCHECK` of this stage.
    pub healthcheck: Option<Healthcheck>,
    pub exposes: Vec<Port>,
    pub entrypoint: Option<Command>,
    pub cmd: Option<Command>,
    /// The last `WORKDIR`.
    pub workdir: Option<Word>,
    pub env: Vec<KeyValue>,
    pub args: Vec<ArgDecl>,
    /// `COPY --from=...` sources, in order.
    pub copy_from: Vec<CopyFrom>,
}

/// The image a `FROM` starts from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseImage {
    /// As written: `node:${NODE_VERSION}-alpine`.
    pub text: String,
    pub span: Span,
    /// After substituting the global `ARG`s' defaults (`node:20-alpine`);
    /// `None` when a variable has no value in the file.
    pub resolved: Option<String>,
    /// The variables without a value: declared without a default, or not
    /// declared before the first `FROM` (BuildKit then substitutes what the
    /// build passes, or nothing).
    pub unresolved: Vec<String>,
    pub source: ImageSource,
}

/// What a `FROM` or `COPY --from` refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageSource {
    /// `scratch`: the empty image.
    Scratch,
    /// An earlier stage (by name for `FROM`; by name or index for `--from`).
    Stage(usize),
    Image(ImageRef),
    /// Depends on a build argument the file gives no value for.
    Unresolved,
    /// The reference does not parse as an image name (`FROM node:`).
    Invalid,
}

/// A `USER` instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// As written: `app:app`, `1000`, `${APP_UID}`.
    pub text: String,
    /// The user part, before any `:group`.
    pub name: String,
    pub group: Option<String>,
    /// The span of the value.
    pub span: Span,
    /// The span of the whole `USER` instruction.
    pub instruction_span: Span,
}

impl User {
    /// `root` or uid `0`, as written (a variable is not resolved).
    pub fn is_root(&self) -> bool {
        self.name == "root" || (!self.name.is_empty() && self.name.bytes().all(|b| b == b'0'))
    }
}

/// A `HEALTHCHECK` instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Healthcheck {
    /// `HEALTHCHECK NONE`: disables any check inherited from the base image.
    pub disabled: bool,
    /// The command after `CMD` (exec or shell form); `None` for `NONE`.
    pub command: Option<Arguments>,
    /// `--interval`, `--timeout`, `--start-period`, `--start-interval`, `--retries`.
    pub flags: Vec<Flag>,
    pub span: Span,
}

/// An `EXPOSE`d port or range: `80`, `53/udp`, `8000-8010/tcp`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Port {
    pub text: String,
    pub span: Span,
    /// The first port, when written as a number.
    pub start: Option<u16>,
    /// The last port of a range (equal to `start` for one port).
    pub end: Option<u16>,
    /// Lowercase; `tcp` when not written.
    pub protocol: String,
}

/// A `CMD` or `ENTRYPOINT`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    pub args: Arguments,
    /// The span of the instruction.
    pub span: Span,
}

/// An `ENV` (or `LABEL`-style) pair; the value has its quotes removed and
/// its variables left as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyValue {
    pub key: String,
    pub value: String,
    pub key_span: Span,
    /// The pair as written (`KEY=value`, or `KEY value` in the legacy form).
    pub span: Span,
}

/// A variable declared by `ARG`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgDecl {
    pub name: String,
    /// The default with quotes removed; `None` for `ARG NAME`.
    pub default: Option<String>,
    pub span: Span,
}

/// A `COPY --from=<stage|image>` source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyFrom {
    pub text: String,
    /// The span of the flag's value.
    pub span: Span,
    pub source: ImageSource,
}

impl Dockerfile {
    /// The stage a plain `docker build` produces: the last one.
    pub fn final_stage(&self) -> Option<&Stage> {
        self.stages.last()
    }

    /// A stage by its `AS` name (case-insensitive, as BuildKit).
    pub fn stage_named(&self, name: &str) -> Option<&Stage> {
        self.stages.iter().find(|s| {
            s.name
                .as_ref()
                .is_some_and(|n| n.text.eq_ignore_ascii_case(name))
        })
    }

    /// Every instruction, preamble first, in file order.
    pub fn instructions(&self) -> impl Iterator<Item = &Instruction> {
        self.preamble
            .iter()
            .chain(self.stages.iter().flat_map(|s| s.instructions.iter()))
    }

    /// The stages `stage` builds on, itself first: `FROM <earlier stage>`
    /// links, followed until an image, `scratch` or an unresolved reference.
    pub fn ancestry<'a>(&'a self, stage: &'a Stage) -> impl Iterator<Item = &'a Stage> + 'a {
        let mut next = Some(stage);
        // A stage can only name an earlier one, but bound the walk anyway.
        let mut budget = self.stages.len() + 1;
        std::iter::from_fn(move || {
            let current = next?;
            budget = budget.checked_sub(1)?;
            next = match current.base.source {
                ImageSource::Stage(index) if index < current.index => self.stages.get(index),
                _ => None,
            };
            Some(current)
        })
    }
}

impl Stage {
    /// The `USER` in effect at the end of this stage: its own last `USER`,
    /// else the one of the stage it is built `FROM`, and so on. `None` when no
    /// stage in the chain sets one (the base image's user applies, usually
    /// root).
    pub fn effective_user<'a>(&'a self, dockerfile: &'a Dockerfile) -> Option<&'a User> {
        dockerfile.ancestry(self).find_map(|s| s.user.as_ref())
    }

    /// The `HEALTHCHECK` in effect at the end of this stage, following
    /// `FROM <earlier stage>` like [`Stage::effective_user`].
    pub fn effective_healthcheck<'a>(
        &'a self,
        dockerfile: &'a Dockerfile,
    ) -> Option<&'a Healthcheck> {
        dockerfile
            .ancestry(self)
            .find_map(|s| s.healthcheck.as_ref())
    }

    /// The `FROM` instruction.
    pub fn from_instruction(&self) -> Option<&Instruction> {
        self.instructions.first()
    }
}

/// Parse a Dockerfile. Offsets in the result and in errors are byte offsets
/// in `src.text` (a byte order mark is skipped).
pub fn parse(src: &SourceFile) -> Result<Dockerfile, ParseError> {
    let mut reader = lines::Reader::new(&src.text, src.body_offset());
    let mut parsed = Vec::new();
    while let Some(line) = reader.next_logical_line()? {
        parsed.push(instruction::parse(&line, &mut reader)?);
    }
    let directives = reader.directives().to_vec();
    stages::assemble(parsed, directives, reader.escape(), src.body_offset())
}
