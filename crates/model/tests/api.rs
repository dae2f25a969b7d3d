//! The library API: round trips, builders, the JSON Schema, loading folders, and scale.

use std::net::Ipv4Addr;
use std::path::PathBuf;

use homeflake_model::*;

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn example() -> Cluster {
    load(&repo_root()).unwrap_or_else(|e| panic!("{e}")).cluster
}

#[test]
fn the_normalised_model_loads_back_from_json_unchanged() {
    let cluster = example();
    let json = serde_json::to_string_pretty(&cluster).expect("serializes");
    let again = from_json_str("homeflake.json", &json).unwrap_or_else(|e| panic!("{e}")).cluster;
    assert_eq!(again, cluster);
}

fn name(s: &str) -> HostName {
    HostName::new(s).expect("valid host name")
}

fn reference_in_code() -> Result<Cluster, BuildError> {
    let lan: Ipv4Net = "192.168.10.0/24".parse().expect("cidr");
    let env = |v: &str| Secret::Env(EnvVarName::new(v).expect("valid"));
    let mut network = Network::new(lan, Ipv4Addr::new(192, 168, 10, 1));
    network.nameservers = vec![Ipv4Addr::new(192, 168, 10, 1), Ipv4Addr::new(8, 8, 8, 8)];
    let mut kubernetes = Kubernetes::default();
    kubernetes.dns.coredns_image = Some(CorednsImage::arm64_reference());
    let mut ceph = Ceph::default();
    ceph.osds.push(CephOsd::new(
        name("hanaakari"),
        DiskDevice::new("/dev/disk/by-id/usb-Samsung_Portable_SSD_T7_S5SXNS0T123456-0:0").expect("valid"),
    ));
    let enp1s0 = InterfaceName::new("enp1s0").expect("valid");
    Cluster::builder(
        ClusterName::new("homelab").expect("valid"),
        DomainName::new("home.example.com").expect("valid"),
        network,
    )
    .time_zone(TimeZone::new("Asia/Tokyo").expect("valid"))
    .host(
        Host::new(
            name("yomogi"),
            Hardware::RaspberryPi4,
            InterfaceName::new("end0").expect("valid"),
            Ipv4Addr::new(192, 168, 10, 10),
        )
        .with_roles(Roles::CONTROL_PLANE_AND_WORKER)
        .with_tailnet_address(env("HOMEFLAKE_YOMOGI_TAILNET_IP")),
    )
    .host(
        Host::new(name("tokiwa"), Hardware::UefiPc, enp1s0.clone(), Ipv4Addr::new(192, 168, 10, 11))
            .with_roles(Roles::WORKER)
            .with_tailnet_address(env("HOMEFLAKE_TOKIWA_TAILNET_IP"))
            .with_wake_on_lan()
            .with_system_disk(
                DiskDevice::new("/dev/disk/by-id/nvme-KINGSTON_OM8PGP4512Q-A0_50026B7382A1C3D4").expect("valid"),
            ),
    )
    .host(
        Host::new(name("hanaakari"), Hardware::UefiPc, enp1s0, Ipv4Addr::new(192, 168, 10, 12))
            .with_roles(Roles::WORKER)
            .with_tailnet_address(env("HOMEFLAKE_HANAAKARI_TAILNET_IP"))
            .with_wake_on_lan()
            .with_system_disk(
                DiskDevice::new("/dev/disk/by-id/nvme-KINGSTON_OM8PGP4512Q-A0_50026B7382A1E5F6").expect("valid"),
            ),
    )
    .user({
        let mut admin = User::new(UserName::new("admin").expect("valid"));
        admin.extra_groups.push(GroupName::new("wheel").expect("valid"));
        admin.authorized_keys.push(
            SshPublicKey::new(
                "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExampleKeyReplaceWithYourOwnPublicKey000000 admin@laptop",
            )
            .expect("valid"),
        );
        admin.hashed_password = Some(Secret::Env(EnvVarName::new("HOMEFLAKE_ADMIN_PASSWORD_HASH").expect("valid")));
        admin
    })
    .kubernetes(kubernetes)
    .firewall(Firewall::new(FirewallMode::TrustedCidrs { cidrs: vec!["10.0.0.0/8".parse().expect("cidr"), lan] }))
    .ingress(Ingress::new(name("hanaakari")))
    .split_dns(SplitDns::new(DomainName::new("home.example.com").expect("valid"), name("yomogi"), name("hanaakari")))
    .ceph(ceph)
    .tls(Tls::new(
        EmailAddress::new("admin@example.com").expect("valid"),
        DnsProvider::Cloudflare,
        Secret::Env(EnvVarName::new("CLOUDFLARE_API_TOKEN").expect("valid")),
    ))
    .storage(Storage::default())
    .monitoring(Monitoring::new(reference("GRAFANA_ADMIN_PASSWORD")))
    .backup(Backup::new(
        HttpUrl::new("https://s3.example.com").expect("valid"),
        BucketName::new("homelab-backups").expect("valid"),
        reference("VELERO_ACCESS_KEY_ID"),
        reference("VELERO_SECRET_ACCESS_KEY"),
    ))
    .apps({
        let mut apps = Apps::default();
        let mut vaultwarden = Vaultwarden::default();
        vaultwarden.admin_token = Some(reference("VAULTWARDEN_ADMIN_TOKEN"));
        apps.vaultwarden = Some(vaultwarden);
        apps.nextcloud =
            Some(Nextcloud::new(reference("NEXTCLOUD_ADMIN_PASSWORD"), reference("NEXTCLOUD_DATABASE_PASSWORD")));
        apps
    })
    .build()
}

fn reference(name: &str) -> Secret<ApiToken> {
    Secret::Env(EnvVarName::new(name).expect("valid"))
}

#[test]
fn the_reference_cluster_built_in_code_equals_the_example_inventory() {
    let built = reference_in_code().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(built, example());
    let codes: Vec<Code> = built.warnings().iter().map(|w| w.code).collect();
    assert_eq!(codes, [Code::EasyCerts, Code::BroadTrustedRange, Code::SingleReplica, Code::ControlPlaneMetrics]);
}

#[test]
fn build_returns_every_error() {
    let network = Network::new("192.168.10.0/24".parse().expect("cidr"), Ipv4Addr::new(192, 168, 10, 1));
    let iface = InterfaceName::new("eth0").expect("valid");
    let err =
        Cluster::builder(ClusterName::new("lab").expect("valid"), DomainName::new("lab.test").expect("valid"), network)
            .host(Host::new(name("a"), Hardware::UefiPc, iface.clone(), Ipv4Addr::new(10, 0, 0, 1)))
            .host(Host::new(name("a"), Hardware::UefiPc, iface, Ipv4Addr::new(192, 168, 10, 5)))
            .ingress(Ingress::new(name("x")))
            .build()
            .expect_err("invalid");
    let codes: Vec<Code> = err.diagnostics().iter().filter(|d| d.is_error()).map(|d| d.code).collect();
    for c in [Code::DuplicateHost, Code::OutsideNetwork, Code::NoControlPlane, Code::NoWorker, Code::UnknownHost] {
        assert!(codes.contains(&c), "{c:?} missing from {codes:?}");
    }
    assert!(
        err.to_string().contains("hosts.a.lan-address: address 10.0.0.1 is not a host address in the LAN"),
        "{err}"
    );
}

#[test]
fn the_schema_describes_every_top_level_key() {
    let schema = schema();
    let props = schema["properties"].as_object().expect("properties");
    for key in [
        "name",
        "domain",
        "network",
        "hosts",
        "kubernetes",
        "firewall",
        "tailscale",
        "split-dns",
        "ingress",
        "ceph",
        "nixpkgs",
        "tls",
        "storage",
        "charts",
    ] {
        assert!(props.contains_key(key), "{key} missing");
    }
    let required: Vec<&str> =
        schema["required"].as_array().expect("required").iter().filter_map(|v| v.as_str()).collect();
    assert_eq!(required, ["name", "domain", "network"]);
    assert_eq!(schema["additionalProperties"], false);
    assert_eq!(schema["$defs"]["Host"]["additionalProperties"], false);
    assert_eq!(schema["$defs"]["Firewall"]["unevaluatedProperties"], false);
    let host_required = &schema["$defs"]["Host"]["required"];
    assert!(!host_required.as_array().expect("array").iter().any(|v| v == "system"), "{host_required}");
}

#[test]
fn a_folder_with_host_files_loads_in_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let main = std::fs::read_to_string(repo_root().join("homeflake.toml")).expect("example");
    let (head, hosts) = main.split_once("[[hosts]]\nname = \"yomogi\"").expect("example has yomogi first");
    std::fs::write(
        dir.path().join("homeflake.toml"),
        format!("{head}[[hosts]]\nname = \"yomogi\"{}", hosts.split("[[hosts]]").next().expect("yomogi")),
    )
    .expect("write");
    for (host, body) in hosts.split("[[hosts]]").skip(1).map(|b| {
        let name = b.split('"').nth(1).expect("name").to_owned();
        (name, b.to_owned())
    }) {
        std::fs::create_dir_all(dir.path().join("hosts").join(&host)).expect("mkdir");
        std::fs::write(dir.path().join("hosts").join(&host).join("host.toml"), body).expect("write");
    }
    std::fs::write(dir.path().join("hosts/tokiwa/hardware-configuration.nix"), "{ }").expect("write");
    let loaded = load(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    let names: Vec<&str> = loaded.cluster.hosts.iter().map(|h| h.name.as_str()).collect();
    assert_eq!(names, ["yomogi", "hanaakari", "tokiwa"], "inline hosts first, then host files by folder name");

    std::fs::write(dir.path().join("hosts/tokiwa/host.toml"), b"name = \"tokiwa\"\n\xff\xfe").expect("write");
    let err = load(dir.path()).expect_err("not UTF-8");
    assert!(err.to_string().contains("hosts/tokiwa/host.toml:2:1: error: the file is not valid UTF-8"), "{err}");

    std::fs::write(dir.path().join("homeflake.json"), "{}").expect("write");
    let err = load(dir.path()).expect_err("two inventories");
    assert!(err.diagnostics().iter().any(|d| d.code == Code::FileLayout), "{err}");
}

#[test]
fn a_missing_inventory_is_not_found() {
    let dir = tempfile::tempdir().expect("tempdir");
    assert!(matches!(load(dir.path()), Err(LoadError::NotFound { .. })));
}

#[test]
fn ten_thousand_hosts_validate_quickly() {
    let mut text = String::from(
        "name = \"big\"\ndomain = \"big.test\"\n[network]\nlan = \"10.128.0.0/16\"\ngateway = \"10.128.0.1\"\n[kubernetes]\neasy-certs = false\npod-cidr = \"10.192.0.0/10\"\n",
    );
    for i in 0..10_000u32 {
        let roles = if i == 0 { "[\"control-plane\"]" } else { "[\"worker\"]" };
        text.push_str(&format!(
            "[[hosts]]\nname = \"h{i}\"\nhardware = \"uefi-pc\"\nroles = {roles}\nlan-interface = \"eth0\"\nlan-address = \"10.128.{}.{}\"\n",
            (i + 2) / 250,
            (i + 2) % 250 + 2
        ));
    }
    let start = std::time::Instant::now();
    let loaded = from_toml_str("homeflake.toml", &text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(loaded.cluster.hosts.len(), 10_000);
    let validate = std::time::Instant::now();
    assert!(loaded.cluster.validate().iter().all(|d| !d.is_error()));
    assert!(validate.elapsed().as_secs() < 5, "validation took {:?}", validate.elapsed());
    assert!(start.elapsed().as_secs() < 30, "loading took {:?}", start.elapsed());
}

/// The example with one line replaced.
fn example_with(old: &str, new: &str) -> String {
    let text = std::fs::read_to_string(repo_root().join("homeflake.toml")).expect("example");
    assert!(text.contains(old), "{old:?} is not in the example");
    text.replacen(old, new, 1)
}

#[test]
fn allowed_warnings_are_acknowledged_not_reported() {
    let text = example_with("name = \"homelab\"", "allow-warnings = [\"easy-certs\"]\nname = \"homelab\"");
    let loaded = from_toml_str("homeflake.toml", &text).unwrap_or_else(|e| panic!("{e}"));
    let codes = |ds: &[Diagnostic]| ds.iter().map(|d| d.code).collect::<Vec<_>>();
    assert!(!codes(&loaded.warnings).contains(&Code::EasyCerts), "{:?}", codes(&loaded.warnings));
    assert_eq!(codes(&loaded.allowed_warnings), [Code::EasyCerts]);
    assert!(codes(&loaded.warnings).contains(&Code::BroadTrustedRange), "only the named warning is allowed");
    assert!(!loaded.cluster.warnings().iter().any(|d| d.code == Code::EasyCerts));
    assert_eq!(Code::warning_named("easy-certs"), Some(Code::EasyCerts));
    assert_eq!(Code::warning_named("no-control-plane"), None, "errors cannot be allowed");
}

#[test]
fn split_dns_waits_for_tailnet_addresses_with_a_warning() {
    let text = example_with("tailnet-address = { env = \"HOMEFLAKE_HANAAKARI_TAILNET_IP\" }", "");
    let loaded = from_toml_str("homeflake.toml", &text).unwrap_or_else(|e| panic!("{e}"));
    let pending: Vec<String> =
        loaded.warnings.iter().filter(|d| d.code == Code::SplitDnsPending).map(|d| d.to_string()).collect();
    assert_eq!(pending.len(), 1, "{pending:?}");
    assert!(
        pending[0]
            .contains("split-dns.answer-host: split DNS is left out until host \"hanaakari\" has a tailnet address"),
        "{}",
        pending[0]
    );
    assert!(pending[0].contains("hosts.hanaakari.tailnet-address"), "{}", pending[0]);
}

#[test]
fn split_dns_serves_the_lan_without_tailscale() {
    let text = example_with("[tailscale]\nenable = true ", "[tailscale]\nenable = false ").replacen(
        "network = \"tailnet\"",
        "",
        1,
    );
    let loaded = from_toml_str("homeflake.toml", &text).unwrap_or_else(|e| panic!("{e}"));
    let dns = loaded.cluster.split_dns.expect("split DNS");
    assert_eq!(dns.network, SplitDnsNetwork::Lan, "without Tailscale the zone is served on the LAN");
    assert!(!loaded.warnings.iter().any(|d| d.code == Code::SplitDnsPending));
}

#[test]
fn a_missing_state_version_keeps_the_old_default_and_says_so() {
    let text = example_with("state-version = \"25.05\"", "");
    let loaded = from_toml_str("homeflake.toml", &text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(loaded.cluster.state_version.as_str(), "25.05", "an existing inventory never changes silently");
    let warning = loaded.warnings.iter().find(|d| d.code == Code::StateVersionDefault).expect("a warning");
    assert!(warning.to_string().contains("state-version is not set, so system.stateVersion is 25.05"), "{warning}");
}

#[test]
fn state_versions_are_nixos_releases() {
    for ok in ["13.10", "20.09", "21.05", "25.05", "25.11", "26.05"] {
        assert!(StateVersion::new(ok).is_ok(), "{ok}");
    }
    for bad in ["25.12", "25.06", "20.05", "1.2", "25.5"] {
        assert!(StateVersion::new(bad).is_err(), "{bad}");
    }
    let url = |u: &str| FlakeUrl::new(u).expect("valid");
    assert_eq!(
        StateVersion::of_nixpkgs(&url("github:nixos/nixpkgs/25.11")).map(|v| v.to_string()),
        Some("25.11".into())
    );
    assert_eq!(
        StateVersion::of_nixpkgs(&url("github:NixOS/nixpkgs/nixos-24.11")).map(|v| v.to_string()),
        Some("24.11".into())
    );
    assert_eq!(StateVersion::of_nixpkgs(&url("github:NixOS/nixpkgs/nixos-unstable")), None);
}

/// The highly available k3s lab of the generator's tests.
fn ha_k3s_text() -> String {
    std::fs::read_to_string(repo_root().join("crates/gen/tests/inventories/ha-k3s/homeflake.toml")).expect("ha-k3s")
}

#[test]
fn a_k3s_cluster_loads_back_from_json_unchanged_with_only_its_flavour_s_keys() {
    let cluster = from_toml_str("homeflake.toml", &ha_k3s_text()).unwrap_or_else(|e| panic!("{e}")).cluster;
    assert_eq!(cluster.kubernetes.flavour, Flavour::K3s);
    assert_eq!(cluster.kubernetes.k3s.as_ref().map(|k| k.token_file.as_str()), Some("/run/secrets/k3s-token"));
    let json = serde_json::to_value(&cluster).expect("serializes");
    for nixpkgs_only in ["easy-certs", "flannel-ip-masq", "containerd-timeout-start-sec", "certmgr-renew-interval"] {
        assert!(json["kubernetes"].get(nixpkgs_only).is_none(), "{nixpkgs_only} in {}", json["kubernetes"]);
    }
    let again = from_json_str("homeflake.json", &json.to_string()).unwrap_or_else(|e| panic!("{e}")).cluster;
    assert_eq!(again, cluster);
    // The k3s defaults: no kubelet or kube-proxy flags of the nixpkgs flavour.
    let defaults = Kubernetes::k3s(AbsolutePath::new("/run/secrets/k3s-token").expect("valid"));
    assert!(defaults.kubelet_flags.control_plane.is_empty() && defaults.proxy_flags.control_plane.is_empty());
    assert!(!defaults.uses_easy_certs());
}

#[test]
fn an_even_number_of_k3s_servers_is_a_warning_that_can_be_acknowledged() {
    let text = ha_k3s_text().replacen("roles = [\"control-plane\"]\n", "roles = []\n", 1);
    let loaded = from_toml_str("homeflake.toml", &text).unwrap_or_else(|e| panic!("{e}"));
    let even: Vec<String> =
        loaded.warnings.iter().filter(|d| d.code == Code::EvenControlPlanes).map(ToString::to_string).collect();
    assert_eq!(even.len(), 1, "{:#?}", loaded.warnings);
    assert!(even[0].contains("2 k3s servers (hinoki, sugi)"), "{}", even[0]);
    assert!(even[0].contains("allowed: an odd number of control-plane hosts"), "{}", even[0]);
    assert!(!loaded.warnings.iter().any(|d| d.code == Code::SeveralControlPlanes));
    let allowed = from_toml_str("homeflake.toml", &format!("allow-warnings = [\"even-control-planes\"]\n{text}"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(allowed.warnings.iter().all(|d| d.code != Code::EvenControlPlanes));
    assert_eq!(allowed.allowed_warnings.iter().map(|d| d.code).collect::<Vec<_>>(), [Code::EvenControlPlanes]);
}

#[test]
fn a_k3s_cluster_built_in_code_needs_its_token_file() {
    let mut kubernetes = Kubernetes::k3s(AbsolutePath::new("/var/lib/secrets/k3s-token").expect("valid"));
    let build = |kubernetes: Kubernetes| {
        Cluster::builder(
            ClusterName::new("lab").expect("valid"),
            DomainName::new("lab.example.org").expect("valid"),
            Network::new("192.168.1.0/24".parse().expect("cidr"), Ipv4Addr::new(192, 168, 1, 1)),
        )
        .kubernetes(kubernetes)
        .host(
            Host::new(
                name("one"),
                Hardware::UefiPc,
                InterfaceName::new("eno1").expect("valid"),
                Ipv4Addr::new(192, 168, 1, 2),
            )
            .with_roles(Roles::CONTROL_PLANE_AND_WORKER),
        )
        .build()
    };
    assert!(build(kubernetes.clone()).is_ok());
    kubernetes.k3s = None;
    let Err(BuildError::Invalid(diagnostics)) = build(kubernetes) else { panic!("built without a token file") };
    assert!(diagnostics.iter().any(|d| d.code == Code::MissingKey && d.path == "kubernetes.k3s"), "{diagnostics:#?}");
}
