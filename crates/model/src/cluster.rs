//! The validated cluster: cluster-wide settings, the hosts, and every service's settings.

use std::net::Ipv4Addr;

use ipnet::Ipv4Net;
use schemars::JsonSchema;
use serde::Serialize;

use crate::apps::Apps;
use crate::backup::Backup;
use crate::ceph::Ceph;
use crate::charts::Charts;
use crate::deploy::Deploy;
use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::firewall::Firewall;
use crate::host::Host;
use crate::ingress::Ingress;
use crate::kubernetes::Kubernetes;
use crate::monitoring::Monitoring;
use crate::names::{
    ClusterName, DiskDevice, DomainName, FlakeUrl, GitRev, GroupName, HostName, KernelModule, KubeletFlag, Locale,
    NarHash, PasswordHash, SshPublicKey, StateVersion, StorageClassName, TimeZone, UserName,
};
use crate::secret::Secret;
use crate::split_dns::SplitDns;
use crate::storage::{DEFAULT_MON_COUNT, DEFAULT_REPLICATION, Storage};
use crate::tailscale::Tailscale;
use crate::tls::Tls;

/// The LAN every host sits on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub struct Network {
    /// The LAN (`192.168.10.0/24`); its prefix length is every host's `prefixLength`.
    #[schemars(with = "String")]
    pub lan: Ipv4Net,
    /// The router (`networking.defaultGateway`), inside the LAN.
    pub gateway: Ipv4Addr,
    /// `networking.nameservers`; in an inventory it defaults to the gateway and 8.8.8.8.
    pub nameservers: Vec<Ipv4Addr>,
}

impl Network {
    /// A LAN with its gateway; the nameservers are the gateway and 8.8.8.8.
    pub fn new(lan: Ipv4Net, gateway: Ipv4Addr) -> Self {
        Network { lan, gateway, nameservers: vec![gateway, Ipv4Addr::new(8, 8, 8, 8)] }
    }
}

/// The nixpkgs input of the flake.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub struct NixpkgsPin {
    /// The flake reference (`github:nixos/nixpkgs/25.11`).
    pub url: FlakeUrl,
    /// The locked commit; `rev`, `nar-hash` and `last-modified` go together.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rev: Option<GitRev>,
    /// The locked `narHash`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nar_hash: Option<NarHash>,
    /// The locked `lastModified` (seconds since the epoch).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<u64>,
}

impl NixpkgsPin {
    /// An unlocked reference (the flake's lock file decides the commit).
    pub fn unlocked(url: FlakeUrl) -> Self {
        NixpkgsPin { url, rev: None, nar_hash: None, last_modified: None }
    }

    /// The three lock fields, when all are set.
    pub fn lock(&self) -> Option<(&GitRev, &NarHash, u64)> {
        Some((self.rev.as_ref()?, self.nar_hash.as_ref()?, self.last_modified?))
    }
}

impl Default for NixpkgsPin {
    /// The public 25.11 pin of the reference cluster.
    fn default() -> Self {
        NixpkgsPin {
            url: FlakeUrl::new("github:nixos/nixpkgs/25.11").expect("valid"),
            rev: Some(GitRev::new("871b9fd269ff6246794583ce4ee1031e1da71895").expect("valid")),
            nar_hash: Some(NarHash::new("sha256-M101xMtWdF1eSD0xhiR8nG8CXRlHmv6V+VoY65Smwf4=").expect("valid")),
            last_modified: Some(1_764_521_362),
        }
    }
}

/// A login account on every host (SSH is key-only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub struct User {
    /// The user name.
    pub name: UserName,
    /// The password hash: literal, `{ env = … }` (`hashedPassword`) or `{ file = … }` (`hashedPasswordFile`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hashed_password: Option<Secret<PasswordHash>>,
    /// Public keys allowed to log in.
    #[serde(default)]
    pub authorized_keys: Vec<SshPublicKey>,
    /// Supplementary groups (`wheel`).
    #[serde(default)]
    pub extra_groups: Vec<GroupName>,
}

impl User {
    /// A user with no password, keys or groups.
    pub fn new(name: UserName) -> Self {
        User { name, hashed_password: None, authorized_keys: Vec::new(), extra_groups: Vec::new() }
    }
}

/// Where one of a host's kubelet flags comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FlagSource {
    /// `kubernetes.kubelet-flags.<role>`, by the host's roles.
    Role,
    /// `ceph.kubelet-root-dir`, on a worker while Ceph is on.
    CephRootDir,
    /// The host's own `kubelet-flags`.
    Host,
}

impl FlagSource {
    /// The inventory keys a flag from here comes from, for `host`.
    pub fn keys(self, host: &Host) -> Vec<String> {
        match self {
            FlagSource::Role => {
                let role = if host.roles.control_plane { "control-plane" } else { "worker" };
                vec![format!("kubernetes.kubelet-flags.{role}"), format!("hosts.{}.roles", host.name)]
            }
            FlagSource::CephRootDir => vec!["ceph.kubelet-root-dir".to_owned()],
            FlagSource::Host => vec![format!("hosts.{}.kubelet-flags", host.name)],
        }
    }
}

/// The validated model of a cluster.
///
/// Made only by [`crate::load`], [`crate::from_toml_str`], [`crate::from_json_str`] or
/// [`crate::ClusterBuilder::build`], which all run the same validation. The fields are public for
/// reading; code that changes them should run [`Cluster::validate`] again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub struct Cluster {
    /// The cluster's name.
    pub name: ClusterName,
    /// The DNS zone of the cluster's services (`home.example.com`).
    pub domain: DomainName,
    /// `time.timeZone` (default `UTC`).
    #[serde(default = "default_time_zone")]
    pub time_zone: TimeZone,
    /// `i18n.defaultLocale` (default `en_US.UTF-8`).
    #[serde(default = "default_locale")]
    pub locale: Locale,
    /// `system.stateVersion` (default `25.05`).
    #[serde(default = "default_state_version")]
    pub state_version: StateVersion,
    /// The nixpkgs input (default: the public 25.11 pin).
    #[serde(default)]
    pub nixpkgs: NixpkgsPin,
    /// The LAN.
    pub network: Network,
    /// The hosts, in inventory order (inline `[[hosts]]` first, then `hosts/<name>/host.toml` by name).
    #[serde(default)]
    pub hosts: Vec<Host>,
    /// Login accounts on every host.
    #[serde(default)]
    pub users: Vec<User>,
    /// Kubernetes.
    #[serde(default)]
    pub kubernetes: Kubernetes,
    /// The firewall.
    #[serde(default)]
    pub firewall: Firewall,
    /// Tailscale.
    #[serde(default)]
    pub tailscale: Tailscale,
    /// Split DNS, when the cluster's zone is served on the tailnet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub split_dns: Option<SplitDns>,
    /// The ingress proxy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ingress: Option<Ingress>,
    /// Rook Ceph prerequisites on the hosts, and the OSD disks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ceph: Option<Ceph>,
    /// Certificates for the zone (cert-manager, a wildcard certificate for Traefik).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<Tls>,
    /// Rook Ceph's cluster on the `[ceph]` disks, and its StorageClasses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage: Option<Storage>,
    /// Logs and metrics: kube-prometheus-stack, Loki and Vector.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monitoring: Option<Monitoring>,
    /// Backups with Velero to an S3-compatible bucket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup: Option<Backup>,
    /// The apps: Vaultwarden and Nextcloud.
    #[serde(default)]
    pub apps: Apps,
    /// The chart versions of the cluster layer.
    #[serde(default)]
    pub charts: Charts,
    /// Facts about the machine `homeflake deploy` runs on.
    #[serde(default)]
    pub deploy: Deploy,
    /// Warnings acknowledged by name (`easy-certs`), like clippy's `allow`: they are no longer
    /// reported, and `homeflake validate` lists them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(schema_with = "crate::schema::allow_warnings")]
    pub allow_warnings: Vec<Code>,
}

/// The root dir the nixpkgs kubelet module gives kubelet: `services.kubernetes.dataDir`'s default.
pub const NIXOS_KUBELET_ROOT_DIR: &str = "/var/lib/kubernetes";

/// The root dir of k3s's kubelet: kubelet's own default, since k3s passes `--root-dir` only when
/// rootless (`pkg/agent/config/config.go`, `pkg/daemons/agent/agent_linux.go`).
pub const K3S_KUBELET_ROOT_DIR: &str = "/var/lib/kubelet";

pub(crate) fn default_time_zone() -> TimeZone {
    TimeZone::new("UTC").expect("valid")
}
pub(crate) fn default_locale() -> Locale {
    Locale::new("en_US.UTF-8").expect("valid")
}
pub(crate) fn default_state_version() -> StateVersion {
    StateVersion::new("25.05").expect("valid")
}

impl Cluster {
    /// Starts building a cluster in Rust code; see [`crate::ClusterBuilder`].
    pub fn builder(name: ClusterName, domain: DomainName, network: Network) -> crate::ClusterBuilder {
        crate::ClusterBuilder::new(name, domain, network)
    }

    /// The host named `name`.
    pub fn host(&self, name: &str) -> Option<&Host> {
        self.hosts.iter().find(|h| h.name.as_str() == name)
    }

    /// The name of the host `name` is a likely typo of (`yomgi` → `yomogi`).
    pub fn closest_host(&self, name: &str) -> Option<&HostName> {
        let closest = crate::suggest::closest(name, self.hosts.iter().map(|h| h.name.as_str()))?;
        self.host(closest).map(|h| &h.name)
    }

    /// The control-plane hosts, in inventory order.
    pub fn control_planes(&self) -> impl Iterator<Item = &Host> {
        self.hosts.iter().filter(|h| h.roles.control_plane)
    }

    /// The hosts with a Kubernetes role, in inventory order.
    pub fn members(&self) -> impl Iterator<Item = &Host> {
        self.hosts.iter().filter(|h| h.roles.in_cluster())
    }

    /// The hosts that run workloads, in inventory order.
    pub fn workers(&self) -> impl Iterator<Item = &Host> {
        self.hosts.iter().filter(|h| h.roles.worker)
    }

    /// The kubelet flags of `host`: its role's flags, `--root-dir` when Ceph is on and the host is a
    /// worker (unless the flags already set it), then the host's own flags.
    pub fn kubelet_flags(&self, host: &Host) -> Vec<KubeletFlag> {
        self.kubelet_flags_with_sources(host).into_iter().map(|(flag, _)| flag).collect()
    }

    /// [`Cluster::kubelet_flags`], each flag with where it comes from.
    pub fn kubelet_flags_with_sources(&self, host: &Host) -> Vec<(KubeletFlag, FlagSource)> {
        let mut flags: Vec<(KubeletFlag, FlagSource)> =
            self.kubernetes.kubelet_flags.for_roles(host.roles).iter().map(|f| (f.clone(), FlagSource::Role)).collect();
        if let Some(ceph) = &self.ceph
            && host.roles.worker
            && !flags.iter().map(|(f, _)| f).chain(&host.kubelet_flags).any(|f| f.name() == "root-dir")
        {
            let flag = KubeletFlag::new(format!("--root-dir={}", ceph.kubelet_root_dir))
                .expect("a valid path is a valid flag value");
            flags.push((flag, FlagSource::CephRootDir));
        }
        flags.extend(host.kubelet_flags.iter().map(|f| (f.clone(), FlagSource::Host)));
        flags
    }

    /// The kernel modules of `host`: its own, then Ceph's on workers when Ceph is on, without repeats.
    pub fn kernel_modules(&self, host: &Host) -> Vec<KernelModule> {
        let mut modules = host.kernel_modules.clone();
        if let Some(ceph) = &self.ceph
            && host.roles.worker
        {
            for m in &ceph.kernel_modules {
                if !modules.contains(m) {
                    modules.push(m.clone());
                }
            }
        }
        modules
    }

    /// The Ceph OSD disks attached to `host`.
    pub fn ceph_osd_devices<'a>(&'a self, host: &'a Host) -> impl Iterator<Item = &'a DiskDevice> + 'a {
        self.ceph.iter().flat_map(|c| &c.osds).filter(move |o| o.host == host.name).map(|o| &o.device)
    }

    /// The zone the cluster's services live in: the split-DNS zone when split DNS is on, else the domain.
    pub fn zone(&self) -> &DomainName {
        self.split_dns.as_ref().map_or(&self.domain, |d| &d.zone)
    }

    /// The hosts with at least one Ceph OSD disk, in the order they first appear in `ceph.osds`.
    pub fn osd_hosts(&self) -> Vec<&HostName> {
        let mut hosts: Vec<&HostName> = Vec::new();
        for osd in self.ceph.iter().flat_map(|c| &c.osds) {
            if !hosts.contains(&&osd.host) {
                hosts.push(&osd.host);
            }
        }
        hosts
    }

    /// The hosts that may run a Ceph monitor: `storage.mon-hosts`, or every worker.
    pub fn mon_hosts(&self) -> Vec<&HostName> {
        match self.storage.as_ref().map(|s| &s.mon_hosts) {
            Some(hosts) if !hosts.is_empty() => hosts.iter().collect(),
            _ => self.workers().map(|h| &h.name).collect(),
        }
    }

    /// How many Ceph monitors run: `storage.mon-count`, or 3, or the largest odd number of monitor
    /// hosts when there are fewer (at least 1).
    pub fn mon_count(&self) -> u32 {
        if let Some(count) = self.storage.as_ref().and_then(|s| s.mon_count) {
            return count;
        }
        let hosts = u32::try_from(self.mon_hosts().len()).unwrap_or(u32::MAX).clamp(1, DEFAULT_MON_COUNT);
        if hosts.is_multiple_of(2) { hosts - 1 } else { hosts }
    }

    /// How many copies Ceph's pools keep: `storage.replication`, or 3, or the number of OSD hosts when
    /// there are fewer (at least 1).
    pub fn replication(&self) -> u32 {
        if let Some(size) = self.storage.as_ref().and_then(|s| s.replication) {
            return size;
        }
        u32::try_from(self.osd_hosts().len()).unwrap_or(u32::MAX).clamp(1, DEFAULT_REPLICATION)
    }

    /// The directory kubelet on `host` keeps its pods and their volumes in: the last `--root-dir`
    /// of its flags, or else [`Cluster::default_kubelet_root_dir`].
    pub fn kubelet_root_dir(&self, host: &Host) -> String {
        self.kubelet_flags(host)
            .iter()
            .rev()
            .find(|f| f.name() == "root-dir")
            .and_then(|f| f.value())
            .unwrap_or(self.default_kubelet_root_dir())
            .to_owned()
    }

    /// The inventory keys [`Cluster::kubelet_root_dir`] of `host` comes from: those of its last
    /// `--root-dir` flag, or `kubernetes.flavour`, whose module picks the default.
    pub fn kubelet_root_dir_keys(&self, host: &Host) -> Vec<String> {
        self.kubelet_flags_with_sources(host)
            .iter()
            .rev()
            .find(|(f, _)| f.name() == "root-dir")
            .map_or_else(|| vec!["kubernetes.flavour".to_owned()], |(_, source)| source.keys(host))
    }

    /// kubelet's root dir without a `--root-dir` flag: nixpkgs' `services.kubernetes.dataDir`, which
    /// the kubelet module passes ahead of the extra flags (not kubelet's own `/var/lib/kubelet`), or
    /// under k3s kubelet's own.
    pub fn default_kubelet_root_dir(&self) -> &'static str {
        if self.kubernetes.is_k3s() { K3S_KUBELET_ROOT_DIR } else { NIXOS_KUBELET_ROOT_DIR }
    }

    /// Grafana's host name: `monitoring.grafana-host`, or `grafana.<zone>`.
    pub fn grafana_host(&self) -> Option<DomainName> {
        let monitoring = self.monitoring.as_ref()?;
        monitoring.grafana_host.clone().or_else(|| self.name_in_zone("grafana"))
    }

    /// Vaultwarden's host name: `apps.vaultwarden.host`, or `vault.<zone>`.
    pub fn vaultwarden_host(&self) -> Option<DomainName> {
        let app = self.apps.vaultwarden.as_ref()?;
        app.host.clone().or_else(|| self.name_in_zone("vault"))
    }

    /// Nextcloud's host name: `apps.nextcloud.host`, or `cloud.<zone>`.
    pub fn nextcloud_host(&self) -> Option<DomainName> {
        let app = self.apps.nextcloud.as_ref()?;
        app.host.clone().or_else(|| self.name_in_zone("cloud"))
    }

    /// Every host name the cluster's web apps are reached at, with the inventory key it comes from.
    pub fn app_hosts(&self) -> Vec<(&'static str, DomainName)> {
        [
            ("monitoring.grafana-host", self.grafana_host()),
            ("apps.vaultwarden.host", self.vaultwarden_host()),
            ("apps.nextcloud.host", self.nextcloud_host()),
        ]
        .into_iter()
        .filter_map(|(key, host)| host.map(|h| (key, h)))
        .collect()
    }

    /// The StorageClasses Rook creates: the block pool's, and CephFS's when it is on.
    pub fn storage_classes(&self) -> Vec<&StorageClassName> {
        let Some(storage) = &self.storage else { return Vec::new() };
        let mut out = vec![&storage.default_storage_class];
        if storage.cephfs {
            out.push(&storage.cephfs_storage_class);
        }
        out
    }

    /// The StorageClass of a volume whose own choice is `chosen`: it, or the default StorageClass.
    pub fn storage_class_or_default<'a>(
        &'a self,
        chosen: Option<&'a StorageClassName>,
    ) -> Option<&'a StorageClassName> {
        chosen.or_else(|| self.storage.as_ref().map(|s| &s.default_storage_class))
    }

    fn name_in_zone(&self, label: &str) -> Option<DomainName> {
        DomainName::new(format!("{label}.{}", self.zone())).ok()
    }

    /// Runs the whole validation again: errors and warnings, with key paths but no file positions.
    pub fn validate(&self) -> Vec<Diagnostic> {
        crate::validate::validate(self).into_iter().map(|(_, d)| d).collect()
    }

    /// The warnings about this cluster (easyCerts, broad trusted ranges, missing Ceph modules, …),
    /// except those acknowledged in [`Cluster::allow_warnings`].
    pub fn warnings(&self) -> Vec<Diagnostic> {
        self.validate()
            .into_iter()
            .filter(|d| d.severity == Severity::Warning && !self.allow_warnings.contains(&d.code))
            .collect()
    }

    /// The release `system.stateVersion` may not be newer than: the pinned nixpkgs release, when
    /// its flake reference names one.
    pub fn nixpkgs_release(&self) -> Option<StateVersion> {
        StateVersion::of_nixpkgs(&self.nixpkgs.url)
    }
}
