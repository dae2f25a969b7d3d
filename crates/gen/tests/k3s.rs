//! The k3s flavour, read back from the generated files: every `services.k3s` option set is one the
//! nixpkgs module declares, with a value of its type; switching the reference inventory to k3s
//! changes only what the flavour owns; the servers and agents agree on the API address (evaluated
//! by `nix-instantiate`); the join token is in no file; the nixpkgs-only fixes never appear.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{cluster, evaluate_host, nix_instantiate, reference_as_k3s, reference_as_k3s_text, written};
use homeflake_files::FileSet;
use homeflake_gen::{generate, secrets};
use homeflake_model::{Cluster, Host, from_toml_str};
use homeflake_nix::{BindingKind, Expr, Key, StrPart, from_rnix, print_expr};

/// The type a `services.k3s` option is declared with.
#[derive(Debug, Clone, Copy)]
enum Type {
    Bool,
    Str,
    /// `types.enum [ "server" "agent" ]`.
    Role,
    /// `types.nullOr types.path`: homeflake writes an absolute path as a string.
    NullOrPath,
    /// `with lib.types; either str (listOf str)`: homeflake writes a list, which the module system
    /// concatenates across the modules a host imports.
    StrOrListOfStr,
    /// Declared, but homeflake sets none of these.
    Unused,
}

/// The options of `services.k3s` and their types, as declared by nixpkgs' k3s module: by
/// `nixos/modules/services/cluster/k3s/default.nix` of 25.05 and, unchanged for these names and
/// types, by the module that replaced it (`services/cluster/rancher/default.nix` with
/// `rancher/k3s.nix`, shared with rke2), so by whichever of the two the 25.11 pin has. Options only
/// one of them declares (`disable`, `nodeLabel`, `nodeTaint`, `nodeIP`, `nodeName`, `agentToken`,
/// `selinux` exist only in the shared module) are left out, and homeflake passes those settings
/// as k3s flags in `extraFlags` instead.
const DECLARED: &[(&str, Type)] = &[
    ("enable", Type::Bool),
    ("package", Type::Unused),
    ("role", Type::Role),
    ("serverAddr", Type::Str),
    ("clusterInit", Type::Bool),
    ("token", Type::Unused),
    ("tokenFile", Type::NullOrPath),
    ("extraFlags", Type::StrOrListOfStr),
    ("disableAgent", Type::Unused),
    ("environmentFile", Type::Unused),
    ("configPath", Type::Unused),
    ("manifests", Type::Unused),
    ("charts", Type::Unused),
    ("containerdConfigTemplate", Type::Unused),
    ("images", Type::Unused),
    ("gracefulNodeShutdown", Type::Unused),
    ("extraKubeletConfig", Type::Unused),
    ("extraKubeProxyConfig", Type::Unused),
    ("autoDeployCharts", Type::Unused),
];

/// Every option a module or host file sets, as a dotted path with its value; nested attribute sets
/// are followed down to their leaves.
fn options(text: &str) -> Vec<(Vec<String>, Expr)> {
    let file = from_rnix(text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let body = match file.expr {
        Expr::Lambda { body, .. } => *body,
        other => other,
    };
    let mut out = Vec::new();
    flatten(&[], &body, &mut out);
    out
}

fn flatten(prefix: &[String], expr: &Expr, out: &mut Vec<(Vec<String>, Expr)>) {
    let Expr::AttrSet { rec: false, bindings } = expr else { return };
    for binding in bindings {
        let BindingKind::Assign { path, value } = &binding.kind else { continue };
        let mut full = prefix.to_vec();
        full.extend(path.iter().map(|k| match k {
            Key::Name(name) => name.clone(),
            Key::Dynamic(_) => "${…}".to_owned(),
        }));
        match value {
            Expr::AttrSet { rec: false, .. } => flatten(&full, value, out),
            _ => out.push((full, value.clone())),
        }
    }
}

/// The generated files a host's configuration is made of: its host file and every module it imports.
fn host_files<'a>(files: &'a FileSet, host: &Host) -> Vec<(String, &'a str)> {
    let path = format!("hosts/{}/default.nix", host.name);
    let text = &files.get(&path).unwrap_or_else(|| panic!("no {path}")).contents;
    let mut out = vec![(path.clone(), &**text)];
    let (_, imports) = options(text).into_iter().find(|(p, _)| p == &["imports"]).expect("imports");
    imports.walk(
        &mut |e| {
            if let Expr::Path(p) = e
                && let Some(module) = p.strip_prefix("../../")
            {
                let contents = &files.get(module).unwrap_or_else(|| panic!("{path} imports missing {module}")).contents;
                out.push((module.to_owned(), &**contents));
            }
        },
        &mut |_| {},
    );
    out
}

/// Every option of a host's configuration: its dotted path and the printed values its files give it.
fn host_options(files: &FileSet, host: &Host) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (_, text) in host_files(files, host) {
        for (path, value) in options(text) {
            out.entry(path.join(".")).or_default().push(print_expr(&value));
        }
    }
    for values in out.values_mut() {
        values.sort();
    }
    out
}

/// Checks that `value` has the declared type of `services.k3s.<option>`.
fn check_type(option: &str, ty: Type, value: &Expr) -> Result<(), String> {
    let plain = |e: &Expr| match e {
        Expr::Str(s) => Some(
            s.parts
                .iter()
                .map(|p| match p {
                    StrPart::Text(t) => t.clone(),
                    StrPart::Interp(_) => "${…}".to_owned(),
                })
                .collect::<String>(),
        ),
        _ => None,
    };
    let ok = match ty {
        Type::Bool => matches!(value, Expr::Bool(_)),
        Type::Str => plain(value).is_some(),
        Type::Role => plain(value).is_some_and(|r| r == "server" || r == "agent"),
        Type::NullOrPath => plain(value).is_some_and(|p| p.starts_with('/')),
        Type::StrOrListOfStr => match value {
            Expr::List(items) => items.iter().all(|i| plain(&i.value).is_some_and(|f| f.starts_with("--"))),
            _ => false,
        },
        Type::Unused => false,
    };
    if ok { Ok(()) } else { Err(format!("services.k3s.{option} = {} is not a {ty:?}", print_expr(value))) }
}

/// The k3s inventories: the HA lab, the example switched to k3s, and the HA lab with the settings
/// that add flags or overrides (DNS add-on off, unprivileged API server, another open-file limit).
fn k3s_clusters() -> Vec<(&'static str, Cluster)> {
    let ha = std::fs::read_to_string(common::manifest_dir().join("tests/inventories/ha-k3s/homeflake.toml")).unwrap();
    let variant = ha
        .replacen("admin-packages = [\"kompose\"]", "admin-packages = []\n\n[kubernetes.dns]\nenable = false", 1)
        .replacen("[ceph]\n", "[ceph]\ncontainerd-limit-nofile = 65536\n", 1)
        .replacen("[firewall]", "[kubernetes.api]\nallow-privileged = false\nport = 7443\n\n[firewall]", 1);
    let variant = from_toml_str("homeflake.toml", &variant).unwrap_or_else(|e| panic!("{e}")).cluster;
    vec![
        ("ha-k3s", cluster("tests/inventories/ha-k3s")),
        ("reference as k3s", reference_as_k3s()),
        ("variant", variant),
    ]
}

#[test]
fn every_services_k3s_option_is_one_the_nixpkgs_module_declares_with_a_value_of_its_type() {
    let declared: BTreeMap<&str, Type> = DECLARED.iter().copied().collect();
    let mut used = BTreeSet::new();
    for (name, cluster) in k3s_clusters() {
        let files = generate(&cluster);
        for (path, file) in files.iter().filter(|(p, _)| p.as_str().ends_with(".nix")) {
            for (option, value) in options(&file.contents) {
                if option.len() < 3 || option[..2] != ["services", "k3s"] {
                    continue;
                }
                let key = DECLARED.iter().map(|(name, _)| *name).find(|name| *name == option[2]).unwrap_or_else(|| {
                    panic!("{name}/{path}: services.k3s.{} is not declared by the module", option[2])
                });
                let ty = declared[key];
                assert_eq!(option.len(), 3, "{name}/{path}: {} goes below a declared option", option.join("."));
                check_type(key, ty, &value).unwrap_or_else(|e| panic!("{name}/{path}: {e}"));
                used.insert(key);
            }
        }
    }
    assert_eq!(
        used,
        BTreeSet::from(["clusterInit", "enable", "extraFlags", "role", "serverAddr", "tokenFile"]),
        "the options homeflake sets"
    );
}

#[test]
fn the_k3s_unit_keeps_its_open_file_limit_unless_the_inventory_asks_for_another() {
    for (name, cluster) in k3s_clusters() {
        let files = generate(&cluster);
        let ceph = &files.get("modules/ceph.nix").expect("Ceph is on").contents;
        assert!(!ceph.contains("containerd"), "{name}: k3s runs containerd in its own unit:\n{ceph}");
        let limit = cluster.ceph.as_ref().unwrap().containerd_limit_nofile;
        if limit == homeflake_gen::modules::ceph::K3S_UNIT_LIMIT_NOFILE {
            assert!(!ceph.contains("LimitNOFILE"), "{name}: the module's own limit is kept:\n{ceph}");
        } else {
            let want = format!("systemd.services.k3s.serviceConfig.LimitNOFILE = lib.mkForce \"{limit}\";");
            assert!(ceph.contains(&want), "{name}: {want} missing:\n{ceph}");
        }
    }
}

/// Options of the reference inventory that belong to the flavour: the modules running Kubernetes,
/// their units, the admin kubeconfig's source, and which modules a host imports.
const FLAVOUR_OWNED: &[&str] = &[
    "imports",
    "services.kubernetes.",
    "services.k3s.",
    "services.certmgr.",
    "systemd.services.flannel.",
    "systemd.services.containerd.",
    "systemd.services.etcd.",
    "systemd.services.k3s.",
    "systemd.services.homeflake-admin-kubeconfig.",
    "systemd.paths.homeflake-admin-kubeconfig.",
];

#[test]
fn switching_the_reference_inventory_to_k3s_changes_only_what_the_flavour_owns() {
    let nixpkgs_cluster = cluster("../..");
    let k3s_cluster = reference_as_k3s();
    let (nixpkgs, k3s) = (generate(&nixpkgs_cluster), generate(&k3s_cluster));
    let owned = |path: &str| FLAVOUR_OWNED.iter().any(|p| path == *p || p.ends_with('.') && path.starts_with(p));
    for host in &nixpkgs_cluster.hosts {
        let (before, after) = (host_options(&nixpkgs, host), host_options(&k3s, host));
        let paths: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
        let mut changed = Vec::new();
        for path in paths.into_iter().filter(|p| !owned(p)) {
            if before.get(path) != after.get(path) {
                changed.push(format!("{path}: {:?} → {:?}", before.get(path), after.get(path)));
            }
        }
        assert!(changed.is_empty(), "{}: options outside the flavour changed:\n{}", host.name, changed.join("\n"));
        let has = |options: &BTreeMap<String, Vec<String>>, prefix: &str| options.keys().any(|p| p.starts_with(prefix));
        assert!(has(&before, "services.kubernetes.") && !has(&before, "services.k3s."), "{}", host.name);
        assert!(has(&after, "services.k3s.") && !has(&after, "services.kubernetes."), "{}", host.name);
    }
    // The cluster layer is the same for both flavours, byte for byte, but for the port CoreDNS's
    // metrics are scraped at: the nixpkgs DNS add-on's 10055, k3s's own CoreDNS's 9153.
    let layer = |files: &FileSet| -> BTreeMap<String, String> {
        files
            .iter()
            .filter(|(p, _)| p.as_str().starts_with("cluster/"))
            .map(|(p, f)| (p.as_str().to_owned(), f.contents.to_string()))
            .collect()
    };
    let mut expected = layer(&nixpkgs);
    assert!(!expected.is_empty());
    let metrics = expected.get_mut("cluster/values/kube-prometheus-stack.yaml").expect("the example monitors");
    assert_eq!(metrics.matches(": 10055\n").count(), 2, "{metrics}");
    *metrics = metrics.replace(": 10055\n", ": 9153\n");
    assert_eq!(expected, layer(&k3s), "the cluster layer differs between the flavours");
    // Only the Kubernetes modules and the deploy document differ among the files.
    let names = |files: &FileSet| -> BTreeSet<String> { files.iter().map(|(p, _)| p.as_str().to_owned()).collect() };
    let differ: BTreeSet<String> = names(&nixpkgs).symmetric_difference(&names(&k3s)).cloned().collect();
    assert!(
        differ.iter().all(|p| p.starts_with("modules/k8s/") || p.starts_with("modules/k3s/")),
        "files only one flavour has: {differ:?}"
    );
    for (path, file) in nixpkgs.iter() {
        if let Some(other) = k3s.get(path.as_str())
            && other.contents != file.contents
        {
            let path = path.as_str();
            let expected = path.starts_with("hosts/")
                || ["modules/ceph.nix", "docs/bootstrap.md", "cluster/values/kube-prometheus-stack.yaml"]
                    .contains(&path);
            assert!(expected, "{path} differs between the flavours");
        }
    }
}

#[test]
fn servers_and_agents_agree_on_the_api_address() {
    let Some(nix) = nix_instantiate() else { return };
    for (name, cluster) in k3s_clusters() {
        let files = generate(&cluster);
        let tmp = written(&files);
        let api = &cluster.kubernetes.api;
        let first = cluster.control_planes().next().unwrap();
        let hosts_line = format!("{} {}", common::SECRET_VALUE, api.host_name);
        let first_address =
            first.lan_address.literal().map_or(hosts_line.clone(), |a| format!("{a} {}", api.host_name));
        for host in cluster.members() {
            let vars = secrets::env_vars_of_host(&cluster, host);
            let options = evaluate_host(nix, tmp.path(), &cluster, host, &vars).unwrap_or_else(|e| panic!("{e}"));
            let k3s = &options["k3s"];
            let what = format!("{name}/{}", host.name);
            assert_eq!(options["extraHosts"], first_address.as_str(), "{what}: the API name maps to the first server");
            assert_eq!(k3s["enable"], true, "{what}");
            let token = cluster.kubernetes.k3s.as_ref().unwrap().token_file.as_str();
            assert_eq!(k3s["tokenFile"], serde_json::json!([token]), "{what}");
            let flags: Vec<&str> = k3s["extraFlags"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
            let role = if host.roles.control_plane { "server" } else { "agent" };
            assert_eq!(k3s["role"], serde_json::json!([role]), "{what}");
            if host.name == first.name {
                assert_eq!(k3s["clusterInit"], true, "{what} initialises the cluster");
                assert_eq!(k3s["serverAddr"], serde_json::json!([]), "{what} joins no one");
            } else {
                assert_eq!(k3s["clusterInit"], false, "{what}");
                assert_eq!(k3s["serverAddr"], serde_json::json!([api.url()]), "{what} joins the API address");
            }
            if host.roles.control_plane {
                // The API address's name is on the server's certificate, at the port the URL names.
                assert!(flags.contains(&format!("--tls-san={}", api.host_name).as_str()), "{what}: {flags:?}");
                assert!(flags.contains(&format!("--https-listen-port={}", api.port).as_str()), "{what}: {flags:?}");
                assert!(api.url().ends_with(&format!(":{}", api.port)));
            }
            let node_ip = host.lan_address.literal().map_or(common::SECRET_VALUE.to_owned(), ToString::to_string);
            assert!(flags.contains(&format!("--node-ip={node_ip}").as_str()), "{what}: {flags:?}");
            for flag in &flags {
                let name = flag.split('=').next().unwrap();
                assert!(
                    [
                        "--node-ip",
                        "--node-label",
                        "--node-taint",
                        "--kubelet-arg",
                        "--kube-proxy-arg",
                        "--kube-apiserver-arg",
                        "--https-listen-port",
                        "--tls-san",
                        "--cluster-cidr",
                        "--service-cidr",
                        "--cluster-dns",
                        "--flannel-backend",
                        "--disable",
                    ]
                    .contains(&name),
                    "{what}: {flag} is not a flag checked against k3s"
                );
                assert!(!name.contains("token"), "{what}: {flag}");
            }
        }
    }
}

#[test]
fn the_join_token_is_in_no_generated_file() {
    // The generator never reads the environment or the token file; the variable is set to prove
    // that its value cannot leak, and no file passes a token other than by its file.
    // SAFETY: no other thread of this test binary reads or writes this variable.
    unsafe { std::env::set_var("K3S_TOKEN", "K10-homeflake-test-token-value") };
    for (name, cluster) in k3s_clusters() {
        for (path, file) in generate(&cluster).iter() {
            let text = &file.contents;
            assert!(!text.contains("K10-homeflake-test-token-value"), "{name}/{path}");
            assert!(
                !text.contains("services.k3s.token ") && !text.contains("services.k3s.agentToken"),
                "{name}/{path}"
            );
            assert!(!text.contains("\"--token") && !text.contains("\"--agent-token"), "{name}/{path}");
        }
    }
    let text = reference_as_k3s_text().replacen("[kubernetes.k3s]\n", "[kubernetes.k3s]\ntoken = \"K10-abc\"\n", 1);
    let error = from_toml_str("homeflake.toml", &text).expect_err("a literal token is refused").to_string();
    assert!(error.contains("kubernetes.k3s.token: the k3s token is written into the inventory"), "{error}");
    assert!(!error.contains("K10-abc"), "the token is shown: {error}");
}

#[test]
fn no_nixpkgs_flavour_fix_is_emitted_under_k3s_and_the_pi_keeps_its_hardware_settings() {
    for (name, cluster) in k3s_clusters() {
        let files = generate(&cluster);
        for (path, file) in files.iter().filter(|(p, _)| p.as_str().ends_with(".nix")) {
            for nixpkgs_only in [
                "services.kubernetes",
                "ETCD_UNSUPPORTED_ARCH",
                "services.certmgr",
                "systemd.services.flannel",
                "flannel -ip-masq",
                "systemd.services.containerd",
                "addons.dns.coredns",
                "kubelet.service",
            ] {
                assert!(!file.contents.contains(nixpkgs_only), "{name}/{path} has {nixpkgs_only}");
            }
        }
        assert!(files.iter().all(|(p, _)| !p.as_str().starts_with("modules/k8s/")), "{name}");
        for pi in cluster.hosts.iter().filter(|h| h.hardware == homeflake_model::Hardware::RaspberryPi4) {
            let text = &files.get(&format!("hosts/{}/default.nix", pi.name)).unwrap().contents;
            assert!(text.contains("\"cgroup_enable=memory\""), "{name}/{}: {text}", pi.name);
        }
    }
}

#[test]
fn the_server_flags_follow_the_inventory() {
    let [(_, ha), _, (_, variant)] = <[_; 3]>::try_from(k3s_clusters()).ok().unwrap();
    let flags = |cluster: &Cluster| -> Vec<String> {
        let files = generate(cluster);
        let server = options(&files.get("modules/k3s/server.nix").unwrap().contents);
        let (_, list) = server.into_iter().find(|(p, _)| p.join(".") == "services.k3s.extraFlags").unwrap();
        let Expr::List(items) = list else { panic!("not a list") };
        items.iter().map(|i| print_expr(&i.value).trim_matches('"').to_owned()).collect()
    };
    let ha_flags = flags(&ha);
    for want in [
        "--cluster-cidr=10.42.0.0/16",
        "--service-cidr=10.43.0.0/16",
        "--cluster-dns=10.43.255.254",
        "--disable=traefik",
        "--disable=servicelb",
    ] {
        assert!(ha_flags.iter().any(|f| f == want), "{want} missing from {ha_flags:?}");
    }
    assert!(!ha_flags.iter().any(|f| f.contains("allow-privileged") || f == "--disable=coredns"), "{ha_flags:?}");
    let variant_flags = flags(&variant);
    for want in ["--kube-apiserver-arg=allow-privileged=false", "--disable=coredns", "--https-listen-port=7443"] {
        assert!(variant_flags.iter().any(|f| f == want), "{want} missing from {variant_flags:?}");
    }
    let files = generate(&variant);
    assert!(!files.get("modules/k3s/server.nix").unwrap().contents.contains("environment.systemPackages"));
    assert!(files.get("modules/k3s/agent.nix").unwrap().contents.contains("\"https://api.kube:7443\""));
}

#[test]
fn the_firewall_opens_per_role_what_k3s_needs_and_the_k3s_module_opens_nothing() {
    use homeflake_model::{Protocol, Source, ports};
    let cluster = cluster("tests/inventories/ha-k3s");
    let files = generate(&cluster);
    for host in &cluster.hosts {
        assert!(cluster.opened_by_nixpkgs(host).is_empty(), "{}", host.name);
        let listeners = cluster.listeners(host);
        let find = |port: u16, protocol: Protocol| {
            listeners.iter().find(|l| l.protocol == protocol && l.binds(port)).map(|l| l.from.clone())
        };
        let server = host.roles.control_plane;
        let api = find(cluster.kubernetes.api.port.get(), Protocol::Tcp);
        assert_eq!(api, server.then(|| vec![Source::Lan, Source::Pods, Source::Tailnet]), "{}: API", host.name);
        for etcd in [ports::ETCD.0, ports::ETCD.1] {
            assert_eq!(find(etcd, Protocol::Tcp), server.then(|| vec![Source::ControlPlanes]), "{}: etcd", host.name);
        }
        assert_eq!(find(ports::KUBELET, Protocol::Tcp), Some(vec![Source::Members, Source::Pods]), "{}", host.name);
        assert_eq!(find(ports::FLANNEL_VXLAN, Protocol::Udp), Some(vec![Source::Lan]), "{}", host.name);
        assert_eq!(find(ports::CFSSL, Protocol::Tcp), None, "{}: no cfssl under k3s", host.name);
        // What the generated rules say, per role.
        let commands: String = host_options(&files, host)
            .get("networking.firewall.extraCommands")
            .map(|v| v.join("\n"))
            .unwrap_or_default();
        assert_eq!(commands.contains("--dport 2379:2380 -s 192.168.50.12"), server, "{}:\n{commands}", host.name);
        assert!(!commands.contains("--dport 2379:2380 -s 192.168.50.21"), "{}: an agent reaches etcd", host.name);
        assert_eq!(commands.contains("--dport 6443 -s 192.168.50.0/24"), server, "{}:\n{commands}", host.name);
        assert!(commands.contains("--dport 10250 -s 192.168.50.22"), "{}: the Pi agent's kubelet scrape", host.name);
        assert!(!commands.contains("nixos-fw-refuse"), "{}: nothing to narrow:\n{commands}", host.name);
        assert!(!commands.contains("cni0") && !commands.contains("flannel.1"), "{}", host.name);
    }
}
