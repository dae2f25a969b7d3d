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
use homeflake_nix::make::{attrs, bind, indented, tagged_list};
use homeflake_nix::{Binding, Expr, StrPart};

use crate::lower::secret_part;
use crate::trace::{LineOrigin, Origin, Provenance, host_key, record};

/// One line of `extraCommands`, with the inventory keys it carries.
struct Line<'c> {
    parts: Vec<StrPart>,
    keys: Vec<LineKey<'c>>,
}

/// An inventory key of a line, named only when a trace is taken.
#[derive(Clone, Copy)]
enum LineKey<'c> {
    Key(&'static str),
    LanAddressOf(&'c Host),
}

impl LineKey<'_> {
    fn name(self) -> String {
        match self {
            LineKey::Key(key) => key.to_owned(),
            LineKey::LanAddressOf(host) => host_key(host, "lan-address"),
        }
    }
}

/// The bindings that open the listeners `opener` is responsible for.
pub fn bindings(cluster: &Cluster, opener: Opener) -> Vec<Binding> {
    // Every host of the part has the same listeners of it: take the first one.
    let host = match opener {
        Opener::ClusterMember => cluster.hosts.iter().find(|h| h.roles.in_cluster()),
        Opener::ControlPlane => cluster.control_planes().next(),
        Opener::SplitDnsServer => cluster.split_dns.as_ref().and_then(|d| cluster.host(d.server_host.as_str())),
        Opener::IngressHost => cluster.ingress.as_ref().and_then(|i| cluster.host(i.host.as_str())),
        Opener::NixosModule => None,
    };
    let Some(host) = host else { return Vec::new() };
    let listeners: Vec<Listener> = cluster.listeners(host).into_iter().filter(|l| l.opener == opener).collect();
    match &cluster.firewall.mode {
        FirewallMode::LeastPrivilege => {
            let mut lines = narrowing(cluster, host, opener);
            for listener in &listeners {
                lines.extend(accept_lines(cluster, listener));
            }
            if lines.is_empty() {
                return Vec::new();
            }
            let (parts, keys): (Vec<Vec<StrPart>>, Vec<Vec<LineKey>>) =
                lines.into_iter().map(|l| (l.parts, l.keys)).unzip();
            let origin = || Origin {
                presence: vec!["firewall.mode".into()],
                rule: Some("the least-privilege firewall admits each flow of the table from exactly its sources"),
                lines: keys
                    .iter()
                    .enumerate()
                    .map(|(i, k)| LineOrigin { line: i as u32, keys: k.iter().map(|k| k.name()).collect() })
                    .collect(),
                ..Origin::default()
            };
            let binding = bind("networking.firewall.extraCommands", indented(parts.into_iter().flatten()));
            vec![binding.traced(origin)]
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
fn accept_lines<'c>(cluster: &'c Cluster, listener: &Listener) -> Vec<Line<'c>> {
    let port = match_port(listener.protocol, listener.ports);
    let line = |source: Vec<StrPart>, source_keys: &[LineKey<'c>]| -> Line<'c> {
        let mut parts = vec![StrPart::Text(format!("iptables -A nixos-fw {port} "))];
        parts.extend(source);
        parts.push(StrPart::Text(" -j nixos-fw-accept\n".into()));
        let mut keys = vec![LineKey::Key(listener.key)];
        keys.extend_from_slice(source_keys);
        Line { parts, keys }
    };
    let mut out = Vec::new();
    for source in &listener.from {
        match source {
            Source::Lan => out
                .push(line(vec![StrPart::Text(format!("-s {}", cluster.network.lan))], &[LineKey::Key("network.lan")])),
            Source::Pods => out.push(line(
                vec![StrPart::Text(format!("-s {}", cluster.kubernetes.pod_cidr))],
                &[LineKey::Key("kubernetes.pod-cidr")],
            )),
            Source::ControlPlanes => {
                for control_plane in cluster.control_planes() {
                    out.push(line(
                        vec![StrPart::Text("-s ".into()), secret_part(&control_plane.lan_address)],
                        &[LineKey::LanAddressOf(control_plane)],
                    ));
                }
            }
            Source::Members => {
                for member in cluster.hosts.iter().filter(|h| h.roles.in_cluster()) {
                    out.push(line(
                        vec![StrPart::Text("-s ".into()), secret_part(&member.lan_address)],
                        &[LineKey::LanAddressOf(member)],
                    ));
                }
            }
            Source::Tailnet if cluster.tailscale.enable && !cluster.tailscale.trust_interface => out.push(line(
                vec![StrPart::Text(format!("-i {}", cluster.tailscale.interface))],
                &[LineKey::Key("tailscale.interface"), LineKey::Key("tailscale.trust-interface")],
            )),
            // A trusted Tailscale interface admits everything already; loopback is always admitted.
            Source::Tailnet | Source::Loopback => {}
        }
    }
    out
}

/// Refusals, first in the chain, for what nixpkgs modules open to everyone on the hosts of
/// `opener`: from sources other than the LAN where the table has a listener admitting the LAN on
/// that port, from everywhere where it has none; never on a trusted interface.
fn narrowing<'c>(cluster: &'c Cluster, host: &Host, opener: Opener) -> Vec<Line<'c>> {
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
        let (except, keys) = if admitted {
            (format!("! -s {} ", cluster.network.lan), vec![LineKey::Key("network.lan")])
        } else {
            (String::new(), Vec::new())
        };
        out.push(Line {
            parts: vec![StrPart::Text(format!("iptables -I nixos-fw {port} {except}-j nixos-fw-refuse\n"))],
            keys,
        });
        // Inserted after, so above the refusal: trusted interfaces keep admitting everything.
        for (interface, key) in trusted_interfaces(cluster) {
            out.push(Line {
                parts: vec![StrPart::Text(format!("iptables -I nixos-fw -i {interface} {port} -j nixos-fw-accept\n"))],
                keys: key
                    .into_iter()
                    .flat_map(
                        |k| if k == "tailscale.trust-interface" { vec![k, "tailscale.interface"] } else { vec![k] },
                    )
                    .map(LineKey::Key)
                    .collect(),
            });
        }
    }
    out
}

/// The interfaces the NixOS firewall admits everything on: loopback (the module's own), the
/// Tailscale interface when trusted, and the inventory's `firewall.trusted-interfaces`; each with
/// the inventory key that puts it there.
fn trusted_interfaces(cluster: &Cluster) -> Vec<(&str, Option<&'static str>)> {
    let mut interfaces = vec![("lo", None)];
    if cluster.tailscale.enable && cluster.tailscale.trust_interface {
        interfaces.push((cluster.tailscale.interface.as_str(), Some("tailscale.trust-interface")));
    }
    interfaces
        .extend(cluster.firewall.trusted_interfaces.iter().map(|i| (i.as_str(), Some("firewall.trusted-interfaces"))));
    interfaces
}

/// `networking.firewall.allowed{TCP,UDP}Port{s,Ranges}` for listeners open to every source; each
/// port comes from its listener's inventory key.
fn open_to_everyone<'a>(listeners: impl Iterator<Item = &'a Listener>) -> Vec<Binding> {
    let (mut tcp, mut udp, mut tcp_ranges, mut udp_ranges) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for l in listeners.filter(|l| l.opener != Opener::NixosModule) {
        let (single, ranges) = match l.protocol {
            Protocol::Tcp => (&mut tcp, &mut tcp_ranges),
            Protocol::Udp => (&mut udp, &mut udp_ranges),
        };
        if l.ports.0 == l.ports.1 {
            single.push((l.ports.0, l.key));
        } else {
            ranges.push((l.ports, l.key));
        }
    }
    let item_tag = |key: &str| record(|| Origin { keys: vec![key.to_owned()], ..Origin::default() });
    let port_list = |ports: &[(u16, &str)]| tagged_list(ports.iter().map(|(port, key)| (*port, item_tag(key))));
    let range_list = |ranges: &[((u16, u16), &str)]| -> Expr {
        tagged_list(
            ranges.iter().map(|((from, to), key)| (attrs([bind("from", *from), bind("to", *to)]), item_tag(key))),
        )
    };
    let mut out = Vec::new();
    let mut open = |option: &str, value: Expr, keys: Vec<&str>| {
        let presence = || keys.iter().map(|k| (*k).to_owned()).collect();
        out.push(bind(option, value).traced(|| Origin { presence: presence(), ..Origin::default() }));
    };
    let keys_of = |ports: &[(u16, &'static str)]| ports.iter().map(|(_, k)| *k).collect();
    let range_keys_of = |ranges: &[((u16, u16), &'static str)]| ranges.iter().map(|(_, k)| *k).collect();
    if !tcp.is_empty() {
        open("networking.firewall.allowedTCPPorts", port_list(&tcp), keys_of(&tcp));
    }
    if !tcp_ranges.is_empty() {
        open("networking.firewall.allowedTCPPortRanges", range_list(&tcp_ranges), range_keys_of(&tcp_ranges));
    }
    if !udp.is_empty() {
        open("networking.firewall.allowedUDPPorts", port_list(&udp), keys_of(&udp));
    }
    if !udp_ranges.is_empty() {
        open("networking.firewall.allowedUDPPortRanges", range_list(&udp_ranges), range_keys_of(&udp_ranges));
    }
    out
}
