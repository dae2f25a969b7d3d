//! The shared NixOS modules under `modules/`: which exist, which a host imports, and their lowering.

pub mod base;
pub mod ceph;
pub mod disk;
pub mod firewall;
pub mod ingress_proxy;
pub mod k3s;
pub mod k8s;
pub mod split_dns;
pub mod tailscale;

use homeflake_model::{Cluster, Host};
use homeflake_nix::Expr;

/// A generated module under `modules/`, in the order hosts import them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Module {
    /// `modules/base.nix`: every host.
    Base,
    /// `modules/disk.nix`: hosts with a system disk, laid out by disko.
    Disk,
    /// `modules/firewall.nix`: every host.
    Firewall,
    /// `modules/tailscale.nix`: every host when Tailscale is on.
    Tailscale,
    /// `modules/k8s/common.nix`: every host with a Kubernetes role.
    K8sCommon,
    /// `modules/k8s/master.nix`: control planes.
    K8sMaster,
    /// `modules/k8s/node.nix`: workers.
    K8sNode,
    /// `modules/k8s/arm64.nix`: aarch64 cluster members, for the DNS add-on's image.
    K8sArm64,
    /// `modules/k3s/common.nix`: every host with a Kubernetes role, under the k3s flavour.
    K3sCommon,
    /// `modules/k3s/server.nix`: control planes, under the k3s flavour.
    K3sServer,
    /// `modules/k3s/agent.nix`: hosts that are workers only, under the k3s flavour.
    K3sAgent,
    /// `modules/ceph.nix`: workers, when Ceph is on.
    Ceph,
    /// `modules/split-dns.nix`: the split-DNS server.
    SplitDns,
    /// `modules/ingress-proxy.nix`: the ingress host.
    IngressProxy,
}

impl Module {
    /// The file's path from the flake root.
    pub fn path(self) -> &'static str {
        match self {
            Module::Base => "modules/base.nix",
            Module::Disk => "modules/disk.nix",
            Module::Firewall => "modules/firewall.nix",
            Module::Tailscale => "modules/tailscale.nix",
            Module::K8sCommon => "modules/k8s/common.nix",
            Module::K8sMaster => "modules/k8s/master.nix",
            Module::K8sNode => "modules/k8s/node.nix",
            Module::K8sArm64 => "modules/k8s/arm64.nix",
            Module::K3sCommon => "modules/k3s/common.nix",
            Module::K3sServer => "modules/k3s/server.nix",
            Module::K3sAgent => "modules/k3s/agent.nix",
            Module::Ceph => "modules/ceph.nix",
            Module::SplitDns => "modules/split-dns.nix",
            Module::IngressProxy => "modules/ingress-proxy.nix",
        }
    }

    /// The inventory keys the module is derived from.
    pub fn sources(self) -> &'static [&'static str] {
        match self {
            Module::Base => &["time-zone", "locale", "state-version", "users"],
            Module::Disk => &["hosts.*.system-disk"],
            Module::Firewall => &["firewall", "kubernetes.pod-cidr", "kubernetes.service-cidr"],
            Module::Tailscale => &["tailscale"],
            Module::K8sCommon => &["kubernetes", "hosts.*.lan-address"],
            Module::K8sMaster => &["kubernetes", "firewall.mode"],
            Module::K8sNode => &["kubernetes.api"],
            Module::K8sArm64 => &["kubernetes.dns"],
            Module::K3sCommon => &["kubernetes.k3s", "kubernetes.api", "hosts.*.lan-address", "firewall"],
            Module::K3sServer => &["kubernetes", "ingress", "firewall.mode"],
            Module::K3sAgent => &["kubernetes.api"],
            Module::Ceph => &["ceph"],
            Module::SplitDns => &["split-dns", "hosts.*.tailnet-address"],
            Module::IngressProxy => &["ingress"],
        }
    }

    /// The module's Nix expression.
    pub fn lower(self, cluster: &Cluster) -> Expr {
        match self {
            Module::Base => base::lower(cluster),
            Module::Disk => disk::lower(cluster),
            Module::Firewall => firewall::lower(cluster),
            Module::Tailscale => tailscale::lower(&cluster.tailscale),
            Module::K8sCommon => k8s::common::lower(cluster),
            Module::K8sMaster => k8s::master::lower(cluster),
            Module::K8sNode => k8s::node::lower(cluster),
            Module::K8sArm64 => k8s::arm64::lower(cluster),
            Module::K3sCommon => k3s::common::lower(cluster),
            Module::K3sServer => k3s::server::lower(cluster),
            Module::K3sAgent => k3s::agent::lower(cluster),
            Module::Ceph => ceph::lower(cluster),
            Module::SplitDns => split_dns::lower(cluster),
            Module::IngressProxy => ingress_proxy::lower(cluster),
        }
    }

    /// The inventory keys that decide whether `host` imports the module, for provenance.
    pub fn deciding_keys(self, host: &Host) -> Vec<String> {
        let host_key = |key: &str| crate::trace::host_key(host, key);
        match self {
            Module::Base | Module::Firewall => Vec::new(),
            Module::Disk => vec![host_key("system-disk")],
            Module::Tailscale => vec!["tailscale.enable".into()],
            Module::K8sCommon | Module::K8sMaster | Module::K8sNode => {
                vec![host_key("roles"), "kubernetes.flavour".into()]
            }
            Module::K3sCommon | Module::K3sServer | Module::K3sAgent => {
                vec![host_key("roles"), "kubernetes.flavour".into()]
            }
            Module::K8sArm64 => vec![
                host_key("roles"),
                "kubernetes.flavour".into(),
                host_key("hardware"),
                "kubernetes.dns.enable".into(),
                "kubernetes.dns.coredns-image".into(),
            ],
            Module::Ceph => vec![host_key("roles"), "ceph".into()],
            Module::SplitDns => vec!["split-dns.server-host".into()],
            Module::IngressProxy => vec!["ingress.host".into()],
        }
    }

    /// The modules `host` imports, in import order.
    pub fn for_host(cluster: &Cluster, host: &Host) -> Vec<Module> {
        let roles = host.roles;
        let (nixpkgs, k3s) = (!cluster.kubernetes.is_k3s(), cluster.kubernetes.is_k3s());
        let wanted = [
            (Module::Base, true),
            (Module::Disk, host.system_disk.is_some()),
            (Module::Firewall, true),
            (Module::Tailscale, cluster.tailscale.enable),
            (Module::K8sCommon, nixpkgs && roles.in_cluster()),
            (Module::K8sMaster, nixpkgs && roles.control_plane),
            (Module::K8sNode, nixpkgs && roles.worker),
            (Module::K8sArm64, k8s::arm64::applies_to(cluster, host)),
            (Module::K3sCommon, k3s && roles.in_cluster()),
            (Module::K3sServer, k3s && roles.control_plane),
            (Module::K3sAgent, k3s && roles.worker && !roles.control_plane),
            (Module::Ceph, roles.worker && cluster.ceph.is_some()),
            (
                Module::SplitDns,
                split_dns::is_ready(cluster) && cluster.split_dns.as_ref().is_some_and(|d| d.server_host == host.name),
            ),
            (Module::IngressProxy, cluster.ingress.as_ref().is_some_and(|i| i.host == host.name)),
        ];
        wanted.into_iter().filter(|(_, on)| *on).map(|(module, _)| module).collect()
    }
}
