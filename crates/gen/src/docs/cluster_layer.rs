//! The cluster layer in the documents: the releases and where they run, and the apps with their
//! URLs (`docs/topology.md`, `homeflake graph`), and the step that deploys them, with the Secrets
//! to create first (`docs/bootstrap.md`).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use homeflake_model::{ApiToken, Cluster, Host, Ingress, Release, Secret};

use super::{join, markdown_code, mermaid_text};
use crate::cluster::credentials::{self, Content};
use crate::cluster::manifests::{cluster_issuer, wildcard_certificate};
use crate::cluster::values::rook_ceph_cluster::{self, mon_count_from, replication_from};
use crate::cluster::values::{loki, vector, velero};
use crate::cluster::{
    DIR, MONITORING_NAMESPACE, NEXTCLOUD_NAMESPACE, ROOK_NAMESPACE, TRAEFIK_NAMESPACE, TRAEFIK_RELEASE,
    VAULTWARDEN_NAMESPACE, VELERO_NAMESPACE, chart_version_key, in_zone, release_section, releases, zone_key,
};
use crate::trace::{Origin, Provenance, block, presence, shown};

const TRAEFIK_HOSTS_RULE: &str = "Traefik runs on the workers that carry every label of ingress.node-selector";
const OSD_HOSTS_RULE: &str = "Rook makes OSDs on the hosts that ceph.osds names";

/// The Mermaid node id of a host, from its name: a name cannot turn it into a keyword (`end`).
pub(crate) fn host_id(name: &str) -> String {
    format!("host_{}", name.replace('-', "_"))
}

/// The workers Traefik runs on: those carrying every label of the ingress node selector.
fn traefik_hosts<'c>(cluster: &'c Cluster, ingress: &'c Ingress) -> impl Iterator<Item = &'c Host> + 'c {
    cluster
        .hosts
        .iter()
        .filter(|h| h.roles.worker && ingress.node_selector.iter().all(|(k, v)| h.labels.get(k) == Some(v)))
}

/// The keys deciding which hosts Traefik runs on: the roles and labels of every host carrying the
/// selector's labels.
fn traefik_host_keys(cluster: &Cluster, ingress: &Ingress) -> Vec<String> {
    let labelled =
        cluster.hosts.iter().filter(|h| ingress.node_selector.iter().all(|(k, v)| h.labels.get(k) == Some(v)));
    labelled.flat_map(|h| [crate::trace::host_key(h, "roles"), crate::trace::host_key(h, "labels")]).collect()
}

/// The ingress node selector as `key=value` pairs, each escaped by `escape` and from its key.
pub(crate) fn selector_text(ingress: &Ingress, escape: impl Fn(&str) -> String) -> String {
    join(
        ingress
            .node_selector
            .iter()
            .map(|(k, v)| shown(escape(&format!("{k}={v}"))).source(&format!("ingress.node-selector.{k}"))),
        ", ",
    )
}

/// Where a release's pods run, in words.
pub fn runs_on(cluster: &Cluster, release: &Release) -> String {
    match release.name.as_str() {
        TRAEFIK_RELEASE => {
            let Some(ingress) = &cluster.ingress else { return String::new() };
            let hosts =
                join(traefik_hosts(cluster, ingress).map(|h| shown(h.name.as_str()).host_source(h, "name")), ", ");
            shown(format!("{hosts} (nodes labelled {})", selector_text(ingress, str::to_owned)))
                .depends_on(TRAEFIK_HOSTS_RULE, || traefik_host_keys(cluster, ingress))
                .into_string()
        }
        "certificates" => "no pods: a ClusterIssuer and a Certificate".to_owned(),
        "ceph-csi-drivers" => "every worker (the CSI node plugins)".to_owned(),
        "rook-ceph-cluster" => {
            let Some(storage) = &cluster.storage else { return String::new() };
            let mon_hosts = if storage.mon_hosts.is_empty() {
                shown("any worker".to_owned()).present_if("storage.mon-hosts")
            } else {
                shown(join(storage.mon_hosts.iter(), ", ")).source("storage.mon-hosts")
            };
            let osds = shown(join(cluster.osd_hosts(), ", ")).derived_from(OSD_HOSTS_RULE, || osd_host_keys(cluster));
            format!(
                "{} monitor(s) on {mon_hosts}; OSDs on {osds}",
                mon_count_from(cluster, storage, shown(cluster.mon_count()))
            )
        }
        "kube-prometheus-stack" => format!(
            "Prometheus, Alertmanager and Grafana on any worker; node-exporter on every member (host port {})",
            homeflake_model::ports::NODE_EXPORTER
        ),
        "loki" => "one pod on any worker".to_owned(),
        "vector" => "every member (an agent per host, journals included)".to_owned(),
        "velero" => {
            let text = if cluster.backup.as_ref().is_some_and(|b| b.file_system_backup) {
                let (root, keys) = velero::node_agent_root_dir(cluster);
                format!(
                    "any worker; the node agent on every worker, reading {}",
                    shown(format!("{root}/pods")).derived_from(velero::ROOT_DIR_RULE, || keys)
                )
            } else {
                "any worker".to_owned()
            };
            shown(text).present_if(velero::FS_BACKUP).into_string()
        }
        _ => "any worker".to_owned(),
    }
}

/// The keys naming the hosts of every OSD disk.
fn osd_host_keys(cluster: &Cluster) -> Vec<String> {
    (0..cluster.ceph.as_ref().map_or(0, |c| c.osds.len())).map(|i| format!("ceph.osds[{i}].host")).collect()
}

/// A web app of the cluster layer.
pub struct App {
    /// What it is, in words.
    pub name: &'static str,
    /// Its URL.
    pub url: String,
    /// Its release.
    pub release: &'static str,
    /// Its namespace.
    pub namespace: &'static str,
    /// The inventory key that chooses its host name, and whether it does (else the name is in the zone).
    host_key: &'static str,
    chosen: bool,
    /// The inventory sections that make it exist.
    sections: &'static [&'static str],
}

impl App {
    /// `node`, showing the app's URL, marked with where its host name comes from.
    fn url_in<P: Provenance>(&self, cluster: &Cluster, node: P) -> P {
        in_zone(cluster, self.chosen, self.host_key, node)
    }

    fn presence(&self) -> Origin {
        presence(self.sections.iter().map(|s| (*s).to_owned()))
    }
}

/// The web apps: name, URL, release and namespace.
pub fn apps(cluster: &Cluster) -> Vec<App> {
    let mut out = Vec::new();
    if cluster.ingress.is_some()
        && let Some(host) = cluster.grafana_host()
    {
        out.push(App {
            name: "Grafana (metrics and logs)",
            url: format!("https://{host}"),
            release: "kube-prometheus-stack",
            namespace: MONITORING_NAMESPACE,
            host_key: "monitoring.grafana-host",
            chosen: cluster.monitoring.as_ref().is_some_and(|m| m.grafana_host.is_some()),
            sections: &["monitoring", "ingress"],
        });
    }
    if let Some(host) = cluster.vaultwarden_host() {
        out.push(App {
            name: "Vaultwarden (passwords)",
            url: format!("https://{host}"),
            release: "vaultwarden",
            namespace: VAULTWARDEN_NAMESPACE,
            host_key: "apps.vaultwarden.host",
            chosen: cluster.apps.vaultwarden.as_ref().is_some_and(|a| a.host.is_some()),
            sections: &["apps.vaultwarden"],
        });
    }
    if let Some(host) = cluster.nextcloud_host() {
        out.push(App {
            name: "Nextcloud (files)",
            url: format!("https://{host}"),
            release: "nextcloud",
            namespace: NEXTCLOUD_NAMESPACE,
            host_key: "apps.nextcloud.host",
            chosen: cluster.apps.nextcloud.as_ref().is_some_and(|a| a.host.is_some()),
            sections: &["apps.nextcloud"],
        });
    }
    out
}

/// The apps as a Markdown table, or nothing when there are none.
fn apps_table(cluster: &Cluster, apps: &[App]) -> String {
    let mut out = String::from("| app | URL | release | namespace |\n|---|---|---|---|\n");
    for app in apps {
        let _ = writeln!(
            out,
            "{}",
            shown(format_args!(
                "| {} | <{}> | `{}` | `{}` |",
                app.name,
                app.url_in(cluster, shown(&app.url)),
                app.release,
                app.namespace
            ))
            .traced(|| app.presence())
        );
    }
    out
}

/// A release's chart version, from its `charts.*` key, or `-` for a folder of manifests.
fn version(release: &Release, prefix: &str) -> String {
    match (release.chart.version(), chart_version_key(release)) {
        (Some(version), Some(key)) => format!("{prefix}{}", shown(version).source(key)),
        (Some(version), None) => format!("{prefix}{version}"),
        (None, _) => String::new(),
    }
}

/// The releases as a Markdown table: release, namespace, chart, version and where it runs.
pub fn release_table(cluster: &Cluster, releases: &[Release]) -> String {
    let mut out = String::from("| release | namespace | chart | version | runs on |\n|---|---|---|---|---|\n");
    for release in releases {
        let version = if release.chart.version().is_some() { version(release, "") } else { "-".to_owned() };
        let _ = writeln!(
            out,
            "{}",
            shown(format_args!(
                "| {} | {} | {} | {version} | {} |",
                markdown_code(release.name.as_str()),
                markdown_code(release.namespace.as_str()),
                markdown_code(&release.chart.reference().to_string()),
                runs_on(cluster, release)
            ))
            .present_if(release_section(release))
        );
    }
    out
}

/// The sections that make the releases exist, once each.
fn sections(releases: &[Release]) -> Origin {
    let sections: BTreeSet<&str> = releases.iter().map(release_section).collect();
    presence(sections.into_iter().map(str::to_owned))
}

/// The inventory sections that make the cluster layer's releases exist.
pub(crate) fn release_sections(cluster: &Cluster) -> Vec<String> {
    sections(&releases(cluster)).presence
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
    let _ = writeln!(
        out,
        "{}",
        shown(format_args!("  subgraph releases[\"Helm releases · {DIR}/helmfile.yaml\"]"))
            .traced(|| sections(&releases))
    );
    for release in &releases {
        let version = mermaid_text(&version(release, " "));
        let label = format!(
            "{}{version} · ns {}",
            mermaid_text(release.name.as_str()),
            mermaid_text(release.namespace.as_str())
        );
        let _ = writeln!(
            out,
            "{}",
            shown(format_args!("    {}[\"{label}\"]", id(release.name.as_str()))).present_if(release_section(release))
        );
    }
    let _ = writeln!(out, "{}", shown("  end").traced(|| sections(&releases)));
    for release in &releases {
        for need in &release.needs {
            let needed = releases.iter().find(|r| r.name == *need).map_or("storage", release_section);
            let _ = writeln!(
                out,
                "{}",
                shown(format_args!("  {} -- needs --> {}", id(release.name.as_str()), id(need.as_str())))
                    .traced(|| presence([release_section(release).to_owned(), needed.to_owned()]))
            );
        }
    }
    if let Some(ingress) = &cluster.ingress {
        let _ = writeln!(out, "{}", shown(format_args!("  traefik -.- {}", id(TRAEFIK_RELEASE))).present_if("ingress"));
        for host in traefik_hosts(cluster, ingress) {
            let _ = writeln!(
                out,
                "{}",
                shown(format_args!(
                    "  {} -- runs on --> {}",
                    id(TRAEFIK_RELEASE),
                    shown(host_id(host.name.as_str())).host_source(host, "name")
                ))
                .depends_on(TRAEFIK_HOSTS_RULE, || traefik_host_keys(cluster, ingress))
            );
        }
    }
    if let Some(storage) = &cluster.storage {
        for host in storage.mon_hosts.iter() {
            let _ = writeln!(
                out,
                "{}",
                shown(format_args!("  {} -- monitor --> {}", id("rook-ceph-cluster"), host_id(host.as_str())))
                    .source("storage.mon-hosts")
            );
        }
        for host in cluster.osd_hosts() {
            let _ = writeln!(
                out,
                "{}",
                shown(format_args!("  {} -- OSDs --> {}", id("rook-ceph-cluster"), host_id(host.as_str())))
                    .derived_from(OSD_HOSTS_RULE, || osd_host_keys(cluster))
            );
        }
    }
    // Agents that run on every member (DaemonSets), and the apps' URLs through Traefik.
    if let Some(monitoring) = &cluster.monitoring {
        for host in cluster.hosts.iter().filter(|h| h.roles.in_cluster()) {
            let node = || shown(host_id(host.name.as_str())).host_source(host, "name");
            let member = || presence(["monitoring".to_owned(), crate::trace::host_key(host, "roles")]);
            let _ = writeln!(
                out,
                "{}",
                shown(format_args!("  {} -- node-exporter --> {}", id("kube-prometheus-stack"), node())).traced(member)
            );
            let what =
                shown(if monitoring.journald { "pod logs, journal" } else { "pod logs" }).source(vector::JOURNALD);
            let _ = writeln!(
                out,
                "{}",
                shown(format_args!("  {} -- \"{what}\" --> {}", id("vector"), node())).traced(member)
            );
        }
    }
    if cluster.backup.as_ref().is_some_and(|b| b.file_system_backup) {
        for host in cluster.workers() {
            let _ = writeln!(
                out,
                "{}",
                shown(format_args!(
                    "  {} -- node agent --> {}",
                    id("velero"),
                    shown(host_id(host.name.as_str())).host_source(host, "name")
                ))
                .traced(|| presence([velero::FS_BACKUP.to_owned(), crate::trace::host_key(host, "roles")]))
            );
        }
    }
    if cluster.ingress.is_some() {
        for app in apps(cluster) {
            let _ = writeln!(
                out,
                "{}",
                shown(format_args!(
                    "  traefik -- \"{}\" --> {}",
                    app.url_in(cluster, shown(mermaid_text(&app.url))),
                    id(app.release)
                ))
                .traced(|| app.presence())
            );
        }
    }
}

/// The `docs/topology.md` section listing the releases, when there are any.
pub fn topology_section(cluster: &Cluster) -> String {
    let releases = releases(cluster);
    if releases.is_empty() {
        return String::new();
    }
    let mut out = String::new();
    block(
        &mut out,
        || sections(&releases),
        |out| {
            let _ = write!(
                out,
                "\n## Helm releases\n\nDeployed by `helmfile apply` in `{DIR}/` (see `docs/bootstrap.md`).\n\n{}",
                release_table(cluster, &releases)
            );
        },
    );
    let apps = apps(cluster);
    if !apps.is_empty() {
        let sections: BTreeSet<&str> = apps.iter().flat_map(|a| a.sections.iter().copied()).collect();
        block(
            &mut out,
            || presence(sections.into_iter().map(str::to_owned)),
            |out| {
                let _ = write!(
                    out,
                    "\n## Apps\n\nReached through Traefik with the wildcard certificate, from the tailnet (split DNS \
                     answers the zone there).\n\n{}",
                    apps_table(cluster, &apps)
                );
            },
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
        let port = |port: u16, key: &str| shown(port).source(key);
        let _ = write!(
            out,
            "{}",
            shown(format_args!(
                "Traefik is a NodePort Service on {} (HTTP) and {} (HTTPS), the ports nginx on `{}` forwards \
                 {} and {} to. Check it with `kubectl -n {TRAEFIK_NAMESPACE} get pods,services -o wide`.\n\n",
                port(ingress.node_ports.http.get(), "ingress.node-ports.http"),
                port(ingress.node_ports.https.get(), "ingress.node-ports.https"),
                shown(&ingress.host).source("ingress.host"),
                port(ingress.listen_ports.http.get(), "ingress.listen-ports.http"),
                port(ingress.listen_ports.https.get(), "ingress.listen-ports.https")
            ))
            .present_if("ingress")
        );
    }
    if let Some(tls) = &cluster.tls {
        let names = wildcard_certificate::dns_names(cluster);
        let zone = |name: &str| shown(name.to_owned()).source(zone_key(cluster));
        let issuer = || shown(cluster_issuer::issuer_name(tls)).source("tls.acme-server");
        let staging = if tls.acme_server == homeflake_model::AcmeServer::Staging {
            " The staging server's certificates are not trusted by browsers: switch `tls.acme-server` to \
             `production` once this works."
        } else {
            ""
        };
        let _ = write!(
            out,
            "{}",
            shown(format_args!(
                "Certificates: `kubectl -n {TRAEFIK_NAMESPACE} get certificate {}` turns `READY True` once \
                 `{}` has proven the zone through a TXT record (a minute or two); it covers `{}` and `{}` and is \
                 Traefik's default certificate. While it is not ready, `kubectl describe clusterissuer {}` and \
                 `kubectl get challenges -A` say why (most often a token without DNS edit rights).{}\n\n",
                wildcard_certificate::NAME,
                issuer(),
                zone(&names[0]),
                zone(&names[1]),
                issuer(),
                shown(staging).source("tls.acme-server")
            ))
            .present_if("tls")
        );
    }
    if let Some(storage) = &cluster.storage {
        block(
            &mut out,
            || presence(["storage".to_owned()]),
            |out| {
                let cephfs = |text: String| shown(text).present_if("storage.cephfs");
                let replication = cluster.replication();
                let copies = replication_from(
                    cluster,
                    shown(if replication == 1 {
                        "1 copy of each object: losing a disk loses the data on it".to_owned()
                    } else {
                        format!("{replication} copies of each object")
                    }),
                );
                let _ = writeln!(
                    out,
                    "Ceph: `kubectl -n {ROOK_NAMESPACE} get cephcluster` shows the cluster's `HEALTH` (`HEALTH_OK` \
                     when ready; the first OSD takes a few minutes), and `kubectl -n {ROOK_NAMESPACE} exec \
                     deploy/rook-ceph-tools -- ceph status` the details. `kubectl get storageclass` lists `{}` as \
                     the default{}. Every pool keeps {copies}.\n",
                    shown(&storage.default_storage_class).source("storage.default-storage-class"),
                    cephfs(if storage.cephfs {
                        format!(
                            " and `{}` for shared volumes",
                            shown(&storage.cephfs_storage_class).source("storage.cephfs-storage-class")
                        )
                    } else {
                        String::new()
                    })
                );
                let _ = writeln!(
                    out,
                    "Rook makes OSDs on exactly these disks, for the pool `{}`{}; each must be empty (no partitions, \
                     no filesystem: Rook skips a disk that has one):\n",
                    rook_ceph_cluster::BLOCK_POOL,
                    cephfs(if storage.cephfs {
                        format!(" and the filesystem `{}`", rook_ceph_cluster::FILESYSTEM)
                    } else {
                        String::new()
                    })
                );
                for (i, osd) in cluster.ceph.iter().flat_map(|c| &c.osds).enumerate() {
                    let _ = writeln!(
                        out,
                        "- {}: {}",
                        shown(markdown_code(osd.host.as_str())).source(&format!("ceph.osds[{i}].host")),
                        shown(markdown_code(osd.device.as_str())).source(&format!("ceph.osds[{i}].device"))
                    );
                }
            },
        );
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
        // Each reference once, in the order of its words.
        let from: BTreeMap<String, (&str, &Secret<ApiToken>)> = secret
            .keys
            .iter()
            .flat_map(|(_, content)| match content {
                Content::Fixed(_) | Content::Setting { .. } => Vec::new(),
                Content::Reference { key, secret } => vec![(*key, *secret)],
                Content::AwsCredentials { id, secret } => {
                    vec![("backup.access-key-id", *id), ("backup.secret-access-key", *secret)]
                }
            })
            .map(|(key, secret)| (format!("`{key}` ({})", kept_at(secret)), (key, secret)))
            .collect();
        let from = from.values().map(|(key, secret)| format!("`{key}` ({})", shown(kept_at(secret)).source(key)));
        let _ = writeln!(
            out,
            "- `{}` in `{}`, for {}, from {}",
            secret_name(secret),
            secret.namespace,
            secret.read_by,
            join(from, " and ")
        );
    }
    out.push_str("\n```sh\n");
    let namespaces: BTreeSet<&str> = secrets.iter().map(|s| s.namespace).collect();
    for namespace in &namespaces {
        let _ = writeln!(out, "kubectl create namespace {namespace}");
    }
    for secret in &secrets {
        let _ = write!(out, "kubectl -n {} create secret generic {}", secret.namespace, secret_name(secret));
        for (key, content) in &secret.keys {
            let value = match content {
                Content::Fixed(text) => shell_quote(text),
                Content::Setting { key, value } => shown(shell_quote(value)).source(key).into_string(),
                Content::Reference { key, secret } => shown(shell_value(secret)).source(key).into_string(),
                Content::AwsCredentials { id, secret } => format!(
                    "\"$(printf '[default]\\naws_access_key_id=%s\\naws_secret_access_key=%s\\n' {} {})\"",
                    shown(shell_value(id)).source("backup.access-key-id"),
                    shown(shell_value(secret)).source("backup.secret-access-key")
                ),
            };
            let _ = write!(out, " \\\n  --from-literal={key}={value}");
        }
        out.push('\n');
    }
    out.push_str("```\n\n");
}

/// A Secret's name, from the DNS provider for the provider's token.
fn secret_name(secret: &credentials::HandMadeSecret<'_>) -> String {
    if secret.keys.first().is_some_and(|(key, _)| *key == cluster_issuer::TOKEN_KEY) {
        shown(secret.name.clone()).source("tls.dns-provider").into_string()
    } else {
        secret.name.clone()
    }
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
    let apps = apps(cluster);
    if let Some(monitoring) = &cluster.monitoring {
        let grafana = match (cluster.ingress.is_some(), apps.iter().find(|a| a.release == "kube-prometheus-stack")) {
            (true, Some(app)) => app.url_in(cluster, shown(format!("<{}>", app.url))).into_string(),
            _ => format!("`kubectl -n {MONITORING_NAMESPACE} port-forward svc/kube-prometheus-stack-grafana 3000:80`"),
        };
        let _ = write!(
            out,
            "{}",
            shown(format_args!(
                "\nMonitoring: `kubectl -n {MONITORING_NAMESPACE} get pods` lists Prometheus, Alertmanager, Grafana, \
                 kube-state-metrics, a node-exporter and a Vector agent per member, and Loki. Grafana is at {grafana} \
                 (user `admin`, the password from `monitoring.grafana-admin-password`), with Prometheus and Loki \
                 ({}) as data sources; in Explore, `{{source=\"kubernetes\"}}` shows pod logs{}. Prometheus keeps \
                 metrics {} and Loki logs {}. kube-controller-manager, kube-scheduler, etcd and kube-proxy are not \
                 scraped: NixOS binds their metrics to 127.0.0.1.\n",
                loki::url(),
                shown(if monitoring.journald { " and `{source=\"journald\"}` the hosts' journals" } else { "" })
                    .source(vector::JOURNALD),
                shown(&monitoring.metrics_retention).source("monitoring.metrics-retention"),
                shown(&monitoring.log_retention).source("monitoring.log-retention")
            ))
            .present_if("monitoring")
        );
    }
    if let Some(backup) = &cluster.backup {
        let _ = write!(
            out,
            "{}",
            shown(format_args!(
                "\nBackups: `kubectl -n {VELERO_NAMESPACE} get backupstoragelocations` shows the bucket `{}` at {} as \
                 `Available` once Velero reaches it; the schedule `{}` backs up every namespace daily at {} UTC{} and \
                 keeps each backup {}. `kubectl -n {VELERO_NAMESPACE} get backups` lists them; restore with the \
                 `velero` command-line tool (`velero restore create --from-backup <name>`).\n",
                shown(&backup.bucket).source("backup.bucket"),
                shown(&backup.endpoint).source("backup.endpoint"),
                velero::SCHEDULE,
                shown(&backup.daily_at).source("backup.daily-at"),
                shown(if backup.file_system_backup { ", with every pod volume's files" } else { "" })
                    .source(velero::FS_BACKUP),
                shown(&backup.retention).source("backup.retention")
            ))
            .present_if("backup")
        );
    }
    if !apps.is_empty() {
        let sections: BTreeSet<&str> = apps.iter().flat_map(|a| a.sections.iter().copied()).collect();
        block(
            out,
            || presence(sections.into_iter().map(str::to_owned)),
            |out| {
                out.push_str("\nThe apps, from a device on the tailnet:\n\n");
                for app in &apps {
                    let _ = writeln!(
                        out,
                        "{}",
                        shown(format_args!(
                            "- {}: <{}> (release `{}` in `{}`)",
                            app.name,
                            app.url_in(cluster, shown(&app.url)),
                            app.release,
                            app.namespace
                        ))
                        .traced(|| app.presence())
                    );
                }
            },
        );
        if let Some(app) = &cluster.apps.vaultwarden
            && !app.signups_allowed
        {
            block(
                out,
                || presence(["apps.vaultwarden.signups-allowed".to_owned()]),
                |out| {
                    out.push_str(
                        "\nVaultwarden accepts no sign-ups (`apps.vaultwarden.signups-allowed`): invite users from \
                         its admin page (which needs `apps.vaultwarden.admin-token`), or allow sign-ups while you \
                         create your accounts.\n",
                    )
                },
            );
        }
    }
}
