//! The decoder and the JSON Schema accept exactly the same keys in every table.
//!
//! For each table of an inventory that sets every key, an unknown key is added; the decoder's
//! "unknown key" diagnostic lists the keys it knows there, which must equal the properties the
//! schema allows at the same place.

use std::collections::BTreeSet;

use homeflake_model::{Code, LoadError, from_toml_str, schema};
use serde_json::Value;

/// An inventory with every table written as a `[header]` and every key set.
const FULL: &str = r#"name = "lab"
domain = "home.example.com"
time-zone = "UTC"
locale = "en_US.UTF-8"
state-version = "25.05"
allow-warnings = ["easy-certs"]

[nixpkgs]
url = "github:nixos/nixpkgs/25.11"
rev = "871b9fd269ff6246794583ce4ee1031e1da71895"
nar-hash = "sha256-M101xMtWdF1eSD0xhiR8nG8CXRlHmv6V+VoY65Smwf4="
last-modified = 1764521362

[network]
lan = "192.168.10.0/24"
gateway = "192.168.10.1"
nameservers = ["192.168.10.1"]

[[users]]
name = "admin"
extra-groups = ["wheel"]
authorized-keys = []
hashed-password = { env = "HASH" }

[kubernetes]
easy-certs = true
pod-cidr = "10.1.0.0/16"
service-cidr = "10.0.0.0/24"
flannel-ip-masq = true
containerd-timeout-start-sec = 300
certmgr-renew-interval = "168h"
admin-packages = ["kubectl"]

[kubernetes.api]
host-name = "api.kube"
port = 6443
allow-privileged = true

[kubernetes.dns]
enable = true

[kubernetes.dns.coredns-image]
image-name = "coredns/coredns"
image-digest = "sha256:a0ead06651cf580044aeb0a0feba63591858fb2e43ade8c9dea45a6a89ae7e5e"
final-image-tag = "1.10.1"
sha256 = "0c4vdbklgjrzi6qc5020dvi8x3mayq4li09rrq2w0hcjdljj0yf9"

[kubernetes.kubelet-flags]
control-plane = []
worker = []

[kubernetes.proxy-flags]
control-plane = []
worker = []

[firewall]
mode = "trusted-cidrs"
trusted-cidrs = ["192.168.10.0/24"]
trusted-interfaces = []

[tailscale]
enable = true
open-firewall = true
interface = "tailscale0"
trust-interface = true

[ingress]
host = "b"
node-selector = { proxy = "true" }
dashboard = false

[ingress.node-ports]
http = 31080
https = 31443

[ingress.listen-ports]
http = 80
https = 443

[split-dns]
zone = "home.example.com"
server-host = "a"
answer-host = "b"
network = "tailnet"
upstreams = ["1.1.1.1"]
ttl = 60
cache-seconds = 30

[ceph]
containerd-limit-nofile = 1048576
kubelet-root-dir = "/var/lib/kubelet"
kernel-modules = ["ceph", "rbd"]

[[ceph.osds]]
host = "b"
device = "/dev/disk/by-id/ata-SSD_1"

[tls]
acme-email = "admin@example.com"
acme-server = "staging"
challenge = "dns-01"
dns-provider = "cloudflare"
dns-api-token = { env = "CF_TOKEN" }

[storage]
mon-hosts = ["a"]
mon-count = 1
replication = 1
default-storage-class = "ceph-block"
cephfs = true
cephfs-storage-class = "ceph-filesystem"

[monitoring]
storage-class = "ceph-block"
metrics-retention = "15d"
metrics-volume-size = "20Gi"
alerts-volume-size = "1Gi"
log-retention = "31d"
log-volume-size = "20Gi"
journald = true
grafana-host = "grafana.home.example.com"
grafana-volume-size = "1Gi"
grafana-admin-password = { env = "GRAFANA_PASSWORD" }

[backup]
endpoint = "https://s3.example.com"
bucket = "backups"
region = "us-east-1"
path-style = true
access-key-id = { env = "S3_ID" }
secret-access-key = { file = "/run/secrets/s3" }
daily-at = "03:00"
retention = "720h"
file-system-backup = true

[apps]

[apps.vaultwarden]
host = "vault.home.example.com"
storage-class = "ceph-block"
volume-size = "1Gi"
signups-allowed = false
admin-token = { env = "VW_TOKEN" }

[apps.nextcloud]
host = "cloud.home.example.com"
storage-class = "ceph-filesystem"
volume-size = "100Gi"
database-volume-size = "8Gi"
admin-user = "admin"
admin-password = { env = "NC_PASSWORD" }
database-password = { env = "NC_DB" }

[deploy]
local-systems = ["x86_64-linux"]
deploy-rs = "github:serokell/deploy-rs/d5eff7f948535b9c723d60cd8239f8f11ddc90fa"

[charts]
traefik = "41.3.0"
cert-manager = "v1.21.1"
rook-ceph = "v1.20.6"
ceph-csi-drivers = "1.0.4"
kube-prometheus-stack = "88.5.3"
loki = "18.11.0"
vector = "0.57.0"
velero = "12.1.0"
velero-plugin-for-aws = "v1.14.2"
vaultwarden = "0.43.1"
nextcloud = "9.2.4"

[[hosts]]
name = "a"
hardware = "uefi-pc"
system = "x86_64-linux"
roles = ["control-plane", "worker"]
lan-interface = "enp1s0"
lan-address = "192.168.10.2"
tailnet-address = "100.64.0.2"
wake-on-lan = false
kernel-modules = []
kubelet-flags = []
labels = {}

[hosts.deploy]
address = "a.lan"
user = "admin"
build-on-target = false

[[hosts]]
name = "b"
hardware = "uefi-pc"
roles = ["worker"]
lan-interface = "enp1s0"
lan-address = "192.168.10.3"
tailnet-address = "100.64.0.3"
"#;

/// Each table: the line after which the unknown key goes, and where the schema describes it.
const TABLES: &[(&str, &[&str])] = &[
    ("", &[]),
    ("[nixpkgs]", &["nixpkgs"]),
    ("[network]", &["network"]),
    ("[[users]]", &["users", "[]"]),
    ("[kubernetes]", &["kubernetes"]),
    ("[kubernetes.api]", &["kubernetes", "api"]),
    ("[kubernetes.dns]", &["kubernetes", "dns"]),
    ("[kubernetes.dns.coredns-image]", &["kubernetes", "dns", "coredns-image"]),
    ("[kubernetes.kubelet-flags]", &["kubernetes", "kubelet-flags"]),
    ("[kubernetes.proxy-flags]", &["kubernetes", "proxy-flags"]),
    ("[firewall]", &["firewall"]),
    ("[tailscale]", &["tailscale"]),
    ("[ingress]", &["ingress"]),
    ("[ingress.node-ports]", &["ingress", "node-ports"]),
    ("[ingress.listen-ports]", &["ingress", "listen-ports"]),
    ("[split-dns]", &["split-dns"]),
    ("[ceph]", &["ceph"]),
    ("[[ceph.osds]]", &["ceph", "osds", "[]"]),
    ("[tls]", &["tls"]),
    ("[storage]", &["storage"]),
    ("[monitoring]", &["monitoring"]),
    ("[backup]", &["backup"]),
    ("[apps]", &["apps"]),
    ("[apps.vaultwarden]", &["apps", "vaultwarden"]),
    ("[apps.nextcloud]", &["apps", "nextcloud"]),
    ("[charts]", &["charts"]),
    ("[deploy]", &["deploy"]),
    ("[[hosts]]", &["hosts", "[]"]),
    ("[hosts.deploy]", &["hosts", "[]", "deploy"]),
];

/// The tables only an inventory of the k3s flavour writes, checked in [`FULL`] switched to k3s.
const K3S_TABLES: &[(&str, &[&str])] =
    &[("[kubernetes]", &["kubernetes"]), ("[kubernetes.k3s]", &["kubernetes", "k3s"])];

/// [`FULL`] under the k3s flavour: the nixpkgs-only keys left out, `[kubernetes.k3s]` added.
fn full_k3s() -> String {
    let mut text = FULL.to_owned();
    for line in [
        "easy-certs = true\n",
        "flannel-ip-masq = true\n",
        "containerd-timeout-start-sec = 300\n",
        "certmgr-renew-interval = \"168h\"\n",
    ] {
        assert!(text.contains(line), "{line:?} is not in the inventory");
        text = text.replacen(line, "", 1);
    }
    let image = text.find("[kubernetes.dns.coredns-image]").expect("the image table");
    let end = image + text[image..].find("\n\n").expect("a blank line after the image table");
    text.replace_range(image..end + 1, "");
    text.replacen("[kubernetes]\n", "[kubernetes]\nflavour = \"k3s\"\n", 1).replacen(
        "[kubernetes.api]\n",
        "[kubernetes.k3s]\ntoken-file = \"/var/lib/secrets/k3s-token\"\n\n[kubernetes.api]\n",
        1,
    )
}

const UNKNOWN: &str = "zz-unknown-key";

/// Follows `$ref`s and the non-null branch of `anyOf` (how schemars writes an `Option`).
fn resolve<'a>(root: &'a Value, mut node: &'a Value) -> &'a Value {
    loop {
        if let Some(reference) = node.get("$ref").and_then(Value::as_str) {
            let name = reference.strip_prefix("#/$defs/").expect("a local reference");
            node = &root["$defs"][name];
        } else if let Some(branch) = node
            .get("anyOf")
            .and_then(Value::as_array)
            .and_then(|branches| branches.iter().find(|b| b.get("type") != Some(&Value::String("null".into()))))
            && node.get("properties").is_none()
        {
            node = branch;
        } else {
            return node;
        }
    }
}

/// The property names the schema allows at `path` (with those of `oneOf` branches, as for the firewall).
fn schema_keys(root: &Value, path: &[&str]) -> BTreeSet<String> {
    let mut node = resolve(root, root);
    for segment in path {
        let next = if *segment == "[]" { &node["items"] } else { &node["properties"][*segment] };
        assert!(!next.is_null(), "the schema has nothing at {path:?} ({segment})");
        node = resolve(root, next);
    }
    let mut keys = BTreeSet::new();
    let mut add = |n: &Value| {
        if let Some(props) = n.get("properties").and_then(Value::as_object) {
            keys.extend(props.keys().filter(|k| *k != "$schema").cloned());
        }
    };
    add(node);
    for combination in ["oneOf", "anyOf", "allOf"] {
        for branch in node.get(combination).and_then(Value::as_array).into_iter().flatten() {
            add(resolve(root, branch));
        }
    }
    keys
}

/// The keys the decoder lists as allowed when it meets an unknown key right after `header` in `full`.
fn decoder_keys(full: &str, header: &str) -> BTreeSet<String> {
    let text = if header.is_empty() {
        format!("{UNKNOWN} = 1\n{full}")
    } else {
        assert!(full.contains(&format!("\n{header}\n")), "{header} is not in the inventory");
        full.replacen(&format!("\n{header}\n"), &format!("\n{header}\n{UNKNOWN} = 1\n"), 1)
    };
    let diagnostics = match from_toml_str("homeflake.toml", &text) {
        Err(LoadError::Invalid(d)) => d,
        other => panic!("{header}: the unknown key was not reported: {other:?}"),
    };
    let unknown: Vec<_> = diagnostics.iter().filter(|d| d.code == Code::UnknownKey).collect();
    assert_eq!(unknown.len(), 1, "{header}: {diagnostics:#?}");
    assert!(unknown[0].path.ends_with(UNKNOWN), "{header}: {}", unknown[0]);
    let others: Vec<_> = diagnostics.iter().filter(|d| d.code != Code::UnknownKey && d.is_error()).collect();
    assert!(others.is_empty(), "{header}: the full inventory has other errors: {others:#?}");
    unknown[0].allowed.as_deref().expect("allowed").split(", ").map(str::to_owned).collect()
}

#[test]
fn the_full_inventory_is_valid_in_both_flavours() {
    for text in [FULL.to_owned(), full_k3s()] {
        if let Err(e) = from_toml_str("homeflake.toml", &text) {
            panic!("{e}\n{text}");
        }
    }
}

#[test]
fn the_decoder_and_the_schema_accept_the_same_keys_in_every_table() {
    let root = schema();
    for (header, path) in TABLES {
        assert_eq!(decoder_keys(FULL, header), schema_keys(&root, path), "table {header:?} (schema path {path:?})");
    }
    let k3s = full_k3s();
    for (header, path) in K3S_TABLES {
        assert_eq!(
            decoder_keys(&k3s, header),
            schema_keys(&root, path),
            "k3s: table {header:?} (schema path {path:?})"
        );
    }
}

#[test]
fn every_table_of_the_schema_is_checked() {
    let root = schema();
    let mut checked: BTreeSet<String> = TABLES.iter().chain(K3S_TABLES).map(|(_, path)| path.join(".")).collect();
    // Tables the schema describes that an inventory writes inline or as references, never as a `[header]`.
    checked.extend(
        [
            "users.[].hashed-password",
            "hosts.[].lan-address",
            "hosts.[].tailnet-address",
            "tls.dns-api-token",
            "monitoring.grafana-admin-password",
            "backup.access-key-id",
            "backup.secret-access-key",
            "apps.vaultwarden.admin-token",
            "apps.nextcloud.admin-password",
            "apps.nextcloud.database-password",
        ]
        .map(String::from),
    );
    let mut missing = Vec::new();
    let mut stack: Vec<(Vec<String>, &Value)> = vec![(Vec::new(), resolve(&root, &root))];
    while let Some((path, node)) = stack.pop() {
        let branch_has_properties = node
            .get("oneOf")
            .and_then(Value::as_array)
            .is_some_and(|branches| branches.iter().any(|b| resolve(&root, b).get("properties").is_some()));
        let has_properties = node.get("properties").is_some() || branch_has_properties;
        if has_properties && !checked.contains(&path.join(".")) {
            missing.push(path.join("."));
        }
        if let Some(props) = node.get("properties").and_then(Value::as_object) {
            for (key, child) in props {
                let child = resolve(&root, child);
                let mut p = path.clone();
                p.push(key.clone());
                if let Some(items) = child.get("items") {
                    let mut q = p.clone();
                    q.push("[]".into());
                    stack.push((q, resolve(&root, items)));
                }
                stack.push((p, child));
            }
        }
    }
    assert!(missing.is_empty(), "tables of the schema this test does not check: {missing:?}");
}
