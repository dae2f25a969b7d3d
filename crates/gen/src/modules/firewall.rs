//! `modules/firewall.nix`: the firewall on, and the source ranges it trusts, one iptables line each.

use homeflake_model::{Cluster, FirewallMode};
use homeflake_nix::Expr;
use homeflake_nix::make::{bind, list};

use crate::lower::module;

/// Lowers the firewall policy shared by every host. Ports a role needs are opened by that role's module.
pub fn lower(cluster: &Cluster) -> Expr {
    let firewall = &cluster.firewall;
    let trusted = match &firewall.mode {
        FirewallMode::TrustedCidrs { cidrs } => cidrs.clone(),
        _ => vec![cluster.kubernetes.pod_cidr, cluster.kubernetes.service_cidr],
    };
    let mut bindings = vec![bind("networking.firewall.enable", true)];
    if !firewall.trusted_interfaces.is_empty() {
        bindings.push(bind(
            "networking.firewall.trustedInterfaces",
            list(firewall.trusted_interfaces.iter().map(|i| i.as_str())),
        ));
    }
    let commands: String =
        trusted.iter().map(|cidr| format!("iptables -A nixos-fw -s {cidr} -j nixos-fw-accept\n")).collect();
    if !commands.is_empty() {
        bindings.push(bind("networking.firewall.extraCommands", commands));
    }
    module(bindings)
}
