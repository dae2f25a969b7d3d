//! The cluster layer in the documents: the releases and where they run, and the apps with their
//! URLs (`docs/topology.md`, `homeflake graph`), and the step that deploys them, with the Secrets
//! to create first (`docs/bootstrap.md`).

use std::collections::BTreeSet;
use std::fmt::Write;

use homeflake_model::{ApiToken, Cluster, Release, Secret};

use super::{markdown_code, mermaid_text};
use crate::cluster::credentials::{self, Content};
use crate::cluster::manifests::{cluster_issuer, wildcard_certificate};
use crate::cluster::values::{loki, rook_ceph_cluster, velero};
use crate::cluster::{
    DIR, MONITORING_NAMESPACE, NEXTCLOUD_NAMESPACE, ROOK_NAMESPACE, TRAEFIK_NAMESPACE, VAULTWARDEN_NAMESPACE,
    VELERO_NAMESPACE, releases,
};

/// Where a release's pods run, in words.
pub fn runs_on(cluster: &Cluster, release: &Release) -> String {
    match release.name.as_str() {
        "traefik" => {
            let Some(ingress) = &cluster.ingress else { return String::new() };
            let hosts: Vec<&str> = cluster
                .hosts
                .iter()
                .filter(|h| h.roles.worker && ingress.node_selector.iter().all(|(k, v)| h.labels.get(k) == Some(v)))
                .map(|h| h.name.as_str())
                .collect();
            let selector: Vec<String> = ingress.node_selector.iter().map(|(k, v)| format!("{k}={v}")).collect();
            format!("{} (nodes labelled {})", hosts.join(", "), selector.join(", "))
        }
        "certificates" => "no pods: a ClusterIssuer and a Certificate".to_owned(),
        "ceph-csi-drivers" => "every worker (the CSI node plugins)".to_owned(),
        "rook-ceph-cluster" => {
            let mons: Vec<&str> = cluster.mon_hosts().iter().map(|h| h.as_str()).collect();
            let osds: Vec<&str> = cluster.osd_hosts().iter().map(|h| h.as_str()).collect();
            let mon_hosts = match cluster.storage.as_ref().map(|s| s.mon_hosts.is_empty()) {
                Some(false) => mons.join(", "),
                _ => "any worker".to_owned(),
            };
            format!("{} monitor(s) on {mon_hosts}; OSDs on {}", cluster.mon_count(), osds.join(", "))
        }
        "kube-prometheus-stack" => format!(
            "Prometheus, Alertmanager and Grafana on any worker; node-exporter on every member (host port {})",
            homeflake_model::ports::NODE_EXPORTER
        ),
        "loki" => "one pod on any worker".to_owned(),
        "vector" => "every member (an agent per host, journals included)".to_owned(),
        "velero" => match cluster.backup.as_ref().is_some_and(|b| b.file_system_backup) {
            true => format!(
                "any worker; the node agent on every worker, reading {}/pods",
                velero::node_agent_root_dir(cluster).0
            ),
            false => "any worker".to_owned(),
        },
        _ => "any worker".to_owned(),
    }
}

/// The web apps: name, URL, release and namespace.
pub fn apps(cluster: &Cluster) -> Vec<(&'static str, String, &'static str, &'static str)> {
    let mut out = Vec::new();
    if cluster.ingress.is_some()
        && let Some(host) = cluster.grafana_host()
    {
        out.push((
            "Grafana (metrics and logs)",
            format!("https://{host}"),
            "kube-prometheus-stack",
            MONITORING_NAMESPACE,
        ));
    }
    if let Some(host) = cluster.vaultwarden_host() {
        out.push(("Vaultwarden (passwords)", format!("https://{host}"), "vaultwarden", VAULTWARDEN_NAMESPACE));
    }
    if let Some(host) = cluster.nextcloud_host() {
        out.push(("Nextcloud (files)", format!("https://{host}"), "nextcloud", NEXTCLOUD_NAMESPACE));
    }
    out
}

/// The apps as a Markdown table, or nothing when there are none.
fn apps_table(cluster: &Cluster) -> String {
    let apps = apps(cluster);
    if apps.is_empty() {
        return String::new();
    }
    let mut out = String::from("| app | URL | release | namespace |\n|---|---|---|---|\n");
    for (app, url, release, namespace) in apps {
        let _ = writeln!(out, "| {app} | <{url}> | `{release}` | `{namespace}` |");
    }
    out
}

/// The releases as a Markdown table: release, namespace, chart, version and where it runs.
pub fn release_table(cluster: &Cluster, releases: &[Release]) -> String {
    let mut out = String::from("| release | namespace | chart | version | runs on |\n|---|---|---|---|---|\n");
    for release in releases {
        let version = release.chart.version().map_or_else(|| "-".to_owned(), ToString::to_string);
        let _ = writeln!(
            out,
            "| {} | {} | {} | {version} | {} |",
            markdown_code(release.name.as_str()),
            markdown_code(release.namespace.as_str()),
            markdown_code(&release.chart.reference().to_string()),
            runs_on(cluster, release)
        );
    }
    out
}

/// The releases in the Mermaid diagram: a subgraph of releases, each linked to the hosts it is
/// pinned to (Traefik to the hosts its node selector matches; the Ceph cluster to its monitor hosts
/// when they are listed, and to its OSD hosts).
pub fn mermaid(cluster: &Cluster, out: &mut String) {
    let releases = releases(cluster);
    if releases.is_empty() {
        return;
    }
    let id = |name: &str| format!("release_{}", name.replace('-', "_"));
    let _ = writeln!(out, "  subgraph releases[\"Helm releases · {DIR}/helmfile.yaml\"]");
    for release in &releases {
        let version = release.chart.version().map(|v| format!(" {v}")).unwrap_or_default();
        let label = mermaid_text(&format!("{}{version} · ns {}", release.name, release.namespace));
        let _ = writeln!(out, "    {}[\"{label}\"]", id(release.name.as_str()));
    }
    out.push_str("  end\n");
    for release in &releases {
        for need in &release.needs {
            let _ = writeln!(out, "  {} -- needs --> {}", id(release.name.as_str()), id(need.as_str()));
        }
    }
    let host_id = |name: &str| format!("host_{}", name.replace('-', "_"));
    if let Some(ingress) = &cluster.ingress {
        let _ = writeln!(out, "  traefik -.- {}", id("traefik"));
        for host in cluster
            .hosts
            .iter()
            .filter(|h| h.roles.worker && ingress.node_selector.iter().all(|(k, v)| h.labels.get(k) == Some(v)))
        {
            let _ = writeln!(out, "  {} -- runs on --> {}", id("traefik"), host_id(host.name.as_str()));
        }
    }
    if let Some(storage) = &cluster.storage {
        for host in storage.mon_hosts.iter() {
            let _ = writeln!(out, "  {} -- monitor --> {}", id("rook-ceph-cluster"), host_id(host.as_str()));
        }
        for host in cluster.osd_hosts() {
            let _ = writeln!(out, "  {} -- OSDs --> {}", id("rook-ceph-cluster"), host_id(host.as_str()));
        }
    }
    // Agents that run on every member (DaemonSets), and the apps' URLs through Traefik.
    if let Some(monitoring) = &cluster.monitoring {
        for host in cluster.hosts.iter().filter(|h| h.roles.in_cluster()) {
            let _ =
                writeln!(out, "  {} -- node-exporter --> {}", id("kube-prometheus-stack"), host_id(host.name.as_str()));
            let what = if monitoring.journald { "pod logs, journal" } else { "pod logs" };
            let _ = writeln!(out, "  {} -- \"{what}\" --> {}", id("vector"), host_id(host.name.as_str()));
        }
    }
    if cluster.backup.as_ref().is_some_and(|b| b.file_system_backup) {
        for host in cluster.workers() {
            let _ = writeln!(out, "  {} -- node agent --> {}", id("velero"), host_id(host.name.as_str()));
        }
    }
    if cluster.ingress.is_some() {
        for (_, url, release, _) in apps(cluster) {
            let _ = writeln!(out, "  traefik -- \"{}\" --> {}", mermaid_text(&url), id(release));
        }
    }
}

/// The `docs/topology.md` section listing the releases, when there are any.
pub fn topology_section(cluster: &Cluster) -> String {
    let releases = releases(cluster);
    if releases.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "\n## Helm releases\n\nDeployed by `helmfile apply` in `{DIR}/` (see `docs/bootstrap.md`).\n\n{}",
        release_table(cluster, &releases)
    );
    let apps = apps_table(cluster);
    if !apps.is_empty() {
        let _ = write!(
            out,
            "\n## Apps\n\nReached through Traefik with the wildcard certificate, from the tailnet (split DNS answers \
             the zone there).\n\n{apps}"
        );
    }
    out
}

/// The bootstrap step that deploys the cluster layer: its title and text, when there is one.
pub fn bootstrap_step(cluster: &Cluster) -> Option<(&'static str, String)> {
    let releases = releases(cluster);
    if releases.is_empty() {
        return None;
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Once the control plane is up and every worker has joined (`kubectl get nodes` lists them all as \
         Ready), deploy the Helm releases in `{DIR}/` with helmfile, from wherever `kubectl` works as the \
         cluster's administrator (see \"Use kubectl\"), with `helm`, its `helm-diff` plugin (which \
         `helmfile apply` uses) and `helmfile`; in nixpkgs: `helmfile`, and `kubernetes-helm` wrapped with \
         `kubernetes-helmPlugins.helm-diff` by `wrapHelm`. On the control plane, where `kubectl` already \
         works, the admin packages hold `helm`, `helmfile` and `k9s` (a terminal dashboard of the cluster) \
         but not the diff plugin: there, run `helmfile sync` where this says `helmfile apply`.\n"
    );
    secrets_step(cluster, &mut out);
    let _ = writeln!(
        out,
        "Then, from the repository:\n\n```sh\ncd {DIR}\nhelmfile apply\n```\n\n\
         helmfile installs the releases in the order their `needs` give, each with its pinned chart \
         version and the values in `{DIR}/values/`:\n"
    );
    out.push_str(&release_table(cluster, &releases));
    out.push('\n');
    if let Some(ingress) = &cluster.ingress {
        let _ = writeln!(
            out,
            "Traefik is a NodePort Service on {} (HTTP) and {} (HTTPS), the ports nginx on `{}` forwards \
             {} and {} to. Check it with `kubectl -n {TRAEFIK_NAMESPACE} get pods,services -o wide`.\n",
            ingress.node_ports.http,
            ingress.node_ports.https,
            ingress.host,
            ingress.listen_ports.http,
            ingress.listen_ports.https
        );
    }
    if let Some(tls) = &cluster.tls {
        let names = wildcard_certificate::dns_names(cluster);
        let _ = writeln!(
            out,
            "Certificates: `kubectl -n {TRAEFIK_NAMESPACE} get certificate {}` turns `READY True` once \
             `{}` has proven the zone through a TXT record (a minute or two); it covers `{}` and `{}` and is \
             Traefik's default certificate. While it is not ready, `kubectl describe clusterissuer {}` and \
             `kubectl get challenges -A` say why (most often a token without DNS edit rights).{}\n",
            wildcard_certificate::NAME,
            cluster_issuer::issuer_name(tls),
            names[0],
            names[1],
            cluster_issuer::issuer_name(tls),
            if tls.acme_server == homeflake_model::AcmeServer::Staging {
                " The staging server's certificates are not trusted by browsers: switch `tls.acme-server` to \
                 `production` once this works."
            } else {
                ""
            }
        );
    }
    if let Some(storage) = &cluster.storage {
        let _ = writeln!(
            out,
            "Ceph: `kubectl -n {ROOK_NAMESPACE} get cephcluster` shows the cluster's `HEALTH` (`HEALTH_OK` \
             when ready; the first OSD takes a few minutes), and `kubectl -n {ROOK_NAMESPACE} exec \
             deploy/rook-ceph-tools -- ceph status` the details. `kubectl get storageclass` lists `{}` as \
             the default{}. Every pool keeps {} cop{} of each object{}.\n",
            storage.default_storage_class,
            if storage.cephfs {
                format!(" and `{}` for shared volumes", storage.cephfs_storage_class)
            } else {
                String::new()
            },
            cluster.replication(),
            if cluster.replication() == 1 { "y" } else { "ies" },
            if cluster.replication() == 1 { ": losing a disk loses the data on it" } else { "" }
        );
        let _ = writeln!(
            out,
            "Rook makes OSDs on exactly these disks, for the pool `{}`{}; each must be empty (no partitions, \
             no filesystem: Rook skips a disk that has one):\n",
            rook_ceph_cluster::BLOCK_POOL,
            if storage.cephfs {
                format!(" and the filesystem `{}`", rook_ceph_cluster::FILESYSTEM)
            } else {
                String::new()
            }
        );
        for osd in cluster.ceph.iter().flat_map(|c| &c.osds) {
            let _ = writeln!(out, "- {}: {}", markdown_code(osd.host.as_str()), markdown_code(osd.device.as_str()));
        }
    }
    checks(cluster, &mut out);
    Some(("Deploy the cluster layer", out))
}

/// The Secrets to create before the first `helmfile apply`, one command each.
fn secrets_step(cluster: &Cluster, out: &mut String) {
    let secrets = credentials::hand_made(cluster);
    if secrets.is_empty() {
        return;
    }
    out.push_str(
        "First create the Kubernetes Secrets the releases read; their values are in no generated file, \
         only where the inventory's references say (an environment variable to export first, or a file):\n\n",
    );
    for secret in &secrets {
        let from: BTreeSet<String> = secret
            .keys
            .iter()
            .flat_map(|(_, content)| match content {
                Content::Fixed(_) => Vec::new(),
                Content::Reference { key, secret } => vec![format!("`{key}` ({})", kept_at(secret))],
                Content::AwsCredentials { id, secret } => vec![
                    format!("`backup.access-key-id` ({})", kept_at(id)),
                    format!("`backup.secret-access-key` ({})", kept_at(secret)),
                ],
            })
            .collect();
        let from: Vec<String> = from.into_iter().collect();
        let _ = writeln!(
            out,
            "- `{}` in `{}`, for {}, from {}",
            secret.name,
            secret.namespace,
            secret.read_by,
            from.join(" and ")
        );
    }
    out.push_str("\n```sh\n");
    let namespaces: BTreeSet<&str> = secrets.iter().map(|s| s.namespace).collect();
    for namespace in &namespaces {
        let _ = writeln!(out, "kubectl create namespace {namespace}");
    }
    for secret in &secrets {
        let _ = write!(out, "kubectl -n {} create secret generic {}", secret.namespace, secret.name);
        for (key, content) in &secret.keys {
            let value = match content {
                Content::Fixed(text) => shell_quote(text),
                Content::Reference { secret, .. } => shell_value(secret),
                Content::AwsCredentials { id, secret } => format!(
                    "\"$(printf '[default]\\naws_access_key_id=%s\\naws_secret_access_key=%s\\n' {} {})\"",
                    shell_value(id),
                    shell_value(secret)
                ),
            };
            let _ = write!(out, " \\\n  --from-literal={key}={value}");
        }
        out.push('\n');
    }
    out.push_str("```\n\n");
}

/// Where a reference is kept, in words.
fn kept_at(secret: &Secret<ApiToken>) -> String {
    match secret {
        Secret::Env(name) => format!("the environment variable `{name}`"),
        Secret::File(path) => format!("the file `{path}`"),
        _ => "the inventory".to_owned(),
    }
}

/// A reference's value as a shell word: the variable, or the file's contents without the final
/// line break. Names and paths are validated to hold no quote, `$`, backslash or backquote.
fn shell_value(secret: &Secret<ApiToken>) -> String {
    match secret {
        Secret::Env(name) => format!("\"${name}\""),
        Secret::File(path) => format!("\"$(cat '{path}')\""),
        _ => "\"\"".to_owned(),
    }
}

/// `text` as one shell word.
fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

/// How to see that monitoring, backups and the apps work.
fn checks(cluster: &Cluster, out: &mut String) {
    if let Some(monitoring) = &cluster.monitoring {
        let grafana = match (cluster.ingress.is_some(), cluster.grafana_host()) {
            (true, Some(host)) => format!("<https://{host}>"),
            _ => format!("`kubectl -n {MONITORING_NAMESPACE} port-forward svc/kube-prometheus-stack-grafana 3000:80`"),
        };
        let _ = writeln!(
            out,
            "\nMonitoring: `kubectl -n {MONITORING_NAMESPACE} get pods` lists Prometheus, Alertmanager, Grafana, \
             kube-state-metrics, a node-exporter and a Vector agent per member, and Loki. Grafana is at {grafana} \
             (user `admin`, the password from `monitoring.grafana-admin-password`), with Prometheus and Loki \
             ({}) as data sources; in Explore, `{{source=\"kubernetes\"}}` shows pod logs{}. Prometheus keeps \
             metrics {} and Loki logs {}. kube-controller-manager, kube-scheduler, etcd and kube-proxy are not \
             scraped: NixOS binds their metrics to 127.0.0.1.",
            loki::url(),
            if monitoring.journald { " and `{source=\"journald\"}` the hosts' journals" } else { "" },
            monitoring.metrics_retention,
            monitoring.log_retention
        );
    }
    if let Some(backup) = &cluster.backup {
        let _ = writeln!(
            out,
            "\nBackups: `kubectl -n {VELERO_NAMESPACE} get backupstoragelocations` shows the bucket `{}` at {} as \
             `Available` once Velero reaches it; the schedule `{}` backs up every namespace daily at {} UTC{} and \
             keeps each backup {}. `kubectl -n {VELERO_NAMESPACE} get backups` lists them; restore with the \
             `velero` command-line tool (`velero restore create --from-backup <name>`).",
            backup.bucket,
            backup.endpoint,
            velero::SCHEDULE,
            backup.daily_at,
            if backup.file_system_backup { ", with every pod volume's files" } else { "" },
            backup.retention
        );
    }
    let apps = apps(cluster);
    if !apps.is_empty() {
        out.push_str("\nThe apps, from a device on the tailnet:\n\n");
        for (app, url, release, namespace) in apps {
            let _ = writeln!(out, "- {app}: <{url}> (release `{release}` in `{namespace}`)");
        }
        if let Some(app) = &cluster.apps.vaultwarden
            && !app.signups_allowed
        {
            out.push_str(
                "\nVaultwarden accepts no sign-ups (`apps.vaultwarden.signups-allowed`): invite users from its \
                 admin page (which needs `apps.vaultwarden.admin-token`), or allow sign-ups while you create \
                 your accounts.\n",
            );
        }
    }
}
