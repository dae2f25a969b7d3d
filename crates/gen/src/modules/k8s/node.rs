//! `modules/k8s/node.nix`: the worker role — kubelet pointed at the API server.

use homeflake_model::Cluster;
use homeflake_nix::Expr;
use homeflake_nix::make::{bind, list};

use crate::lower::module;
use crate::trace::Provenance;

/// Lowers the worker role. Its ports (kubelet, flannel) are every member's, in `common.nix`.
pub fn lower(cluster: &Cluster) -> Expr {
    let k8s = &cluster.kubernetes;
    module(vec![
        bind("services.kubernetes.roles", list(["node"])),
        bind("services.kubernetes.kubelet.kubeconfig.server", k8s.api.url()).derived(
            "the API URL is https://<kubernetes.api.host-name>:<kubernetes.api.port>",
            &["kubernetes.api.host-name", "kubernetes.api.port"],
        ),
    ])
}
