//! `homeflake explain`: questions about a [`Trace`] — where a generated line comes from, which
//! lines an inventory key reaches, where a host's NixOS option is set — answered as plain data
//! that serialises to the documented JSON of `homeflake explain --json`.

use homeflake_model::{Cluster, KeyLocations};
use serde::Serialize;

use crate::modules::Module;
use crate::trace::{LineSource, Trace};

/// An inventory key a generated line comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Source {
    /// The key (`network.gateway`, `hosts.yomogi.lan-address`).
    pub key: String,
    /// Whether the inventory writes it; `false` when its default applies.
    pub written: bool,
    /// Where the inventory writes it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<Position>,
}

/// A position in an inventory file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Position {
    /// The file, relative to the inventory's folder.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
    /// How many characters the value covers on that line.
    pub width: u32,
    /// The whole line.
    pub source_line: String,
}

/// Where one generated line comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineExplanation {
    /// The generated file.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// The line's text.
    pub text: String,
    /// The keys whose values it shows; empty for text no key's value reaches.
    pub sources: Vec<Source>,
    /// The keys that decide whether the line exists at all (a switch, the list holding it).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub presence: Vec<Source>,
    /// The rule deriving it from those keys, if it is not simply their value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
}

/// Every generated line an inventory key reaches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyReach {
    /// The key.
    pub key: String,
    /// Whether and where the inventory writes it.
    #[serde(flatten)]
    pub source: Source,
    /// The lines it reaches, file by file in generation order.
    pub reaches: Vec<LineExplanation>,
}

/// Where a host's NixOS option is set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OptionDefinition {
    /// The option path as asked.
    pub option: String,
    /// The host.
    pub host: String,
    /// Each binding that sets it (or a part of it) in the files the host imports.
    pub definitions: Vec<Definition>,
}

/// One binding that sets an option.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Definition {
    /// The binding's full attribute path.
    pub path: String,
    /// The file.
    pub file: String,
    /// Its first line.
    pub line: u32,
    /// Its last line.
    pub last_line: u32,
    /// The text of its first line.
    pub text: String,
    /// The keys its lines come from.
    pub sources: Vec<Source>,
    /// The rules deriving them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<String>,
}

/// Why a question cannot be answered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ExplainError {
    /// The file is not one homeflake generates from this inventory.
    #[error("{file} is not a file homeflake generates from this inventory; generated files include {examples}")]
    NotGenerated {
        /// The file asked about.
        file: String,
        /// A few generated files.
        examples: String,
    },
    /// The line is past the end of the file.
    #[error("{file} has {lines} lines; line {line} is out of range")]
    LineOutOfRange {
        /// The file.
        file: String,
        /// The line asked about.
        line: u32,
        /// How many lines the file has.
        lines: u32,
    },
    /// The key is neither written in the inventory nor read by any generated line.
    #[error("no inventory key {key:?} is known{}", suggestion.as_ref().map(|s| format!(" (did you mean {s:?}?)")).unwrap_or_default())]
    UnknownKey {
        /// The key asked about.
        key: String,
        /// The closest known key.
        suggestion: Option<String>,
    },
    /// The host is not in the inventory.
    #[error("{host:?} is not a host of the inventory; hosts: {hosts}")]
    UnknownHost {
        /// The host asked about.
        host: String,
        /// The inventory's hosts.
        hosts: String,
    },
    /// No file the host imports sets the option.
    #[error("no file {host} imports sets {option} (homeflake does not set it; NixOS's default applies)")]
    OptionNotSet {
        /// The option asked about.
        option: String,
        /// The host.
        host: String,
    },
}

/// Answers questions about one trace, with the inventory's key positions.
pub struct Explainer<'a> {
    trace: &'a Trace,
    locations: &'a KeyLocations,
}

impl<'a> Explainer<'a> {
    /// An explainer for `trace`, pointing into the inventory through `locations`.
    pub fn new(trace: &'a Trace, locations: &'a KeyLocations) -> Self {
        Explainer { trace, locations }
    }

    fn source(&self, key: &str) -> Source {
        let at = self.locations.get(key).map(|l| Position {
            file: l.file.display().to_string(),
            line: l.line,
            column: l.column,
            width: l.width,
            source_line: l.source_line.clone(),
        });
        Source { key: key.to_owned(), written: at.is_some(), at }
    }

    fn line_explanation(&self, file: &str, line: u32, text: &str, source: Option<&LineSource>) -> LineExplanation {
        LineExplanation {
            file: file.to_owned(),
            line,
            text: text.to_owned(),
            sources: source.map(|s| s.keys.iter().map(|k| self.source(k)).collect()).unwrap_or_default(),
            presence: source.map(|s| s.presence.iter().map(|k| self.source(k)).collect()).unwrap_or_default(),
            rule: source.and_then(|s| s.rule).map(str::to_owned),
        }
    }

    fn file(&self, path: &str) -> Result<&'a crate::trace::FileTrace, ExplainError> {
        self.trace.file(path).ok_or_else(|| ExplainError::NotGenerated {
            file: path.to_owned(),
            examples: self.trace.files.iter().take(4).map(|f| f.path.as_str()).collect::<Vec<_>>().join(", "),
        })
    }

    /// Where line `line` (1-based) of the generated file `path` comes from.
    pub fn line(&self, path: &str, line: u32) -> Result<LineExplanation, ExplainError> {
        let file = self.file(path)?;
        let count = file.lines.len() as u32;
        let text = file.text.lines().nth(line.saturating_sub(1) as usize);
        match text {
            Some(text) if line >= 1 => {
                Ok(self.line_explanation(path, line, text, file.lines[line as usize - 1].as_ref()))
            }
            _ => Err(ExplainError::LineOutOfRange { file: path.to_owned(), line, lines: count }),
        }
    }

    /// Every line of the generated file `path` that some inventory key reaches.
    pub fn file_lines(&self, path: &str) -> Result<Vec<LineExplanation>, ExplainError> {
        let file = self.file(path)?;
        Ok(file
            .text
            .lines()
            .zip(&file.lines)
            .enumerate()
            .filter_map(|(i, (text, source))| {
                source.as_ref().map(|s| self.line_explanation(path, i as u32 + 1, text, Some(s)))
            })
            .collect())
    }

    /// Every generated line `key` reaches: what changing it would change.
    pub fn key(&self, key: &str) -> Result<KeyReach, ExplainError> {
        let reached = self.trace.reached_by(key);
        if reached.is_empty() && self.locations.get(key).is_none() {
            let known: Vec<&str> = self.known_keys();
            let suggestion = homeflake_model::closest(key, known.iter().copied()).map(str::to_owned);
            return Err(ExplainError::UnknownKey { key: key.to_owned(), suggestion });
        }
        let reaches = reached
            .into_iter()
            .map(|(path, line)| {
                let file = self.trace.file(path).expect("reached lines are in traced files");
                let text = file.text.lines().nth(line as usize - 1).unwrap_or_default();
                self.line_explanation(path, line, text, file.lines[line as usize - 1].as_ref())
            })
            .collect();
        Ok(KeyReach { key: key.to_owned(), source: self.source(key), reaches })
    }

    fn known_keys(&self) -> Vec<&str> {
        let mut keys: Vec<&str> = self.locations.keys().collect();
        for file in &self.trace.files {
            for source in file.lines.iter().flatten() {
                keys.extend(source.keys.iter().map(String::as_str));
            }
        }
        keys.sort_unstable();
        keys.dedup();
        keys
    }

    /// Where `option` (`services.kubernetes.apiserverAddress`) is set for `host`, in the files the
    /// host imports: bindings whose path is the option, lies under it, or contains it.
    pub fn option(&self, cluster: &Cluster, option: &str, host: &str) -> Result<OptionDefinition, ExplainError> {
        let Some(h) = cluster.host(host) else {
            return Err(ExplainError::UnknownHost {
                host: host.to_owned(),
                hosts: cluster.hosts.iter().map(|h| h.name.as_str()).collect::<Vec<_>>().join(", "),
            });
        };
        let mut paths = vec![format!("hosts/{}/default.nix", h.name)];
        paths.extend(Module::for_host(cluster, h).into_iter().map(|m| m.path().to_owned()));
        let mut definitions = Vec::new();
        for path in paths {
            let Some(file) = self.trace.file(&path) else { continue };
            for span in homeflake_nix::option_paths(&file.text) {
                let full = span.path.join(".");
                let relevant = full == option
                    || full.strip_prefix(option).is_some_and(|rest| rest.starts_with('.'))
                    || option.strip_prefix(full.as_str()).is_some_and(|rest| rest.starts_with('.'));
                if !relevant {
                    continue;
                }
                let mut keys: Vec<&str> = Vec::new();
                let mut rules: Vec<String> = Vec::new();
                for line in span.first_line..=span.last_line {
                    if let Some(Some(source)) = file.lines.get(line as usize - 1) {
                        keys.extend(source.keys.iter().map(String::as_str));
                        if let Some(rule) = source.rule
                            && !rules.iter().any(|r| r == rule)
                        {
                            rules.push(rule.to_owned());
                        }
                    }
                }
                keys.sort_unstable();
                keys.dedup();
                definitions.push(Definition {
                    path: full,
                    file: path.clone(),
                    line: span.first_line,
                    last_line: span.last_line,
                    text: file.text.lines().nth(span.first_line as usize - 1).unwrap_or_default().to_owned(),
                    sources: keys.into_iter().map(|k| self.source(k)).collect(),
                    rules,
                });
            }
        }
        // A binding that contains a more specific one says less: keep the most specific.
        let specific: Vec<Definition> = definitions
            .iter()
            .filter(|d| {
                !definitions.iter().any(|other| {
                    other.file == d.file
                        && other.path.len() > d.path.len()
                        && other.path.starts_with(&d.path)
                        && option.starts_with(other.path.as_str())
                })
            })
            .cloned()
            .collect();
        if specific.is_empty() {
            return Err(ExplainError::OptionNotSet { option: option.to_owned(), host: host.to_owned() });
        }
        Ok(OptionDefinition { option: option.to_owned(), host: host.to_owned(), definitions: specific })
    }
}
