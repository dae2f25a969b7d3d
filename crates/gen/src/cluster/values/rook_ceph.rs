//! `cluster/values/rook-ceph.yaml`: the Rook operator, which installs Rook's CRDs and the Ceph CSI operator.
//!
//! Keys checked against rook/rook v1.20.6 `deploy/charts/rook-ceph/values.yaml`: `crds.enabled`
//! (the chart's default, written out because the CephCluster release depends on it).

use homeflake_model::Value;

use crate::cluster::map;

/// The operator's values.
pub fn values() -> Value {
    map([("crds", map([("enabled", true.into())]))])
}
