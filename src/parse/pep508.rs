//! PEP 508 dependency specifiers, the string form every Python packaging tool
//! shares: `name [extras] (version specifiers | @ url) ; marker`, as in
//! `Django>=4.2,<5`, `uvicorn[standard] ~= 0.30 ; python_version >= "3.9"` or
//! `pkg @ https://example.com/pkg.whl`. The parser checks the grammar (name,
//! extras, specifier operators, marker expressions) and keeps what a detector
//! needs; it does not compare versions or evaluate markers.

use crate::parse::ParseError;
use crate::source::Span;

/// Markers may nest parentheses at most this deep.
const MAX_MARKER_DEPTH: usize = 32;

/// One parsed requirement. Spans are offsets into the parsed text plus the
/// `base` given to [`parse`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    /// The name as written (`Django`, `zope.interface`).
    pub name: String,
    pub name_span: Span,
    pub extras: Vec<String>,
    pub specifiers: Vec<Specifier>,
    /// The URL of a `name @ url` requirement.
    pub url: Option<String>,
    /// The environment marker after `;`, as written.
    pub marker: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Specifier {
    /// `==`, `===`, `~=`, `!=`, `<=`, `>=`, `<` or `>`.
    pub operator: &'static str,
    pub version: String,
}

impl Requirement {
    /// Pinned to exactly one version: `==1.2.3` (not a `==1.2.*` prefix) or
    /// an arbitrary-equality `===`.
    pub fn is_pinned(&self) -> bool {
        self.specifiers
            .iter()
            .any(|s| s.operator == "===" || s.operator == "==" && !s.version.contains('*'))
    }
}

/// Version comparison operators, longest first so that `===` wins over `==`.
const OPERATORS: [&str; 8] = ["===", "==", "!=", "~=", "<=", ">=", "<", ">"];

/// Variables a marker may compare (PEP 508, with the legacy dotted spellings
/// that `packaging` still accepts, and PEP 751's `extras`/`dependency_groups`).
const MARKER_VARIABLES: &[&str] = &[
    "python_version",
    "python_full_version",
    "os_name",
    "sys_platform",
    "platform_release",
    "platform_system",
    "platform_version",
    "platform_machine",
    "platform_python_implementation",
    "implementation_name",
    "implementation_version",
    "extra",
    "extras",
    "dependency_groups",
    "os.name",
    "sys.platform",
    "platform.version",
    "platform.machine",
    "platform.python_implementation",
    "python_implementation",
];

/// Parse one requirement. `base` is the offset of `text` in its file; every
/// span and error offset is shifted by it.
pub fn parse(text: &str, base: usize) -> Result<Requirement, ParseError> {
    let mut cursor = Cursor { text, pos: 0, base };
    cursor.skip_ws();
    let name_start = cursor.pos;
    let name = cursor.name()?;
    let name_span = Span::new(base + name_start, base + cursor.pos);
    cursor.skip_ws();
    let extras = if cursor.eat("[") {
        cursor.extras()?
    } else {
        Vec::new()
    };
    cursor.skip_ws();
    let mut requirement = Requirement {
        name: name.to_string(),
        name_span,
        extras,
        specifiers: Vec::new(),
        url: None,
        marker: None,
    };
    if cursor.eat("@") {
        cursor.skip_ws();
        let url = cursor.take_while(|c| !c.is_whitespace());
        if url.is_empty() {
            return Err(cursor.error("expected a URL after `@`"));
        }
        requirement.url = Some(url.to_string());
        // A `;` right after the URL belongs to it; a marker needs a space.
        cursor.skip_ws();
    } else if cursor.eat("(") {
        requirement.specifiers = cursor.specifiers()?;
        cursor.skip_ws();
        if !cursor.eat(")") {
            return Err(cursor.error("expected `)` to close the version specifiers"));
        }
        cursor.skip_ws();
    } else if cursor.peek().is_some_and(|c| "<>=!~".contains(c)) {
        requirement.specifiers = cursor.specifiers()?;
        cursor.skip_ws();
    }
    if cursor.eat(";") {
        cursor.skip_ws();
        let marker_start = cursor.pos;
        cursor.marker_or(0)?;
        cursor.skip_ws();
        if let Some(c) = cursor.peek() {
            return Err(cursor.error(format!("unexpected `{c}` in the environment marker")));
        }
        requirement.marker = Some(text.get(marker_start..).unwrap_or("").trim().to_string());
    }
    match cursor.peek() {
        None => Ok(requirement),
        Some(c) => Err(cursor.error(format!(
            "unexpected `{c}` after the requirement; expected a version specifier, `@ url` or `; marker`"
        ))),
    }
}

/// Whether `name` is a valid distribution name: ASCII letters and digits,
/// with `.`, `_` and `-` allowed inside.
pub fn is_valid_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    match (bytes.first(), bytes.last()) {
        (Some(first), Some(last)) => {
            first.is_ascii_alphanumeric()
                && last.is_ascii_alphanumeric()
                && bytes.iter().all(|b| is_name_byte(*b))
        }
        _ => false,
    }
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-')
}

struct Cursor<'a> {
    text: &'a str,
    pos: usize,
    base: usize,
}

impl<'a> Cursor<'a> {
    fn rest(&self) -> &'a str {
        self.text.get(self.pos..).unwrap_or("")
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn eat(&mut self, token: &str) -> bool {
        if self.rest().starts_with(token) {
            self.pos += token.len();
            true
        } else {
            false
        }
    }

    fn skip_ws(&mut self) {
        self.take_while(|c| c == ' ' || c == '\t');
    }

    fn take_while(&mut self, keep: impl Fn(char) -> bool) -> &'a str {
        let rest = self.rest();
        let len = rest.find(|c| !keep(c)).unwrap_or(rest.len());
        self.pos += len;
        rest.get(..len).unwrap_or("")
    }

    fn error(&self, message: impl Into<String>) -> ParseError {
        ParseError::new(self.base + self.pos, message)
    }

    fn name(&mut self) -> Result<&'a str, ParseError> {
        let start = self.pos;
        let name = self.take_while(|c| c.is_ascii() && is_name_byte(c as u8));
        if name.is_empty() {
            return Err(match self.peek() {
                None => self.error("expected a package name"),
                Some(c) => self.error(format!("expected a package name, found `{c}`")),
            });
        }
        if !is_valid_name(name) {
            self.pos = start;
            return Err(self.error(format!(
                "`{name}` is not a valid package name: it must start and end with a letter or digit"
            )));
        }
        Ok(name)
    }

    /// `[a, b]`, after the `[`.
    fn extras(&mut self) -> Result<Vec<String>, ParseError> {
        let mut extras = Vec::new();
        loop {
            self.skip_ws();
            if self.eat("]") {
                return Ok(extras);
            }
            if !extras.is_empty() && !self.eat(",") {
                return Err(self.error("expected `,` or `]` in the extras"));
            }
            self.skip_ws();
            if !extras.is_empty() && self.eat("]") {
                return Ok(extras);
            }
            let extra = self.take_while(|c| c.is_ascii() && is_name_byte(c as u8));
            if !is_valid_name(extra) {
                return Err(self.error("expected an extra name (letters, digits, `-`, `_`, `.`)"));
            }
            extras.push(extra.to_string());
        }
    }

    /// `>=1.0, <2`: one or more comma-separated specifiers.
    fn specifiers(&mut self) -> Result<Vec<Specifier>, ParseError> {
        let mut out = Vec::new();
        loop {
            self.skip_ws();
            let Some(operator) = OPERATORS.into_iter().find(|op| self.rest().starts_with(op))
            else {
                return Err(self.error(
                    "expected a version operator (`==`, `>=`, `<=`, `~=`, `!=`, `<`, `>`, `===`)",
                ));
            };
            self.pos += operator.len();
            self.skip_ws();
            let version = if operator == "===" {
                self.take_while(|c| !c.is_whitespace() && !",;)".contains(c))
            } else {
                self.take_while(|c| c.is_ascii_alphanumeric() || "._*+!-".contains(c))
            };
            if version.is_empty() {
                return Err(self.error(format!("expected a version after `{operator}`")));
            }
            out.push(Specifier {
                operator,
                version: version.to_string(),
            });
            self.skip_ws();
            if !self.eat(",") {
                return Ok(out);
            }
        }
    }

    /// `a or b or ...`
    fn marker_or(&mut self, depth: usize) -> Result<(), ParseError> {
        self.marker_and(depth)?;
        while self.keyword("or") {
            self.marker_and(depth)?;
        }
        Ok(())
    }

    /// `a and b and ...`
    fn marker_and(&mut self, depth: usize) -> Result<(), ParseError> {
        self.marker_atom(depth)?;
        while self.keyword("and") {
            self.marker_atom(depth)?;
        }
        Ok(())
    }

    /// `( marker )` or `value op value`.
    fn marker_atom(&mut self, depth: usize) -> Result<(), ParseError> {
        self.skip_ws();
        if self.eat("(") {
            if depth >= MAX_MARKER_DEPTH {
                return Err(self.error("environment marker nests parentheses too deeply"));
            }
            self.marker_or(depth + 1)?;
            self.skip_ws();
            if !self.eat(")") {
                return Err(self.error("expected `)` in the environment marker"));
            }
            return Ok(());
        }
        self.marker_value()?;
        self.skip_ws();
        let is_operator = OPERATORS.into_iter().any(|op| self.eat(op))
            || self.keyword("in")
            || self.keyword("not") && self.keyword("in");
        if !is_operator {
            return Err(self.error(
                "expected a comparison (`==`, `>=`, `in`, `not in`, ...) in the environment marker",
            ));
        }
        self.marker_value()
    }

    /// A marker variable or a quoted string.
    fn marker_value(&mut self) -> Result<(), ParseError> {
        self.skip_ws();
        if let Some(quote) = self.peek().filter(|c| *c == '"' || *c == '\'') {
            let start = self.pos;
            self.pos += 1;
            self.take_while(|c| c != quote);
            if !self.eat(if quote == '"' { "\"" } else { "'" }) {
                self.pos = start;
                return Err(self.error("unterminated string in the environment marker"));
            }
            return Ok(());
        }
        let start = self.pos;
        let word = self.take_while(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
        if MARKER_VARIABLES.contains(&word) {
            Ok(())
        } else {
            self.pos = start;
            Err(if word.is_empty() {
                self.error("expected a marker variable or a quoted string")
            } else {
                self.error(format!(
                    "`{word}` is not a marker variable (quote it if it is a value)"
                ))
            })
        }
    }

    /// A keyword followed by a non-identifier character.
    fn keyword(&mut self, word: &str) -> bool {
        let save = self.pos;
        self.skip_ws();
        if self.eat(word)
            && !self
                .peek()
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return true;
        }
        self.pos = save;
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> Requirement {
        parse(text, 0).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn err(text: &str) -> ParseError {
        parse(text, 0).expect_err(text)
    }

    #[test]
    fn names_extras_specifiers_and_markers() {
        let req = ok("uvicorn[standard, httptools] >=0.30,<1 ; python_version >= \"3.9\"");
        assert_eq!(req.name, "uvicorn");
        assert_eq!(req.extras, ["standard", "httptools"]);
        assert_eq!(req.specifiers.len(), 2);
        assert_eq!(req.specifiers[1].operator, "<");
        assert_eq!(req.marker.as_deref(), Some("python_version >= \"3.9\""));
        assert!(!req.is_pinned());
    }

    #[test]
    fn names_keep_their_spelling_and_span() {
        let req = parse("  zope.Interface==5.0", 10).unwrap();
        assert_eq!(req.name, "zope.Interface");
        assert_eq!(req.name_span, Span::new(12, 26));
        assert!(req.is_pinned());
    }

    #[test]
    fn pins_are_exact_equality_only() {
        assert!(ok("a===1.0+local").is_pinned());
        assert!(ok("a == 1.0").is_pinned());
        assert!(!ok("a==1.2.*").is_pinned());
        assert!(!ok("a~=1.2").is_pinned());
        assert!(!ok("a").is_pinned());
    }

    #[test]
    fn url_requirements() {
        let req = ok("pkg @ https://example.com/pkg-1.0.whl#sha256=abc ; os_name == 'nt'");
        assert_eq!(
            req.url.as_deref(),
            Some("https://example.com/pkg-1.0.whl#sha256=abc")
        );
        assert_eq!(req.marker.as_deref(), Some("os_name == 'nt'"));
        // The `;` without a space belongs to the URL.
        assert_eq!(ok("pkg@file:///x;y").url.as_deref(), Some("file:///x;y"));
        assert!(err("pkg @ ").message.contains("URL"));
    }

    #[test]
    fn parenthesised_specifiers_are_accepted() {
        assert_eq!(ok("requests (>=2.0, <3)").specifiers.len(), 2);
        assert!(err("requests (>=2.0").message.contains(")"));
    }

    #[test]
    fn markers_nest_and_combine() {
        ok("a; (python_version < '3.8' or sys_platform == 'win32') and extra == 'x'");
        ok("a; 'linux' in sys_platform");
        ok("a; platform_machine not in 'x86_64 aarch64'");
        let e = err("a; python_version < 3.8");
        assert!(e.message.contains("not a marker variable"), "{}", e.message);
        assert_eq!(e.offset, 20);
        assert!(err("a; os_name == 'nt").message.contains("unterminated"));
        assert!(err("a;").message.contains("marker variable"));
        let deep = format!("a; {}os_name == 'x'{}", "(".repeat(100), ")".repeat(100));
        assert!(err(&deep).message.contains("deeply"));
    }

    #[test]
    fn errors_point_at_the_problem() {
        let e = err("django>=");
        assert_eq!(e.offset, 8);
        assert!(e.message.contains("version"));
        let e = err("django 4.2");
        assert_eq!(e.offset, 7);
        assert!(e.message.contains("unexpected `4`"), "{}", e.message);
        assert!(err("-foo").message.contains("package name"));
        assert!(err("foo-").message.contains("start and end"));
        assert!(err("").message.contains("package name"));
        assert!(err("a[x").message.contains("`,` or `]`"));
        assert!(err("a[]x").message.contains("unexpected"));
        assert!(err("a=1").message.contains("operator"));
    }

    #[test]
    fn empty_and_trailing_comma_extras_are_accepted() {
        assert!(ok("a[]").extras.is_empty());
        assert_eq!(ok("a[x,]").extras, ["x"]);
    }

    #[test]
    fn non_ascii_input_does_not_panic() {
        for text in ["é", "a[é]", "a>=é", "a; é", "a @ é", "aé"] {
            let _ = parse(text, 0);
        }
    }

    #[test]
    fn name_validity() {
        assert!(is_valid_name("a"));
        assert!(is_valid_name("A.b_c-1"));
        assert!(!is_valid_name(""));
        assert!(!is_valid_name("_a"));
        assert!(!is_valid_name("a b"));
    }
}
