//! Loading an inventory: files on disk or text in memory, decoded and validated.

use std::path::{Path, PathBuf};

use std::collections::HashMap;
use std::ops::Range;

use crate::cluster::Cluster;
use crate::decode::{self, Decoder, P, SourceFile};
use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::error::LoadError;
use crate::limits::{self, MAX_DIAGNOSTICS, MAX_INVENTORY_BYTES, Omitted};
use crate::names::HostName;
use crate::source::{LineIndex, ParseError, parse_json, parse_toml};

/// The inventory file in TOML.
pub const TOML_FILE: &str = "homeflake.toml";
/// The inventory file in JSON (the same schema).
pub const JSON_FILE: &str = "homeflake.json";
/// The name of a host file, at `hosts/<name>/host.toml`.
pub const HOST_FILE: &str = "host.toml";

/// A validated cluster and the warnings about it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Loaded {
    /// The cluster.
    pub cluster: Cluster,
    /// Warnings: problems that do not stop generation.
    pub warnings: Vec<Diagnostic>,
    /// Warnings the inventory acknowledges in `allow-warnings`, not reported as warnings.
    pub allowed_warnings: Vec<Diagnostic>,
}

/// The text of an inventory, for [`from_sources`]: no file system involved.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Sources {
    /// The main file's name (`homeflake.toml` or `homeflake.json`; the extension picks the format).
    pub root_name: PathBuf,
    /// The main file's text.
    pub root_text: String,
    /// Host files: their path relative to the root (`hosts/yomogi/host.toml`) and their text.
    pub host_files: Vec<(PathBuf, String)>,
}

impl Sources {
    /// Sources with a main file and no host files.
    pub fn new(root_name: impl Into<PathBuf>, root_text: impl Into<String>) -> Self {
        Sources { root_name: root_name.into(), root_text: root_text.into(), host_files: Vec::new() }
    }

    /// Adds a host file at `hosts/<name>/host.toml`.
    pub fn with_host_file(mut self, path: impl Into<PathBuf>, text: impl Into<String>) -> Self {
        self.host_files.push((path.into(), text.into()));
        self
    }
}

/// Loads the inventory in `root`: `homeflake.toml` or `homeflake.json`, and `hosts/*/host.toml`.
///
/// Every problem is reported at once in [`LoadError::Invalid`]; warnings come with the cluster
/// in [`Loaded::warnings`].
pub fn load(root: &Path) -> Result<Loaded, LoadError> {
    let (sources, early) = read_sources(root)?;
    decode_all(&sources, early)
}

/// Reads the inventory's files in `root` (`homeflake.toml` or `homeflake.json`, and
/// `hosts/*/host.toml`) without decoding them, within the same limits as [`load`].
pub fn read(root: &Path) -> Result<Sources, LoadError> {
    read_sources(root).map(|(sources, _)| sources)
}

/// The inventory's files, and the problems found while reading them (which decoding reports).
fn read_sources(root: &Path) -> Result<(Sources, Vec<Diagnostic>), LoadError> {
    let toml_path = root.join(TOML_FILE);
    let json_path = root.join(JSON_FILE);
    let mut early = Vec::new();
    let root_name = match (toml_path.is_file(), json_path.is_file()) {
        (false, false) => return Err(LoadError::NotFound { root: root.to_owned() }),
        (true, true) => {
            let mut d = Diagnostic::error(
                Code::FileLayout,
                "",
                "both homeflake.toml and homeflake.json exist; homeflake.toml is read",
            )
            .with_allowed("one inventory file: homeflake.toml or homeflake.json");
            d.file = Some(PathBuf::from(JSON_FILE));
            early.push(d);
            TOML_FILE
        }
        (true, false) => TOML_FILE,
        (false, true) => JSON_FILE,
    };
    let mut budget = MAX_INVENTORY_BYTES;
    let Some(bytes) = read_within(root, Path::new(root_name), &mut budget, &mut early)? else {
        return Err(LoadError::Invalid(early));
    };
    let root_text = text_or_diagnostic(root_name.as_ref(), bytes, &mut early);
    let mut sources = Sources::new(root_name, root_text.unwrap_or_default());
    let hosts_dir = root.join("hosts");
    if hosts_dir.is_dir() {
        for relative in host_files(root, &mut early)? {
            let Some(bytes) = read_within(root, &relative, &mut budget, &mut early)? else {
                return Err(LoadError::Invalid(early));
            };
            if let Some(text) = text_or_diagnostic(&relative, bytes, &mut early) {
                sources.host_files.push((relative, text));
            }
        }
    }
    if root_text_failed(&early, root_name) {
        return Err(LoadError::Invalid(early));
    }
    Ok((sources, early))
}

/// Reads `root/relative` if it fits in what is left of the inventory's size `budget`, measuring it
/// before reading; otherwise adds the error to `out` and returns `None`.
fn read_within(
    root: &Path,
    relative: &Path,
    budget: &mut u64,
    out: &mut Vec<Diagnostic>,
) -> Result<Option<Vec<u8>>, LoadError> {
    use std::io::Read as _;
    let path = root.join(relative);
    let io = |source| LoadError::Io { path: path.clone(), source };
    let file = std::fs::File::open(&path).map_err(io)?;
    let length = file.metadata().map_err(io)?.len();
    let used = MAX_INVENTORY_BYTES - *budget;
    if length > *budget {
        out.push(limits::too_large(relative, used + length));
        return Ok(None);
    }
    // The length can change, or be unknown (a pipe): never read more than the budget allows.
    let mut bytes = Vec::with_capacity(length as usize);
    file.take(*budget + 1).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > *budget {
        out.push(limits::too_large(relative, used + bytes.len() as u64));
        return Ok(None);
    }
    *budget -= bytes.len() as u64;
    Ok(Some(bytes))
}

/// The host files under `root/hosts/` to read (`hosts/<name>/host.toml`, relative to `root`), in
/// folder order. Nothing there is ignored without a word: a host folder or host file that is a
/// symbolic link, or a `host.toml` that is a folder, is an error (homeflake never reads or writes
/// through a link: it writes `hosts/<name>/default.nix` beside the host file); a file that looks
/// like a host file but is not read (`HOST.TOML`, `hosts/host.toml`, `hosts/a/b/host.toml`, any
/// other `.toml`) is a warning, and an error when its host folder has no `host.toml`, since that
/// host would drop out of the inventory and `gen` remove its files.
fn host_files(root: &Path, out: &mut Vec<Diagnostic>) -> Result<Vec<PathBuf>, LoadError> {
    let hosts_dir = root.join("hosts");
    let mut read = Vec::new();
    let mut unread: Vec<(PathBuf, Option<String>)> = Vec::new();
    let problem = |relative: &Path, message: String, allowed: &str, error: bool| {
        let mut d = if error {
            Diagnostic::error(Code::FileLayout, "", message)
        } else {
            Diagnostic::warning(Code::FileLayout, "", message)
        };
        d = d.with_allowed(allowed);
        d.file = Some(relative.to_owned());
        d
    };
    // Deep enough for `hosts/a/b/c/host.toml`; a bounded walk, never through a link.
    for entry in walkdir::WalkDir::new(&hosts_dir).min_depth(1).max_depth(4).sort_by_file_name() {
        let entry = entry.map_err(|e| {
            let path = e.path().map(Path::to_owned).unwrap_or_else(|| hosts_dir.clone());
            LoadError::Io { path, source: e.into() }
        })?;
        let relative = entry.path().strip_prefix(root).map(Path::to_owned).unwrap_or_else(|_| entry.path().to_owned());
        let name = entry.file_name().to_string_lossy();
        let kind = entry.file_type();
        let folder = || {
            let mut parts = relative.components().skip(1);
            parts.next().map(|c| c.as_os_str().to_string_lossy().into_owned())
        };
        if kind.is_symlink() && (entry.depth() == 1 || name == HOST_FILE) {
            out.push(problem(
                &relative,
                "is a symbolic link; homeflake reads no host folder or host file through one (it writes beside it)"
                    .into(),
                "a real folder hosts/<name>/ holding a real file host.toml",
                true,
            ));
        } else if entry.depth() == 2 && name == HOST_FILE {
            if kind.is_file() {
                read.push(relative);
            } else {
                out.push(problem(&relative, "is not a file".into(), "a file hosts/<name>/host.toml", true));
            }
        } else if kind.is_file() && looks_like_a_host_file(&name) {
            let folder = if entry.depth() >= 2 { folder() } else { None };
            unread.push((relative, folder));
        }
    }
    for (relative, folder) in unread {
        let orphan = folder
            .as_ref()
            .filter(|f| !read.iter().any(|r| r.components().nth(1).is_some_and(|c| c.as_os_str() == f.as_str())));
        let message = match &orphan {
            Some(f) => format!(
                "looks like a host file but is not read, and hosts/{f}/ has no host.toml: host {f:?} would drop out of the inventory"
            ),
            None => "looks like a host file but is not read".into(),
        };
        out.push(problem(
            &relative,
            message,
            "host files at hosts/<name>/host.toml, named exactly so",
            orphan.is_some(),
        ));
    }
    Ok(read)
}

/// A TOML or JSON file under `hosts/`: homeflake reads no such file there but `host.toml`.
fn looks_like_a_host_file(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".toml") || lower == "host.json"
}

fn root_text_failed(early: &[Diagnostic], root_name: &str) -> bool {
    early.iter().any(|d| d.code == Code::Syntax && d.file.as_deref() == Some(Path::new(root_name)))
}

fn text_or_diagnostic(path: &Path, bytes: Vec<u8>, out: &mut Vec<Diagnostic>) -> Option<String> {
    match String::from_utf8(bytes) {
        Ok(t) => Some(t),
        Err(e) => {
            let offset = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(&e.as_bytes()[..offset]).into_owned();
            let index = LineIndex::new(&text);
            let (line, column) = index.position(&text, offset);
            let mut d = Diagnostic::error(Code::Syntax, "", format!("the file is not valid UTF-8 (byte {offset})"))
                .with_allowed("UTF-8 text");
            d.file = Some(path.to_owned());
            d.line = Some(line);
            d.column = Some(column);
            out.push(d);
            None
        }
    }
}

/// Decodes and validates an inventory held in memory.
pub fn from_sources(sources: &Sources) -> Result<Loaded, LoadError> {
    decode_all(sources, Vec::new())
}

/// Decodes and validates a TOML inventory; `file_name` is used in diagnostics.
pub fn from_toml_str(file_name: &str, text: &str) -> Result<Loaded, LoadError> {
    let mut sources = Sources::new(file_name, text);
    sources.root_name = with_extension(file_name, "toml");
    decode_all(&sources, Vec::new())
}

/// Decodes and validates a JSON inventory; `file_name` is used in diagnostics.
pub fn from_json_str(file_name: &str, text: &str) -> Result<Loaded, LoadError> {
    let mut sources = Sources::new(file_name, text);
    sources.root_name = with_extension(file_name, "json");
    decode_all(&sources, Vec::new())
}

/// Keeps `name` if it already has `ext`; otherwise the format is forced through a suffix the
/// diagnostics never show (the path stays as given).
fn with_extension(name: &str, ext: &str) -> PathBuf {
    let p = PathBuf::from(name);
    if p.extension().is_some_and(|e| e == ext) { p } else { PathBuf::from(format!("{name}\u{0}.{ext}")) }
}

fn display_path(p: &Path) -> PathBuf {
    let s = p.to_string_lossy();
    match s.split_once('\u{0}') {
        Some((name, _)) => PathBuf::from(name),
        None => p.to_owned(),
    }
}

fn is_json(p: &Path) -> bool {
    p.extension().is_some_and(|e| e == "json")
}

fn syntax_errors(
    files: &[SourceFile],
    file: usize,
    errors: Vec<ParseError>,
    out: &mut Vec<Diagnostic>,
    omitted: &mut Omitted,
) {
    let f = &files[file];
    for e in errors {
        if out.len() >= MAX_DIAGNOSTICS {
            omitted.count(Severity::Error);
            continue;
        }
        let mut d = Diagnostic::error(Code::Syntax, "", e.message).with_allowed(if is_json(&f.path) {
            "JSON"
        } else {
            "TOML (https://toml.io)"
        });
        d.file = Some(f.path.clone());
        if let Some(span) = e.span {
            let (line, column) = f.index.position(&f.text, span.start);
            (d.line, d.column) = (Some(line), Some(column));
        } else if let Some((line, column)) = e.line_column {
            (d.line, d.column) = (Some(line), Some(column));
        }
        out.push(d);
    }
}

/// Whether two locators name the same value or one contains the other.
fn related(a: &str, b: &str) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    long.starts_with(short)
        && (long.len() == short.len() || short.is_empty() || matches!(long.as_bytes()[short.len()], b'.' | b'['))
}

/// Replaces a model host index in a validator locator (`hosts.#3…`) with the host's ordinal in the sources.
fn translate(locator: &str, ordinals: &[usize]) -> String {
    if let Some(rest) = locator.strip_prefix("hosts.#") {
        let end = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        if let Ok(i) = rest[..end].parse::<usize>()
            && let Some(o) = ordinals.get(i)
        {
            return format!("hosts.#{o}{}", &rest[end..]);
        }
    }
    locator.to_owned()
}

fn decode_all(sources: &Sources, diagnostics: Vec<Diagnostic>) -> Result<Loaded, LoadError> {
    let mut omitted = Omitted::default();
    let result = decode_capped(sources, diagnostics, &mut omitted);
    match result {
        Ok(mut loaded) => {
            loaded.warnings = limits::cap(loaded.warnings, omitted);
            Ok(loaded)
        }
        Err(LoadError::Invalid(diagnostics)) => Err(LoadError::Invalid(limits::cap(diagnostics, omitted))),
        Err(other) => Err(other),
    }
}

/// Decodes and validates, keeping at most [`MAX_DIAGNOSTICS`] diagnostics from the parser and the
/// decoder and counting the rest in `omitted`.
fn decode_capped(
    sources: &Sources,
    mut diagnostics: Vec<Diagnostic>,
    omitted: &mut Omitted,
) -> Result<Loaded, LoadError> {
    let total = sources.root_text.len() + sources.host_files.iter().map(|(_, text)| text.len()).sum::<usize>();
    if total as u64 > MAX_INVENTORY_BYTES {
        diagnostics.push(limits::too_large(&display_path(&sources.root_name), total as u64));
        return Err(LoadError::Invalid(diagnostics));
    }
    let mut files = vec![SourceFile::new(display_path(&sources.root_name), sources.root_text.clone())];
    files.extend(sources.host_files.iter().map(|(p, t)| SourceFile::new(p.clone(), t.clone())));
    let root_node = if is_json(&sources.root_name) { parse_json(&files[0].text) } else { parse_toml(&files[0].text) };
    let root_node = match root_node {
        Ok(n) => n,
        Err(errors) => {
            syntax_errors(&files, 0, errors, &mut diagnostics, omitted);
            return Err(LoadError::Invalid(diagnostics));
        }
    };
    let mut host_nodes = Vec::new();
    let mut failed_hosts: Vec<Option<HostName>> = Vec::new();
    for (k, (path, _)) in sources.host_files.iter().enumerate() {
        let parts: Vec<_> = path.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
        let folder = match parts.as_slice() {
            [hosts, folder, file] if hosts == "hosts" && file == HOST_FILE => folder.clone(),
            _ => {
                let mut d = Diagnostic::error(Code::FileLayout, "", "a host file must be at hosts/<name>/host.toml")
                    .with_allowed("hosts/<name>/host.toml");
                d.file = Some(path.clone());
                diagnostics.push(d);
                failed_hosts.push(None);
                continue;
            }
        };
        match parse_toml(&files[k + 1].text) {
            Ok(node) => host_nodes.push((k + 1, folder, node)),
            Err(errors) => {
                syntax_errors(&files, k + 1, errors, &mut diagnostics, omitted);
                failed_hosts.push(HostName::new(folder).ok());
            }
        }
    }

    let mut d = Decoder::new(&files);
    let root = decode::root(&mut d, &root_node);
    let mut hosts = Vec::new();
    let mut ordinals = Vec::new();
    let mut ordinal = 0;
    for (i, node) in root.inline_hosts.iter().enumerate() {
        let path = P { display: format!("hosts[{i}]"), loc: format!("hosts.#{ordinal}") };
        let before = d.error_count();
        match decode::host(&mut d, node, path, None) {
            (_, Some(h)) if d.error_count() == before => {
                hosts.push(h);
                ordinals.push(ordinal);
            }
            (name, _) => failed_hosts.push(name),
        }
        ordinal += 1;
    }
    for (file, folder, node) in &host_nodes {
        d.file = *file;
        let path = P { display: format!("hosts.{folder}"), loc: format!("hosts.#{ordinal}") };
        let before = d.error_count();
        match decode::host(&mut d, node, path, Some(folder)) {
            (_, Some(h)) if d.error_count() == before => {
                hosts.push(h);
                ordinals.push(ordinal);
            }
            (name, _) => failed_hosts.push(name),
        }
        ordinal += 1;
    }
    d.file = 0;
    let mut cluster = root.cluster;
    if let Some((node, path)) = &root.split_dns {
        let domain = cluster.as_ref().map(|c| c.domain.clone());
        let ingress_host = cluster.as_ref().and_then(|c| c.ingress.as_ref().map(|i| i.host.clone()));
        let tailscale_on = cluster.as_ref().is_none_or(|c| c.tailscale.enable);
        let split = decode::split_dns(&mut d, node, path, domain.as_ref(), ingress_host.as_ref(), tailscale_on);
        match (&mut cluster, split) {
            (Some(c), Some(s)) => c.split_dns = Some(s),
            _ => cluster = None,
        }
    }

    let decode_errors: Vec<String> = d
        .error_locators
        .iter()
        .zip(&d.diagnostics)
        .filter(|(_, diag)| diag.code != Code::UnknownKey)
        .map(|(l, _)| l.clone())
        .collect();
    diagnostics.append(&mut d.diagnostics);
    omitted.errors += d.omitted.errors;
    omitted.warnings += d.omitted.warnings;
    diagnostics.append(&mut d.warnings);
    let Some(mut cluster) = cluster else {
        return Err(LoadError::Invalid(diagnostics));
    };
    cluster.hosts = hosts;
    crate::validate::normalize(&mut cluster);
    for (locator, diag) in crate::validate::validate(&cluster) {
        let locator = translate(&locator, &ordinals);
        if decode_errors.iter().any(|e| related(e, &locator)) {
            continue;
        }
        // A host left out because it has errors is not missing: do not say so.
        let left_out = |d: &Diagnostic| {
            failed_hosts.iter().any(|n| n.as_ref().is_none_or(|n| d.message.contains(&format!("{:?}", n.as_str()))))
        };
        if !failed_hosts.is_empty() && matches!(diag.code, Code::NoControlPlane | Code::NoWorker) {
            continue;
        }
        if diag.code == Code::UnknownHost && left_out(&diag) {
            continue;
        }
        let (file, span) = lookup(&d.spans, &locator);
        diagnostics.push(d.locate(file, span.as_ref(), diag));
    }
    if diagnostics.iter().any(Diagnostic::is_error) {
        Err(LoadError::Invalid(diagnostics))
    } else {
        let (allowed, warnings) = diagnostics.into_iter().partition(|d| cluster.allow_warnings.contains(&d.code));
        Ok(Loaded { cluster, warnings, allowed_warnings: allowed })
    }
}

/// Where a locator was found: itself, or the nearest enclosing key that was.
fn lookup(spans: &HashMap<String, (usize, Option<Range<usize>>)>, locator: &str) -> (usize, Option<Range<usize>>) {
    let mut loc = locator;
    loop {
        if let Some((file, span)) = spans.get(loc) {
            return (*file, span.clone());
        }
        match loc.rfind(['.', '[']) {
            Some(i) => loc = &loc[..i],
            None if !loc.is_empty() => loc = "",
            None => return (0, None),
        }
    }
}
