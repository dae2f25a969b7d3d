//! Cross-field validation of a cluster, shared by the loader and the builders.
//!
//! Every check runs and every problem is reported. Each diagnostic comes with a locator (the key
//! path with hosts by index, `hosts.#2.roles`) that the loader maps to a file position; the
//! diagnostic's own path names hosts by name (`hosts.hanaakari.roles`). The whole pass is
//! O(N log N) in the number of hosts: lookups go through hash maps, never nested scans.

use std::collections::HashMap;
use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

use crate::cluster::Cluster;
use crate::diagnostic::{Code, Diagnostic};
use crate::firewall::FirewallMode;
use crate::host::Host;
use crate::names::{AcmeChallenge, HostName, System};
use crate::secret::Secret;
use crate::split_dns::SplitDnsNetwork;
use crate::suggest::closest;
use crate::tailscale::tailnet_range;

/// A diagnostic with its locator.
pub(crate) type Located = (String, Diagnostic);

/// Adds what validation assumes: the ingress host carries the ingress node selector.
pub(crate) fn normalize(cluster: &mut Cluster) {
    if let Some(ingress) = &cluster.ingress
        && let Some(host) = cluster.hosts.iter_mut().find(|h| h.name == ingress.host)
    {
        for (k, v) in &ingress.node_selector {
            host.labels.entry(k.clone()).or_insert_with(|| v.clone());
        }
    }
}

struct Cx<'a> {
    cluster: &'a Cluster,
    by_name: HashMap<&'a str, usize>,
    out: Vec<Located>,
}

impl<'a> Cx<'a> {
    fn push(&mut self, locator: String, d: Diagnostic) {
        self.out.push((locator, d));
    }

    /// Locator and display path of a host's key.
    fn host_key(&self, index: usize, key: &str) -> (String, String) {
        let name = &self.cluster.hosts[index].name;
        if key.is_empty() {
            (format!("hosts.#{index}"), format!("hosts.{name}"))
        } else {
            (format!("hosts.#{index}.{key}"), format!("hosts.{name}.{key}"))
        }
    }

    /// Resolves a reference to a host, reporting a missing one with the closest name.
    fn host_ref(&mut self, name: &HostName, locator: &str, what: &str) -> Option<&'a Host> {
        if let Some(&i) = self.by_name.get(name.as_str()) {
            return Some(&self.cluster.hosts[i]);
        }
        let names: Vec<&str> = (0..self.cluster.hosts.len())
            .filter(|i| self.by_name.get(self.cluster.hosts[*i].name.as_str()) == Some(i))
            .map(|i| self.cluster.hosts[i].name.as_str())
            .collect();
        let allowed = if names.is_empty() {
            "a host defined in the inventory (there are none)".to_owned()
        } else {
            names.join(", ")
        };
        let suggestion = closest(name.as_str(), names.iter().copied());
        self.push(
            locator.to_owned(),
            Diagnostic::error(Code::UnknownHost, locator, format!("{what} {name:?} is not a host of the inventory"))
                .with_allowed(allowed)
                .with_suggestion(suggestion),
        );
        None
    }
}

fn overlaps(a: &Ipv4Net, b: &Ipv4Net) -> bool {
    a.contains(&b.network()) || b.contains(&a.network())
}

/// Validates `cluster`: every error and warning, each with its locator.
pub(crate) fn validate(cluster: &Cluster) -> Vec<Located> {
    let mut by_name = HashMap::with_capacity(cluster.hosts.len());
    let mut cx = Cx { cluster, by_name: HashMap::new(), out: Vec::new() };
    for (i, host) in cluster.hosts.iter().enumerate() {
        if let Some(&first) = by_name.get(host.name.as_str()) {
            let (loc, path) = cx.host_key(i, "name");
            cx.push(
                loc,
                Diagnostic::error(
                    Code::DuplicateHost,
                    path,
                    format!("host name {:?} is used twice", host.name.as_str()),
                )
                .with_allowed(format!("a name no other host has (host number {} already has it)", first + 1)),
            );
        } else {
            by_name.insert(host.name.as_str(), i);
        }
    }
    cx.by_name = by_name;
    network(&mut cx);
    hosts(&mut cx);
    roles(&mut cx);
    kubernetes(&mut cx);
    ranges(&mut cx);
    services(&mut cx);
    ceph(&mut cx);
    tls(&mut cx);
    storage(&mut cx);
    crate::validate_apps::validate(cluster, &mut cx.out);
    users_and_pin(&mut cx);
    port_collisions(&mut cx);
    impossible_values(&mut cx);
    deploy(&mut cx);
    system_disks(&mut cx);
    cx.out
}

/// A system disk is a UEFI PC's (a Raspberry Pi starts from its SD card) and never one of the
/// host's Ceph OSD disks, which the install would erase and Rook would then take.
fn system_disks(cx: &mut Cx<'_>) {
    for (i, host) in cx.cluster.hosts.iter().enumerate() {
        let Some(disk) = &host.system_disk else { continue };
        if host.hardware != crate::names::Hardware::UefiPc {
            let (loc, p) = cx.host_key(i, "system-disk");
            cx.push(
                loc,
                Diagnostic::error(
                    Code::ConflictingKeys,
                    p,
                    format!("hardware {} starts from its SD card, which the SD-card image lays out", host.hardware),
                )
                .with_allowed("system-disk on a host with hardware = \"uefi-pc\" only; leave it out here"),
            );
        }
        if cx.cluster.ceph_osd_devices(host).any(|osd| osd == disk) {
            let (loc, p) = cx.host_key(i, "system-disk");
            cx.push(
                loc,
                Diagnostic::error(
                    Code::ConflictingKeys,
                    p,
                    format!(
                        "{disk} is also a Ceph OSD disk of {}: the install would erase it and Rook would take it",
                        host.name
                    ),
                )
                .with_allowed("the disk NixOS is installed on, which no ceph.osds entry of this host names"),
            );
        }
    }
}

fn network(cx: &mut Cx<'_>) {
    let net = cx.cluster.network.lan;
    let gw = cx.cluster.network.gateway;
    if !net.contains(&gw) || gw == net.network() || (net.prefix_len() < 31 && gw == net.broadcast()) {
        cx.push(
            "network.gateway".into(),
            Diagnostic::error(
                Code::OutsideNetwork,
                "network.gateway",
                format!("gateway {gw} is not a host address in the LAN {net}"),
            )
            .with_allowed(format!("an address from {} to {}", first_host(net), last_host(net))),
        );
    }
}

fn first_host(net: Ipv4Net) -> Ipv4Addr {
    if net.prefix_len() >= 31 { net.network() } else { Ipv4Addr::from(u32::from(net.network()) + 1) }
}

fn last_host(net: Ipv4Net) -> Ipv4Addr {
    if net.prefix_len() >= 31 { net.broadcast() } else { Ipv4Addr::from(u32::from(net.broadcast()) - 1) }
}

fn secret_at_eval(cx: &mut Cx<'_>, secret: &Secret<Ipv4Addr>, index: usize, key: &str) {
    if let Secret::File(path) = secret {
        let (loc, p) = cx.host_key(index, key);
        cx.push(
            loc,
            Diagnostic::error(
                Code::SecretReference,
                p,
                format!("{{ file = {:?} }} is read on the machine at run time, but this address is needed when Nix evaluates the configuration", path.as_str()),
            )
            .with_allowed("a literal address or { env = \"NAME\" } (read at evaluation time with --impure)"),
        );
    }
}

fn hosts(cx: &mut Cx<'_>) {
    let net = cx.cluster.network.lan;
    let gw = cx.cluster.network.gateway;
    let tailnet = tailnet_range();
    let mut lan_seen: HashMap<Ipv4Addr, usize> = HashMap::new();
    let mut tailnet_seen: HashMap<Ipv4Addr, usize> = HashMap::new();
    for (i, host) in cx.cluster.hosts.iter().enumerate() {
        if host.hardware.system() != host.system {
            let (loc, p) = cx.host_key(i, "system");
            cx.push(
                loc,
                Diagnostic::error(
                    Code::SystemMismatch,
                    p,
                    format!("hardware {} runs {}, not {}", host.hardware, host.hardware.system(), host.system),
                )
                .with_allowed(format!("{} (or leave system out: it follows the hardware)", host.hardware.system())),
            );
        }
        secret_at_eval(cx, &host.lan_address, i, "lan-address");
        if let Secret::Literal(addr) = host.lan_address {
            let (loc, p) = cx.host_key(i, "lan-address");
            if !net.contains(&addr) || addr == net.network() || (net.prefix_len() < 31 && addr == net.broadcast()) {
                cx.push(
                    loc.clone(),
                    Diagnostic::error(
                        Code::OutsideNetwork,
                        p.clone(),
                        format!("address {addr} is not a host address in the LAN {net}"),
                    )
                    .with_allowed(format!(
                        "an address from {} to {}, other than the gateway",
                        first_host(net),
                        last_host(net)
                    )),
                );
            } else if addr == gw {
                cx.push(
                    loc.clone(),
                    Diagnostic::error(Code::DuplicateAddress, p.clone(), format!("address {addr} is the gateway's"))
                        .with_allowed(format!("an address in {net} other than the gateway {gw}")),
                );
            }
            if let Some(&first) = lan_seen.get(&addr) {
                let other = cx.cluster.hosts[first].name.as_str();
                cx.push(
                    loc,
                    Diagnostic::error(Code::DuplicateAddress, p, format!("address {addr} is also {other}'s"))
                        .with_allowed("a LAN address no other host has"),
                );
            } else {
                lan_seen.insert(addr, i);
            }
        }
        if let Some(t) = &host.tailnet_address {
            secret_at_eval(cx, t, i, "tailnet-address");
            if let Secret::Literal(addr) = *t {
                let (loc, p) = cx.host_key(i, "tailnet-address");
                if !tailnet.contains(&addr) {
                    cx.push(
                        loc.clone(),
                        Diagnostic::error(
                            Code::OutsideNetwork,
                            p.clone(),
                            format!("tailnet address {addr} is outside the tailnet range {tailnet}"),
                        )
                        .with_allowed("an address in 100.64.0.0/10 (as shown by `tailscale ip -4`)"),
                    );
                }
                if let Some(&first) = tailnet_seen.get(&addr) {
                    let other = cx.cluster.hosts[first].name.as_str();
                    cx.push(
                        loc,
                        Diagnostic::error(
                            Code::DuplicateAddress,
                            p,
                            format!("tailnet address {addr} is also {other}'s"),
                        )
                        .with_allowed("a tailnet address no other host has"),
                    );
                } else {
                    tailnet_seen.insert(addr, i);
                }
            }
        }
    }
}

fn roles(cx: &mut Cx<'_>) {
    let cluster = cx.cluster;
    let k3s = cluster.kubernetes.is_k3s();
    let control: Vec<usize> = (0..cluster.hosts.len()).filter(|&i| cluster.hosts[i].roles.control_plane).collect();
    if control.is_empty() {
        let (message, allowed) = if k3s {
            (
                "no host has the control-plane role: k3s agents (workers) join a k3s server, and there is none",
                "one or more hosts (an odd number) with roles = [\"control-plane\"] or [\"control-plane\", \"worker\"]; they run k3s servers",
            )
        } else {
            (
                "no host has the control-plane role",
                "exactly one host with roles = [\"control-plane\"] or [\"control-plane\", \"worker\"]",
            )
        };
        cx.push("hosts".into(), Diagnostic::error(Code::NoControlPlane, "hosts", message).with_allowed(allowed));
    } else if control.len() > 1 && cluster.kubernetes.uses_easy_certs() {
        let names: Vec<&str> = control.iter().map(|&i| cluster.hosts[i].name.as_str()).collect();
        for &i in &control[1..] {
            let (loc, p) = cx.host_key(i, "roles");
            cx.push(
                loc,
                Diagnostic::error(
                    Code::SeveralControlPlanes,
                    p,
                    format!(
                        "{} control planes ({}) while kubernetes.easy-certs is on: easyCerts supports one master (one cfssl certificate authority, and the API name resolves to one host)",
                        names.len(),
                        names.join(", ")
                    ),
                )
                .with_allowed("one control-plane host, kubernetes.easy-certs = false with certificates managed otherwise, or kubernetes.flavour = \"k3s\" (several servers share an embedded etcd)"),
            );
        }
    } else if k3s && control.len().is_multiple_of(2) {
        let names: Vec<&str> = control.iter().map(|&i| cluster.hosts[i].name.as_str()).collect();
        let (loc, p) = cx.host_key(control[control.len() - 1], "roles");
        cx.push(
            loc,
            Diagnostic::warning(
                Code::EvenControlPlanes,
                p,
                format!(
                    "{} k3s servers ({}): their embedded etcd keeps quorum by majority, so {} servers survive no more failures than {}",
                    names.len(),
                    names.join(", "),
                    names.len(),
                    names.len() - 1
                ),
            )
            .with_allowed("an odd number of control-plane hosts (1, 3 or 5)"),
        );
    }
    if !cluster.hosts.iter().any(|h| h.roles.worker) {
        cx.push(
            "hosts".into(),
            Diagnostic::error(Code::NoWorker, "hosts", "no host can run workloads: none has the worker role")
                .with_allowed("at least one host with \"worker\" in its roles (the control plane may have it too)"),
        );
    }
}

fn kubernetes(cx: &mut Cx<'_>) {
    let k = &cx.cluster.kubernetes;
    if !k.is_k3s() && k.dns.enable && k.dns.coredns_image.is_none() {
        // Every Kubernetes host seeds the DNS add-on's image, whose hash differs per architecture.
        let arm = cx.cluster.hosts.iter().find(|h| h.roles.in_cluster() && h.system == System::Aarch64Linux);
        if let Some(host) = arm {
            let name = host.name.clone();
            cx.push(
                "kubernetes.dns.coredns-image".into(),
                Diagnostic::error(
                    Code::MissingArm64Image,
                    "kubernetes.dns.coredns-image",
                    format!("host {name:?} is aarch64-linux and in the cluster, and the DNS add-on is on, but no arm64 coredns image is pinned (every Kubernetes host seeds the add-on's image, and the default one is amd64)"),
                )
                .with_allowed(
                    "[kubernetes.dns.coredns-image] with image-name = \"coredns/coredns\", image-digest = \"sha256:a0ead06651cf580044aeb0a0feba63591858fb2e43ade8c9dea45a6a89ae7e5e\", final-image-tag = \"1.10.1\", sha256 = \"0c4vdbklgjrzi6qc5020dvi8x3mayq4li09rrq2w0hcjdljj0yf9\"; or kubernetes.dns.enable = false",
                ),
            );
        }
    }
    if k.uses_easy_certs() && cx.cluster.hosts.iter().any(|h| h.roles.in_cluster()) {
        cx.push(
            "kubernetes.easy-certs".into(),
            Diagnostic::warning(
                Code::EasyCerts,
                "kubernetes.easy-certs",
                "easyCerts is on: upstream says it is not meant for production-grade clusters; workers join with the token from /var/lib/cfssl/apitoken.secret (nixos-kubernetes-node-join)",
            )
            .with_allowed("true for a home lab, or false with certificates managed otherwise"),
        );
    }
    k3s(cx);
}

/// The k3s settings: present exactly under the k3s flavour, a token file systemd can read from the
/// command line, and no nixpkgs-only image pin (the decoder reports the other nixpkgs-only keys).
fn k3s(cx: &mut Cx<'_>) {
    let k = &cx.cluster.kubernetes;
    match (&k.k3s, k.is_k3s()) {
        (None, true) => cx.push(
            "kubernetes.k3s".into(),
            Diagnostic::error(Code::MissingKey, "kubernetes.k3s", "flavour = \"k3s\" needs [kubernetes.k3s]")
                .with_allowed("[kubernetes.k3s] with token-file = \"/absolute/path\""),
        ),
        (Some(_), false) => cx.push(
            "kubernetes.k3s".into(),
            Diagnostic::error(
                Code::ConflictingKeys,
                "kubernetes.k3s",
                format!("[kubernetes.k3s] applies only to flavour = \"k3s\", and this cluster's is \"{}\"", k.flavour),
            )
            .with_allowed("flavour = \"k3s\", or no [kubernetes.k3s]"),
        ),
        (Some(settings), true) if settings.token_file.as_str().contains('%') => cx.push(
            "kubernetes.k3s.token-file".into(),
            Diagnostic::error(
                Code::InvalidValue,
                "kubernetes.k3s.token-file",
                format!(
                    "token file {} has '%', which systemd reads as a specifier in the k3s command line",
                    settings.token_file
                ),
            )
            .with_allowed("an absolute path without '%' (such as /run/secrets/k3s-token)"),
        ),
        _ => {}
    }
    if k.is_k3s() && k.dns.coredns_image.is_some() {
        cx.push(
            "kubernetes.dns.coredns-image".into(),
            Diagnostic::error(
                Code::ConflictingKeys,
                "kubernetes.dns.coredns-image",
                "dns.coredns-image applies only to flavour = \"nixpkgs\": k3s deploys CoreDNS from a multi-architecture image itself",
            )
            .with_allowed("no coredns-image under flavour = \"k3s\""),
        );
    }
}

fn ranges(cx: &mut Cx<'_>) {
    let c = cx.cluster;
    let mut named: Vec<(&str, &str, Ipv4Net)> = vec![
        ("kubernetes.pod-cidr", "pod CIDR", c.kubernetes.pod_cidr),
        ("kubernetes.service-cidr", "service CIDR", c.kubernetes.service_cidr),
        ("network.lan", "LAN", c.network.lan),
    ];
    if c.tailscale.enable {
        named.push(("tailscale", "tailnet range", tailnet_range()));
    }
    for i in 0..named.len() {
        for j in i + 1..named.len() {
            let (ka, na, a) = named[i];
            let (kb, nb, b) = named[j];
            if overlaps(&a, &b) {
                let (loc, other) = if kb == "tailscale" || kb == "network.lan" && ka != "network.lan" {
                    (ka, (nb, b))
                } else {
                    (kb, (na, a))
                };
                let this = if loc == ka { (na, a) } else { (nb, b) };
                cx.push(
                    loc.into(),
                    Diagnostic::error(
                        Code::OverlappingRanges,
                        loc,
                        format!("the {} {} overlaps the {} {}", this.0, this.1, other.0, other.1),
                    )
                    .with_allowed(
                        "ranges that share no address: pod CIDR, service CIDR, LAN and the tailnet's 100.64.0.0/10",
                    ),
                );
            }
        }
    }
    if let FirewallMode::TrustedCidrs { cidrs } = &c.firewall.mode {
        let pod = c.kubernetes.pod_cidr;
        let svc = c.kubernetes.service_cidr;
        let needed = (1u64 << (32 - pod.prefix_len())) + (1u64 << (32 - svc.prefix_len()));
        for (i, cidr) in cidrs.iter().enumerate() {
            let size = 1u64 << (32 - cidr.prefix_len());
            if (cidr.contains(&pod) || cidr.contains(&svc)) && size > 4 * needed {
                let loc = format!("firewall.trusted-cidrs[{i}]");
                cx.push(
                    loc.clone(),
                    Diagnostic::warning(
                        Code::BroadTrustedRange,
                        loc,
                        format!("{cidr} trusts {size} addresses, far more than the pod range {pod} and service range {svc} it exists for"),
                    )
                    .with_allowed(format!("the pod CIDR {pod} and the service CIDR {svc}, or firewall.mode = \"least-privilege\"")),
                );
            }
        }
    }
}

fn services(cx: &mut Cx<'_>) {
    let c = cx.cluster;
    if let Some(ingress) = &c.ingress {
        if let Some(host) = cx.host_ref(&ingress.host, "ingress.host", "ingress host") {
            let i = cx.by_name[host.name.as_str()];
            for (k, v) in &ingress.node_selector {
                if host.labels.get(k).is_some_and(|have| have != v) {
                    let (loc, p) = cx.host_key(i, "labels");
                    cx.push(
                        loc,
                        Diagnostic::error(
                            Code::InvalidValue,
                            p,
                            format!("label {k} differs from the ingress node selector {k}={v}"),
                        )
                        .with_allowed(format!("{k} = {:?}, or change ingress.node-selector", v.as_str())),
                    );
                }
            }
        }
        if ingress.node_ports.http == ingress.node_ports.https {
            cx.push(
                "ingress.node-ports.https".into(),
                Diagnostic::error(
                    Code::EqualPorts,
                    "ingress.node-ports.https",
                    format!("the HTTP and HTTPS NodePorts are both {}", ingress.node_ports.http),
                )
                .with_allowed("two different NodePorts from 30000 to 32767 (defaults 31080 and 31443)"),
            );
        }
        if ingress.listen_ports.http == ingress.listen_ports.https {
            cx.push(
                "ingress.listen-ports.https".into(),
                Diagnostic::error(
                    Code::EqualPorts,
                    "ingress.listen-ports.https",
                    format!("the HTTP and HTTPS listen ports are both {}", ingress.listen_ports.http),
                )
                .with_allowed("two different ports (defaults 80 and 443)"),
            );
        }
    }
    if let Some(dns) = &c.split_dns {
        let on_tailnet = dns.network == SplitDnsNetwork::Tailnet;
        if on_tailnet && !c.tailscale.enable {
            cx.push(
                "split-dns.network".into(),
                Diagnostic::error(
                    Code::MissingTailnetAddress,
                    "split-dns.network",
                    "split DNS is served on the tailnet, but tailscale.enable is false",
                )
                .with_allowed(
                    "split-dns.network = \"lan\" (the LAN's resolver forwards the zone), or tailscale.enable = true",
                ),
            );
        }
        let server = cx.host_ref(&dns.server_host, "split-dns.server-host", "split-DNS server");
        let answer = cx.host_ref(&dns.answer_host, "split-dns.answer-host", "split-DNS answer host");
        if on_tailnet && c.tailscale.enable {
            for (host, key) in [(server, "split-dns.server-host"), (answer, "split-dns.answer-host")] {
                if let Some(host) = host.filter(|h| h.tailnet_address.is_none()) {
                    cx.push(
                        key.into(),
                        Diagnostic::warning(
                            Code::SplitDnsPending,
                            key,
                            format!("split DNS is left out until host {:?} has a tailnet address", host.name.as_str()),
                        )
                        .with_allowed(format!(
                            "hosts.{}.tailnet-address, once the host has joined the tailnet (`tailscale ip -4` on it; docs/bootstrap.md)",
                            host.name
                        )),
                    );
                }
            }
        }
    }
}

fn ceph(cx: &mut Cx<'_>) {
    let Some(ceph) = &cx.cluster.ceph else { return };
    let mut seen: HashMap<(&str, &str), usize> = HashMap::new();
    for (i, osd) in ceph.osds.iter().enumerate() {
        let loc = format!("ceph.osds[{i}].host");
        if let Some(host) = cx.host_ref(&osd.host, &loc, "Ceph OSD host")
            && !host.roles.worker
        {
            let why = if host.roles.in_cluster() {
                "is not a worker, so no OSD pod can run on it"
            } else {
                "is outside Kubernetes (it has no role), so Rook cannot run an OSD on it"
            };
            cx.push(
                loc.clone(),
                Diagnostic::error(Code::WrongRole, loc.clone(), format!("Ceph OSD host {:?} {why}", osd.host.as_str()))
                    .with_allowed("a host with \"worker\" in its roles"),
            );
        }
        if let Some(first) = seen.insert((osd.host.as_str(), osd.device.as_str()), i) {
            let loc = format!("ceph.osds[{i}].device");
            cx.push(
                loc.clone(),
                Diagnostic::error(
                    Code::DuplicateEntry,
                    loc,
                    format!("disk {} on {} is listed twice (also ceph.osds[{first}])", osd.device, osd.host),
                )
                .with_allowed("each disk once"),
            );
        }
    }
    for (i, host) in cx.cluster.hosts.iter().enumerate() {
        if !host.roles.worker {
            continue;
        }
        let modules = cx.cluster.kernel_modules(host);
        let missing: Vec<&str> =
            ["ceph", "rbd"].into_iter().filter(|m| !modules.iter().any(|k| k.as_str() == *m)).collect();
        if !missing.is_empty() {
            let (loc, p) = cx.host_key(i, "kernel-modules");
            cx.push(
                loc,
                Diagnostic::warning(
                    Code::MissingCephModules,
                    p,
                    format!("worker {:?} does not load the Ceph kernel module(s) {} while Ceph is on", host.name.as_str(), missing.join(", ")),
                )
                .with_allowed("ceph.kernel-modules = [\"ceph\", \"rbd\"] (loaded on every worker), or the modules in the host's kernel-modules"),
            );
        }
    }
}

fn tls(cx: &mut Cx<'_>) {
    let c = cx.cluster;
    let Some(tls) = &c.tls else { return };
    if c.ingress.is_none() {
        cx.push(
            "tls".into(),
            Diagnostic::error(
                Code::RequiresSection,
                "tls",
                "[tls] makes a wildcard certificate for Traefik, but there is no [ingress] and so no Traefik",
            )
            .with_allowed("[ingress] with [tls], or no [tls]"),
        );
    }
    if tls.challenge == AcmeChallenge::Http01 {
        let why = match &c.split_dns {
            Some(dns) => format!(
                "split DNS answers {} only on the tailnet, and outside it the zone resolves to 127.0.0.1, so the ACME server's HTTP request can never reach the cluster",
                dns.zone
            ),
            None => format!("HTTP-01 cannot issue the wildcard certificate *.{} that Traefik serves", c.zone()),
        };
        cx.push(
            "tls.challenge".into(),
            Diagnostic::error(
                Code::AcmeChallenge,
                "tls.challenge",
                format!("the HTTP-01 challenge cannot succeed: {why}"),
            )
            .with_allowed("challenge = \"dns-01\" (a TXT record through the DNS provider's API)"),
        );
    }
    if tls.dns_api_token.literal().is_some() {
        cx.push(
            "tls.dns-api-token".into(),
            Diagnostic::error(
                Code::SecretReference,
                "tls.dns-api-token",
                "the DNS provider's API token is written into the inventory (not shown here); it would be committed to git",
            )
            .with_allowed("{ env = \"NAME\" } or { file = \"/path\" }: where the token is kept when you create its Kubernetes Secret"),
        );
    }
}

fn storage(cx: &mut Cx<'_>) {
    let c = cx.cluster;
    let Some(storage) = &c.storage else { return };
    let osd_hosts = c.osd_hosts();
    if osd_hosts.is_empty() {
        cx.push(
            "storage".into(),
            Diagnostic::error(
                Code::RequiresSection,
                "storage",
                "[storage] runs Rook Ceph, but [ceph] lists no OSD disk",
            )
            .with_allowed("[[ceph.osds]] entries with host and device, or no [storage]"),
        );
    }
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (i, name) in storage.mon_hosts.iter().enumerate() {
        let loc = format!("storage.mon-hosts[{i}]");
        if let Some(&first) = seen.get(name.as_str()) {
            cx.push(
                loc.clone(),
                Diagnostic::error(
                    Code::DuplicateEntry,
                    loc,
                    format!("monitor host {name:?} is listed twice (also storage.mon-hosts[{first}])"),
                )
                .with_allowed("each host once"),
            );
            continue;
        }
        seen.insert(name.as_str(), i);
        if let Some(host) = cx.host_ref(name, &loc, "Ceph monitor host")
            && !host.roles.worker
        {
            cx.push(
                loc.clone(),
                Diagnostic::error(
                    Code::WrongRole,
                    loc,
                    format!("Ceph monitor host {name:?} is not a worker, so no monitor pod can run on it"),
                )
                .with_allowed("a host with \"worker\" in its roles"),
            );
        }
    }
    let mon_hosts = c.mon_hosts().len();
    if let Some(count) = storage.mon_count {
        let problem = if count == 0 {
            Some("mon-count is 0: Ceph needs at least one monitor".to_owned())
        } else if count.is_multiple_of(2) {
            Some(format!(
                "mon-count {count} is even: monitors keep quorum by majority, so {count} survive no more failures than {}",
                count - 1
            ))
        } else if count as usize > mon_hosts {
            Some(format!(
                "mon-count {count} is more than the {mon_hosts} host(s) that can run a monitor (Rook runs one per host)"
            ))
        } else {
            None
        };
        if let Some(message) = problem {
            let largest_odd = if mon_hosts.is_multiple_of(2) { mon_hosts.saturating_sub(1) } else { mon_hosts };
            cx.push(
                "storage.mon-count".into(),
                Diagnostic::error(Code::CephLayout, "storage.mon-count", message)
                    .with_allowed(format!("an odd number from 1 to {}", largest_odd.max(1))),
            );
        }
    }
    if let Some(size) = storage.replication
        && !osd_hosts.is_empty()
        && (size == 0 || size as usize > osd_hosts.len())
    {
        let hosts: Vec<&str> = osd_hosts.iter().map(|h| h.as_str()).collect();
        cx.push(
            "storage.replication".into(),
            Diagnostic::error(
                Code::CephLayout,
                "storage.replication",
                format!(
                    "replication {size} needs {size} hosts with OSD disks (each copy on its own host), but only {} ha{} one: {}",
                    hosts.len(),
                    if hosts.len() == 1 { "s" } else { "ve" },
                    hosts.join(", ")
                ),
            )
            .with_allowed(format!("a number from 1 to {}, or more [[ceph.osds]] hosts", hosts.len())),
        );
    } else if c.replication() == 1 && !osd_hosts.is_empty() {
        cx.push(
            "storage.replication".into(),
            Diagnostic::warning(
                Code::SingleReplica,
                "storage.replication",
                match osd_hosts.as_slice() {
                    [only] => format!(
                        "Ceph keeps one copy of every object (only {only} has OSD disks): losing a disk loses the data on it"
                    ),
                    _ => "Ceph keeps one copy of every object (replication = 1): losing a disk loses the data on it"
                        .to_owned(),
                },
            )
            .with_allowed("OSD disks on more hosts, then replication = 2 or 3 (the default follows the OSD hosts)"),
        );
    }
    if let Some(ceph) = &c.ceph {
        for (i, host) in c.hosts.iter().enumerate() {
            if !host.roles.worker {
                continue;
            }
            let root_dir = c.kubelet_root_dir(host);
            if root_dir != ceph.kubelet_root_dir.as_str() {
                let (loc, p) = cx.host_key(i, "kubelet-flags");
                cx.push(
                    loc,
                    Diagnostic::error(
                        Code::CrossLayerMismatch,
                        p,
                        format!(
                            "kubelet on {:?} keeps pods under {root_dir}, but Rook's CSI plugin mounts ceph.kubelet-root-dir = {}",
                            host.name.as_str(),
                            ceph.kubelet_root_dir
                        ),
                    )
                    .with_allowed(format!("--root-dir={} (or no --root-dir flag), or change ceph.kubelet-root-dir", ceph.kubelet_root_dir)),
                );
            }
        }
    }
}

fn users_and_pin(cx: &mut Cx<'_>) {
    let c = cx.cluster;
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (i, user) in c.users.iter().enumerate() {
        if seen.insert(user.name.as_str(), i).is_some() {
            let loc = format!("users[{i}].name");
            cx.push(
                loc.clone(),
                Diagnostic::error(Code::DuplicateEntry, loc, format!("user {:?} is defined twice", user.name.as_str()))
                    .with_allowed("each user once"),
            );
        }
    }
    if let Some(release) = c.nixpkgs_release()
        && c.state_version > release
    {
        cx.push(
            "state-version".into(),
            Diagnostic::error(
                Code::InvalidValue,
                "state-version",
                format!("state version {} is newer than the pinned nixpkgs release {release}", c.state_version),
            )
            .with_allowed(format!("the release the hosts were first installed with, {release} or older")),
        );
    }
    let pin = &c.nixpkgs;
    let set = [pin.rev.is_some(), pin.nar_hash.is_some(), pin.last_modified.is_some()];
    if set.contains(&true) && set.contains(&false) {
        let missing: Vec<&str> =
            ["rev", "nar-hash", "last-modified"].into_iter().zip(set).filter(|(_, s)| !s).map(|(k, _)| k).collect();
        cx.push(
            "nixpkgs".into(),
            Diagnostic::error(
                Code::IncompletePin,
                "nixpkgs",
                format!("the nixpkgs lock is incomplete: {} missing", missing.join(", ")),
            )
            .with_allowed("rev, nar-hash and last-modified together, or none of them (then nix flake lock decides)"),
        );
    }
}

/// A host's deploy user exists and may use sudo (or is root), and a host is not told to build
/// locally a system the deploying machine cannot build.
fn deploy(cx: &mut Cx<'_>) {
    let c = cx.cluster;
    for (i, host) in c.hosts.iter().enumerate() {
        if let Some(name) = &host.deploy.user
            && name.as_str() != crate::deploy::ROOT
        {
            let (loc, p) = cx.host_key(i, "deploy.user");
            match c.users.iter().find(|u| &u.name == name) {
                None => {
                    let names: Vec<&str> = c.users.iter().map(|u| u.name.as_str()).collect();
                    let suggestion = closest(name.as_str(), names.iter().copied());
                    let allowed = names.iter().copied().chain([crate::deploy::ROOT]).collect::<Vec<_>>().join(", ");
                    cx.push(
                        loc,
                        Diagnostic::error(
                            Code::UnknownUser,
                            p,
                            format!("user {:?} is not a user of the inventory", name.as_str()),
                        )
                        .with_allowed(format!("a user of [[users]] in wheel, or root: {allowed}"))
                        .with_suggestion(suggestion),
                    );
                }
                Some(user) if !user.extra_groups.iter().any(|g| g.as_str() == "wheel") => cx.push(
                    loc,
                    Diagnostic::error(
                        Code::InvalidValue,
                        p,
                        format!(
                            "user {:?} is not in wheel, so sudo refuses it the activation of a new system",
                            name.as_str()
                        ),
                    )
                    .with_allowed("a user with extra-groups = [\"wheel\"], or root"),
                ),
                Some(_) => {}
            }
        }
        if host.deploy.build_on_target == Some(false) && !c.deploy.local_systems.contains(&host.system) {
            let (loc, p) = cx.host_key(i, "deploy.build-on-target");
            let local: Vec<&str> = c.deploy.local_systems.iter().map(|s| s.as_str()).collect();
            cx.push(
                loc,
                Diagnostic::error(
                    Code::ConflictingKeys,
                    p,
                    format!(
                        "build-on-target = false, but the deploying machine cannot build {} (deploy.local-systems = [{}])",
                        host.system,
                        local.join(", ")
                    ),
                )
                .with_allowed(format!(
                    "build-on-target = true, or add \"{}\" to deploy.local-systems when your machine can build it (binfmt emulation or a remote builder)",
                    host.system
                )),
            );
        }
    }
    if c.deploy.deploy_rs.rev().is_none() {
        cx.push(
            "deploy.deploy-rs".into(),
            Diagnostic::error(
                Code::InvalidValue,
                "deploy.deploy-rs",
                format!(
                    "{} names no commit, but the flake fetches it with builtins.getFlake, which needs one in pure evaluation",
                    c.deploy.deploy_rs
                ),
            )
            .with_allowed("a flake reference naming a commit, such as github:serokell/deploy-rs/<40 hex digits>"),
        );
    }
    let mut seen = Vec::new();
    for (i, system) in c.deploy.local_systems.iter().enumerate() {
        if seen.contains(&system) {
            let loc = format!("deploy.local-systems[{i}]");
            cx.push(
                loc.clone(),
                Diagnostic::error(Code::DuplicateEntry, loc, format!("system {system} is listed twice"))
                    .with_allowed("each system once"),
            );
        }
        seen.push(system);
    }
}

/// No two listeners of a host bind the same port, the API port stays out of the NodePort range
/// kube-proxy allocates from, and no host listener takes one of Traefik's NodePorts (kube-proxy
/// redirects those before the host sees them). Both keys are named.
fn port_collisions(cx: &mut Cx<'_>) {
    use crate::flows::Protocol;
    use crate::kubernetes::ports::NODE_PORTS;
    let c = cx.cluster;
    let api = c.kubernetes.api.port.get();
    if (NODE_PORTS.0..=NODE_PORTS.1).contains(&api) && c.hosts.iter().any(|h| h.roles.control_plane) {
        cx.push(
            "kubernetes.api.port".into(),
            Diagnostic::error(
                Code::EqualPorts,
                "kubernetes.api.port",
                format!(
                    "the API port {api} lies in the NodePort range {}-{} that kube-proxy allocates services from",
                    NODE_PORTS.0, NODE_PORTS.1
                ),
            )
            .with_allowed(format!("a port outside {}-{} (default 6443)", NODE_PORTS.0, NODE_PORTS.1)),
        );
    }
    let node_ports: Vec<(u16, &str)> = c
        .ingress
        .iter()
        .flat_map(|i| {
            [
                (i.node_ports.http.get(), "ingress.node-ports.http"),
                (i.node_ports.https.get(), "ingress.node-ports.https"),
            ]
        })
        .collect();
    let mut reported = std::collections::HashSet::new();
    for (index, host) in c.hosts.iter().enumerate() {
        let listeners = c.listeners(host);
        let mut seen: HashMap<(Protocol, u16), &crate::flows::Listener> = HashMap::new();
        for listener in &listeners {
            for port in listener.ports.0..=listener.ports.1 {
                if let Some(first) = seen.insert((listener.protocol, port), listener)
                    && first.key != listener.key
                    && reported.insert((first.key, listener.key, port))
                {
                    let (loc, p) = cx.host_key(index, "");
                    let locator = if listener.key.contains('.') { listener.key.to_owned() } else { loc };
                    cx.push(
                        locator,
                        Diagnostic::error(
                            Code::EqualPorts,
                            listener.key,
                            format!(
                                "{p} would bind {} port {port} twice: {} ({}) and {} ({})",
                                listener.protocol, first.service, first.key, listener.service, listener.key
                            ),
                        )
                        .with_allowed(format!("a port other than {port} for {} or {}", first.key, listener.key)),
                    );
                }
            }
            if host.roles.in_cluster() {
                for &(node_port, key) in &node_ports {
                    if listener.protocol == Protocol::Tcp
                        && listener.binds(node_port)
                        && reported.insert((key, listener.key, node_port))
                    {
                        cx.push(
                            listener.key.to_owned(),
                            Diagnostic::error(
                                Code::EqualPorts,
                                listener.key,
                                format!(
                                    "{} ({}) would listen on {node_port}, the Traefik NodePort {key}: kube-proxy redirects that port on every cluster member",
                                    listener.service, listener.key
                                ),
                            )
                            .with_allowed(format!("a port other than {node_port}")),
                        );
                    }
                }
            }
        }
    }
}

/// Values that are valid syntax but cannot work: ranges too small or too large for what the
/// cluster puts in them, settings that would be silently dropped or emit nothing usable.
fn impossible_values(cx: &mut Cx<'_>) {
    service_range_size(cx);
    pod_range_size(cx);
    ingress_host_role(cx);
    split_dns_values(cx);
    empty_trusted_cidrs(cx);
    ceph_open_files(cx);
    settings_outside_kubernetes(cx);
    nixpkgs_url_rev(cx);
    env_var_for_two_kinds(cx);
}

/// `secrets.nix` checks each environment variable for what it holds, so one variable cannot be
/// both an address and a password hash.
fn env_var_for_two_kinds(cx: &mut Cx<'_>) {
    let c = cx.cluster;
    let addresses: std::collections::HashSet<&str> = c
        .hosts
        .iter()
        .flat_map(|h| [Some(&h.lan_address), h.tailnet_address.as_ref()])
        .flatten()
        .filter_map(|s| match s {
            Secret::Env(name) => Some(name.as_str()),
            _ => None,
        })
        .collect();
    for (i, user) in c.users.iter().enumerate() {
        if let Some(Secret::Env(name)) = &user.hashed_password
            && addresses.contains(name.as_str())
        {
            let loc = format!("users[{i}].hashed-password");
            cx.push(
                loc.clone(),
                Diagnostic::error(
                    Code::SecretReference,
                    loc,
                    format!(
                        "environment variable {name} holds a host address too, so it cannot hold this password hash"
                    ),
                )
                .with_allowed("a variable of its own for each password hash"),
            );
        }
    }
}

/// The service range holds the API service (its first address), the DNS service homeflake derives
/// (its last usable address) and at least one more (Traefik's), so it needs 6 usable addresses,
/// a /29; kube-apiserver refuses a range larger than a /12.
fn service_range_size(cx: &mut Cx<'_>) {
    let k = &cx.cluster.kubernetes;
    let range = k.service_cidr;
    let reason = if range.prefix_len() > 29 {
        let dns = match k.dns_service_address() {
            Some(dns) => format!("the DNS service address {dns} homeflake derives (its last usable address)"),
            None => "a DNS service address (homeflake takes its last usable address, and it has none)".to_owned(),
        };
        format!(
            "the service CIDR {range} is too small: it must hold the API service's address (its first), {dns} and the services of the cluster (Traefik's at least)"
        )
    } else if range.prefix_len() < 12 {
        format!("the service CIDR {range} is too large: kube-apiserver accepts at most 2^20 service addresses (a /12)")
    } else {
        return;
    };
    cx.push(
        "kubernetes.service-cidr".into(),
        Diagnostic::error(Code::InvalidValue, "kubernetes.service-cidr", reason)
            .with_allowed("a range from /12 to /29, such as the default 10.0.0.0/24"),
    );
}

/// The controller manager gives each node a /24 of the pod range, so the range must be a /24 or
/// larger and hold one /24 per Kubernetes host (control planes run a kubelet too).
fn pod_range_size(cx: &mut Cx<'_>) {
    let range = cx.cluster.kubernetes.pod_cidr;
    let nodes = cx.cluster.hosts.iter().filter(|h| h.roles.in_cluster()).count() as u64;
    let prefix = u32::from(range.prefix_len());
    let node_prefix = u32::from(crate::kubernetes::NODE_POD_PREFIX);
    let capacity = if prefix <= node_prefix { 1u64 << (node_prefix - prefix) } else { 0 };
    if capacity >= nodes.max(1) {
        return;
    }
    let message = if capacity == 0 {
        format!("the pod CIDR {range} is smaller than the /{node_prefix} the controller manager gives each node")
    } else {
        let ranges = if capacity == 1 { "one node range" } else { "node ranges" };
        let count = if capacity == 1 { String::new() } else { format!("{capacity} ") };
        format!("the pod CIDR {range} holds {count}{ranges} of /{node_prefix}, but {nodes} hosts run Kubernetes")
    };
    let needed = node_prefix - (64 - (nodes.max(1) - 1).leading_zeros()).min(node_prefix);
    cx.push(
        "kubernetes.pod-cidr".into(),
        Diagnostic::error(Code::InvalidValue, "kubernetes.pod-cidr", message).with_allowed(format!(
            "a range of /{needed} or larger (one /{node_prefix} per Kubernetes host), such as the default 10.1.0.0/16"
        )),
    );
}

/// Traefik runs on nodes carrying the ingress labels and nginx on the ingress host forwards to its
/// NodePorts there, so the ingress host must be a worker.
fn ingress_host_role(cx: &mut Cx<'_>) {
    let Some(ingress) = &cx.cluster.ingress else { return };
    let Some(&i) = cx.by_name.get(ingress.host.as_str()) else { return };
    let host = &cx.cluster.hosts[i];
    if host.roles.worker {
        return;
    }
    let what =
        if host.roles.in_cluster() { "is a control plane only (tainted NoSchedule)" } else { "has no Kubernetes role" };
    cx.push(
        "ingress.host".into(),
        Diagnostic::error(
            Code::WrongRole,
            "ingress.host",
            format!(
                "ingress host {:?} {what}, so no Traefik pod can run where nginx forwards to it",
                host.name.as_str()
            ),
        )
        .with_allowed("a host with \"worker\" in its roles"),
    );
}

/// The most a DNS TTL may be: RFC 2181, section 8, has resolvers treat a TTL with the top bit set
/// as zero, so anything above 2^31 - 1 seconds would not be cached at all.
const MAX_DNS_TTL: u32 = (1 << 31) - 1;

fn split_dns_values(cx: &mut Cx<'_>) {
    let Some(dns) = &cx.cluster.split_dns else { return };
    if dns.upstreams.is_empty() {
        cx.push(
            "split-dns.upstreams".into(),
            Diagnostic::error(
                Code::InvalidValue,
                "split-dns.upstreams",
                "no upstream DNS server: the Corefile's `forward .` needs at least one for names outside the zone",
            )
            .with_allowed("one or more IPv4 addresses, such as [\"1.1.1.1\", \"1.0.0.1\"] (the default)"),
        );
    }
    if dns.ttl > MAX_DNS_TTL {
        cx.push(
            "split-dns.ttl".into(),
            Diagnostic::error(
                Code::InvalidValue,
                "split-dns.ttl",
                format!(
                    "a TTL of {} seconds has the top bit set, which resolvers read as 0 (RFC 2181, section 8)",
                    dns.ttl
                ),
            )
            .with_allowed(format!("a number of seconds from 0 to {MAX_DNS_TTL} (the default is 60)")),
        );
    }
}

fn empty_trusted_cidrs(cx: &mut Cx<'_>) {
    if let FirewallMode::TrustedCidrs { cidrs } = &cx.cluster.firewall.mode
        && cidrs.is_empty()
    {
        cx.push(
            "firewall.trusted-cidrs".into(),
            Diagnostic::error(
                Code::InvalidValue,
                "firewall.trusted-cidrs",
                "mode \"trusted-cidrs\" with no range trusts nothing: the pods' traffic to the API server and between nodes is dropped",
            )
            .with_allowed(format!(
                "the ranges to trust, such as the pod CIDR {} and the LAN {}; or firewall.mode = \"least-privilege\"",
                cx.cluster.kubernetes.pod_cidr, cx.cluster.network.lan
            )),
        );
    }
}

/// The range of containerd's `LimitNOFILE`: Ceph needs many open files (Rook asks for 1048576),
/// and the kernel refuses more than `fs.nr_open` can be (1073741816 on 64-bit Linux).
const LIMIT_NOFILE: std::ops::RangeInclusive<u64> = 1024..=1_073_741_816;

fn ceph_open_files(cx: &mut Cx<'_>) {
    let Some(ceph) = &cx.cluster.ceph else { return };
    if LIMIT_NOFILE.contains(&ceph.containerd_limit_nofile) {
        return;
    }
    cx.push(
        "ceph.containerd-limit-nofile".into(),
        Diagnostic::error(
            Code::InvalidValue,
            "ceph.containerd-limit-nofile",
            format!(
                "containerd may open {} files, too few for Ceph's daemons or more than Linux allows",
                ceph.containerd_limit_nofile
            ),
        )
        .with_allowed(format!(
            "a number from {} to {} (1048576, the default, is what Rook asks for)",
            LIMIT_NOFILE.start(),
            LIMIT_NOFILE.end()
        )),
    );
}

/// Kubelet flags and node labels only reach a host through its kubelet: on a host without a
/// Kubernetes role they would be dropped without a word.
fn settings_outside_kubernetes(cx: &mut Cx<'_>) {
    let ingress_host = cx.cluster.ingress.as_ref().map(|i| i.host.as_str());
    for (i, host) in cx.cluster.hosts.iter().enumerate() {
        if host.roles.in_cluster() {
            continue;
        }
        // The ingress host's labels come from the ingress; its missing role is reported there.
        let labels = !host.labels.is_empty() && ingress_host != Some(host.name.as_str());
        for (key, set) in [("kubelet-flags", !host.kubelet_flags.is_empty()), ("labels", labels)] {
            if !set {
                continue;
            }
            let (loc, p) = cx.host_key(i, key);
            cx.push(
                loc,
                Diagnostic::warning(
                    Code::UnusedSetting,
                    p,
                    format!("host {:?} has no Kubernetes role, so its {key} are not used", host.name.as_str()),
                )
                .with_allowed(format!("{key} on a host with roles, or none on a host outside the cluster")),
            );
        }
    }
}

/// A URL that names a commit must name the one `rev` locks, or the lock and the reference disagree.
fn nixpkgs_url_rev(cx: &mut Cx<'_>) {
    let pin = &cx.cluster.nixpkgs;
    let (Some(in_url), Some(rev)) = (pin.url.rev(), &pin.rev) else { return };
    if in_url == rev.as_str() {
        return;
    }
    cx.push(
        "nixpkgs.rev".into(),
        Diagnostic::error(
            Code::ConflictingKeys,
            "nixpkgs.rev",
            format!("rev {rev} is not the commit the URL names ({in_url})"),
        )
        .with_allowed("the same commit in nixpkgs.url and nixpkgs.rev, or a URL naming a branch or tag"),
    );
}
