//! `hosts/<host>/default.nix`: one machine — its imports, addresses, boot, Wake-on-LAN and resolved component flags.

use homeflake_model::{Cluster, FlagSource, Hardware, Host, System};
use homeflake_nix::make::{
    apply, attrs, binary, bind, bind_path, ident, interp, keys, list, path, quoted, select, string, text,
};
use homeflake_nix::{BinaryOp, Binding, Expr};

use crate::lower::{module, secret, secret_part, systemd_exec_word};
use crate::modules::{Module, k3s};
use crate::trace::{Origin, Provenance, host_key, record};

/// Lowers one host.
pub fn lower(cluster: &Cluster, host: &Host) -> Expr {
    let mut bindings = vec![bind("imports", imports(cluster, host))];
    bindings.extend(networking(cluster, host));
    bindings.extend(boot(host));
    if let Some(disk) = &host.system_disk {
        let option = format!("disko.devices.disk.{}.device", crate::modules::disk::DISK_NAME);
        bindings.push(bind(&option, disk.as_str()).host_source(host, "system-disk"));
    }
    if !host.kernel_modules.is_empty() {
        let key = host_key(host, "kernel-modules");
        let modules = crate::trace::list_from(&key, host.kernel_modules.iter().map(|m| m.as_str()));
        bindings.push(bind("boot.kernelModules", modules).present_if(&key));
    }
    if cluster.kubernetes.is_k3s() {
        bindings.extend(k3s(cluster, host));
    } else {
        bindings.extend(nixpkgs_kubernetes(cluster, host));
    }
    if host.wake_on_lan {
        bindings.push(wake_on_lan(host).present_if_host(host, "wake-on-lan"));
    }
    if host.hardware == Hardware::UefiPc {
        bindings.push(hardware_configuration_assertion(host));
    }
    module(bindings)
}

/// The host's part of the nixpkgs flavour: the API server's address on a control plane and the
/// resolved kubelet and kube-proxy flags.
fn nixpkgs_kubernetes(cluster: &Cluster, host: &Host) -> Vec<Binding> {
    let mut bindings = Vec::new();
    if host.roles.control_plane {
        bindings.push(bind("services.kubernetes.apiserver.advertiseAddress", secret(&host.lan_address)).traced(|| {
            Origin {
                keys: vec![host_key(host, "lan-address")],
                presence: vec![host_key(host, "roles")],
                ..Origin::default()
            }
        }));
        if host.system == System::Aarch64Linux {
            // etcd refuses to start on arm64 unless told the architecture is meant.
            bindings.push(bind("systemd.services.etcd.environment.ETCD_UNSUPPORTED_ARCH", "arm64").traced(|| Origin {
                presence: vec![host_key(host, "hardware"), host_key(host, "roles")],
                rule: Some("an aarch64 control plane runs etcd, which refuses arm64 unless told"),
                ..Origin::default()
            }));
        }
    }
    if host.roles.in_cluster() {
        let mut kubelet: Vec<(String, FlagOrigin)> = cluster
            .kubelet_flags_with_sources(host)
            .into_iter()
            .map(|(flag, source)| (flag.as_str().to_string(), FlagOrigin::Kubelet(source)))
            .collect();
        if let Some(labels) = node_labels(host) {
            kubelet.push((labels, FlagOrigin::Labels));
        }
        let proxy = cluster.kubernetes.proxy_flags.for_roles(host.roles).iter();
        let proxy = proxy.map(|f| (f.as_str().to_string(), FlagOrigin::Proxy)).collect();
        let keys = |origin: &FlagOrigin| origin.keys(cluster, host);
        bindings.extend(flags("services.kubernetes.kubelet.extraOpts", kubelet, keys));
        bindings.extend(flags("services.kubernetes.proxy.extraOpts", proxy, keys));
    }
    bindings
}

/// The host's part of the k3s flavour: the first server initialises the cluster and every other
/// server joins it at the API address; each member registers with its LAN address, its labels, a
/// taint when it is a control plane only, and its resolved kubelet and kube-proxy flags.
fn k3s(cluster: &Cluster, host: &Host) -> Vec<Binding> {
    let mut bindings = Vec::new();
    if !host.roles.in_cluster() {
        return bindings;
    }
    let roles = || vec![host_key(host, "roles")];
    // Which server is the first one follows the roles of every host up to this one.
    let first_server_roles = || crate::modules::k8s::common::roles_up_to(cluster, host);
    if host.roles.control_plane {
        if k3s::first_server(cluster).is_some_and(|first| first.name == host.name) {
            bindings.push(bind("services.k3s.clusterInit", true).traced(|| Origin {
                presence: first_server_roles(),
                rule: Some("the first control plane in inventory order initialises the cluster"),
                ..Origin::default()
            }));
        } else {
            bindings.push(bind("services.k3s.serverAddr", cluster.kubernetes.api.url()).traced(|| Origin {
                keys: vec!["kubernetes.api.host-name".into(), "kubernetes.api.port".into()],
                presence: first_server_roles(),
                rule: Some(k3s::agent::API_URL_RULE),
                ..Origin::default()
            }));
        }
    }
    let node_ip = quoted([text("--node-ip="), secret_part(&host.lan_address)]);
    let mut flags = vec![(node_ip, record(|| k3s::from_keys([host_key(host, "lan-address")])))];
    for (k, v) in &host.labels {
        let label = format!("{}={}", k.as_str(), v.as_str());
        flags.push(k3s::flag("node-label", &label, || k3s::from_keys(FlagOrigin::Labels.keys(cluster, host))));
    }
    if host.roles.control_plane && !host.roles.worker {
        flags.push(k3s::flag("node-taint", k3s::CONTROL_PLANE_ONLY_TAINT, || Origin {
            presence: roles(),
            rule: Some("a control plane that is not a worker runs no ordinary workloads"),
            ..Origin::default()
        }));
    }
    // k3s passes `--kubelet-arg=name=value` to kubelet as `--name=value`.
    for (flag, source) in cluster.kubelet_flags_with_sources(host) {
        let origin = FlagOrigin::Kubelet(source);
        flags.push(k3s::flag("kubelet-arg", &flag.as_str()[2..], || k3s::from_keys(origin.keys(cluster, host))));
    }
    for flag in cluster.kubernetes.proxy_flags.for_roles(host.roles) {
        let keys = || k3s::from_keys(FlagOrigin::Proxy.keys(cluster, host));
        flags.push(k3s::flag("kube-proxy-arg", &flag.as_str()[2..], keys));
    }
    bindings.extend(k3s::extra_flags(flags, roles));
    bindings
}

/// `[ ../../modules/… ] ++ lib.optional (builtins.pathExists ./extra.nix) ./extra.nix`, with the
/// machine's `hardware-configuration.nix` imported the same way on UEFI PCs: the flake evaluates
/// before `nixos-generate-config` has run, and building such a host fails with the assertion below.
fn imports(cluster: &Cluster, host: &Host) -> Expr {
    let paths = Module::for_host(cluster, host).into_iter().map(|m| {
        let tag = record(|| Origin { presence: m.deciding_keys(host), ..Origin::default() });
        (path(&format!("../../{}", m.path())), tag)
    });
    let mut user_files = Vec::new();
    if host.hardware == Hardware::UefiPc {
        user_files.push(HARDWARE_CONFIGURATION);
    }
    user_files.push("./extra.nix");
    let optional = |file: &str| apply(select(ident("lib"), "optional"), [path_exists(file), path(file)]);
    // `++` groups to the right, so the chain is built from its end and prints without parentheses.
    let mut tail = optional(user_files.pop().expect("extra.nix"));
    while let Some(file) = user_files.pop() {
        tail = binary(optional(file), BinaryOp::Concat, tail);
    }
    binary(homeflake_nix::make::tagged_list(paths), BinaryOp::Concat, tail)
}

/// The machine's own hardware description, made on it by `nixos-generate-config`; never generated.
const HARDWARE_CONFIGURATION: &str = "./hardware-configuration.nix";

fn path_exists(file: &str) -> Expr {
    apply(select(ident("builtins"), "pathExists"), [path(file)])
}

/// Building a UEFI PC without its hardware configuration fails naming the file and the command.
/// With a system disk, disko gives the file systems, so the description must leave them out.
fn hardware_configuration_assertion(host: &Host) -> Binding {
    let name = host.name.as_str();
    let flags =
        if host.system_disk.is_some() { "--no-filesystems --show-hardware-config" } else { "--show-hardware-config" };
    let message = format!(
        "hosts/{name}/hardware-configuration.nix is missing: on {name}, run `nixos-generate-config {flags} > hardware-configuration.nix`, copy the file to hosts/{name}/ in the flake and `git add` it (a flake sees only files git tracks)"
    );
    let mut presence = vec![host_key(host, "hardware")];
    presence.extend(host.system_disk.is_some().then(|| host_key(host, "system-disk")));
    bind(
        "assertions",
        list([attrs([bind("assertion", path_exists(HARDWARE_CONFIGURATION)), bind("message", message)])]),
    )
    .traced(|| Origin { presence, ..Origin::default() })
}

fn networking(cluster: &Cluster, host: &Host) -> Vec<Binding> {
    let interface = host.lan_interface.as_str();
    let address = attrs([
        bind("address", secret(&host.lan_address)).host_source(host, "lan-address"),
        bind("prefixLength", cluster.network.lan.prefix_len())
            .derived("a host's prefix length is the LAN's", &["network.lan"]),
    ]);
    let nameservers =
        crate::trace::list_from("network.nameservers", cluster.network.nameservers.iter().map(|n| n.to_string()));
    vec![
        bind("networking.hostName", host.name.as_str()).host_source(host, "name"),
        bind_path(keys(["networking", "interfaces", interface, "ipv4", "addresses"]), list([address]))
            .host_source(host, "lan-interface"),
        bind("networking.defaultGateway", cluster.network.gateway.to_string()).source("network.gateway"),
        bind("networking.nameservers", nameservers).present_if("network.nameservers"),
        bind("networking.networkmanager.unmanaged", list([interface])).host_source(host, "lan-interface"),
    ]
}

fn boot(host: &Host) -> Vec<Binding> {
    let from_hardware = |b: Binding| b.present_if_host(host, "hardware");
    let bindings = match host.hardware {
        Hardware::RaspberryPi4 => vec![
            bind("boot.kernelPackages", select(ident("pkgs"), "linuxKernel.packages.linux_rpi4")),
            bind("boot.kernelParams", list(["systemd.unified_cgroup_hierarchy=1", "cgroup_enable=memory"])),
            bind("boot.initrd.availableKernelModules", list(["xhci_pci", "usbhid", "usb_storage"])),
            bind("boot.loader.grub.enable", false),
            bind("boot.loader.generic-extlinux-compatible.enable", true),
            bind_path(
                keys(["fileSystems", "/"]),
                attrs([
                    bind("device", "/dev/disk/by-label/NIXOS_SD"),
                    bind("fsType", "ext4"),
                    bind("options", list(["noatime"])),
                ]),
            ),
            bind("hardware.enableRedistributableFirmware", true),
        ],
        Hardware::UefiPc => {
            vec![bind("boot.loader.systemd-boot.enable", true), bind("boot.loader.efi.canTouchEfiVariables", true)]
        }
        _ => Vec::new(),
    };
    bindings.into_iter().map(from_hardware).collect()
}

/// `--node-labels=…` from the host's labels (the model gives the ingress host the labels Traefik selects).
fn node_labels(host: &Host) -> Option<String> {
    if host.labels.is_empty() {
        return None;
    }
    let pairs: Vec<String> = host.labels.iter().map(|(k, v)| format!("{}={}", k.as_str(), v.as_str())).collect();
    Some(format!("--node-labels={}", pairs.join(",")))
}

/// Where a kubelet or kube-proxy flag comes from.
enum FlagOrigin {
    Kubelet(FlagSource),
    /// `--node-labels`, from the host's labels (and the ingress node selector on the ingress host).
    Labels,
    /// `kubernetes.proxy-flags.<role>`.
    Proxy,
}

impl FlagOrigin {
    fn keys(&self, cluster: &Cluster, host: &Host) -> Vec<String> {
        match self {
            FlagOrigin::Kubelet(source) => source.keys(host),
            FlagOrigin::Labels => {
                let selector = cluster.ingress.as_ref().filter(|i| i.host == host.name).map(|i| &i.node_selector);
                host.labels
                    .keys()
                    .map(|label| match selector {
                        Some(selector) if selector.contains_key(label) => format!("ingress.node-selector.{label}"),
                        _ => host_key(host, &format!("labels.{label}")),
                    })
                    .collect()
            }
            FlagOrigin::Proxy => {
                let role = if host.roles.control_plane { "control-plane" } else { "worker" };
                vec![format!("kubernetes.proxy-flags.{role}"), host_key(host, "roles")]
            }
        }
    }
}

/// A space-separated flags option that nixpkgs puts into a unit's `ExecStart` (so each flag is
/// escaped for systemd): one flag as a string, several as a reviewable list joined by
/// `lib.concatStringsSep`. `keys` names where each flag comes from, only when a trace is taken.
fn flags(option: &str, flags: Vec<(String, FlagOrigin)>, keys: impl Fn(&FlagOrigin) -> Vec<String>) -> Option<Binding> {
    let flags: Vec<(String, FlagOrigin)> = flags.into_iter().map(|(f, o)| (systemd_exec_word(&f), o)).collect();
    let all_keys = || -> Vec<String> {
        let mut all: Vec<String> = flags.iter().flat_map(|(_, origin)| keys(origin)).collect();
        all.sort();
        all.dedup();
        all
    };
    match flags.len() {
        0 => None,
        1 => {
            Some(bind(option, string(&flags[0].0)).tagged(record(|| Origin { keys: all_keys(), ..Origin::default() })))
        }
        _ => {
            // The list exists, and is a list, because of every key that puts a flag in it.
            let tag = record(|| Origin { presence: all_keys(), ..Origin::default() });
            let items = flags
                .iter()
                .map(|(flag, origin)| (string(flag), record(|| Origin { keys: keys(origin), ..Origin::default() })));
            let joined =
                apply(select(ident("lib"), "concatStringsSep"), [string(" "), homeflake_nix::make::tagged_list(items)]);
            Some(bind(option, joined).tagged(tag))
        }
    }
}

fn wake_on_lan(host: &Host) -> Binding {
    let interface = host.lan_interface.as_str();
    let command =
        quoted([interp(select(ident("pkgs"), "ethtool")), text(&format!("/bin/ethtool -s {interface} wol g"))]);
    bind(
        "systemd.services.wake-on-lan",
        attrs([
            bind("description", format!("Enable Wake-on-LAN on {interface}")).host_source(host, "lan-interface"),
            bind("wantedBy", list(["multi-user.target"])),
            bind("after", list(["network.target"])),
            bind("serviceConfig.Type", "oneshot"),
            bind("serviceConfig.ExecStart", command).host_source(host, "lan-interface"),
        ]),
    )
}
