//! Provenance: which inventory keys each generated binding, list item and line comes from.
//!
//! Lowering code marks what it builds with the keys it read (`bind(…).source("ingress.node-ports.https")`)
//! or the rule that derived it (`.derived("the DNS address is the last usable address of the
//! service range", &["kubernetes.service-cidr"])`). Marking is free unless a trace is being taken:
//! [`trace`] turns recording on for one generation, on the calling thread only, and every mark then
//! becomes an [`Origin`] whose number is stored in the AST node's tag; [`homeflake_nix::tagged_lines`]
//! then tells which lines each tagged node landed on. A YAML value keeps its number in
//! `Value::Tagged`; a piece of Markdown ([`Shown`], [`block`]) is bracketed by marks in the text
//! itself, which [`unmark`] takes out. [`crate::generate`] records nothing.

use std::cell::RefCell;

use homeflake_model::Host;
use homeflake_nix::{Binding, ListItem, TaggedSpan};

/// Where a generated piece comes from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Origin {
    /// The inventory keys it is read or derived from, as `homeflake explain` names them
    /// (`ingress.node-ports.https`, `hosts.hanaakari.lan-address`). For a multi-line string with
    /// [`Origin::lines`], the keys that make the string exist (its section: `split-dns`).
    pub keys: Vec<String>,
    /// The inventory keys that decide whether the node exists at all (a switch such as
    /// `hosts.<name>.wake-on-lan`, a list whose items it holds): every line of the node carries them.
    pub presence: Vec<String>,
    /// The rule that derives it, when it is not simply the keys' value.
    pub rule: Option<&'static str>,
    /// Whether the keys' values show on the node's first line only: a binding or item whose value
    /// is an attribute set or a list (`users.users.admin = {`), whose other lines are structure.
    pub head_only: bool,
    /// For a multi-line string, where its lines come from, line by line (0 is the string's first
    /// line). When any is listed, the lines not listed are fixed text that no key reaches.
    pub lines: Vec<LineOrigin>,
}

/// Where one line of a multi-line string comes from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LineOrigin {
    /// The line in the string, from 0.
    pub line: u32,
    /// The inventory keys the line is made from.
    pub keys: Vec<String>,
}

thread_local! {
    /// The origins recorded on this thread while a trace is taken; `None` otherwise.
    static RECORDING: RefCell<Option<Vec<Origin>>> = const { RefCell::new(None) };
}

/// Records an origin when a trace is being taken and returns its tag (1-based); 0 otherwise,
/// without calling `origin`. `origin` may itself build traced pieces.
pub fn record(origin: impl FnOnce() -> Origin) -> u32 {
    if !is_recording() {
        return 0;
    }
    let origin = origin();
    RECORDING.with(|r| match r.borrow_mut().as_mut() {
        Some(origins) => {
            origins.push(origin);
            u32::try_from(origins.len()).unwrap_or(0)
        }
        None => 0,
    })
}

/// Whether origins are being recorded on this thread.
pub fn is_recording() -> bool {
    RECORDING.with(|r| r.borrow().is_some())
}

/// Runs `f` with recording on, and returns its result with the origins recorded (tag `n` is
/// `origins[n - 1]`).
pub fn recording<T>(f: impl FnOnce() -> T) -> (T, Vec<Origin>) {
    let previous = RECORDING.with(|r| r.borrow_mut().replace(Vec::new()));
    let value = f();
    let origins = RECORDING.with(|r| std::mem::replace(&mut *r.borrow_mut(), previous)).unwrap_or_default();
    (value, origins)
}

/// The key of a host's setting: `hosts.<name>.<key>`.
pub fn host_key(host: &Host, key: &str) -> String {
    format!("hosts.{}.{key}", host.name)
}

/// Marking generated nodes with their origin.
pub trait Provenance: Sized {
    /// Sets the node's tag.
    fn with_tag(self, tag: u32) -> Self;

    /// Whether the node's value is an attribute set or a list, so that only its first line shows
    /// the keys it comes from.
    fn is_structured(&self) -> bool;

    /// Records `origin` (with [`Origin::head_only`] filled in) and tags the node with it.
    fn traced(self, origin: impl FnOnce() -> Origin) -> Self {
        let structured = self.is_structured();
        self.with_tag(record(|| Origin { head_only: structured, ..origin() }))
    }

    /// The node comes from one inventory key.
    fn source(self, key: &str) -> Self {
        self.traced(|| Origin { keys: vec![key.to_owned()], ..Origin::default() })
    }

    /// The node comes from several inventory keys.
    fn sources(self, keys: &[&str]) -> Self {
        self.traced(|| Origin { keys: keys.iter().map(|k| (*k).to_owned()).collect(), ..Origin::default() })
    }

    /// The node comes from a setting of `host` (`hosts.<name>.<key>`).
    fn host_source(self, host: &Host, key: &str) -> Self {
        self.traced(|| Origin { keys: vec![host_key(host, key)], ..Origin::default() })
    }

    /// The node is derived from `keys` by `rule`.
    fn derived(self, rule: &'static str, keys: &[&str]) -> Self {
        self.traced(|| Origin {
            keys: keys.iter().map(|k| (*k).to_owned()).collect(),
            rule: Some(rule),
            ..Origin::default()
        })
    }

    /// The node exists because of `key` (a switch, or a list whose items it holds).
    fn present_if(self, key: &str) -> Self {
        self.traced(|| Origin { presence: vec![key.to_owned()], ..Origin::default() })
    }

    /// The node exists because of a setting of `host`.
    fn present_if_host(self, host: &Host, key: &str) -> Self {
        self.traced(|| Origin { presence: vec![host_key(host, key)], ..Origin::default() })
    }

    /// The node is derived by `rule` from a count or a threshold of `keys` (named at run time),
    /// which a change of one key need not move: they reach the node without its value showing them.
    fn depends_on(self, rule: &'static str, keys: impl FnOnce() -> Vec<String>) -> Self {
        self.traced(|| Origin { presence: keys(), rule: Some(rule), ..Origin::default() })
    }

    /// The node is derived by `rule` from keys named at run time.
    fn derived_from(self, rule: &'static str, keys: impl FnOnce() -> Vec<String>) -> Self {
        self.traced(|| Origin { keys: keys(), rule: Some(rule), ..Origin::default() })
    }
}

fn is_structured(value: &homeflake_nix::Expr) -> bool {
    matches!(value, homeflake_nix::Expr::AttrSet { .. } | homeflake_nix::Expr::List(_))
}

impl Provenance for Binding {
    fn with_tag(self, tag: u32) -> Self {
        self.tagged(tag)
    }

    fn is_structured(&self) -> bool {
        matches!(&self.kind, homeflake_nix::BindingKind::Assign { value, .. } if is_structured(value))
    }
}

impl Provenance for ListItem {
    fn with_tag(mut self, tag: u32) -> Self {
        self.tag = tag;
        self
    }

    fn is_structured(&self) -> bool {
        is_structured(&self.value)
    }
}

/// A value of the cluster layer's YAML files (a chart value, a manifest's field).
impl Provenance for homeflake_model::Value {
    fn with_tag(self, tag: u32) -> Self {
        self.tagged(tag)
    }

    fn is_structured(&self) -> bool {
        matches!(self.untagged(), homeflake_model::Value::Map(_) | homeflake_model::Value::List(_))
    }
}

/// Marks bracket a traced piece of a text output (the Markdown under `docs/`) while a trace is
/// taken: `OPEN`, the tag in decimal digits, `TAG_END`, the piece, `CLOSE`. They are characters of
/// a private-use plane, which no inventory string holds (validation keeps every string ASCII);
/// [`trace`] also checks that the text without them is exactly what [`crate::generate`] writes.
const OPEN: char = '\u{F0000}';
const TAG_END: char = '\u{F0001}';
const CLOSE: char = '\u{F0002}';

/// A piece of generated text marked with its origin through [`Provenance`]
/// (`shown(markdown_code(&zone)).source("split-dns.zone")`). It displays as the text itself, unless
/// a trace is being taken: then the text is bracketed with its tag for [`unmark`] to find.
#[derive(Debug, Clone, Copy)]
pub struct Shown<T> {
    text: T,
    tag: u32,
}

/// `text`, ready to be marked with where it comes from.
pub fn shown<T: std::fmt::Display>(text: T) -> Shown<T> {
    Shown { text, tag: 0 }
}

impl<T: std::fmt::Display> std::fmt::Display for Shown<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.tag == 0 {
            return self.text.fmt(f);
        }
        write!(f, "{OPEN}{}{TAG_END}{}{CLOSE}", self.tag, self.text)
    }
}

impl Shown<String> {
    /// The text, marked when a trace is being taken; without a copy when it is not.
    pub fn into_string(self) -> String {
        if self.tag == 0 { self.text } else { self.to_string() }
    }
}

impl<T> Provenance for Shown<T> {
    fn with_tag(mut self, tag: u32) -> Self {
        self.tag = tag;
        self
    }

    fn is_structured(&self) -> bool {
        false
    }
}

/// Runs `body`, which appends to `out`, and marks what it appended with `origin` as one piece: a
/// section or a paragraph that exists because of a switch (its keys as [`Origin::presence`]), every
/// line of which the origin then reaches. Marks nothing unless a trace is being taken.
pub fn block<R>(out: &mut String, origin: impl FnOnce() -> Origin, body: impl FnOnce(&mut String) -> R) -> R {
    let tag = record(origin);
    if tag != 0 {
        out.push(OPEN);
        out.push_str(&tag.to_string());
        out.push(TAG_END);
    }
    let result = body(out);
    if tag != 0 {
        out.push(CLOSE);
    }
    result
}

/// Removes the whitespace at the end of `text`, keeping the marks that close pieces there.
pub fn trim_end(text: &mut String) {
    let mut closing = 0;
    while let Some(c) = text.chars().next_back().filter(|c| c.is_whitespace() || *c == CLOSE) {
        closing += usize::from(c == CLOSE);
        text.pop();
    }
    text.extend(std::iter::repeat_n(CLOSE, closing));
}

/// An origin whose keys decide whether a piece exists (see [`Origin::presence`]).
pub fn presence(keys: impl IntoIterator<Item = String>) -> Origin {
    Origin { presence: keys.into_iter().collect(), ..Origin::default() }
}

/// `marked` without its marks, and the lines each marked piece covers (1-based): the lines its
/// text touches, except a line it only ends (a piece that starts at a line's end starts on the next
/// line; one that ends at a line's start ends on the line before). Marks that do not pair up are
/// dropped with their tags.
pub fn unmark(marked: &str) -> (String, Vec<TaggedSpan>) {
    let mut text = String::with_capacity(marked.len());
    let mut spans = Vec::new();
    // The open pieces: their tag and first line.
    let mut open: Vec<(u32, u32)> = Vec::new();
    let mut line = 1u32;
    let mut chars = marked.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            OPEN => {
                let mut digits = String::new();
                for d in chars.by_ref() {
                    if d == TAG_END {
                        break;
                    }
                    digits.push(d);
                }
                let at_line_end = !text.is_empty() && !text.ends_with('\n') && chars.peek() == Some(&'\n');
                open.push((digits.parse().unwrap_or(0), line + u32::from(at_line_end)));
            }
            CLOSE => {
                if let Some((tag, first_line)) = open.pop() {
                    let last_line = if text.ends_with('\n') { line - 1 } else { line };
                    if tag != 0 && last_line >= first_line {
                        spans.push(TaggedSpan { tag, first_line, last_line });
                    }
                }
            }
            TAG_END => {}
            c => {
                if c == '\n' {
                    line += 1;
                }
                text.push(c);
            }
        }
    }
    (text, spans)
}

/// The lines of a text output: each gets the keys, presence and rule of every marked piece covering
/// it (a line of prose may show several keys' values, and exist because of several switches).
fn paint_text(spans: &[TaggedSpan], count: usize, origins: &[Origin]) -> Vec<Option<LineSource>> {
    /// A line's keys in the order they were first given, each once (a section can name every host).
    #[derive(Default)]
    struct Keys<'o> {
        order: Vec<&'o str>,
        seen: std::collections::HashSet<&'o str>,
    }
    impl<'o> Keys<'o> {
        fn add(&mut self, keys: &'o [String]) {
            for key in keys {
                if self.seen.insert(key) {
                    self.order.push(key);
                }
            }
        }
        fn owned(self) -> Vec<String> {
            self.order.into_iter().map(str::to_owned).collect()
        }
    }
    let mut lines: Vec<(Keys<'_>, Keys<'_>, Option<&'static str>)> = (0..count).map(|_| Default::default()).collect();
    for span in spans {
        let Some(origin) = span.tag.checked_sub(1).and_then(|i| origins.get(i as usize)) else { continue };
        let range = span.first_line as usize - 1..(span.last_line as usize).min(count);
        for (keys, presence, rule) in lines.get_mut(range).into_iter().flatten() {
            keys.add(&origin.keys);
            presence.add(&origin.presence);
            // Inner pieces close first: the innermost rule stands.
            *rule = rule.or(origin.rule);
        }
    }
    lines
        .into_iter()
        .map(|(keys, presence, rule)| LineSource { keys: keys.owned(), presence: presence.owned(), rule })
        .map(|l| (!l.is_empty()).then_some(l))
        .collect()
}

/// `[ … ]` whose every item comes from the list-valued inventory key `key`.
pub fn list_from<E: Into<homeflake_nix::Expr>>(key: &str, items: impl IntoIterator<Item = E>) -> homeflake_nix::Expr {
    homeflake_nix::make::tagged_list(
        items.into_iter().map(|item| (item, record(|| Origin { keys: vec![key.to_owned()], ..Origin::default() }))),
    )
}

/// Line origins from the variables each line carries (`variable_lines`) and the keys of each variable.
pub fn line_origins(lines: Vec<Vec<usize>>, keys_of: impl Fn(usize) -> Vec<String>) -> Vec<LineOrigin> {
    lines
        .into_iter()
        .enumerate()
        .filter_map(|(line, variables)| {
            let mut keys: Vec<String> = variables.into_iter().flat_map(&keys_of).collect();
            keys.dedup();
            (!keys.is_empty()).then_some(LineOrigin { line: line as u32, keys })
        })
        .collect()
}

/// Every generated file with, line by line, where it comes from.
#[derive(Debug, Clone)]
pub struct Trace {
    /// The generated files, in the order [`crate::generate`] writes them.
    pub files: Vec<FileTrace>,
}

/// One generated file traced.
#[derive(Debug, Clone)]
pub struct FileTrace {
    /// Its path from the flake root.
    pub path: String,
    /// Its text, as [`crate::generate`] writes it.
    pub text: String,
    /// For each line (index 0 is line 1), the origin of the innermost traced piece covering it;
    /// `None` for lines no inventory key reaches (fixed text, structure, or an untraced file).
    pub lines: Vec<Option<LineSource>>,
}

/// Where one generated line comes from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LineSource {
    /// The inventory keys whose values the line shows (or is derived from).
    pub keys: Vec<String>,
    /// The inventory keys that decide whether the line exists (those of every node around it).
    pub presence: Vec<String>,
    /// The rule deriving it, if any.
    pub rule: Option<&'static str>,
}

impl LineSource {
    /// Whether the line has anything to say.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty() && self.presence.is_empty() && self.rule.is_none()
    }
}

/// The rule for the lines of a module's argument pattern, which follow what its body uses.
pub const MODULE_ARGUMENTS_RULE: &str = "a module takes the arguments its body uses";

impl Trace {
    /// The traced file at `path`.
    pub fn file(&self, path: &str) -> Option<&FileTrace> {
        self.files.iter().find(|f| f.path == path)
    }

    /// Every `(file, line)` that `key` reaches (1-based lines): lines whose source names `key`
    /// or a key under it (`hosts.yomogi` reaches `hosts.yomogi.lan-address`'s lines).
    pub fn reached_by(&self, key: &str) -> Vec<(&str, u32)> {
        let matches = |k: &str| k == key || k.strip_prefix(key).is_some_and(|rest| rest.starts_with(['.', '[']));
        let mut out = Vec::new();
        for file in &self.files {
            for (i, source) in file.lines.iter().enumerate() {
                if source.as_ref().is_some_and(|s| s.keys.iter().chain(&s.presence).any(|k| matches(k))) {
                    out.push((file.path.as_str(), i as u32 + 1));
                }
            }
        }
        out
    }
}

/// Generates every file of `cluster` with provenance: what [`crate::generate`] writes, and for the
/// Nix files, the YAML under `cluster/` and the Markdown under `docs/`, line by line, the inventory
/// keys each line comes from. Runs on the calling thread.
pub fn trace(cluster: &homeflake_model::Cluster) -> Trace {
    let ((nix_files, yaml_files, text_files), origins) = recording(|| {
        (crate::lowered_nix_files(cluster), crate::cluster::value_files(cluster), crate::docs::files(cluster))
    });
    let generated = crate::generate(cluster);
    let mut traced: std::collections::HashMap<String, Vec<Option<LineSource>>> = std::collections::HashMap::new();
    for (path, expr) in nix_files {
        let file = homeflake_nix::make::file([crate::lower::HEADER], expr);
        let text = homeflake_nix::print_file(&file);
        traced.insert(path, paint_nix(&file, &text, &origins));
    }
    for (path, value, _) in yaml_files {
        let mut tags = Vec::new();
        let yaml = crate::lower::yaml_with_tags(&value, &mut tags);
        let (text, spans) = homeflake_yaml::print_file_with_spans(&[crate::lower::HEADER], &yaml, true);
        let spans = tags
            .into_iter()
            .filter_map(|(node, tag)| {
                spans.get(node).map(|&(first_line, last_line)| TaggedSpan { tag, first_line, last_line })
            })
            .collect();
        traced.insert(
            path,
            paint(spans, text.lines().count(), &origins).into_iter().map(|l| (!l.is_empty()).then_some(l)).collect(),
        );
    }
    for (path, marked, _) in text_files {
        let (text, spans) = unmark(&marked);
        // Were an inventory string to hold a mark's character, the marks could not be told apart:
        // such a file is left untraced rather than traced wrong.
        if generated.get(path).is_some_and(|file| *file.contents == *text) {
            traced.insert(path.to_owned(), paint_text(&spans, text.lines().count(), &origins));
        }
    }
    let files = generated
        .iter()
        .map(|(path, generated)| {
            let text = generated.contents.to_string();
            let count = text.lines().count();
            let lines = traced.remove(path.as_str()).unwrap_or_else(|| vec![None; count]);
            FileTrace { path: path.to_string(), text, lines }
        })
        .collect();
    Trace { files }
}

/// Gives each line the value keys of the innermost tagged node covering it (or its own, for a
/// line of a multi-line string), and the presence keys of every tagged node covering it.
fn paint(mut spans: Vec<TaggedSpan>, count: usize, origins: &[Origin]) -> Vec<LineSource> {
    let mut lines: Vec<LineSource> = vec![LineSource::default(); count];
    // Outer nodes first, so that inner ones paint over them.
    spans.sort_by_key(|s| std::cmp::Reverse(s.last_line - s.first_line));
    for span in spans {
        let Some(origin) = origins.get(span.tag as usize - 1) else { continue };
        let range = span.first_line as usize - 1..(span.last_line as usize).min(count);
        for line in &mut lines[range.clone()] {
            for key in &origin.presence {
                if !line.presence.contains(key) {
                    line.presence.push(key.clone());
                }
            }
        }
        let valued = if origin.head_only { range.start..range.start + 1 } else { range.clone() };
        if !origin.keys.is_empty() || origin.rule.is_some() {
            for line in &mut lines[valued] {
                line.keys = origin.keys.clone();
                line.rule = origin.rule;
            }
        }
        if !origin.lines.is_empty() {
            // A multi-line string's content starts on the line after its binding's first line;
            // lines no variable reaches are fixed text.
            let content = span.last_line.saturating_sub(span.first_line + 1);
            for line in &mut lines[range.start + 1..range.end.saturating_sub(1).max(range.start + 1)] {
                line.keys.clear();
                line.rule = None;
            }
            for line_origin in origin.lines.iter().filter(|l| l.line < content) {
                if let Some(line) = lines.get_mut((span.first_line + line_origin.line) as usize) {
                    line.keys = line_origin.keys.clone();
                    line.rule = origin.rule;
                }
            }
        }
    }
    lines
}

/// [`paint`] for a Nix file: its tags' lines, and the rule for a module's argument pattern.
fn paint_nix(file: &homeflake_nix::File, text: &str, origins: &[Origin]) -> Vec<Option<LineSource>> {
    let count = text.lines().count();
    let Ok(spans) = homeflake_nix::tagged_lines(file, text) else { return vec![None; count] };
    let mut lines = paint(spans, count, origins);
    if let homeflake_nix::Expr::Lambda { param: homeflake_nix::Param::Pattern(_), .. } = &file.expr {
        // The argument pattern: from the first line after the header comments to the one ending in `}:`.
        let first = file.comments.len();
        if let Some(end) = text.lines().skip(first).position(|l| l.trim_end().ends_with("}:")) {
            // The body's opening brace follows the pattern, and moves with it.
            let brace = usize::from(text.lines().nth(first + end + 1) == Some("{"));
            for line in &mut lines[first..=(first + end + brace).min(count - 1)] {
                line.rule = Some(MODULE_ARGUMENTS_RULE);
            }
        }
    }
    single_binding_braces(file, text, origins, &mut lines);
    lines.into_iter().map(|l| (!l.is_empty()).then_some(l)).collect()
}

/// A module body of one binding prints on one line once the binding's value is short enough
/// (`{ boot.kernelModules = [ ]; }`): its braces then move with that binding, so they carry the
/// binding's keys as presence.
fn single_binding_braces(file: &homeflake_nix::File, text: &str, origins: &[Origin], lines: &mut [LineSource]) {
    let body = match &file.expr {
        homeflake_nix::Expr::Lambda { body, .. } => body.as_ref(),
        other => other,
    };
    let homeflake_nix::Expr::AttrSet { bindings, .. } = body else { return };
    let [binding] = bindings.as_slice() else { return };
    let Some(origin) = binding.tag.checked_sub(1).and_then(|i| origins.get(i as usize)) else { return };
    let all: Vec<&str> = text.lines().collect();
    let braces = all.iter().enumerate().filter(|(_, l)| **l == "{" || **l == "}").map(|(i, _)| i);
    for i in braces {
        for key in origin.keys.iter().chain(&origin.presence) {
            if !lines[i].presence.contains(key) {
                lines[i].presence.push(key.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_are_not_written_unless_a_trace_is_taken() {
        assert_eq!(shown("`lab.example.org`").source("domain").to_string(), "`lab.example.org`");
        let mut out = String::from("a\n");
        block(&mut out, || presence(["split-dns".to_owned()]), |out| out.push_str("b\n"));
        assert_eq!(out, "a\nb\n");
    }

    #[test]
    fn unmarked_text_is_the_text_and_each_piece_covers_the_lines_it_touches() {
        let (marked, origins) = recording(|| {
            let mut out = String::from("# title\n");
            // A section starting with a blank line, holding a line with two values.
            block(
                &mut out,
                || presence(["ingress".to_owned()]),
                |out| {
                    let http = shown(80).source("ingress.listen-ports.http");
                    let https = shown(443).source("ingress.listen-ports.https");
                    out.push_str(&format!("\n## Ingress\n\nports {http} and {https}\n"));
                },
            );
            // A piece at a line's end that ends the line it is on.
            let end = shown("x\n").source("name");
            out.push_str(&format!("tail {end}last\n"));
            out
        });
        let (text, spans) = unmark(&marked);
        assert_eq!(text, "# title\n\n## Ingress\n\nports 80 and 443\ntail x\nlast\n");
        let lines = paint_text(&spans, text.lines().count(), &origins);
        let keys = |line: usize| lines[line - 1].as_ref().map(|l| (l.keys.clone(), l.presence.clone()));
        assert_eq!(keys(1), None);
        assert_eq!(keys(2), Some((vec![], vec!["ingress".to_owned()])));
        assert_eq!(keys(4), Some((vec![], vec!["ingress".to_owned()])));
        assert_eq!(
            keys(5),
            Some((
                vec!["ingress.listen-ports.http".to_owned(), "ingress.listen-ports.https".to_owned()],
                vec!["ingress".to_owned()]
            ))
        );
        assert_eq!(keys(6), Some((vec!["name".to_owned()], vec![])));
        assert_eq!(keys(7), None);
    }

    #[test]
    fn trimming_keeps_the_marks_that_close_pieces() {
        let (marked, _) = recording(|| {
            let mut out = String::from("a\n");
            block(&mut out, || presence(["tls".to_owned()]), |out| out.push_str("TLS\n\n"));
            trim_end(&mut out);
            out
        });
        let (text, spans) = unmark(&marked);
        assert_eq!(text, "a\nTLS");
        assert_eq!(spans, [TaggedSpan { tag: 1, first_line: 2, last_line: 2 }]);
        let mut plain = String::from("a \n\n");
        trim_end(&mut plain);
        assert_eq!(plain, "a");
    }

    #[test]
    fn a_piece_starting_at_a_line_end_starts_on_the_next_line() {
        let (marked, _) = recording(|| {
            let mut out = String::from("intro");
            block(&mut out, || presence(["tls".to_owned()]), |out| out.push_str("\nTLS\n"));
            out
        });
        let (text, spans) = unmark(&marked);
        assert_eq!(text, "intro\nTLS\n");
        assert_eq!(spans, [TaggedSpan { tag: 1, first_line: 2, last_line: 2 }]);
    }
}
