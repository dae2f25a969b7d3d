//! Decoding a source tree into the model, collecting every problem with its position.
//!
//! Each table is read through [`Fields`], which remembers the keys asked for; whatever is left
//! is an unknown key, reported with the closest known one. A value that fails its check is
//! reported and replaced by its default, so decoding always goes on to the end.

use std::collections::{BTreeMap, HashMap};
use std::net::Ipv4Addr;
use std::ops::Range;
use std::path::PathBuf;
use std::str::FromStr;

use ipnet::Ipv4Net;

use crate::apps::{Apps, Nextcloud, Vaultwarden};
use crate::backup::Backup;
use crate::ceph::{Ceph, CephOsd};
use crate::charts::Charts;
use crate::cluster::{Cluster, Network, NixpkgsPin, User, default_locale, default_state_version, default_time_zone};
use crate::deploy::{Deploy, HostDeploy};
use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::error::ValueError;
use crate::firewall::{Firewall, FirewallMode};
use crate::host::{Host, Roles};
use crate::ingress::Ingress;
use crate::kubernetes::{CorednsImage, Flavour, K3s, Kubernetes, RoleFlags};
use crate::limits::{MAX_DIAGNOSTICS, Omitted};
use crate::monitoring::Monitoring;
use crate::names::*;
use crate::secret::Secret;
use crate::source::{Key, LineIndex, Node, Value};
use crate::split_dns::{SplitDns, SplitDnsNetwork};
use crate::storage::Storage;
use crate::suggest::closest;
use crate::tailscale::Tailscale;
use crate::tls::{ApiToken, Tls};

/// A file being decoded.
pub(crate) struct SourceFile {
    pub path: PathBuf,
    pub text: String,
    pub index: LineIndex,
}

impl SourceFile {
    pub fn new(path: PathBuf, text: String) -> Self {
        let index = LineIndex::new(&text);
        SourceFile { path, text, index }
    }
}

/// A key path: as shown to users (`hosts.yomogi.roles`) and as a locator (`hosts.#0.roles`).
#[derive(Debug, Clone)]
pub(crate) struct P {
    pub display: String,
    pub loc: String,
}

impl P {
    pub fn root() -> P {
        P { display: String::new(), loc: String::new() }
    }

    pub fn key(&self, k: &str) -> P {
        if self.loc.is_empty() {
            P { display: k.to_owned(), loc: k.to_owned() }
        } else {
            P { display: format!("{}.{k}", self.display), loc: format!("{}.{k}", self.loc) }
        }
    }

    pub fn index(&self, i: usize) -> P {
        P { display: format!("{}[{i}]", self.display), loc: format!("{}[{i}]", self.loc) }
    }
}

/// The decoder's state: the files, the diagnostics, and where each key path was found.
pub(crate) struct Decoder<'s> {
    files: &'s [SourceFile],
    pub file: usize,
    /// The first [`MAX_DIAGNOSTICS`] diagnostics; the rest are only counted in `omitted`.
    pub diagnostics: Vec<Diagnostic>,
    /// Warnings only decoding can see (a key left to its default), located like errors.
    pub warnings: Vec<Diagnostic>,
    pub error_locators: Vec<String>,
    pub omitted: Omitted,
    /// Errors other than unknown keys, kept or not.
    errors: usize,
    pub spans: HashMap<String, (usize, Option<Range<usize>>)>,
}

/// The entries of one table, and which of them were asked for.
pub(crate) struct Fields<'n> {
    entries: &'n [(Key, Node)],
    used: Vec<bool>,
    asked: Vec<&'static str>,
    pub path: P,
    span: Option<Range<usize>>,
}

impl<'n> Fields<'n> {
    /// The value of `key`, marking it known.
    pub fn get(&mut self, key: &'static str) -> Option<&'n Node> {
        self.asked.push(key);
        self.take(key).map(|(_, node)| node)
    }

    /// The key and value of `key` when present, marked as handled but not listed among the keys
    /// the table allows: for keys that get an error of their own rather than "unknown key".
    pub fn take(&mut self, key: &str) -> Option<(&'n Key, &'n Node)> {
        let i = self.entries.iter().position(|(k, _)| k.name == key)?;
        self.used[i] = true;
        Some((&self.entries[i].0, &self.entries[i].1))
    }
}

/// Something that can be read from a source node.
pub(crate) trait Decode: Sized {
    /// What is expected, in words, for "expected …, found …" and missing keys.
    fn expected() -> &'static str;
    /// Reads the value, reporting problems at `path`.
    fn decode(d: &mut Decoder<'_>, node: &Node, path: &P) -> Option<Self>;
}

impl<'s> Decoder<'s> {
    pub fn new(files: &'s [SourceFile]) -> Self {
        Decoder {
            files,
            file: 0,
            diagnostics: Vec::new(),
            warnings: Vec::new(),
            error_locators: Vec::new(),
            omitted: Omitted::default(),
            errors: 0,
            spans: HashMap::new(),
        }
    }

    /// How many errors other than unknown keys were found so far (unknown keys change no value).
    pub fn error_count(&self) -> usize {
        self.errors
    }

    /// Puts the file and position of `span` in the current file on `d`.
    pub fn locate(&self, file: usize, span: Option<&Range<usize>>, mut d: Diagnostic) -> Diagnostic {
        let f = &self.files[file];
        d.file = Some(f.path.clone());
        if let Some(span) = span {
            let (line, column) = f.index.position(&f.text, span.start);
            d.line = Some(line);
            d.column = Some(column);
        }
        d
    }

    /// Records an error at `path`, located at `span` in the current file.
    pub fn error(&mut self, path: &P, span: Option<&Range<usize>>, d: Diagnostic) {
        if d.code != Code::UnknownKey {
            self.errors += 1;
        }
        if self.diagnostics.len() >= MAX_DIAGNOSTICS {
            self.omitted.count(d.severity);
            return;
        }
        let mut d = self.locate(self.file, span, d);
        d.path = path.display.clone();
        self.error_locators.push(path.loc.clone());
        self.diagnostics.push(d);
    }

    fn record(&mut self, path: &P, node: &Node) {
        self.spans.entry(path.loc.clone()).or_insert_with(|| (self.file, node.span.clone()));
    }

    fn wrong_type(&mut self, path: &P, node: &Node, expected: &str) {
        self.error(
            path,
            node.span.as_ref(),
            Diagnostic::error(Code::WrongType, "", format!("expected {expected}, found {}", node.kind()))
                .with_allowed(expected),
        );
    }

    fn value_error(&mut self, path: &P, node: &Node, e: &ValueError) {
        self.error(
            path,
            node.span.as_ref(),
            Diagnostic::error(Code::InvalidValue, "", e.message())
                .with_allowed(e.allowed())
                .with_suggestion(e.suggestion()),
        );
    }

    /// The entries of a table, or an error if `node` is not one.
    pub fn fields<'n>(&mut self, node: &'n Node, path: &P) -> Option<Fields<'n>> {
        self.record(path, node);
        match &node.value {
            Value::Table(entries) => Some(Fields {
                entries,
                used: vec![false; entries.len()],
                asked: Vec::new(),
                path: path.clone(),
                span: node.span.clone(),
            }),
            _ => {
                self.wrong_type(path, node, "a table");
                None
            }
        }
    }

    /// Reports the keys of `f` that were never asked for.
    pub fn finish(&mut self, f: Fields<'_>) {
        for (i, (key, _)) in f.entries.iter().enumerate() {
            if f.used[i] || key.name == "$schema" && f.path.loc.is_empty() {
                continue;
            }
            if self.diagnostics.len() >= MAX_DIAGNOSTICS {
                // Only counted: no suggestion to look for.
                self.omitted.count(Severity::Error);
                continue;
            }
            let suggestion = closest(&key.name, f.asked.iter().copied());
            let path = f.path.key(&key.name);
            self.error(
                &path,
                key.span.as_ref(),
                Diagnostic::error(Code::UnknownKey, "", format!("unknown key {:?}", key.name))
                    .with_allowed(f.asked.join(", "))
                    .with_suggestion(suggestion),
            );
        }
    }

    /// An optional key: `None` when absent or invalid (then an error is recorded).
    pub fn opt<T: Decode>(&mut self, f: &mut Fields<'_>, key: &'static str) -> Option<T> {
        let node = f.get(key)?;
        let path = f.path.key(key);
        self.record(&path, node);
        T::decode(self, node, &path)
    }

    /// A required key: an error when absent.
    pub fn req<T: Decode>(&mut self, f: &mut Fields<'_>, key: &'static str) -> Option<T> {
        if f.entries.iter().any(|(k, _)| k.name == key) {
            return self.opt(f, key);
        }
        f.asked.push(key);
        let path = f.path.key(key);
        let span = f.span.clone().map(|s| s.start..s.start);
        self.error(
            &path,
            span.as_ref(),
            Diagnostic::error(Code::MissingKey, "", format!("missing key {key:?}")).with_allowed(T::expected()),
        );
        None
    }

    /// Overwrites `target` with the key's value when it is present and valid.
    pub fn set<T: Decode>(&mut self, f: &mut Fields<'_>, key: &'static str, target: &mut T) {
        if let Some(v) = self.opt(f, key) {
            *target = v;
        }
    }

    fn text<'n>(&mut self, node: &'n Node, path: &P, expected: &str) -> Option<&'n str> {
        match &node.value {
            Value::Str(s) => Some(s),
            _ => {
                self.wrong_type(path, node, expected);
                None
            }
        }
    }

    fn parse<T: FromStr<Err = ValueError>>(&mut self, node: &Node, path: &P, expected: &str) -> Option<T> {
        let s = self.text(node, path, expected)?;
        match s.parse() {
            Ok(v) => Some(v),
            Err(e) => {
                self.value_error(path, node, &e);
                None
            }
        }
    }

    fn integer(&mut self, node: &Node, path: &P, expected: &str) -> Option<i128> {
        match node.value {
            Value::Int(n) => Some(n),
            _ => {
                self.wrong_type(path, node, expected);
                None
            }
        }
    }
}

macro_rules! decode_by_parse {
    ($($t:ty),* $(,)?) => {$(
        impl Decode for $t {
            fn expected() -> &'static str {
                <$t>::ALLOWED
            }
            fn decode(d: &mut Decoder<'_>, node: &Node, path: &P) -> Option<Self> {
                d.parse(node, path, <$t>::ALLOWED)
            }
        }
    )*};
}

decode_by_parse!(
    HostName,
    ClusterName,
    DomainName,
    InterfaceName,
    KernelModule,
    KubeletFlag,
    ProxyFlag,
    DiskDevice,
    EnvVarName,
    AbsolutePath,
    Locale,
    StateVersion,
    FlakeUrl,
    GitRev,
    NarHash,
    GoDuration,
    PackageAttr,
    ImageName,
    ImageDigest,
    ImageTag,
    NixHash,
    UserName,
    GroupName,
    SshPublicKey,
    SshAddress,
    PasswordHash,
    LabelKey,
    LabelValue,
    System,
    Hardware,
    Role,
    EmailAddress,
    ChartVersion,
    StorageClassName,
    AcmeServer,
    AcmeChallenge,
    DnsProvider,
    PromDuration,
    VolumeSize,
    HttpUrl,
    BucketName,
    Region,
    TimeOfDay,
);

impl Decode for ApiToken {
    fn expected() -> &'static str {
        "a reference { env = \"NAME\" } or { file = \"/path\" }"
    }
    fn decode(d: &mut Decoder<'_>, node: &Node, path: &P) -> Option<Self> {
        d.text(node, path, Self::expected()).map(ApiToken::new)
    }
}

impl Decode for TimeZone {
    fn expected() -> &'static str {
        TimeZone::ALLOWED
    }
    fn decode(d: &mut Decoder<'_>, node: &Node, path: &P) -> Option<Self> {
        let s = d.text(node, path, TimeZone::ALLOWED)?;
        match TimeZone::new(s) {
            Ok(zone) => Some(zone),
            Err(e) => {
                d.error(
                    path,
                    node.span.as_ref(),
                    Diagnostic::error(Code::InvalidValue, "", e.message())
                        .with_allowed(e.allowed())
                        .with_suggestion(closest(s, TimeZone::known())),
                );
                None
            }
        }
    }
}

impl Decode for Code {
    fn expected() -> &'static str {
        "the name of a warning"
    }
    fn decode(d: &mut Decoder<'_>, node: &Node, path: &P) -> Option<Self> {
        let s = d.text(node, path, "the name of a warning")?;
        if let Some(code) = Code::warning_named(s) {
            return Some(code);
        }
        let names: Vec<String> = Code::WARNINGS.iter().map(|c| c.name()).collect();
        let suggestion = closest(s, names.iter().map(String::as_str)).map(str::to_owned);
        d.error(
            path,
            node.span.as_ref(),
            Diagnostic::error(Code::UnknownWarning, "", format!("{s:?} is not the name of a warning"))
                .with_allowed(Code::warning_names())
                .with_suggestion(suggestion),
        );
        None
    }
}

macro_rules! decode_port {
    ($($t:ty),*) => {$(
        impl Decode for $t {
            fn expected() -> &'static str {
                <$t>::ALLOWED
            }
            fn decode(d: &mut Decoder<'_>, node: &Node, path: &P) -> Option<Self> {
                let n = d.integer(node, path, <$t>::ALLOWED)?;
                match <$t>::from_i128(n) {
                    Ok(v) => Some(v),
                    Err(e) => {
                        d.value_error(path, node, &e);
                        None
                    }
                }
            }
        }
    )*};
}

decode_port!(Port, NodePort);

macro_rules! decode_uint {
    ($($t:ty: $allowed:literal),*) => {$(
        impl Decode for $t {
            fn expected() -> &'static str {
                $allowed
            }
            fn decode(d: &mut Decoder<'_>, node: &Node, path: &P) -> Option<Self> {
                let n = d.integer(node, path, $allowed)?;
                match <$t>::try_from(n) {
                    Ok(v) => Some(v),
                    Err(_) => {
                        d.value_error(path, node, &ValueError::OutOfRange { kind: "number", value: n, allowed: $allowed });
                        None
                    }
                }
            }
        }
    )*};
}

decode_uint!(u32: "an integer from 0 to 4294967295", u64: "an integer from 0 to 18446744073709551615");

impl Decode for SplitDnsNetwork {
    fn expected() -> &'static str {
        SplitDnsNetwork::ALLOWED
    }
    fn decode(d: &mut Decoder<'_>, node: &Node, path: &P) -> Option<Self> {
        match d.text(node, path, SplitDnsNetwork::ALLOWED)? {
            "tailnet" => Some(SplitDnsNetwork::Tailnet),
            "lan" => Some(SplitDnsNetwork::Lan),
            other => {
                let suggestion = closest(other, ["tailnet", "lan"]);
                d.error(
                    path,
                    node.span.as_ref(),
                    Diagnostic::error(Code::InvalidValue, "", format!("unknown split-DNS network {other:?}"))
                        .with_allowed(SplitDnsNetwork::ALLOWED)
                        .with_suggestion(suggestion),
                );
                None
            }
        }
    }
}

impl Decode for bool {
    fn expected() -> &'static str {
        "true or false"
    }
    fn decode(d: &mut Decoder<'_>, node: &Node, path: &P) -> Option<Self> {
        match node.value {
            Value::Bool(b) => Some(b),
            _ => {
                d.wrong_type(path, node, "true or false");
                None
            }
        }
    }
}

const IPV4_ALLOWED: &str = "an IPv4 address such as 192.168.10.10";
const CIDR_ALLOWED: &str = "an IPv4 network such as 192.168.10.0/24 (address with host bits zero, '/', prefix length)";

impl Decode for Ipv4Addr {
    fn expected() -> &'static str {
        IPV4_ALLOWED
    }
    fn decode(d: &mut Decoder<'_>, node: &Node, path: &P) -> Option<Self> {
        let s = d.text(node, path, IPV4_ALLOWED)?;
        match s.parse() {
            Ok(a) => Some(a),
            Err(_) => {
                let e = ValueError::Invalid {
                    kind: "IPv4 address",
                    value: s.to_owned(),
                    reason: "it is not four numbers 0-255 separated by '.'".into(),
                    allowed: IPV4_ALLOWED,
                };
                d.value_error(path, node, &e);
                None
            }
        }
    }
}

impl Decode for Ipv4Net {
    fn expected() -> &'static str {
        CIDR_ALLOWED
    }
    fn decode(d: &mut Decoder<'_>, node: &Node, path: &P) -> Option<Self> {
        let s = d.text(node, path, CIDR_ALLOWED)?;
        let invalid =
            |reason: String| ValueError::Invalid { kind: "CIDR", value: s.to_owned(), reason, allowed: CIDR_ALLOWED };
        match s.parse::<Ipv4Net>() {
            Ok(net) if net.addr() == net.network() => Some(net),
            Ok(net) => {
                let mut e = Diagnostic::error(Code::InvalidValue, "", invalid("it has host bits set".into()).message())
                    .with_allowed(CIDR_ALLOWED);
                e.suggestion = Some(net.trunc().to_string());
                d.error(path, node.span.as_ref(), e);
                None
            }
            Err(_) => {
                let reason = if s.parse::<Ipv4Addr>().is_ok() {
                    "it has no /prefix-length".to_owned()
                } else {
                    "it is not an IPv4 address, '/' and a prefix length 0-32".to_owned()
                };
                d.value_error(path, node, &invalid(reason));
                None
            }
        }
    }
}

impl<T: Decode> Decode for Vec<T> {
    fn expected() -> &'static str {
        "an array"
    }
    fn decode(d: &mut Decoder<'_>, node: &Node, path: &P) -> Option<Self> {
        let Value::Array(items) = &node.value else {
            d.wrong_type(path, node, "an array");
            return None;
        };
        let mut out = Vec::with_capacity(items.len());
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            let p = path.index(i);
            d.record(&p, item);
            match T::decode(d, item, &p) {
                Some(v) => out.push(v),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }
}

const SECRET_ALLOWED: &str =
    "a literal value, { env = \"NAME\" } (read at evaluation time) or { file = \"/absolute/path\" } (read at run time)";

impl<T: Decode> Decode for Secret<T> {
    fn expected() -> &'static str {
        SECRET_ALLOWED
    }
    fn decode(d: &mut Decoder<'_>, node: &Node, path: &P) -> Option<Self> {
        let Value::Table(entries) = &node.value else {
            return T::decode(d, node, path).map(Secret::Literal);
        };
        let reference_error =
            |d: &mut Decoder<'_>, span: Option<&Range<usize>>, message: String, suggestion: Option<&str>| {
                d.error(
                    path,
                    span,
                    Diagnostic::error(Code::SecretReference, "", message)
                        .with_allowed(SECRET_ALLOWED)
                        .with_suggestion(suggestion),
                );
            };
        match entries.as_slice() {
            [(key, value)] if key.name == "env" || key.name == "file" => {
                let p = path.key(&key.name);
                let parsed = if key.name == "env" {
                    EnvVarName::new(d.text(value, &p, EnvVarName::ALLOWED)?).map(Secret::Env)
                } else {
                    AbsolutePath::new(d.text(value, &p, AbsolutePath::ALLOWED)?).map(Secret::File)
                };
                parsed
                    .map_err(|e| {
                        let message = format!("malformed secret reference: {}", e.message());
                        reference_error(d, value.span.as_ref(), message, None);
                    })
                    .ok()
            }
            [(key, _)] => {
                let suggestion = closest(&key.name, ["env", "file"]);
                reference_error(
                    d,
                    key.span.as_ref(),
                    format!("malformed secret reference: unknown key {:?}", key.name),
                    suggestion,
                );
                None
            }
            [] => {
                reference_error(d, node.span.as_ref(), "malformed secret reference: the table is empty".into(), None);
                None
            }
            _ => {
                let keys: Vec<&str> = entries.iter().map(|(k, _)| k.name.as_str()).collect();
                reference_error(
                    d,
                    node.span.as_ref(),
                    format!(
                        "malformed secret reference: it has {} keys ({}), but needs exactly one, env or file",
                        keys.len(),
                        keys.join(", ")
                    ),
                    None,
                );
                None
            }
        }
    }
}

impl Decode for BTreeMap<LabelKey, LabelValue> {
    fn expected() -> &'static str {
        "a table of label keys to string values"
    }
    fn decode(d: &mut Decoder<'_>, node: &Node, path: &P) -> Option<Self> {
        let Value::Table(entries) = &node.value else {
            d.wrong_type(path, node, Self::expected());
            return None;
        };
        let mut out = BTreeMap::new();
        let mut ok = true;
        for (key, value) in entries {
            let p = path.key(&key.name);
            let k = match LabelKey::new(key.name.as_str()) {
                Ok(k) => Some(k),
                Err(e) => {
                    d.error(
                        &p,
                        key.span.as_ref(),
                        Diagnostic::error(Code::InvalidValue, "", e.message()).with_allowed(e.allowed()),
                    );
                    None
                }
            };
            let v = LabelValue::decode(d, value, &p);
            match (k, v) {
                (Some(k), Some(v)) => {
                    out.insert(k, v);
                }
                _ => ok = false,
            }
        }
        ok.then_some(out)
    }
}

impl Decode for Roles {
    fn expected() -> &'static str {
        "an array of roles: control-plane, worker"
    }
    fn decode(d: &mut Decoder<'_>, node: &Node, path: &P) -> Option<Self> {
        let list: Vec<Role> = Vec::decode(d, node, path)?;
        let mut roles = Roles::NONE;
        for (i, role) in list.into_iter().enumerate() {
            if roles.has(role) {
                let p = path.index(i);
                let span = match &node.value {
                    Value::Array(items) => items[i].span.clone(),
                    _ => None,
                };
                d.error(
                    &p,
                    span.as_ref(),
                    Diagnostic::error(Code::DuplicateEntry, "", format!("role {role} is listed twice"))
                        .with_allowed("each role once"),
                );
                return None;
            }
            roles.insert(role);
        }
        Some(roles)
    }
}

/// Decodes a struct-like table with a function.
macro_rules! table_decode {
    ($t:ty, $expected:literal, $f:ident) => {
        impl Decode for $t {
            fn expected() -> &'static str {
                $expected
            }
            fn decode(d: &mut Decoder<'_>, node: &Node, path: &P) -> Option<Self> {
                let mut f = d.fields(node, path)?;
                let v = $f(d, &mut f);
                d.finish(f);
                v
            }
        }
    };
}

fn nixpkgs(d: &mut Decoder<'_>, f: &mut Fields<'_>) -> Option<NixpkgsPin> {
    let url = d.opt(f, "url");
    let rev = d.opt(f, "rev");
    let nar_hash = d.opt(f, "nar-hash");
    let last_modified = d.opt(f, "last-modified");
    let default = NixpkgsPin::default();
    Some(NixpkgsPin { url: url.unwrap_or(default.url), rev, nar_hash, last_modified })
}
table_decode!(NixpkgsPin, "a table with url, rev, nar-hash, last-modified", nixpkgs);

fn network(d: &mut Decoder<'_>, f: &mut Fields<'_>) -> Option<Network> {
    let lan = d.req(f, "lan");
    let gateway = d.req(f, "gateway");
    let nameservers: Option<Vec<Ipv4Addr>> = d.opt(f, "nameservers");
    let mut n = Network::new(lan?, gateway?);
    if let Some(ns) = nameservers {
        n.nameservers = ns;
    }
    Some(n)
}
table_decode!(Network, "a table with lan, gateway and nameservers", network);

fn user(d: &mut Decoder<'_>, f: &mut Fields<'_>) -> Option<User> {
    let name = d.req(f, "name");
    let mut user = User::new(name.clone().unwrap_or_else(|| UserName::new("_").expect("valid")));
    user.hashed_password = d.opt(f, "hashed-password");
    d.set(f, "authorized-keys", &mut user.authorized_keys);
    d.set(f, "extra-groups", &mut user.extra_groups);
    name.map(|_| user)
}
table_decode!(User, "a table with name, hashed-password, authorized-keys, extra-groups", user);

fn coredns_image(d: &mut Decoder<'_>, f: &mut Fields<'_>) -> Option<CorednsImage> {
    let image_name = d.req(f, "image-name");
    let image_digest = d.req(f, "image-digest");
    let final_image_tag = d.req(f, "final-image-tag");
    let sha256 = d.req(f, "sha256");
    Some(CorednsImage::new(image_name?, image_digest?, final_image_tag?, sha256?))
}
table_decode!(CorednsImage, "a table with image-name, image-digest, final-image-tag, sha256", coredns_image);

fn role_flags<F: Decode + Clone>(d: &mut Decoder<'_>, f: &mut Fields<'_>, default: &RoleFlags<F>) -> RoleFlags<F> {
    let mut flags = default.clone();
    d.set(f, "control-plane", &mut flags.control_plane);
    d.set(f, "worker", &mut flags.worker);
    flags
}

impl Decode for Flavour {
    fn expected() -> &'static str {
        Flavour::ALLOWED
    }
    fn decode(d: &mut Decoder<'_>, node: &Node, path: &P) -> Option<Self> {
        match d.text(node, path, Flavour::ALLOWED)? {
            "nixpkgs" => Some(Flavour::Nixpkgs),
            "k3s" => Some(Flavour::K3s),
            other => {
                let suggestion = closest(other, ["nixpkgs", "k3s"]);
                d.error(
                    path,
                    node.span.as_ref(),
                    Diagnostic::error(Code::InvalidValue, "", format!("unknown Kubernetes flavour {other:?}"))
                        .with_allowed(Flavour::ALLOWED)
                        .with_suggestion(suggestion),
                );
                None
            }
        }
    }
}

fn k3s_settings(d: &mut Decoder<'_>, f: &mut Fields<'_>) -> Option<K3s> {
    if let Some((key, _)) = f.take("token") {
        // The value is never shown: it is the cluster's secret.
        d.error(
            &f.path.key("token"),
            key.span.as_ref(),
            Diagnostic::error(
                Code::SecretReference,
                "",
                "the k3s token is written into the inventory (not shown here): it would be committed to git and copied world-readable into the Nix store",
            )
            .with_allowed("token-file = \"/absolute/path\": a file on every host holding the token (mode 600; sops-nix, agenix or by hand, see docs/bootstrap.md)"),
        );
    }
    let token_file = d.req(f, "token-file");
    token_file.map(K3s::new)
}
table_decode!(K3s, "a table with token-file = \"/absolute/path\"", k3s_settings);

/// The `[kubernetes]` keys only the nixpkgs flavour reads, and why k3s has no use for them.
const NIXPKGS_ONLY: [(&str, &str); 4] = [
    ("easy-certs", "k3s makes and renews its own certificates"),
    ("flannel-ip-masq", "k3s runs flannel inside its own service, with its own settings"),
    ("containerd-timeout-start-sec", "k3s runs containerd inside its own service"),
    ("certmgr-renew-interval", "k3s has no certmgr; it renews its certificates itself"),
];

/// Reports a key the chosen flavour does not read.
fn not_for_flavour(d: &mut Decoder<'_>, path: &P, node: &Node, key: &str, flavour: Flavour, why: &str) {
    let (other, allowed) = match flavour {
        Flavour::K3s => ("nixpkgs", format!("leave {key} out under flavour = \"k3s\", or flavour = \"nixpkgs\"")),
        _ => ("k3s", "flavour = \"k3s\" with [kubernetes.k3s], or no [kubernetes.k3s]".to_owned()),
    };
    d.error(
        path,
        node.span.as_ref(),
        Diagnostic::error(
            Code::ConflictingKeys,
            "",
            format!("{key} applies only to flavour = \"{other}\", and this cluster's is \"{flavour}\": {why}"),
        )
        .with_allowed(allowed),
    );
}

fn kubernetes(d: &mut Decoder<'_>, f: &mut Fields<'_>) -> Option<Kubernetes> {
    let flavour: Flavour = d.opt(f, "flavour").unwrap_or_default();
    let mut k = if flavour == Flavour::K3s {
        let settings = d.req(f, "k3s");
        Kubernetes::of_flavour(flavour, settings)
    } else {
        if let Some(node) = f.get("k3s") {
            not_for_flavour(d, &f.path.key("k3s"), node, "[kubernetes.k3s]", flavour, "it configures services.k3s");
        }
        Kubernetes::default()
    };
    if let Some(node) = f.get("api") {
        let path = f.path.key("api");
        if let Some(mut g) = d.fields(node, &path) {
            d.set(&mut g, "host-name", &mut k.api.host_name);
            d.set(&mut g, "port", &mut k.api.port);
            d.set(&mut g, "allow-privileged", &mut k.api.allow_privileged);
            d.finish(g);
        }
    }
    d.set(f, "pod-cidr", &mut k.pod_cidr);
    d.set(f, "service-cidr", &mut k.service_cidr);
    if let Some(node) = f.get("dns") {
        let path = f.path.key("dns");
        if let Some(mut g) = d.fields(node, &path) {
            d.set(&mut g, "enable", &mut k.dns.enable);
            if flavour == Flavour::K3s {
                if let Some(node) = g.get("coredns-image") {
                    let why = "k3s deploys CoreDNS from a multi-architecture image itself";
                    not_for_flavour(d, &path.key("coredns-image"), node, "dns.coredns-image", flavour, why);
                }
            } else {
                k.dns.coredns_image = d.opt(&mut g, "coredns-image");
            }
            d.finish(g);
        }
    }
    for (key, is_kubelet) in [("kubelet-flags", true), ("proxy-flags", false)] {
        if let Some(node) = f.get(key) {
            let path = f.path.key(key);
            if let Some(mut g) = d.fields(node, &path) {
                if is_kubelet {
                    k.kubelet_flags = role_flags(d, &mut g, &k.kubelet_flags);
                } else {
                    k.proxy_flags = role_flags(d, &mut g, &k.proxy_flags);
                }
                d.finish(g);
            }
        }
    }
    if flavour == Flavour::K3s {
        for (key, why) in NIXPKGS_ONLY {
            if let Some(node) = f.get(key) {
                not_for_flavour(d, &f.path.key(key), node, key, flavour, why);
            }
        }
    } else {
        d.set(f, "easy-certs", &mut k.easy_certs);
        d.set(f, "flannel-ip-masq", &mut k.flannel_ip_masq);
        d.set(f, "containerd-timeout-start-sec", &mut k.containerd_timeout_start_sec);
        d.set(f, "certmgr-renew-interval", &mut k.certmgr_renew_interval);
    }
    d.set(f, "admin-packages", &mut k.admin_packages);
    Some(k)
}
table_decode!(Kubernetes, "a table of Kubernetes settings", kubernetes);

fn firewall(d: &mut Decoder<'_>, f: &mut Fields<'_>) -> Option<Firewall> {
    let mode_node = f.get("mode");
    let cidrs_present = f.entries.iter().any(|(k, _)| k.name == "trusted-cidrs");
    let trusted = match mode_node {
        None => cidrs_present,
        Some(node) => {
            let path = f.path.key("mode");
            match d.text(node, &path, FirewallMode::ALLOWED) {
                Some("trusted-cidrs") => true,
                Some("least-privilege") => false,
                Some(other) => {
                    let suggestion = closest(other, ["trusted-cidrs", "least-privilege"]);
                    d.error(
                        &path,
                        node.span.as_ref(),
                        Diagnostic::error(Code::InvalidValue, "", format!("unknown firewall mode {other:?}"))
                            .with_allowed(FirewallMode::ALLOWED)
                            .with_suggestion(suggestion),
                    );
                    cidrs_present
                }
                None => cidrs_present,
            }
        }
    };
    let mode = if trusted {
        let cidrs = if cidrs_present { d.opt(f, "trusted-cidrs") } else { d.req(f, "trusted-cidrs") };
        FirewallMode::TrustedCidrs { cidrs: cidrs.unwrap_or_default() }
    } else {
        if let Some(node) = f.get("trusted-cidrs") {
            let path = f.path.key("trusted-cidrs");
            d.error(
                &path,
                node.span.as_ref(),
                Diagnostic::error(Code::ConflictingKeys, "", "trusted-cidrs only applies to mode = \"trusted-cidrs\"")
                    .with_allowed("mode = \"trusted-cidrs\" with trusted-cidrs, or mode = \"least-privilege\" without"),
            );
        }
        FirewallMode::LeastPrivilege
    };
    let mut fw = Firewall::new(mode);
    d.set(f, "trusted-interfaces", &mut fw.trusted_interfaces);
    Some(fw)
}
table_decode!(Firewall, "a table with mode, trusted-cidrs, trusted-interfaces", firewall);

fn tailscale(d: &mut Decoder<'_>, f: &mut Fields<'_>) -> Option<Tailscale> {
    let mut t = Tailscale::default();
    d.set(f, "enable", &mut t.enable);
    d.set(f, "open-firewall", &mut t.open_firewall);
    d.set(f, "interface", &mut t.interface);
    d.set(f, "trust-interface", &mut t.trust_interface);
    t.auth_key_file = d.opt(f, "auth-key-file");
    Some(t)
}
table_decode!(Tailscale, "a table with enable, open-firewall, interface, trust-interface, auth-key-file", tailscale);

fn ingress(d: &mut Decoder<'_>, f: &mut Fields<'_>) -> Option<Ingress> {
    let host = d.req(f, "host");
    let mut ingress = Ingress::new(host.clone().unwrap_or_else(|| HostName::new("x").expect("valid")));
    if let Some(node) = f.get("node-ports") {
        let path = f.path.key("node-ports");
        if let Some(mut g) = d.fields(node, &path) {
            d.set(&mut g, "http", &mut ingress.node_ports.http);
            d.set(&mut g, "https", &mut ingress.node_ports.https);
            d.finish(g);
        }
    }
    if let Some(node) = f.get("listen-ports") {
        let path = f.path.key("listen-ports");
        if let Some(mut g) = d.fields(node, &path) {
            d.set(&mut g, "http", &mut ingress.listen_ports.http);
            d.set(&mut g, "https", &mut ingress.listen_ports.https);
            d.finish(g);
        }
    }
    d.set(f, "node-selector", &mut ingress.node_selector);
    d.set(f, "dashboard", &mut ingress.dashboard);
    host.map(|_| ingress)
}
table_decode!(Ingress, "a table with host, node-ports, listen-ports, node-selector, dashboard", ingress);

fn ceph_osd(d: &mut Decoder<'_>, f: &mut Fields<'_>) -> Option<CephOsd> {
    let host = d.req(f, "host");
    let device = d.req(f, "device");
    Some(CephOsd::new(host?, device?))
}
table_decode!(CephOsd, "a table with host and device (/dev/disk/by-id/…)", ceph_osd);

fn ceph(d: &mut Decoder<'_>, f: &mut Fields<'_>) -> Option<Ceph> {
    let mut c = Ceph::default();
    d.set(f, "containerd-limit-nofile", &mut c.containerd_limit_nofile);
    d.set(f, "kubelet-root-dir", &mut c.kubelet_root_dir);
    d.set(f, "kernel-modules", &mut c.kernel_modules);
    d.set(f, "osds", &mut c.osds);
    Some(c)
}
table_decode!(Ceph, "a table with containerd-limit-nofile, kubelet-root-dir, kernel-modules, osds", ceph);

fn tls(d: &mut Decoder<'_>, f: &mut Fields<'_>) -> Option<Tls> {
    let acme_email = d.req(f, "acme-email");
    let acme_server = d.opt(f, "acme-server");
    let challenge = d.opt(f, "challenge");
    let dns_provider = d.req(f, "dns-provider");
    let dns_api_token = d.req(f, "dns-api-token");
    let mut tls = Tls::new(acme_email?, dns_provider?, dns_api_token?);
    if let Some(server) = acme_server {
        tls.acme_server = server;
    }
    if let Some(challenge) = challenge {
        tls.challenge = challenge;
    }
    Some(tls)
}
table_decode!(Tls, "a table with acme-email, acme-server, challenge, dns-provider, dns-api-token", tls);

fn storage(d: &mut Decoder<'_>, f: &mut Fields<'_>) -> Option<Storage> {
    let mut s = Storage::default();
    d.set(f, "mon-hosts", &mut s.mon_hosts);
    s.mon_count = d.opt(f, "mon-count");
    s.replication = d.opt(f, "replication");
    d.set(f, "default-storage-class", &mut s.default_storage_class);
    d.set(f, "cephfs", &mut s.cephfs);
    d.set(f, "cephfs-storage-class", &mut s.cephfs_storage_class);
    Some(s)
}
table_decode!(
    Storage,
    "a table with mon-hosts, mon-count, replication, default-storage-class, cephfs, cephfs-storage-class",
    storage
);

fn charts(d: &mut Decoder<'_>, f: &mut Fields<'_>) -> Option<Charts> {
    let mut c = Charts::default();
    d.set(f, "traefik", &mut c.traefik);
    d.set(f, "cert-manager", &mut c.cert_manager);
    d.set(f, "rook-ceph", &mut c.rook_ceph);
    d.set(f, "ceph-csi-drivers", &mut c.ceph_csi_drivers);
    d.set(f, "kube-prometheus-stack", &mut c.kube_prometheus_stack);
    d.set(f, "loki", &mut c.loki);
    d.set(f, "vector", &mut c.vector);
    d.set(f, "velero", &mut c.velero);
    d.set(f, "velero-plugin-for-aws", &mut c.velero_plugin_for_aws);
    d.set(f, "vaultwarden", &mut c.vaultwarden);
    d.set(f, "nextcloud", &mut c.nextcloud);
    Some(c)
}
table_decode!(
    Charts,
    "a table of chart versions: traefik, cert-manager, rook-ceph, ceph-csi-drivers, kube-prometheus-stack, loki, vector, velero, velero-plugin-for-aws, vaultwarden, nextcloud",
    charts
);

fn monitoring(d: &mut Decoder<'_>, f: &mut Fields<'_>) -> Option<Monitoring> {
    let storage_class = d.opt(f, "storage-class");
    let metrics_retention = d.opt(f, "metrics-retention");
    let metrics_volume_size = d.opt(f, "metrics-volume-size");
    let alerts_volume_size = d.opt(f, "alerts-volume-size");
    let log_retention = d.opt(f, "log-retention");
    let log_volume_size = d.opt(f, "log-volume-size");
    let journald = d.opt(f, "journald");
    let grafana_host = d.opt(f, "grafana-host");
    let grafana_volume_size = d.opt(f, "grafana-volume-size");
    let mut m = Monitoring::new(d.req(f, "grafana-admin-password")?);
    m.storage_class = storage_class;
    m.grafana_host = grafana_host;
    if let Some(v) = metrics_retention {
        m.metrics_retention = v;
    }
    if let Some(v) = metrics_volume_size {
        m.metrics_volume_size = v;
    }
    if let Some(v) = alerts_volume_size {
        m.alerts_volume_size = v;
    }
    if let Some(v) = log_retention {
        m.log_retention = v;
    }
    if let Some(v) = log_volume_size {
        m.log_volume_size = v;
    }
    if let Some(v) = journald {
        m.journald = v;
    }
    if let Some(v) = grafana_volume_size {
        m.grafana_volume_size = v;
    }
    Some(m)
}
table_decode!(
    Monitoring,
    "a table with storage-class, metrics-retention, metrics-volume-size, alerts-volume-size, log-retention, log-volume-size, journald, grafana-host, grafana-volume-size, grafana-admin-password",
    monitoring
);

fn backup(d: &mut Decoder<'_>, f: &mut Fields<'_>) -> Option<Backup> {
    let endpoint = d.req(f, "endpoint");
    let bucket = d.req(f, "bucket");
    let region = d.opt(f, "region");
    let path_style = d.opt(f, "path-style");
    let access_key_id = d.req(f, "access-key-id");
    let secret_access_key = d.req(f, "secret-access-key");
    let daily_at = d.opt(f, "daily-at");
    let retention = d.opt(f, "retention");
    let file_system_backup = d.opt(f, "file-system-backup");
    let mut b = Backup::new(endpoint?, bucket?, access_key_id?, secret_access_key?);
    if let Some(v) = region {
        b.region = v;
    }
    if let Some(v) = path_style {
        b.path_style = v;
    }
    if let Some(v) = daily_at {
        b.daily_at = v;
    }
    if let Some(v) = retention {
        b.retention = v;
    }
    if let Some(v) = file_system_backup {
        b.file_system_backup = v;
    }
    Some(b)
}
table_decode!(
    Backup,
    "a table with endpoint, bucket, region, path-style, access-key-id, secret-access-key, daily-at, retention, file-system-backup",
    backup
);

fn vaultwarden(d: &mut Decoder<'_>, f: &mut Fields<'_>) -> Option<Vaultwarden> {
    let mut v = Vaultwarden { host: d.opt(f, "host"), storage_class: d.opt(f, "storage-class"), ..Default::default() };
    d.set(f, "volume-size", &mut v.volume_size);
    d.set(f, "signups-allowed", &mut v.signups_allowed);
    v.admin_token = d.opt(f, "admin-token");
    Some(v)
}
table_decode!(Vaultwarden, "a table with host, storage-class, volume-size, signups-allowed, admin-token", vaultwarden);

fn nextcloud(d: &mut Decoder<'_>, f: &mut Fields<'_>) -> Option<Nextcloud> {
    let host = d.opt(f, "host");
    let storage_class = d.opt(f, "storage-class");
    let volume_size = d.opt(f, "volume-size");
    let database_volume_size = d.opt(f, "database-volume-size");
    let admin_user = d.opt(f, "admin-user");
    let admin_password = d.req(f, "admin-password");
    let database_password = d.req(f, "database-password");
    let mut n = Nextcloud::new(admin_password?, database_password?);
    n.host = host;
    n.storage_class = storage_class;
    if let Some(v) = volume_size {
        n.volume_size = v;
    }
    if let Some(v) = database_volume_size {
        n.database_volume_size = v;
    }
    if let Some(v) = admin_user {
        n.admin_user = v;
    }
    Some(n)
}
table_decode!(
    Nextcloud,
    "a table with host, storage-class, volume-size, database-volume-size, admin-user, admin-password, database-password",
    nextcloud
);

fn apps(d: &mut Decoder<'_>, f: &mut Fields<'_>) -> Option<Apps> {
    Some(Apps { vaultwarden: d.opt(f, "vaultwarden"), nextcloud: d.opt(f, "nextcloud") })
}
table_decode!(Apps, "a table with vaultwarden, nextcloud", apps);

fn deploy(d: &mut Decoder<'_>, f: &mut Fields<'_>) -> Option<Deploy> {
    let mut deploy = Deploy::default();
    d.set(f, "local-systems", &mut deploy.local_systems);
    d.set(f, "deploy-rs", &mut deploy.deploy_rs);
    Some(deploy)
}
table_decode!(Deploy, "a table with local-systems, deploy-rs", deploy);

fn host_deploy(d: &mut Decoder<'_>, f: &mut Fields<'_>) -> Option<HostDeploy> {
    Some(HostDeploy {
        address: d.opt(f, "address"),
        user: d.opt(f, "user"),
        build_on_target: d.opt(f, "build-on-target"),
    })
}
table_decode!(HostDeploy, "a table with address, user, build-on-target", host_deploy);

/// Decodes one host. `folder` is the host file's folder name, which the host's name must equal.
///
/// Returns the host's name when it decoded, and the host when every required key did.
pub(crate) fn host(
    d: &mut Decoder<'_>,
    node: &Node,
    path: P,
    folder: Option<&str>,
) -> (Option<HostName>, Option<Host>) {
    let Some(mut f) = d.fields(node, &path) else {
        return (folder.and_then(|n| HostName::new(n).ok()), None);
    };
    let name: Option<HostName> = match folder {
        None => d.req(&mut f, "name"),
        Some(folder_name) => {
            let given: Option<HostName> = d.opt(&mut f, "name");
            match given {
                Some(n) if n.as_str() != folder_name => {
                    let p = f.path.key("name");
                    let span = f.entries.iter().find(|(k, _)| k.name == "name").and_then(|(_, v)| v.span.clone());
                    d.error(
                        &p,
                        span.as_ref(),
                        Diagnostic::error(
                            Code::FileLayout,
                            "",
                            format!("name {:?} differs from the folder name {folder_name:?}", n.as_str()),
                        )
                        .with_allowed(format!("name = {folder_name:?}, or no name key (the folder names the host)")),
                    );
                    None
                }
                Some(n) => Some(n),
                None => match HostName::new(folder_name) {
                    Ok(n) => Some(n),
                    Err(e) => {
                        d.error(
                            &f.path,
                            None,
                            Diagnostic::error(Code::FileLayout, "", format!("folder name: {}", e.message()))
                                .with_allowed(e.allowed()),
                        );
                        None
                    }
                },
            }
        }
    };
    if let Some(n) = &name {
        f.path.display = format!("hosts.{n}");
    }
    let hardware: Option<Hardware> = d.req(&mut f, "hardware");
    let system: Option<System> = d.opt(&mut f, "system");
    let roles: Option<Roles> = d.opt(&mut f, "roles");
    let lan_interface = d.req(&mut f, "lan-interface");
    let lan_address: Option<Secret<Ipv4Addr>> = d.req(&mut f, "lan-address");
    let tailnet_address = d.opt(&mut f, "tailnet-address");
    let wake_on_lan = d.opt(&mut f, "wake-on-lan");
    let kernel_modules = d.opt(&mut f, "kernel-modules");
    let kubelet_flags = d.opt(&mut f, "kubelet-flags");
    let labels = d.opt(&mut f, "labels");
    let deploy = d.opt(&mut f, "deploy");
    let system_disk = d.opt(&mut f, "system-disk");
    d.finish(f);
    let (Some(name), Some(hardware), Some(lan_interface), Some(lan_address)) =
        (name.clone(), hardware, lan_interface, lan_address)
    else {
        return (name, None);
    };
    let mut host = Host::new(name.clone(), hardware, lan_interface, lan_address);
    host.system = system.unwrap_or(hardware.system());
    host.roles = roles.unwrap_or_default();
    host.tailnet_address = tailnet_address;
    host.wake_on_lan = wake_on_lan.unwrap_or(false);
    host.kernel_modules = kernel_modules.unwrap_or_default();
    host.kubelet_flags = kubelet_flags.unwrap_or_default();
    host.labels = labels.unwrap_or_default();
    host.deploy = deploy.unwrap_or_default();
    host.system_disk = system_disk;
    (Some(name), Some(host))
}

/// What decoding the main file gives: the cluster without hosts from files (when the required
/// cluster-wide keys decoded), and the inline host nodes still to decode.
pub(crate) struct Root<'n> {
    pub cluster: Option<Cluster>,
    pub inline_hosts: Vec<&'n Node>,
    pub split_dns: Option<(&'n Node, P)>,
}

/// Decodes the main file's top-level table, except `hosts` (decoded by the caller) and
/// `split-dns` (whose defaults depend on the ingress, decoded last by [`split_dns`]).
pub(crate) fn root<'n>(d: &mut Decoder<'_>, node: &'n Node) -> Root<'n> {
    let empty = Root { cluster: None, inline_hosts: Vec::new(), split_dns: None };
    let Some(mut f) = d.fields(node, &P::root()) else { return empty };
    let name = d.req(&mut f, "name");
    let domain = d.req(&mut f, "domain");
    let time_zone = d.opt(&mut f, "time-zone").unwrap_or_else(default_time_zone);
    let locale = d.opt(&mut f, "locale").unwrap_or_else(default_locale);
    let state_version = if f.entries.iter().any(|(k, _)| k.name == "state-version") {
        d.opt(&mut f, "state-version").unwrap_or_else(default_state_version)
    } else {
        f.asked.push("state-version");
        let span = f.span.clone().map(|s| s.start..s.start);
        let warning = Diagnostic::warning(
            Code::StateVersionDefault,
            "state-version",
            format!("state-version is not set, so system.stateVersion is {}", default_state_version()),
        )
        .with_allowed(
            "state-version = the NixOS release the hosts were first installed with (the pinned nixpkgs release for new machines); never change it afterwards",
        );
        let warning = d.locate(d.file, span.as_ref(), warning);
        d.warnings.push(warning);
        default_state_version()
    };
    let nixpkgs = d.opt(&mut f, "nixpkgs").unwrap_or_default();
    let network: Option<Network> = d.req(&mut f, "network");
    let mut inline_hosts = Vec::new();
    if let Some(hosts) = f.get("hosts") {
        let path = f.path.key("hosts");
        d.record(&path, hosts);
        match &hosts.value {
            Value::Array(items) => inline_hosts.extend(items.iter()),
            _ => d.wrong_type(&path, hosts, "an array of host tables ([[hosts]])"),
        }
    }
    let users = d.opt(&mut f, "users").unwrap_or_default();
    let kubernetes = d.opt(&mut f, "kubernetes").unwrap_or_default();
    let firewall = d.opt(&mut f, "firewall").unwrap_or_default();
    let tailscale = d.opt(&mut f, "tailscale").unwrap_or_default();
    let ingress = d.opt(&mut f, "ingress");
    let ceph = d.opt(&mut f, "ceph");
    let tls = d.opt(&mut f, "tls");
    let storage = d.opt(&mut f, "storage");
    let monitoring = d.opt(&mut f, "monitoring");
    let backup = d.opt(&mut f, "backup");
    let apps = d.opt(&mut f, "apps").unwrap_or_default();
    let charts = d.opt(&mut f, "charts").unwrap_or_default();
    let deploy = d.opt(&mut f, "deploy").unwrap_or_default();
    let split_dns = f.get("split-dns").map(|n| (n, f.path.key("split-dns")));
    let allow_warnings = d.opt(&mut f, "allow-warnings").unwrap_or_default();
    d.finish(f);
    let cluster = match (name, domain, network) {
        (Some(name), Some(domain), Some(network)) => Some(Cluster {
            name,
            domain,
            time_zone,
            locale,
            state_version,
            nixpkgs,
            network,
            hosts: Vec::new(),
            users,
            kubernetes,
            firewall,
            tailscale,
            split_dns: None,
            ingress,
            ceph,
            tls,
            storage,
            monitoring,
            backup,
            apps,
            charts,
            deploy,
            allow_warnings,
        }),
        _ => None,
    };
    Root { cluster, inline_hosts, split_dns }
}

/// Decodes `[split-dns]`; `zone` defaults to the cluster's domain and `answer-host` to the ingress host.
pub(crate) fn split_dns(
    d: &mut Decoder<'_>,
    node: &Node,
    path: &P,
    domain: Option<&DomainName>,
    ingress_host: Option<&HostName>,
    tailscale_on: bool,
) -> Option<SplitDns> {
    let mut f = d.fields(node, path)?;
    let zone = d.opt(&mut f, "zone").or_else(|| domain.cloned());
    let network =
        d.opt(&mut f, "network").unwrap_or(if tailscale_on { SplitDnsNetwork::Tailnet } else { SplitDnsNetwork::Lan });
    let server_host = d.req(&mut f, "server-host");
    let answer_given = f.entries.iter().any(|(k, _)| k.name == "answer-host");
    let answer_host = if answer_given {
        d.opt(&mut f, "answer-host")
    } else {
        f.asked.push("answer-host");
        if ingress_host.is_none() {
            let p = f.path.key("answer-host");
            let span = f.span.clone().map(|s| s.start..s.start);
            d.error(
                &p,
                span.as_ref(),
                Diagnostic::error(Code::MissingKey, "", "missing key \"answer-host\"")
                    .with_allowed("a host name (it defaults to ingress.host when [ingress] is set)"),
            );
        }
        ingress_host.cloned()
    };
    let upstreams = d.opt(&mut f, "upstreams");
    let ttl = d.opt(&mut f, "ttl");
    let cache_seconds = d.opt(&mut f, "cache-seconds");
    d.finish(f);
    let mut s = SplitDns::new(zone?, server_host?, answer_host?);
    s.network = network;
    if let Some(u) = upstreams {
        s.upstreams = u;
    }
    if let Some(t) = ttl {
        s.ttl = t;
    }
    if let Some(c) = cache_seconds {
        s.cache_seconds = c;
    }
    Some(s)
}
