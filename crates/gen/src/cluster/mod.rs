//! The cluster layer under `cluster/`: the Helm releases, `helmfile.yaml`, their values and the
//! manifests no chart owns.
//!
//! [`releases`] decides which releases exist and in what order, from the inventory: Traefik with
//! `[ingress]`; cert-manager and the certificates with `[tls]`; the Rook operator, the Ceph CSI
//! drivers and the Ceph cluster with `[storage]`; kube-prometheus-stack, Loki and Vector with
//! `[monitoring]`; Velero with `[backup]`; Vaultwarden and Nextcloud with `[apps.*]`. Every value comes from the model, and each
//! generated file has its own module (`cluster/values/traefik.yaml` ⇐ [`values::traefik`]).
//!
//! The ClusterIssuer and the wildcard Certificate are plain manifests in `cluster/manifests/`,
//! deployed as the release `certificates`: helmfile turns a folder of manifests into a chart, so
//! Helm installs, updates and removes them like any other release and `needs` orders them after
//! cert-manager (whose CRDs and webhook they need). Traefik's default TLSStore is not a manifest:
//! the Traefik chart owns it through its `tlsStore` value.

pub mod credentials;
pub mod helmfile;
pub mod manifests;
pub mod values;

use homeflake_model::{ChartSource, ChartVersion, Cluster, Namespace, Release, ReleaseName, StorageClassName, Value};

use crate::trace::Provenance;

/// Where every file of the cluster layer lives.
pub const DIR: &str = "cluster";
/// The folder of plain manifests, relative to `helmfile.yaml`.
pub const MANIFESTS_DIR: &str = "manifests";

/// Traefik's namespace; the wildcard certificate's Secret must live there too (a TLSStore only
/// reads Secrets in its own namespace).
pub const TRAEFIK_NAMESPACE: &str = "traefik";
/// cert-manager's namespace, where a ClusterIssuer's DNS provider token Secret must be.
pub const CERT_MANAGER_NAMESPACE: &str = "cert-manager";
/// The namespace of kube-prometheus-stack, Loki and Vector.
pub const MONITORING_NAMESPACE: &str = "monitoring";
/// Velero's namespace.
pub const VELERO_NAMESPACE: &str = "velero";
/// Vaultwarden's namespace.
pub const VAULTWARDEN_NAMESPACE: &str = "vaultwarden";
/// Nextcloud's namespace.
pub const NEXTCLOUD_NAMESPACE: &str = "nextcloud";
/// The Loki release, whose name is its service's (the chart's `loki.fullname`).
pub const LOKI_RELEASE: &str = "loki";
/// The Traefik release, whose name its IngressClass takes (the chart's `traefik.fullname`).
pub const TRAEFIK_RELEASE: &str = "traefik";
/// Rook's namespace: the operator, the CSI drivers and the Ceph cluster. The CSI driver names
/// (`rook-ceph.rbd.csi.ceph.com`) start with it.
pub const ROOK_NAMESPACE: &str = "rook-ceph";

/// The Helm releases of the cluster layer, in the order helmfile lists them.
pub fn releases(cluster: &Cluster) -> Vec<Release> {
    let mut out = Vec::new();
    if let Some(ingress) = &cluster.ingress {
        let mut traefik = release(
            TRAEFIK_RELEASE,
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
    let on_ceph = |mut r: Release| {
        if cluster.storage.is_some() {
            r.needs.push(name("rook-ceph-cluster"));
        }
        r
    };
    if let Some(monitoring) = &cluster.monitoring {
        let charts = &cluster.charts;
        let mut stack = release(
            "kube-prometheus-stack",
            MONITORING_NAMESPACE,
            repository(
                "prometheus-community",
                "https://prometheus-community.github.io/helm-charts",
                "kube-prometheus-stack",
                &charts.kube_prometheus_stack,
            ),
        );
        stack.values = values::kube_prometheus_stack::values(cluster, monitoring);
        out.push(on_ceph(stack));
        let mut loki = release(
            LOKI_RELEASE,
            MONITORING_NAMESPACE,
            repository("grafana-community", "https://grafana-community.github.io/helm-charts", "loki", &charts.loki),
        );
        loki.values = values::loki::values(cluster, monitoring);
        out.push(on_ceph(loki));
        let mut vector = release(
            "vector",
            MONITORING_NAMESPACE,
            repository("vector", "https://helm.vector.dev", "vector", &charts.vector),
        );
        vector.values = values::vector::values(cluster, monitoring);
        vector.needs = vec![name(LOKI_RELEASE)];
        out.push(vector);
    }
    if let Some(backup) = &cluster.backup {
        let mut velero = release(
            "velero",
            VELERO_NAMESPACE,
            repository("vmware-tanzu", "https://vmware-tanzu.github.io/helm-charts", "velero", &cluster.charts.velero),
        );
        velero.values = values::velero::values(cluster, backup);
        out.push(velero);
    }
    // The apps serve HTTPS with the wildcard certificate through Traefik.
    let web_app = |mut r: Release| {
        if cluster.ingress.is_some() {
            r.needs.push(name(TRAEFIK_RELEASE));
        }
        if cluster.tls.is_some() {
            r.needs.push(name("certificates"));
        }
        on_ceph(r)
    };
    if let Some(app) = &cluster.apps.vaultwarden {
        let mut vaultwarden = release(
            "vaultwarden",
            VAULTWARDEN_NAMESPACE,
            repository(
                "vaultwarden",
                "https://guerzon.github.io/vaultwarden",
                "vaultwarden",
                &cluster.charts.vaultwarden,
            ),
        );
        vaultwarden.values = values::vaultwarden::values(cluster, app);
        out.push(web_app(vaultwarden));
    }
    if let Some(app) = &cluster.apps.nextcloud {
        let mut nextcloud = release(
            "nextcloud",
            NEXTCLOUD_NAMESPACE,
            repository("nextcloud", "https://nextcloud.github.io/helm/", "nextcloud", &cluster.charts.nextcloud),
        );
        nextcloud.values = values::nextcloud::values(cluster, app);
        out.push(web_app(nextcloud));
    }
    out
}

/// The inventory key the zone comes from: `split-dns.zone` with split DNS, else `domain`.
pub fn zone_key(cluster: &Cluster) -> &'static str {
    if cluster.split_dns.is_some() { "split-dns.zone" } else { "domain" }
}

/// The IngressClass Traefik's chart creates (and makes the default): named after its release.
pub fn traefik_ingress_class() -> &'static str {
    TRAEFIK_RELEASE
}

/// The annotations that route an Ingress through Traefik's HTTPS entry point with TLS, where the
/// wildcard certificate is the default certificate (Traefik's Kubernetes Ingress provider:
/// `traefik.ingress.kubernetes.io/router.entrypoints` and `…/router.tls`).
pub fn ingress_annotations() -> Value {
    map([
        ("traefik.ingress.kubernetes.io/router.entrypoints", Value::from("websecure")),
        ("traefik.ingress.kubernetes.io/router.tls", "true".into()),
    ])
}

/// The StorageClass of a volume whose own choice is `chosen`, at the inventory key `key`: it, or
/// the default StorageClass (`storage.default-storage-class`).
pub fn storage_class(cluster: &Cluster, chosen: Option<&StorageClassName>, key: &str) -> Option<Value> {
    let class = cluster.storage_class_or_default(chosen)?;
    Some(Value::from(class.as_str()).source(if chosen.is_some() { key } else { "storage.default-storage-class" }))
}

/// `value`, made from a service's host name, traced to where the name comes from: the inventory
/// key `key` when `chosen` there, else the zone the default `<service>.<zone>` is in.
pub fn host_in_zone(cluster: &Cluster, chosen: bool, key: &str, value: String) -> Value {
    in_zone(cluster, chosen, key, Value::from(value))
}

/// `node`, made from a service's host name, marked with where the name comes from (as
/// [`host_in_zone`] does for a chart value).
pub fn in_zone<P: Provenance>(cluster: &Cluster, chosen: bool, key: &str, node: P) -> P {
    if chosen { node.source(key) } else { node.derived(IN_ZONE_RULE, &[zone_key(cluster)]) }
}

/// The inventory section whose presence makes `release` exist (`ingress` for Traefik).
pub fn release_section(release: &Release) -> &'static str {
    match release.name.as_str() {
        TRAEFIK_RELEASE => "ingress",
        "cert-manager" | "certificates" => "tls",
        "kube-prometheus-stack" | LOKI_RELEASE | "vector" => "monitoring",
        "velero" => "backup",
        "vaultwarden" => "apps.vaultwarden",
        "nextcloud" => "apps.nextcloud",
        // The Rook operator, the Ceph CSI drivers and the Ceph cluster.
        _ => "storage",
    }
}

const IN_ZONE_RULE: &str = "a service's host name defaults to its name in the zone";

/// A PersistentVolumeClaim template's `spec` (one ReadWriteOnce volume of `size` on `class`), as
/// the Prometheus operator's `volumeClaimTemplate` takes it.
pub fn volume_claim_spec(class: Option<Value>, size: Value) -> Value {
    let mut spec = Vec::new();
    if let Some(class) = class {
        spec.push(("storageClassName", class));
    }
    spec.push(("accessModes", Value::list([Value::from("ReadWriteOnce")])));
    spec.push(("resources", map([("requests", map([("storage", size)]))])));
    map([("spec", map(spec))])
}

/// Every file under `cluster/`: its path, its contents and the inventory keys it comes from.
pub fn files(cluster: &Cluster) -> Vec<(String, String, &'static [&'static str])> {
    value_files(cluster)
        .into_iter()
        .map(|(path, value, sources)| (path, crate::lower::yaml_file(&value), sources))
        .collect()
}

/// Every file under `cluster/` as the value tree it is written from.
pub fn value_files(cluster: &Cluster) -> Vec<(String, Value, &'static [&'static str])> {
    let releases = releases(cluster);
    if releases.is_empty() {
        return Vec::new();
    }
    let mut out = vec![(
        format!("{DIR}/helmfile.yaml"),
        helmfile::lower(&releases),
        &["ingress", "tls", "storage", "monitoring", "backup", "apps", "charts"][..],
    )];
    for release in releases.into_iter().filter(|r| !r.values.is_empty_map()) {
        let (path, sources) = (format!("{DIR}/{}", values::path(&release)), values::sources(&release));
        out.push((path, release.values, sources));
    }
    if let Some(tls) = &cluster.tls {
        for manifest in manifests::Manifest::ALL {
            out.push((
                format!("{DIR}/{MANIFESTS_DIR}/{}", manifest.file_name()),
                manifest.lower(cluster, tls),
                &["tls", "split-dns", "domain"][..],
            ));
        }
    }
    out
}

fn name(text: &str) -> ReleaseName {
    ReleaseName::new(text).expect("release names are constants")
}

/// The `charts.*` key that pins the version of `release`'s chart.
pub fn chart_version_key(release: &Release) -> Option<&'static str> {
    Some(match release.name.as_str() {
        TRAEFIK_RELEASE => "charts.traefik",
        "cert-manager" => "charts.cert-manager",
        "rook-ceph" | "rook-ceph-cluster" => "charts.rook-ceph",
        "ceph-csi-drivers" => "charts.ceph-csi-drivers",
        "kube-prometheus-stack" => "charts.kube-prometheus-stack",
        LOKI_RELEASE => "charts.loki",
        "vector" => "charts.vector",
        "velero" => "charts.velero",
        "vaultwarden" => "charts.vaultwarden",
        "nextcloud" => "charts.nextcloud",
        _ => return None,
    })
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
