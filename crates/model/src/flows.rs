//! The network flows the cluster needs: who talks to which host, on which port and protocol.
//!
//! This table is the one source of the firewall's least-privilege openings and of the ports each
//! host binds. Every entry names the inventory key its port comes from, so a port typed in the
//! inventory and the rule that admits it can never drift apart.
//!
//! What the nixpkgs modules decide, and so what the table relies on:
//! - easyCerts binds etcd to 127.0.0.1 on the control plane (`pki.nix`), and without easyCerts
//!   etcd's default client URL is on loopback too: etcd is never opened.
//! - The apiserver dials kubelets on 10250 (logs, exec, port-forward); certmgr on every member
//!   renews its certificates from cfssl on the control plane, port 8888, for as long as easyCerts
//!   is on, not only when a node joins.
//! - flannel's default backend is VXLAN, UDP 8472 between cluster members.
//! - Pods reach the apiserver through the `kubernetes` service, which kube-proxy translates to the
//!   control plane's address: the packets arrive with a pod address as their source.
//! - NodePorts are translated by kube-proxy before the INPUT chain and forwarded to pods, and nginx
//!   on the ingress host reaches them on 127.0.0.1: no NodePort is opened.
//! - SSH (22/tcp) and Tailscale's WireGuard port are opened by their own NixOS modules.
//! - With `[monitoring]`, Prometheus (a pod on some worker) scrapes every member's kubelet (10250)
//!   and node-exporter (9100, on the host network). A pod's packets to another member's LAN
//!   address leave masqueraded as its own node's address (flannel's `-ip-masq`), and to its own
//!   node's address they arrive from the pod: so both admit the members and the pods. The
//!   controller manager (10252), the scheduler (10251), etcd and kube-proxy's metrics (10249) stay
//!   on 127.0.0.1, where nixpkgs binds them; they are not scraped (a warning says so).

use std::fmt;

use crate::cluster::Cluster;
use crate::host::Host;
use crate::kubernetes::ports;
use crate::split_dns::SplitDnsNetwork;

/// A transport protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Protocol {
    /// TCP.
    Tcp,
    /// UDP.
    Udp,
}

impl Protocol {
    /// `tcp` or `udp`, as iptables spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where the packets of a flow come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Source {
    /// Any machine on the LAN: cluster members (which sit on the LAN) and the admin's laptop.
    Lan,
    /// The control-plane hosts' LAN addresses.
    ControlPlanes,
    /// Every Kubernetes member's LAN address (control planes and workers).
    Members,
    /// Pods, from the pod CIDR.
    Pods,
    /// Devices on the tailnet, arriving on the Tailscale interface.
    Tailnet,
    /// The host itself, on loopback (always admitted by the NixOS firewall).
    Loopback,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Source::Lan => "the LAN",
            Source::ControlPlanes => "the control planes",
            Source::Members => "the cluster members",
            Source::Pods => "pods",
            Source::Tailnet => "the tailnet",
            Source::Loopback => "the host itself",
        })
    }
}

/// Which part of the configuration opens a listener, and so which hosts have it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Opener {
    /// Every Kubernetes member (control planes included: they run kubelet and flannel too).
    ClusterMember,
    /// Control-plane hosts.
    ControlPlane,
    /// The split-DNS server.
    SplitDnsServer,
    /// The ingress host.
    IngressHost,
    /// A NixOS module of its own (`services.openssh`, `services.tailscale`); homeflake opens nothing.
    NixosModule,
}

/// A port a NixOS module opens to every source by itself, which the least-privilege firewall
/// narrows to the sources of the listener on that port (or closes when nothing listens there).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenedByNixpkgs {
    /// The protocol.
    pub protocol: Protocol,
    /// The port.
    pub port: u16,
    /// The option whose module opens it.
    pub module: &'static str,
}

impl Cluster {
    /// The ports nixpkgs modules open by themselves on `host`.
    pub fn opened_by_nixpkgs(&self, host: &Host) -> Vec<OpenedByNixpkgs> {
        if !host.roles.in_cluster() {
            return Vec::new();
        }
        ports::FLANNEL_OPENED_BY_NIXPKGS
            .iter()
            .map(|&port| OpenedByNixpkgs { protocol: Protocol::Udp, port, module: "services.kubernetes.flannel" })
            .collect()
    }
}

/// A port a host listens on, and who may reach it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listener {
    /// What listens (`kube-apiserver`).
    pub service: &'static str,
    /// The protocol.
    pub protocol: Protocol,
    /// The first and last port, inclusive.
    pub ports: (u16, u16),
    /// Where packets may come from.
    pub from: Vec<Source>,
    /// The inventory key the port comes from, or where the fixed port is documented.
    pub key: &'static str,
    /// Which part of the configuration opens it.
    pub opener: Opener,
    /// Whether people's devices reach it, not only cluster members: under `trusted-cidrs`, where
    /// members trust each other's ranges, only these are opened.
    pub clients: bool,
}

impl Listener {
    fn new(
        service: &'static str,
        protocol: Protocol,
        port: u16,
        from: &[Source],
        key: &'static str,
        opener: Opener,
    ) -> Self {
        let clients = from.contains(&Source::Tailnet);
        Listener { service, protocol, ports: (port, port), from: from.to_vec(), key, opener, clients }
    }

    fn for_clients(mut self) -> Self {
        self.clients = true;
        self
    }

    /// Whether the listener binds `port`.
    pub fn binds(&self, port: u16) -> bool {
        self.ports.0 <= port && port <= self.ports.1
    }
}

impl Cluster {
    /// Every listener `host` runs, in a stable order: what the least-privilege firewall opens and
    /// the ports that may not collide.
    pub fn listeners(&self, host: &Host) -> Vec<Listener> {
        use Source::*;
        let mut out =
            vec![Listener::new("sshd", Protocol::Tcp, 22, &[Lan, Tailnet], "services.openssh", Opener::NixosModule)];
        if self.tailscale.enable && self.tailscale.open_firewall {
            out.push(Listener::new(
                "tailscaled",
                Protocol::Udp,
                41641,
                &[Lan],
                "tailscale.open-firewall",
                Opener::NixosModule,
            ));
        }
        let roles = host.roles;
        if roles.control_plane {
            out.push(Listener::new(
                "kube-apiserver",
                Protocol::Tcp,
                self.kubernetes.api.port.get(),
                &[Lan, Pods, Tailnet],
                "kubernetes.api.port",
                Opener::ControlPlane,
            ));
            if self.kubernetes.easy_certs {
                out.push(Listener::new(
                    "cfssl",
                    Protocol::Tcp,
                    ports::CFSSL,
                    &[Lan],
                    "kubernetes.easy-certs",
                    Opener::ControlPlane,
                ));
            }
            out.push(Listener {
                service: "etcd",
                protocol: Protocol::Tcp,
                ports: ports::ETCD,
                from: vec![Loopback],
                key: "kubernetes.easy-certs",
                opener: Opener::ControlPlane,
                clients: false,
            });
        }
        if roles.in_cluster() {
            // Prometheus scrapes kubelets from any member; the API server only from control planes.
            let kubelet_from: &[Source] =
                if self.monitoring.is_some() { &[Members, Pods] } else { &[ControlPlanes, Pods] };
            out.push(Listener::new(
                "kubelet",
                Protocol::Tcp,
                ports::KUBELET,
                kubelet_from,
                "kubernetes",
                Opener::ClusterMember,
            ));
            if self.monitoring.is_some() {
                out.push(Listener::new(
                    "node-exporter",
                    Protocol::Tcp,
                    ports::NODE_EXPORTER,
                    &[Members, Pods],
                    "monitoring",
                    Opener::ClusterMember,
                ));
            }
            out.push(Listener::new(
                "flannel (VXLAN)",
                Protocol::Udp,
                ports::FLANNEL_VXLAN,
                &[Lan],
                "kubernetes",
                Opener::ClusterMember,
            ));
        }
        if let Some(dns) = &self.split_dns
            && dns.server_host == host.name
        {
            let from = match dns.network {
                SplitDnsNetwork::Tailnet => Tailnet,
                _ => Lan,
            };
            for protocol in [Protocol::Udp, Protocol::Tcp] {
                out.push(
                    Listener::new("coredns", protocol, 53, &[from], "split-dns.network", Opener::SplitDnsServer)
                        .for_clients(),
                );
            }
        }
        if let Some(ingress) = &self.ingress
            && ingress.host == host.name
        {
            let listen = ingress.listen_ports;
            out.push(Listener::new(
                "nginx (http)",
                Protocol::Tcp,
                listen.http.get(),
                &[Lan, Tailnet],
                "ingress.listen-ports.http",
                Opener::IngressHost,
            ));
            out.push(Listener::new(
                "nginx (https)",
                Protocol::Tcp,
                listen.https.get(),
                &[Lan, Tailnet],
                "ingress.listen-ports.https",
                Opener::IngressHost,
            ));
        }
        out
    }
}
