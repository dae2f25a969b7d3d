//! `modules/ceph.nix`: what Rook Ceph needs on a host that runs its workloads.

use homeflake_model::Cluster;
use homeflake_nix::Expr;
use homeflake_nix::make::bind;

use crate::lower::module;
use crate::trace::{Provenance, list_from};

/// Lowers the Ceph prerequisites: kernel modules and containerd's open-file limit. The kubelet
/// `--root-dir` flag Rook needs is part of each host's resolved kubelet flags, in its host file.
pub fn lower(cluster: &Cluster) -> Expr {
    let Some(ceph) = &cluster.ceph else { return module(Vec::new()) };
    module(vec![
        bind("boot.kernelModules", list_from("ceph.kernel-modules", ceph.kernel_modules.iter().map(|m| m.as_str())))
            .present_if("ceph.kernel-modules"),
        bind("systemd.services.containerd.serviceConfig.LimitNOFILE", ceph.containerd_limit_nofile.to_string())
            .source("ceph.containerd-limit-nofile"),
    ])
}
