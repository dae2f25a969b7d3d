//! Diagnostics: one problem in an inventory, with its file, position, key path and what is allowed.

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Severity {
    /// The inventory is rejected.
    Error,
    /// The inventory is accepted, but something deserves attention.
    Warning,
}

/// What kind of problem a diagnostic reports, for programs that react to some of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Code {
    /// The file is not valid TOML or JSON, or not valid UTF-8.
    Syntax,
    /// A file or folder could not be read.
    Io,
    /// A key that the schema does not know.
    UnknownKey,
    /// A required key is missing.
    MissingKey,
    /// A value has the wrong type (a number where text is expected, …).
    WrongType,
    /// A value has the right type but is not valid (a bad host name, a port out of range, …).
    InvalidValue,
    /// Two keys that cannot be used together, or a key that does not apply in this context.
    ConflictingKeys,
    /// A host file's folder name differs from the host's name, or both inventory files exist.
    FileLayout,
    /// Two hosts have the same name.
    DuplicateHost,
    /// Two hosts have the same address.
    DuplicateAddress,
    /// The same entry appears twice in a list where it must be unique.
    DuplicateEntry,
    /// An address or gateway is outside the LAN, or a tailnet address outside 100.64.0.0/10.
    OutsideNetwork,
    /// No host has the control-plane role.
    NoControlPlane,
    /// More than one control plane while easyCerts is on.
    SeveralControlPlanes,
    /// No host has the worker role.
    NoWorker,
    /// A reference to a host that does not exist.
    UnknownHost,
    /// A reference to a user that does not exist.
    UnknownUser,
    /// A host that needs a tailnet address has none, or Tailscale is off where it is needed.
    MissingTailnetAddress,
    /// A host's role does not fit its use (an OSD host that is not a worker, …).
    WrongRole,
    /// Two NodePorts or listen ports are equal.
    EqualPorts,
    /// Two address ranges overlap.
    OverlappingRanges,
    /// An aarch64 control plane runs the DNS add-on without an arm64 coredns image pin.
    MissingArm64Image,
    /// A hardware profile and a system that do not go together.
    SystemMismatch,
    /// A secret reference that is malformed or cannot be used where it is.
    SecretReference,
    /// The nixpkgs lock is incomplete (`rev`, `nar-hash` and `last-modified` go together).
    IncompletePin,
    /// A section that needs another one which is missing (`[tls]` without `[ingress]`, …).
    RequiresSection,
    /// An ACME challenge that cannot succeed for this cluster (HTTP-01).
    AcmeChallenge,
    /// A Ceph layout Rook cannot run: an even or too large monitor count, more copies than OSD hosts, …
    CephLayout,
    /// A fact the hosts and the cluster layer share differs between them (kubelet's root dir, …).
    CrossLayerMismatch,
    /// An app's host name is outside the zone, or not covered by the wildcard certificate.
    OutsideZone,
    /// A volume names a StorageClass that the cluster layer does not create.
    UnknownStorageClass,
    /// Warning: kube-controller-manager, kube-scheduler, etcd and kube-proxy are not scraped (nixpkgs
    /// binds their metrics to loopback).
    ControlPlaneMetrics,
    /// Warning: Ceph keeps one copy of each object, so losing a disk loses data.
    SingleReplica,
    /// Warning: easyCerts is on (upstream: not for production-grade clusters).
    EasyCerts,
    /// Warning: a trusted source range is far broader than the ranges it exists for.
    BroadTrustedRange,
    /// Warning: a worker lacks the Ceph kernel modules while Ceph is on.
    MissingCephModules,
    /// Warning: `state-version` is not set, so the reference cluster's 25.05 is used.
    StateVersionDefault,
    /// Warning: split DNS is left out until the hosts it needs have tailnet addresses.
    SplitDnsPending,
    /// Warning: an even number of k3s servers, whose embedded etcd survives no more failures than
    /// one server fewer.
    EvenControlPlanes,
    /// A name in `allow-warnings` that is not a warning's name.
    UnknownWarning,
    /// The inventory's files together are larger than homeflake reads.
    TooLarge,
    /// More problems were found than are listed; this one counts the rest.
    Omitted,
    /// Warning: a setting that does not apply where it is (kubelet flags or labels on a host
    /// without a Kubernetes role) and would be dropped.
    UnusedSetting,
}

impl Code {
    /// The warnings an inventory may acknowledge in `allow-warnings`, by name.
    pub const WARNINGS: [Code; 9] = [
        Code::EasyCerts,
        Code::BroadTrustedRange,
        Code::MissingCephModules,
        Code::StateVersionDefault,
        Code::SplitDnsPending,
        Code::UnusedSetting,
        Code::SingleReplica,
        Code::ControlPlaneMetrics,
        Code::EvenControlPlanes,
    ];

    /// The code's name as inventories and JSON output spell it (`easy-certs`).
    pub fn name(self) -> String {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::String(name)) => name,
            _ => format!("{self:?}"),
        }
    }

    /// The warning named `name`, if there is one.
    pub fn warning_named(name: &str) -> Option<Code> {
        Code::WARNINGS.into_iter().find(|c| c.name() == name)
    }

    /// The names of [`Code::WARNINGS`], comma separated.
    pub fn warning_names() -> String {
        Code::WARNINGS.map(Code::name).join(", ")
    }
}

/// One problem found in an inventory or a cluster built in code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// What kind of problem.
    pub code: Code,
    /// The file, relative to the inventory's root, when the problem is in a file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<PathBuf>,
    /// 1-based line, where the source gives one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// 1-based column in characters, where the source gives one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    /// The key path (`hosts.yomogi.roles`); empty for the whole document.
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// What is allowed instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed: Option<String>,
    /// The closest allowed word, for a likely typo.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
}

impl Diagnostic {
    /// An error at `path`.
    pub fn error(code: Code, path: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            file: None,
            line: None,
            column: None,
            path: path.into(),
            message: message.into(),
            allowed: None,
            suggestion: None,
        }
    }

    /// A warning at `path`.
    pub fn warning(code: Code, path: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(code, path, message) }
    }

    /// Adds what is allowed.
    pub fn with_allowed(mut self, allowed: impl Into<String>) -> Self {
        self.allowed = Some(allowed.into());
        self
    }

    /// Adds a suggestion.
    pub fn with_suggestion(mut self, suggestion: Option<impl Into<String>>) -> Self {
        self.suggestion = suggestion.map(Into::into);
        self
    }

    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Whether `c` would act on a terminal or hide in text rather than show: a control character
/// (escape sequences start with one) or an invisible or bidirectional formatting character.
fn is_unprintable(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}')
        || matches!(c, '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

/// `text` safe to print on a terminal: every control, invisible or bidirectional character is
/// shown as `\u{…}`, so that a key or file name cannot retitle the terminal or erase lines.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(is_unprintable) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unprintable(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

impl fmt::Display for Diagnostic {
    /// `homeflake.toml:12:9: error: hosts.yomogi.roles: unknown role "mastr"; allowed: control-plane, worker (did you mean "control-plane"?)`
    ///
    /// Every part goes through [`printable`]: file names and keys come from the user's files.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{}", printable(&file.display().to_string()))?;
            if let Some(line) = self.line {
                write!(f, ":{line}")?;
                if let Some(column) = self.column {
                    write!(f, ":{column}")?;
                }
            }
            f.write_str(": ")?;
        }
        f.write_str(match self.severity {
            Severity::Warning => "warning: ",
            _ => "error: ",
        })?;
        if !self.path.is_empty() {
            write!(f, "{}: ", printable(&self.path))?;
        }
        f.write_str(&printable(&self.message))?;
        if let Some(allowed) = &self.allowed {
            write!(f, "; allowed: {}", printable(allowed))?;
        }
        if let Some(s) = &self.suggestion {
            write!(f, " (did you mean {:?}?)", printable(s))?;
        }
        Ok(())
    }
}

/// One diagnostic per line, errors first.
pub(crate) fn render_all(diagnostics: &[Diagnostic]) -> String {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let mut out = format!("the inventory has {errors} error{}", if errors == 1 { "" } else { "s" });
    for d in diagnostics {
        out.push('\n');
        out.push_str(&d.to_string());
    }
    out
}
