//! The cluster layer in the documents: the releases and where they run (`docs/topology.md`), and
//! the step that deploys them (`docs/bootstrap.md`).

use std::fmt::Write;

use homeflake_model::{Cluster, Release, Secret};

use super::{markdown_code, mermaid_text};
use crate::cluster::manifests::{cluster_issuer, wildcard_certificate};
use crate::cluster::values::rook_ceph_cluster;
use crate::cluster::{CERT_MANAGER_NAMESPACE, DIR, ROOK_NAMESPACE, TRAEFIK_NAMESPACE, releases};

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
        _ => "any worker".to_owned(),
    }
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
}

/// The `docs/topology.md` section listing the releases, when there are any.
pub fn topology_section(cluster: &Cluster) -> String {
    let releases = releases(cluster);
    if releases.is_empty() {
        return String::new();
    }
    format!(
        "\n## Helm releases\n\nDeployed by `helmfile apply` in `{DIR}/` (see `docs/bootstrap.md`).\n\n{}",
        release_table(cluster, &releases)
    )
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
         `kubernetes-helmPlugins.helm-diff` by `wrapHelm`.\n"
    );
    if let Some(tls) = &cluster.tls {
        let secret = cluster_issuer::token_secret_name(tls);
        let from = match &tls.dns_api_token {
            Secret::Env(name) => format!("--from-literal={}=\"${name}\"", cluster_issuer::TOKEN_KEY),
            Secret::File(path) => format!("--from-file={}={path}", cluster_issuer::TOKEN_KEY),
            _ => String::new(),
        };
        let kept = match &tls.dns_api_token {
            Secret::Env(name) => format!("the environment variable `{name}`"),
            Secret::File(path) => format!("the file `{path}`"),
            _ => String::new(),
        };
        let _ = writeln!(
            out,
            "First give cert-manager the {} API token, from {kept} (the inventory's `tls.dns-api-token`). \
             The ClusterIssuer names the Secret `{secret}`, key `{}`, in cert-manager's namespace, where \
             cert-manager reads a ClusterIssuer's secrets; the token itself is in no generated file:\n\n\
             ```sh\nkubectl create namespace {CERT_MANAGER_NAMESPACE}\n\
             kubectl -n {CERT_MANAGER_NAMESPACE} create secret generic {secret} {from}\n```\n",
            tls.dns_provider,
            cluster_issuer::TOKEN_KEY
        );
    }
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
    Some(("Deploy the cluster layer", out))
}
