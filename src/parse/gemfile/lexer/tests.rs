//! The lexer on Ruby's literal syntax.
#![allow(clippy::unwrap_used)]

use super::*;
use crate::source::SourceFile;

fn kinds(text: &str) -> Vec<Kind> {
    let src = SourceFile::new("Gemfile", text);
    let (tokens, errors) = tokenize(&src);
    assert!(errors.is_empty(), "{errors:?}");
    tokens.into_iter().map(|t| t.kind).collect()
}

fn ident(s: &str) -> Kind {
    Kind::Ident(s.to_string())
}

fn string(s: &str) -> Kind {
    Kind::Str(Some(s.to_string()))
}

#[test]
fn interpolation_may_hold_quotes_and_braces() {
    assert_eq!(
        kinds(r#"x "a#{ENV.fetch("B") { "}" }}c" y"#),
        vec![ident("x"), Kind::Str(None), ident("y")]
    );
}

#[test]
fn labels_symbols_and_scope_operators() {
    assert_eq!(
        kinds("group: :test, :a=>Gem::V"),
        vec![
            Kind::Label("group".into()),
            Kind::Symbol(Some("test".into())),
            Kind::Comma,
            Kind::Symbol(Some("a".into())),
            Kind::Arrow,
            ident("Gem"),
            Kind::Dot,
            ident("V"),
        ]
    );
}

#[test]
fn percent_literals_regexps_and_division() {
    assert_eq!(
        kinds("%i[dev test]\n%q{a{b}c} x =~ /\"/ ; a / b"),
        vec![
            Kind::Words(vec!["dev".into(), "test".into()]),
            Kind::Newline,
            string("a{b}c"),
            ident("x"),
            Kind::Op,
            Kind::Op,
            Kind::Value,
            Kind::Semicolon,
            ident("a"),
            Kind::Op,
            ident("b"),
        ]
    );
}

#[test]
fn heredoc_bodies_are_skipped_and_the_line_goes_on() {
    let text = "x(<<~EOS, 'y')\n  gem \"no\"\n  EOS\ngem 'z'\n";
    assert_eq!(
        kinds(text),
        vec![
            ident("x"),
            Kind::Open(b'('),
            Kind::Str(None),
            Kind::Comma,
            string("y"),
            Kind::Close(b')'),
            Kind::Newline,
            Kind::Newline,
            ident("gem"),
            string("z"),
            Kind::Newline,
        ]
    );
}

#[test]
fn block_comments_and_end_marker() {
    let text = "a\n=begin\ngem 'x'\n=end\nb\n__END__\ngem 'y'\n";
    assert_eq!(
        kinds(text),
        vec![
            ident("a"),
            Kind::Newline,
            Kind::Newline,
            ident("b"),
            Kind::Newline
        ]
    );
}

#[test]
fn character_literals_and_globals_do_not_open_strings() {
    assert_eq!(
        kinds("x = ?\" + $\" + 'a'"),
        vec![
            ident("x"),
            Kind::Op,
            Kind::Value,
            Kind::Op,
            Kind::Value,
            Kind::Op,
            string("a")
        ]
    );
}

#[test]
fn an_unterminated_string_is_an_error_and_lexing_resumes_next_line() {
    let src = SourceFile::new("Gemfile", "gem \"rails\ngem 'pg'\n");
    let (tokens, errors) = tokenize(&src);
    assert_eq!(errors.len(), 1);
    assert_eq!(src.position(errors[0].offset).line, 1);
    assert!(tokens.iter().any(|t| t.kind == string("pg")));
}
