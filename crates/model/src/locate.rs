//! Where each key of an inventory is written: file, line and column of its value, for tools that
//! point back at the inventory (`homeflake explain`).
//!
//! Keys are named as `homeflake explain` and diagnostics name them: `network.gateway`,
//! `hosts.<name>.lan-address` (hosts by name, whether inline or in a host file), `users[0].name`
//! and `ceph.osds[1].device` (other arrays of tables by index), `split-dns.upstreams` (an array of
//! values is one key).

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::load::{HOST_FILE, Sources};
use crate::source::{LineIndex, Node, Value, parse_json, parse_toml};

/// Where one key's value is written.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct KeyLocation {
    /// The file, relative to the inventory's folder.
    pub file: PathBuf,
    /// The 1-based line of the value's first character.
    pub line: u32,
    /// The 1-based column, in characters, of the value's first character.
    pub column: u32,
    /// How many characters of that line the value covers.
    pub width: u32,
    /// The whole line, for showing it.
    pub source_line: String,
}

/// Every key an inventory writes, and where.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyLocations {
    keys: BTreeMap<String, KeyLocation>,
}

impl KeyLocations {
    /// Where `key` is written; `None` when the inventory leaves it to its default.
    pub fn get(&self, key: &str) -> Option<&KeyLocation> {
        self.keys.get(key)
    }

    /// Every written key, sorted.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.keys.keys().map(String::as_str)
    }
}

/// Finds every key of the inventory in `sources`. Files that do not parse contribute nothing.
pub fn locate(sources: &Sources) -> KeyLocations {
    let mut out = KeyLocations::default();
    let json = sources.root_name.extension().is_some_and(|e| e == "json");
    let root_name = PathBuf::from(sources.root_name.to_string_lossy().split('\u{0}').next().unwrap_or_default());
    let parsed = if json { parse_json(&sources.root_text) } else { parse_toml(&sources.root_text) };
    if let Ok(root) = parsed {
        let file = File { path: root_name, text: &sources.root_text, index: LineIndex::new(&sources.root_text) };
        file.walk(&root, "", &mut out);
    }
    for (path, text) in &sources.host_files {
        let Ok(node) = parse_toml(text) else { continue };
        let folder = path.parent().and_then(|p| p.file_name()).map(|f| f.to_string_lossy().into_owned());
        let Some(folder) = folder.filter(|_| path.file_name().is_some_and(|f| f == HOST_FILE)) else { continue };
        let file = File { path: path.clone(), text, index: LineIndex::new(text) };
        file.walk(&node, &format!("hosts.{folder}"), &mut out);
    }
    out
}

struct File<'t> {
    path: PathBuf,
    text: &'t str,
    index: LineIndex,
}

impl File<'_> {
    fn record(&self, key: &str, node: &Node, out: &mut KeyLocations) {
        let Some(span) = &node.span else { return };
        let (line, column) = self.index.position(self.text, span.start);
        let source_line = self.text.lines().nth(line as usize - 1).unwrap_or_default().to_owned();
        let value = self.text.get(span.clone()).unwrap_or_default();
        let width = value.lines().next().unwrap_or_default().chars().count().max(1) as u32;
        out.keys.entry(key.to_owned()).or_insert(KeyLocation {
            file: self.path.clone(),
            line,
            column,
            width,
            source_line,
        });
    }

    fn walk(&self, node: &Node, path: &str, out: &mut KeyLocations) {
        if !path.is_empty() {
            self.record(path, node, out);
        }
        let join = |k: &str| if path.is_empty() { k.to_owned() } else { format!("{path}.{k}") };
        match &node.value {
            Value::Table(entries) => {
                for (key, value) in entries {
                    if path.is_empty() && key.name == "hosts" {
                        self.hosts(value, out);
                    } else {
                        self.walk(value, &join(&key.name), out);
                    }
                }
            }
            Value::Array(items) if items.iter().all(|i| matches!(i.value, Value::Table(_))) && !items.is_empty() => {
                for (i, item) in items.iter().enumerate() {
                    self.walk(item, &format!("{path}[{i}]"), out);
                }
            }
            _ => {}
        }
    }

    /// Inline hosts are named by their `name` key, as host files are by their folder.
    fn hosts(&self, node: &Node, out: &mut KeyLocations) {
        self.record("hosts", node, out);
        let Value::Array(items) = &node.value else { return };
        for (i, item) in items.iter().enumerate() {
            let name = match &item.value {
                Value::Table(entries) => entries.iter().find_map(|(k, v)| match (&*k.name, &v.value) {
                    ("name", Value::Str(name)) => Some(name.clone()),
                    _ => None,
                }),
                _ => None,
            };
            match name {
                Some(name) => self.walk(item, &format!("hosts.{name}"), out),
                None => self.walk(item, &format!("hosts[{i}]"), out),
            }
        }
    }
}
