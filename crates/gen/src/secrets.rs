//! `secrets.nix`: the values the inventory keeps out of the repository, read from the environment when
//! the flake is evaluated, failing with the variable's name when one is unset.

use std::collections::BTreeSet;

use homeflake_model::{Cluster, Secret};
use homeflake_nix::make::{
    apply, attrs, binary, bind, bind_path, ident, if_then_else, interp, keys, lambda, let_in, quoted, select, text,
};
use homeflake_nix::{BinaryOp, Expr, Key};

use crate::trace::{Provenance, host_key};

/// The environment variables the inventory refers to, sorted.
pub fn env_vars(cluster: &Cluster) -> BTreeSet<&str> {
    let addresses = cluster.hosts.iter().flat_map(|h| [Some(&h.lan_address), h.tailnet_address.as_ref()]);
    let addresses = addresses.flatten().filter_map(env_name);
    let passwords = cluster.users.iter().filter_map(|u| u.hashed_password.as_ref()).filter_map(env_name);
    addresses.chain(passwords).collect()
}

/// The inventory keys written as `{ env = "<name>" }`.
fn keys_referencing(cluster: &Cluster, name: &str) -> Vec<String> {
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

/// Lowers the secrets file: `let fromEnv = …; in { NAME = fromEnv "NAME"; … }`.
pub fn lower(cluster: &Cluster) -> Expr {
    let message = quoted([
        text("homeflake: environment variable "),
        interp(ident("name")),
        text(" is unset or empty; export it and run nixos-rebuild with --impure (see docs/bootstrap.md)"),
    ]);
    let from_env = lambda(
        "name",
        let_in(
            [bind("value", apply(select(ident("builtins"), "getEnv"), [ident("name")]))],
            if_then_else(binary(ident("value"), BinaryOp::Equal, ""), apply(ident("throw"), [message]), ident("value")),
        ),
    );
    let values = env_vars(cluster).into_iter().map(|name| {
        bind_path(keys([name]), apply(ident("fromEnv"), [Expr::from(name)]))
            .derived_from("a value written as { env = \"NAME\" } is read from that variable", || {
                keys_referencing(cluster, name)
            })
    });
    let_in([bind("fromEnv", from_env)], attrs(values))
}

/// The environment variables that evaluating `host`'s configuration reads: every `secrets.NAME` in
/// its host file and in the modules it imports. These are exactly the variables `sudo` must keep
/// (`sudo --preserve-env=…`) when the host is switched from its own checkout of the flake.
pub fn env_vars_of_host(cluster: &Cluster, host: &homeflake_model::Host) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    collect_secret_names(&crate::host::lower(cluster, host), &mut names);
    for module in crate::modules::Module::for_host(cluster, host) {
        collect_secret_names(&module.lower(cluster), &mut names);
    }
    names
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
