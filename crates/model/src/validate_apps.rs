//! Validation of the cluster layer's second part: monitoring, backups and the apps.
//!
//! Each section needs what it runs on (volumes need `[storage]`, web apps need `[ingress]`),
//! volumes name StorageClasses Rook creates, host names lie in the zone split DNS answers and the
//! wildcard certificate covers, credentials are references, and Velero's node agent finds the
//! pods' volumes where every worker's kubelet keeps them.

use std::collections::HashMap;

use crate::cluster::Cluster;
use crate::diagnostic::{Code, Diagnostic};
use crate::names::StorageClassName;
use crate::secret::Secret;
use crate::tls::ApiToken;
use crate::validate::Located;

/// Appends every problem of `[monitoring]`, `[backup]` and `[apps]` to `out`.
pub(crate) fn validate(cluster: &Cluster, out: &mut Vec<Located>) {
    let mut push = |locator: String, d: Diagnostic| out.push((locator, d));
    requirements(cluster, &mut push);
    storage_classes(cluster, &mut push);
    hosts(cluster, &mut push);
    credentials(cluster, &mut push);
    backup(cluster, &mut push);
    if cluster.monitoring.is_some() && cluster.control_planes().next().is_some() {
        push(
            "monitoring".into(),
            Diagnostic::warning(
                Code::ControlPlaneMetrics,
                "monitoring",
                "kube-controller-manager, kube-scheduler, etcd and kube-proxy are not scraped: the nixpkgs modules bind their metrics to 127.0.0.1 on the hosts (controller manager 10252, scheduler 10251, etcd 2379 under easyCerts, kube-proxy 10249), where Prometheus cannot reach them; the API server, kubelets, CoreDNS and node-exporter are scraped",
            )
            .with_allowed("accept it (allow-warnings = [\"control-plane-metrics\"]), or bind those components to the LAN with delegated authentication yourself"),
        );
    }
}

fn requirements(cluster: &Cluster, push: &mut impl FnMut(String, Diagnostic)) {
    let mut need = |section: &str, what: &str, needed: &str, present: bool, why: &str| {
        if !present {
            push(
                section.to_owned(),
                Diagnostic::error(
                    Code::RequiresSection,
                    section,
                    format!("[{section}] {what}, but there is no [{needed}] {why}"),
                )
                .with_allowed(format!("[{needed}] with [{section}], or no [{section}]")),
            );
        }
    };
    let storage = cluster.storage.is_some();
    let ingress = cluster.ingress.is_some();
    if cluster.monitoring.is_some() {
        need(
            "monitoring",
            "keeps Prometheus', Alertmanager's, Loki's and Grafana's data on volumes",
            "storage",
            storage,
            "and so no StorageClass",
        );
    }
    for (section, on) in
        [("apps.vaultwarden", cluster.apps.vaultwarden.is_some()), ("apps.nextcloud", cluster.apps.nextcloud.is_some())]
    {
        if on {
            need(section, "keeps its data on a volume", "storage", storage, "and so no StorageClass");
            need(section, "is a web app reached through Traefik", "ingress", ingress, "and so no Traefik");
        }
    }
}

fn storage_classes(cluster: &Cluster, push: &mut impl FnMut(String, Diagnostic)) {
    if cluster.storage.is_none() {
        return;
    }
    let known = cluster.storage_classes();
    let chosen: [(&str, Option<&StorageClassName>); 3] = [
        ("monitoring.storage-class", cluster.monitoring.as_ref().and_then(|m| m.storage_class.as_ref())),
        ("apps.vaultwarden.storage-class", cluster.apps.vaultwarden.as_ref().and_then(|a| a.storage_class.as_ref())),
        ("apps.nextcloud.storage-class", cluster.apps.nextcloud.as_ref().and_then(|a| a.storage_class.as_ref())),
    ];
    for (key, class) in chosen {
        if let Some(class) = class
            && !known.contains(&class)
        {
            let names: Vec<&str> = known.iter().map(|c| c.as_str()).collect();
            push(
                key.to_owned(),
                Diagnostic::error(
                    Code::UnknownStorageClass,
                    key,
                    format!("StorageClass {:?} is not one the Ceph cluster creates", class.as_str()),
                )
                .with_allowed(names.join(", "))
                .with_suggestion(crate::suggest::closest(class.as_str(), names.iter().copied())),
            );
        }
    }
}

fn hosts(cluster: &Cluster, push: &mut impl FnMut(String, Diagnostic)) {
    let zone = cluster.zone().as_str();
    let explicit = |key: &str| match key {
        "monitoring.grafana-host" => cluster.monitoring.as_ref().is_some_and(|m| m.grafana_host.is_some()),
        "apps.vaultwarden.host" => cluster.apps.vaultwarden.as_ref().is_some_and(|a| a.host.is_some()),
        _ => cluster.apps.nextcloud.as_ref().is_some_and(|a| a.host.is_some()),
    };
    let mut seen: HashMap<String, &str> = HashMap::new();
    for (key, host) in cluster.app_hosts() {
        let name = host.as_str();
        let locator =
            if explicit(key) { key.to_owned() } else { key.rsplit_once('.').map_or(key, |(s, _)| s).to_owned() };
        let below = name.strip_suffix(zone).and_then(|rest| rest.strip_suffix('.'));
        if name != zone && below.is_none() {
            push(
                locator.clone(),
                Diagnostic::error(
                    Code::OutsideZone,
                    key,
                    format!("{name:?} is not in the zone {zone}, the only names split DNS answers and Traefik serves"),
                )
                .with_allowed(format!("a name ending in .{zone}, such as {}.{zone}", key_label(key))),
            );
        } else if cluster.tls.is_some()
            && let Some(label) = below
            && label.contains('.')
        {
            push(
                locator.clone(),
                Diagnostic::error(
                    Code::OutsideZone,
                    key,
                    format!(
                        "{name:?} is more than one label below {zone}, so the wildcard certificate *.{zone} does not cover it"
                    ),
                )
                .with_allowed(format!("one label below the zone, such as {}.{zone}", key_label(key))),
            );
        }
        if let Some(first) = seen.insert(name.to_owned(), key) {
            push(
                locator,
                Diagnostic::error(Code::DuplicateEntry, key, format!("{name:?} is also {first}"))
                    .with_allowed("a host name no other app has"),
            );
        }
    }
}

/// The default first label of an app's host name, for examples in messages.
fn key_label(key: &str) -> &'static str {
    match key {
        "monitoring.grafana-host" => "grafana",
        "apps.vaultwarden.host" => "vault",
        _ => "cloud",
    }
}

fn credentials(cluster: &Cluster, push: &mut impl FnMut(String, Diagnostic)) {
    let mut references: Vec<(&str, &Secret<ApiToken>)> = Vec::new();
    if let Some(m) = &cluster.monitoring {
        references.push(("monitoring.grafana-admin-password", &m.grafana_admin_password));
    }
    if let Some(b) = &cluster.backup {
        references.push(("backup.access-key-id", &b.access_key_id));
        references.push(("backup.secret-access-key", &b.secret_access_key));
    }
    if let Some(token) = cluster.apps.vaultwarden.as_ref().and_then(|a| a.admin_token.as_ref()) {
        references.push(("apps.vaultwarden.admin-token", token));
    }
    if let Some(n) = &cluster.apps.nextcloud {
        references.push(("apps.nextcloud.admin-password", &n.admin_password));
        references.push(("apps.nextcloud.database-password", &n.database_password));
    }
    for (key, secret) in references {
        if secret.literal().is_some() {
            push(
                key.to_owned(),
                Diagnostic::error(
                    Code::SecretReference,
                    key,
                    "a credential is written into the inventory (not shown here); it would be committed to git",
                )
                .with_allowed("{ env = \"NAME\" } or { file = \"/path\" }: where it is kept when you create its Kubernetes Secret"),
            );
        }
    }
}

fn backup(cluster: &Cluster, push: &mut impl FnMut(String, Diagnostic)) {
    let Some(backup) = &cluster.backup else { return };
    if backup.retention.is_zero() {
        push(
            "backup.retention".into(),
            Diagnostic::error(
                Code::InvalidValue,
                "backup.retention",
                "a retention of zero deletes every backup at once",
            )
            .with_allowed("a Go duration above zero, such as 720h (30 days)"),
        );
    }
    if !backup.file_system_backup {
        return;
    }
    // The node agent is one DaemonSet with one host path: every worker's kubelet must keep pods there.
    let mut first: Option<(String, &str)> = None;
    for (i, host) in cluster.hosts.iter().enumerate() {
        if !host.roles.worker {
            continue;
        }
        let root_dir = cluster.kubelet_root_dir(host);
        match &first {
            None => first = Some((root_dir, host.name.as_str())),
            Some((dir, name)) if *dir != root_dir => push(
                format!("hosts.#{i}.kubelet-flags"),
                Diagnostic::error(
                    Code::CrossLayerMismatch,
                    format!("hosts.{}.kubelet-flags", host.name),
                    format!(
                        "kubelet on {:?} keeps pods under {root_dir}, but on {name:?} under {dir}: Velero's node agent reads every worker's pod volumes from one host path",
                        host.name.as_str()
                    ),
                )
                .with_allowed(format!("the same --root-dir on every worker ({dir}), or backup.file-system-backup = false")),
            ),
            Some(_) => {}
        }
    }
}
