//! Shell-style word processing as BuildKit's lexer does it for `FROM` and for
//! `ENV`/`ARG` values: quotes and escapes removed, and (for `FROM`) `$VAR`,
//! `${VAR}`, `${VAR:-word}`, `${VAR-word}`, `${VAR:+word}`, `${VAR+word}`,
//! `${VAR:?message}` substituted from the global `ARG`s.
//!
//! Values are those of a plain build, without `--build-arg`: an `ARG`
//! declared without a default is unset. A variable whose value is needed but
//! unknown is reported as unresolved rather than replaced by nothing, since
//! the real value comes from outside the file. The pattern operators
//! (`${VAR#p}`, `${VAR%p}`, `${VAR/p/r}`) are not evaluated: they make the
//! word unresolved.

use std::collections::HashMap;

/// Nesting of `${...}` inside modifiers beyond this is an error.
const MAX_DEPTH: usize = 16;

/// The value of a global `ARG` in a plain build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum ArgValue {
    Known(String),
    /// Declared without a default, or with one that depends on such an ARG.
    Unknown,
}

pub(super) type ArgEnv = HashMap<String, ArgValue>;

/// A word after substitution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Expanded {
    pub text: String,
    /// Variables whose value was needed but is not known, in order, once each.
    pub unresolved: Vec<String>,
}

/// Substitute `env` into `word`; an error is a syntax error in the word.
pub(super) fn expand(word: &str, escape: char, env: &ArgEnv) -> Result<Expanded, String> {
    let mut lexer = Lexer::new(word, escape, Some(env));
    let text = lexer.until(None, 0)?;
    Ok(Expanded {
        text,
        unresolved: lexer.unresolved,
    })
}

/// Remove quotes and escapes, leaving `$` references as written. Never
/// fails: an unclosed quote runs to the end of the word.
pub(super) fn unquote(word: &str, escape: char) -> String {
    let mut lexer = Lexer::new(word, escape, None);
    lexer.lenient = true;
    lexer.until(None, 0).unwrap_or_else(|_| word.to_string())
}

struct Lexer<'a> {
    chars: Vec<char>,
    at: usize,
    escape: char,
    /// `None`: leave `$` as written.
    env: Option<&'a ArgEnv>,
    unresolved: Vec<String>,
    /// Accept unclosed quotes.
    lenient: bool,
}

impl<'a> Lexer<'a> {
    fn new(word: &str, escape: char, env: Option<&'a ArgEnv>) -> Self {
        Self {
            chars: word.chars().collect(),
            at: 0,
            escape,
            env,
            unresolved: Vec::new(),
            lenient: false,
        }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.at += 1;
        Some(c)
    }

    /// Process up to `stop` (consumed) or the end of the word.
    fn until(&mut self, stop: Option<char>, depth: usize) -> Result<String, String> {
        if depth > MAX_DEPTH {
            return Err("variable substitutions nest too deeply".into());
        }
        let mut out = String::new();
        while let Some(c) = self.peek() {
            if Some(c) == stop {
                self.at += 1;
                return Ok(out);
            }
            match c {
                '\'' => out.push_str(&self.single_quoted()?),
                '"' => out.push_str(&self.double_quoted(depth)?),
                '$' if self.env.is_some() => out.push_str(&self.dollar(depth)?),
                _ => {
                    self.at += 1;
                    if c == self.escape {
                        // An escape at the very end is dropped.
                        if let Some(next) = self.next() {
                            out.push(next);
                        }
                    } else {
                        out.push(c);
                    }
                }
            }
        }
        match stop {
            Some(s) => Err(format!("missing `{s}`")),
            None => Ok(out),
        }
    }

    fn single_quoted(&mut self) -> Result<String, String> {
        self.at += 1;
        let mut out = String::new();
        loop {
            match self.next() {
                Some('\'') => return Ok(out),
                Some(c) => out.push(c),
                None if self.lenient => return Ok(out),
                None => return Err("unclosed single quote".into()),
            }
        }
    }

    fn double_quoted(&mut self, depth: usize) -> Result<String, String> {
        self.at += 1;
        let mut out = String::new();
        loop {
            match self.peek() {
                Some('"') => {
                    self.at += 1;
                    return Ok(out);
                }
                Some('$') if self.env.is_some() => out.push_str(&self.dollar(depth)?),
                Some(c) => {
                    self.at += 1;
                    if c == self.escape {
                        // Inside double quotes an escape only escapes `"`,
                        // `$` and itself; elsewhere it stays.
                        match self.peek() {
                            Some(n) if n == '"' || n == '$' || n == self.escape => {
                                self.at += 1;
                                out.push(n);
                            }
                            Some(_) => out.push(c),
                            None => {}
                        }
                    } else {
                        out.push(c);
                    }
                }
                None if self.lenient => return Ok(out),
                None => return Err("unclosed double quote".into()),
            }
        }
    }

    fn lookup(&self, name: &str) -> Option<&'a str> {
        match self.env.and_then(|env| env.get(name)) {
            Some(ArgValue::Known(value)) => Some(value),
            _ => None,
        }
    }

    fn missing(&mut self, name: &str) {
        if !self.unresolved.iter().any(|n| n == name) {
            self.unresolved.push(name.to_string());
        }
    }

    fn dollar(&mut self, depth: usize) -> Result<String, String> {
        self.at += 1;
        if self.peek() != Some('{') {
            let name = self.name();
            if name.is_empty() {
                return Ok("$".into());
            }
            return Ok(self.plain(&name));
        }
        self.at += 1;
        match self.peek() {
            None => return Err("missing `}`".into()),
            Some('{' | '}' | ':') => return Err("bad substitution".into()),
            Some(_) => {}
        }
        let name = self.name();
        if name.is_empty() {
            return Err("bad substitution".into());
        }
        let Some(op) = self.next() else {
            return Err("missing `}`".into());
        };
        match op {
            '}' => Ok(self.plain(&name)),
            ':' | '+' | '-' | '?' => {
                let null_is_unset = op == ':';
                let op = if null_is_unset {
                    match self.next() {
                        Some(c @ ('+' | '-' | '?')) => c,
                        Some(c) => return Err(format!("unsupported modifier `:{c}`")),
                        None => return Err("missing `}`".into()),
                    }
                } else {
                    op
                };
                let word = self.until(Some('}'), depth + 1)?;
                let value = self
                    .lookup(&name)
                    .filter(|v| !(null_is_unset && v.is_empty()));
                Ok(match (op, value) {
                    ('-', Some(v)) => v.to_string(),
                    ('-', None) => word,
                    ('+', Some(_)) => word,
                    ('+', None) => String::new(),
                    (_, Some(v)) => v.to_string(),
                    (_, None) => {
                        // `?`: a plain build fails unless the build sets it.
                        self.missing(&name);
                        String::new()
                    }
                })
            }
            '#' | '%' | '/' => {
                self.until(Some('}'), depth + 1)?;
                self.missing(&name);
                Ok(String::new())
            }
            other => Err(format!("unsupported modifier `{other}`")),
        }
    }

    fn plain(&mut self, name: &str) -> String {
        match self.lookup(name) {
            Some(value) => value.to_string(),
            None => {
                self.missing(name);
                String::new()
            }
        }
    }

    /// A variable name: letters, digits and `_`; or digits; or one special
    /// parameter character.
    fn name(&mut self) -> String {
        let mut name = String::new();
        match self.peek() {
            Some(c) if c.is_ascii_digit() => {
                while let Some(d) = self.peek().filter(char::is_ascii_digit) {
                    name.push(d);
                    self.at += 1;
                }
            }
            Some(c @ ('@' | '*' | '#' | '?' | '-' | '$' | '!')) => {
                name.push(c);
                self.at += 1;
            }
            _ => {
                while let Some(c) = self.peek().filter(|c| c.is_alphanumeric() || *c == '_') {
                    name.push(c);
                    self.at += 1;
                }
            }
        }
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, Option<&str>)]) -> ArgEnv {
        pairs
            .iter()
            .map(|(k, v)| {
                let value = match v {
                    Some(v) => ArgValue::Known((*v).to_string()),
                    None => ArgValue::Unknown,
                };
                ((*k).to_string(), value)
            })
            .collect()
    }

    fn run(word: &str, env: &ArgEnv) -> (String, Vec<String>) {
        let e = expand(word, '\\', env).unwrap();
        (e.text, e.unresolved)
    }

    #[test]
    fn variables_are_substituted_in_every_form() {
        let env = env(&[("V", Some("20")), ("EMPTY", Some("")), ("NODEF", None)]);
        assert_eq!(run("node:${V}-alpine", &env).0, "node:20-alpine");
        assert_eq!(run("node:$V", &env).0, "node:20");
        assert_eq!(run("node:${EMPTY:-18}", &env).0, "node:18");
        assert_eq!(run("node:${EMPTY-18}", &env).0, "node:");
        assert_eq!(run("node:${NODEF:-18}", &env).0, "node:18");
        assert_eq!(run("node:${V:+lts}", &env).0, "node:lts");
        assert_eq!(run("node:${NODEF:+lts}x", &env).0, "node:x");
        assert_eq!(run("node:${MISSING:-${V}}", &env).0, "node:20");
        assert_eq!(run("\"node\":'$V'", &env).0, "node:$V");
        assert_eq!(run("a\\$V", &env).0, "a$V");
    }

    #[test]
    fn variables_without_value_are_unresolved() {
        let env = env(&[("NODEF", None)]);
        assert_eq!(run("node:${NODEF}", &env).1, ["NODEF"]);
        assert_eq!(run("$UNDECLARED/app:$UNDECLARED", &env).1, ["UNDECLARED"]);
        assert_eq!(run("app:${NODEF:?set it}", &env).1, ["NODEF"]);
        assert_eq!(run("app:${NODEF#v}", &env).1, ["NODEF"]);
    }

    #[test]
    fn bad_substitutions_are_errors_not_panics() {
        let env = ArgEnv::new();
        for word in [
            "${", "${}", "${:x}", "${V", "${V:-x", "${V:x}", "'open", "\"open",
        ] {
            assert!(expand(word, '\\', &env).is_err(), "{word}");
        }
        let deep = "${A:-".repeat(100) + &"}".repeat(100);
        assert!(expand(&deep, '\\', &env).is_err());
    }

    #[test]
    fn unquote_keeps_variables_and_tolerates_open_quotes() {
        assert_eq!(unquote(r#""/app/bin:$PATH""#, '\\'), "/app/bin:$PATH");
        assert_eq!(unquote(r"hello\ world", '\\'), "hello world");
        assert_eq!(unquote("'open", '\\'), "open");
        assert_eq!(unquote(r"C:\app", '`'), r"C:\app");
    }
}
