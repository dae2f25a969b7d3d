//! Rook Ceph in the cluster: where its monitors run, how many copies it keeps, and its StorageClasses.

use schemars::JsonSchema;
use serde::Serialize;

use crate::names::{HostName, StorageClassName};

/// Rook Ceph's cluster on the disks listed in `[ceph]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case", default)]
#[non_exhaustive]
pub struct Storage {
    /// The hosts that may run a Ceph monitor; empty means every worker.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mon_hosts: Vec<HostName>,
    /// How many monitors run: odd, and no more than the monitor hosts. Default: 3, or the largest
    /// odd number of monitor hosts when there are fewer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mon_count: Option<u32>,
    /// How many copies of each object the pools keep, one per OSD host: at most the number of OSD
    /// hosts. Default: 3, or the number of OSD hosts when there are fewer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replication: Option<u32>,
    /// The block (RBD) StorageClass, made the cluster's default StorageClass (`ceph-block`).
    pub default_storage_class: StorageClassName,
    /// A CephFilesystem and its StorageClass, for volumes shared read-write by many pods.
    pub cephfs: bool,
    /// The CephFS StorageClass (`ceph-filesystem`).
    pub cephfs_storage_class: StorageClassName,
}

/// The most monitors homeflake deploys by default (Rook's recommendation).
pub const DEFAULT_MON_COUNT: u32 = 3;
/// The most copies homeflake keeps by default (Ceph's default pool size).
pub const DEFAULT_REPLICATION: u32 = 3;

impl Default for Storage {
    fn default() -> Self {
        Storage {
            mon_hosts: Vec::new(),
            mon_count: None,
            replication: None,
            default_storage_class: StorageClassName::new("ceph-block").expect("valid"),
            cephfs: true,
            cephfs_storage_class: StorageClassName::new("ceph-filesystem").expect("valid"),
        }
    }
}
