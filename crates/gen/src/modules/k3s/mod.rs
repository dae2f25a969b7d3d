//! The k3s modules under `modules/k3s/` (the `k3s` flavour): what every member shares, the servers
//! (control planes) and the agents (workers only). Cluster settings are k3s command-line flags in
//! `services.k3s.extraFlags`, a list the module system concatenates across the modules a host
//! imports; each host's own flags are in its host file.

pub mod agent;
pub mod common;
pub mod server;

use homeflake_model::{Cluster, Host};
use homeflake_nix::make::{bind, string, tagged_list};
use homeflake_nix::{Binding, Expr};

use crate::lower::systemd_exec_word;
use crate::trace::{Origin, record};

/// The taint k3s documents for control planes that run no ordinary workloads; the add-ons k3s
/// deploys (CoreDNS, metrics-server) tolerate it.
pub const CONTROL_PLANE_ONLY_TAINT: &str = "CriticalAddonsOnly=true:NoExecute";

/// One k3s flag and the tag of its origin (0 when no trace is taken).
pub type Flag = (Expr, u32);

/// `services.k3s.extraFlags = [ … ];`, or nothing for no flags; `presence` names the keys that make
/// the list exist.
pub fn extra_flags(flags: Vec<Flag>, presence: impl FnOnce() -> Vec<String>) -> Option<Binding> {
    if flags.is_empty() {
        return None;
    }
    let tag = record(|| Origin { presence: presence(), ..Origin::default() });
    Some(bind("services.k3s.extraFlags", tagged_list(flags)).tagged(tag))
}

/// `--name=value` as one k3s argument, coming from `keys`. The module joins the flags into the
/// unit's `ExecStart`, where systemd expands `%` specifiers and `$` variables: both are doubled so
/// the value arrives as written.
pub fn flag(name: &str, value: &str, origin: impl FnOnce() -> Origin) -> Flag {
    (string(&format!("--{name}={}", systemd_exec_word(value))), record(origin))
}

/// An origin made of `keys`.
pub fn from_keys<S: Into<String>>(keys: impl IntoIterator<Item = S>) -> Origin {
    Origin { keys: keys.into_iter().map(Into::into).collect(), ..Origin::default() }
}

/// The server that initialises the cluster's embedded etcd (`clusterInit`): the first control
/// plane in inventory order, the one every host's `/etc/hosts` maps the API name to.
pub fn first_server(cluster: &Cluster) -> Option<&Host> {
    cluster.control_planes().next()
}
