//! Building a cluster in Rust code, with the same validation as the loader.

use crate::apps::Apps;
use crate::backup::Backup;
use crate::ceph::Ceph;
use crate::charts::Charts;
use crate::cluster::{Cluster, Network, NixpkgsPin, User, default_locale, default_state_version, default_time_zone};
use crate::deploy::Deploy;
use crate::error::BuildError;
use crate::firewall::Firewall;
use crate::host::Host;
use crate::ingress::Ingress;
use crate::kubernetes::Kubernetes;
use crate::monitoring::Monitoring;
use crate::names::{ClusterName, DomainName, Locale, StateVersion, TimeZone};
use crate::split_dns::SplitDns;
use crate::storage::Storage;
use crate::tailscale::Tailscale;
use crate::tls::Tls;

/// Builds a [`Cluster`]; [`ClusterBuilder::build`] runs the loader's validation and returns every error.
///
/// ```
/// use homeflake_model::*;
///
/// let lan = "192.168.10.0/24".parse().unwrap();
/// let gateway = "192.168.10.1".parse().unwrap();
/// let yomogi = Host::new(
///     HostName::new("yomogi")?,
///     Hardware::UefiPc,
///     InterfaceName::new("enp1s0")?,
///     "192.168.10.10".parse::<std::net::Ipv4Addr>().unwrap(),
/// )
/// .with_roles(Roles::CONTROL_PLANE_AND_WORKER);
/// let cluster = Cluster::builder(ClusterName::new("homelab")?, DomainName::new("home.example.com")?, Network::new(lan, gateway))
///     .host(yomogi)
///     .build()
///     .expect("valid");
/// assert_eq!(cluster.hosts.len(), 1);
/// # Ok::<(), ValueError>(())
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct ClusterBuilder {
    cluster: Cluster,
}

impl ClusterBuilder {
    /// A cluster with no hosts and the reference defaults for everything else.
    pub fn new(name: ClusterName, domain: DomainName, network: Network) -> Self {
        ClusterBuilder {
            cluster: Cluster {
                name,
                domain,
                time_zone: default_time_zone(),
                locale: default_locale(),
                state_version: default_state_version(),
                nixpkgs: NixpkgsPin::default(),
                network,
                hosts: Vec::new(),
                users: Vec::new(),
                kubernetes: Kubernetes::default(),
                firewall: Firewall::default(),
                tailscale: Tailscale::default(),
                split_dns: None,
                ingress: None,
                ceph: None,
                tls: None,
                storage: None,
                monitoring: None,
                backup: None,
                apps: Apps::default(),
                charts: Charts::default(),
                deploy: Deploy::default(),
                allow_warnings: Vec::new(),
            },
        }
    }

    /// Sets `time.timeZone`.
    pub fn time_zone(mut self, time_zone: TimeZone) -> Self {
        self.cluster.time_zone = time_zone;
        self
    }

    /// Sets `i18n.defaultLocale`.
    pub fn locale(mut self, locale: Locale) -> Self {
        self.cluster.locale = locale;
        self
    }

    /// Sets `system.stateVersion`.
    pub fn state_version(mut self, state_version: StateVersion) -> Self {
        self.cluster.state_version = state_version;
        self
    }

    /// Sets the nixpkgs input.
    pub fn nixpkgs(mut self, pin: NixpkgsPin) -> Self {
        self.cluster.nixpkgs = pin;
        self
    }

    /// Appends a host (hosts keep the order they are added in).
    pub fn host(mut self, host: Host) -> Self {
        self.cluster.hosts.push(host);
        self
    }

    /// Appends hosts.
    pub fn hosts(mut self, hosts: impl IntoIterator<Item = Host>) -> Self {
        self.cluster.hosts.extend(hosts);
        self
    }

    /// Appends a login account.
    pub fn user(mut self, user: User) -> Self {
        self.cluster.users.push(user);
        self
    }

    /// Sets the Kubernetes settings.
    pub fn kubernetes(mut self, kubernetes: Kubernetes) -> Self {
        self.cluster.kubernetes = kubernetes;
        self
    }

    /// Sets the firewall.
    pub fn firewall(mut self, firewall: Firewall) -> Self {
        self.cluster.firewall = firewall;
        self
    }

    /// Sets Tailscale.
    pub fn tailscale(mut self, tailscale: Tailscale) -> Self {
        self.cluster.tailscale = tailscale;
        self
    }

    /// Turns on split DNS.
    pub fn split_dns(mut self, split_dns: SplitDns) -> Self {
        self.cluster.split_dns = Some(split_dns);
        self
    }

    /// Turns on the ingress proxy.
    pub fn ingress(mut self, ingress: Ingress) -> Self {
        self.cluster.ingress = Some(ingress);
        self
    }

    /// Turns on Rook Ceph.
    pub fn ceph(mut self, ceph: Ceph) -> Self {
        self.cluster.ceph = Some(ceph);
        self
    }

    /// Turns on TLS for the zone (cert-manager and a wildcard certificate).
    pub fn tls(mut self, tls: Tls) -> Self {
        self.cluster.tls = Some(tls);
        self
    }

    /// Turns on Rook Ceph's cluster on the `[ceph]` disks.
    pub fn storage(mut self, storage: Storage) -> Self {
        self.cluster.storage = Some(storage);
        self
    }

    /// Turns on monitoring (kube-prometheus-stack, Loki, Vector).
    pub fn monitoring(mut self, monitoring: Monitoring) -> Self {
        self.cluster.monitoring = Some(monitoring);
        self
    }

    /// Turns on backups with Velero.
    pub fn backup(mut self, backup: Backup) -> Self {
        self.cluster.backup = Some(backup);
        self
    }

    /// Sets the apps.
    pub fn apps(mut self, apps: Apps) -> Self {
        self.cluster.apps = apps;
        self
    }

    /// Overrides chart versions.
    pub fn charts(mut self, charts: Charts) -> Self {
        self.cluster.charts = charts;
        self
    }

    /// Sets the facts about the machine `homeflake deploy` runs on.
    pub fn deploy(mut self, deploy: Deploy) -> Self {
        self.cluster.deploy = deploy;
        self
    }

    /// Validates the cluster; on failure returns every error (and the warnings found with them).
    pub fn build(self) -> Result<Cluster, BuildError> {
        let mut cluster = self.cluster;
        crate::validate::normalize(&mut cluster);
        let diagnostics: Vec<_> = crate::validate::validate(&cluster).into_iter().map(|(_, d)| d).collect();
        if diagnostics.iter().any(|d| d.is_error()) { Err(BuildError::Invalid(diagnostics)) } else { Ok(cluster) }
    }
}
