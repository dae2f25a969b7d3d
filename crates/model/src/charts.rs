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
}

impl Default for Charts {
    fn default() -> Self {
        let v = |s: &str| ChartVersion::new(s).expect("valid");
        Charts {
            traefik: v("41.3.0"),
            cert_manager: v("v1.21.1"),
            rook_ceph: v("v1.20.6"),
            ceph_csi_drivers: v("1.0.4"),
        }
    }
}
