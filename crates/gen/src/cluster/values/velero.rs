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
use crate::trace::Provenance;

/// The Secret (in Velero's namespace) holding the S3 credentials file.
pub const CREDENTIALS_SECRET: &str = "velero-s3-credentials";
/// Its key, which the chart mounts as Velero's credentials file.
pub const CREDENTIALS_KEY: &str = "cloud";
/// The key that switches file-system backups (and the node agent) on.
pub const FS_BACKUP: &str = "backup.file-system-backup";
const DAILY_SCHEDULE_RULE: &str = "the daily backup runs at backup.daily-at, as a cron schedule";
/// How the node agent's paths follow kubelet's root dir.
pub const ROOT_DIR_RULE: &str = "the node agent reads pod volumes under the workers' kubelet root dir";

/// The daily schedule's name.
pub const SCHEDULE: &str = "daily";

/// The values.
pub fn values(cluster: &Cluster, backup: &Backup) -> Value {
    let (hour, minute) = backup.daily_at.hour_minute();
    let plugin = map([
        ("name", Value::from("velero-plugin-for-aws")),
        (
            "image",
            Value::from(format!("velero/velero-plugin-for-aws:{}", cluster.charts.velero_plugin_for_aws))
                .source("charts.velero-plugin-for-aws"),
        ),
        ("imagePullPolicy", "IfNotPresent".into()),
        ("volumeMounts", Value::list([map([("mountPath", Value::from("/target")), ("name", "plugins".into())])])),
    ]);
    let location = map([
        ("name", Value::from("default")),
        ("provider", "aws".into()),
        ("bucket", Value::from(backup.bucket.as_str()).source("backup.bucket")),
        ("default", true.into()),
        (
            "config",
            map([
                ("region", Value::from(backup.region.as_str()).source("backup.region")),
                // Velero's location config is a map of strings.
                ("s3ForcePathStyle", Value::from(backup.path_style.to_string()).source("backup.path-style")),
                ("s3Url", Value::from(backup.endpoint.as_str()).source("backup.endpoint")),
            ]),
        ),
    ]);
    let mut configuration =
        vec![("backupStorageLocation", Value::list([location])), ("volumeSnapshotLocation", Value::list([]))];
    if backup.file_system_backup {
        configuration.push(("defaultVolumesToFsBackup", Value::from(true).present_if(FS_BACKUP)));
    }
    let template = map([
        ("ttl", Value::from(backup.retention.as_str()).source("backup.retention")),
        ("includedNamespaces", Value::list([Value::from("*")])),
        ("defaultVolumesToFsBackup", Value::from(backup.file_system_backup).source(FS_BACKUP)),
    ]);
    let cron = Value::from(format!("{minute} {hour} * * *")).derived(DAILY_SCHEDULE_RULE, &["backup.daily-at"]);
    let schedule = map([("schedule", cron), ("template", template)]);
    let mut entries = vec![
        ("initContainers", Value::list([plugin])),
        ("credentials", map([("useSecret", Value::from(true)), ("existingSecret", CREDENTIALS_SECRET.into())])),
        ("configuration", map(configuration)),
        ("snapshotsEnabled", false.into()),
        ("deployNodeAgent", Value::from(backup.file_system_backup).source(FS_BACKUP)),
    ];
    if backup.file_system_backup {
        let (root, keys) = node_agent_root_dir(cluster);
        let path = |dir: &str| Value::from(format!("{root}/{dir}")).derived_from(ROOT_DIR_RULE, || keys.clone());
        entries.push((
            "nodeAgent",
            map([("podVolumePath", path("pods")), ("pluginVolumePath", path("plugins"))]).present_if(FS_BACKUP),
        ));
    }
    entries.push(("schedules", map([(SCHEDULE, schedule)])));
    map(entries)
}

/// The kubelet root dir of the workers, where the node agent finds pod volumes (validation makes
/// it the same on every worker), with the inventory keys it comes from.
pub fn node_agent_root_dir(cluster: &Cluster) -> (String, Vec<String>) {
    match cluster.workers().next() {
        Some(worker) => (cluster.kubelet_root_dir(worker), cluster.kubelet_root_dir_keys(worker)),
        None => (cluster.default_kubelet_root_dir().to_owned(), vec!["kubernetes.flavour".to_owned()]),
    }
}
