//! `modules/k8s/node.nix`: the worker role — kubelet pointed at the API server, and its ports.

use homeflake_model::{Cluster, FirewallMode, ports};
use homeflake_nix::Expr;
use homeflake_nix::make::{bind, list};

use super::OpenPorts;
use crate::lower::module;

/// Lowers the worker role.
pub fn lower(cluster: &Cluster) -> Expr {
    let k8s = &cluster.kubernetes;
    let mut bindings = vec![
        bind("services.kubernetes.roles", list(["node"])),
        bind("services.kubernetes.kubelet.kubeconfig.server", k8s.api.url()),
    ];
    if matches!(cluster.firewall.mode, FirewallMode::LeastPrivilege) {
        let open = OpenPorts {
            tcp: vec![ports::KUBELET],
            tcp_ranges: vec![ports::NODE_PORTS],
            udp: ports::FLANNEL_UDP.to_vec(),
        };
        bindings.extend(open.bindings());
    }
    module(bindings)
}
