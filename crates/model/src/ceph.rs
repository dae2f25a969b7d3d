//! Rook Ceph prerequisites on the hosts, and the disks given to Ceph as OSDs.

use schemars::JsonSchema;
use serde::Serialize;

use crate::names::{AbsolutePath, DiskDevice, HostName, KernelModule};

/// One disk given to Ceph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct CephOsd {
    /// The host the disk is attached to; it must be a worker.
    pub host: HostName,
    /// The disk, by a stable id.
    pub device: DiskDevice,
}

impl CephOsd {
    /// The disk `device` on `host`.
    pub fn new(host: HostName, device: DiskDevice) -> Self {
        CephOsd { host, device }
    }
}

/// Rook Ceph: host prerequisites on every worker, and OSD disks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case", default)]
#[non_exhaustive]
pub struct Ceph {
    /// containerd's `LimitNOFILE` (1048576).
    pub containerd_limit_nofile: u64,
    /// kubelet `--root-dir` on workers (`/var/lib/kubelet`, where Rook expects it).
    pub kubelet_root_dir: AbsolutePath,
    /// Kernel modules loaded on every worker (`ceph`, `rbd`).
    pub kernel_modules: Vec<KernelModule>,
    /// The disks given to Ceph.
    pub osds: Vec<CephOsd>,
}

impl Default for Ceph {
    fn default() -> Self {
        Ceph {
            containerd_limit_nofile: 1_048_576,
            kubelet_root_dir: AbsolutePath::new("/var/lib/kubelet").expect("valid"),
            kernel_modules: vec![KernelModule::new("ceph").expect("valid"), KernelModule::new("rbd").expect("valid")],
            osds: Vec::new(),
        }
    }
}
