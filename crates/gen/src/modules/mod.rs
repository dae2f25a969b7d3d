//! The shared NixOS modules under `modules/`: which exist, which a host imports, and their lowering.

pub mod base;
pub mod ceph;
pub mod firewall;
pub mod ingress_proxy;
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
            Module::Firewall => "modules/firewall.nix",
            Module::Tailscale => "modules/tailscale.nix",
            Module::K8sCommon => "modules/k8s/common.nix",
            Module::K8sMaster => "modules/k8s/master.nix",
            Module::K8sNode => "modules/k8s/node.nix",
            Module::K8sArm64 => "modules/k8s/arm64.nix",
            Module::Ceph => "modules/ceph.nix",
            Module::SplitDns => "modules/split-dns.nix",
            Module::IngressProxy => "modules/ingress-proxy.nix",
        }
    }

    /// The inventory keys the module is derived from.
    pub fn sources(self) -> &'static [&'static str] {
        match self {
            Module::Base => &["time-zone", "locale", "state-version", "users"],
            Module::Firewall => &["firewall", "kubernetes.pod-cidr", "kubernetes.service-cidr"],
            Module::Tailscale => &["tailscale"],
            Module::K8sCommon => &["kubernetes", "hosts.*.lan-address"],
            Module::K8sMaster => &["kubernetes", "firewall.mode"],
            Module::K8sNode => &["kubernetes.api"],
            Module::K8sArm64 => &["kubernetes.dns"],
            Module::Ceph => &["ceph"],
            Module::SplitDns => &["split-dns", "hosts.*.tailnet-address"],
            Module::IngressProxy => &["ingress"],
        }
    }

    /// The module's Nix expression.
    pub fn lower(self, cluster: &Cluster) -> Expr {
        match self {
            Module::Base => base::lower(cluster),
            Module::Firewall => firewall::lower(cluster),
            Module::Tailscale => tailscale::lower(&cluster.tailscale),
            Module::K8sCommon => k8s::common::lower(cluster),
            Module::K8sMaster => k8s::master::lower(cluster),
            Module::K8sNode => k8s::node::lower(cluster),
            Module::K8sArm64 => k8s::arm64::lower(cluster),
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
            Module::Tailscale => vec!["tailscale.enable".into()],
            Module::K8sCommon | Module::K8sMaster | Module::K8sNode => vec![host_key("roles")],
            Module::K8sArm64 => vec![
                host_key("roles"),
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
        let wanted = [
            (Module::Base, true),
            (Module::Firewall, true),
            (Module::Tailscale, cluster.tailscale.enable),
            (Module::K8sCommon, roles.in_cluster()),
            (Module::K8sMaster, roles.control_plane),
            (Module::K8sNode, roles.worker),
            (Module::K8sArm64, k8s::arm64::applies_to(cluster, host)),
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
