//! `modules/firewall.nix`: the firewall on, extra trusted interfaces, and under `trusted-cidrs` the
//! source ranges it trusts, one iptables line each.

use homeflake_model::{Cluster, FirewallMode};
use homeflake_nix::Expr;
use homeflake_nix::make::{bind, list};

use crate::lower::module;

/// Lowers the firewall policy shared by every host. The ports each part of the cluster needs are
/// opened by that part's module (see `openings`).
pub fn lower(cluster: &Cluster) -> Expr {
    let firewall = &cluster.firewall;
    let mut bindings = vec![bind("networking.firewall.enable", true)];
    if !firewall.trusted_interfaces.is_empty() {
        bindings.push(bind(
            "networking.firewall.trustedInterfaces",
            list(firewall.trusted_interfaces.iter().map(|i| i.as_str())),
        ));
    }
    if let FirewallMode::TrustedCidrs { cidrs } = &firewall.mode {
        let commands: String =
            cidrs.iter().map(|cidr| format!("iptables -A nixos-fw -s {cidr} -j nixos-fw-accept\n")).collect();
        if !commands.is_empty() {
            bindings.push(bind("networking.firewall.extraCommands", commands));
        }
    }
    module(bindings)
}
