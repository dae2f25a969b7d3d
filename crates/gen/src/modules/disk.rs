//! `modules/disk.nix`: the system disk's layout for disko — a GPT table with an EFI system partition
//! at /boot and ext4 over the rest at / — which nixos-anywhere creates at the first install and which
//! then gives the host its file systems. Each host file names its own disk
//! (`disko.devices.disk.main.device`).

use homeflake_model::Cluster;
use homeflake_nix::make::{attrs, bind, ident, list, select};
use homeflake_nix::{Binding, Expr};

use crate::flake_lock::{Input, LockedRev, parse_github_url};
use crate::lower::module;
use crate::trace::{Origin, Provenance, host_key};

/// The disko release the flake's `disko` input is locked to (tag v1.13.0). The NAR hash is that of
/// the tag's tree, as `nix flake lock` records it.
pub const DISKO_URL: &str = "github:nix-community/disko/v1.13.0";
/// The commit of [`DISKO_URL`].
pub const DISKO_REV: &str = "de5708739256238fb912c62f03988815db89ec9a";
/// The NAR hash of the commit's tree.
pub const DISKO_NAR_HASH: &str = "sha256-CNzzBsRhq7gg4BMBuTDObiWDH/rFYHEuDRVOwCcwXw4=";
/// The commit time, seconds since the epoch.
pub const DISKO_LAST_MODIFIED: u64 = 1768920986;

/// The name of the disk in `disko.devices.disk`, which disko also puts in the partition labels
/// (`disk-main-ESP`, `disk-main-root`) the file systems are mounted by.
pub const DISK_NAME: &str = "main";

/// The size of the EFI system partition.
pub const ESP_SIZE: &str = "512M";

/// Whether some host names a system disk: only then do `modules/disk.nix` and the flake's disko
/// input exist.
pub fn is_used(cluster: &Cluster) -> bool {
    cluster.hosts.iter().any(|h| h.system_disk.is_some())
}

/// The inventory keys of the system disks, which decide that disko is used.
pub fn system_disk_keys(cluster: &Cluster) -> Vec<String> {
    cluster.hosts.iter().filter(|h| h.system_disk.is_some()).map(|h| host_key(h, "system-disk")).collect()
}

/// The flake's disko input as `flake.lock` records it.
pub fn lock_input() -> Input<'static> {
    Input {
        name: "disko",
        original: parse_github_url(DISKO_URL).expect("a github reference"),
        locked: LockedRev { rev: DISKO_REV, nar_hash: DISKO_NAR_HASH, last_modified: DISKO_LAST_MODIFIED },
        follows_nixpkgs: true,
    }
}

/// Lowers the layout, which exists for the hosts that name a system disk.
pub fn lower(cluster: &Cluster) -> Expr {
    let disks = || Origin { presence: system_disk_keys(cluster), ..Origin::default() };
    module(vec![
        bind("imports", list([select(ident("disko"), "nixosModules.disko")])).traced(disks),
        layout()
            .commented(
                "Created by nixos-anywhere at the first install (`homeflake deploy --install`), which erases the \
                 disk; afterwards these are the host's file systems, mounted by partition label.",
            )
            .traced(disks),
    ])
}

/// `disko.devices.disk.main = { type = "disk"; content = { type = "gpt"; partitions = { … }; }; };`
fn layout() -> Binding {
    let file_system = |format: &str, mountpoint: &str, options: &[&str]| {
        let mut fields = vec![bind("type", "filesystem"), bind("format", format), bind("mountpoint", mountpoint)];
        if !options.is_empty() {
            fields.push(bind("mountOptions", list(options.iter().copied())));
        }
        attrs(fields)
    };
    let partitions = attrs([
        bind(
            "ESP",
            attrs([
                bind("type", "EF00"),
                bind("size", ESP_SIZE),
                bind("content", file_system("vfat", "/boot", &["umask=0077"])),
            ]),
        ),
        bind("root", attrs([bind("size", "100%"), bind("content", file_system("ext4", "/", &[]))])),
    ]);
    bind(
        &format!("disko.devices.disk.{DISK_NAME}"),
        attrs([bind("type", "disk"), bind("content", attrs([bind("type", "gpt"), bind("partitions", partitions)]))]),
    )
}
