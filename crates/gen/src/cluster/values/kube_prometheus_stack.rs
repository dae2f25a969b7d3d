//! `cluster/values/kube-prometheus-stack.yaml`: Prometheus, Alertmanager and Grafana on Ceph
//! volumes, node-exporter on every member, and the scrape targets the NixOS hosts really have.
//!
//! The nixpkgs Kubernetes modules run the control plane as systemd services and bind the metrics
//! of kube-controller-manager (10252), kube-scheduler (10251), etcd (2379, easyCerts) and
//! kube-proxy (10249) to 127.0.0.1, so no pod can scrape them: those four targets and their
//! alerts are off, and validation warns about it (`control-plane-metrics`). The API server is
//! scraped through the `kubernetes` service, the kubelets on their LAN addresses (they accept
//! service-account tokens: nixpkgs passes `--authentication-token-webhook` and
//! `--authorization-mode=Webhook`), CoreDNS on the metrics port the nixpkgs DNS add-on gives it
//! (10055, not the chart's 9153; under k3s its own CoreDNS's 9153), and node-exporter on the host network at the port the firewall
//! opens ([`homeflake_model::ports::NODE_EXPORTER`]).
//!
//! Keys checked against prometheus-community/helm-charts kube-prometheus-stack-88.5.3
//! `charts/kube-prometheus-stack/values.yaml` (and its `templates/prometheus/rules-1.14/*.yaml`,
//! whose rules follow the `enabled` flags): `kubeControllerManager.enabled`,
//! `kubeScheduler.enabled`, `kubeEtcd.enabled`, `kubeProxy.enabled`, `coreDns.enabled`,
//! `coreDns.service.{port,targetPort}`, `prometheus-node-exporter.service.{port,targetPort}`,
//! `prometheus-node-exporter.extraArgs` (the chart's two arguments, repeated with the hosts'
//! kubelet root dirs), `prometheus.prometheusSpec.{retention,retentionSize,storageSpec.volumeClaimTemplate.spec,
//! serviceMonitorSelectorNilUsesHelmValues,podMonitorSelectorNilUsesHelmValues}`,
//! `alertmanager.alertmanagerSpec.storage.volumeClaimTemplate.spec`,
//! `grafana.{admin.existingSecret,admin.userKey,admin.passwordKey,additionalDataSources}`; and
//! against grafana-community/helm-charts grafana-12.11.1 (the bundled Grafana chart)
//! `charts/grafana/values.yaml`: `persistence.{enabled,storageClassName,size}`,
//! `deploymentStrategy.type`, `ingress.{enabled,ingressClassName,annotations,hosts,path}` (hosts are
//! passed through `tpl`: host names cannot hold a template), `grafana.ini.server.root_url`.

use homeflake_model::{Cluster, Monitoring, Value, ports};

use super::loki;
use crate::cluster::{host_in_zone, ingress_annotations, map, storage_class, traefik_ingress_class, volume_claim_spec};
use crate::trace::Provenance;

/// The Secret (in the monitoring namespace) with Grafana's admin user and password.
pub const GRAFANA_ADMIN_SECRET: &str = "grafana-admin";
/// Its key holding the user name.
pub const GRAFANA_USER_KEY: &str = "admin-user";
/// Its key holding the password.
pub const GRAFANA_PASSWORD_KEY: &str = "admin-password";
/// Grafana's admin user.
pub const GRAFANA_ADMIN_USER: &str = "admin";
/// The metrics port of CoreDNS in the nixpkgs DNS add-on (`addons/dns.nix`, `ports.metrics`).
pub const NIXOS_COREDNS_METRICS_PORT: u16 = 10055;
/// The metrics port of the CoreDNS k3s deploys (`manifests/coredns.yaml`: `prometheus :9153`).
pub const K3S_COREDNS_METRICS_PORT: u16 = 9153;
const COREDNS_PORT_RULE: &str = "CoreDNS serves metrics on the port of the flavour's DNS add-on";
const RETENTION_SIZE_RULE: &str = "Prometheus deletes its oldest data once it fills a fixed share of its volume";
const ROOT_DIRS_RULE: &str = "node-exporter skips the volumes mounted under the members' kubelet root dirs";

/// The share of Prometheus' volume its data may fill before the oldest blocks are deleted.
const RETENTION_SIZE_PERCENT: u64 = 85;

/// The values.
pub fn values(cluster: &Cluster, monitoring: &Monitoring) -> Value {
    let class = || storage_class(cluster, monitoring.storage_class.as_ref(), "monitoring.storage-class");
    let off = || map([("enabled", Value::from(false))]);
    let coredns_metrics =
        if cluster.kubernetes.is_k3s() { K3S_COREDNS_METRICS_PORT } else { NIXOS_COREDNS_METRICS_PORT };
    let coredns_port = || Value::from(coredns_metrics).derived(COREDNS_PORT_RULE, &["kubernetes.flavour"]);
    let coredns_service = map([("port", coredns_port()), ("targetPort", coredns_port())]);
    let retention_size = monitoring.metrics_volume_size.mebibytes() * RETENTION_SIZE_PERCENT / 100;
    let metrics_size = || Value::from(monitoring.metrics_volume_size.as_str()).source("monitoring.metrics-volume-size");
    let prometheus_spec = map([
        ("retention", Value::from(monitoring.metrics_retention.as_str()).source("monitoring.metrics-retention")),
        // Prometheus' MB are MiB.
        (
            "retentionSize",
            Value::from(format!("{retention_size}MB"))
                .derived(RETENTION_SIZE_RULE, &["monitoring.metrics-volume-size"]),
        ),
        ("storageSpec", map([("volumeClaimTemplate", volume_claim_spec(class(), metrics_size()))])),
        // Also scrape the ServiceMonitors and PodMonitors other releases bring.
        ("serviceMonitorSelectorNilUsesHelmValues", false.into()),
        ("podMonitorSelectorNilUsesHelmValues", false.into()),
    ]);
    let alertmanager_spec = map([(
        "storage",
        map([(
            "volumeClaimTemplate",
            volume_claim_spec(
                class(),
                Value::from(monitoring.alerts_volume_size.as_str()).source("monitoring.alerts-volume-size"),
            ),
        )]),
    )]);
    map([
        ("kubeControllerManager", off()),
        ("kubeScheduler", off()),
        ("kubeEtcd", off()),
        ("kubeProxy", off()),
        (
            "coreDns",
            map([
                ("enabled", Value::from(cluster.kubernetes.dns.enable).source("kubernetes.dns.enable")),
                ("service", coredns_service),
            ]),
        ),
        ("prometheus-node-exporter", node_exporter(cluster)),
        ("prometheus", map([("prometheusSpec", prometheus_spec)])),
        ("alertmanager", map([("alertmanagerSpec", alertmanager_spec)])),
        ("grafana", grafana(cluster, monitoring, class())),
    ])
}

/// node-exporter at the port the firewall opens, skipping the kubelets' volume mounts.
fn node_exporter(cluster: &Cluster) -> Value {
    let members = || cluster.hosts.iter().filter(|h| h.roles.in_cluster());
    let mut root_dirs: Vec<String> = members().map(|h| regex_escape(&cluster.kubelet_root_dir(h))).collect();
    root_dirs.sort();
    root_dirs.dedup();
    let root_dir_keys = || {
        let mut keys: Vec<String> = members().flat_map(|h| cluster.kubelet_root_dir_keys(h)).collect();
        keys.sort();
        keys.dedup();
        keys
    };
    let kubelet_dirs: Vec<String> = root_dirs.iter().map(|d| format!("{}/.+", d.trim_start_matches('/'))).collect();
    let mount_points = format!(
        "--collector.filesystem.mount-points-exclude=^/(dev|proc|sys|run/containerd/.+|var/lib/docker/.+|{})($|/)",
        kubelet_dirs.join("|")
    );
    let fs_types = "--collector.filesystem.fs-types-exclude=^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tracefs|erofs)$";
    map([
        (
            "service",
            map([("port", Value::from(ports::NODE_EXPORTER)), ("targetPort", Value::from(ports::NODE_EXPORTER))]),
        ),
        (
            "extraArgs",
            Value::list([Value::from(mount_points).derived_from(ROOT_DIRS_RULE, root_dir_keys), Value::from(fs_types)]),
        ),
    ])
}

/// `path` with every character a regular expression gives a meaning escaped.
fn regex_escape(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn grafana(cluster: &Cluster, monitoring: &Monitoring, class: Option<Value>) -> Value {
    let mut persistence = vec![("enabled", Value::from(true))];
    if let Some(class) = class {
        persistence.push(("storageClassName", class));
    }
    persistence
        .push(("size", Value::from(monitoring.grafana_volume_size.as_str()).source("monitoring.grafana-volume-size")));
    let mut entries = vec![
        (
            "admin",
            map([
                ("existingSecret", Value::from(GRAFANA_ADMIN_SECRET)),
                ("userKey", GRAFANA_USER_KEY.into()),
                ("passwordKey", GRAFANA_PASSWORD_KEY.into()),
            ]),
        ),
        ("persistence", map(persistence)),
        // One ReadWriteOnce volume: the old pod must let go of it before the new one starts.
        ("deploymentStrategy", map([("type", Value::from("Recreate"))])),
        ("additionalDataSources", Value::list([loki_data_source()])),
    ];
    let grafana_host =
        |value: String| host_in_zone(cluster, monitoring.grafana_host.is_some(), "monitoring.grafana-host", value);
    if cluster.ingress.is_some()
        && let Some(host) = cluster.grafana_host()
    {
        entries.push((
            "ingress",
            map([
                ("enabled", Value::from(true)),
                ("ingressClassName", traefik_ingress_class().into()),
                ("annotations", ingress_annotations()),
                ("hosts", Value::list([grafana_host(host.to_string())])),
                ("path", "/".into()),
            ]),
        ));
        let root_url = grafana_host(format!("https://{host}"));
        entries.push(("grafana.ini", map([("server", map([("root_url", root_url)]))])));
    }
    map(entries)
}

/// Loki as a Grafana data source, at the Loki release's service.
fn loki_data_source() -> Value {
    map([
        ("name", Value::from("Loki")),
        ("type", "loki".into()),
        ("uid", "loki".into()),
        ("access", "proxy".into()),
        ("url", loki::url().into()),
    ])
}
