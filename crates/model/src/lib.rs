//! The inventory of a homeflake cluster: typed, validated, loaded from `homeflake.toml`.
//!
//! A [`Cluster`] is the single source of truth the generator reads. It is made by
//! [`load`] (a folder with `homeflake.toml` or `homeflake.json`, and optional
//! `hosts/<name>/host.toml` files), by [`from_toml_str`] / [`from_json_str`] / [`from_sources`]
//! (no I/O), or in Rust code by [`ClusterBuilder`]. All of them run the same validation, which
//! reports every problem at once as [`Diagnostic`]s naming file, line, column, key path and what
//! is allowed. [`schema`] gives the JSON Schema of the inventory for editors.
//!
//! The cluster layer (Helm releases deployed by helmfile) is described by [`Tls`], [`Storage`],
//! [`Monitoring`], [`Backup`], [`Apps`] and [`Charts`]; the generator turns them into [`Release`]s
//! whose values are [`Value`] trees.
//!
//! Values that may be secret are [`Secret`]s: a literal, or a reference to an environment variable
//! or a file. The model never holds a secret's value, so nothing needs redacting.
//!
//! The library never prints, exits or reads the environment.

#![deny(missing_docs)]

mod apps;
mod backup;
mod build;
mod ceph;
mod charts;
mod cluster;
mod decode;
mod deploy;
mod diagnostic;
mod error;
mod firewall;
mod flows;
mod host;
mod ingress;
mod kubernetes;
mod limits;
mod load;
mod locate;
mod monitoring;
mod names;
mod release;
mod schema;
mod secret;
mod source;
mod split_dns;
mod storage;
mod suggest;
mod tailscale;
mod tls;
mod validate;
mod validate_apps;
mod value;

pub use apps::{Apps, Nextcloud, Vaultwarden};
pub use backup::Backup;
pub use build::ClusterBuilder;
pub use ceph::{Ceph, CephOsd};
pub use charts::Charts;
pub use cluster::{Cluster, FlagSource, K3S_KUBELET_ROOT_DIR, NIXOS_KUBELET_ROOT_DIR, Network, NixpkgsPin, User};
pub use deploy::{DEFAULT_DEPLOY_RS, Deploy, HostDeploy};
pub use diagnostic::{Code, Diagnostic, Severity, printable};
pub use error::{BuildError, LoadError, ValueError};
pub use firewall::{Firewall, FirewallMode};
pub use flows::{Listener, OpenedByNixpkgs, Opener, Protocol, Source};
pub use host::{Host, Roles};
pub use ingress::{Ingress, IngressNodePorts, ListenPorts};
pub use kubernetes::{ApiServer, CorednsImage, DnsAddon, Flavour, K3s, Kubernetes, RoleFlags, ports};
pub use limits::{MAX_DIAGNOSTICS, MAX_INVENTORY_BYTES};
pub use load::{
    HOST_FILE, JSON_FILE, Loaded, Sources, TOML_FILE, from_json_str, from_sources, from_toml_str, load, read,
};
pub use locate::{KeyLocation, KeyLocations, locate};
pub use monitoring::Monitoring;
pub use names::CRYPT_SCHEME_IDS;
pub use names::{
    AbsolutePath, AcmeChallenge, AcmeServer, BucketName, ChartVersion, ClusterName, DiskDevice, DnsProvider,
    DomainName, EmailAddress, EnvVarName, FlakeUrl, GitRev, GoDuration, GroupName, Hardware, HostName, HttpUrl,
    ImageDigest, ImageName, ImageTag, InterfaceName, KernelModule, KubeletFlag, LabelKey, LabelValue, Locale,
    Namespace, NarHash, NixHash, NodePort, PackageAttr, PasswordHash, Port, PromDuration, ProxyFlag, Region,
    ReleaseName, Role, SshAddress, SshPublicKey, StateVersion, StorageClassName, System, TimeOfDay, TimeZone, UserName,
    VolumeSize,
};
pub use release::{ChartSource, Release};
pub use schema::schema;
pub use secret::Secret;
pub use split_dns::{SplitDns, SplitDnsNetwork};
pub use storage::{DEFAULT_MON_COUNT, DEFAULT_REPLICATION, Storage};
pub use suggest::closest;
pub use tailscale::{Tailscale, tailnet_range};
pub use tls::{ApiToken, Tls};
pub use value::Value;

/// Re-exported so embedders can name CIDRs without depending on `ipnet` themselves.
pub use ipnet::Ipv4Net;
