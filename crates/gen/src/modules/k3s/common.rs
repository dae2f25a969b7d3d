//! `modules/k3s/common.nix`: what every k3s member shares — k3s on, the join token's file, the API
//! name, and the kubelet and flannel ports.

use homeflake_model::{Cluster, Opener};
use homeflake_nix::Expr;
use homeflake_nix::make::bind;

use crate::lower::module;
use crate::modules::k8s::common::api_host_entry;
use crate::openings;
use crate::trace::Provenance;

/// Lowers the settings of every host with a Kubernetes role. The token is read from its file on
/// the host by k3s (`--token-file`); its value is in no generated file.
pub fn lower(cluster: &Cluster) -> Expr {
    let mut bindings = vec![bind("services.k3s.enable", true)];
    if let Some(k3s) = &cluster.kubernetes.k3s {
        bindings.push(bind("services.k3s.tokenFile", k3s.token_file.as_str()).source("kubernetes.k3s.token-file"));
    }
    bindings.extend(api_host_entry(cluster));
    bindings.extend(openings::bindings(cluster, Opener::ClusterMember));
    module(bindings)
}
