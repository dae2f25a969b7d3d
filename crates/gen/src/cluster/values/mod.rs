//! `cluster/values/<release>.yaml`: one module per release's chart values.

pub mod ceph_csi_drivers;
pub mod cert_manager;
pub mod kube_prometheus_stack;
pub mod loki;
pub mod nextcloud;
pub mod rook_ceph;
pub mod rook_ceph_cluster;
pub mod traefik;
pub mod vaultwarden;
pub mod vector;
pub mod velero;

use homeflake_model::Release;

/// The values file of `release`, relative to `helmfile.yaml`.
pub fn path(release: &Release) -> String {
    format!("values/{}.yaml", release.name)
}

/// The inventory keys a release's values come from.
pub fn sources(release: &Release) -> &'static [&'static str] {
    match release.name.as_str() {
        "traefik" => &["ingress", "tls"],
        "cert-manager" => &["tls", "split-dns"],
        "ceph-csi-drivers" => &["ceph.kubelet-root-dir", "storage"],
        "rook-ceph-cluster" => &["storage", "ceph.osds", "hosts"],
        "kube-prometheus-stack" => &["monitoring", "storage", "ingress", "split-dns", "kubernetes.dns", "hosts"],
        "loki" | "vector" => &["monitoring", "storage"],
        "velero" => &["backup", "charts.velero-plugin-for-aws", "hosts"],
        "vaultwarden" => &["apps.vaultwarden", "storage", "split-dns"],
        "nextcloud" => &["apps.nextcloud", "storage", "split-dns"],
        _ => &["storage"],
    }
}
