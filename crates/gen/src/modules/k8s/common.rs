//! `modules/k8s/common.nix`: what every cluster member shares — API address, certificates, pod network,
//! runtime, and the kubelet and flannel ports.

use std::net::Ipv4Addr;

use homeflake_model::{Cluster, Opener};
use homeflake_nix::Expr;
use homeflake_nix::make::{apply, bind, ident, interp, list, quoted, select, text};

use crate::lower::{module, secret_part};
use crate::openings;
use crate::trace::{Provenance, host_key};

/// Lowers the settings of every host with a Kubernetes role.
pub fn lower(cluster: &Cluster) -> Expr {
    let k8s = &cluster.kubernetes;
    let mut bindings = vec![
        bind("services.kubernetes.easyCerts", k8s.easy_certs).source("kubernetes.easy-certs"),
        bind("services.kubernetes.masterAddress", k8s.api.host_name.as_str()).source("kubernetes.api.host-name"),
        bind("services.kubernetes.apiserverAddress", k8s.api.url()).derived(
            "the API URL is https://<kubernetes.api.host-name>:<kubernetes.api.port>",
            &["kubernetes.api.host-name", "kubernetes.api.port"],
        ),
        bind("services.kubernetes.clusterCidr", k8s.pod_cidr.to_string()).source("kubernetes.pod-cidr"),
        bind("services.kubernetes.addons.dns.clusterIp", dns_cluster_ip(cluster).to_string()).derived(
            "the cluster DNS address is the last usable address of the service range",
            &["kubernetes.service-cidr"],
        ),
    ];
    if let Some(master) = cluster.control_planes().next() {
        bindings.push(
            bind(
                "networking.extraHosts",
                quoted([secret_part(&master.lan_address), text(&format!(" {}", k8s.api.host_name))]),
            )
            .derived_from("every host maps the API host name to the first control plane's LAN address", || {
                vec![host_key(master, "lan-address"), "kubernetes.api.host-name".into()]
            }),
        );
    }
    if k8s.flannel_ip_masq {
        let flannel = quoted([interp(select(ident("pkgs"), "flannel")), text("/bin/flannel -ip-masq")]);
        bindings.push(
            bind("systemd.services.flannel.serviceConfig.ExecStart", apply(select(ident("lib"), "mkForce"), [flannel]))
                .present_if("kubernetes.flannel-ip-masq"),
        );
    }
    bindings.extend([
        bind("systemd.services.containerd.serviceConfig.TimeoutStartSec", k8s.containerd_timeout_start_sec.to_string())
            .source("kubernetes.containerd-timeout-start-sec"),
        bind("systemd.services.containerd.before", list(["kubelet.service"])),
        bind("services.certmgr.renewInterval", k8s.certmgr_renew_interval.as_str())
            .source("kubernetes.certmgr-renew-interval"),
    ]);
    bindings.extend(openings::bindings(cluster, Opener::ClusterMember));
    module(bindings)
}

/// The cluster DNS service address ([`Kubernetes::dns_service_address`](homeflake_model::Kubernetes::dns_service_address)).
pub fn dns_cluster_ip(cluster: &Cluster) -> Ipv4Addr {
    cluster.kubernetes.dns_service_address().expect("validation rejects a service range without room for DNS")
}
