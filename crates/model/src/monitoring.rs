//! Logs and metrics in the cluster: Prometheus, Alertmanager and Grafana (kube-prometheus-stack),
//! Loki for logs, and Vector shipping pod logs and the hosts' journals to it.

use schemars::JsonSchema;
use serde::Serialize;

use crate::names::{DomainName, PromDuration, StorageClassName, VolumeSize};
use crate::secret::Secret;
use crate::tls::ApiToken;

/// What the monitoring stack keeps, how long, and where Grafana is reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub struct Monitoring {
    /// The StorageClass of every volume below; default: `storage.default-storage-class`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage_class: Option<StorageClassName>,
    /// How long Prometheus keeps metrics (`15d`).
    #[serde(default = "default_metrics_retention")]
    pub metrics_retention: PromDuration,
    /// Prometheus' volume (`20Gi`); Prometheus also deletes the oldest data when 85% of it is used.
    #[serde(default = "default_metrics_volume_size")]
    pub metrics_volume_size: VolumeSize,
    /// Alertmanager's volume (`1Gi`).
    #[serde(default = "default_small_volume_size")]
    pub alerts_volume_size: VolumeSize,
    /// How long Loki keeps logs (`31d`).
    #[serde(default = "default_log_retention")]
    pub log_retention: PromDuration,
    /// Loki's volume (`20Gi`).
    #[serde(default = "default_log_volume_size")]
    pub log_volume_size: VolumeSize,
    /// Ship each host's systemd journal (kubelet, containerd, etcd, the control plane) too, not
    /// only pod logs.
    #[serde(default = "default_true")]
    pub journald: bool,
    /// Grafana's host name, in the zone; default `grafana.<zone>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grafana_host: Option<DomainName>,
    /// Grafana's volume for its own database (users, dashboards made in the UI) (`1Gi`).
    #[serde(default = "default_small_volume_size")]
    pub grafana_volume_size: VolumeSize,
    /// Where Grafana's admin password is kept: `{ env = … }` or `{ file = … }`, never the password.
    pub grafana_admin_password: Secret<ApiToken>,
}

pub(crate) fn default_true() -> bool {
    true
}
pub(crate) fn default_metrics_retention() -> PromDuration {
    PromDuration::new("15d").expect("valid")
}
pub(crate) fn default_log_retention() -> PromDuration {
    PromDuration::new("31d").expect("valid")
}
pub(crate) fn default_metrics_volume_size() -> VolumeSize {
    VolumeSize::new("20Gi").expect("valid")
}
pub(crate) fn default_log_volume_size() -> VolumeSize {
    VolumeSize::new("20Gi").expect("valid")
}
pub(crate) fn default_small_volume_size() -> VolumeSize {
    VolumeSize::new("1Gi").expect("valid")
}

impl Monitoring {
    /// The defaults, with Grafana's admin password kept at `grafana_admin_password`.
    pub fn new(grafana_admin_password: Secret<ApiToken>) -> Self {
        Monitoring {
            storage_class: None,
            metrics_retention: default_metrics_retention(),
            metrics_volume_size: default_metrics_volume_size(),
            alerts_volume_size: default_small_volume_size(),
            log_retention: default_log_retention(),
            log_volume_size: default_log_volume_size(),
            journald: true,
            grafana_host: None,
            grafana_volume_size: default_small_volume_size(),
            grafana_admin_password,
        }
    }
}
