//! The pinned versions of the Helm charts the cluster layer deploys; each may be overridden.

use schemars::JsonSchema;
use serde::Serialize;

use crate::names::ChartVersion;

/// Chart versions. The defaults are the versions whose `values.yaml` homeflake's value key paths
/// were checked against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case", default)]
#[non_exhaustive]
pub struct Charts {
    /// `traefik/traefik` (Traefik Proxy v3.7).
    pub traefik: ChartVersion,
    /// `cert-manager` from the OCI registry quay.io/jetstack/charts.
    pub cert_manager: ChartVersion,
    /// `rook-release/rook-ceph` and `rook-release/rook-ceph-cluster`, which are released together.
    pub rook_ceph: ChartVersion,
    /// `ceph-csi-operator/ceph-csi-drivers`: the version of the ceph-csi-operator that the rook-ceph
    /// chart bundles (1.0.4 for Rook v1.20.6); change it together with `rook-ceph`.
    pub ceph_csi_drivers: ChartVersion,
    /// `prometheus-community/kube-prometheus-stack`: Prometheus, Alertmanager, Grafana,
    /// node-exporter and kube-state-metrics.
    pub kube_prometheus_stack: ChartVersion,
    /// `grafana-community/loki` (the chart moved from grafana/helm-charts in 2026).
    pub loki: ChartVersion,
    /// `vector/vector`.
    pub vector: ChartVersion,
    /// `vmware-tanzu/velero` (Velero 1.18).
    pub velero: ChartVersion,
    /// The `velero/velero-plugin-for-aws` image tag Velero talks to S3 with: the plugin line that
    /// matches the chart's Velero release (v1.14 for Velero 1.18); change it together with `velero`.
    pub velero_plugin_for_aws: ChartVersion,
    /// `vaultwarden/vaultwarden` (guerzon's chart).
    pub vaultwarden: ChartVersion,
    /// `nextcloud/nextcloud`.
    pub nextcloud: ChartVersion,
}

impl Default for Charts {
    fn default() -> Self {
        let v = |s: &str| ChartVersion::new(s).expect("valid");
        Charts {
            traefik: v("41.3.0"),
            cert_manager: v("v1.21.1"),
            rook_ceph: v("v1.20.6"),
            ceph_csi_drivers: v("1.0.4"),
            kube_prometheus_stack: v("88.5.3"),
            loki: v("18.11.0"),
            vector: v("0.57.0"),
            velero: v("12.1.0"),
            velero_plugin_for_aws: v("v1.14.2"),
            vaultwarden: v("0.43.1"),
            nextcloud: v("9.2.4"),
        }
    }
}
