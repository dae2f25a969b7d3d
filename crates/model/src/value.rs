//! A value tree for chart values and Kubernetes resources, independent of the format it is written in.

/// A chart value or a piece of a Kubernetes resource: the JSON data model, with maps that keep
/// the order they were built in. The generator writes it as YAML (helmfile values, manifests);
/// the same tree could be written as Nix.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Value {
    /// `null`.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A string.
    Str(String),
    /// A list.
    List(Vec<Value>),
    /// A map with string keys, in this order; keys are distinct.
    Map(Vec<(String, Value)>),
    /// A value with an opaque tag, which writers see through: tools that trace output back to
    /// its input (`homeflake explain`) number it and find the lines it is written on.
    Tagged(u32, Box<Value>),
}

impl Value {
    /// A map from `(key, value)` pairs, in the order given.
    pub fn map<K: Into<String>>(entries: impl IntoIterator<Item = (K, Value)>) -> Value {
        Value::Map(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// A list.
    pub fn list(items: impl IntoIterator<Item = Value>) -> Value {
        Value::List(items.into_iter().collect())
    }

    /// The value at a path of map keys.
    pub fn at(&self, path: &[&str]) -> Option<&Value> {
        path.iter().try_fold(self, |node, key| match node.untagged() {
            Value::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v.untagged()),
            _ => None,
        })
    }

    /// Whether this is an empty map.
    pub fn is_empty_map(&self) -> bool {
        matches!(self.untagged(), Value::Map(entries) if entries.is_empty())
    }

    /// The value itself, through any tags.
    pub fn untagged(&self) -> &Value {
        match self {
            Value::Tagged(_, value) => value.untagged(),
            value => value,
        }
    }

    /// The value with `tag`, or unchanged when `tag` is 0.
    pub fn tagged(self, tag: u32) -> Value {
        if tag == 0 { self } else { Value::Tagged(tag, Box::new(self)) }
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Str(v.to_owned())
    }
}

impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Str(v)
    }
}

impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}

impl From<u32> for Value {
    fn from(v: u32) -> Self {
        Value::Int(i64::from(v))
    }
}

impl From<u16> for Value {
    fn from(v: u16) -> Self {
        Value::Int(i64::from(v))
    }
}

impl<T: Into<Value>> From<Vec<T>> for Value {
    fn from(items: Vec<T>) -> Self {
        Value::List(items.into_iter().map(Into::into).collect())
    }
}
