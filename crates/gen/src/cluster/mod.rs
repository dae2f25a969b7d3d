//! The cluster layer under `cluster/`: the Helm releases, `helmfile.yaml`, their values and the
//! manifests no chart owns.
//!
//! [`releases`] decides which releases exist and in what order, from the inventory: Traefik with
//! `[ingress]`; cert-manager and the certificates with `[tls]`; the Rook operator, the Ceph CSI
//! drivers and the Ceph cluster with `[storage]`. Every value comes from the model, and each
//! generated file has its own module (`cluster/values/traefik.yaml` ⇐ [`values::traefik`]).
//!
//! The ClusterIssuer and the wildcard Certificate are plain manifests in `cluster/manifests/`,
//! deployed as the release `certificates`: helmfile turns a folder of manifests into a chart, so
//! Helm installs, updates and removes them like any other release and `needs` orders them after
//! cert-manager (whose CRDs and webhook they need). Traefik's default TLSStore is not a manifest:
//! the Traefik chart owns it through its `tlsStore` value.

pub mod helmfile;
pub mod manifests;
pub mod values;

use homeflake_model::{ChartSource, ChartVersion, Cluster, Namespace, Release, ReleaseName, Value};

/// Where every file of the cluster layer lives.
pub const DIR: &str = "cluster";
/// The folder of plain manifests, relative to `helmfile.yaml`.
pub const MANIFESTS_DIR: &str = "manifests";

/// Traefik's namespace; the wildcard certificate's Secret must live there too (a TLSStore only
/// reads Secrets in its own namespace).
pub const TRAEFIK_NAMESPACE: &str = "traefik";
/// cert-manager's namespace, where a ClusterIssuer's DNS provider token Secret must be.
pub const CERT_MANAGER_NAMESPACE: &str = "cert-manager";
/// Rook's namespace: the operator, the CSI drivers and the Ceph cluster. The CSI driver names
/// (`rook-ceph.rbd.csi.ceph.com`) start with it.
pub const ROOK_NAMESPACE: &str = "rook-ceph";

/// The Helm releases of the cluster layer, in the order helmfile lists them.
pub fn releases(cluster: &Cluster) -> Vec<Release> {
    let mut out = Vec::new();
    if let Some(ingress) = &cluster.ingress {
        let mut traefik = release(
            "traefik",
            TRAEFIK_NAMESPACE,
            repository("traefik", "https://traefik.github.io/charts", "traefik", &cluster.charts.traefik),
        );
        traefik.values = values::traefik::values(cluster, ingress);
        out.push(traefik);
    }
    if cluster.tls.is_some() {
        let mut cert_manager = release(
            "cert-manager",
            CERT_MANAGER_NAMESPACE,
            ChartSource::Oci {
                repository: "jetstack".into(),
                registry: "quay.io/jetstack/charts".into(),
                chart: "cert-manager".into(),
                version: cluster.charts.cert_manager.clone(),
            },
        );
        cert_manager.values = values::cert_manager::values(cluster);
        // Its webhook must answer before the certificates release creates an issuer.
        cert_manager.wait = true;
        out.push(cert_manager);
        let mut certificates =
            release("certificates", TRAEFIK_NAMESPACE, ChartSource::Manifests { folder: MANIFESTS_DIR.into() });
        certificates.needs = vec![name("cert-manager"), name("traefik")];
        out.push(certificates);
    }
    if let Some(storage) = &cluster.storage {
        let rook = |chart: &str| {
            repository("rook-release", "https://charts.rook.io/release", chart, &cluster.charts.rook_ceph)
        };
        let mut operator = release("rook-ceph", ROOK_NAMESPACE, rook("rook-ceph"));
        operator.values = values::rook_ceph::values();
        operator.wait = true;
        out.push(operator);
        let mut drivers = release(
            "ceph-csi-drivers",
            ROOK_NAMESPACE,
            repository(
                "ceph-csi-operator",
                "https://ceph.github.io/ceph-csi-operator",
                "ceph-csi-drivers",
                &cluster.charts.ceph_csi_drivers,
            ),
        );
        drivers.values = values::ceph_csi_drivers::values(cluster, storage);
        drivers.needs = vec![name("rook-ceph")];
        drivers.wait = true;
        out.push(drivers);
        let mut ceph = release("rook-ceph-cluster", ROOK_NAMESPACE, rook("rook-ceph-cluster"));
        ceph.values = values::rook_ceph_cluster::values(cluster, storage);
        ceph.needs = vec![name("rook-ceph"), name("ceph-csi-drivers")];
        out.push(ceph);
    }
    out
}

/// Every file under `cluster/`: its path, its contents and the inventory keys it comes from.
pub fn files(cluster: &Cluster) -> Vec<(String, String, &'static [&'static str])> {
    let releases = releases(cluster);
    if releases.is_empty() {
        return Vec::new();
    }
    let mut out = vec![(
        format!("{DIR}/helmfile.yaml"),
        helmfile::render(&releases),
        &["ingress", "tls", "storage", "charts"][..],
    )];
    for release in releases.iter().filter(|r| !r.values.is_empty_map()) {
        out.push((
            format!("{DIR}/{}", values::path(release)),
            crate::lower::yaml_file(&release.values),
            values::sources(release),
        ));
    }
    if let Some(tls) = &cluster.tls {
        for manifest in manifests::Manifest::ALL {
            out.push((
                format!("{DIR}/{MANIFESTS_DIR}/{}", manifest.file_name()),
                crate::lower::yaml_file(&manifest.lower(cluster, tls)),
                &["tls", "split-dns", "domain"][..],
            ));
        }
    }
    out
}

fn name(text: &str) -> ReleaseName {
    ReleaseName::new(text).expect("release names are constants")
}

fn release(release_name: &str, namespace: &str, chart: ChartSource) -> Release {
    Release::new(name(release_name), Namespace::new(namespace).expect("namespaces are constants"), chart)
}

fn repository(repository: &str, url: &str, chart: &str, version: &ChartVersion) -> ChartSource {
    ChartSource::Repository {
        repository: repository.into(),
        url: url.into(),
        chart: chart.into(),
        version: version.clone(),
    }
}

/// A map from string keys, for building values.
pub(crate) fn map<K: Into<String>>(entries: impl IntoIterator<Item = (K, Value)>) -> Value {
    Value::map(entries)
}
