//! `cluster/values/rook-ceph-cluster.yaml`: the CephCluster on exactly the inventory's OSD disks,
//! its monitors, the block pool with the default StorageClass, and CephFS.
//!
//! Keys checked against rook/rook v1.20.6 `deploy/charts/rook-ceph-cluster/values.yaml` and its
//! templates: `operatorNamespace`, `toolbox.enabled`, `cephClusterSpec.mon.count`,
//! `cephClusterSpec.mon.allowMultiplePerNode`, `cephClusterSpec.mgr.count`,
//! `cephClusterSpec.mgr.allowMultiplePerNode`, `cephClusterSpec.placement.mon.nodeAffinity` (only when
//! `storage.mon-hosts` names hosts),
//! `cephClusterSpec.storage.useAllNodes`, `…useAllDevices`, `…nodes[].name`,
//! `…nodes[].devices[].name` (a full `/dev/disk/by-id/` path is allowed), `cephBlockPools[].name`,
//! `cephBlockPools[].spec.failureDomain`, `…spec.replicated.size`,
//! `…spec.replicated.requireSafeReplicaSize` (must be false for size 1),
//! `cephBlockPools[].storageClass.{enabled,name,isDefault,reclaimPolicy,allowVolumeExpansion,volumeBindingMode,parameters}`,
//! `cephFileSystems[].spec.{metadataPool,dataPools,metadataServer}`,
//! `cephFileSystems[].storageClass.{enabled,isDefault,name,pool,…}`, `cephObjectStores`.
//! Lists replace the chart's defaults whole, so the StorageClass parameters Rook's defaults carry
//! (the CSI secrets, written there as `{{ .Release.Namespace }}`) are repeated with the namespace.

use homeflake_model::{Cluster, Storage, Value};

use crate::cluster::{ROOK_NAMESPACE, map};
use crate::trace::{Provenance, host_key};

/// The label every node carries with its name, which Rook matches `storage.nodes[].name` against.
const HOSTNAME_LABEL: &str = "kubernetes.io/hostname";
const OSD_NODE_RULE: &str = "Rook makes OSDs on the hosts that ceph.osds names";
const MON_COUNT_RULE: &str =
    "3 monitors, or the largest odd number of monitor hosts (storage.mon-hosts, else the workers)";
const MGR_COUNT_RULE: &str = "2 managers with two workers or more, else 1";
const REPLICATION_RULE: &str = "pools keep 3 copies, or one per OSD host when there are fewer";
const STANDBY_RULE: &str = "a standby metadata server needs a second worker";

/// The block pool's name.
pub const BLOCK_POOL: &str = "ceph-blockpool";
/// The shared filesystem's name.
pub const FILESYSTEM: &str = "ceph-filesystem";
/// The filesystem's data pool.
const DATA_POOL: &str = "data0";

/// The Ceph cluster's values.
pub fn values(cluster: &Cluster, storage: &Storage) -> Value {
    let workers = cluster.workers().count();
    let osds: Vec<_> = cluster.ceph.iter().flat_map(|c| c.osds.iter().enumerate()).collect();
    let nodes = cluster.osd_hosts().into_iter().map(|host| {
        let on_host = || osds.iter().filter(|(_, osd)| osd.host == *host);
        let devices = on_host().map(|(i, osd)| {
            map([("name", Value::from(osd.device.as_str()).source(&format!("ceph.osds[{i}].device")))])
        });
        let name = Value::from(host.as_str())
            .derived_from(OSD_NODE_RULE, || on_host().map(|(i, _)| format!("ceph.osds[{i}].host")).collect());
        map([("name", name), ("devices", Value::list(devices))])
    });
    let mon_count = mon_count_from(cluster, storage, Value::from(cluster.mon_count()));
    let mgr_count = Value::from(if workers >= 2 { 2u32 } else { 1 }).depends_on(MGR_COUNT_RULE, || roles_keys(cluster));
    let mut cluster_spec = vec![
        ("mon", map([("count", mon_count), ("allowMultiplePerNode", false.into())])),
        ("mgr", map([("count", mgr_count), ("allowMultiplePerNode", false.into())])),
    ];
    // Rook places monitors on any node (every worker) unless the inventory names the hosts.
    if !storage.mon_hosts.is_empty() {
        cluster_spec.push(("placement", map([("mon", mon_placement(storage))]).present_if("storage.mon-hosts")));
    }
    cluster_spec.push((
        "storage",
        map([("useAllNodes", false.into()), ("useAllDevices", false.into()), ("nodes", Value::list(nodes))]),
    ));
    let cluster_spec = map(cluster_spec);
    let filesystems =
        if storage.cephfs { Value::list([filesystem(cluster, storage, workers)]) } else { Value::list([]) };
    let filesystems = filesystems.present_if("storage.cephfs");
    map([
        ("operatorNamespace", ROOK_NAMESPACE.into()),
        ("toolbox", map([("enabled", true.into())])),
        ("cephClusterSpec", cluster_spec),
        ("cephBlockPools", Value::list([block_pool(cluster, storage)])),
        ("cephFileSystems", filesystems),
        ("cephObjectStores", Value::list([])),
    ])
}

/// `node`, which shows how many monitors run ([`Cluster::mon_count`]), marked with where the count comes from.
pub fn mon_count_from<P: Provenance>(cluster: &Cluster, storage: &Storage, node: P) -> P {
    match storage.mon_count {
        Some(_) => node.source("storage.mon-count"),
        None if !storage.mon_hosts.is_empty() => {
            node.depends_on(MON_COUNT_RULE, || vec!["storage.mon-hosts".to_owned()])
        }
        None => node.depends_on(MON_COUNT_RULE, || roles_keys(cluster)),
    }
}

/// `node`, which shows how many copies the pools keep ([`Cluster::replication`]), marked with where
/// the number comes from.
pub fn replication_from<P: Provenance>(cluster: &Cluster, node: P) -> P {
    match cluster.storage.as_ref().and_then(|s| s.replication) {
        Some(_) => node.source("storage.replication"),
        None => node.derived_from(REPLICATION_RULE, || {
            (0..cluster.ceph.as_ref().map_or(0, |c| c.osds.len())).map(|i| format!("ceph.osds[{i}].host")).collect()
        }),
    }
}

/// A node affinity that keeps monitors on `storage.mon-hosts`.
fn mon_placement(storage: &Storage) -> Value {
    let hosts = storage.mon_hosts.iter().map(|h| Value::from(h.as_str()).source("storage.mon-hosts"));
    let expression =
        map([("key", Value::from(HOSTNAME_LABEL)), ("operator", "In".into()), ("values", Value::list(hosts))]);
    let terms = Value::list([map([("matchExpressions", Value::list([expression]))])]);
    map([(
        "nodeAffinity",
        map([("requiredDuringSchedulingIgnoredDuringExecution", map([("nodeSelectorTerms", terms)]))]),
    )])
}

/// Every host's roles: which hosts are workers decides the count of monitors and managers.
fn roles_keys(cluster: &Cluster) -> Vec<String> {
    cluster.hosts.iter().map(|h| host_key(h, "roles")).collect()
}

/// `replicated:` with the cluster's replication; Rook refuses a pool of size 1 unless told it is meant.
fn replicated(cluster: &Cluster) -> Value {
    let size = cluster.replication();
    let mut entries = vec![("size", replication_from(cluster, Value::from(size)))];
    if size == 1 {
        entries.push(("requireSafeReplicaSize", false.into()));
    }
    map(entries)
}

/// The CSI secrets a StorageClass of `driver` (`rbd`, `cephfs`) names.
fn csi_secret_parameters(driver: &str) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for (role, secret) in [
        ("provisioner", "provisioner"),
        ("controller-expand", "provisioner"),
        ("controller-publish", "provisioner"),
        ("node-stage", "node"),
    ] {
        out.push((format!("csi.storage.k8s.io/{role}-secret-name"), format!("rook-csi-{driver}-{secret}").into()));
        out.push((format!("csi.storage.k8s.io/{role}-secret-namespace"), ROOK_NAMESPACE.into()));
    }
    out.push(("csi.storage.k8s.io/fstype".into(), "ext4".into()));
    out
}

fn storage_class(name: Value, is_default: bool, extra: Vec<(&str, Value)>, parameters: Vec<(String, Value)>) -> Value {
    let mut entries = vec![("enabled", Value::from(true)), ("name", name), ("isDefault", is_default.into())];
    entries.extend(extra);
    entries.extend([
        ("reclaimPolicy", "Delete".into()),
        ("allowVolumeExpansion", true.into()),
        ("volumeBindingMode", "Immediate".into()),
        ("parameters", Value::Map(parameters)),
    ]);
    map(entries)
}

fn block_pool(cluster: &Cluster, storage: &Storage) -> Value {
    let mut parameters: Vec<(String, Value)> =
        vec![("imageFormat".into(), "2".into()), ("imageFeatures".into(), "layering".into())];
    parameters.extend(csi_secret_parameters("rbd"));
    map([
        ("name", BLOCK_POOL.into()),
        ("spec", map([("failureDomain", "host".into()), ("replicated", replicated(cluster))])),
        (
            "storageClass",
            storage_class(
                Value::from(storage.default_storage_class.as_str()).source("storage.default-storage-class"),
                true,
                Vec::new(),
                parameters,
            ),
        ),
    ])
}

fn filesystem(cluster: &Cluster, storage: &Storage, workers: usize) -> Value {
    let spec = map([
        ("metadataPool", map([("replicated", replicated(cluster))])),
        (
            "dataPools",
            Value::list([map([
                ("name", DATA_POOL.into()),
                ("failureDomain", "host".into()),
                ("replicated", replicated(cluster)),
            ])]),
        ),
        // A standby metadata server needs a second node to stand by on.
        (
            "metadataServer",
            map([
                ("activeCount", Value::from(1u32)),
                ("activeStandby", Value::from(workers >= 2).depends_on(STANDBY_RULE, || roles_keys(cluster))),
            ]),
        ),
    ]);
    map([
        ("name", FILESYSTEM.into()),
        ("spec", spec),
        (
            "storageClass",
            storage_class(
                Value::from(storage.cephfs_storage_class.as_str()).source("storage.cephfs-storage-class"),
                false,
                vec![("pool", DATA_POOL.into())],
                csi_secret_parameters("cephfs"),
            ),
        ),
    ])
}
