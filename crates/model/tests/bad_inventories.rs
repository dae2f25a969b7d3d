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

/// BASE under the k3s flavour, with `extra` added to `[kubernetes]`.
fn k3s_with(extra: &str) -> String {
    with(
        "[kubernetes]\neasy-certs = true\n",
        &format!(
            "[kubernetes]\nflavour = \"k3s\"\n{extra}\n[kubernetes.k3s]\ntoken-file = \"/var/lib/secrets/k3s-token\"\n"
        ),
    )
}

fn with(old: &str, new: &str) -> String {
    assert!(BASE.contains(old), "the case's anchor {old:?} is not in BASE");
    BASE.replacen(old, new, 1)
}

/// BASE with `extra` appended (new tables, or hosts).
fn appended(extra: &str) -> String {
    format!("{BASE}\n{extra}")
}

/// BASE with host `b`'s table given `deploy = { <deploy> }` and an admin user in wheel and a guest outside it.
fn with_deploy(deploy: &str) -> String {
    let users = "[[users]]\nname = \"admin\"\nextra-groups = [\"wheel\"]\n\n[[users]]\nname = \"guest\"\n";
    let text =
        with("tailnet-address = \"100.64.0.3\"", &format!("tailnet-address = \"100.64.0.3\"\ndeploy = {{ {deploy} }}"));
    format!("{text}\n{users}")
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
            &[
                "homeflake.toml:2:1: error: nmae: unknown key \"nmae\"",
                "allowed: name, domain",
                "(did you mean \"name\"?)",
            ],
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
                "homeflake.toml:33:10: error: hosts.b.roles[0]: unknown role \"mastr\"; allowed: control-plane, worker (did you mean \"control-plane\"?)",
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
            &[
                "homeflake.toml:31:8: error: hosts.a.name: host name \"a\" is used twice",
                "allowed: a name no other host has",
            ],
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
            &["homeflake.toml:6:11: error: network.gateway: gateway 10.9.9.9 is not a host address in the LAN"],
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
                "allowed: one control-plane host, kubernetes.easy-certs = false",
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
                "homeflake.toml:15:15: error: split-dns.server-host: split-DNS server \"aa\" is not a host",
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
            &["homeflake.toml:12:8: error: ingress.host: ingress host \"bb\" is not a host", "(did you mean \"b\"?)"],
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
                "homeflake.toml:2:13: error: time-zone: invalid time zone \"Europe/Berlinn\": the IANA time zone database has no such zone",
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
                "homeflake.toml:2:17: error: state-version: invalid NixOS state version \"25.12\": no NixOS release has that number",
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
                "homeflake.toml:10:20: error: users[0].authorized-keys[0]: invalid SSH public key",
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
                "homeflake.toml:2:19: error: allow-warnings[0]: \"easy-cert\" is not the name of a warning",
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
            &[
                "homeflake.toml:19:8: error: ceph.osds[0].host: Ceph OSD host \"hanaakari\" is not a host",
                "allowed: a, b",
            ],
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
            "kubelet flag with a bidirectional control character",
            with(
                "lan-address = \"192.168.10.3\"",
                "lan-address = \"192.168.10.3\"\nkubelet-flags = [\"--node-ip=1.2.3.4\\u202E\"]",
            ),
            Code::InvalidValue,
            &[
                "hosts.b.kubelet-flags[0]: invalid kubelet flag",
                "character '\\u{202e}' is not allowed in a flag value",
                "printable ASCII",
            ],
        ),
        case(
            "kubelet flag with an invisible character",
            with(
                "lan-address = \"192.168.10.3\"",
                "lan-address = \"192.168.10.3\"\nkubelet-flags = [\"--max-pods=1\\u200B0\"]",
            ),
            Code::InvalidValue,
            &["hosts.b.kubelet-flags[0]: invalid kubelet flag", "character '\\u{200b}' is not allowed"],
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
            "k3s with an easyCerts setting",
            k3s_with("easy-certs = true"),
            Code::ConflictingKeys,
            &[
                "homeflake.toml:10:14: error: kubernetes.easy-certs: easy-certs applies only to flavour = \"nixpkgs\", and this cluster's is \"k3s\"",
                "allowed: leave easy-certs out under flavour = \"k3s\", or flavour = \"nixpkgs\"",
            ],
        ),
        case(
            "k3s with certmgr's renewal interval",
            k3s_with("certmgr-renew-interval = \"168h\""),
            Code::ConflictingKeys,
            &[
                "kubernetes.certmgr-renew-interval: certmgr-renew-interval applies only to flavour = \"nixpkgs\"",
                "k3s has no certmgr",
            ],
        ),
        case(
            "k3s with an arm64 coredns image",
            k3s_with(
                "[kubernetes.dns.coredns-image]\nimage-name = \"coredns/coredns\"\nimage-digest = \"sha256:a0ead06651cf580044aeb0a0feba63591858fb2e43ade8c9dea45a6a89ae7e5e\"\nfinal-image-tag = \"1.10.1\"\nsha256 = \"0c4vdbklgjrzi6qc5020dvi8x3mayq4li09rrq2w0hcjdljj0yf9\"",
            ),
            Code::ConflictingKeys,
            &[
                "kubernetes.dns.coredns-image: dns.coredns-image applies only to flavour = \"nixpkgs\"",
                "multi-architecture",
            ],
        ),
        case(
            "k3s cluster of agents only",
            k3s_with("").replacen("roles = [\"control-plane\", \"worker\"]", "roles = [\"worker\"]", 1),
            Code::NoControlPlane,
            &[
                "hosts: no host has the control-plane role: k3s agents (workers) join a k3s server, and there is none",
                "allowed: one or more hosts (an odd number)",
            ],
        ),
        case(
            "k3s token written as a literal",
            k3s_with("").replacen("[kubernetes.k3s]\n", "[kubernetes.k3s]\ntoken = \"cf-secret-token-value\"\n", 1),
            Code::SecretReference,
            &[
                "homeflake.toml:12:1: error: kubernetes.k3s.token: the k3s token is written into the inventory (not shown here)",
                "world-readable into the Nix store",
                "allowed: token-file = \"/absolute/path\"",
            ],
        ),
        case(
            "k3s without its token file",
            with("[kubernetes]\neasy-certs = true\n", "[kubernetes]\nflavour = \"k3s\"\n"),
            Code::MissingKey,
            &["kubernetes.k3s: missing key \"k3s\"", "allowed: a table with token-file"],
        ),
        case(
            "k3s token file with a systemd specifier",
            k3s_with("").replacen("/var/lib/secrets/k3s-token", "/var/lib/secrets/k3s%token", 1),
            Code::InvalidValue,
            &[
                "kubernetes.k3s.token-file: token file /var/lib/secrets/k3s%token has '%'",
                "allowed: an absolute path without '%'",
            ],
        ),
        case(
            "k3s settings under the nixpkgs flavour",
            with(
                "easy-certs = true\n",
                "easy-certs = true\n\n[kubernetes.k3s]\ntoken-file = \"/var/lib/secrets/k3s-token\"\n",
            ),
            Code::ConflictingKeys,
            &["kubernetes.k3s: [kubernetes.k3s] applies only to flavour = \"k3s\", and this cluster's is \"nixpkgs\""],
        ),
        case(
            "unknown Kubernetes flavour",
            with("easy-certs = true\n", "flavour = \"k3\"\n"),
            Code::InvalidValue,
            &["kubernetes.flavour: unknown Kubernetes flavour \"k3\"", "(did you mean \"k3s\"?)"],
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
            "service CIDR of one address",
            with("easy-certs = true", "easy-certs = true\nservice-cidr = \"0.0.0.0/32\""),
            Code::InvalidValue,
            &[
                "homeflake.toml:10:16: error: kubernetes.service-cidr: the service CIDR 0.0.0.0/32 is too small",
                "a DNS service address (homeflake takes its last usable address, and it has none)",
                "allowed: a range from /12 to /29",
            ],
        ),
        case(
            "service CIDR of two addresses",
            with("easy-certs = true", "easy-certs = true\nservice-cidr = \"10.0.0.0/31\""),
            Code::InvalidValue,
            &["kubernetes.service-cidr: the service CIDR 10.0.0.0/31 is too small"],
        ),
        case(
            "service CIDR with room for DNS only",
            with("easy-certs = true", "easy-certs = true\nservice-cidr = \"10.0.0.0/30\""),
            Code::InvalidValue,
            &["the service CIDR 10.0.0.0/30 is too small", "the DNS service address 10.0.0.2 homeflake derives"],
        ),
        case(
            "service CIDR larger than kube-apiserver takes",
            with("easy-certs = true", "easy-certs = true\nservice-cidr = \"172.0.0.0/11\""),
            Code::InvalidValue,
            &["kubernetes.service-cidr: the service CIDR 172.0.0.0/11 is too large", "(a /12)"],
        ),
        case(
            "pod CIDR smaller than a node's range",
            with("easy-certs = true", "easy-certs = true\npod-cidr = \"10.1.0.0/25\""),
            Code::InvalidValue,
            &[
                "kubernetes.pod-cidr: the pod CIDR 10.1.0.0/25 is smaller than the /24 the controller manager gives each node",
                "allowed: a range of /23 or larger (one /24 per Kubernetes host)",
            ],
        ),
        case(
            "pod CIDR with fewer node ranges than hosts",
            with("easy-certs = true", "easy-certs = true\npod-cidr = \"10.1.0.0/24\""),
            Code::InvalidValue,
            &["the pod CIDR 10.1.0.0/24 holds one node range of /24, but 2 hosts run Kubernetes"],
        ),
        case(
            "ingress host outside Kubernetes",
            with("roles = [\"worker\"]", "roles = []"),
            Code::WrongRole,
            &[
                "homeflake.toml:12:8: error: ingress.host: ingress host \"b\" has no Kubernetes role",
                "allowed: a host with \"worker\"",
            ],
        ),
        case(
            "no DNS upstream",
            with("server-host = \"a\"", "server-host = \"a\"\nupstreams = []"),
            Code::InvalidValue,
            &[
                "homeflake.toml:16:13: error: split-dns.upstreams: no upstream DNS server",
                "allowed: one or more IPv4 addresses",
            ],
        ),
        case(
            "DNS TTL with the top bit set",
            with("server-host = \"a\"", "server-host = \"a\"\nttl = 4294967295"),
            Code::InvalidValue,
            &[
                "homeflake.toml:16:7: error: split-dns.ttl: a TTL of 4294967295 seconds",
                "RFC 2181",
                "from 0 to 2147483647",
            ],
        ),
        case(
            "trusted mode trusting nothing",
            with("easy-certs = true", "easy-certs = true\n[firewall]\nmode = \"trusted-cidrs\"\ntrusted-cidrs = []"),
            Code::InvalidValue,
            &["firewall.trusted-cidrs: mode \"trusted-cidrs\" with no range trusts nothing", "or firewall.mode"],
        ),
        case(
            "OSD device id `..`",
            with("/dev/disk/by-id/ata-SSD_1", "/dev/disk/by-id/.."),
            Code::InvalidValue,
            &["homeflake.toml:20:10: error: ceph.osds[0].device: invalid disk device", "the id is a path component"],
        ),
        case(
            "OSD device id that breaks out of Markdown and Mermaid",
            with("/dev/disk/by-id/ata-SSD_1", "/dev/disk/by-id/ata-SSD`\\\"];x"),
            Code::InvalidValue,
            &[
                "ceph.osds[0].device: invalid disk device",
                "which udev never puts in a by-id name",
                "as udev names them",
            ],
        ),
        case(
            "containerd may open no file",
            with("[ceph]", "[ceph]\ncontainerd-limit-nofile = 0"),
            Code::InvalidValue,
            &["homeflake.toml:18:27: error: ceph.containerd-limit-nofile: containerd may open 0 files", "1048576"],
        ),
        case(
            "nixpkgs URL with a fragment",
            with("[network]", "[nixpkgs]\nurl = \"github:nixos/nixpkgs/25.11#hello\"\n\n[network]"),
            Code::InvalidValue,
            &["homeflake.toml:5:7: error: nixpkgs.url: invalid flake URL", "#fragment"],
        ),
        case(
            "nixpkgs URL naming another commit than rev",
            with(
                "[network]",
                "[nixpkgs]\nurl = \"github:nixos/nixpkgs/0000000000000000000000000000000000000000\"\n\
                 rev = \"871b9fd269ff6246794583ce4ee1031e1da71895\"\n\
                 nar-hash = \"sha256-M101xMtWdF1eSD0xhiR8nG8CXRlHmv6V+VoY65Smwf4=\"\nlast-modified = 1764521362\n\n[network]",
            ),
            Code::ConflictingKeys,
            &[
                "homeflake.toml:6:7: error: nixpkgs.rev: rev 871b9fd269ff6246794583ce4ee1031e1da71895 is not the commit the URL names (0000000000000000000000000000000000000000)",
            ],
        ),
        case(
            "system disk on a Raspberry Pi",
            with(
                "name = \"b\"\nhardware = \"uefi-pc\"",
                "name = \"b\"\nhardware = \"raspberry-pi-4\"\nsystem-disk = \"/dev/disk/by-id/mmc-SD_1\"",
            ),
            Code::ConflictingKeys,
            &[
                "homeflake.toml:33:15: error: hosts.b.system-disk: hardware raspberry-pi-4 starts from its SD card",
                "allowed: system-disk on a host with hardware = \"uefi-pc\" only",
            ],
        ),
        case(
            "system disk that is also a Ceph OSD disk of the host",
            with(
                "tailnet-address = \"100.64.0.3\"",
                "tailnet-address = \"100.64.0.3\"\nsystem-disk = \"/dev/disk/by-id/ata-SSD_1\"",
            ),
            Code::ConflictingKeys,
            &[
                "hosts.b.system-disk: /dev/disk/by-id/ata-SSD_1 is also a Ceph OSD disk of b: the install would erase it",
                "allowed: the disk NixOS is installed on, which no ceph.osds entry of this host names",
            ],
        ),
        case(
            "system disk that is not a by-id path",
            with(
                "tailnet-address = \"100.64.0.3\"",
                "tailnet-address = \"100.64.0.3\"\nsystem-disk = \"/dev/nvme0n1\"",
            ),
            Code::InvalidValue,
            &["hosts.b.system-disk: invalid disk device \"/dev/nvme0n1\"", "allowed: a path /dev/disk/by-id/<id>"],
        ),
        case(
            "deploy address with a user in it",
            with_deploy("address = \"admin@b.lan\""),
            Code::InvalidValue,
            &[
                "homeflake.toml:37:22: error: hosts.b.deploy.address: invalid SSH address \"admin@b.lan\": it names a user",
                "allowed: an IPv4 address such as 192.168.10.10, or a host name",
            ],
        ),
        case(
            "deploy address that is neither an address nor a host name",
            with_deploy("address = \"192.168.10.300\""),
            Code::InvalidValue,
            &["hosts.b.deploy.address: invalid SSH address \"192.168.10.300\": it is neither an IPv4 address"],
        ),
        case(
            "deploy address with a port",
            with_deploy("address = \"b.lan:2222\""),
            Code::InvalidValue,
            &["hosts.b.deploy.address", "character ':' at position 6 is not allowed"],
        ),
        case(
            "deploy user who does not exist",
            with_deploy("user = \"admn\""),
            Code::UnknownUser,
            &[
                "homeflake.toml:37:19: error: hosts.b.deploy.user: user \"admn\" is not a user of the inventory",
                "allowed: a user of [[users]] in wheel, or root: admin, guest, root (did you mean \"admin\"?)",
            ],
        ),
        case(
            "deploy user outside wheel",
            with_deploy("user = \"guest\""),
            Code::InvalidValue,
            &[
                "hosts.b.deploy.user: user \"guest\" is not in wheel",
                "allowed: a user with extra-groups = [\"wheel\"], or root",
            ],
        ),
        case(
            "a local build of a system the deploying machine cannot build",
            with_deploy("build-on-target = false").replacen(
                "[kubernetes]",
                "[deploy]\nlocal-systems = []\n\n[kubernetes]",
                1,
            ),
            Code::ConflictingKeys,
            &[
                "hosts.b.deploy.build-on-target: build-on-target = false, but the deploying machine cannot build x86_64-linux (deploy.local-systems = [])",
                "allowed: build-on-target = true, or add \"x86_64-linux\" to deploy.local-systems",
            ],
        ),
        case(
            "unknown deploy key",
            with_deploy("adress = \"b.lan\""),
            Code::UnknownKey,
            &[
                "hosts.b.deploy.adress: unknown key",
                "allowed: address, user, build-on-target",
                "(did you mean \"address\"?)",
            ],
        ),
        case(
            "deploy-rs reference naming no commit",
            with("[kubernetes]", "[deploy]\ndeploy-rs = \"github:serokell/deploy-rs\"\n\n[kubernetes]"),
            Code::InvalidValue,
            &[
                "homeflake.toml:9:13: error: deploy.deploy-rs: github:serokell/deploy-rs names no commit",
                "allowed: a flake reference naming a commit",
            ],
        ),
        case(
            "unknown local system",
            with("[kubernetes]", "[deploy]\nlocal-systems = [\"arm64-linux\"]\n\n[kubernetes]"),
            Code::InvalidValue,
            &["deploy.local-systems[0]: unknown system \"arm64-linux\"", "allowed: x86_64-linux, aarch64-linux"],
        ),
        case(
            "section is not a table",
            with("[ingress]\nhost = \"b\"", "").replacen(
                "domain = \"home.example.com\"",
                "domain = \"home.example.com\"\ningress = \"b\"",
                1,
            ),
            Code::WrongType,
            &["homeflake.toml:3:11: error: ingress: expected a table, found a string", "allowed: a table"],
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

/// Inventories that are accepted, but with a warning naming the file, line and key.
fn warning_cases() -> Vec<Case> {
    let outside = BASE.replacen(
        "tailnet-address = \"100.64.0.3\"\n",
        "tailnet-address = \"100.64.0.3\"\n\n[[hosts]]\nname = \"c\"\nhardware = \"uefi-pc\"\nlan-interface = \"enp1s0\"\n\
         lan-address = \"192.168.10.4\"\nkubelet-flags = [\"--max-pods=50\"]\nlabels = { tier = \"x\" }\n",
        1,
    );
    vec![
        case(
            "kubelet flags on a host outside Kubernetes",
            outside.clone(),
            Code::UnusedSetting,
            &[
                "homeflake.toml:43:17: warning: hosts.c.kubelet-flags: host \"c\" has no Kubernetes role, so its kubelet-flags are not used",
            ],
        ),
        case(
            "labels on a host outside Kubernetes",
            outside,
            Code::UnusedSetting,
            &[
                "homeflake.toml:44:10: warning: hosts.c.labels: host \"c\" has no Kubernetes role, so its labels are not used",
            ],
        ),
    ]
}

#[test]
fn questionable_inventories_are_accepted_with_a_useful_warning() {
    for c in warning_cases() {
        let loaded = from_toml_str("homeflake.toml", &c.text).unwrap_or_else(|e| panic!("case {:?}: {e}", c.name));
        let rendered: Vec<String> = loaded.warnings.iter().map(ToString::to_string).collect();
        let hit = loaded
            .warnings
            .iter()
            .zip(&rendered)
            .find(|(d, r)| d.code == c.code && !d.is_error() && c.expect.iter().all(|e| r.contains(e)));
        let Some((d, _)) = hit else {
            panic!(
                "case {:?}: no {:?} warning containing {:?}; got:\n{}",
                c.name,
                c.code,
                c.expect,
                rendered.join("\n")
            )
        };
        assert!(d.line.is_some() && d.allowed.is_some(), "case {:?}: {d}", c.name);
    }
}

#[test]
fn a_rejected_password_hash_is_never_shown_only_its_position() {
    for (hash, reason) in [
        ("$6$salt:x$c2VjcmV0aGFzaA", "it contains ':', which separates the fields of /etc/shadow"),
        ("hunter2-plain-text", "it is not in the Modular Crypt Format"),
        ("$1$saltsalt$c2VjcmV0aGFzaA", "it is not in the Modular Crypt Format"),
    ] {
        let text = with("[network]", &format!("[[users]]\nname = \"admin\"\nhashed-password = {hash:?}\n\n[network]"));
        let d = errors_of(from_toml_str("homeflake.toml", &text));
        let rendered: Vec<String> = d.iter().map(ToString::to_string).collect();
        let hit =
            rendered.iter().find(|r| r.contains("users[0].hashed-password")).unwrap_or_else(|| panic!("{rendered:#?}"));
        assert!(hit.starts_with("homeflake.toml:6:19: error: "), "{hit}");
        assert!(hit.contains("invalid password hash (its value is not shown)") && hit.contains(reason), "{hit}");
        assert!(hit.contains("allowed: a crypt(3) hash $<scheme>$"), "{hit}");
        for r in &rendered {
            assert!(!r.contains(hash) && !r.contains("c2VjcmV0aGFzaA") && !r.contains("hunter2"), "shown: {r}");
        }
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
        rendered.iter().any(
            |r| r.contains("homeflake.json: error: netwrok: unknown key") && r.contains("did you mean \"network\"")
        ),
        "{rendered:#?}"
    );
    assert!(rendered.iter().any(|r| r.contains("network: missing key \"network\"")), "{rendered:#?}");
    let d = errors_of(from_json_str("homeflake.json", r#"{ "name": "lab", "domain": "x.y", "hosts": "a" }"#));
    assert!(d.iter().any(|d| d.to_string() == "homeflake.json: error: hosts: expected an array of host tables ([[hosts]]), found a string; allowed: an array of host tables ([[hosts]])"), "{d:#?}");
}

#[test]
fn json_inventories_refuse_a_key_twice_as_toml_does() {
    let d = errors_of(from_json_str("homeflake.json", "{\n  \"name\": \"lab\",\n  \"name\": \"other\"\n}"));
    assert_eq!(d[0].code, Code::Syntax);
    let rendered = d[0].to_string();
    assert!(rendered.starts_with("homeflake.json:3:") && rendered.contains("duplicate key \"name\""), "{rendered}");
    let nested = r#"{ "name": "lab", "network": { "lan": "10.0.0.0/24", "lan": "10.1.0.0/24" } }"#;
    let d = errors_of(from_json_str("homeflake.json", nested));
    assert!(d[0].to_string().contains("duplicate key \"lan\""), "{}", d[0]);
}

#[test]
fn host_files_must_match_their_folder() {
    let main = BASE.split("[[hosts]]\nname = \"b\"").next().expect("split").to_owned();
    let host_b = "name = \"c\"\nhardware = \"uefi-pc\"\nroles = [\"worker\"]\nlan-interface = \"enp1s0\"\nlan-address = \"192.168.10.3\"\ntailnet-address = \"100.64.0.3\"\n";
    let sources = Sources::new("homeflake.toml", main.clone()).with_host_file("hosts/b/host.toml", host_b);
    let d = errors_of(from_sources(&sources));
    let rendered: Vec<String> = d.iter().map(ToString::to_string).collect();
    assert!(
        rendered.iter().any(|r| r
            .starts_with("hosts/b/host.toml:1:8: error: hosts.b.name: name \"c\" differs from the folder name \"b\"")),
        "{rendered:#?}"
    );
    let ok = Sources::new("homeflake.toml", main)
        .with_host_file("hosts/b/host.toml", host_b.replacen("name = \"c\"\n", "", 1));
    let loaded = from_sources(&ok).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(loaded.cluster.hosts.iter().map(|h| h.name.as_str()).collect::<Vec<_>>(), ["a", "b"]);
}

#[test]
fn a_flood_of_problems_is_capped_with_a_count_of_the_rest() {
    use homeflake_model::MAX_DIAGNOSTICS;
    // Valid TOML, every key unknown: each gives one diagnostic while decoding.
    let keys = 20_000;
    let mut text = BASE.replacen("[network]", "", 1).replacen("lan = ", "[network]\nlan = ", 1);
    text = format!("{}\n[kubernetes]\n", text.replacen("[kubernetes]\neasy-certs = true\n", "", 1));
    for i in 0..keys {
        text.push_str(&format!("k{i} = 1\n"));
    }
    let d = errors_of(from_toml_str("homeflake.toml", &text));
    assert_eq!(d.len(), MAX_DIAGNOSTICS + 1, "{:#?}", &d[..3]);
    let last = d.last().unwrap();
    assert_eq!(last.code, Code::Omitted);
    assert!(last.is_error());
    let rest = keys - MAX_DIAGNOSTICS;
    assert!(last.to_string().contains(&format!("{rest} more errors and ")), "{last}");
    assert!(last.to_string().contains("not shown: homeflake lists the first 100 problems"), "{last}");

    // TOML syntax errors too: three per line of `=`.
    let d = errors_of(from_toml_str("homeflake.toml", &"=\n".repeat(50_000)));
    assert_eq!(d.len(), MAX_DIAGNOSTICS + 1);
    assert!(d[..MAX_DIAGNOSTICS].iter().all(|d| d.code == Code::Syntax));
    assert!(d[MAX_DIAGNOSTICS].to_string().contains("more errors not shown"), "{}", d[MAX_DIAGNOSTICS]);
}

#[test]
fn an_inventory_over_the_size_limit_is_refused_before_it_is_parsed() {
    use homeflake_model::MAX_INVENTORY_BYTES;
    let huge = "=\n".repeat(MAX_INVENTORY_BYTES as usize / 2 + 1);
    let d = errors_of(from_toml_str("homeflake.toml", &huge));
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(d[0].code, Code::TooLarge);
    assert!(d[0].to_string().starts_with("homeflake.toml: "), "{}", d[0]);
    assert!(d[0].to_string().contains("more than homeflake reads (4194304 bytes)"), "{}", d[0]);
    assert!(d[0].allowed.as_deref().unwrap().contains("at most 4 MiB"), "{}", d[0]);
}
