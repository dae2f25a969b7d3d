//! Bad inventories: each is rejected, without panicking, with a message naming the file, the key
//! path and what is allowed.

use homeflake_model::{Code, Diagnostic, LoadError, Sources, from_json_str, from_sources, from_toml_str};

/// A small valid inventory; each case breaks it in one place.
const BASE: &str = r#"name = "lab"
domain = "home.example.com"

[network]
lan = "192.168.10.0/24"
gateway = "192.168.10.1"

[kubernetes]
easy-certs = true

[ingress]
host = "b"

[split-dns]
server-host = "a"

[ceph]
[[ceph.osds]]
host = "b"
device = "/dev/disk/by-id/ata-SSD_1"

[[hosts]]
name = "a"
hardware = "uefi-pc"
roles = ["control-plane", "worker"]
lan-interface = "enp1s0"
lan-address = "192.168.10.2"
tailnet-address = "100.64.0.2"

[[hosts]]
name = "b"
hardware = "uefi-pc"
roles = ["worker"]
lan-interface = "enp1s0"
lan-address = "192.168.10.3"
tailnet-address = "100.64.0.3"
"#;

fn with(old: &str, new: &str) -> String {
    assert!(BASE.contains(old), "the case's anchor {old:?} is not in BASE");
    BASE.replacen(old, new, 1)
}

/// BASE with `extra` appended (new tables, or hosts).
fn appended(extra: &str) -> String {
    format!("{BASE}\n{extra}")
}

/// A `[tls]` table that is valid for BASE, with one line replaced.
fn tls_with(old: &str, new: &str) -> String {
    const TLS: &str = "[tls]\nacme-email = \"admin@example.com\"\ndns-provider = \"cloudflare\"\ndns-api-token = { env = \"CF_TOKEN\" }\n";
    assert!(TLS.contains(old), "the case's anchor {old:?} is not in the [tls] table");
    appended(&TLS.replacen(old, new, 1))
}

/// BASE with `[tls]`, `[storage]` and the sections of this issue, each valid, with one line replaced.
fn apps_with(old: &str, new: &str) -> String {
    const APPS: &str = "[tls]\nacme-email = \"admin@example.com\"\ndns-provider = \"cloudflare\"\ndns-api-token = { env = \"CF_TOKEN\" }\n\n[storage]\n\n[monitoring]\ngrafana-admin-password = { env = \"GRAFANA_PASSWORD\" }\n\n[backup]\nendpoint = \"https://s3.example.com\"\nbucket = \"backups\"\naccess-key-id = { env = \"S3_ID\" }\nsecret-access-key = { env = \"S3_KEY\" }\n\n[apps.vaultwarden]\n\n[apps.nextcloud]\nadmin-password = { env = \"NC_PASSWORD\" }\ndatabase-password = { env = \"NC_DB\" }\n";
    assert!(APPS.contains(old), "the case's anchor {old:?} is not in the apps tables");
    appended(&APPS.replacen(old, new, 1))
}

fn errors_of(result: Result<homeflake_model::Loaded, LoadError>) -> Vec<Diagnostic> {
    match result {
        Ok(loaded) => panic!("accepted; warnings: {:#?}", loaded.warnings),
        Err(LoadError::Invalid(d)) => d,
        Err(other) => panic!("unexpected error kind: {other}"),
    }
}

struct Case {
    name: &'static str,
    text: String,
    code: Code,
    /// Every fragment must appear in the same rendered diagnostic.
    expect: &'static [&'static str],
}

fn case(name: &'static str, text: String, code: Code, expect: &'static [&'static str]) -> Case {
    Case { name, text, code, expect }
}

fn cases() -> Vec<Case> {
    vec![
        case(
            "unknown top-level key",
            with("name = \"lab\"", "name = \"lab\"\nnmae = \"x\""),
            Code::UnknownKey,
            &["homeflake.toml:2:1: nmae: unknown key \"nmae\"", "allowed: name, domain", "(did you mean \"name\"?)"],
        ),
        case(
            "unknown host key",
            with("tailnet-address = \"100.64.0.3\"", "tailnet_adress = \"100.64.0.3\""),
            Code::UnknownKey,
            &["hosts.b.tailnet_adress: unknown key", "(did you mean \"tailnet-address\"?)"],
        ),
        case(
            "unknown role",
            with("roles = [\"worker\"]", "roles = [\"mastr\"]"),
            Code::InvalidValue,
            &[
                "homeflake.toml:33:10: hosts.b.roles[0]: unknown role \"mastr\"; allowed: control-plane, worker (did you mean \"control-plane\"?)",
            ],
        ),
        case(
            "duplicate role",
            with("roles = [\"worker\"]", "roles = [\"worker\", \"worker\"]"),
            Code::DuplicateEntry,
            &["hosts.b.roles[1]", "listed twice", "allowed: each role once"],
        ),
        case(
            "invalid host name",
            with("name = \"b\"", "name = \"B_2\""),
            Code::InvalidValue,
            &["hosts[1].name: invalid host name \"B_2\"", "allowed: 1 to 63 characters a-z"],
        ),
        case(
            "duplicate host name",
            with("name = \"b\"", "name = \"a\""),
            Code::DuplicateHost,
            &["homeflake.toml:31:8: hosts.a.name: host name \"a\" is used twice", "allowed: a name no other host has"],
        ),
        case(
            "duplicate LAN address",
            with("lan-address = \"192.168.10.3\"", "lan-address = \"192.168.10.2\""),
            Code::DuplicateAddress,
            &["hosts.b.lan-address: address 192.168.10.2 is also a's", "allowed: a LAN address no other host has"],
        ),
        case(
            "address outside the LAN",
            with("lan-address = \"192.168.10.3\"", "lan-address = \"192.168.11.3\""),
            Code::OutsideNetwork,
            &[
                "hosts.b.lan-address: address 192.168.11.3 is not a host address in the LAN 192.168.10.0/24",
                "allowed: an address from 192.168.10.1 to 192.168.10.254",
            ],
        ),
        case(
            "address is the gateway",
            with("lan-address = \"192.168.10.3\"", "lan-address = \"192.168.10.1\""),
            Code::DuplicateAddress,
            &["hosts.b.lan-address", "is the gateway's"],
        ),
        case(
            "gateway outside the LAN",
            with("gateway = \"192.168.10.1\"", "gateway = \"10.9.9.9\""),
            Code::OutsideNetwork,
            &["homeflake.toml:6:11: network.gateway: gateway 10.9.9.9 is not a host address in the LAN"],
        ),
        case(
            "no control plane",
            with("roles = [\"control-plane\", \"worker\"]", "roles = [\"worker\"]"),
            Code::NoControlPlane,
            &["hosts: no host has the control-plane role", "allowed: exactly one host"],
        ),
        case(
            "two control planes with easyCerts",
            with("roles = [\"worker\"]", "roles = [\"control-plane\", \"worker\"]"),
            Code::SeveralControlPlanes,
            &[
                "hosts.b.roles",
                "easyCerts supports one master",
                "allowed: one control-plane host, or kubernetes.easy-certs = false",
            ],
        ),
        case(
            "no worker",
            with("roles = [\"worker\"]", "roles = []").replacen(
                "roles = [\"control-plane\", \"worker\"]",
                "roles = [\"control-plane\"]",
                1,
            ),
            Code::NoWorker,
            &["hosts: no host can run workloads", "allowed: at least one host with \"worker\""],
        ),
        case(
            "split-DNS server missing",
            with("server-host = \"a\"", "server-host = \"aa\""),
            Code::UnknownHost,
            &[
                "homeflake.toml:15:15: split-dns.server-host: split-DNS server \"aa\" is not a host",
                "allowed: a, b",
                "(did you mean \"a\"?)",
            ],
        ),
        case(
            "split DNS on the tailnet without Tailscale",
            with("[split-dns]", "[tailscale]\nenable = false\n\n[split-dns]\nnetwork = \"tailnet\""),
            Code::MissingTailnetAddress,
            &[
                "split-dns.network: split DNS is served on the tailnet, but tailscale.enable is false",
                "allowed: split-dns.network = \"lan\"",
            ],
        ),
        case(
            "unknown split-DNS network",
            with("server-host = \"a\"", "server-host = \"a\"\nnetwork = \"tailnett\""),
            Code::InvalidValue,
            &[
                "split-dns.network: unknown split-DNS network \"tailnett\"",
                "allowed: tailnet, lan",
                "(did you mean \"tailnet\"?)",
            ],
        ),
        case(
            "split-DNS answer host missing",
            with("server-host = \"a\"", "server-host = \"a\"\nanswer-host = \"c\""),
            Code::UnknownHost,
            &["split-dns.answer-host: split-DNS answer host \"c\" is not a host"],
        ),
        case(
            "ingress host missing",
            with("host = \"b\"", "host = \"bb\""),
            Code::UnknownHost,
            &["homeflake.toml:12:8: ingress.host: ingress host \"bb\" is not a host", "(did you mean \"b\"?)"],
        ),
        case(
            "nginx listen port on kubelet's port",
            with("[ingress]\nhost = \"b\"", "[ingress]\nhost = \"b\"\nlisten-ports = { http = 80, https = 10250 }"),
            Code::EqualPorts,
            &[
                "ingress.listen-ports.https: hosts.b would bind tcp port 10250 twice: kubelet (kubernetes) and nginx (https) (ingress.listen-ports.https)",
                "allowed: a port other than 10250 for kubernetes or ingress.listen-ports.https",
            ],
        ),
        case(
            "nginx listen port on the API port of a control plane",
            with("[ingress]\nhost = \"b\"", "[ingress]\nhost = \"a\"\nlisten-ports = { http = 6443, https = 443 }"),
            Code::EqualPorts,
            &[
                "hosts.a would bind tcp port 6443 twice: kube-apiserver (kubernetes.api.port) and nginx (http) (ingress.listen-ports.http)",
            ],
        ),
        case(
            "nginx listen port on SSH's port",
            with("[ingress]\nhost = \"b\"", "[ingress]\nhost = \"b\"\nlisten-ports = { http = 22, https = 443 }"),
            Code::EqualPorts,
            &["would bind tcp port 22 twice: sshd (services.openssh) and nginx (http) (ingress.listen-ports.http)"],
        ),
        case(
            "nginx listen port on a Traefik NodePort",
            with("[ingress]\nhost = \"b\"", "[ingress]\nhost = \"b\"\nlisten-ports = { http = 31080, https = 443 }"),
            Code::EqualPorts,
            &[
                "nginx (http) (ingress.listen-ports.http) would listen on 31080, the Traefik NodePort ingress.node-ports.http",
            ],
        ),
        case(
            "API port in the NodePort range",
            with("[kubernetes]", "[kubernetes.api]\nport = 31000\n\n[kubernetes]"),
            Code::EqualPorts,
            &[
                "kubernetes.api.port: the API port 31000 lies in the NodePort range 30000-32767",
                "allowed: a port outside 30000-32767 (default 6443)",
            ],
        ),
        case(
            "time zone the database does not know",
            with("name = \"lab\"", "name = \"lab\"\ntime-zone = \"Europe/Berlinn\""),
            Code::InvalidValue,
            &[
                "homeflake.toml:2:13: time-zone: invalid time zone \"Europe/Berlinn\": the IANA time zone database has no such zone",
                "allowed: a time zone of the IANA database",
                "(did you mean \"Europe/Berlin\"?)",
            ],
        ),
        case(
            "time zone spelled in the wrong case",
            with("name = \"lab\"", "name = \"lab\"\ntime-zone = \"asia/tokyo\""),
            Code::InvalidValue,
            &["time-zone: invalid time zone \"asia/tokyo\": the time zone database spells it Asia/Tokyo"],
        ),
        case(
            "state version that is no NixOS release",
            with("name = \"lab\"", "name = \"lab\"\nstate-version = \"25.12\""),
            Code::InvalidValue,
            &[
                "homeflake.toml:2:17: state-version: invalid NixOS state version \"25.12\": no NixOS release has that number",
                "allowed: a NixOS release: YY.05 or YY.11",
            ],
        ),
        case(
            "state version newer than the pinned nixpkgs",
            with("name = \"lab\"", "name = \"lab\"\nstate-version = \"26.05\""),
            Code::InvalidValue,
            &[
                "state-version: state version 26.05 is newer than the pinned nixpkgs release 25.11",
                "allowed: the release the hosts were first installed with, 25.11 or older",
            ],
        ),
        case(
            "SSH key that is not one",
            with(
                "[kubernetes]",
                "[[users]]\nname = \"admin\"\nauthorized-keys = [\"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExampleKey admin@laptop\"]\n\n[kubernetes]",
            ),
            Code::InvalidValue,
            &[
                "homeflake.toml:10:20: users[0].authorized-keys[0]: invalid SSH public key",
                "the key is not valid base64",
            ],
        ),
        case(
            "SSH key of another type than it says",
            with(
                "[kubernetes]",
                "[[users]]\nname = \"admin\"\nauthorized-keys = [\"ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIExampleKeyReplaceWithYourOwnPublicKey000000\"]\n\n[kubernetes]",
            ),
            Code::InvalidValue,
            &["users[0].authorized-keys[0]: invalid SSH public key", "the key says it is \"ssh-ed25519\", not ssh-rsa"],
        ),
        case(
            "warning name that is not one",
            with("name = \"lab\"", "name = \"lab\"\nallow-warnings = [\"easy-cert\"]"),
            Code::UnknownWarning,
            &[
                "homeflake.toml:2:19: allow-warnings[0]: \"easy-cert\" is not the name of a warning",
                "allowed: easy-certs, broad-trusted-range",
                "(did you mean \"easy-certs\"?)",
            ],
        ),
        case(
            "Tailscale auth key that is not an absolute path",
            with("[kubernetes]", "[tailscale]\nauth-key-file = \"secrets/tailscale\"\n\n[kubernetes]"),
            Code::InvalidValue,
            &["tailscale.auth-key-file: invalid absolute path \"secrets/tailscale\""],
        ),
        case(
            "NodePort out of range",
            with("host = \"b\"", "host = \"b\"\nnode-ports = { http = 8080 }"),
            Code::InvalidValue,
            &["ingress.node-ports.http: NodePort 8080 is out of range; allowed: a NodePort from 30000 to 32767"],
        ),
        case(
            "equal NodePorts",
            with("host = \"b\"", "host = \"b\"\nnode-ports = { http = 31443, https = 31443 }"),
            Code::EqualPorts,
            &[
                "ingress.node-ports.https: the HTTP and HTTPS NodePorts are both 31443",
                "allowed: two different NodePorts",
            ],
        ),
        case(
            "pod CIDR overlaps the LAN",
            with("easy-certs = true", "easy-certs = true\npod-cidr = \"192.168.0.0/16\""),
            Code::OverlappingRanges,
            &[
                "kubernetes.pod-cidr: the pod CIDR 192.168.0.0/16 overlaps the LAN 192.168.10.0/24",
                "allowed: ranges that share no address",
            ],
        ),
        case(
            "service CIDR overlaps the pod CIDR",
            with("easy-certs = true", "easy-certs = true\nservice-cidr = \"10.1.2.0/24\""),
            Code::OverlappingRanges,
            &["kubernetes.service-cidr: the service CIDR 10.1.2.0/24 overlaps the pod CIDR 10.1.0.0/16"],
        ),
        case(
            "pod CIDR overlaps the tailnet",
            with("easy-certs = true", "easy-certs = true\npod-cidr = \"100.100.0.0/16\""),
            Code::OverlappingRanges,
            &["kubernetes.pod-cidr: the pod CIDR 100.100.0.0/16 overlaps the tailnet range 100.64.0.0/10"],
        ),
        case(
            "CIDR with host bits",
            with("lan = \"192.168.10.0/24\"", "lan = \"192.168.10.5/24\""),
            Code::InvalidValue,
            &[
                "network.lan: invalid CIDR \"192.168.10.5/24\": it has host bits set",
                "(did you mean \"192.168.10.0/24\"?)",
            ],
        ),
        case(
            "Ceph OSD host missing",
            with("host = \"b\"\ndevice", "host = \"hanaakari\"\ndevice"),
            Code::UnknownHost,
            &["homeflake.toml:19:8: ceph.osds[0].host: Ceph OSD host \"hanaakari\" is not a host", "allowed: a, b"],
        ),
        case(
            "Ceph OSD device not by id",
            with("/dev/disk/by-id/ata-SSD_1", "/dev/sdb"),
            Code::InvalidValue,
            &["ceph.osds[0].device: invalid disk device \"/dev/sdb\"", "allowed: a path /dev/disk/by-id/<id>"],
        ),
        case(
            "aarch64 control plane without coredns pin",
            with("hardware = \"uefi-pc\"", "hardware = \"raspberry-pi-4\""),
            Code::MissingArm64Image,
            &[
                "kubernetes.dns.coredns-image: host \"a\" is aarch64-linux and in the cluster",
                "allowed: [kubernetes.dns.coredns-image] with image-name = \"coredns/coredns\"",
            ],
        ),
        case(
            "aarch64 worker without coredns pin",
            with("roles = [\"worker\"]\nlan-interface = \"enp1s0\"", "roles = [\"worker\"]\nlan-interface = \"end0\"")
                .replacen("name = \"b\"\nhardware = \"uefi-pc\"", "name = \"b\"\nhardware = \"raspberry-pi-4\"", 1),
            Code::MissingArm64Image,
            &["kubernetes.dns.coredns-image: host \"b\" is aarch64-linux and in the cluster, and the DNS add-on is on"],
        ),
        case(
            "system contradicts hardware",
            with("hardware = \"uefi-pc\"", "hardware = \"raspberry-pi-4\"\nsystem = \"x86_64-linux\""),
            Code::SystemMismatch,
            &["hosts.a.system: hardware raspberry-pi-4 runs aarch64-linux, not x86_64-linux"],
        ),
        case(
            "hardware typo",
            with("hardware = \"uefi-pc\"", "hardware = \"rpi4\""),
            Code::InvalidValue,
            &[
                "hosts.a.hardware: unknown hardware profile \"rpi4\"; allowed: raspberry-pi-4, uefi-pc (did you mean \"raspberry-pi-4\"?)",
            ],
        ),
        case(
            "malformed env reference",
            with("tailnet-address = \"100.64.0.3\"", "tailnet-address = { env = \"MY VAR\" }"),
            Code::SecretReference,
            &[
                "hosts.b.tailnet-address: malformed secret reference: invalid environment variable name \"MY VAR\"",
                "allowed: a literal value, { env = \"NAME\" }",
            ],
        ),
        case(
            "secret reference with a typo",
            with("tailnet-address = \"100.64.0.3\"", "tailnet-address = { evn = \"B_IP\" }"),
            Code::SecretReference,
            &["hosts.b.tailnet-address: malformed secret reference: unknown key \"evn\"", "(did you mean \"env\"?)"],
        ),
        case(
            "secret reference with two sources",
            with("tailnet-address = \"100.64.0.3\"", "tailnet-address = { env = \"B_IP\", file = \"/run/b\" }"),
            Code::SecretReference,
            &["hosts.b.tailnet-address: malformed secret reference: it has 2 keys (env, file)"],
        ),
        case(
            "file reference for an address",
            with("lan-address = \"192.168.10.3\"", "lan-address = { file = \"/run/secrets/b-ip\" }"),
            Code::SecretReference,
            &[
                "hosts.b.lan-address: { file = \"/run/secrets/b-ip\" } is read on the machine at run time",
                "allowed: a literal address or { env = \"NAME\" }",
            ],
        ),
        case(
            "relative file reference",
            with("lan-address = \"192.168.10.3\"", "lan-address = { file = \"secrets/b\" }"),
            Code::SecretReference,
            &["hosts.b.lan-address: malformed secret reference: invalid absolute path \"secrets/b\""],
        ),
        case(
            "tailnet address outside the tailnet",
            with("tailnet-address = \"100.64.0.3\"", "tailnet-address = \"192.0.2.3\""),
            Code::OutsideNetwork,
            &["hosts.b.tailnet-address: tailnet address 192.0.2.3 is outside the tailnet range 100.64.0.0/10"],
        ),
        case(
            "duplicate tailnet address",
            with("tailnet-address = \"100.64.0.3\"", "tailnet-address = \"100.64.0.2\""),
            Code::DuplicateAddress,
            &["hosts.b.tailnet-address: tailnet address 100.64.0.2 is also a's"],
        ),
        case(
            "kubelet flag without dashes",
            with("lan-address = \"192.168.10.3\"", "lan-address = \"192.168.10.3\"\nkubelet-flags = [\"root-dir=/x\"]"),
            Code::InvalidValue,
            &[
                "hosts.b.kubelet-flags[0]: invalid kubelet flag \"root-dir=/x\": it does not start with \"--\"",
                "allowed: --name or --name=value",
            ],
        ),
        case(
            "wrong type",
            with("lan-address = \"192.168.10.3\"", "lan-address = \"192.168.10.3\"\nwake-on-lan = \"yes\""),
            Code::WrongType,
            &["hosts.b.wake-on-lan: expected true or false, found a string"],
        ),
        case(
            "missing required key",
            with("lan-interface = \"enp1s0\"\nlan-address = \"192.168.10.3\"", "lan-address = \"192.168.10.3\""),
            Code::MissingKey,
            &["hosts.b.lan-interface: missing key \"lan-interface\"", "allowed: 1 to 15 characters"],
        ),
        case(
            "interface name too long",
            with("lan-interface = \"enp1s0\"", "lan-interface = \"enp1s0-far-too-long\""),
            Code::InvalidValue,
            &["hosts.a.lan-interface: invalid interface name", "more than 15"],
        ),
        case(
            "kernel module with upper case",
            with("lan-address = \"192.168.10.3\"", "lan-address = \"192.168.10.3\"\nkernel-modules = [\"Ceph\"]"),
            Code::InvalidValue,
            &["hosts.b.kernel-modules[0]: invalid kernel module name \"Ceph\""],
        ),
        case(
            "firewall mode typo",
            with("easy-certs = true", "easy-certs = true\n[firewall]\nmode = \"trusted-cidr\""),
            Code::InvalidValue,
            &[
                "firewall.mode: unknown firewall mode \"trusted-cidr\"; allowed: trusted-cidrs, least-privilege (did you mean \"trusted-cidrs\"?)",
            ],
        ),
        case(
            "trusted CIDRs with least privilege",
            with(
                "easy-certs = true",
                "easy-certs = true\n[firewall]\nmode = \"least-privilege\"\ntrusted-cidrs = [\"10.0.0.0/8\"]",
            ),
            Code::ConflictingKeys,
            &["firewall.trusted-cidrs: trusted-cidrs only applies to mode = \"trusted-cidrs\""],
        ),
        case(
            "incomplete nixpkgs pin",
            with(
                "[network]",
                "[nixpkgs]\nurl = \"github:nixos/nixpkgs/25.11\"\nrev = \"871b9fd269ff6246794583ce4ee1031e1da71895\"\n\n[network]",
            ),
            Code::IncompletePin,
            &["nixpkgs: the nixpkgs lock is incomplete: nar-hash, last-modified missing"],
        ),
        case(
            "API port zero",
            with("easy-certs = true", "easy-certs = true\napi = { port = 0 }"),
            Code::InvalidValue,
            &["kubernetes.api.port: port 0 is out of range; allowed: a port number from 1 to 65535"],
        ),
        case(
            "HTTP-01 with split DNS",
            tls_with("dns-provider", "challenge = \"http-01\"\ndns-provider"),
            Code::AcmeChallenge,
            &[
                "tls.challenge: the HTTP-01 challenge cannot succeed: split DNS answers home.example.com only on the tailnet",
                "resolves to 127.0.0.1",
                "allowed: challenge = \"dns-01\"",
            ],
        ),
        case(
            "unknown DNS provider",
            tls_with("\"cloudflare\"", "\"route53\""),
            Code::InvalidValue,
            &["tls.dns-provider: unknown DNS provider \"route53\"; allowed: cloudflare, digitalocean"],
        ),
        case(
            "DNS API token written literally",
            tls_with("{ env = \"CF_TOKEN\" }", "\"cf-secret-token-value\""),
            Code::SecretReference,
            &[
                "tls.dns-api-token: the DNS provider's API token is written into the inventory (not shown here)",
                "allowed: { env = \"NAME\" } or { file = \"/path\" }",
            ],
        ),
        case(
            "TLS without ingress",
            tls_with("dns-provider", "dns-provider").replacen("[ingress]\nhost = \"b\"\n", "", 1).replacen(
                "[split-dns]\nserver-host = \"a\"",
                "[split-dns]\nserver-host = \"a\"\nanswer-host = \"b\"",
                1,
            ),
            Code::RequiresSection,
            &[
                "tls: [tls] makes a wildcard certificate for Traefik, but there is no [ingress]",
                "allowed: [ingress] with [tls]",
            ],
        ),
        case(
            "chart version that is not a version",
            appended("[charts]\ntraefik = \"latest\"\n"),
            Code::InvalidValue,
            &[
                "charts.traefik: invalid chart version \"latest\": it is not three numbers MAJOR.MINOR.PATCH",
                "allowed: a semantic version",
            ],
        ),
        case(
            "Ceph OSD on a host outside Kubernetes",
            appended(
                "[[hosts]]\nname = \"c\"\nhardware = \"uefi-pc\"\nlan-interface = \"enp1s0\"\nlan-address = \"192.168.10.4\"\n\n[[ceph.osds]]\nhost = \"c\"\ndevice = \"/dev/disk/by-id/ata-SSD_2\"\n",
            ),
            Code::WrongRole,
            &[
                "ceph.osds[1].host: Ceph OSD host \"c\" is outside Kubernetes (it has no role)",
                "allowed: a host with \"worker\"",
            ],
        ),
        case(
            "replication larger than the OSD hosts",
            appended("[storage]\nreplication = 2\n"),
            Code::CephLayout,
            &[
                "storage.replication: replication 2 needs 2 hosts with OSD disks (each copy on its own host), but only 1 has one: b",
                "allowed: a number from 1 to 1",
            ],
        ),
        case(
            "even monitor count",
            appended("[storage]\nmon-count = 2\n"),
            Code::CephLayout,
            &["storage.mon-count: mon-count 2 is even", "allowed: an odd number from 1 to 1"],
        ),
        case(
            "more monitors than monitor hosts",
            appended("[storage]\nmon-hosts = [\"b\"]\nmon-count = 3\n"),
            Code::CephLayout,
            &[
                "storage.mon-count: mon-count 3 is more than the 1 host(s) that can run a monitor",
                "allowed: an odd number from 1 to 1",
            ],
        ),
        case(
            "monitor host that is no host",
            appended("[storage]\nmon-hosts = [\"bb\"]\n"),
            Code::UnknownHost,
            &["storage.mon-hosts[0]: Ceph monitor host \"bb\" is not a host of the inventory", "(did you mean \"b\"?)"],
        ),
        case(
            "kubelet root dir differs from Ceph's",
            with(
                "lan-address = \"192.168.10.3\"",
                "lan-address = \"192.168.10.3\"\nkubelet-flags = [\"--root-dir=/srv/kubelet\"]",
            ) + "\n[storage]\n",
            Code::CrossLayerMismatch,
            &[
                "hosts.b.kubelet-flags: kubelet on \"b\" keeps pods under /srv/kubelet, but Rook's CSI plugin mounts ceph.kubelet-root-dir = /var/lib/kubelet",
            ],
        ),
        case(
            "unknown storage key",
            appended("[storage]\nreplicaton = 1\n"),
            Code::UnknownKey,
            &["storage.replicaton: unknown key \"replicaton\"", "(did you mean \"replication\"?)"],
        ),
        case(
            "app host name outside the zone",
            apps_with("[apps.vaultwarden]\n", "[apps.vaultwarden]\nhost = \"vault.example.org\"\n"),
            Code::OutsideZone,
            &[
                "apps.vaultwarden.host: \"vault.example.org\" is not in the zone home.example.com",
                "allowed: a name ending in .home.example.com, such as vault.home.example.com",
            ],
        ),
        case(
            "app host name the wildcard certificate does not cover",
            apps_with(
                "grafana-admin-password",
                "grafana-host = \"a.grafana.home.example.com\"\ngrafana-admin-password",
            ),
            Code::OutsideZone,
            &[
                "monitoring.grafana-host: \"a.grafana.home.example.com\" is more than one label below home.example.com",
                "allowed: one label below the zone, such as grafana.home.example.com",
            ],
        ),
        case(
            "two apps on one host name",
            apps_with("[apps.vaultwarden]\n", "[apps.vaultwarden]\nhost = \"cloud.home.example.com\"\n"),
            Code::DuplicateEntry,
            &["apps.nextcloud.host: \"cloud.home.example.com\" is also apps.vaultwarden.host"],
        ),
        case(
            "backup endpoint that is not a URL",
            apps_with("\"https://s3.example.com\"", "\"s3.example.com\""),
            Code::InvalidValue,
            &[
                "backup.endpoint: invalid URL \"s3.example.com\": it does not start with http:// or https://",
                "allowed: http:// or https://",
            ],
        ),
        case(
            "backup retention that is not a duration",
            apps_with("bucket = \"backups\"", "bucket = \"backups\"\nretention = \"30d\""),
            Code::InvalidValue,
            &[
                "backup.retention: invalid duration \"30d\"",
                "allowed: one or more <number><unit> with unit h, m, s or ms",
            ],
        ),
        case(
            "backup retention of zero",
            apps_with("bucket = \"backups\"", "bucket = \"backups\"\nretention = \"0h\""),
            Code::InvalidValue,
            &["backup.retention: a retention of zero deletes every backup at once"],
        ),
        case(
            "metrics retention that is not a duration",
            apps_with("grafana-admin-password", "metrics-retention = \"fortnight\"\ngrafana-admin-password"),
            Code::InvalidValue,
            &["monitoring.metrics-retention: invalid duration \"fortnight\"", "allowed: one or more <number><unit>"],
        ),
        case(
            "monitoring with no StorageClass",
            apps_with("[storage]\n", ""),
            Code::RequiresSection,
            &[
                "monitoring: [monitoring] keeps Prometheus', Alertmanager's, Loki's and Grafana's data on volumes, but there is no [storage] and so no StorageClass",
                "allowed: [storage] with [monitoring]",
            ],
        ),
        case(
            "a volume on a StorageClass Ceph does not create",
            apps_with("[apps.vaultwarden]\n", "[apps.vaultwarden]\nstorage-class = \"ceph-blok\"\n"),
            Code::UnknownStorageClass,
            &[
                "apps.vaultwarden.storage-class: StorageClass \"ceph-blok\" is not one the Ceph cluster creates",
                "allowed: ceph-block, ceph-filesystem",
                "(did you mean \"ceph-block\"?)",
            ],
        ),
        case(
            "app without ingress",
            apps_with("[apps.nextcloud]", "[apps.nextcloud]").replacen("[ingress]\nhost = \"b\"\n", "", 1).replacen(
                "[split-dns]\nserver-host = \"a\"",
                "[split-dns]\nserver-host = \"a\"\nanswer-host = \"b\"",
                1,
            ),
            Code::RequiresSection,
            &["apps.nextcloud: [apps.nextcloud] is a web app reached through Traefik, but there is no [ingress]"],
        ),
        case(
            "a password written into the inventory",
            apps_with("{ env = \"NC_DB\" }", "\"cf-secret-token-value\""),
            Code::SecretReference,
            &["apps.nextcloud.database-password: a credential is written into the inventory (not shown here)"],
        ),
        case(
            "Velero's node agent and workers with different kubelet root dirs",
            with(
                "lan-address = \"192.168.10.2\"",
                "lan-address = \"192.168.10.2\"\nkubelet-flags = [\"--root-dir=/srv/kubelet\"]",
            )
            .replacen(
                "[ceph]\n[[ceph.osds]]\nhost = \"b\"\ndevice = \"/dev/disk/by-id/ata-SSD_1\"\n",
                "",
                1,
            ) + "\n[backup]\nendpoint = \"https://s3.example.com\"\nbucket = \"backups\"\naccess-key-id = { env = \"S3_ID\" }\nsecret-access-key = { env = \"S3_KEY\" }\n",
            Code::CrossLayerMismatch,
            &[
                "hosts.b.kubelet-flags: kubelet on \"b\" keeps pods under /var/lib/kubernetes, but on \"a\" under /srv/kubelet: Velero's node agent",
                "allowed: the same --root-dir on every worker (/srv/kubelet), or backup.file-system-backup = false",
            ],
        ),
        case("TOML syntax error", with("[network]", "[network"), Code::Syntax, &["homeflake.toml:4:", "allowed: TOML"]),
        case(
            "section is not a table",
            with("[ingress]\nhost = \"b\"", "").replacen(
                "domain = \"home.example.com\"",
                "domain = \"home.example.com\"\ningress = \"b\"",
                1,
            ),
            Code::WrongType,
            &["homeflake.toml:3:11: ingress: expected a table, found a string", "allowed: a table"],
        ),
    ]
}

#[test]
fn every_bad_inventory_is_rejected_with_a_useful_message() {
    let cases = cases();
    assert!(cases.len() >= 30, "only {} cases", cases.len());
    let mut names = std::collections::HashSet::new();
    for c in &cases {
        assert!(names.insert(c.name), "duplicate case name {}", c.name);
        let diagnostics = errors_of(from_toml_str("homeflake.toml", &c.text));
        let rendered: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
        let hit =
            diagnostics.iter().zip(&rendered).find(|(d, r)| d.code == c.code && c.expect.iter().all(|e| r.contains(e)));
        let Some((d, r)) = hit else {
            panic!(
                "case {:?}: no {:?} diagnostic containing {:?}; got:\n{}",
                c.name,
                c.code,
                c.expect,
                rendered.join("\n")
            );
        };
        assert!(d.is_error(), "case {:?}: {r}", c.name);
        assert!(r.starts_with("homeflake.toml"), "case {:?}: no file in {r}", c.name);
        assert!(d.line.is_some(), "case {:?}: no line in {r}", c.name);
        assert!(d.allowed.is_some(), "case {:?}: nothing allowed in {r}", c.name);
        assert!(!r.contains("cf-secret-token-value"), "case {:?}: a secret in {r}", c.name);
    }
}

#[test]
fn the_base_inventory_is_valid() {
    let loaded = from_toml_str("homeflake.toml", BASE).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(loaded.cluster.hosts.len(), 2);
}

#[test]
fn several_mistakes_are_all_reported() {
    let text = BASE
        .replacen("nmae", "", 1)
        .replacen("name = \"lab\"", "name = \"lab\"\ndomian = \"x\"", 1)
        .replacen("roles = [\"worker\"]", "roles = [\"wroker\"]", 1)
        .replacen("lan-address = \"192.168.10.2\"", "lan-address = \"10.0.0.2\"", 1)
        .replacen("server-host = \"a\"", "server-host = \"zz\"", 1)
        .replacen("host = \"b\"", "host = \"b\"\nnode-ports = { http = 31443, https = 31443 }", 1)
        .replacen("/dev/disk/by-id/ata-SSD_1", "/dev/sdb", 1);
    let diagnostics = errors_of(from_toml_str("homeflake.toml", &text));
    let codes: Vec<Code> = diagnostics.iter().filter(|d| d.is_error()).map(|d| d.code).collect();
    for expected in [Code::UnknownKey, Code::InvalidValue, Code::OutsideNetwork, Code::UnknownHost, Code::EqualPorts] {
        assert!(codes.contains(&expected), "{expected:?} missing from {codes:?}");
    }
    let paths: Vec<&str> = diagnostics.iter().map(|d| d.path.as_str()).collect();
    for p in [
        "domian",
        "hosts.b.roles[0]",
        "hosts.a.lan-address",
        "split-dns.server-host",
        "ingress.node-ports.https",
        "ceph.osds[0].device",
    ] {
        assert!(paths.contains(&p), "{p} missing from {paths:?}");
    }
    // The broken role leaves host b out of the model, so "no worker" must not be claimed.
    assert!(!codes.contains(&Code::NoWorker), "{codes:?}");
}

#[test]
fn json_inventories_report_syntax_and_schema_errors() {
    let d = errors_of(from_json_str("homeflake.json", "{ \"name\": \"lab\", }"));
    assert_eq!(d[0].code, Code::Syntax);
    assert!(d[0].to_string().starts_with("homeflake.json:1:"), "{}", d[0]);
    let d = errors_of(from_json_str("homeflake.json", r#"{ "name": "lab", "domain": "x.y", "netwrok": {} }"#));
    let rendered: Vec<String> = d.iter().map(ToString::to_string).collect();
    assert!(
        rendered
            .iter()
            .any(|r| r.contains("homeflake.json: netwrok: unknown key") && r.contains("did you mean \"network\"")),
        "{rendered:#?}"
    );
    assert!(rendered.iter().any(|r| r.contains("network: missing key \"network\"")), "{rendered:#?}");
    let d = errors_of(from_json_str("homeflake.json", r#"{ "name": "lab", "domain": "x.y", "hosts": "a" }"#));
    assert!(d.iter().any(|d| d.to_string() == "homeflake.json: hosts: expected an array of host tables ([[hosts]]), found a string; allowed: an array of host tables ([[hosts]])"), "{d:#?}");
}

#[test]
fn host_files_must_match_their_folder() {
    let main = BASE.split("[[hosts]]\nname = \"b\"").next().expect("split").to_owned();
    let host_b = "name = \"c\"\nhardware = \"uefi-pc\"\nroles = [\"worker\"]\nlan-interface = \"enp1s0\"\nlan-address = \"192.168.10.3\"\ntailnet-address = \"100.64.0.3\"\n";
    let sources = Sources::new("homeflake.toml", main.clone()).with_host_file("hosts/b/host.toml", host_b);
    let d = errors_of(from_sources(&sources));
    let rendered: Vec<String> = d.iter().map(ToString::to_string).collect();
    assert!(
        rendered.iter().any(
            |r| r.starts_with("hosts/b/host.toml:1:8: hosts.b.name: name \"c\" differs from the folder name \"b\"")
        ),
        "{rendered:#?}"
    );
    let ok = Sources::new("homeflake.toml", main)
        .with_host_file("hosts/b/host.toml", host_b.replacen("name = \"c\"\n", "", 1));
    let loaded = from_sources(&ok).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(loaded.cluster.hosts.iter().map(|h| h.name.as_str()).collect::<Vec<_>>(), ["a", "b"]);
}
