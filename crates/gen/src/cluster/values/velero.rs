//! `cluster/values/velero.yaml`: Velero backing up the cluster to an S3-compatible bucket every
//! day, and copying the pods' volumes file by file with its node agent.
//!
//! The node agent reads pod volumes from the host under kubelet's root dir. The chart assumes
//! `/var/lib/kubelet`; the nixpkgs kubelet module passes `--root-dir=/var/lib/kubernetes`
//! (`services.kubernetes.dataDir`) unless the hosts' flags change it, as `[ceph]` does. Both paths
//! come from [`Cluster::kubelet_root_dir`], which validation requires to be the same on every worker.
//!
//! Keys checked against vmware-tanzu/helm-charts velero-12.1.0 `charts/velero/values.yaml` and
//! `values.schema.json`: `initContainers[]` (the AWS plugin, mounting the `plugins` volume at
//! `/target`), `credentials.{useSecret,existingSecret}` (a Secret whose key `cloud` is an AWS
//! credentials file), `configuration.backupStorageLocation[].{name,provider,bucket,default,config.{region,s3ForcePathStyle,s3Url}}`,
//! `configuration.volumeSnapshotLocation`, `configuration.defaultVolumesToFsBackup`,
//! `snapshotsEnabled`, `deployNodeAgent`, `nodeAgent.{podVolumePath,pluginVolumePath}`,
//! `schedules.<name>.{schedule,template.{ttl,includedNamespaces,defaultVolumesToFsBackup}}`.

use homeflake_model::{Backup, Cluster, Value};

use crate::cluster::map;

/// The Secret (in Velero's namespace) holding the S3 credentials file.
pub const CREDENTIALS_SECRET: &str = "velero-s3-credentials";
/// Its key, which the chart mounts as Velero's credentials file.
pub const CREDENTIALS_KEY: &str = "cloud";
/// The daily schedule's name.
pub const SCHEDULE: &str = "daily";

/// The values.
pub fn values(cluster: &Cluster, backup: &Backup) -> Value {
    let (hour, minute) = backup.daily_at.hour_minute();
    let plugin = map([
        ("name", Value::from("velero-plugin-for-aws")),
        ("image", format!("velero/velero-plugin-for-aws:{}", cluster.charts.velero_plugin_for_aws).into()),
        ("imagePullPolicy", "IfNotPresent".into()),
        ("volumeMounts", Value::list([map([("mountPath", Value::from("/target")), ("name", "plugins".into())])])),
    ]);
    let location = map([
        ("name", Value::from("default")),
        ("provider", "aws".into()),
        ("bucket", backup.bucket.as_str().into()),
        ("default", true.into()),
        (
            "config",
            map([
                ("region", Value::from(backup.region.as_str())),
                // Velero's location config is a map of strings.
                ("s3ForcePathStyle", backup.path_style.to_string().into()),
                ("s3Url", backup.endpoint.as_str().into()),
            ]),
        ),
    ]);
    let mut configuration =
        vec![("backupStorageLocation", Value::list([location])), ("volumeSnapshotLocation", Value::list([]))];
    if backup.file_system_backup {
        configuration.push(("defaultVolumesToFsBackup", true.into()));
    }
    let template = map([
        ("ttl", Value::from(backup.retention.as_str())),
        ("includedNamespaces", Value::list([Value::from("*")])),
        ("defaultVolumesToFsBackup", backup.file_system_backup.into()),
    ]);
    let schedule = map([("schedule", Value::from(format!("{minute} {hour} * * *"))), ("template", template)]);
    let mut entries = vec![
        ("initContainers", Value::list([plugin])),
        ("credentials", map([("useSecret", Value::from(true)), ("existingSecret", CREDENTIALS_SECRET.into())])),
        ("configuration", map(configuration)),
        ("snapshotsEnabled", false.into()),
        ("deployNodeAgent", backup.file_system_backup.into()),
    ];
    if backup.file_system_backup {
        let root = node_agent_root_dir(cluster);
        entries.push((
            "nodeAgent",
            map([
                ("podVolumePath", Value::from(format!("{root}/pods"))),
                ("pluginVolumePath", format!("{root}/plugins").into()),
            ]),
        ));
    }
    entries.push(("schedules", map([(SCHEDULE, schedule)])));
    map(entries)
}

/// The kubelet root dir of the workers, where the node agent finds pod volumes (validation makes
/// it the same on every worker).
pub fn node_agent_root_dir(cluster: &Cluster) -> String {
    cluster
        .workers()
        .next()
        .map_or_else(|| homeflake_model::NIXOS_KUBELET_ROOT_DIR.to_owned(), |h| cluster.kubelet_root_dir(h))
}
