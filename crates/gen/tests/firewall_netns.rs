//! The least-privilege firewall, run for real: for each host, a network namespace gets the NixOS
//! firewall's chains (as `firewall-iptables.nix` builds them: trusted interfaces, established
//! traffic, the allowed ports, `extraCommands`, then refusal) filled with the options the host's
//! generated files set, plus the ports its nixpkgs modules open by themselves. A second namespace
//! then connects from each kind of source — a LAN machine, a control plane, a pod, the tailnet, and
//! a machine outside — to every port the host serves and to ports it must not. Every flow in the
//! model's table must get through, and nothing else may. The k3s lab shows the k3s flavour's
//! openings per role: etcd from the other servers only, kubelet from every member, nothing opened
//! by the k3s module itself.

mod common;

use std::collections::BTreeSet;
use std::net::Ipv4Addr;

use common::netns::{Netns, link, listen, probe, serve};
use common::{SECRET_VALUE, cluster, evaluate_host, nix_instantiate, written};
use homeflake_gen::{generate, secrets};
use homeflake_model::{Cluster, Host, Opener, Secret, Source, from_toml_str};

/// Where a probe comes from.
struct From {
    what: String,
    address: Ipv4Addr,
    on_tailnet: bool,
}

fn address(secret: &Secret<Ipv4Addr>) -> Ipv4Addr {
    secret.literal().copied().unwrap_or_else(|| SECRET_VALUE.parse().unwrap())
}

/// Whether the model's table admits a packet from `from` to a listener admitting `sources`.
fn admitted(cluster: &Cluster, sources: &[Source], from: &From, tailnet_trusted: bool) -> bool {
    if from.on_tailnet && tailnet_trusted {
        return true;
    }
    sources.iter().any(|source| match source {
        Source::Lan => !from.on_tailnet && cluster.network.lan.contains(&from.address),
        Source::Pods => !from.on_tailnet && cluster.kubernetes.pod_cidr.contains(&from.address),
        Source::ControlPlanes => {
            !from.on_tailnet && cluster.control_planes().any(|c| address(&c.lan_address) == from.address)
        }
        Source::Members => !from.on_tailnet && cluster.members().any(|m| address(&m.lan_address) == from.address),
        Source::Tailnet => from.on_tailnet,
        Source::Loopback => false,
    })
}

/// The NixOS firewall's start script for the evaluated options, with `extraCommands` in place.
fn firewall_script(options: &serde_json::Value, opened_by_modules: &[(bool, u16)]) -> String {
    let mut s = String::from(
        "iptables -N nixos-fw-accept\niptables -A nixos-fw-accept -j ACCEPT\n\
         iptables -N nixos-fw-refuse\n\
         iptables -A nixos-fw-refuse -p tcp -j REJECT --reject-with tcp-reset\n\
         iptables -A nixos-fw-refuse -j REJECT\n\
         iptables -N nixos-fw-log-refuse\niptables -A nixos-fw-log-refuse -j nixos-fw-refuse\n\
         iptables -N nixos-fw\niptables -A nixos-fw -i lo -j nixos-fw-accept\n",
    );
    for iface in options["trustedInterfaces"].as_array().unwrap() {
        s.push_str(&format!("iptables -A nixos-fw -i {} -j nixos-fw-accept\n", iface.as_str().unwrap()));
    }
    s.push_str("iptables -A nixos-fw -m conntrack --ctstate ESTABLISHED,RELATED -j nixos-fw-accept\n");
    let mut ports: Vec<(bool, u64)> = Vec::new();
    ports.extend(options["allowedTCPPorts"].as_array().unwrap().iter().map(|p| (false, p.as_u64().unwrap())));
    ports.extend(options["allowedUDPPorts"].as_array().unwrap().iter().map(|p| (true, p.as_u64().unwrap())));
    ports.extend(opened_by_modules.iter().map(|&(udp, p)| (udp, u64::from(p))));
    for (udp, port) in ports {
        let protocol = if udp { "udp" } else { "tcp" };
        s.push_str(&format!("iptables -A nixos-fw -p {protocol} --dport {port} -j nixos-fw-accept\n"));
    }
    s.push_str(options["extraCommands"].as_str().unwrap());
    s.push_str("\niptables -A nixos-fw -j nixos-fw-log-refuse\niptables -A INPUT -j nixos-fw\n");
    s
}

/// Probes every port of every host of `cluster` from every kind of source; returns the mismatches.
fn check_cluster(nix: &str, name: &str, cluster: &Cluster) -> Vec<String> {
    let files = generate(cluster);
    let tmp = written(&files);
    let mut wrong = Vec::new();
    for host in &cluster.hosts {
        let vars = secrets::env_vars_of_host(cluster, host);
        let options = evaluate_host(nix, tmp.path(), cluster, host, &vars).unwrap_or_else(|e| panic!("{e}"));
        wrong.extend(check_host(name, cluster, host, &options));
    }
    wrong
}

fn check_host(name: &str, cluster: &Cluster, host: &Host, options: &serde_json::Value) -> Vec<String> {
    let lan = cluster.network.lan;
    let server = address(&host.lan_address);
    let tailscale = &cluster.tailscale;
    let tailnet_trusted = options["trustedInterfaces"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i.as_str() == Some(tailscale.interface.as_str()));

    // What nixpkgs modules open by themselves: openssh's 22/tcp, tailscale's 41641/udp, flannel's.
    let mut opened_by_modules = vec![(false, 22u16)];
    if tailscale.enable && tailscale.open_firewall {
        opened_by_modules.push((true, 41641));
    }
    opened_by_modules.extend(cluster.opened_by_nixpkgs(host).iter().map(|o| (o.protocol.as_str() == "udp", o.port)));

    let srv = Netns::new("srv");
    let cli = Netns::new("cli");
    link(&srv, "lan0", &cli, "peer0");
    srv.exec(&["ip", "addr", "add", &format!("{server}/{}", lan.prefix_len()), "dev", "lan0"]);
    srv.exec(&["ip", "route", "add", "default", "dev", "lan0"]);
    let last_in_lan = Ipv4Addr::from(u32::from(lan.broadcast()) - 1);
    let mut sources = vec![
        From { what: "a LAN machine".into(), address: last_in_lan, on_tailnet: false },
        From {
            what: "a pod".into(),
            address: Ipv4Addr::from(u32::from(cluster.kubernetes.pod_cidr.network()) + 77),
            on_tailnet: false,
        },
        From { what: "a machine outside".into(), address: Ipv4Addr::new(203, 0, 113, 9), on_tailnet: false },
    ];
    // Every other cluster member: a control plane (which reaches kubelets) or a worker (which
    // Prometheus scrapes from, with monitoring on, and which must not reach kubelets otherwise).
    for member in cluster.hosts.iter().filter(|h| h.roles.in_cluster() && address(&h.lan_address) != server) {
        let role = if member.roles.control_plane { "control plane" } else { "worker" };
        sources.push(From {
            what: format!("{role} {}", member.name),
            address: address(&member.lan_address),
            on_tailnet: false,
        });
    }
    for from in &sources {
        let prefix = if from.address == last_in_lan { lan.prefix_len() } else { 32 };
        cli.exec(&["ip", "addr", "add", &format!("{}/{prefix}", from.address), "dev", "peer0"]);
    }
    cli.exec(&["ip", "route", "add", "default", "dev", "peer0"]);
    let tailnet_server = Ipv4Addr::new(100, 64, 0, 1);
    if tailscale.enable {
        link(&srv, tailscale.interface.as_str(), &cli, "tspeer");
        srv.exec(&["ip", "addr", "add", "100.64.0.1/10", "dev", tailscale.interface.as_str()]);
        cli.exec(&["ip", "addr", "add", "100.64.0.2/10", "dev", "tspeer"]);
        sources.push(From { what: "the tailnet".into(), address: Ipv4Addr::new(100, 64, 0, 2), on_tailnet: true });
    }
    srv.script(&firewall_script(options, &opened_by_modules));

    // Every port the host serves, and ports it must not open: etcd, flannel's UDP backend, the
    // scheduler, the controller manager, kube-proxy's metrics, node-exporter (open only with
    // monitoring), a NodePort, an arbitrary one.
    let listeners = cluster.listeners(host);
    let mut ports: BTreeSet<(bool, u16)> = listeners
        .iter()
        .filter(|l| !l.from.contains(&Source::Loopback))
        .map(|l| (l.protocol.as_str() == "udp", l.ports.0))
        .collect();
    let closed = [
        (false, 2379),
        (true, 8285),
        (false, 10251),
        (false, 10252),
        (false, 10249),
        (false, 9100),
        (false, 30080),
        (false, 9999),
        (true, 9999),
    ];
    ports.extend(closed);
    serve(srv.within(|| ports.iter().map(|&(udp, port)| listen(udp, port)).collect()));

    let mut wrong = Vec::new();
    for &(udp, port) in &ports {
        let listener = listeners.iter().find(|l| (l.protocol.as_str() == "udp") == udp && l.binds(port));
        for from in &sources {
            let expected = match listener {
                Some(l) if l.opener == Opener::NixosModule => true,
                Some(l) => admitted(cluster, &l.from, from, tailnet_trusted),
                None => from.on_tailnet && tailnet_trusted,
            };
            let target = if from.on_tailnet { tailnet_server } else { server };
            let got = cli.within(|| probe(udp, from.address, target, port));
            if got != expected {
                let what = listener.map_or("nothing", |l| l.service);
                let protocol = if udp { "udp" } else { "tcp" };
                wrong.push(format!(
                    "{name}/{}: {protocol} {port} ({what}) from {} ({}): {} but the table says {}",
                    host.name,
                    from.what,
                    from.address,
                    if got { "open" } else { "refused" },
                    if expected { "open" } else { "refused" }
                ));
            }
        }
    }
    wrong
}

/// The reference cluster under least privilege, its Tailscale interface not trusted, so that
/// every kind of opening is exercised.
fn reference_least_privilege() -> Cluster {
    let root = common::manifest_dir().join("../../homeflake.toml");
    let text = std::fs::read_to_string(root).unwrap();
    let text = text
        .replacen(
            "mode = \"trusted-cidrs\"\ntrusted-cidrs = [\"10.0.0.0/8\", \"192.168.10.0/24\"]",
            "mode = \"least-privilege\"",
            1,
        )
        .replacen("trust-interface = true ", "trust-interface = false ", 1);
    assert!(text.contains("mode = \"least-privilege\"") && text.contains("trust-interface = false"));
    from_toml_str("homeflake.toml", &text).unwrap_or_else(|e| panic!("{e}")).cluster
}

#[test]
fn every_flow_of_the_table_gets_through_and_nothing_else() {
    let Some(nix) = nix_instantiate() else { return };
    if !common::netns::available(&[]) {
        return;
    }
    let mut wrong = Vec::new();
    wrong.extend(check_cluster(nix, "fleet", &cluster("tests/inventories/fleet")));
    wrong.extend(check_cluster(nix, "single-node", &cluster("tests/inventories/single-node")));
    wrong.extend(check_cluster(nix, "ha-k3s", &cluster("tests/inventories/ha-k3s")));
    wrong.extend(check_cluster(nix, "reference (least privilege)", &reference_least_privilege()));
    assert!(wrong.is_empty(), "{} probes disagree with the table of flows:\n{}", wrong.len(), wrong.join("\n"));
}
