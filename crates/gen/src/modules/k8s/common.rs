//! `modules/k8s/common.nix`: what every cluster member shares — API address, certificates, pod network,
//! runtime, and the kubelet and flannel ports.

use std::net::Ipv4Addr;

use homeflake_model::{Cluster, Opener};
use homeflake_nix::make::{apply, bind, ident, interp, list, quoted, select, text};
use homeflake_nix::{Binding, Expr};

use crate::lower::{module, secret_part};
use crate::openings;

/// Lowers the settings of every host with a Kubernetes role.
pub fn lower(cluster: &Cluster) -> Expr {
    let k8s = &cluster.kubernetes;
    let mut bindings = vec![
        bind("services.kubernetes.easyCerts", k8s.easy_certs),
        bind("services.kubernetes.masterAddress", k8s.api.host_name.as_str()),
        bind("services.kubernetes.apiserverAddress", k8s.api.url()),
        bind("services.kubernetes.clusterCidr", k8s.pod_cidr.to_string()),
        bind("services.kubernetes.addons.dns.clusterIp", dns_cluster_ip(cluster).to_string()),
    ];
    bindings.extend(api_host_entry(cluster));
    if k8s.flannel_ip_masq {
        let flannel = quoted([interp(select(ident("pkgs"), "flannel")), text("/bin/flannel -ip-masq")]);
        bindings.push(bind(
            "systemd.services.flannel.serviceConfig.ExecStart",
            apply(select(ident("lib"), "mkForce"), [flannel]),
        ));
    }
    bindings.extend([
        bind("systemd.services.containerd.serviceConfig.TimeoutStartSec", k8s.containerd_timeout_start_sec.to_string()),
        bind("systemd.services.containerd.before", list(["kubelet.service"])),
        bind("services.certmgr.renewInterval", k8s.certmgr_renew_interval.as_str()),
    ]);
    bindings.extend(openings::bindings(cluster, Opener::ClusterMember));
    module(bindings)
}

/// `networking.extraHosts` mapping the API name to the first control plane's LAN address, on every
/// member of either flavour.
pub fn api_host_entry(cluster: &Cluster) -> Option<Binding> {
    let first = cluster.control_planes().next()?;
    let name = &cluster.kubernetes.api.host_name;
    Some(bind("networking.extraHosts", quoted([secret_part(&first.lan_address), text(&format!(" {name}"))])))
}

/// The cluster DNS service address: the last usable address of the service range, as the NixOS
/// default `10.0.0.254` is for the default `10.0.0.0/24`, so a changed range keeps DNS inside it.
pub fn dns_cluster_ip(cluster: &Cluster) -> Ipv4Addr {
    let broadcast = u32::from(cluster.kubernetes.service_cidr.broadcast());
    Ipv4Addr::from(broadcast - 1)
}
