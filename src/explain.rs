//! `homeflake explain`: prints where generated lines come from, rustc-style, or as JSON.

use std::fmt::Write as _;

use homeflake::generator::explain::{Definition, ExplainError, Explainer, LineExplanation, Source};
use homeflake::model::printable;

/// What to explain.
pub enum Question<'a> {
    /// One line of a generated file.
    Line(&'a str, u32),
    /// Every line of a generated file that a key reaches.
    File(&'a str),
    /// Every line an inventory key reaches.
    Key(&'a str),
    /// Where a NixOS option is set for a host.
    Option { option: &'a str, host: &'a str },
}

impl<'a> Question<'a> {
    /// `FILE:LINE` or `FILE`; a trailing `:LINE:COLUMN` (as compilers print) is accepted too.
    pub fn parse_target(target: &'a str) -> Question<'a> {
        let mut parts = target.rsplitn(3, ':');
        let last = parts.next().unwrap_or_default();
        let middle = parts.next();
        let first = parts.next();
        match (first, middle.map(str::parse::<u32>), last.parse::<u32>()) {
            (Some(file), Some(Ok(line)), Ok(_column)) => Question::Line(file, line),
            (_, _, Ok(line)) => Question::Line(target.rsplit_once(':').map_or(target, |(f, _)| f), line),
            _ => Question::File(target),
        }
    }
}

/// The answer as text (or JSON with `json`), or the reason there is none.
pub fn answer(
    explainer: &Explainer<'_>,
    cluster: &homeflake::Cluster,
    question: Question<'_>,
    json: bool,
) -> Result<String, ExplainError> {
    let json_of = |value: serde_json::Result<String>| value.unwrap_or_default() + "\n";
    Ok(match question {
        Question::Line(file, line) => {
            let e = explainer.line(file, line)?;
            if json { json_of(serde_json::to_string_pretty(&e)) } else { line_text(&e) }
        }
        Question::File(file) => {
            let lines = explainer.file_lines(file)?;
            if json {
                json_of(serde_json::to_string_pretty(&lines))
            } else if lines.is_empty() {
                format!("{}: no line of it comes from an inventory key\n", printable(file))
            } else {
                lines.iter().map(line_text).collect::<Vec<_>>().join("\n")
            }
        }
        Question::Key(key) => {
            let reach = explainer.key(key)?;
            if json {
                json_of(serde_json::to_string_pretty(&reach))
            } else {
                let mut out = source_text(&reach.source);
                if reach.reaches.is_empty() {
                    out.push_str("it reaches no generated line\n");
                } else {
                    let _ = writeln!(
                        out,
                        "it reaches {} generated line{}:",
                        reach.reaches.len(),
                        plural(reach.reaches.len())
                    );
                    for line in &reach.reaches {
                        let _ =
                            writeln!(out, "  {}:{}: {}", printable(&line.file), line.line, printable(line.text.trim()));
                    }
                }
                out
            }
        }
        Question::Option { option, host } => {
            let definition = explainer.option(cluster, option, host)?;
            if json {
                json_of(serde_json::to_string_pretty(&definition))
            } else {
                definition.definitions.iter().map(definition_text).collect::<Vec<_>>().join("\n")
            }
        }
    })
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// `file:line: text`, then each source.
fn line_text(e: &LineExplanation) -> String {
    let mut out = format!("{}:{}: {}\n", printable(&e.file), e.line, printable(e.text.trim_end()));
    sources_text(&mut out, &e.sources, e.rule.as_deref().into_iter().collect());
    if !e.presence.is_empty() {
        let keys: Vec<String> = e.presence.iter().map(|s| printable(&s.key).into_owned()).collect();
        let _ = writeln!(out, "  = present because of: {}", keys.join(", "));
    }
    out
}

fn definition_text(d: &Definition) -> String {
    let lines = if d.line == d.last_line { d.line.to_string() } else { format!("{}-{}", d.line, d.last_line) };
    let mut out =
        format!("{} is set in {}:{}: {}\n", printable(&d.path), printable(&d.file), lines, printable(d.text.trim()));
    sources_text(&mut out, &d.sources, d.rules.iter().map(String::as_str).collect());
    out
}

fn sources_text(out: &mut String, sources: &[Source], rules: Vec<&str>) {
    if sources.is_empty() && rules.is_empty() {
        out.push_str(
            "  = no inventory key's value is on this line: homeflake writes it the same for every inventory\n",
        );
        return;
    }
    for rule in rules {
        let _ = writeln!(out, "  = derived by the rule: {}", printable(rule));
    }
    for source in sources {
        for line in source_text(source).lines() {
            let _ = writeln!(out, "  {line}");
        }
    }
}

/// `= key`, then the inventory line with the value underlined, or that the default applies.
fn source_text(source: &Source) -> String {
    let mut out = format!("= {}", printable(&source.key));
    match &source.at {
        None => out.push_str(" (not written in the inventory: its default applies)\n"),
        Some(at) => {
            let number = at.line.to_string();
            let gutter = " ".repeat(number.len());
            let _ = write!(
                out,
                "\n{gutter}--> {}:{}:{}\n{gutter} |\n{number} | {}\n{gutter} | {}{}\n",
                printable(&at.file),
                at.line,
                at.column,
                printable(&at.source_line),
                " ".repeat(at.column as usize - 1),
                "^".repeat(at.width as usize)
            );
        }
    }
    out
}

/// For each file the plan writes, the lines that change and the inventory keys each comes from.
pub fn plan_reasons(plan: &homeflake::Plan, trace: &homeflake::generator::trace::Trace) -> String {
    use homeflake::files::Action;
    let mut out = String::new();
    for file in plan.files() {
        let (old, new) = match file.action() {
            Action::Create { contents } => ("", &**contents),
            Action::Update { on_disk, contents } => (on_disk.as_str(), &**contents),
            _ => continue,
        };
        let Some(traced) = trace.file(file.path().as_str()) else { continue };
        let diff = similar::TextDiff::from_lines(old, new);
        let mut lines = Vec::new();
        for op in diff.ops() {
            if let similar::DiffOp::Insert { new_index, new_len, .. }
            | similar::DiffOp::Replace { new_index, new_len, .. } = *op
            {
                lines.extend(new_index..new_index + new_len);
            }
        }
        let mut reasons = String::new();
        for index in lines {
            let Some(Some(source)) = traced.lines.get(index) else { continue };
            let keys: Vec<&str> = source.keys.iter().chain(&source.presence).map(String::as_str).collect();
            if keys.is_empty() {
                continue;
            }
            let text = new.lines().nth(index).unwrap_or_default();
            let _ =
                writeln!(reasons, "  +{}: {}  <- {}", index + 1, printable(text.trim()), printable(&keys.join(", ")));
        }
        if !reasons.is_empty() {
            let _ = writeln!(out, "why {} changes:\n{reasons}", printable(file.path().as_str()));
        }
    }
    out
}
