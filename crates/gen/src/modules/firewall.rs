//! `modules/firewall.nix`: the firewall on, extra trusted interfaces, and under `trusted-cidrs` the
//! source ranges it trusts, one iptables line each.

use homeflake_model::{Cluster, FirewallMode};
use homeflake_nix::Expr;
use homeflake_nix::make::bind;

use crate::lower::module;
use crate::trace::{LineOrigin, Origin, Provenance, list_from};

/// Lowers the firewall policy shared by every host. The ports each part of the cluster needs are
/// opened by that part's module (see `openings`).
pub fn lower(cluster: &Cluster) -> Expr {
    let firewall = &cluster.firewall;
    let mut bindings = vec![bind("networking.firewall.enable", true)];
    if !firewall.trusted_interfaces.is_empty() {
        let interfaces =
            list_from("firewall.trusted-interfaces", firewall.trusted_interfaces.iter().map(|i| i.as_str()));
        bindings
            .push(bind("networking.firewall.trustedInterfaces", interfaces).present_if("firewall.trusted-interfaces"));
    }
    if let FirewallMode::TrustedCidrs { cidrs } = &firewall.mode {
        let commands: String =
            cidrs.iter().map(|cidr| format!("iptables -A nixos-fw -s {cidr} -j nixos-fw-accept\n")).collect();
        if !commands.is_empty() {
            bindings.push(bind("networking.firewall.extraCommands", commands).traced(|| {
                Origin {
                    presence: vec!["firewall.trusted-cidrs".into()],
                    lines: (0..cidrs.len() as u32)
                        .map(|line| LineOrigin { line, keys: vec!["firewall.trusted-cidrs".into()] })
                        .collect(),
                    ..Origin::default()
                }
            }));
        }
    }
    module(bindings)
}
