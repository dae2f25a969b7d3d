//! YAML for homeflake: a value tree and a printer whose output is deterministic, reviewable and
//! read back exactly by any YAML 1.1 or 1.2 parser.
//!
//! # What the printer writes
//!
//! [`print()`] writes one document in block style: mapping entries one per line as `key: value`,
//! nested collections indented by two spaces (a sequence under a key too, as kubectl writes),
//! `- ` items with a mapping's first entry on the dash's line, `{}` and `[]` for empty
//! collections. Mapping entries keep the order they were given in, so the same tree always gives
//! the same bytes; the caller decides the order once (`apiVersion`, `kind`, `metadata`, `spec`).
//!
//! # Scalars
//!
//! A string is written plain only when no YAML 1.1 or 1.2 resolver can read it as anything but
//! that string: it starts with a letter, `_` or `/`, holds only letters, digits and `._/-:@+=`,
//! does not end in `:`, and is not one of the words YAML 1.1 reads as a boolean or null
//! (`yes`, `on`, `n`, `null`, … in any case). Everything else is double-quoted (see [`scalar`]):
//! `"true"`, `"0755"`, `"1e3"`, `"0x1F"`, `".inf"`, `"*.home.example.com"`, `"a b"`. Inside
//! quotes `"` and `\` are escaped, and so is every character a parser could fold, drop or
//! reject: line breaks (also U+0085, U+2028, U+2029), tabs, control characters, the byte-order
//! mark and the non-characters U+FFFE and U+FFFF. The test suite reads every printed document
//! back with a YAML 1.2 parser (saphyr) and a YAML 1.1 one (PyYAML) and compares trees.
//!
//! Keys follow the same rule. A key longer than YAML's limit for implicit keys is written in the
//! explicit `? key` form.
#![deny(missing_docs)]

mod print;
pub mod scalar;

pub use print::{print, print_file, print_file_with_spans};

/// A YAML value: the JSON data model, with mappings that keep their order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Yaml {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A string, quoted when YAML would otherwise read it as something else.
    Str(String),
    /// A sequence.
    Seq(Vec<Yaml>),
    /// A mapping with string keys, printed in this order; keys must be distinct.
    Map(Vec<(String, Yaml)>),
}

impl Yaml {
    /// A mapping from `(key, value)` pairs, in the order given.
    pub fn map<K: Into<String>>(entries: impl IntoIterator<Item = (K, Yaml)>) -> Yaml {
        Yaml::Map(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// A sequence.
    pub fn seq(items: impl IntoIterator<Item = Yaml>) -> Yaml {
        Yaml::Seq(items.into_iter().collect())
    }

    /// A string.
    pub fn str(value: impl Into<String>) -> Yaml {
        Yaml::Str(value.into())
    }

    /// The value at `key`, when this is a mapping that has it.
    pub fn get(&self, key: &str) -> Option<&Yaml> {
        match self {
            Yaml::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The value at a path of mapping keys (`["ports", "web", "nodePort"]`).
    pub fn at(&self, path: &[&str]) -> Option<&Yaml> {
        path.iter().try_fold(self, |node, key| node.get(key))
    }

    /// The string, when this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Yaml::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The integer, when this is one.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Yaml::Int(n) => Some(*n),
            _ => None,
        }
    }

    /// The items, when this is a sequence.
    pub fn as_seq(&self) -> Option<&[Yaml]> {
        match self {
            Yaml::Seq(items) => Some(items),
            _ => None,
        }
    }
}

impl From<&str> for Yaml {
    fn from(value: &str) -> Self {
        Yaml::Str(value.to_owned())
    }
}

impl From<String> for Yaml {
    fn from(value: String) -> Self {
        Yaml::Str(value)
    }
}

impl From<bool> for Yaml {
    fn from(value: bool) -> Self {
        Yaml::Bool(value)
    }
}

impl From<i64> for Yaml {
    fn from(value: i64) -> Self {
        Yaml::Int(value)
    }
}

impl From<u32> for Yaml {
    fn from(value: u32) -> Self {
        Yaml::Int(i64::from(value))
    }
}

impl From<u16> for Yaml {
    fn from(value: u16) -> Self {
        Yaml::Int(i64::from(value))
    }
}

impl From<u8> for Yaml {
    fn from(value: u8) -> Self {
        Yaml::Int(i64::from(value))
    }
}

impl<T: Into<Yaml>> From<Vec<T>> for Yaml {
    fn from(items: Vec<T>) -> Self {
        Yaml::Seq(items.into_iter().map(Into::into).collect())
    }
}
