//! Text configs embedded in Nix (Corefile, nginx stream) rendered from handlebars templates into string parts.
//!
//! Template values are either plain text or a Nix expression (a secret read at evaluation time).
//! An expression enters the rendered text as a private placeholder that is then split back out into a
//! real `${…}` interpolation, so the printer escapes everything else and interpolates exactly those.

use handlebars::{Handlebars, no_escape};
use homeflake_nix::{Expr, StrPart};
use serde_json::{Map, Value};

/// Placeholder brackets; NUL cannot occur in a template or in a validated inventory string.
const OPEN: char = '\u{0}';
const CLOSE: char = '\u{1}';

/// A value handed to a template.
#[derive(Debug, Clone)]
pub enum TemplateValue {
    /// Text inserted verbatim (no HTML escaping).
    Text(String),
    /// A list of texts, for `{{#each}}`.
    List(Vec<String>),
    /// A Nix expression that becomes an interpolation in the resulting string.
    Nix(Expr),
}

impl TemplateValue {
    /// A value that may be secret: its text when it is a literal, an interpolation of
    /// `secrets.NAME` (or the file's path) when it is a reference.
    pub fn secret<T: std::fmt::Display>(value: &homeflake_model::Secret<T>) -> TemplateValue {
        match value.literal() {
            Some(literal) => TemplateValue::Text(literal.to_string()),
            None => TemplateValue::Nix(crate::lower::secret(value)),
        }
    }
}

/// Why a template could not be rendered; these are programming errors in homeflake, not user errors.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TemplateError {
    /// The template text does not compile.
    #[error("template {name} does not compile: {source}")]
    Compile {
        /// Template name.
        name: &'static str,
        /// Handlebars' message.
        source: Box<handlebars::TemplateError>,
    },
    /// Rendering failed, for instance on a missing variable.
    #[error("template {name} failed to render: {source}")]
    Render {
        /// Template name.
        name: &'static str,
        /// Handlebars' message.
        source: Box<handlebars::RenderError>,
    },
    /// A value contained one of the placeholder characters.
    #[error("template {name}: value for `{key}` contains a control character")]
    ControlCharacter {
        /// Template name.
        name: &'static str,
        /// The offending variable.
        key: String,
    },
}

/// Renders `template` with `values` into string parts: text, and interpolations for [`TemplateValue::Nix`].
pub fn render(
    name: &'static str,
    template: &str,
    values: &[(&str, TemplateValue)],
) -> Result<Vec<StrPart>, TemplateError> {
    let mut engine = Handlebars::new();
    engine.set_strict_mode(true);
    engine.register_escape_fn(no_escape);
    engine
        .register_template_string(name, template)
        .map_err(|source| TemplateError::Compile { name, source: Box::new(source) })?;

    let mut data = Map::new();
    let mut exprs = Vec::new();
    for (key, value) in values {
        let has_placeholder_char = |s: &str| s.contains(OPEN) || s.contains(CLOSE);
        let json = match value {
            TemplateValue::Text(text) if has_placeholder_char(text) => {
                return Err(TemplateError::ControlCharacter { name, key: key.to_string() });
            }
            TemplateValue::Text(text) => Value::String(text.clone()),
            TemplateValue::List(items) if items.iter().any(|s| has_placeholder_char(s)) => {
                return Err(TemplateError::ControlCharacter { name, key: key.to_string() });
            }
            TemplateValue::List(items) => Value::Array(items.iter().cloned().map(Value::String).collect()),
            TemplateValue::Nix(expr) => {
                exprs.push(expr.clone());
                Value::String(format!("{OPEN}{}{CLOSE}", exprs.len() - 1))
            }
        };
        data.insert(key.to_string(), json);
    }
    let rendered = engine
        .render(name, &Value::Object(data))
        .map_err(|source| TemplateError::Render { name, source: Box::new(source) })?;
    Ok(split_placeholders(&rendered, &exprs))
}

/// For each line `render` would produce, the indices (into `values`) of the variables that appear
/// on it: which inventory facts each line of a rendered config carries, for provenance. Values must
/// not contain line breaks (templates take scalars and lists of scalars).
pub fn variable_lines(
    name: &'static str,
    template: &str,
    values: &[(&str, TemplateValue)],
) -> Result<Vec<Vec<usize>>, TemplateError> {
    const ITEM_OPEN: char = '\u{E002}';
    const ITEM_CLOSE: char = '\u{E003}';
    let markers: Vec<(&str, TemplateValue)> = values
        .iter()
        .enumerate()
        .map(|(i, (key, value))| {
            let marker = match value {
                TemplateValue::List(items) => {
                    TemplateValue::List(items.iter().map(|_| format!("{ITEM_OPEN}{i}{ITEM_CLOSE}")).collect())
                }
                _ => TemplateValue::Nix(Expr::Int(i as i64)),
            };
            (*key, marker)
        })
        .collect();
    let parts = render(name, template, &markers)?;
    let mut lines: Vec<Vec<usize>> = vec![Vec::new()];
    for part in parts {
        match part {
            StrPart::Interp(Expr::Int(i)) => lines.last_mut().expect("a line").push(i as usize),
            StrPart::Interp(_) => {}
            StrPart::Text(text) => {
                let mut rest = text.as_str();
                loop {
                    let (segment, next) = match rest.find('\n') {
                        Some(at) => (&rest[..at], Some(&rest[at + 1..])),
                        None => (rest, None),
                    };
                    let mut scan = segment;
                    while let Some(start) = scan.find(ITEM_OPEN) {
                        let after = &scan[start + ITEM_OPEN.len_utf8()..];
                        let end = after.find(ITEM_CLOSE).expect("markers are written whole");
                        if let Ok(i) = after[..end].parse() {
                            lines.last_mut().expect("a line").push(i);
                        }
                        scan = &after[end + ITEM_CLOSE.len_utf8()..];
                    }
                    match next {
                        Some(next) => {
                            lines.push(Vec::new());
                            rest = next;
                        }
                        None => break,
                    }
                }
            }
        }
    }
    for line in &mut lines {
        line.sort_unstable();
        line.dedup();
    }
    Ok(lines)
}

fn split_placeholders(rendered: &str, exprs: &[Expr]) -> Vec<StrPart> {
    let mut parts = Vec::new();
    let mut rest = rendered;
    while let Some(start) = rest.find(OPEN) {
        let end = start + rest[start..].find(CLOSE).expect("placeholders are written whole");
        if start > 0 {
            parts.push(StrPart::Text(rest[..start].to_string()));
        }
        let index: usize = rest[start + 1..end].parse().expect("placeholder holds an index");
        parts.push(StrPart::Interp(exprs[index].clone()));
        rest = &rest[end + CLOSE.len_utf8()..];
    }
    if !rest.is_empty() {
        parts.push(StrPart::Text(rest.to_string()));
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use homeflake_nix::make::ident;

    #[test]
    fn go_template_syntax_and_regex_escapes_survive_literally() {
        let parts = render(
            "t",
            "match \"^(.+\\.)?{{zone}}\\.$\"\nanswer \"\\{{ .Name }} IN A {{addr}}\"\n",
            &[("zone", TemplateValue::Text("home\\.example".into())), ("addr", TemplateValue::Nix(ident("ip")))],
        )
        .unwrap();
        assert_eq!(
            parts,
            vec![
                StrPart::Text("match \"^(.+\\.)?home\\.example\\.$\"\nanswer \"{{ .Name }} IN A ".into()),
                StrPart::Interp(ident("ip")),
                StrPart::Text("\"\n".into()),
            ]
        );
    }

    #[test]
    fn missing_variable_is_an_error_not_an_empty_string() {
        assert!(matches!(render("t", "{{nope}}", &[]), Err(TemplateError::Render { .. })));
    }
}
