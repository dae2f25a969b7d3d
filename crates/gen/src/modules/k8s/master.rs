//! `modules/k8s/master.nix`: the control plane — API server, DNS add-on, admin tools, its ports.

use homeflake_model::{Cluster, FirewallMode, ports};
use homeflake_nix::Expr;
use homeflake_nix::make::{bind, ident, list, select};

use super::OpenPorts;
use crate::lower::module;

/// Lowers the control-plane role.
pub fn lower(cluster: &Cluster) -> Expr {
    let k8s = &cluster.kubernetes;
    let mut bindings = vec![
        bind("services.kubernetes.roles", list(["master"])),
        bind("services.kubernetes.apiserver.securePort", k8s.api.port.get()),
        bind("services.kubernetes.apiserver.allowPrivileged", k8s.api.allow_privileged),
        bind("services.kubernetes.apiserver.serviceClusterIpRange", k8s.service_cidr.to_string()),
        bind("services.kubernetes.addons.dns.enable", k8s.dns.enable),
    ];
    if let Some(image) = &k8s.dns.coredns_image
        && !cluster.control_planes().any(|h| super::arm64::applies_to(cluster, h))
    {
        bindings.push(super::arm64::coredns_image(image));
    }
    if !k8s.admin_packages.is_empty() {
        bindings.push(bind(
            "environment.systemPackages",
            list(k8s.admin_packages.iter().map(|p| select(ident("pkgs"), p.as_str()))),
        ));
    }
    let least_privilege = matches!(cluster.firewall.mode, FirewallMode::LeastPrivilege);
    let mut open = OpenPorts { tcp: vec![k8s.api.port.get()], tcp_ranges: Vec::new(), udp: Vec::new() };
    if least_privilege {
        open.tcp_ranges.push(ports::ETCD);
        if k8s.easy_certs {
            open.tcp.push(ports::CFSSL);
        }
    }
    bindings.extend(open.bindings());
    module(bindings)
}
