//! `modules/ceph.nix`: what Rook Ceph needs on a host that runs its workloads.

use homeflake_model::Cluster;
use homeflake_nix::Expr;
use homeflake_nix::make::{apply, bind, ident, select};

use crate::lower::module;
use crate::trace::{Provenance, list_from};

/// The `LimitNOFILE` the nixpkgs k3s module already sets on the k3s unit, which runs containerd.
pub const K3S_UNIT_LIMIT_NOFILE: u64 = 1_048_576;

/// Lowers the Ceph prerequisites: kernel modules and containerd's open-file limit. The kubelet
/// `--root-dir` flag Rook needs is part of each host's resolved kubelet flags, in its host file.
/// Under k3s containerd runs inside the k3s unit, whose limit is overridden only when the
/// inventory asks for another than the module's own.
pub fn lower(cluster: &Cluster) -> Expr {
    let Some(ceph) = &cluster.ceph else { return module(Vec::new()) };
    let mut bindings = vec![
        bind("boot.kernelModules", list_from("ceph.kernel-modules", ceph.kernel_modules.iter().map(|m| m.as_str())))
            .present_if("ceph.kernel-modules"),
    ];
    if !cluster.kubernetes.is_k3s() {
        bindings.push(
            bind("systemd.services.containerd.serviceConfig.LimitNOFILE", ceph.containerd_limit_nofile.to_string())
                .source("ceph.containerd-limit-nofile"),
        );
    } else if ceph.containerd_limit_nofile != K3S_UNIT_LIMIT_NOFILE {
        let limit = apply(select(ident("lib"), "mkForce"), [Expr::from(ceph.containerd_limit_nofile.to_string())]);
        bindings
            .push(bind("systemd.services.k3s.serviceConfig.LimitNOFILE", limit).source("ceph.containerd-limit-nofile"));
    }
    module(bindings)
}
