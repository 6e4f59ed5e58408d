//! `Procfile` (Heroku, Dokku, foreman, honcho): one `name: command` line per
//! process type. Blank lines and `#` comments are skipped. A line that is not
//! `name: command` (process names are letters, digits, `_` and `-`, as Heroku
//! accepts them) is an issue at its position, and the other lines still count.

use crate::parse::ParseError;
use crate::source::{SourceFile, Span};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Process {
    pub name: String,
    pub name_span: Span,
    pub command: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Procfile {
    pub processes: Vec<Process>,
    /// Lines that are not processes, and processes declared twice.
    pub issues: Vec<ParseError>,
}

pub fn parse(src: &SourceFile) -> Procfile {
    let mut out = Procfile::default();
    let mut offset = src.body_offset();
    for raw in src.body().split_inclusive('\n') {
        let start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let indent = line.len() - line.trim_start().len();
        let content = line.trim();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let name_start = start + indent;
        let Some((name, command)) = content.split_once(':') else {
            out.issues.push(ParseError::new(
                name_start,
                "expected `name: command` (a process type, a colon, then its command)",
            ));
            continue;
        };
        let name = name.trim_end();
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            out.issues.push(ParseError::new(
                name_start,
                format!("`{name}` is not a process type name (letters, digits, `_` and `-` only)"),
            ));
            continue;
        }
        let command = command.trim();
        if command.is_empty() {
            out.issues.push(ParseError::new(
                name_start,
                format!("process `{name}` has no command"),
            ));
            continue;
        }
        if out.processes.iter().any(|p| p.name == name) {
            out.issues.push(ParseError::new(
                name_start,
                format!("process `{name}` is declared twice"),
            ));
            continue;
        }
        out.processes.push(Process {
            name: name.to_string(),
            name_span: Span::new(name_start, name_start + name.len()),
            command: command.to_string(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn processes_comments_and_blank_lines() {
        let text = "# processes\nweb: gunicorn app.wsgi --bind 0.0.0.0:$PORT\n\n  worker:celery -A app worker\r\nrelease: python manage.py migrate\n";
        let src = SourceFile::new("Procfile", text);
        let procfile = parse(&src);
        assert!(procfile.issues.is_empty(), "{:?}", procfile.issues);
        let names: Vec<(&str, u32)> = procfile
            .processes
            .iter()
            .map(|p| (p.name.as_str(), src.line(p.name_span.start)))
            .collect();
        assert_eq!(names, [("web", 2), ("worker", 4), ("release", 5)]);
        assert_eq!(procfile.processes[1].command, "celery -A app worker");
        assert_eq!(src.slice(procfile.processes[1].name_span), "worker");
    }

    #[test]
    fn commands_may_hold_colons() {
        let src = SourceFile::new("Procfile", "web: bin/server --listen http://0.0.0.0:$PORT");
        let procfile = parse(&src);
        assert_eq!(
            procfile.processes[0].command,
            "bin/server --listen http://0.0.0.0:$PORT"
        );
    }

    #[test]
    fn malformed_lines_are_issues_at_their_position() {
        let text = "web: ok\nnot a process\nbad name: x\nempty:\nweb: again\n";
        let src = SourceFile::new("Procfile", text);
        let procfile = parse(&src);
        assert_eq!(procfile.processes.len(), 1);
        let lines: Vec<u32> = procfile
            .issues
            .iter()
            .map(|e| e.to_problem(&src).line)
            .collect();
        assert_eq!(lines, [2, 3, 4, 5]);
        assert!(procfile.issues[3].message.contains("declared twice"));
    }

    #[test]
    fn a_byte_order_mark_is_not_part_of_the_first_name() {
        let src = SourceFile::new("Procfile", "\u{feff}web: node server.js\n");
        let procfile = parse(&src);
        assert_eq!(procfile.processes[0].name, "web");
        assert_eq!(src.slice(procfile.processes[0].name_span), "web");
    }
}
