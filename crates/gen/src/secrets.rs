//! `secrets.nix`: the values the inventory keeps out of the repository, read from the environment when
//! the flake is evaluated. Each is checked for what it must be (an IPv4 address, a password hash)
//! before it reaches a Corefile, `/etc/hosts` or `/etc/shadow`: evaluation fails naming the variable
//! and what is allowed, and never shows the value (`$(tailscale ip)` prints two lines, one of them
//! IPv6; a value with a line break would add Corefile blocks or hosts entries).

use std::collections::{BTreeMap, BTreeSet};

use homeflake_model::{Cluster, PasswordHash, Secret};
use homeflake_nix::make::{
    apply, attrs, binary, bind, bind_path, ident, if_then_else, interp, keys, lambda, let_in, quoted, select, string,
    text,
};
use homeflake_nix::{BinaryOp, Binding, Expr, Key};

/// What an environment variable must hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum EnvKind {
    /// One IPv4 address, as Rust's `Ipv4Addr` reads it (no leading zeros).
    Ipv4Address,
    /// A password hash as [`PasswordHash`] allows.
    PasswordHash,
}

/// An IPv4 address as a POSIX extended regular expression for `builtins.match` (whole string):
/// four numbers 0–255 without leading zeros, as Rust's `Ipv4Addr` parses them.
pub const IPV4_NIX_PATTERN: &str =
    concat!("(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])", "(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");

impl EnvKind {
    /// The name of the checking function in `secrets.nix`.
    fn function(self) -> &'static str {
        match self {
            EnvKind::Ipv4Address => "ipv4Address",
            EnvKind::PasswordHash => "passwordHash",
        }
    }

    /// What the value must be, for the error message.
    fn described(self) -> &'static str {
        match self {
            EnvKind::Ipv4Address => {
                "one IPv4 address such as 100.64.0.2 and nothing else (`tailscale ip -4` prints just that; `tailscale ip` adds an IPv6 line)"
            }
            EnvKind::PasswordHash => {
                "one crypt(3) password hash as made by mkpasswd ($y$…, $6$…, with a scheme NixOS accepts) or !, and nothing else"
            }
        }
    }

    /// The regular expression the value must match.
    pub fn nix_pattern(self) -> &'static str {
        match self {
            EnvKind::Ipv4Address => IPV4_NIX_PATTERN,
            EnvKind::PasswordHash => PasswordHash::NIX_PATTERN,
        }
    }
}

use crate::trace::{Provenance, host_key};

/// The environment variables the inventory refers to, sorted.
pub fn env_vars(cluster: &Cluster) -> BTreeSet<&str> {
    env_kinds(cluster).into_keys().collect()
}

/// The environment variables the inventory refers to, with what each must hold (validation makes
/// sure no variable is used for both).
pub fn env_kinds(cluster: &Cluster) -> BTreeMap<&str, EnvKind> {
    let addresses = cluster.hosts.iter().flat_map(|h| [Some(&h.lan_address), h.tailnet_address.as_ref()]);
    let addresses = addresses.flatten().filter_map(env_name).map(|name| (name, EnvKind::Ipv4Address));
    let passwords = cluster.users.iter().filter_map(|u| u.hashed_password.as_ref()).filter_map(env_name);
    addresses.chain(passwords.map(|name| (name, EnvKind::PasswordHash))).collect()
}

/// The inventory keys written as `{ env = "<name>" }`.
pub(crate) fn keys_referencing(cluster: &Cluster, name: &str) -> Vec<String> {
    let mut keys = Vec::new();
    for host in &cluster.hosts {
        for (key, secret) in
            [("lan-address", Some(&host.lan_address)), ("tailnet-address", host.tailnet_address.as_ref())]
        {
            if secret.and_then(env_name) == Some(name) {
                keys.push(host_key(host, key));
            }
        }
    }
    for (i, user) in cluster.users.iter().enumerate() {
        if user.hashed_password.as_ref().and_then(env_name) == Some(name) {
            keys.push(format!("users[{i}].hashed-password"));
        }
    }
    keys
}

fn env_name<T>(secret: &Secret<T>) -> Option<&str> {
    match secret {
        Secret::Env(name) => Some(name.as_str()),
        _ => None,
    }
}

/// Lowers the secrets file: `let fromEnv = …; ipv4Address = fromEnv …; in { NAME = ipv4Address "NAME"; … }`.
pub fn lower(cluster: &Cluster) -> Expr {
    let kinds = env_kinds(cluster);
    let mut bindings = vec![bind("fromEnv", from_env())];
    let used: BTreeSet<EnvKind> = kinds.values().copied().collect();
    bindings.extend(used.into_iter().map(checker));
    let values = kinds.into_iter().map(|(name, kind)| {
        bind_path(keys([name]), apply(ident(kind.function()), [Expr::from(name)]))
            .derived_from("a value written as { env = \"NAME\" } is read from that variable", || {
                keys_referencing(cluster, name)
            })
    });
    let_in(bindings, attrs(values))
}

/// `what: pattern: name: …`: the variable's value, or an error naming it and what it must hold.
fn from_env() -> Expr {
    let unset = quoted([
        text("homeflake: environment variable "),
        interp(ident("name")),
        text(" is unset or empty; export it and run nixos-rebuild with --impure (see docs/bootstrap.md)"),
    ]);
    let malformed = quoted([
        text("homeflake: environment variable "),
        interp(ident("name")),
        text(" must hold "),
        interp(ident("what")),
        text("; it holds something else (not shown here)"),
    ]);
    let matches = apply(select(ident("builtins"), "match"), [ident("pattern"), ident("value")]);
    let body = let_in(
        [bind("value", apply(select(ident("builtins"), "getEnv"), [ident("name")]))],
        if_then_else(
            binary(ident("value"), BinaryOp::Equal, ""),
            apply(ident("throw"), [unset]),
            if_then_else(
                binary(matches, BinaryOp::Equal, Expr::Null),
                apply(ident("throw"), [malformed]),
                ident("value"),
            ),
        ),
    );
    lambda("what", lambda("pattern", lambda("name", body)))
}

/// `ipv4Address = fromEnv "…" "…";`
fn checker(kind: EnvKind) -> Binding {
    bind(kind.function(), apply(ident("fromEnv"), [string(kind.described()), string(kind.nix_pattern())]))
}

/// The environment variables that evaluating `host`'s configuration reads: every `secrets.NAME` in
/// its host file and in the modules it imports. These are exactly the variables `sudo` must keep
/// (`sudo --preserve-env=…`) when the host is switched from its own checkout of the flake.
pub fn env_vars_of_host(cluster: &Cluster, host: &homeflake_model::Host) -> BTreeSet<String> {
    HostEnvVars::new(cluster).of(host)
}

/// [`env_vars_of_host`] for many hosts: each shared module is lowered and searched once.
pub struct HostEnvVars<'c> {
    cluster: &'c Cluster,
    modules: std::collections::BTreeMap<crate::modules::Module, BTreeSet<String>>,
}

impl<'c> HostEnvVars<'c> {
    /// Lowers every module some host imports and notes the variables it reads.
    pub fn new(cluster: &'c Cluster) -> Self {
        let mut modules = std::collections::BTreeMap::new();
        for host in &cluster.hosts {
            for module in crate::modules::Module::for_host(cluster, host) {
                modules.entry(module).or_insert_with(|| {
                    let mut names = BTreeSet::new();
                    collect_secret_names(&module.lower(cluster), &mut names);
                    names
                });
            }
        }
        HostEnvVars { cluster, modules }
    }

    /// The variables `host`'s configuration reads.
    pub fn of(&self, host: &homeflake_model::Host) -> BTreeSet<String> {
        let mut names = BTreeSet::new();
        collect_secret_names(&crate::host::lower(self.cluster, host), &mut names);
        for module in crate::modules::Module::for_host(self.cluster, host) {
            names.extend(self.modules.get(&module).into_iter().flatten().cloned());
        }
        names
    }
}

/// Every `NAME` in a `secrets.NAME` selection inside `expr`.
fn collect_secret_names(expr: &Expr, out: &mut BTreeSet<String>) {
    expr.walk(
        &mut |e| {
            if let Expr::Select { expr: base, path, .. } = e
                && let (Expr::Ident(name), Some(Key::Name(first))) = (base.as_ref(), path.first())
                && name == "secrets"
            {
                out.insert(first.clone());
            }
        },
        &mut |_| {},
    );
}
