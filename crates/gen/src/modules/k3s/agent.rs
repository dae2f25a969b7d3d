//! `modules/k3s/agent.nix`: the hosts that are workers only run k3s agents joined to the API address.

use homeflake_model::Cluster;
use homeflake_nix::Expr;
use homeflake_nix::make::bind;

use crate::lower::module;

/// Lowers the agent role. Its ports (kubelet, flannel) are every member's, in `common.nix`.
pub fn lower(cluster: &Cluster) -> Expr {
    module(vec![bind("services.k3s.role", "agent"), bind("services.k3s.serverAddr", cluster.kubernetes.api.url())])
}
