//! `modules/k3s/agent.nix`: the hosts that are workers only run k3s agents joined to the API address.

use homeflake_model::Cluster;
use homeflake_nix::Expr;
use homeflake_nix::make::bind;

use crate::lower::module;
use crate::trace::Provenance;

/// What agents and joining servers are told: the API URL, `https://<host-name>:<port>`.
pub const API_URL_RULE: &str = "the API URL is https://<kubernetes.api.host-name>:<kubernetes.api.port>";

/// Lowers the agent role. Its ports (kubelet, flannel) are every member's, in `common.nix`.
pub fn lower(cluster: &Cluster) -> Expr {
    module(vec![
        bind("services.k3s.role", "agent"),
        bind("services.k3s.serverAddr", cluster.kubernetes.api.url())
            .derived(API_URL_RULE, &["kubernetes.api.host-name", "kubernetes.api.port"]),
    ])
}
