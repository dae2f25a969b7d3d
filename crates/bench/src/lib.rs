//! Benchmarks of homeflake: a deterministic fleet inventory of any size, for the criterion benches
//! (`benches/pipeline.rs`) and the whole-process comparison (`homeflake-bench compare`).
//!
//! [`fixture`] builds the text of an inventory of `n` hosts: a root `homeflake.toml` with the
//! cluster settings (pinned nixpkgs, an admin user, Kubernetes with an arm64 CoreDNS image, ingress,
//! split DNS, Ceph with OSD disks on some workers) and one `hosts/<name>/host.toml` per host. The
//! fleet mixes Raspberry Pis and UEFI PCs; `node-00000` is the only control plane (easyCerts allows
//! one), every tenth host stays outside the cluster, the others are workers, and a fifth of the hosts
//! have tailnet addresses. The same `n` always gives the same bytes.
//!
//! The LAN is `10.64.0.0/14` (262,142 host addresses), the pod and service ranges sit elsewhere in
//! `10/8`, and tailnet addresses come from `100.100.0.0/16`, so any `n` up to 65,000 validates.
#![deny(missing_docs)]

use std::fmt::Write as _;
use std::io;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};

use homeflake_model::{Cluster, Sources, TOML_FILE};

/// The largest fleet [`fixture`] builds: tailnet addresses come from one `/16`.
pub const MAX_HOSTS: usize = 65_000;

/// The LAN every fixture host lives in.
const LAN_BASE: Ipv4Addr = Ipv4Addr::new(10, 64, 0, 0);
/// The first host's LAN address is this far above the network address (the gateway is `.1`).
const LAN_OFFSET: u32 = 16;
/// Tailnet addresses are this base plus the host number plus one.
const TAILNET_BASE: Ipv4Addr = Ipv4Addr::new(100, 100, 0, 0);

/// What one fixture host is: derived from its number alone, so the fleet is deterministic.
#[derive(Debug, Clone, PartialEq, Eq)]
struct FixtureHost {
    index: usize,
    name: String,
    raspberry_pi: bool,
    control_plane: bool,
    worker: bool,
    tailnet: bool,
}

impl FixtureHost {
    fn new(index: usize, hosts: usize) -> Self {
        let control_plane = index == 0;
        let worker = if index == 0 { hosts == 1 } else { index % 10 != 9 };
        FixtureHost {
            index,
            name: host_name(index, hosts),
            raspberry_pi: index.is_multiple_of(3),
            control_plane,
            worker,
            tailnet: index <= 1 || index.is_multiple_of(5),
        }
    }

    fn lan_address(&self) -> Ipv4Addr {
        Ipv4Addr::from(u32::from(LAN_BASE) + LAN_OFFSET + self.index as u32)
    }

    fn tailnet_address(&self) -> Ipv4Addr {
        Ipv4Addr::from(u32::from(TAILNET_BASE) + 1 + self.index as u32)
    }

    /// The Ceph OSD disks of this host: UEFI workers at 1 mod 4 get one, at 1 mod 8 a second.
    fn osd_devices(&self) -> Vec<String> {
        if !self.worker || self.raspberry_pi || self.index % 4 != 1 {
            return Vec::new();
        }
        let mut devices = vec![format!("/dev/disk/by-id/nvme-Samsung_SSD_980_1TB_S64ANS0T{:06}", self.index)];
        if self.index % 8 == 1 {
            devices.push(format!("/dev/disk/by-id/ata-WDC_WD40EFRX-68N32N0_WD-WCC7K{:07}", self.index));
        }
        devices
    }

    /// The text of `hosts/<name>/host.toml` (the folder names the host).
    fn host_file(&self) -> String {
        let mut out = String::new();
        let (hardware, interface) = if self.raspberry_pi { ("raspberry-pi-4", "end0") } else { ("uefi-pc", "enp1s0") };
        let roles = match (self.control_plane, self.worker) {
            (true, true) => r#"["control-plane", "worker"]"#,
            (true, false) => r#"["control-plane"]"#,
            (false, true) => r#"["worker"]"#,
            (false, false) => "[]",
        };
        let _ = writeln!(out, "hardware = \"{hardware}\"");
        let _ = writeln!(out, "roles = {roles}");
        let _ = writeln!(out, "lan-interface = \"{interface}\"");
        let _ = writeln!(out, "lan-address = \"{}\"", self.lan_address());
        if self.tailnet {
            let _ = writeln!(out, "tailnet-address = \"{}\"", self.tailnet_address());
        }
        if !self.raspberry_pi && self.index.is_multiple_of(2) {
            out.push_str("wake-on-lan = true\n");
        }
        if self.worker && self.index % 7 == 3 {
            let _ = writeln!(out, "labels = {{ zone = \"rack-{}\" }}", self.index % 8);
        }
        if self.index % 11 == 5 {
            out.push_str("kernel-modules = [\"nvme_core\"]\n");
        }
        if self.worker && self.index % 13 == 6 {
            out.push_str("kubelet-flags = [\"--max-pods=200\"]\n");
        }
        out
    }
}

/// The name of host number `index` in a fleet of `hosts`: zero-padded so that file order is host order.
pub fn host_name(index: usize, hosts: usize) -> String {
    let width = hosts.saturating_sub(1).to_string().len().max(5);
    format!("node-{index:0width$}")
}

/// The root `homeflake.toml` of a fleet of `hosts`: every cluster setting, no `[[hosts]]`.
fn root_file(fleet: &[FixtureHost]) -> String {
    let ingress = &fleet[1.min(fleet.len() - 1)];
    let split_dns_server = &fleet[0];
    let mut out = format!(
        r#"# A deterministic fleet of {count} hosts for homeflake's benchmarks (homeflake-bench fixture).
name = "fleet"
domain = "fleet.example.net"
time-zone = "Europe/Berlin"
state-version = "25.11"

[nixpkgs]
url = "github:nixos/nixpkgs/25.11"
rev = "871b9fd269ff6246794583ce4ee1031e1da71895"
nar-hash = "sha256-M101xMtWdF1eSD0xhiR8nG8CXRlHmv6V+VoY65Smwf4="
last-modified = 1764521362

[network]
lan = "{lan}/14"
gateway = "10.64.0.1"
nameservers = ["10.64.0.1", "1.1.1.1"]

[[users]]
name = "admin"
extra-groups = ["wheel"]
authorized-keys = ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExampleKeyReplaceWithYourOwnPublicKey000000 admin@laptop"]
hashed-password = {{ env = "FLEET_ADMIN_PASSWORD_HASH" }}

[kubernetes]
pod-cidr = "10.128.0.0/10"
service-cidr = "10.96.0.0/16"

[kubernetes.dns.coredns-image]
image-name = "coredns/coredns"
image-digest = "sha256:a0ead06651cf580044aeb0a0feba63591858fb2e43ade8c9dea45a6a89ae7e5e"
final-image-tag = "1.10.1"
sha256 = "0c4vdbklgjrzi6qc5020dvi8x3mayq4li09rrq2w0hcjdljj0yf9"

[kubernetes.kubelet-flags]
control-plane = ["--fail-swap-on=false"]
worker = ["--fail-swap-on=false", "--max-pods=150"]

[ingress]
host = "{ingress}"

[split-dns]
server-host = "{split_dns_server}"

[ceph]
"#,
        count = fleet.len(),
        lan = LAN_BASE,
        ingress = ingress.name,
        split_dns_server = split_dns_server.name,
    );
    for host in fleet {
        for device in host.osd_devices() {
            let _ = write!(out, "\n[[ceph.osds]]\nhost = \"{}\"\ndevice = \"{device}\"\n", host.name);
        }
    }
    out
}

/// The inventory of a fleet of `hosts` hosts: `homeflake.toml` first, then `hosts/<name>/host.toml`
/// in host order, as paths relative to the inventory folder with their text.
///
/// # Panics
///
/// When `hosts` is 0 or more than [`MAX_HOSTS`].
pub fn fixture(hosts: usize) -> Vec<(PathBuf, String)> {
    assert!((1..=MAX_HOSTS).contains(&hosts), "a fixture has from 1 to {MAX_HOSTS} hosts, not {hosts}");
    let fleet: Vec<FixtureHost> = (0..hosts).map(|i| FixtureHost::new(i, hosts)).collect();
    let mut files = Vec::with_capacity(hosts + 1);
    files.push((PathBuf::from(TOML_FILE), root_file(&fleet)));
    for host in &fleet {
        files.push((Path::new("hosts").join(&host.name).join(homeflake_model::HOST_FILE), host.host_file()));
    }
    files
}

/// The fixture of `hosts` hosts as in-memory [`Sources`], for [`homeflake_model::from_sources`].
pub fn sources(hosts: usize) -> Sources {
    let mut files = fixture(hosts).into_iter();
    let (root_name, root_text) = files.next().expect("the root file comes first");
    let mut sources = Sources::new(root_name, root_text);
    sources.host_files.extend(files);
    sources
}

/// Writes the fixture of `hosts` hosts into `dir` (created if missing); returns the bytes written.
pub fn write_fixture(dir: &Path, hosts: usize) -> io::Result<u64> {
    let mut bytes = 0;
    for (path, text) in fixture(hosts) {
        let full = dir.join(path);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&full, &text)?;
        bytes += text.len() as u64;
    }
    Ok(bytes)
}

/// Every Nix file [`homeflake_gen::generate`] emits for `cluster`, lowered to an AST but not yet
/// printed, with its path: what the print benchmark gives [`homeflake_nix::print_file`].
pub fn lowered_nix_files(cluster: &Cluster) -> Vec<(String, homeflake_nix::File)> {
    use homeflake_gen::lower::HEADER;
    use homeflake_nix::make::file;
    homeflake_gen::lowered_nix_files(cluster).into_iter().map(|(path, expr)| (path, file([HEADER], expr))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifty_hosts_load_and_validate() {
        let loaded = homeflake_model::from_sources(&sources(50)).unwrap_or_else(|e| panic!("{e}"));
        let cluster = &loaded.cluster;
        assert_eq!(cluster.hosts.len(), 50);
        assert_eq!(cluster.control_planes().count(), 1);
        assert!(cluster.hosts.iter().any(|h| !h.roles.in_cluster()), "some hosts stay outside the cluster");
        assert!(cluster.ceph.as_ref().is_some_and(|c| c.osds.len() > 5), "workers carry Ceph disks");
        assert!(loaded.warnings.iter().all(|w| w.code == homeflake_model::Code::EasyCerts), "{:?}", loaded.warnings);
    }

    #[test]
    fn the_lowered_files_print_to_what_generate_emits() {
        let cluster = homeflake_model::from_sources(&sources(30)).unwrap_or_else(|e| panic!("{e}")).cluster;
        let generated = homeflake_gen::generate(&cluster);
        let lowered = lowered_nix_files(&cluster);
        assert_eq!(lowered.len(), generated.iter().filter(|(p, _)| p.as_str().ends_with(".nix")).count());
        for (path, ast) in &lowered {
            let emitted = generated.get(path).unwrap_or_else(|| panic!("generate emits no {path}"));
            assert_eq!(*homeflake_nix::print_file(ast), *emitted.contents, "{path}");
        }
    }

    #[test]
    fn the_smallest_fleets_validate() {
        for hosts in 1..=3 {
            homeflake_model::from_sources(&sources(hosts)).unwrap_or_else(|e| panic!("{hosts} hosts: {e}"));
        }
    }

    #[test]
    fn the_fixture_is_deterministic_and_names_sort_in_host_order() {
        let files = fixture(120);
        assert_eq!(files, fixture(120));
        let names: Vec<_> = files[1..].iter().map(|(p, _)| p.clone()).collect();
        assert!(names.is_sorted(), "hosts/<name> folders sort in host order");
    }
}
