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
//! (10055, not the chart's 9153), and node-exporter on the host network at the port the firewall
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
use crate::cluster::{ingress_annotations, map, traefik_ingress_class, volume_claim_spec};

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
/// The share of Prometheus' volume its data may fill before the oldest blocks are deleted.
const RETENTION_SIZE_PERCENT: u64 = 85;

/// The values.
pub fn values(cluster: &Cluster, monitoring: &Monitoring) -> Value {
    let class = cluster.storage_class_or_default(monitoring.storage_class.as_ref()).map(|c| c.as_str());
    let off = || map([("enabled", Value::from(false))]);
    let coredns_port = map([
        ("port", Value::from(NIXOS_COREDNS_METRICS_PORT)),
        ("targetPort", Value::from(NIXOS_COREDNS_METRICS_PORT)),
    ]);
    let retention_size = monitoring.metrics_volume_size.mebibytes() * RETENTION_SIZE_PERCENT / 100;
    let prometheus_spec = map([
        ("retention", Value::from(monitoring.metrics_retention.as_str())),
        // Prometheus' MB are MiB.
        ("retentionSize", Value::from(format!("{retention_size}MB"))),
        (
            "storageSpec",
            map([("volumeClaimTemplate", volume_claim_spec(class, monitoring.metrics_volume_size.as_str()))]),
        ),
        // Also scrape the ServiceMonitors and PodMonitors other releases bring.
        ("serviceMonitorSelectorNilUsesHelmValues", false.into()),
        ("podMonitorSelectorNilUsesHelmValues", false.into()),
    ]);
    let alertmanager_spec = map([(
        "storage",
        map([("volumeClaimTemplate", volume_claim_spec(class, monitoring.alerts_volume_size.as_str()))]),
    )]);
    map([
        ("kubeControllerManager", off()),
        ("kubeScheduler", off()),
        ("kubeEtcd", off()),
        ("kubeProxy", off()),
        ("coreDns", map([("enabled", Value::from(cluster.kubernetes.dns.enable)), ("service", coredns_port)])),
        ("prometheus-node-exporter", node_exporter(cluster)),
        ("prometheus", map([("prometheusSpec", prometheus_spec)])),
        ("alertmanager", map([("alertmanagerSpec", alertmanager_spec)])),
        ("grafana", grafana(cluster, monitoring, class)),
    ])
}

/// node-exporter at the port the firewall opens, skipping the kubelets' volume mounts.
fn node_exporter(cluster: &Cluster) -> Value {
    let mut root_dirs: Vec<String> = cluster
        .hosts
        .iter()
        .filter(|h| h.roles.in_cluster())
        .map(|h| regex_escape(&cluster.kubelet_root_dir(h)))
        .collect();
    root_dirs.sort();
    root_dirs.dedup();
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
        ("extraArgs", Value::list([Value::from(mount_points), Value::from(fs_types)])),
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

fn grafana(cluster: &Cluster, monitoring: &Monitoring, class: Option<&str>) -> Value {
    let mut persistence = vec![("enabled", Value::from(true))];
    if let Some(class) = class {
        persistence.push(("storageClassName", class.into()));
    }
    persistence.push(("size", monitoring.grafana_volume_size.as_str().into()));
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
    if cluster.ingress.is_some()
        && let Some(host) = cluster.grafana_host()
    {
        entries.push((
            "ingress",
            map([
                ("enabled", Value::from(true)),
                ("ingressClassName", traefik_ingress_class().into()),
                ("annotations", ingress_annotations()),
                ("hosts", Value::list([Value::from(host.as_str())])),
                ("path", "/".into()),
            ]),
        ));
        entries.push(("grafana.ini", map([("server", map([("root_url", Value::from(format!("https://{host}")))]))])));
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
