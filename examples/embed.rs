//! Embedding homeflake: the reference cluster described in Rust code, generated, planned and written
//! into a temporary folder. Run with `cargo run --example embed`.

use std::net::Ipv4Addr;

use homeflake::prelude::*;

/// The cluster of `homeflake.toml`, built from typed values: a bad value fails at its constructor,
/// and `build()` runs the loader's validation and returns every problem.
pub fn reference_cluster() -> Result<Cluster, Box<dyn std::error::Error>> {
    let lan: Ipv4Net = "192.168.10.0/24".parse().expect("a literal CIDR");
    let gateway = Ipv4Addr::new(192, 168, 10, 1);
    let mut network = Network::new(lan, gateway);
    network.nameservers = vec![gateway, Ipv4Addr::new(8, 8, 8, 8)];

    let mut kubernetes = Kubernetes::default();
    kubernetes.dns.coredns_image = Some(CorednsImage::arm64_reference());

    let mut ceph = Ceph::default();
    ceph.osds.push(CephOsd::new(
        HostName::new("hanaakari")?,
        DiskDevice::new("/dev/disk/by-id/usb-Samsung_Portable_SSD_T7_S5SXNS0T123456-0:0")?,
    ));

    let tailnet = |var: &str| -> Result<Secret<Ipv4Addr>, ValueError> { Ok(Secret::Env(EnvVarName::new(var)?)) };
    let enp1s0 = InterfaceName::new("enp1s0")?;
    let yomogi = Host::new(
        HostName::new("yomogi")?,
        Hardware::RaspberryPi4,
        InterfaceName::new("end0")?,
        Ipv4Addr::new(192, 168, 10, 10),
    )
    .with_roles(Roles::CONTROL_PLANE_AND_WORKER)
    .with_tailnet_address(tailnet("HOMEFLAKE_YOMOGI_TAILNET_IP")?);
    let tokiwa = Host::new(HostName::new("tokiwa")?, Hardware::UefiPc, enp1s0.clone(), Ipv4Addr::new(192, 168, 10, 11))
        .with_roles(Roles::WORKER)
        .with_tailnet_address(tailnet("HOMEFLAKE_TOKIWA_TAILNET_IP")?)
        .with_wake_on_lan()
        .with_system_disk(DiskDevice::new("/dev/disk/by-id/nvme-KINGSTON_OM8PGP4512Q-A0_50026B7382A1C3D4")?);
    let hanaakari = Host::new(HostName::new("hanaakari")?, Hardware::UefiPc, enp1s0, Ipv4Addr::new(192, 168, 10, 12))
        .with_roles(Roles::WORKER)
        .with_tailnet_address(tailnet("HOMEFLAKE_HANAAKARI_TAILNET_IP")?)
        .with_wake_on_lan()
        .with_system_disk(DiskDevice::new("/dev/disk/by-id/nvme-KINGSTON_OM8PGP4512Q-A0_50026B7382A1E5F6")?);

    let mut admin = User::new(UserName::new("admin")?);
    admin.extra_groups.push(GroupName::new("wheel")?);
    admin.authorized_keys.push(SshPublicKey::new(
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExampleKeyReplaceWithYourOwnPublicKey000000 admin@laptop",
    )?);
    admin.hashed_password = Some(Secret::Env(EnvVarName::new("HOMEFLAKE_ADMIN_PASSWORD_HASH")?));

    let trusted = vec!["10.0.0.0/8".parse().expect("a literal CIDR"), lan];
    Cluster::builder(ClusterName::new("homelab")?, DomainName::new("home.example.com")?, network)
        .time_zone(TimeZone::new("Asia/Tokyo")?)
        .host(yomogi)
        .host(tokiwa)
        .host(hanaakari)
        .user(admin)
        .kubernetes(kubernetes)
        .firewall(Firewall::new(FirewallMode::TrustedCidrs { cidrs: trusted }))
        .ingress(Ingress::new(HostName::new("hanaakari")?))
        .split_dns(SplitDns::new(
            DomainName::new("home.example.com")?,
            HostName::new("yomogi")?,
            HostName::new("hanaakari")?,
        ))
        .ceph(ceph)
        .tls(Tls::new(
            EmailAddress::new("admin@example.com")?,
            DnsProvider::Cloudflare,
            Secret::Env(EnvVarName::new("CLOUDFLARE_API_TOKEN")?),
        ))
        .storage(Storage::default())
        .monitoring(Monitoring::new(reference("GRAFANA_ADMIN_PASSWORD")))
        .backup(Backup::new(
            HttpUrl::new("https://s3.example.com")?,
            BucketName::new("homelab-backups")?,
            reference("VELERO_ACCESS_KEY_ID"),
            reference("VELERO_SECRET_ACCESS_KEY"),
        ))
        .apps({
            let mut vaultwarden = Vaultwarden::default();
            vaultwarden.admin_token = Some(reference("VAULTWARDEN_ADMIN_TOKEN"));
            let mut apps = Apps::default();
            apps.vaultwarden = Some(vaultwarden);
            apps.nextcloud =
                Some(Nextcloud::new(reference("NEXTCLOUD_ADMIN_PASSWORD"), reference("NEXTCLOUD_DATABASE_PASSWORD")));
            apps
        })
        .build()
        .map_err(Into::into)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let cluster = reference_cluster()?;
    for warning in cluster.warnings() {
        println!("{warning}");
    }
    let files = generate(&cluster);
    let out = tempfile::tempdir()?;
    let plan = plan(out.path(), &files)?;
    for path in plan.to_write() {
        println!("would write {path}");
    }
    println!("{}", plan.summary());
    let report = apply(out.path(), &files, ApplyOptions::default())?;
    println!("{} (into {})", report.summary(), out.path().display());
    Ok(())
}

/// Where a credential is kept: an environment variable read when its Kubernetes Secret is made.
fn reference(name: &str) -> Secret<ApiToken> {
    Secret::Env(EnvVarName::new(name).expect("a valid variable name"))
}
