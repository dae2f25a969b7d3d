//! `cluster/values/loki.yaml`: Loki as one process (the chart's `Monolithic` mode, formerly
//! `SingleBinary`) keeping its chunks and index on a Ceph volume, deleting logs older than the
//! retention.
//!
//! Keys checked against grafana-community/helm-charts loki-18.11.0 `charts/loki/values.yaml`,
//! `values.schema.json` and `templates/validate.yaml` (a schema config is required; the file
//! system holds one replica only; the bundled MinIO is deprecated): `deploymentMode`,
//! `loki.auth_enabled`, `loki.commonConfig.replication_factor`, `loki.storage.type`,
//! `loki.schemaConfig.configs`, `loki.limits_config.retention_period`,
//! `loki.compactor.{retention_enabled,delete_request_store}`, `loki.server.http_listen_port`,
//! `singleBinary.replicas`, `singleBinary.persistence.{enabled,storageClass,size}`,
//! `{read,write,backend}.replicas`, `gateway.enabled`, `chunksCache.enabled`,
//! `resultsCache.enabled`, `lokiCanary.enabled`, `test.enabled`. The service of the monolithic
//! target is named after the release (`templates/monolithic/service.yaml`, `loki.fullname`) and
//! serves HTTP on `loki.server.http_listen_port`.

use homeflake_model::{Cluster, Monitoring, Value};

use crate::cluster::{LOKI_RELEASE, MONITORING_NAMESPACE, map, storage_class};
use crate::trace::Provenance;

/// Loki's HTTP port: its push API for Vector and its query API for Grafana.
pub const HTTP_PORT: u16 = 3100;

/// Loki's URL inside the cluster, from any namespace.
pub fn url() -> String {
    format!("http://{LOKI_RELEASE}.{MONITORING_NAMESPACE}:{HTTP_PORT}")
}

/// The values.
pub fn values(cluster: &Cluster, monitoring: &Monitoring) -> Value {
    let class = storage_class(cluster, monitoring.storage_class.as_ref(), "monitoring.storage-class");
    let off = || map([("enabled", Value::from(false))]);
    let none = || map([("replicas", Value::from(0u32))]);
    let schema = map([
        ("from", Value::from("2024-04-01")),
        ("store", "tsdb".into()),
        ("object_store", "filesystem".into()),
        ("schema", "v13".into()),
        ("index", map([("prefix", Value::from("index_")), ("period", "24h".into())])),
    ]);
    let mut persistence = vec![("enabled", Value::from(true))];
    if let Some(class) = class {
        persistence.push(("storageClass", class));
    }
    persistence.push(("size", Value::from(monitoring.log_volume_size.as_str()).source("monitoring.log-volume-size")));
    map([
        ("deploymentMode", Value::from("Monolithic")),
        (
            "loki",
            map([
                ("auth_enabled", Value::from(false)),
                ("commonConfig", map([("replication_factor", Value::from(1u32))])),
                ("storage", map([("type", Value::from("filesystem"))])),
                ("schemaConfig", map([("configs", Value::list([schema]))])),
                (
                    "limits_config",
                    map([(
                        "retention_period",
                        Value::from(monitoring.log_retention.as_str()).source("monitoring.log-retention"),
                    )]),
                ),
                (
                    "compactor",
                    map([("retention_enabled", Value::from(true)), ("delete_request_store", "filesystem".into())]),
                ),
                ("server", map([("http_listen_port", Value::from(HTTP_PORT))])),
            ]),
        ),
        ("singleBinary", map([("replicas", Value::from(1u32)), ("persistence", map(persistence))])),
        ("read", none()),
        ("write", none()),
        ("backend", none()),
        ("gateway", off()),
        ("chunksCache", off()),
        ("resultsCache", off()),
        ("lokiCanary", off()),
        ("test", off()),
    ])
}
