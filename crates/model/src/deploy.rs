//! How the hosts are reached from the machine that deploys them: SSH address, SSH user, and where
//! each host's system is built.
//!
//! `homeflake deploy`, the flake's `colmena` and `deploy` (deploy-rs) outputs and
//! `docs/bootstrap.md` all read these facts through [`Cluster::ssh_address`],
//! [`Cluster::ssh_user`] and [`Cluster::builds_on_target`], so the defaults live here only.

use schemars::JsonSchema;
use serde::Serialize;

use crate::cluster::Cluster;
use crate::host::Host;
use crate::names::{FlakeUrl, SshAddress, System, UserName};
use crate::secret::Secret;

/// Facts about the machine `homeflake deploy` runs on (`[deploy]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub struct Deploy {
    /// The Nix systems the deploying machine can build, natively or through binfmt emulation or
    /// remote builders (default `x86_64-linux`). A host whose system is not among them builds its
    /// own system (`hosts.<name>.deploy.build-on-target` defaults to true).
    pub local_systems: Vec<System>,
    /// The deploy-rs flake whose library makes each host's activation profile in the flake's
    /// `deploy` output. It must name a commit: the flake fetches it with `builtins.getFlake`, and
    /// only when that output is evaluated, so `nixos-rebuild` never needs it and `flake.lock` stays
    /// nixpkgs alone.
    pub deploy_rs: FlakeUrl,
}

/// The deploy-rs commit the generated `deploy` output uses by default (master, 2025-12-18).
pub const DEFAULT_DEPLOY_RS: &str = "github:serokell/deploy-rs/d5eff7f948535b9c723d60cd8239f8f11ddc90fa";

impl Default for Deploy {
    /// An x86_64 laptop or desktop, which builds x86_64-linux and cannot build aarch64-linux
    /// without an emulator or a remote builder; deploy-rs at [`DEFAULT_DEPLOY_RS`].
    fn default() -> Self {
        Deploy { local_systems: vec![System::X86_64Linux], deploy_rs: FlakeUrl::new(DEFAULT_DEPLOY_RS).expect("valid") }
    }
}

/// How one host is reached (`hosts.<name>.deploy`); every key has a default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub struct HostDeploy {
    /// The address SSH connects to (default: the host's LAN address).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<SshAddress>,
    /// The user SSH logs in as; activation runs through its `sudo` (default: the first user in
    /// `wheel`). `root` logs in directly and needs no sudo.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<UserName>,
    /// Whether the host builds its own system (default: when the deploying machine cannot build
    /// the host's system, see `deploy.local-systems`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build_on_target: Option<bool>,
}

impl HostDeploy {
    /// Whether every key is left to its default.
    pub fn is_default(&self) -> bool {
        self == &HostDeploy::default()
    }
}

/// The user name that needs no sudo.
pub(crate) const ROOT: &str = "root";

impl UserName {
    /// Whether this is `root`, who activates a system without sudo.
    pub fn is_root(&self) -> bool {
        self.as_str() == ROOT
    }
}

impl Cluster {
    /// Where SSH reaches `host`: `deploy.address`, or its LAN address (which may be read from the
    /// environment: then the reference, never a value, is returned).
    pub fn ssh_address(&self, host: &Host) -> Secret<SshAddress> {
        if let Some(address) = &host.deploy.address {
            return Secret::Literal(address.clone());
        }
        match &host.lan_address {
            Secret::Literal(ip) => {
                Secret::Literal(SshAddress::new(ip.to_string()).expect("an IPv4 address is an SSH address"))
            }
            Secret::Env(name) => Secret::Env(name.clone()),
            Secret::File(path) => Secret::File(path.clone()),
        }
    }

    /// The user SSH logs in as on `host`: `deploy.user`, or the first user in `wheel`; `None` when
    /// neither exists.
    pub fn ssh_user<'a>(&'a self, host: &'a Host) -> Option<&'a UserName> {
        host.deploy.user.as_ref().or_else(|| {
            self.users.iter().find(|u| u.extra_groups.iter().any(|g| g.as_str() == "wheel")).map(|u| &u.name)
        })
    }

    /// Whether `host` builds its own system: `deploy.build-on-target`, or whether the deploying
    /// machine cannot build the host's system.
    pub fn builds_on_target(&self, host: &Host) -> bool {
        host.deploy.build_on_target.unwrap_or_else(|| !self.deploy.local_systems.contains(&host.system))
    }
}
