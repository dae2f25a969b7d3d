//! Values that may be secret: a literal, an environment variable read at evaluation time, or a file.
//!
//! The model never holds a secret's value. A [`Secret::Literal`] is a value the user chose to
//! commit (so it is not a secret and may appear in generated files and snapshots); the other two
//! are references, and only the reference (a variable name or a path) is ever stored, printed or
//! generated. Debug and serialized forms therefore need no redaction.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use crate::names::{AbsolutePath, EnvVarName};

/// A value given literally or by reference.
///
/// In an inventory: `"100.64.0.1"` (literal), `{ env = "HOMEFLAKE_YOMOGI_TAILNET_IP" }` or
/// `{ file = "/run/secrets/token" }`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Secret<T> {
    /// The value itself, committed in the inventory.
    Literal(T),
    /// An environment variable read at evaluation time with `builtins.getEnv` (needs `--impure`);
    /// evaluation fails with a clear message when it is empty.
    Env(EnvVarName),
    /// A file on the target machine read at run time (as sops-nix and agenix provide); usable only
    /// for values that NixOS reads at run time, such as password hashes and tokens.
    File(AbsolutePath),
}

impl<T> Secret<T> {
    /// The literal value, if the value is given literally.
    pub fn literal(&self) -> Option<&T> {
        match self {
            Secret::Literal(v) => Some(v),
            _ => None,
        }
    }

    /// Whether the value is read at evaluation time or at run time rather than committed.
    pub fn is_reference(&self) -> bool {
        !matches!(self, Secret::Literal(_))
    }

    /// Whether the value is known when Nix evaluates the configuration (a literal or an environment
    /// variable), as opposed to a file read on the machine at run time.
    pub fn is_known_at_evaluation(&self) -> bool {
        !matches!(self, Secret::File(_))
    }
}

impl<T> From<T> for Secret<T> {
    fn from(value: T) -> Self {
        Secret::Literal(value)
    }
}

impl<T: Serialize> Serialize for Secret<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Secret::Literal(v) => v.serialize(s),
            Secret::Env(name) => {
                let mut m = s.serialize_map(Some(1))?;
                m.serialize_entry("env", name)?;
                m.end()
            }
            Secret::File(path) => {
                let mut m = s.serialize_map(Some(1))?;
                m.serialize_entry("file", path)?;
                m.end()
            }
        }
    }
}

impl<T: JsonSchema> JsonSchema for Secret<T> {
    fn schema_name() -> Cow<'static, str> {
        format!("Secret_{}", T::schema_name()).into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let literal = generator.subschema_for::<T>();
        json_schema!({
            "description": "A literal value, { env = \"NAME\" } (read at evaluation time) or { file = \"/path\" } (read at run time)",
            "anyOf": [
                literal,
                {
                    "type": "object",
                    "properties": { "env": { "type": "string", "description": EnvVarName::ALLOWED } },
                    "required": ["env"],
                    "additionalProperties": false
                },
                {
                    "type": "object",
                    "properties": { "file": { "type": "string", "description": AbsolutePath::ALLOWED } },
                    "required": ["file"],
                    "additionalProperties": false
                }
            ]
        })
    }
}
