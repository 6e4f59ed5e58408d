//! YAML with positions: a located tree built from `saphyr-parser` events.
//!
//! Building the tree ourselves (rather than through saphyr's loader) lets us
//! keep byte spans for every key and value, expand `<<` merge keys, and bound
//! alias expansion (a "billion laughs" file is an error, not an out-of-memory
//! crash) and nesting depth. Multi-document streams give one root per document.
//! Scalars keep their text; typed views (`as_i64`, `as_bool`) follow YAML 1.2's
//! core schema, where only plain scalars are numbers, booleans or null.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle};

use crate::parse::ParseError;
use crate::source::{SourceFile, Span};

/// At most this many nodes may be created by expanding aliases in one file.
pub const MAX_ALIAS_NODES: usize = 100_000;
/// At most this deep may collections nest.
pub const MAX_DEPTH: usize = 256;

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    /// Where the node is written (for an alias: where the anchored node is).
    pub span: Span,
    /// A local tag such as `!Ref` or `!reference`, without the handle's `!`
    /// doubling: `!Ref` is `Some("!Ref")`.
    pub tag: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Scalar(Scalar),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Scalar {
    pub text: String,
    /// Plain (unquoted, not a block scalar): only these can be numbers,
    /// booleans or null.
    pub plain: bool,
}

static EMPTY_SEQ: [Node; 0] = [];
static EMPTY_MAP: [(Node, Node); 0] = [];

impl Node {
    fn scalar(text: String, plain: bool, span: Span, tag: Option<String>) -> Self {
        Self {
            value: Value::Scalar(Scalar { text, plain }),
            span,
            tag,
        }
    }

    /// The value under `key` of a mapping (scalar keys compared as text).
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }

    /// The (key, value) entry under `key` of a mapping.
    pub fn entry(&self, key: &str) -> Option<(&Node, &Node)> {
        self.entries()
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(k, v)| (k, v))
    }

    /// Follow a path of mapping keys.
    pub fn path(&self, keys: &[&str]) -> Option<&Node> {
        keys.iter().try_fold(self, |node, key| node.get(key))
    }

    /// The entries of a mapping (empty for anything else).
    pub fn entries(&self) -> &[(Node, Node)] {
        match &self.value {
            Value::Map(entries) => entries,
            _ => &EMPTY_MAP,
        }
    }

    /// The items of a sequence (empty for anything else).
    pub fn seq(&self) -> &[Node] {
        match &self.value {
            Value::Seq(items) => items,
            _ => &EMPTY_SEQ,
        }
    }

    /// The text of a scalar that is not null.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar(s) if !self.is_null() => Some(&s.text),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match &self.value {
            Value::Scalar(s) if s.plain => parse_int(&s.text),
            _ => None,
        }
    }

    pub fn as_u64(&self) -> Option<u64> {
        self.as_i64().and_then(|n| u64::try_from(n).ok())
    }

    /// A YAML 1.2 boolean (`true`/`false` in any of the three cases).
    pub fn as_bool(&self) -> Option<bool> {
        match &self.value {
            Value::Scalar(s) if s.plain => match s.text.as_str() {
                "true" | "True" | "TRUE" => Some(true),
                "false" | "False" | "FALSE" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    /// `null`, `~` or nothing at all (`key:`).
    pub fn is_null(&self) -> bool {
        match &self.value {
            Value::Scalar(s) => {
                s.plain && matches!(s.text.as_str(), "" | "~" | "null" | "Null" | "NULL")
            }
            _ => false,
        }
    }

    pub fn is_map(&self) -> bool {
        matches!(self.value, Value::Map(_))
    }

    pub fn is_seq(&self) -> bool {
        matches!(self.value, Value::Seq(_))
    }

    pub fn is_scalar(&self) -> bool {
        matches!(self.value, Value::Scalar(_))
    }

    /// Strings of a sequence of scalars, or of a single scalar (many YAML
    /// formats accept both `x` and `[x]`).
    pub fn strings(&self) -> Vec<(&str, Span)> {
        match &self.value {
            Value::Seq(items) => items
                .iter()
                .filter_map(|n| n.as_str().map(|s| (s, n.span)))
                .collect(),
            Value::Scalar(_) => self
                .as_str()
                .map(|s| vec![(s, self.span)])
                .unwrap_or_default(),
            Value::Map(_) => Vec::new(),
        }
    }

    /// [`Node::strings`] without their spans, owned (lists of names: `needs`,
    /// `depends_on`, `profiles`).
    pub fn owned_strings(&self) -> Vec<String> {
        self.strings()
            .into_iter()
            .map(|(s, _)| s.to_string())
            .collect()
    }
}

fn parse_int(text: &str) -> Option<i64> {
    let t = text.trim();
    if let Some(hex) = t.strip_prefix("0x") {
        return i64::from_str_radix(hex, 16).ok();
    }
    if let Some(oct) = t.strip_prefix("0o") {
        return i64::from_str_radix(oct, 8).ok();
    }
    t.strip_prefix('+').unwrap_or(t).parse().ok()
}

/// Parse every document of `src`. Offsets in nodes are byte offsets in `src.text`.
pub fn parse(src: &SourceFile) -> Result<Vec<Node>, ParseError> {
    parse_str(&src.text)
}

/// Parse YAML text (offsets relative to `text`).
pub fn parse_str(text: &str) -> Result<Vec<Node>, ParseError> {
    match parse_exact(text) {
        Ok(docs) => Ok(docs),
        Err(err) => lenient_flow_closers(text).ok_or(err),
    }
}

/// Indentation libyaml (and so GitHub, GitLab and most tools) accepts but
/// the YAML spec, and saphyr, do not: a flow collection closed on a line of
/// its own, no deeper than its key (`tf-sample: [` ... `]`). Retry with those
/// closers indented two more spaces, then map every span back to the text
/// as written.
fn lenient_flow_closers(text: &str) -> Option<Vec<Node>> {
    let mut patched = String::with_capacity(text.len() + 64);
    let mut inserted: Vec<usize> = Vec::new();
    for line in text.split_inclusive('\n') {
        let rest = line.trim_start_matches(' ');
        if rest.starts_with(']') || rest.starts_with('}') {
            inserted.push(patched.len() + (line.len() - rest.len()));
            patched.push_str("  ");
        }
        patched.push_str(line);
    }
    if inserted.is_empty() {
        return None;
    }
    let mut docs = parse_exact(&patched).ok()?;
    // `inserted` holds where, in the patched text, each pair of spaces went.
    let original = |offset: usize| -> usize {
        let before = inserted.partition_point(|at| *at < offset);
        let mut shift = before * 2;
        // An offset inside an inserted pair maps to where the pair was put.
        if let Some(at) = inserted.get(before)
            && offset >= *at
            && offset < at + 2
        {
            shift += offset - at;
        }
        offset.saturating_sub(shift).min(text.len())
    };
    for doc in &mut docs {
        remap(doc, &original);
    }
    Some(docs)
}

fn remap(node: &mut Node, original: &dyn Fn(usize) -> usize) {
    node.span = Span::new(original(node.span.start), original(node.span.end));
    match &mut node.value {
        Value::Scalar(_) => {}
        Value::Seq(items) => items.iter_mut().for_each(|n| remap(n, original)),
        Value::Map(entries) => entries.iter_mut().for_each(|(k, v)| {
            remap(k, original);
            remap(v, original);
        }),
    }
}

fn parse_exact(text: &str) -> Result<Vec<Node>, ParseError> {
    let offsets = CharOffsets::new(text);
    let mut builder = Builder {
        stack: Vec::new(),
        anchors: HashMap::new(),
        docs: Vec::new(),
        alias_budget: MAX_ALIAS_NODES,
    };
    for event in Parser::new_from_str(text) {
        let (event, span) = event
            .map_err(|e| ParseError::new(offsets.byte(e.marker().index()), e.info().to_string()))?;
        let span = Span::new(
            offsets.byte(span.start.index()),
            offsets.byte(span.end.index()),
        );
        builder.on_event(event, span)?;
    }
    Ok(builder.docs)
}

/// Character index → byte offset, with a checkpoint every 256 characters so
/// that non-ASCII files convert in constant time per lookup.
struct CharOffsets<'a> {
    text: &'a str,
    ascii: bool,
    checkpoints: Vec<usize>,
}

const CHECKPOINT: usize = 256;

impl<'a> CharOffsets<'a> {
    fn new(text: &'a str) -> Self {
        let ascii = text.is_ascii();
        let checkpoints = if ascii {
            Vec::new()
        } else {
            text.char_indices()
                .step_by(CHECKPOINT)
                .map(|(i, _)| i)
                .collect()
        };
        Self {
            text,
            ascii,
            checkpoints,
        }
    }

    fn byte(&self, char_index: usize) -> usize {
        if self.ascii {
            return char_index.min(self.text.len());
        }
        let Some(&base) = self.checkpoints.get(char_index / CHECKPOINT) else {
            return self.text.len();
        };
        let rest = char_index % CHECKPOINT;
        self.text[base..]
            .char_indices()
            .nth(rest)
            .map_or(self.text.len(), |(i, _)| base + i)
    }
}

enum Frame {
    Seq {
        items: Vec<Node>,
        start: usize,
        anchor: usize,
        tag: Option<String>,
    },
    Map {
        entries: Vec<(Node, Node)>,
        pending_key: Option<Node>,
        start: usize,
        anchor: usize,
        tag: Option<String>,
    },
}

struct Builder {
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    docs: Vec<Node>,
    alias_budget: usize,
}

impl Builder {
    fn on_event(&mut self, event: Event<'_>, span: Span) -> Result<(), ParseError> {
        match event {
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentEnd => {}
            Event::DocumentStart(_) => self.anchors.clear(),
            Event::Alias(id) => {
                let node = self
                    .anchors
                    .get(&id)
                    .cloned()
                    .ok_or_else(|| ParseError::new(span.start, "alias to an unknown anchor"))?;
                let size = count_nodes(&node);
                if size > self.alias_budget {
                    return Err(ParseError::new(
                        span.start,
                        format!(
                            "aliases expand to more than {MAX_ALIAS_NODES} nodes; refusing to expand (possible billion-laughs document)"
                        ),
                    ));
                }
                self.alias_budget -= size;
                self.push(node)?;
            }
            Event::Scalar(text, style, anchor, tag) => {
                let plain = matches!(style, ScalarStyle::Plain) && tag.is_none();
                let tag = tag.map(|t| format!("{}{}", t.handle, t.suffix));
                let node = Node::scalar(text.into_owned(), plain, span, tag);
                if anchor > 0 {
                    self.anchors.insert(anchor, node.clone());
                }
                self.push(node)?;
            }
            Event::SequenceStart(anchor, tag) => {
                self.check_depth(span.start)?;
                self.stack.push(Frame::Seq {
                    items: Vec::new(),
                    start: span.start,
                    anchor,
                    tag: tag.map(|t| format!("{}{}", t.handle, t.suffix)),
                });
            }
            Event::MappingStart(anchor, tag) => {
                self.check_depth(span.start)?;
                self.stack.push(Frame::Map {
                    entries: Vec::new(),
                    pending_key: None,
                    start: span.start,
                    anchor,
                    tag: tag.map(|t| format!("{}{}", t.handle, t.suffix)),
                });
            }
            Event::SequenceEnd => {
                if let Some(Frame::Seq {
                    items,
                    start,
                    anchor,
                    tag,
                }) = self.stack.pop()
                {
                    let node = Node {
                        value: Value::Seq(items),
                        span: Span::new(start, span.end.max(start)),
                        tag,
                    };
                    if anchor > 0 {
                        self.anchors.insert(anchor, node.clone());
                    }
                    self.push(node)?;
                }
            }
            Event::MappingEnd => {
                if let Some(Frame::Map {
                    entries,
                    start,
                    anchor,
                    tag,
                    ..
                }) = self.stack.pop()
                {
                    let node = Node {
                        value: Value::Map(merge_keys(entries)),
                        span: Span::new(start, span.end.max(start)),
                        tag,
                    };
                    if anchor > 0 {
                        self.anchors.insert(anchor, node.clone());
                    }
                    self.push(node)?;
                }
            }
        }
        Ok(())
    }

    fn check_depth(&self, offset: usize) -> Result<(), ParseError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(ParseError::new(
                offset,
                format!("nesting deeper than {MAX_DEPTH} levels"),
            ));
        }
        Ok(())
    }

    fn push(&mut self, node: Node) -> Result<(), ParseError> {
        match self.stack.last_mut() {
            None => self.docs.push(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                entries,
                pending_key,
                ..
            }) => match pending_key.take() {
                None => *pending_key = Some(node),
                Some(key) => entries.push((key, node)),
            },
        }
        Ok(())
    }
}

fn count_nodes(node: &Node) -> usize {
    match &node.value {
        Value::Scalar(_) => 1,
        Value::Seq(items) => 1 + items.iter().map(count_nodes).sum::<usize>(),
        Value::Map(entries) => {
            1 + entries
                .iter()
                .map(|(k, v)| count_nodes(k) + count_nodes(v))
                .sum::<usize>()
        }
    }
}

/// Expand `<<` merge keys: keys written in the mapping win over merged ones,
/// and among merged mappings the earlier one wins (YAML merge key spec).
fn merge_keys(entries: Vec<(Node, Node)>) -> Vec<(Node, Node)> {
    let is_merge = |k: &Node| matches!(&k.value, Value::Scalar(s) if s.plain && s.text == "<<");
    if !entries.iter().any(|(k, _)| is_merge(k)) {
        return entries;
    }
    let mut explicit = Vec::with_capacity(entries.len());
    let mut sources = Vec::new();
    for (key, value) in entries {
        if is_merge(&key) {
            match value.value {
                Value::Map(merged) => sources.push(merged),
                Value::Seq(items) => {
                    for item in items {
                        if let Value::Map(merged) = item.value {
                            sources.push(merged);
                        }
                    }
                }
                Value::Scalar(_) => {}
            }
        } else {
            explicit.push((key, value));
        }
    }
    for source in sources {
        for (key, value) in source {
            let key_text = key.as_str().map(str::to_string);
            let present = explicit
                .iter()
                .any(|(k, _)| k.as_str().map(str::to_string) == key_text);
            if !present {
                explicit.push((key, value));
            }
        }
    }
    explicit
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Node {
        parse_str(text).unwrap().remove(0)
    }

    #[test]
    fn spans_are_byte_offsets_even_after_non_ascii_text() {
        let text = "name: \"çà\"\nimage: postgres:16\n";
        let doc = one(text);
        let image = doc.get("image").unwrap();
        assert_eq!(&text[image.span.start..image.span.end], "postgres:16");
        let (key, _) = doc.entry("image").unwrap();
        assert_eq!(&text[key.span.start..key.span.end], "image");
    }

    #[test]
    fn merge_keys_keep_explicit_values_first() {
        let doc =
            one("base: &base\n  image: node:20\n  stage: test\njob:\n  <<: *base\n  stage: lint\n");
        let job = doc.get("job").unwrap();
        assert_eq!(job.get("stage").unwrap().as_str(), Some("lint"));
        assert_eq!(job.get("image").unwrap().as_str(), Some("node:20"));
    }

    #[test]
    fn merge_key_lists_merge_in_order() {
        let doc = one("a: &a {x: 1}\nb: &b {x: 2, y: 2}\nc:\n  <<: [*a, *b]\n");
        let c = doc.get("c").unwrap();
        assert_eq!(c.get("x").unwrap().as_i64(), Some(1));
        assert_eq!(c.get("y").unwrap().as_i64(), Some(2));
    }

    #[test]
    fn multi_document_streams_give_one_root_each() {
        let docs = parse_str("kind: A\n---\nkind: B\n---\n").unwrap();
        assert_eq!(docs[0].get("kind").unwrap().as_str(), Some("A"));
        assert_eq!(docs[1].get("kind").unwrap().as_str(), Some("B"));
    }

    #[test]
    fn billion_laughs_is_refused() {
        let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        let names = ["b", "c", "d", "e", "f", "g", "h", "i"];
        let mut prev = "a";
        for name in names {
            text.push_str(&format!("{name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
            prev = name;
        }
        let err = parse_str(&text).unwrap_err();
        assert!(err.message.contains("aliases"), "{}", err.message);
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = "[".repeat(10_000);
        assert!(parse_str(&text).is_err());
    }

    #[test]
    fn typed_views_follow_the_core_schema() {
        let doc = one("a: 3\nb: \"3\"\nc: yes\nd: true\ne:\nf: ~\n");
        assert_eq!(doc.get("a").unwrap().as_i64(), Some(3));
        assert_eq!(doc.get("b").unwrap().as_i64(), None);
        assert_eq!(doc.get("b").unwrap().as_str(), Some("3"));
        assert_eq!(doc.get("c").unwrap().as_bool(), None);
        assert_eq!(doc.get("d").unwrap().as_bool(), Some(true));
        assert!(doc.get("e").unwrap().is_null());
        assert!(doc.get("f").unwrap().is_null());
    }

    #[test]
    fn custom_tags_parse() {
        let doc = one("Value: !Ref MyBucket\nList: !Split [',', 'a,b']\n");
        let value = doc.get("Value").unwrap();
        assert_eq!(value.tag.as_deref(), Some("!Ref"));
        assert_eq!(value.as_str(), Some("MyBucket"));
    }

    #[test]
    fn flow_collections_closed_at_their_keys_indentation_parse_like_libyaml() {
        let text = "job:\n  strategy:\n    matrix:\n      dir: [\n        'a',\n        'b'\n      ]\n  steps: [x]\n";
        let doc = one(text);
        let dirs = doc.path(&["job", "strategy", "matrix", "dir"]).unwrap();
        assert_eq!(
            dirs.strings().iter().map(|(s, _)| *s).collect::<Vec<_>>(),
            ["a", "b"]
        );
        let steps = doc.path(&["job", "steps"]).unwrap();
        assert_eq!(&text[steps.span.start..steps.span.end], "[x]");
        let (_, b) = dirs.strings()[1];
        assert_eq!(&text[b.start..b.end], "'b'");
    }

    #[test]
    fn string_lists_take_a_scalar_or_a_sequence_of_scalars() {
        let doc = one("one: a\nmany: [a, {b: c}, 2]\nmap: {a: b}\n");
        assert_eq!(doc.get("one").unwrap().owned_strings(), ["a"]);
        assert_eq!(doc.get("many").unwrap().owned_strings(), ["a", "2"]);
        assert!(doc.get("map").unwrap().owned_strings().is_empty());
    }

    #[test]
    fn syntax_errors_have_a_position() {
        let err = parse_str("a: [1, 2\nb: 3\n").unwrap_err();
        assert!(err.offset > 0);
    }
}
