//! Source trees: TOML and JSON parsed into one spanned tree, and byte offsets turned into lines.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::limits::RECOVERABLE_PARSE_BYTES;

/// A value of the source tree, with its byte span where the format gives one (TOML does, JSON not).
#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub value: Value,
    pub span: Option<Range<usize>>,
}

/// A table key with its span.
#[derive(Debug, Clone)]
pub(crate) struct Key {
    pub name: String,
    pub span: Option<Range<usize>>,
}

/// The kinds of value common to TOML and JSON.
#[derive(Debug, Clone)]
pub(crate) enum Value {
    Str(String),
    Int(i128),
    Float,
    Bool(bool),
    Datetime,
    Null,
    Array(Vec<Node>),
    Table(Vec<(Key, Node)>),
}

impl Node {
    /// The kind of value, in words, for "expected …, found …".
    pub fn kind(&self) -> &'static str {
        match self.value {
            Value::Str(_) => "a string",
            Value::Int(_) => "an integer",
            Value::Float => "a float",
            Value::Bool(_) => "a boolean",
            Value::Datetime => "a date-time",
            Value::Null => "null",
            Value::Array(_) => "an array",
            Value::Table(_) => "a table",
        }
    }
}

/// A parse error with its span or position.
pub(crate) struct ParseError {
    pub message: String,
    pub span: Option<Range<usize>>,
    pub line_column: Option<(u32, u32)>,
}

fn from_de(value: Spanned<DeValue<'_>>) -> Node {
    let span = Some(value.span());
    let value = match value.into_inner() {
        DeValue::String(s) => Value::Str(s.into_owned()),
        DeValue::Integer(i) => match i128::from_str_radix(i.as_str(), i.radix()) {
            Ok(n) => Value::Int(n),
            Err(_) => Value::Float,
        },
        DeValue::Float(_) => Value::Float,
        DeValue::Boolean(b) => Value::Bool(b),
        DeValue::Datetime(_) => Value::Datetime,
        DeValue::Array(a) => Value::Array(a.into_iter().map(from_de).collect()),
        DeValue::Table(t) => Value::Table(table_from_de(t)),
    };
    Node { value, span }
}

fn table_from_de(t: DeTable<'_>) -> Vec<(Key, Node)> {
    t.into_iter()
        .map(|(k, v)| {
            let span = Some(k.span());
            (Key { name: k.into_inner().into_owned(), span }, from_de(v))
        })
        .collect()
}

/// Parses a TOML document, returning every syntax error the parser recovers from, or only the
/// first for a file larger than [`RECOVERABLE_PARSE_BYTES`] (recovery keeps every error in memory).
pub(crate) fn parse_toml(text: &str) -> Result<Node, Vec<ParseError>> {
    let error =
        |e: toml::de::Error| ParseError { message: e.message().trim().to_owned(), span: e.span(), line_column: None };
    let table = if text.len() <= RECOVERABLE_PARSE_BYTES {
        let (table, errors) = DeTable::parse_recoverable(text);
        if !errors.is_empty() {
            return Err(errors.into_iter().map(error).collect());
        }
        table
    } else {
        DeTable::parse(text).map_err(|e| vec![error(e)])?
    };
    let span = Some(table.span());
    Ok(Node { value: Value::Table(table_from_de(table.into_inner())), span })
}

/// A JSON value read straight into a [`Node`], refusing a key that appears twice in one object
/// (`serde_json::Value` keeps the last silently; TOML refuses it, and so does homeflake's JSON).
struct JsonNode(Node);

impl<'de> serde::Deserialize<'de> for JsonNode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JsonVisitor).map(JsonNode)
    }
}

struct JsonVisitor;

fn json_node(value: Value) -> Node {
    Node { value, span: None }
}

impl<'de> serde::de::Visitor<'de> for JsonVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<Node, E> {
        Ok(json_node(Value::Null))
    }
    fn visit_bool<E>(self, b: bool) -> Result<Node, E> {
        Ok(json_node(Value::Bool(b)))
    }
    fn visit_i64<E>(self, n: i64) -> Result<Node, E> {
        Ok(json_node(Value::Int(i128::from(n))))
    }
    fn visit_u64<E>(self, n: u64) -> Result<Node, E> {
        Ok(json_node(Value::Int(i128::from(n))))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Node, E> {
        Ok(json_node(Value::Float))
    }
    fn visit_str<E>(self, s: &str) -> Result<Node, E> {
        Ok(json_node(Value::Str(s.to_owned())))
    }
    fn visit_string<E>(self, s: String) -> Result<Node, E> {
        Ok(json_node(Value::Str(s)))
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(JsonNode(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(json_node(Value::Array(items)))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries: Vec<(Key, Node)> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        while let Some(name) = map.next_key::<String>()? {
            if !seen.insert(name.clone()) {
                return Err(serde::de::Error::custom(format!("duplicate key {name:?}")));
            }
            let JsonNode(value) = map.next_value()?;
            entries.push((Key { name, span: None }, value));
        }
        Ok(json_node(Value::Table(entries)))
    }
}

/// Parses a JSON document; a key twice in one object is an error, as in TOML.
pub(crate) fn parse_json(text: &str) -> Result<Node, Vec<ParseError>> {
    match serde_json::from_str::<JsonNode>(text) {
        Ok(JsonNode(node)) => Ok(node),
        Err(e) => {
            let line_column = (e.line() > 0).then(|| (e.line() as u32, e.column() as u32));
            let message = e.to_string();
            let message = message.split(" at line ").next().unwrap_or(&message).to_owned();
            Err(vec![ParseError { message, span: None, line_column }])
        }
    }
}

/// Turns byte offsets into 1-based lines and character columns.
#[derive(Debug, Clone)]
pub(crate) struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    /// The 1-based line and column of byte `offset` in `text`.
    pub fn position(&self, text: &str, offset: usize) -> (u32, u32) {
        let offset = offset.min(text.len());
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let column = text.get(start..offset).map_or(offset - start, |s| s.chars().count());
        (line as u32 + 1, column as u32 + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions() {
        let text = "a = 1\nbé = 2\n";
        let idx = LineIndex::new(text);
        assert_eq!(idx.position(text, 0), (1, 1));
        assert_eq!(idx.position(text, 6), (2, 1));
        assert_eq!(idx.position(text, 10), (2, 4));
    }

    #[test]
    fn toml_spans() {
        let text = "x = 1\n[t]\ny = \"s\"\n";
        let Node { value: Value::Table(t), .. } = parse_toml(text).ok().unwrap() else { panic!() };
        assert_eq!(t[1].0.name, "t");
        let Value::Table(inner) = &t[1].1.value else { panic!() };
        assert_eq!(&text[inner[0].1.span.clone().unwrap()], "\"s\"");
    }
}
