//! `modules/k3s/server.nix`: the control planes run k3s servers — the cluster's network ranges, the
//! API name on the certificate, the packaged components the cluster layer replaces, kubectl for
//! the admins, and the API and etcd ports.

use homeflake_model::{Cluster, Opener};
use homeflake_nix::Expr;
use homeflake_nix::make::bind;

use super::{extra_flags, flag};
use crate::admin_kubeconfig;
use crate::lower::module;
use crate::modules::k8s::common::dns_cluster_ip;
use crate::modules::k8s::master::admin_packages;
use crate::openings;

/// Lowers the server role. Which server initialises the cluster and which join it is in each
/// host's file (`clusterInit`, `serverAddr`).
pub fn lower(cluster: &Cluster) -> Expr {
    let mut bindings = vec![bind("services.k3s.role", "server")];
    bindings.extend(extra_flags(flags(cluster)));
    bindings.extend(admin_packages(cluster));
    bindings.extend(admin_kubeconfig::bindings(cluster, admin_kubeconfig::k3s()));
    bindings.extend(openings::bindings(cluster, Opener::ControlPlane));
    module(bindings)
}

/// The k3s server flags, from the same inventory keys as the nixpkgs flavour's options.
pub fn flags(cluster: &Cluster) -> Vec<Expr> {
    let k8s = &cluster.kubernetes;
    let mut out = vec![
        flag("https-listen-port", &k8s.api.port.to_string()),
        flag("tls-san", k8s.api.host_name.as_str()),
        flag("cluster-cidr", &k8s.pod_cidr.to_string()),
        flag("service-cidr", &k8s.service_cidr.to_string()),
        flag("cluster-dns", &dns_cluster_ip(cluster).to_string()),
        // The firewall opens flannel's VXLAN port; k3s's default backend, written down.
        flag("flannel-backend", "vxlan"),
    ];
    // k3s's apiserver allows privileged containers unless told otherwise.
    if !k8s.api.allow_privileged {
        out.push(flag("kube-apiserver-arg", "allow-privileged=false"));
    }
    if !k8s.dns.enable {
        out.push(flag("disable", "coredns"));
    }
    // The cluster layer runs its own Traefik on NodePorts, which nginx on the ingress host
    // forwards 80 and 443 to; k3s's ServiceLB would bind 80 and 443 on every node for the
    // bundled Traefik's LoadBalancer service, and nginx could not.
    if cluster.ingress.is_some() {
        out.push(flag("disable", "traefik"));
        out.push(flag("disable", "servicelb"));
    }
    out
}
