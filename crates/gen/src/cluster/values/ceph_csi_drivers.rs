//! `cluster/values/ceph-csi-drivers.yaml`: the Ceph CSI drivers Rook provisions volumes with,
//! told where NixOS keeps kubelet's pods and the kernel modules.
//!
//! Since Rook v1.20 the CSI drivers are run by the ceph-csi-operator and configured by its
//! `ceph-csi-drivers` chart (Rook's `deploy/charts/ceph-csi-drivers/values.yaml` holds the values
//! Rook requires; they are repeated here). Keys checked against ceph/ceph-csi-operator v1.0.4
//! `deploy/charts/ceph-csi-drivers/values.yaml` and its templates: `operatorConfig.namespace`,
//! `operatorConfig.driverSpecDefaults.imageSet.name`, `…nodePlugin.priorityClassName`,
//! `…nodePlugin.kubeletDirPath`, `…controllerPlugin.priorityClassName`, `drivers.<rbd|cephfs|nfs|nvmeof>.enabled`,
//! `drivers.<driver>.name`, `drivers.<driver>.nodePlugin.volumes` (a list of `{volume, mount}`).
//!
//! The kernel modules: NixOS keeps them under `/run/current-system/kernel-modules/lib/modules`,
//! linked into `/nix/store`, not under `/lib/modules` where the node plugin looks (rook issue
//! 10121). The operator merges a driver's volumes over its built-in ones by name, so a volume
//! named `lib-modules` replaces the built-in `/lib/modules` host path (its mount at `/lib/modules`
//! stays), and `/nix` is mounted read-only for the links. They are set per driver: the chart
//! always writes a driver's `volumes` (as `[]` when unset), which would hide a default given in
//! `operatorConfig`.

use homeflake_model::{Cluster, Storage, Value};

use crate::cluster::{ROOK_NAMESPACE, map};
use crate::trace::Provenance;

/// Where NixOS keeps the running system's kernel modules.
pub const NIXOS_KERNEL_MODULES: &str = "/run/current-system/kernel-modules/lib/modules";
/// The Nix store the module tree links into.
pub const NIX_STORE_ROOT: &str = "/nix";
/// The name of the node plugin's built-in `/lib/modules` volume (ceph-csi-operator `utils.LibModulesVolume`).
const LIB_MODULES_VOLUME: &str = "lib-modules";

/// The CSI drivers' values.
pub fn values(cluster: &Cluster, storage: &Storage) -> Value {
    let kubelet_root_dir = match &cluster.ceph {
        Some(ceph) => Value::from(ceph.kubelet_root_dir.as_str()).source("ceph.kubelet-root-dir"),
        None => Value::from("/var/lib/kubelet"),
    };
    // `switch`: the inventory key that turns the driver on, if any.
    let driver = |kind: &str, enabled: bool, switch: Option<&str>| {
        let trace = |value: Value| match switch {
            Some(key) => value.source(key),
            None => value,
        };
        let mut entries = vec![
            ("enabled", trace(Value::from(enabled))),
            ("name", format!("{ROOK_NAMESPACE}.{kind}.csi.ceph.com").into()),
        ];
        if enabled && matches!(kind, "rbd" | "cephfs") {
            let plugin = map([("volumes", nixos_volumes())]);
            entries.push(("nodePlugin", if let Some(key) = switch { plugin.present_if(key) } else { plugin }));
        }
        map(entries)
    };
    map([
        (
            "operatorConfig",
            map([
                ("namespace", ROOK_NAMESPACE.into()),
                (
                    "driverSpecDefaults",
                    map([
                        ("imageSet", map([("name", "rook-csi-operator-image-set-configmap".into())])),
                        (
                            "nodePlugin",
                            map([
                                ("priorityClassName", "system-node-critical".into()),
                                ("kubeletDirPath", kubelet_root_dir),
                            ]),
                        ),
                        ("controllerPlugin", map([("priorityClassName", "system-cluster-critical".into())])),
                    ]),
                ),
            ]),
        ),
        (
            "drivers",
            map([
                ("rbd", driver("rbd", true, None)),
                ("cephfs", driver("cephfs", storage.cephfs, Some("storage.cephfs"))),
                ("nfs", driver("nfs", false, None)),
                ("nvmeof", driver("nvmeof", false, None)),
            ]),
        ),
    ])
}

/// The node plugin volumes that let it load kernel modules on NixOS.
fn nixos_volumes() -> Value {
    let host_path =
        |name: &str, path: &str| map([("name", Value::from(name)), ("hostPath", map([("path", path.into())]))]);
    Value::list([
        map([("volume", host_path(LIB_MODULES_VOLUME, NIXOS_KERNEL_MODULES))]),
        map([
            ("volume", host_path("host-nix", NIX_STORE_ROOT)),
            (
                "mount",
                map([
                    ("name", Value::from("host-nix")),
                    ("mountPath", NIX_STORE_ROOT.into()),
                    ("readOnly", true.into()),
                ]),
            ),
        ]),
    ])
}
