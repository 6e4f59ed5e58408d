//! `go.mod` and `go.work`, following the grammar of `golang.org/x/mod/modfile`:
//! one directive per line (`require x v1`), or a block of lines after a verb
//! (`require ( ... )`); `//` comments, which on a `require` line may mark it
//! `// indirect`; tokens may be quoted (`"x"`, `` `x` ``).
//!
//! Nothing here fails a whole file: the go tool reports each bad line, so
//! each bad line is an issue at its position and the rest is kept. An
//! unknown directive is an issue too, since the go tool refuses the file.

mod lexer;

use crate::parse::ParseError;
use crate::source::{SourceFile, Span};
use lexer::{Line, Token, lex};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoRequire {
    pub path: String,
    pub version: String,
    /// Marked `// indirect`: needed by a dependency, not imported by this module.
    pub indirect: bool,
    /// The span of the module path.
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoReplace {
    pub old: String,
    /// A module path, or a directory when it starts with `./`, `../` or `/`.
    pub new: String,
    pub span: Span,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GoMod {
    pub module: Option<(String, Span)>,
    pub go: Option<(String, Span)>,
    pub toolchain: Option<(String, Span)>,
    pub requires: Vec<GoRequire>,
    pub replaces: Vec<GoReplace>,
    /// `tool` directives: package paths of tools the module runs (Go 1.24).
    pub tools: Vec<(String, Span)>,
    /// Lines the go tool would refuse, each at its position.
    pub issues: Vec<ParseError>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GoWork {
    pub go: Option<(String, Span)>,
    pub toolchain: Option<(String, Span)>,
    /// `use` directories, relative to the `go.work` file.
    pub uses: Vec<(String, Span)>,
    pub replaces: Vec<GoReplace>,
    pub issues: Vec<ParseError>,
}

/// A directive: a verb and its arguments, with the comment ending its line.
struct Directive<'a> {
    verb: &'a Token,
    args: &'a [Token],
    comment: Option<&'a str>,
}

/// Group lines into directives: a line `verb (` opens a block whose lines
/// each become a directive of that verb, until a line `)`. `block_verbs`
/// are the verbs that may open a block.
fn directives<'a>(
    lines: &'a [Line],
    block_verbs: &[&str],
    issues: &mut Vec<ParseError>,
) -> Vec<Directive<'a>> {
    let mut out = Vec::new();
    let mut block: Option<&Token> = None;
    for line in lines {
        let Some((first, rest)) = line.tokens.split_first() else {
            continue;
        };
        let comment = line.comment.as_deref();
        if let Some(verb) = block {
            if first.is_punct(")") {
                block = None;
                continue;
            }
            if line.tokens.iter().any(|t| t.is_punct("(")) {
                issues.push(ParseError::new(first.span.start, "blocks cannot be nested"));
                continue;
            }
            out.push(Directive {
                verb,
                args: &line.tokens,
                comment,
            });
            continue;
        }
        let opens_block = rest.first().is_some_and(|t| t.is_punct("("));
        if !opens_block {
            out.push(Directive {
                verb: first,
                args: rest,
                comment,
            });
            continue;
        }
        if !block_verbs.contains(&first.text.as_str()) {
            issues.push(ParseError::new(
                first.span.start,
                format!("unknown block type: {}", first.text),
            ));
        }
        // `require ()` on one line is an empty block.
        let closes_here = rest.get(1).is_some_and(|t| t.is_punct(")"));
        if let Some(extra) = rest.get(1 + usize::from(closes_here)) {
            issues.push(ParseError::new(
                extra.span.start,
                "expected a new line after the opening parenthesis",
            ));
        }
        if !closes_here {
            block = Some(first);
        }
    }
    if let Some(verb) = block {
        issues.push(ParseError::new(
            verb.span.start,
            format!("the `{} (` block is never closed", verb.text),
        ));
    }
    out
}

/// Verbs of `go.mod` that may open a block.
const GO_MOD_BLOCK_VERBS: [&str; 8] = [
    "module", "godebug", "require", "exclude", "replace", "retract", "tool", "ignore",
];

/// Verbs of `go.work` that may open a block.
const GO_WORK_BLOCK_VERBS: [&str; 3] = ["godebug", "use", "replace"];

pub fn parse(src: &SourceFile) -> GoMod {
    let mut out = GoMod::default();
    let lines = lex(src, &mut out.issues);
    let mut issues = Vec::new();
    for d in directives(&lines, &GO_MOD_BLOCK_VERBS, &mut issues) {
        let at = d.verb.span.start;
        match d.verb.text.as_str() {
            "module" => {
                if out.module.is_some() {
                    issues.push(ParseError::new(at, "repeated module statement"));
                } else if let Some(path) = single(&d, "module module/path", &mut issues) {
                    out.module = Some(path);
                }
            }
            "go" => set_once(&mut out.go, &d, "go 1.23", &mut issues),
            "toolchain" => set_once(&mut out.toolchain, &d, "toolchain go1.23.1", &mut issues),
            "require" => match d.args {
                [path, version] => out.requires.push(GoRequire {
                    path: path.text.clone(),
                    version: version.text.clone(),
                    indirect: is_indirect(d.comment),
                    span: path.span,
                }),
                _ => issues.push(usage(&d, "require module/path v1.2.3")),
            },
            "exclude" => {
                if d.args.len() != 2 {
                    issues.push(usage(&d, "exclude module/path v1.2.3"));
                }
            }
            "replace" => {
                if let Some(replace) = replacement(&d, &mut issues) {
                    out.replaces.push(replace);
                }
            }
            "retract" => {
                let interval = matches!(d.args, [open, _, comma, _, close]
                    if open.is_punct("[") && comma.is_punct(",") && close.is_punct("]"));
                if d.args.len() != 1 && !interval {
                    issues.push(usage(&d, "retract v1.2.3 or retract [v1.2.3, v1.3.0]"));
                }
            }
            "godebug" => {
                if !matches!(d.args, [setting] if setting.text.contains('=')) {
                    issues.push(usage(&d, "godebug key=value"));
                }
            }
            "tool" => {
                if let Some(path) = single(&d, "tool package/path", &mut issues) {
                    out.tools.push(path);
                }
            }
            "ignore" => {
                single(&d, "ignore ./directory", &mut issues);
            }
            other => issues.push(ParseError::new(at, format!("unknown directive: {other}"))),
        }
    }
    if out.module.is_none() && issues.is_empty() && out.issues.is_empty() {
        issues.push(ParseError::new(
            src.body_offset(),
            "no module declaration in go.mod",
        ));
    }
    out.issues.extend(issues);
    out.issues.sort_by_key(|issue| issue.offset);
    out
}

pub fn parse_work(src: &SourceFile) -> GoWork {
    let mut out = GoWork::default();
    let lines = lex(src, &mut out.issues);
    let mut issues = Vec::new();
    for d in directives(&lines, &GO_WORK_BLOCK_VERBS, &mut issues) {
        match d.verb.text.as_str() {
            "go" => set_once(&mut out.go, &d, "go 1.23", &mut issues),
            "toolchain" => set_once(&mut out.toolchain, &d, "toolchain go1.23.1", &mut issues),
            "use" => {
                if let Some(dir) = single(&d, "use ./directory", &mut issues) {
                    out.uses.push(dir);
                }
            }
            "replace" => {
                if let Some(replace) = replacement(&d, &mut issues) {
                    out.replaces.push(replace);
                }
            }
            "godebug" => {
                if !matches!(d.args, [setting] if setting.text.contains('=')) {
                    issues.push(usage(&d, "godebug key=value"));
                }
            }
            other => issues.push(ParseError::new(
                d.verb.span.start,
                format!("unknown directive: {other}"),
            )),
        }
    }
    out.issues.extend(issues);
    out.issues.sort_by_key(|issue| issue.offset);
    out
}

fn usage(d: &Directive<'_>, form: &str) -> ParseError {
    let at = d.args.first().map_or(d.verb.span.start, |t| t.span.start);
    ParseError::new(at, format!("usage: {form}"))
}

/// The one argument of a directive that takes exactly one.
fn single(d: &Directive<'_>, form: &str, issues: &mut Vec<ParseError>) -> Option<(String, Span)> {
    match d.args {
        [arg] if !arg.is_punctuation() => Some((arg.text.clone(), arg.span)),
        _ => {
            issues.push(usage(d, form));
            None
        }
    }
}

/// `go` and `toolchain` may each appear once.
fn set_once(
    slot: &mut Option<(String, Span)>,
    d: &Directive<'_>,
    form: &str,
    issues: &mut Vec<ParseError>,
) {
    if slot.is_some() {
        issues.push(ParseError::new(
            d.verb.span.start,
            format!("repeated {} statement", d.verb.text),
        ));
        return;
    }
    *slot = single(d, form, issues);
}

/// `replace old [v] => new [v]`.
fn replacement(d: &Directive<'_>, issues: &mut Vec<ParseError>) -> Option<GoReplace> {
    let arrow = d.args.iter().position(|t| t.is_punct("=>"));
    match (arrow, d.args) {
        (Some(i @ (1 | 2)), args) if matches!(args.len() - i, 2 | 3) => {
            let (old, new) = (args.first()?, args.get(i + 1)?);
            Some(GoReplace {
                old: old.text.clone(),
                new: new.text.clone(),
                span: old.span,
            })
        }
        _ => {
            issues.push(usage(
                d,
                "replace module/path [v1.2.3] => other/module v1.4 (or => ../local/directory)",
            ));
            None
        }
    }
}

/// `// indirect`, or `// indirect; other notes`, as the go tool reads it.
fn is_indirect(comment: Option<&str>) -> bool {
    let Some(comment) = comment else {
        return false;
    };
    let mut fields = comment.split_whitespace();
    matches!(
        (fields.next(), fields.next()),
        (Some("indirect"), None) | (Some("indirect;"), Some(_))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_of(src: &SourceFile, issues: &[ParseError]) -> Vec<u32> {
        issues.iter().map(|i| src.line(i.offset)).collect()
    }

    #[test]
    fn requires_in_both_forms_with_comments_and_indirect_marks() {
        let text = "// The service.\nmodule github.com/acme/orders/v2 // trailing note\n\ngo 1.22\ntoolchain go1.22.4\n\nrequire github.com/go-chi/chi/v5 v5.0.12\n\nrequire (\n\t// a comment line inside the block\n\tgithub.com/jackc/pgx/v5 v5.6.0\n\tgo.uber.org/zap v1.27.0 // logging\n\tgolang.org/x/text v0.16.0 // indirect\n\tgithub.com/x/y v1.0.0 // indirect; kept for a fix\n\tgithub.com/z/w v1.0.0 // indirectly needed\n)\n";
        let src = SourceFile::new("go.mod", text);
        let m = parse(&src);
        assert!(m.issues.is_empty(), "{:?}", m.issues);
        assert_eq!(m.module.as_ref().unwrap().0, "github.com/acme/orders/v2");
        assert_eq!(m.go.as_ref().unwrap().0, "1.22");
        assert_eq!(m.toolchain.as_ref().unwrap().0, "go1.22.4");
        let found: Vec<(&str, &str, bool, u32)> = m
            .requires
            .iter()
            .map(|r| {
                (
                    r.path.as_str(),
                    r.version.as_str(),
                    r.indirect,
                    src.line(r.span.start),
                )
            })
            .collect();
        assert_eq!(
            found,
            vec![
                ("github.com/go-chi/chi/v5", "v5.0.12", false, 7),
                ("github.com/jackc/pgx/v5", "v5.6.0", false, 11),
                ("go.uber.org/zap", "v1.27.0", false, 12),
                ("golang.org/x/text", "v0.16.0", true, 13),
                ("github.com/x/y", "v1.0.0", true, 14),
                ("github.com/z/w", "v1.0.0", false, 15),
            ]
        );
    }

    #[test]
    fn every_other_directive_parses_in_single_and_block_form() {
        let text = r#"module example.com/m
go 1.24
godebug default=go1.21
godebug (
	panicnil=1
)
replace example.com/old v1.0.0 => example.com/new v1.1.0
replace (
	example.com/a => ../a
	"example.com/b" v1.2.0 => `example.com/c` v1.2.1
)
exclude example.com/bad v1.0.0
exclude (
	example.com/bad v1.0.1
)
retract v1.0.0
retract (
	[v1.1.0, v1.1.5] // broken release
	v1.2.0
)
tool golang.org/x/tools/cmd/stringer
ignore ./node_modules
require ()
"#;
        let src = SourceFile::new("go.mod", text);
        let m = parse(&src);
        assert!(m.issues.is_empty(), "{:?}", m.issues);
        let replaces: Vec<(&str, &str)> = m
            .replaces
            .iter()
            .map(|r| (r.old.as_str(), r.new.as_str()))
            .collect();
        assert_eq!(
            replaces,
            [
                ("example.com/old", "example.com/new"),
                ("example.com/a", "../a"),
                ("example.com/b", "example.com/c"),
            ]
        );
        assert_eq!(m.tools[0].0, "golang.org/x/tools/cmd/stringer");
        assert!(m.requires.is_empty());
    }

    #[test]
    fn unknown_directives_and_bad_lines_are_issues_at_their_line() {
        let text = "module example.com/m\ngo 1.22\nrequires example.com/x v1.0.0\nrequire example.com/y\nreplace example.com/z v1 example.com/w\nrequire example.com/ok v1.0.0\nmodule example.com/again\n";
        let src = SourceFile::new("go.mod", text);
        let m = parse(&src);
        assert_eq!(lines_of(&src, &m.issues), [3, 4, 5, 7]);
        assert!(m.issues[0].message.contains("unknown directive: requires"));
        assert_eq!(m.requires.len(), 1);
        assert_eq!(m.requires[0].path, "example.com/ok");
    }

    #[test]
    fn unclosed_blocks_and_strings_are_issues_not_hangs() {
        let src = SourceFile::new("go.mod", "module m\nrequire (\n\tx.org/a v1.0.0\n");
        let m = parse(&src);
        assert_eq!(lines_of(&src, &m.issues), [2]);
        assert_eq!(m.requires.len(), 1);

        let src = SourceFile::new("go.mod", "module \"m\nrequire x.org/a v1.0.0\n");
        let m = parse(&src);
        assert_eq!(lines_of(&src, &m.issues), [1]);
        assert_eq!(m.requires.len(), 1);

        let src = SourceFile::new("go.mod", "module m\nrequire (\n\tgo (\n)\n)\n");
        assert!(!parse(&src).issues.is_empty());
    }

    #[test]
    fn go_and_toolchain_are_single_line_only() {
        let src = SourceFile::new("go.mod", "module m\ngo (\n\t1.22\n)\n");
        let m = parse(&src);
        assert!(m.issues[0].message.contains("unknown block type"));
    }

    #[test]
    fn a_missing_module_line_is_an_issue() {
        let src = SourceFile::new("go.mod", "go 1.22\n");
        assert!(parse(&src).issues[0].message.contains("no module"));
    }

    #[test]
    fn crlf_bom_and_quoted_module_paths() {
        let src = SourceFile::new(
            "go.mod",
            "\u{feff}module \"example.com/q\"\r\n\r\nrequire (\r\n\tx.org/a v1.0.0 // indirect\r\n)\r\n",
        );
        let m = parse(&src);
        assert!(m.issues.is_empty(), "{:?}", m.issues);
        assert_eq!(m.module.as_ref().unwrap().0, "example.com/q");
        assert_eq!(src.slice(m.module.unwrap().1), "\"example.com/q\"");
        assert!(m.requires[0].indirect);
    }

    #[test]
    fn go_work_uses_in_both_forms() {
        let text = "go 1.22\n\nuse ./services/api\nuse (\n\t./services/worker // the worker\n\t\"./libs/shared\"\n)\nreplace example.com/x => ./x\nmodule nope\n";
        let src = SourceFile::new("go.work", text);
        let w = parse_work(&src);
        let uses: Vec<&str> = w.uses.iter().map(|(u, _)| u.as_str()).collect();
        assert_eq!(
            uses,
            ["./services/api", "./services/worker", "./libs/shared"]
        );
        assert_eq!(src.line(w.uses[1].1.start), 5);
        assert_eq!(w.replaces.len(), 1);
        assert_eq!(lines_of(&src, &w.issues), [9]);
    }

    #[test]
    fn every_prefix_of_a_file_parses_without_panicking() {
        let text = "\u{feff}module \"é.org/m\" // c\r\nrequire (\n\tx.org/a v1 // indirect\n\t`y` \"v\\\"2\"\n)\nreplace a => b v1\nretract [v1, v2]\n/* no */\nuse ( ./a )\n";
        for (end, _) in text.char_indices() {
            let src = SourceFile::new("go.mod", &text[..end]);
            let _ = parse(&src);
            let _ = parse_work(&src);
        }
    }
}
