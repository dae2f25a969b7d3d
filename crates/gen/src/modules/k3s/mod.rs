//! The k3s modules under `modules/k3s/` (the `k3s` flavour): what every member shares, the servers
//! (control planes) and the agents (workers only). Cluster settings are k3s command-line flags in
//! `services.k3s.extraFlags`, a list the module system concatenates across the modules a host
//! imports; each host's own flags are in its host file.

pub mod agent;
pub mod common;
pub mod server;

use homeflake_model::{Cluster, Host};
use homeflake_nix::make::{bind, list, string};
use homeflake_nix::{Binding, Expr};

/// The taint k3s documents for control planes that run no ordinary workloads; the add-ons k3s
/// deploys (CoreDNS, metrics-server) tolerate it.
pub const CONTROL_PLANE_ONLY_TAINT: &str = "CriticalAddonsOnly=true:NoExecute";

/// `services.k3s.extraFlags = [ … ];`, or nothing for no flags.
pub fn extra_flags(flags: Vec<Expr>) -> Option<Binding> {
    (!flags.is_empty()).then(|| bind("services.k3s.extraFlags", list(flags)))
}

/// `--name=value` as one k3s argument. The module joins the flags into the unit's `ExecStart`,
/// where systemd expands `%` specifiers and `$` variables: both are doubled so the value arrives
/// as written.
pub fn flag(name: &str, value: &str) -> Expr {
    string(&format!("--{name}={}", systemd_literal(value)))
}

/// `value` with the characters systemd interprets on a command line doubled.
pub fn systemd_literal(value: &str) -> String {
    value.replace('%', "%%").replace('$', "$$")
}

/// The server that initialises the cluster's embedded etcd (`clusterInit`): the first control
/// plane in inventory order, the one every host's `/etc/hosts` maps the API name to.
pub fn first_server(cluster: &Cluster) -> Option<&Host> {
    cluster.control_planes().next()
}
