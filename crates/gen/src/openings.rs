//! Firewall openings, derived from the model's table of listeners (`Cluster::listeners`).
//!
//! Each module opens the listeners of its part of the configuration ([`Opener`]): the control-plane
//! module the API server, the member module kubelet and flannel, and so on. Under
//! `least-privilege` a listener is opened to exactly the sources the table names, one iptables
//! line per source in `networking.firewall.extraCommands` (which NixOS runs just before the
//! chain's final refusal); ports that a nixpkgs module opens to everyone by itself are narrowed
//! by refusal lines inserted at the top of the chain. Under `trusted-cidrs` members trust each
//! other's ranges, so only the listeners that people's devices reach are opened, to everyone.

use homeflake_model::{Cluster, FirewallMode, Host, Listener, Opener, Protocol, Source};
use homeflake_nix::make::{attrs, bind, indented, list};
use homeflake_nix::{Binding, Expr, StrPart};

use crate::lower::secret_part;

/// The bindings that open the listeners `opener` is responsible for.
pub fn bindings(cluster: &Cluster, opener: Opener) -> Vec<Binding> {
    let Some(host) = cluster.hosts.iter().find(|h| cluster.listeners(h).iter().any(|l| l.opener == opener)) else {
        return Vec::new();
    };
    let listeners: Vec<Listener> = cluster.listeners(host).into_iter().filter(|l| l.opener == opener).collect();
    match &cluster.firewall.mode {
        FirewallMode::LeastPrivilege => {
            let mut parts = narrowing(cluster, host, opener);
            for listener in &listeners {
                parts.extend(accept_lines(cluster, listener));
            }
            if parts.is_empty() { Vec::new() } else { vec![bind("networking.firewall.extraCommands", indented(parts))] }
        }
        _ => {
            let tailnet_trusted = !cluster.tailscale.enable || cluster.tailscale.trust_interface;
            let needs_opening = |l: &&Listener| {
                l.clients && (l.from.contains(&Source::Lan) || l.from.contains(&Source::Tailnet) && !tailnet_trusted)
            };
            open_to_everyone(listeners.iter().filter(needs_opening))
        }
    }
}

/// `-p tcp --dport 6443` (or `--dport 2379:2380`).
fn match_port(listener_protocol: Protocol, ports: (u16, u16)) -> String {
    if ports.0 == ports.1 {
        format!("-p {listener_protocol} --dport {}", ports.0)
    } else {
        format!("-p {listener_protocol} --dport {}:{}", ports.0, ports.1)
    }
}

/// One accepting line per source the listener admits.
fn accept_lines(cluster: &Cluster, listener: &Listener) -> Vec<StrPart> {
    let port = match_port(listener.protocol, listener.ports);
    let line = |source: Vec<StrPart>| -> Vec<StrPart> {
        let mut parts = vec![StrPart::Text(format!("iptables -A nixos-fw {port} "))];
        parts.extend(source);
        parts.push(StrPart::Text(" -j nixos-fw-accept\n".into()));
        parts
    };
    let mut out = Vec::new();
    for source in &listener.from {
        match source {
            Source::Lan => out.extend(line(vec![StrPart::Text(format!("-s {}", cluster.network.lan))])),
            Source::Pods => out.extend(line(vec![StrPart::Text(format!("-s {}", cluster.kubernetes.pod_cidr))])),
            Source::ControlPlanes => {
                for control_plane in cluster.control_planes() {
                    out.extend(line(vec![StrPart::Text("-s ".into()), secret_part(&control_plane.lan_address)]));
                }
            }
            Source::Members => {
                for member in cluster.hosts.iter().filter(|h| h.roles.in_cluster()) {
                    out.extend(line(vec![StrPart::Text("-s ".into()), secret_part(&member.lan_address)]));
                }
            }
            Source::Tailnet if cluster.tailscale.enable && !cluster.tailscale.trust_interface => {
                out.extend(line(vec![StrPart::Text(format!("-i {}", cluster.tailscale.interface))]));
            }
            // A trusted Tailscale interface admits everything already; loopback is always admitted.
            Source::Tailnet | Source::Loopback => {}
        }
    }
    out
}

/// Refusals, first in the chain, for what nixpkgs modules open to everyone on the hosts of
/// `opener`: from sources other than the LAN where the table has a listener admitting the LAN on
/// that port, from everywhere where it has none; never on a trusted interface.
fn narrowing(cluster: &Cluster, host: &Host, opener: Opener) -> Vec<StrPart> {
    if opener != Opener::ClusterMember {
        return Vec::new();
    }
    let listeners = cluster.listeners(host);
    let mut out = Vec::new();
    for opened in cluster.opened_by_nixpkgs(host) {
        let port = match_port(opened.protocol, (opened.port, opened.port));
        let admitted = listeners
            .iter()
            .any(|l| l.protocol == opened.protocol && l.binds(opened.port) && l.from.contains(&Source::Lan));
        let except = if admitted { format!("! -s {} ", cluster.network.lan) } else { String::new() };
        out.push(StrPart::Text(format!("iptables -I nixos-fw {port} {except}-j nixos-fw-refuse\n")));
        // Inserted after, so above the refusal: trusted interfaces keep admitting everything.
        for interface in trusted_interfaces(cluster) {
            out.push(StrPart::Text(format!("iptables -I nixos-fw -i {interface} {port} -j nixos-fw-accept\n")));
        }
    }
    out
}

/// The interfaces the NixOS firewall admits everything on: loopback (the module's own), the
/// Tailscale interface when trusted, and the inventory's `firewall.trusted-interfaces`.
fn trusted_interfaces(cluster: &Cluster) -> Vec<&str> {
    let mut interfaces = vec!["lo"];
    if cluster.tailscale.enable && cluster.tailscale.trust_interface {
        interfaces.push(cluster.tailscale.interface.as_str());
    }
    interfaces.extend(cluster.firewall.trusted_interfaces.iter().map(|i| i.as_str()));
    interfaces
}

/// `networking.firewall.allowed{TCP,UDP}Port{s,Ranges}` for listeners open to every source.
fn open_to_everyone<'a>(listeners: impl Iterator<Item = &'a Listener>) -> Vec<Binding> {
    let (mut tcp, mut udp, mut tcp_ranges, mut udp_ranges) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for l in listeners.filter(|l| l.opener != Opener::NixosModule) {
        let (single, ranges) = match l.protocol {
            Protocol::Tcp => (&mut tcp, &mut tcp_ranges),
            Protocol::Udp => (&mut udp, &mut udp_ranges),
        };
        if l.ports.0 == l.ports.1 {
            single.push(l.ports.0);
        } else {
            ranges.push(l.ports);
        }
    }
    let range_list = |ranges: &[(u16, u16)]| -> Expr {
        list(ranges.iter().map(|(from, to)| attrs([bind("from", *from), bind("to", *to)])))
    };
    let mut out = Vec::new();
    if !tcp.is_empty() {
        out.push(bind("networking.firewall.allowedTCPPorts", list(tcp)));
    }
    if !tcp_ranges.is_empty() {
        out.push(bind("networking.firewall.allowedTCPPortRanges", range_list(&tcp_ranges)));
    }
    if !udp.is_empty() {
        out.push(bind("networking.firewall.allowedUDPPorts", list(udp)));
    }
    if !udp_ranges.is_empty() {
        out.push(bind("networking.firewall.allowedUDPPortRanges", range_list(&udp_ranges)));
    }
    out
}
