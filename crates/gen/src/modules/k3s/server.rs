//! `modules/k3s/server.nix`: the control planes run k3s servers — the cluster's network ranges, the
//! API name on the certificate, the packaged components the cluster layer replaces, kubectl for
//! the admins, and the API and etcd ports.

use homeflake_model::{Cluster, Opener};
use homeflake_nix::Expr;
use homeflake_nix::make::bind;

use super::{Flag, extra_flags, flag, from_keys};
use crate::admin_kubeconfig;
use crate::lower::module;
use crate::modules::k8s::common::dns_cluster_ip;
use crate::modules::k8s::master::admin_packages;
use crate::openings;
use crate::trace::Origin;

/// Lowers the server role. Which server initialises the cluster and which join it is in each
/// host's file (`clusterInit`, `serverAddr`).
pub fn lower(cluster: &Cluster) -> Expr {
    let mut bindings = vec![bind("services.k3s.role", "server")];
    bindings.extend(extra_flags(flags(cluster), || vec!["kubernetes.flavour".into()]));
    bindings.extend(admin_packages(cluster));
    bindings.extend(admin_kubeconfig::bindings(cluster, admin_kubeconfig::k3s()));
    bindings.extend(openings::bindings(cluster, Opener::ControlPlane));
    module(bindings)
}

/// The k3s server flags, from the same inventory keys as the nixpkgs flavour's options.
pub fn flags(cluster: &Cluster) -> Vec<Flag> {
    let k8s = &cluster.kubernetes;
    let mut out = vec![
        flag("https-listen-port", &k8s.api.port.to_string(), || from_keys(["kubernetes.api.port"])),
        flag("tls-san", k8s.api.host_name.as_str(), || from_keys(["kubernetes.api.host-name"])),
        flag("cluster-cidr", &k8s.pod_cidr.to_string(), || from_keys(["kubernetes.pod-cidr"])),
        flag("service-cidr", &k8s.service_cidr.to_string(), || from_keys(["kubernetes.service-cidr"])),
        flag("cluster-dns", &dns_cluster_ip(cluster).to_string(), || Origin {
            rule: Some("the cluster DNS address is the last usable address of the service range"),
            ..from_keys(["kubernetes.service-cidr"])
        }),
        // The firewall opens flannel's VXLAN port; k3s's default backend, written down.
        flag("flannel-backend", "vxlan", Origin::default),
    ];
    // k3s's apiserver allows privileged containers unless told otherwise.
    if !k8s.api.allow_privileged {
        out.push(flag("kube-apiserver-arg", "allow-privileged=false", || {
            from_keys(["kubernetes.api.allow-privileged"])
        }));
    }
    if !k8s.dns.enable {
        out.push(flag("disable", "coredns", || Origin {
            presence: vec!["kubernetes.dns.enable".into()],
            ..Origin::default()
        }));
    }
    // The cluster layer runs its own Traefik on NodePorts, which nginx on the ingress host
    // forwards 80 and 443 to; k3s's ServiceLB would bind 80 and 443 on every node for the
    // bundled Traefik's LoadBalancer service, and nginx could not.
    if cluster.ingress.is_some() {
        for component in ["traefik", "servicelb"] {
            out.push(flag("disable", component, || Origin { presence: vec!["ingress".into()], ..Origin::default() }));
        }
    }
    out
}
