//! A machine of the cluster: hardware, addresses, roles and per-host extras.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::ser::SerializeSeq;
use serde::{Serialize, Serializer};

use crate::deploy::HostDeploy;
use crate::names::{
    DiskDevice, Hardware, HostName, InterfaceName, KernelModule, KubeletFlag, LabelKey, LabelValue, Role, System,
};
use crate::secret::Secret;

/// The roles a host plays in Kubernetes; a host may have both or neither.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Roles {
    /// Runs the control plane (NixOS role `master`).
    pub control_plane: bool,
    /// Runs kubelet and workloads (NixOS role `node`).
    pub worker: bool,
}

impl Roles {
    /// No role: the host is managed by homeflake but not part of Kubernetes.
    pub const NONE: Roles = Roles { control_plane: false, worker: false };
    /// A dedicated worker.
    pub const WORKER: Roles = Roles { control_plane: false, worker: true };
    /// A control plane that does not run workloads.
    pub const CONTROL_PLANE: Roles = Roles { control_plane: true, worker: false };
    /// A control plane that also runs workloads (the reference cluster's yomogi).
    pub const CONTROL_PLANE_AND_WORKER: Roles = Roles { control_plane: true, worker: true };

    /// Whether the host has `role`.
    pub fn has(self, role: Role) -> bool {
        match role {
            Role::ControlPlane => self.control_plane,
            Role::Worker => self.worker,
        }
    }

    /// Adds `role`.
    pub fn insert(&mut self, role: Role) {
        match role {
            Role::ControlPlane => self.control_plane = true,
            Role::Worker => self.worker = true,
        }
    }

    /// The roles in canonical order.
    pub fn iter(self) -> impl Iterator<Item = Role> {
        Role::ALL.iter().copied().filter(move |r| self.has(*r))
    }

    /// Whether the host runs Kubernetes at all.
    pub fn in_cluster(self) -> bool {
        self.control_plane || self.worker
    }

    /// The NixOS `services.kubernetes.roles` names (`master`, `node`).
    pub fn nixos_roles(self) -> Vec<&'static str> {
        self.iter()
            .map(|r| match r {
                Role::ControlPlane => "master",
                Role::Worker => "node",
            })
            .collect()
    }
}

impl Serialize for Roles {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(None)?;
        for role in self.iter() {
            seq.serialize_element(role.as_str())?;
        }
        seq.end()
    }
}

impl JsonSchema for Roles {
    fn schema_name() -> Cow<'static, str> {
        "Roles".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "array",
            "items": { "type": "string", "enum": ["control-plane", "worker"] },
            "uniqueItems": true,
            "description": "The host's Kubernetes roles; both, one or none"
        })
    }
}

/// One machine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub struct Host {
    /// The host name; also the NixOS configuration's name (`nixosConfigurations.<name>`).
    pub name: HostName,
    /// The Nix system; in an inventory it defaults to the hardware's.
    pub system: System,
    /// The hardware profile.
    pub hardware: Hardware,
    /// Kubernetes roles.
    #[serde(default)]
    pub roles: Roles,
    /// The LAN interface (`end0`, `enp1s0`); it gets the static address and is unmanaged by NetworkManager.
    pub lan_interface: InterfaceName,
    /// The static LAN address, inside the cluster's LAN.
    pub lan_address: Secret<Ipv4Addr>,
    /// The address on the tailnet (`100.x.y.z`), needed by split DNS and ingress hosts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tailnet_address: Option<Secret<Ipv4Addr>>,
    /// Whether to enable Wake-on-LAN (`ethtool -s <if> wol g`) on the LAN interface.
    #[serde(default)]
    pub wake_on_lan: bool,
    /// Extra kernel modules to load at boot (Ceph's modules are added on workers by the `ceph` settings).
    #[serde(default)]
    pub kernel_modules: Vec<KernelModule>,
    /// Extra kubelet flags for this host, after the role's flags.
    #[serde(default)]
    pub kubelet_flags: Vec<KubeletFlag>,
    /// Kubernetes node labels (the ingress host always carries the ingress node selector).
    #[serde(default)]
    pub labels: BTreeMap<LabelKey, LabelValue>,
    /// How the host is reached over SSH and where its system is built (`homeflake deploy`).
    #[serde(default, skip_serializing_if = "HostDeploy::is_default")]
    pub deploy: HostDeploy,
    /// The disk NixOS lives on (`/dev/disk/by-id/…`, UEFI PCs only). With it, disko lays the disk
    /// out (a 512 MiB EFI system partition at /boot, ext4 over the rest at /) and
    /// `homeflake deploy --install` erases and partitions it with nixos-anywhere. Only for a machine
    /// about to be installed, or one installed that way: its file systems are then disko's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_disk: Option<DiskDevice>,
}

impl Host {
    /// A host with no roles and no extras; the system follows the hardware.
    pub fn new(
        name: HostName,
        hardware: Hardware,
        lan_interface: InterfaceName,
        lan_address: impl Into<Secret<Ipv4Addr>>,
    ) -> Self {
        Host {
            name,
            system: hardware.system(),
            hardware,
            roles: Roles::NONE,
            lan_interface,
            lan_address: lan_address.into(),
            tailnet_address: None,
            wake_on_lan: false,
            kernel_modules: Vec::new(),
            kubelet_flags: Vec::new(),
            labels: BTreeMap::new(),
            deploy: HostDeploy::default(),
            system_disk: None,
        }
    }

    /// Sets the roles.
    pub fn with_roles(mut self, roles: Roles) -> Self {
        self.roles = roles;
        self
    }

    /// Sets the tailnet address.
    pub fn with_tailnet_address(mut self, address: impl Into<Secret<Ipv4Addr>>) -> Self {
        self.tailnet_address = Some(address.into());
        self
    }

    /// Enables Wake-on-LAN.
    pub fn with_wake_on_lan(mut self) -> Self {
        self.wake_on_lan = true;
        self
    }

    /// Sets how the host is reached over SSH and where its system is built.
    pub fn with_deploy(mut self, deploy: HostDeploy) -> Self {
        self.deploy = deploy;
        self
    }

    /// Sets the disk NixOS is installed on, laid out by disko.
    pub fn with_system_disk(mut self, disk: DiskDevice) -> Self {
        self.system_disk = Some(disk);
        self
    }

    /// Adds a node label.
    pub fn with_label(mut self, key: LabelKey, value: LabelValue) -> Self {
        self.labels.insert(key, value);
        self
    }
}
