//! A fuzz loop over random, spliced and truncated input: the parser must
//! never panic, never hang, and report errors inside the text.

use super::parse;
use crate::source::SourceFile;

/// A tiny deterministic xorshift generator: no crate needed.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % (n.max(1) as u64)).unwrap_or(0)
    }
}

const FIXTURES: [&str; 6] = [
    include_str!("../../../fixtures/files/dockerfile/node-multistage.Dockerfile"),
    include_str!("../../../fixtures/files/dockerfile/windows.Dockerfile"),
    include_str!("../../../fixtures/files/dockerfile/heredocs.Dockerfile"),
    include_str!("../../../fixtures/files/dockerfile/distroless.Dockerfile"),
    include_str!("../../../fixtures/files/dockerfile/python.Dockerfile"),
    include_str!("../../../fixtures/files/dockerfile/broken.Dockerfile"),
];

/// Characters that matter to the grammar, to make random input interesting.
const ALPHABET: &[&str] = &[
    "FROM ",
    "RUN ",
    "COPY ",
    "USER ",
    "ARG ",
    "ENV ",
    "HEALTHCHECK ",
    "EXPOSE ",
    "ONBUILD ",
    " AS ",
    "<<",
    "<<-",
    "EOF",
    "\n",
    "\r\n",
    "\\",
    "`",
    "#",
    " ",
    "\t",
    "\"",
    "'",
    "$",
    "${",
    "}",
    ":-",
    ":+",
    "=",
    "--",
    "[",
    "]",
    ",",
    "a",
    "1",
    "é",
    "\u{feff}",
    "# escape=`\n",
];

fn check_never_panics(text: &str) {
    let src = SourceFile::new("Dockerfile", text);
    if let Err(err) = parse(&src) {
        assert!(err.offset <= text.len(), "offset past the end for {text:?}");
        let _ = err.to_problem(&src);
    }
}

#[test]
fn fixtures_truncated_anywhere_never_panic() {
    for fixture in FIXTURES {
        for (cut, _) in fixture.char_indices() {
            check_never_panics(&fixture[..cut]);
            check_never_panics(&fixture[cut..]);
        }
    }
}

#[test]
fn random_input_never_panics() {
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    for _ in 0..3000 {
        let mut text = String::new();
        for _ in 0..rng.below(60) {
            text.push_str(ALPHABET[rng.below(ALPHABET.len())]);
        }
        check_never_panics(&text);
    }
    for _ in 0..2000 {
        let bytes: Vec<u8> = (0..rng.below(200)).map(|_| rng.next() as u8).collect();
        check_never_panics(&String::from_utf8_lossy(&bytes));
    }
    // Fixture lines shuffled and spliced together.
    let lines: Vec<&str> = FIXTURES.iter().flat_map(|f| f.lines()).collect();
    for _ in 0..2000 {
        let text: Vec<&str> = (0..rng.below(30))
            .map(|_| lines[rng.below(lines.len())])
            .collect();
        check_never_panics(&text.join("\n"));
    }
}

#[test]
fn huge_inputs_stay_linear() {
    // Long continuations, many heredoc markers, deep substitutions.
    let mut text = String::from("FROM a\nRUN x \\\n");
    text.push_str(&"  y \\\n".repeat(20_000));
    text.push_str("  z\nRUN ");
    text.push_str(&"<<EOF ".repeat(5_000));
    text.push('\n');
    text.push_str(&"EOF\n".repeat(5_000));
    text.push_str("FROM ");
    text.push_str(&"${A:-".repeat(5_000));
    let start = std::time::Instant::now();
    check_never_panics(&text);
    assert!(start.elapsed().as_secs() < 10, "took {:?}", start.elapsed());
}
