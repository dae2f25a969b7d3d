//! The cluster layer read back: every YAML file parses (YAML 1.2 and 1.1) into exactly the values
//! the model gives, inventory strings survive the trip, and the facts the hosts and the cluster
//! share agree when read from the generated files of both layers.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use homeflake_files::FileSet;
use homeflake_gen::cluster::manifests::Manifest;
use homeflake_gen::cluster::{helmfile, releases, values};
use homeflake_gen::generate;
use homeflake_model::{Cluster, Code, Value, from_json_str, load};
use proptest::prelude::*;
use saphyr::{LoadableYamlNode, ScalarOwned, YamlOwned};

const INVENTORIES: [(&str, &str); 3] =
    [("reference", "../.."), ("single-node", "tests/inventories/single-node"), ("fleet", "tests/inventories/fleet")];

fn cluster(dir: &str) -> Cluster {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(dir);
    load(&root).unwrap_or_else(|e| panic!("{}: {e}", root.display())).cluster
}

/// Reads a saphyr node as a model value; anything the generator never writes (floats, tags) fails.
fn value(node: &YamlOwned) -> Value {
    match node {
        YamlOwned::Value(ScalarOwned::Null) => Value::Null,
        YamlOwned::Value(ScalarOwned::Boolean(b)) => Value::Bool(*b),
        YamlOwned::Value(ScalarOwned::Integer(n)) => Value::Int(*n),
        YamlOwned::Value(ScalarOwned::String(s)) => Value::Str(s.clone()),
        YamlOwned::Sequence(items) => Value::List(items.iter().map(value).collect()),
        YamlOwned::Mapping(entries) => Value::Map(
            entries
                .iter()
                .map(|(k, v)| match value(k) {
                    Value::Str(k) => (k, value(v)),
                    other => panic!("a key read back as {other:?}"),
                })
                .collect(),
        ),
        other => panic!("read back as {other:?}"),
    }
}

/// Parses one generated YAML file (exactly one document) with saphyr.
fn parse(path: &str, text: &str) -> Value {
    let docs = YamlOwned::load_from_str(text).unwrap_or_else(|e| panic!("{path} does not parse: {e}\n{text}"));
    assert_eq!(docs.len(), 1, "{path}: one document expected");
    value(&docs[0])
}

fn yaml_files(files: &FileSet) -> Vec<(String, String)> {
    files
        .iter()
        .filter(|(p, _)| p.as_str().ends_with(".yaml"))
        .map(|(p, f)| (p.as_str().to_owned(), f.contents.to_string()))
        .collect()
}

/// What the model says each generated YAML file holds.
fn expected_files(cluster: &Cluster) -> BTreeMap<String, Value> {
    let releases = releases(cluster);
    let mut out = BTreeMap::new();
    if releases.is_empty() {
        return out;
    }
    out.insert("cluster/helmfile.yaml".to_owned(), helmfile::lower(&releases));
    for release in releases.iter().filter(|r| !r.values.is_empty_map()) {
        out.insert(format!("cluster/{}", values::path(release)), release.values.clone());
    }
    if let Some(tls) = &cluster.tls {
        for manifest in Manifest::ALL {
            out.insert(format!("cluster/manifests/{}", manifest.file_name()), manifest.lower(cluster, tls));
        }
    }
    out
}

fn to_json(value: &Value) -> serde_json::Value {
    match value {
        Value::Null => serde_json::Value::Null,
        Value::Bool(b) => (*b).into(),
        Value::Int(n) => (*n).into(),
        Value::Str(s) => s.clone().into(),
        Value::List(items) => items.iter().map(to_json).collect(),
        Value::Map(entries) => {
            serde_json::Value::Object(entries.iter().map(|(k, v)| (k.clone(), to_json(v))).collect())
        }
        other => panic!("unexpected {other:?}"),
    }
}

/// A Python with PyYAML, or `None` after a loud warning; a failure when `HOMEFLAKE_REQUIRE_PROGRAMS=1`.
fn python_with_pyyaml() -> Option<&'static str> {
    for python in ["python3", "/usr/bin/python3"] {
        if Command::new(python).args(["-c", "import yaml"]).output().is_ok_and(|o| o.status.success()) {
            return Some(python);
        }
    }
    assert!(
        std::env::var("HOMEFLAKE_REQUIRE_PROGRAMS").as_deref() != Ok("1"),
        "no python3 with PyYAML and HOMEFLAKE_REQUIRE_PROGRAMS=1 (apt-get install python3-yaml)"
    );
    eprintln!("WARNING: PyYAML not found: the YAML 1.1 read-back of the cluster layer DID NOT RUN");
    None
}

/// Every file loaded by PyYAML's safe loader (YAML 1.1 resolution), as JSON, by path.
fn pyyaml_load_all(python: &str, files: &[(String, String)]) -> BTreeMap<String, serde_json::Value> {
    let input: serde_json::Map<String, serde_json::Value> =
        files.iter().map(|(p, t)| (p.clone(), t.clone().into())).collect();
    let mut child = Command::new(python)
        .args([
            "-c",
            "import json, sys, yaml\nfiles = json.load(sys.stdin)\n\
             json.dump({p: list(yaml.safe_load_all(t)) for p, t in files.items()}, sys.stdout)",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 starts");
    child.stdin.take().expect("stdin").write_all(serde_json::to_string(&input).unwrap().as_bytes()).unwrap();
    let output = child.wait_with_output().expect("python3 ends");
    assert!(output.status.success(), "PyYAML rejects a file: {}", String::from_utf8_lossy(&output.stderr));
    let docs: BTreeMap<String, Vec<serde_json::Value>> = serde_json::from_slice(&output.stdout).unwrap();
    docs.into_iter()
        .map(|(p, mut d)| {
            assert_eq!(d.len(), 1, "{p}: one document expected");
            (p, d.remove(0))
        })
        .collect()
}

#[test]
fn every_yaml_file_parses_and_reads_back_as_the_model_values() {
    let python = python_with_pyyaml();
    for (inventory, dir) in INVENTORIES {
        let cluster = cluster(dir);
        let files = yaml_files(&generate(&cluster));
        let expected = expected_files(&cluster);
        assert!(!files.is_empty(), "{inventory}: no cluster layer");
        assert_eq!(
            files.iter().map(|(p, _)| p.clone()).collect::<BTreeSet<_>>(),
            expected.keys().cloned().collect::<BTreeSet<_>>(),
            "{inventory}"
        );
        for (path, text) in &files {
            assert_eq!(&parse(path, text), &expected[path], "{inventory}/{path} reads back differently:\n{text}");
            // helmfile makes the manifests a chart, whose templates Helm renders: no template may appear.
            assert!(!text.contains("{{"), "{inventory}/{path} holds a template expression");
        }
        if let Some(python) = python {
            for (path, json) in pyyaml_load_all(python, &files) {
                assert_eq!(json, to_json(&expected[&path]), "{inventory}/{path}: PyYAML reads it differently");
            }
        }
    }
}

/// Strings valid in an inventory that a careless YAML writer would turn into booleans, numbers,
/// nulls, aliases or tags.
const TRICKY_LABELS: &[&str] =
    &["yes", "no", "on", "off", "y", "n", "true", "null", "0755", "1e3", "0x1f", "12", "1-2"];

fn label() -> impl Strategy<Value = String> {
    prop_oneof![prop::sample::select(TRICKY_LABELS).prop_map(String::from), "[a-z0-9]([a-z0-9-]{0,6}[a-z0-9])?"]
}

fn label_value() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(TRICKY_LABELS).prop_map(String::from),
        Just("True".to_owned()),
        Just("NULL".to_owned()),
        Just("1.5".to_owned()),
        "[A-Za-z0-9]([A-Za-z0-9._-]{0,6}[A-Za-z0-9])?"
    ]
}

prop_compose! {
    /// The inventory strings that reach the cluster layer's YAML.
    fn inventory_strings()(
        hosts in prop::collection::btree_set(label(), 2..4),
        zone in prop::collection::vec(label(), 2..4),
        selector_key in prop_oneof![label(), (label(), label()).prop_map(|(a, b)| format!("{a}.io/{b}"))],
        selector_value in label_value(),
        // What udev puts in a /dev/disk/by-id name (DiskDevice allows no more); `#` and `:` still
        // test the YAML printer's quoting.
        device_id in "[A-Za-z0-9#+:=@_-][A-Za-z0-9#+.:=@_-]{0,23}",
        email_local in "[A-Za-z0-9._%+-]{1,12}",
        storage_class in label(),
    ) -> (Vec<String>, String, String, String, String, String, String) {
        (hosts.into_iter().collect(), zone.join("."), selector_key, selector_value, device_id, email_local, storage_class)
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn inventory_strings_read_back_unchanged_from_the_yaml(
        (hosts, zone, selector_key, selector_value, device_id, email_local, storage_class) in inventory_strings()
    ) {
        let device = format!("/dev/disk/by-id/{device_id}");
        let email = format!("{email_local}@{zone}");
        let host = |i: usize, roles: serde_json::Value| serde_json::json!({
            "name": hosts[i], "hardware": "uefi-pc", "roles": roles, "lan-interface": "eth0",
            "lan-address": format!("10.9.0.{}", i + 2), "tailnet-address": format!("100.64.0.{}", i + 2),
        });
        let inventory = serde_json::json!({
            "name": "lab", "domain": zone,
            "network": { "lan": "10.9.0.0/24", "gateway": "10.9.0.1" },
            "ingress": { "host": hosts[1], "node-selector": { selector_key.clone(): selector_value } },
            "split-dns": { "server-host": hosts[0] },
            "ceph": { "osds": [{ "host": hosts[1], "device": device }] },
            "tls": { "acme-email": email, "dns-provider": "cloudflare", "dns-api-token": { "env": "CF_TOKEN" } },
            "storage": { "default-storage-class": storage_class },
            "hosts": [host(0, serde_json::json!(["control-plane"])), host(1, serde_json::json!(["worker"]))],
        });
        let loaded = from_json_str("homeflake.json", &inventory.to_string());
        let cluster = match loaded {
            Ok(l) => l.cluster,
            Err(e) => return Err(TestCaseError::fail(format!("{e}\n{inventory:#}"))),
        };
        let files = generate(&cluster);
        let read = |path: &str| parse(path, &files.get(path).unwrap().contents);
        let traefik = read("cluster/values/traefik.yaml");
        prop_assert_eq!(traefik.at(&["nodeSelector", &selector_key]), Some(&Value::from(selector_value.as_str())));
        let ceph = read("cluster/values/rook-ceph-cluster.yaml");
        let node = &ceph.at(&["cephClusterSpec", "storage"]).and_then(|s| s.at(&["nodes"])).cloned();
        let Some(Value::List(nodes)) = node else { return Err(TestCaseError::fail("no nodes")) };
        prop_assert_eq!(nodes[0].at(&["name"]), Some(&Value::from(hosts[1].as_str())));
        prop_assert_eq!(&nodes[0].at(&["devices"]), &Some(&Value::list([Value::map([("name", Value::from(device.as_str()))])])));
        let issuer = read("cluster/manifests/cluster-issuer.yaml");
        prop_assert_eq!(issuer.at(&["spec", "acme", "email"]), Some(&Value::from(email.as_str())));
        let certificate = read("cluster/manifests/wildcard-certificate.yaml");
        prop_assert_eq!(
            certificate.at(&["spec", "dnsNames"]),
            Some(&Value::list([Value::from(zone.as_str()), Value::from(format!("*.{zone}"))]))
        );
        let Some(Value::List(pools)) = ceph.at(&["cephBlockPools"]) else { return Err(TestCaseError::fail("no pools")) };
        prop_assert_eq!(pools[0].at(&["storageClass", "name"]), Some(&Value::from(storage_class.as_str())));
    }
}

/// The text of a generated file.
fn text(files: &FileSet, path: &str) -> String {
    files.get(path).unwrap_or_else(|| panic!("{path} is not generated")).contents.to_string()
}

/// Every quoted string in a Nix file that starts with `prefix`, without the prefix.
fn nix_strings_after(nix: &str, prefix: &str) -> Vec<String> {
    let needle = format!("\"{prefix}");
    nix.match_indices(&needle)
        .map(|(i, _)| {
            let rest = &nix[i + needle.len()..];
            rest[..rest.find('"').expect("a closing quote")].to_owned()
        })
        .collect()
}

/// The port of the `server` line of `upstream <name> { … }` in the nginx stream block.
fn upstream_port(nginx: &str, name: &str) -> i64 {
    let block = &nginx[nginx.find(&format!("upstream {name} {{")).expect("the upstream")..];
    let server = &block[block.find("server ").expect("a server line") + "server ".len()..];
    let address = &server[..server.find(';').expect("a semicolon")];
    address.rsplit(':').next().unwrap().parse().expect("a port")
}

#[test]
fn traefik_node_ports_equal_the_nginx_upstreams() {
    for (inventory, dir) in [INVENTORIES[0], INVENTORIES[2]] {
        let files = generate(&cluster(dir));
        let traefik = parse("traefik.yaml", &text(&files, "cluster/values/traefik.yaml"));
        let nginx = text(&files, "modules/ingress-proxy.nix");
        for (entry_point, upstream) in [("web", "traefik_http"), ("websecure", "traefik_https")] {
            assert_eq!(
                traefik.at(&["ports", entry_point, "nodePort"]),
                Some(&Value::Int(upstream_port(&nginx, upstream))),
                "{inventory}: {entry_point} vs {upstream}"
            );
        }
        assert_eq!(traefik.at(&["service", "spec", "type"]), Some(&Value::from("NodePort")), "{inventory}");
    }
}

#[test]
fn traefik_runs_on_a_label_the_ingress_hosts_kubelet_gets() {
    for (inventory, dir) in [INVENTORIES[0], INVENTORIES[2]] {
        let cluster = cluster(dir);
        let files = generate(&cluster);
        let traefik = parse("traefik.yaml", &text(&files, "cluster/values/traefik.yaml"));
        let Some(Value::Map(selector)) = traefik.at(&["nodeSelector"]) else { panic!("{inventory}: no nodeSelector") };
        assert!(!selector.is_empty(), "{inventory}");
        let ingress = &cluster.ingress.as_ref().unwrap().host;
        let host_file = text(&files, &format!("hosts/{ingress}/default.nix"));
        let labels: BTreeSet<String> = nix_strings_after(&host_file, "--node-labels=")
            .iter()
            .flat_map(|l| l.split(',').map(str::to_owned).collect::<Vec<_>>())
            .collect();
        for (key, value) in selector {
            let Value::Str(value) = value else { panic!("{inventory}: label {key} is not a string") };
            assert!(
                labels.contains(&format!("{key}={value}")),
                "{inventory}: {ingress}'s kubelet lacks {key}={value}: {labels:?}"
            );
        }
    }
}

#[test]
fn every_ceph_device_is_an_osd_of_its_host_and_node_names_are_host_names() {
    for (inventory, dir) in INVENTORIES {
        let cluster = cluster(dir);
        let files = generate(&cluster);
        let ceph = parse("rook-ceph-cluster.yaml", &text(&files, "cluster/values/rook-ceph-cluster.yaml"));
        let storage = ceph.at(&["cephClusterSpec", "storage"]).expect("storage");
        assert_eq!(storage.at(&["useAllNodes"]), Some(&Value::Bool(false)), "{inventory}");
        assert_eq!(storage.at(&["useAllDevices"]), Some(&Value::Bool(false)), "{inventory}");
        let Some(Value::List(nodes)) = storage.at(&["nodes"]) else { panic!("{inventory}: no nodes") };
        let mut read: BTreeSet<(String, String)> = BTreeSet::new();
        for node in nodes {
            let Some(Value::Str(name)) = node.at(&["name"]) else { panic!("{inventory}: a node without a name") };
            let host_file = text(&files, &format!("hosts/{name}/default.nix"));
            assert!(host_file.contains(&format!("networking.hostName = \"{name}\";")), "{inventory}: {name}");
            let Some(Value::List(devices)) = node.at(&["devices"]) else {
                panic!("{inventory}: {name} has no devices")
            };
            for device in devices {
                let Some(Value::Str(path)) = device.at(&["name"]) else {
                    panic!("{inventory}: a device without a name")
                };
                assert!(path.starts_with("/dev/disk/by-id/"), "{inventory}: {path}");
                read.insert((name.clone(), path.clone()));
            }
        }
        let osds: BTreeSet<(String, String)> =
            cluster.ceph.iter().flat_map(|c| &c.osds).map(|o| (o.host.to_string(), o.device.to_string())).collect();
        assert_eq!(read, osds, "{inventory}: the CephCluster's disks are not exactly the inventory's OSDs");
    }
}

#[test]
fn the_certificate_covers_the_split_dns_zone() {
    for (inventory, dir) in [INVENTORIES[0], INVENTORIES[2]] {
        let files = generate(&cluster(dir));
        let corefile = text(&files, "modules/split-dns.nix");
        let zone = corefile.split("template IN A ").nth(1).and_then(|r| r.split_whitespace().next()).expect("the zone");
        let certificate = parse("certificate", &text(&files, "cluster/manifests/wildcard-certificate.yaml"));
        let Some(Value::List(names)) = certificate.at(&["spec", "dnsNames"]) else {
            panic!("{inventory}: no dnsNames")
        };
        assert_eq!(names, &[Value::from(zone), Value::from(format!("*.{zone}"))], "{inventory}");
        let issuer = parse("issuer", &text(&files, "cluster/manifests/cluster-issuer.yaml"));
        let Some(Value::List(solvers)) = issuer.at(&["spec", "acme", "solvers"]) else {
            panic!("{inventory}: no solvers")
        };
        assert_eq!(solvers[0].at(&["selector", "dnsZones"]), Some(&Value::list([Value::from(zone)])), "{inventory}");
        assert!(solvers[0].at(&["dns01"]).is_some() && solvers[0].at(&["http01"]).is_none(), "{inventory}");
        let traefik = parse("traefik.yaml", &text(&files, "cluster/values/traefik.yaml"));
        assert_eq!(
            traefik.at(&["tlsStore", "default", "defaultCertificate", "secretName"]),
            certificate.at(&["spec", "secretName"]),
            "{inventory}: Traefik's default certificate is not the wildcard's Secret"
        );
        assert_eq!(certificate.at(&["metadata", "namespace"]), Some(&Value::from("traefik")));
    }
}

#[test]
fn kubelet_root_dir_kernel_modules_and_open_files_agree_with_the_hosts() {
    for (inventory, dir) in INVENTORIES {
        let cluster = cluster(dir);
        let files = generate(&cluster);
        let ceph = cluster.ceph.as_ref().expect("ceph");
        let drivers = parse("ceph-csi-drivers.yaml", &text(&files, "cluster/values/ceph-csi-drivers.yaml"));
        let kubelet_dir = drivers.at(&["operatorConfig", "driverSpecDefaults", "nodePlugin", "kubeletDirPath"]);
        let ceph_module = text(&files, "modules/ceph.nix");
        assert!(ceph_module.contains(&format!("LimitNOFILE = \"{}\";", ceph.containerd_limit_nofile)), "{inventory}");
        for module in ["ceph", "rbd"] {
            assert!(
                ceph_module.contains(&format!("\"{module}\"")),
                "{inventory}: modules/ceph.nix does not load {module}"
            );
        }
        for host in cluster.workers() {
            let host_file = text(&files, &format!("hosts/{}/default.nix", host.name));
            assert_eq!(
                nix_strings_after(&host_file, "--root-dir="),
                [kubelet_dir.and_then(|v| if let Value::Str(s) = v { Some(s.clone()) } else { None }).expect("a path")],
                "{inventory}: {}'s kubelet root dir differs from the CSI plugin's",
                host.name
            );
            assert!(
                host_file.contains("../../modules/ceph.nix"),
                "{inventory}: {} lacks the Ceph prerequisites",
                host.name
            );
        }
        for driver in ["rbd", "cephfs"] {
            let enabled = drivers.at(&["drivers", driver, "enabled"]) == Some(&Value::Bool(true));
            if !enabled {
                continue;
            }
            let Some(Value::List(volumes)) = drivers.at(&["drivers", driver, "nodePlugin", "volumes"]) else {
                panic!("{inventory}: {driver} has no volumes")
            };
            let lib_modules = volumes.iter().find(|v| v.at(&["volume", "name"]) == Some(&Value::from("lib-modules")));
            assert_eq!(
                lib_modules.and_then(|v| v.at(&["volume", "hostPath", "path"])),
                Some(&Value::from("/run/current-system/kernel-modules/lib/modules")),
                "{inventory}: {driver}"
            );
        }
    }
}

/// An inventory of `n` workers, each with one OSD disk, and a separate control plane.
fn lab_with_osd_hosts(n: usize, storage: &str) -> String {
    let mut text = format!(
        "name = \"lab\"\ndomain = \"lab.test\"\n[network]\nlan = \"10.9.0.0/24\"\ngateway = \"10.9.0.1\"\n\
         [tailscale]\nenable = false\n[storage]\n{storage}\n[ceph]\n"
    );
    for i in 0..n {
        text.push_str(&format!("[[ceph.osds]]\nhost = \"w{i}\"\ndevice = \"/dev/disk/by-id/ata-DISK_{i}\"\n"));
    }
    text.push_str("[[hosts]]\nname = \"cp\"\nhardware = \"uefi-pc\"\nroles = [\"control-plane\"]\nlan-interface = \"eth0\"\nlan-address = \"10.9.0.2\"\n");
    for i in 0..n {
        text.push_str(&format!(
            "[[hosts]]\nname = \"w{i}\"\nhardware = \"uefi-pc\"\nroles = [\"worker\"]\nlan-interface = \"eth0\"\nlan-address = \"10.9.0.{}\"\n",
            i + 10
        ));
    }
    text
}

#[test]
fn monitor_count_and_pool_size_follow_the_osd_hosts() {
    for (hosts, mons, size) in [(1, 1, 1), (2, 1, 2), (3, 3, 3), (5, 3, 3)] {
        let loaded = homeflake_model::from_toml_str("homeflake.toml", &lab_with_osd_hosts(hosts, ""))
            .unwrap_or_else(|e| panic!("{hosts} hosts: {e}"));
        let single = loaded.warnings.iter().any(|w| w.code == Code::SingleReplica);
        assert_eq!(single, size == 1, "{hosts} hosts: the one-copy warning");
        let files = generate(&loaded.cluster);
        let ceph = parse("rook-ceph-cluster.yaml", &text(&files, "cluster/values/rook-ceph-cluster.yaml"));
        let Some(Value::Int(count)) = ceph.at(&["cephClusterSpec", "mon", "count"]) else { panic!("no mon count") };
        assert_eq!(*count, mons, "{hosts} hosts: monitors");
        assert!(count % 2 == 1 && *count as usize <= hosts, "{hosts} hosts: {count} monitors");
        let Some(Value::List(pools)) = ceph.at(&["cephBlockPools"]) else { panic!("no pools") };
        let Some(Value::List(filesystems)) = ceph.at(&["cephFileSystems"]) else { panic!("no filesystems") };
        let mut replicated = vec![pools[0].at(&["spec", "replicated"]).unwrap()];
        replicated.push(filesystems[0].at(&["spec", "metadataPool", "replicated"]).unwrap());
        let Some(Value::List(data)) = filesystems[0].at(&["spec", "dataPools"]) else { panic!("no data pools") };
        replicated.push(data[0].at(&["replicated"]).unwrap());
        for pool in replicated {
            assert_eq!(pool.at(&["size"]), Some(&Value::Int(size)), "{hosts} hosts: pool size");
            let unsafe_size = pool.at(&["requireSafeReplicaSize"]) == Some(&Value::Bool(false));
            assert_eq!(unsafe_size, size == 1, "{hosts} hosts: requireSafeReplicaSize");
        }
        // Every size up to the number of OSD hosts is accepted, one more is refused.
        for replication in 1..=hosts + 1 {
            let text = lab_with_osd_hosts(hosts, &format!("replication = {replication}"));
            let result = homeflake_model::from_toml_str("homeflake.toml", &text);
            assert_eq!(result.is_ok(), replication <= hosts, "{hosts} hosts, replication {replication}");
        }
        for count in 1..=hosts as u32 + 1 {
            let text = lab_with_osd_hosts(hosts, &format!("mon-count = {count}"));
            let ok = homeflake_model::from_toml_str("homeflake.toml", &text).is_ok();
            assert_eq!(ok, count % 2 == 1 && count as usize <= hosts, "{hosts} hosts, mon-count {count}");
        }
    }
}

#[test]
fn helmfile_needs_name_releases_it_installs_first() {
    for (inventory, dir) in INVENTORIES {
        let files = generate(&cluster(dir));
        let state = parse("helmfile.yaml", &text(&files, "cluster/helmfile.yaml"));
        let Some(Value::List(releases)) = state.at(&["releases"]) else { panic!("{inventory}: no releases") };
        let id = |r: &Value| match (r.at(&["namespace"]), r.at(&["name"])) {
            (Some(Value::Str(ns)), Some(Value::Str(n))) => format!("{ns}/{n}"),
            _ => panic!("{inventory}: a release without name or namespace"),
        };
        let mut installed: Vec<String> = Vec::new();
        for release in releases {
            if let Some(Value::List(needs)) = release.at(&["needs"]) {
                for need in needs {
                    let Value::Str(need) = need else { panic!("{inventory}: a need that is not a string") };
                    assert!(
                        installed.contains(need),
                        "{inventory}: {} needs {need}, listed after it or missing",
                        id(release)
                    );
                }
            }
            if let Some(Value::Str(chart)) = release.at(&["chart"]) {
                if chart.starts_with("./") {
                    assert!(release.at(&["version"]).is_none(), "{inventory}: a local chart with a version");
                } else {
                    assert!(release.at(&["version"]).is_some(), "{inventory}: {chart} is not pinned");
                }
            }
            installed.push(id(release));
        }
        let needs_of = |name: &str| {
            releases
                .iter()
                .find(|r| r.at(&["name"]) == Some(&Value::from(name)))
                .and_then(|r| r.at(&["needs"]))
                .cloned()
        };
        if installed.iter().any(|r| r.ends_with("/certificates")) {
            assert!(
                matches!(needs_of("certificates"), Some(Value::List(n)) if n.contains(&Value::from("cert-manager/cert-manager")))
            );
        }
        assert!(
            matches!(needs_of("rook-ceph-cluster"), Some(Value::List(n)) if n.contains(&Value::from("rook-ceph/rook-ceph")))
        );
    }
}

#[test]
fn monitors_are_pinned_to_the_listed_monitor_hosts_only() {
    for (inventory, dir) in INVENTORIES {
        let cluster = cluster(dir);
        let files = generate(&cluster);
        let ceph = parse("rook-ceph-cluster.yaml", &text(&files, "cluster/values/rook-ceph-cluster.yaml"));
        let placement = ceph.at(&["cephClusterSpec", "placement", "mon", "nodeAffinity"]);
        let listed = &cluster.storage.as_ref().expect("storage").mon_hosts;
        if listed.is_empty() {
            assert!(placement.is_none(), "{inventory}: monitors pinned although no host is listed");
            continue;
        }
        let Some(Value::List(terms)) =
            placement.and_then(|p| p.at(&["requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms"]))
        else {
            panic!("{inventory}: no node selector terms")
        };
        let Some(Value::List(expressions)) = terms[0].at(&["matchExpressions"]) else { panic!("{inventory}") };
        assert_eq!(expressions[0].at(&["key"]), Some(&Value::from("kubernetes.io/hostname")), "{inventory}");
        let hosts: Vec<Value> = listed.iter().map(|h| Value::from(h.as_str())).collect();
        assert_eq!(expressions[0].at(&["values"]), Some(&Value::List(hosts)), "{inventory}");
        for host in listed {
            let host_file = text(&files, &format!("hosts/{host}/default.nix"));
            assert!(host_file.contains(&format!("networking.hostName = \"{host}\";")), "{inventory}: {host}");
        }
    }
}

/// The string at `path`, or a failure naming it.
fn string_at(value: &Value, path: &[&str], what: &str) -> String {
    match value.at(path) {
        Some(Value::Str(s)) => s.clone(),
        other => panic!("{what}: {path:?} is {other:?}"),
    }
}

/// The zone split DNS answers, read from the Corefile in `modules/split-dns.nix`.
fn corefile_zone(files: &FileSet) -> String {
    let corefile = text(files, "modules/split-dns.nix");
    corefile.split("template IN A ").nth(1).and_then(|r| r.split_whitespace().next()).expect("the zone").to_owned()
}

#[test]
fn every_app_host_is_in_the_split_dns_zone_and_covered_by_the_wildcard_certificate() {
    for (inventory, dir) in [INVENTORIES[0], INVENTORIES[2]] {
        let files = generate(&cluster(dir));
        let zone = corefile_zone(&files);
        let certificate = parse("certificate", &text(&files, "cluster/manifests/wildcard-certificate.yaml"));
        let Some(Value::List(names)) = certificate.at(&["spec", "dnsNames"]) else {
            panic!("{inventory}: no dnsNames")
        };
        let state = parse("helmfile.yaml", &text(&files, "cluster/helmfile.yaml"));
        let Some(Value::List(releases)) = state.at(&["releases"]) else { panic!("{inventory}: no releases") };
        let traefik_release = releases
            .iter()
            .find(|r| r.at(&["chart"]) == Some(&Value::from("traefik/traefik")))
            .map(|r| string_at(r, &["name"], "traefik"))
            .expect("a Traefik release");
        let kps = parse("kps", &text(&files, "cluster/values/kube-prometheus-stack.yaml"));
        let vaultwarden = parse("vaultwarden", &text(&files, "cluster/values/vaultwarden.yaml"));
        let nextcloud = parse("nextcloud", &text(&files, "cluster/values/nextcloud.yaml"));
        let Some(Value::List(grafana_hosts)) = kps.at(&["grafana", "ingress", "hosts"]) else {
            panic!("{inventory}: Grafana has no ingress")
        };
        let hosts = [
            (
                "grafana",
                grafana_hosts[0].clone(),
                kps.at(&["grafana", "ingress", "ingressClassName"]),
                kps.at(&["grafana", "ingress", "annotations"]),
            ),
            (
                "vaultwarden",
                Value::from(string_at(&vaultwarden, &["ingress", "hostname"], inventory)),
                vaultwarden.at(&["ingress", "class"]),
                vaultwarden.at(&["ingress", "additionalAnnotations"]),
            ),
            (
                "nextcloud",
                Value::from(string_at(&nextcloud, &["nextcloud", "host"], inventory)),
                nextcloud.at(&["ingress", "className"]),
                nextcloud.at(&["ingress", "annotations"]),
            ),
        ];
        for (app, host, class, annotations) in hosts {
            let Value::Str(host) = host else { panic!("{inventory}/{app}: a host that is not a string") };
            let label = host
                .strip_suffix(&format!(".{zone}"))
                .unwrap_or_else(|| panic!("{inventory}/{app}: {host} is outside {zone}"));
            assert!(!label.is_empty() && !label.contains('.'), "{inventory}/{app}: *.{zone} does not cover {host}");
            assert!(names.contains(&Value::from(format!("*.{zone}"))), "{inventory}: the certificate lacks *.{zone}");
            assert_eq!(
                class,
                Some(&Value::from(traefik_release.as_str())),
                "{inventory}/{app}: not Traefik's IngressClass"
            );
            assert_eq!(
                annotations.and_then(|a| a.at(&["traefik.ingress.kubernetes.io/router.tls"])),
                Some(&Value::from("true")),
                "{inventory}/{app}: the router is not TLS, so not served with the default (wildcard) certificate"
            );
        }
        assert_eq!(
            string_at(&vaultwarden, &["domain"], inventory),
            format!("https://{}", string_at(&vaultwarden, &["ingress", "hostname"], inventory))
        );
        assert_eq!(
            nextcloud.at(&["nextcloud", "trustedDomains"]),
            Some(&Value::list([nextcloud.at(&["nextcloud", "host"]).unwrap().clone()]))
        );
    }
}

/// The StorageClasses the Rook values create.
fn rook_storage_classes(files: &FileSet) -> BTreeSet<String> {
    let ceph = parse("rook-ceph-cluster.yaml", &text(files, "cluster/values/rook-ceph-cluster.yaml"));
    let mut out = BTreeSet::new();
    for list in ["cephBlockPools", "cephFileSystems"] {
        let Some(Value::List(items)) = ceph.at(&[list]) else { panic!("no {list}") };
        for item in items {
            if item.at(&["storageClass", "enabled"]) == Some(&Value::Bool(true)) {
                out.insert(string_at(item, &["storageClass", "name"], list));
            }
        }
    }
    out
}

#[test]
fn every_volume_claims_a_storage_class_the_rook_values_create() {
    let claims: [(&str, &[&str]); 8] = [
        (
            "kube-prometheus-stack",
            &["prometheus", "prometheusSpec", "storageSpec", "volumeClaimTemplate", "spec", "storageClassName"],
        ),
        (
            "kube-prometheus-stack",
            &["alertmanager", "alertmanagerSpec", "storage", "volumeClaimTemplate", "spec", "storageClassName"],
        ),
        ("kube-prometheus-stack", &["grafana", "persistence", "storageClassName"]),
        ("loki", &["singleBinary", "persistence", "storageClass"]),
        ("vaultwarden", &["storage", "data", "class"]),
        ("nextcloud", &["persistence", "storageClass"]),
        ("nextcloud", &["postgresql", "primary", "persistence", "storageClass"]),
        ("velero", &["nodeAgent", "podVolumePath"]),
    ];
    let mut checked = 0;
    for (inventory, dir) in INVENTORIES {
        let files = generate(&cluster(dir));
        let classes = rook_storage_classes(&files);
        for (release, path) in claims.iter().filter(|(r, _)| *r != "velero") {
            let Some(file) = files.get(&format!("cluster/values/{release}.yaml")) else { continue };
            let values = parse(release, &file.contents);
            let class = string_at(&values, path, &format!("{inventory}/{release}"));
            assert!(classes.contains(&class), "{inventory}/{release}: {path:?} = {class}, not one of {classes:?}");
            checked += 1;
        }
    }
    assert!(checked >= 15, "only {checked} volumes checked");
}

#[test]
fn velero_reads_pod_volumes_where_every_workers_kubelet_keeps_them() {
    // The reference and single-node inventories (Ceph sets --root-dir), and one without Ceph,
    // where the nixpkgs kubelet module's own --root-dir (services.kubernetes.dataDir) holds.
    let without_ceph = homeflake_model::from_toml_str(
        "homeflake.toml",
        "name = \"lab\"\ndomain = \"lab.test\"\n[network]\nlan = \"10.9.0.0/24\"\ngateway = \"10.9.0.1\"\n\
         [tailscale]\nenable = false\n[backup]\nendpoint = \"https://s3.lab.test\"\nbucket = \"lab\"\n\
         access-key-id = { env = \"ID\" }\nsecret-access-key = { env = \"KEY\" }\n\
         [[hosts]]\nname = \"one\"\nhardware = \"uefi-pc\"\nroles = [\"control-plane\", \"worker\"]\n\
         lan-interface = \"eth0\"\nlan-address = \"10.9.0.2\"\n",
    )
    .unwrap_or_else(|e| panic!("{e}"))
    .cluster;
    let clusters = [
        ("reference", cluster(INVENTORIES[0].1)),
        ("single-node", cluster(INVENTORIES[1].1)),
        ("without Ceph", without_ceph),
    ];
    for (inventory, cluster) in clusters {
        let files = generate(&cluster);
        let velero = parse("velero.yaml", &text(&files, "cluster/values/velero.yaml"));
        assert_eq!(velero.at(&["deployNodeAgent"]), Some(&Value::Bool(true)), "{inventory}");
        let pod_volumes = string_at(&velero, &["nodeAgent", "podVolumePath"], inventory);
        for host in cluster.workers() {
            let host_file = text(&files, &format!("hosts/{}/default.nix", host.name));
            let root = match nix_strings_after(&host_file, "--root-dir=").as_slice() {
                [] => homeflake_model::NIXOS_KUBELET_ROOT_DIR.to_owned(),
                [dir] => dir.clone(),
                more => panic!("{inventory}: {} has several root dirs {more:?}", host.name),
            };
            assert_eq!(pod_volumes, format!("{root}/pods"), "{inventory}: {}'s kubelet", host.name);
        }
        if inventory == "without Ceph" {
            assert_eq!(pod_volumes, "/var/lib/kubernetes/pods", "the chart's /var/lib/kubelet is not NixOS's default");
        }
    }
}

#[test]
fn control_plane_targets_are_switched_off_with_a_warning_and_the_scraped_ones_match_the_hosts() {
    for (inventory, dir) in INVENTORIES {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(dir);
        let loaded = load(&root).unwrap_or_else(|e| panic!("{e}"));
        assert!(loaded.warnings.iter().any(|w| w.code == Code::ControlPlaneMetrics), "{inventory}: no warning");
        let files = generate(&loaded.cluster);
        let kps = parse("kps", &text(&files, "cluster/values/kube-prometheus-stack.yaml"));
        for component in ["kubeControllerManager", "kubeScheduler", "kubeEtcd", "kubeProxy"] {
            assert_eq!(kps.at(&[component, "enabled"]), Some(&Value::Bool(false)), "{inventory}: {component}");
        }
        assert_eq!(kps.at(&["coreDns", "service", "targetPort"]), Some(&Value::Int(10055)), "{inventory}: CoreDNS");
        let Some(Value::Int(port)) = kps.at(&["prometheus-node-exporter", "service", "port"]) else {
            panic!("{inventory}: no port")
        };
        let Some(Value::List(args)) = kps.at(&["prometheus-node-exporter", "extraArgs"]) else { panic!("{inventory}") };
        for host in loaded.cluster.workers() {
            let root = loaded.cluster.kubelet_root_dir(host).replace('.', "\\.");
            assert!(
                matches!(&args[0], Value::Str(a) if a.contains(&format!("|{}/.+", root.trim_start_matches('/')))),
                "{inventory}: {args:?}"
            );
        }
        let common = text(&files, "modules/k8s/common.nix");
        if matches!(loaded.cluster.firewall.mode, homeflake_model::FirewallMode::LeastPrivilege) {
            assert!(
                common.contains(&format!("--dport {port} -s {}", loaded.cluster.kubernetes.pod_cidr)),
                "{inventory}: {common}"
            );
        }
        assert!(!common.contains("--dport 10252") && !common.contains("--dport 10251"), "{inventory}");
    }
}

#[test]
fn loki_is_where_grafana_and_vector_send_and_read_logs() {
    for (inventory, dir) in INVENTORIES {
        let files = generate(&cluster(dir));
        let state = parse("helmfile.yaml", &text(&files, "cluster/helmfile.yaml"));
        let Some(Value::List(releases)) = state.at(&["releases"]) else { panic!("{inventory}: no releases") };
        let loki_release =
            releases.iter().find(|r| r.at(&["chart"]) == Some(&Value::from("grafana-community/loki"))).expect("Loki");
        let loki = parse("loki", &text(&files, "cluster/values/loki.yaml"));
        let Some(Value::Int(port)) = loki.at(&["loki", "server", "http_listen_port"]) else {
            panic!("{inventory}: no port")
        };
        let url = format!(
            "http://{}.{}:{port}",
            string_at(loki_release, &["name"], inventory),
            string_at(loki_release, &["namespace"], inventory)
        );
        let kps = parse("kps", &text(&files, "cluster/values/kube-prometheus-stack.yaml"));
        let Some(Value::List(sources)) = kps.at(&["grafana", "additionalDataSources"]) else { panic!("{inventory}") };
        assert_eq!(sources[0].at(&["url"]), Some(&Value::from(url.as_str())), "{inventory}: Grafana's Loki");
        let vector = parse("vector", &text(&files, "cluster/values/vector.yaml"));
        let Some(Value::Map(sinks)) = vector.at(&["customConfig", "sinks"]) else { panic!("{inventory}: no sinks") };
        assert!(!sinks.is_empty());
        for (name, sink) in sinks {
            assert_eq!(sink.at(&["endpoint"]), Some(&Value::from(url.as_str())), "{inventory}: Vector's {name}");
        }
        assert_eq!(loki.at(&["singleBinary", "replicas"]), Some(&Value::Int(1)), "{inventory}");
        assert_eq!(vector.at(&["role"]), Some(&Value::from("Agent")), "{inventory}");
    }
}
