//! `homeflake explain` end to end on the example inventory: what it prints for the kinds of line a
//! reviewer asks about (snapshots), its JSON, `plan --explain`, and its errors.

use std::path::Path;
use std::process::Command;

const EXAMPLE: &str = include_str!("../homeflake.toml");

/// A folder with an inventory and its generated flake.
struct Lab(tempfile::TempDir);

impl Lab {
    fn new(inventory: &str) -> Lab {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("homeflake.toml"), inventory).unwrap();
        let lab = Lab(dir);
        let generated = lab.run(&["gen"]);
        assert_eq!(generated.0, 0, "gen: {}", generated.2);
        lab
    }

    fn root(&self) -> &Path {
        self.0.path()
    }

    /// Exit code, standard output, standard error.
    fn run(&self, args: &[&str]) -> (i32, String, String) {
        let output =
            Command::new(env!("CARGO_BIN_EXE_homeflake")).args(args).current_dir(self.root()).output().unwrap();
        (
            output.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    }

    /// `FILE:LINE` of the first line of `file` containing `needle`.
    fn line_of(&self, file: &str, needle: &str) -> String {
        let text = std::fs::read_to_string(self.root().join(file)).unwrap();
        let line = text.lines().position(|l| l.contains(needle)).unwrap_or_else(|| panic!("{needle:?} not in {file}"));
        format!("{file}:{}", line + 1)
    }

    fn explain(&self, file: &str, needle: &str) -> String {
        let (code, stdout, stderr) = self.run(&["explain", &self.line_of(file, needle)]);
        assert_eq!(code, 0, "{stderr}");
        stdout
    }
}

#[test]
fn explain_traces_each_kind_of_line_to_the_inventory() {
    // easy-certs left out, so that its line comes from a default.
    let lab = Lab::new(&EXAMPLE.replacen("easy-certs = true ", "# easy-certs = true ", 1));
    let cases = [
        ("kubelet_flag", "hosts/tokiwa/default.nix", "\"--root-dir="),
        ("nginx_upstream", "modules/ingress-proxy.nix", "server 127.0.0.1:31443;"),
        ("coredns_answer", "modules/split-dns.nix", "IN A"),
        ("firewall_cidr", "modules/firewall.nix", "-s 10.0.0.0/8"),
        ("default_easy_certs", "modules/k8s/common.nix", "easyCerts ="),
        ("derived_dns_address", "modules/k8s/common.nix", "addons.dns.clusterIp"),
        ("gateway", "hosts/yomogi/default.nix", "defaultGateway"),
        ("docs_host_node", "docs/topology.md", "host_tokiwa["),
    ];
    for (name, file, needle) in cases {
        insta::assert_snapshot!(name, lab.explain(file, needle));
    }
    let (code, stdout, stderr) = lab.run(&["explain", "--key", "ingress.node-ports.https"]);
    assert_eq!(code, 0, "{stderr}");
    insta::assert_snapshot!("key_node_port", stdout);
    // A host's LAN address reaches its deploy commands in the bootstrap steps and its node in the diagram.
    let (code, stdout, stderr) = lab.run(&["explain", "--key", "hosts.tokiwa.lan-address"]);
    assert_eq!(code, 0, "{stderr}");
    insta::assert_snapshot!("key_lan_address", stdout);
    let (code, stdout, stderr) =
        lab.run(&["explain", "--option", "services.kubernetes.apiserverAddress", "--host", "yomogi"]);
    assert_eq!(code, 0, "{stderr}");
    insta::assert_snapshot!("option_apiserver_address", stdout);
}

#[test]
fn explain_json_has_the_documented_shape() {
    let lab = Lab::new(EXAMPLE);
    let (code, stdout, stderr) =
        lab.run(&["explain", "--json", &lab.line_of("hosts/yomogi/default.nix", "defaultGateway")]);
    assert_eq!(code, 0, "{stderr}");
    let line: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(line["file"], "hosts/yomogi/default.nix");
    assert!(line["text"].as_str().unwrap().contains("192.168.10.1"));
    assert_eq!(line["sources"][0]["key"], "network.gateway");
    assert_eq!(line["sources"][0]["written"], true);
    assert_eq!(line["sources"][0]["at"]["file"], "homeflake.toml");
    assert!(line["sources"][0]["at"]["line"].as_u64().unwrap() > 0);

    let (code, stdout, _) = lab.run(&["explain", "--json", "--key", "hosts.hanaakari.lan-address"]);
    assert_eq!(code, 0);
    let reach: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(reach["key"], "hosts.hanaakari.lan-address");
    let reaches = reach["reaches"].as_array().unwrap();
    assert!(reaches.iter().any(|r| r["file"] == "hosts/hanaakari/default.nix"), "{stdout}");

    let (code, stdout, _) =
        lab.run(&["explain", "--json", "--option", "networking.defaultGateway", "--host", "tokiwa"]);
    assert_eq!(code, 0);
    let option: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(option["definitions"][0]["file"], "hosts/tokiwa/default.nix");
    assert_eq!(option["definitions"][0]["sources"][0]["key"], "network.gateway");

    let (code, stdout, _) = lab.run(&["explain", "--json", "modules/base.nix"]);
    assert_eq!(code, 0);
    let lines: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert!(lines.as_array().unwrap().iter().any(|l| l["sources"][0]["key"] == "time-zone"), "{stdout}");
}

#[test]
fn plan_explain_names_the_key_behind_each_changed_line() {
    let lab = Lab::new(EXAMPLE);
    std::fs::write(lab.root().join("homeflake.toml"), EXAMPLE.replacen("ttl = 60 ", "ttl = 90 ", 1)).unwrap();
    let (code, stdout, stderr) = lab.run(&["plan", "--explain", "--color", "never"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("why modules/split-dns.nix changes:"), "{stdout}");
    let reason = stdout.lines().find(|l| l.contains("IN A") && l.contains("<-")).unwrap_or_else(|| panic!("{stdout}"));
    assert!(reason.contains("split-dns.ttl"), "{reason}");
}

#[test]
fn explain_refuses_what_it_cannot_answer() {
    let lab = Lab::new(EXAMPLE);
    for (args, message) in [
        (&["explain", "homeflake.toml"][..], "homeflake.toml is not a file homeflake generates"),
        (&["explain", "hosts/yomogi/default.nix:9999"][..], "line 9999 is out of range"),
        (&["explain", "--key", "ingress.node-port.https"][..], "did you mean \"ingress.node-ports.https\""),
        (
            &["explain", "--option", "services.nope", "--host", "yomogi"][..],
            "no file yomogi imports sets services.nope",
        ),
        (&["explain", "--option", "networking.hostName", "--host", "nohost"][..], "\"nohost\" is not a host"),
    ] {
        let (code, _, stderr) = lab.run(args);
        assert_eq!(code, 1, "{args:?}: {stderr}");
        assert!(stderr.contains("error:") && stderr.contains(message), "{args:?}: {stderr}");
    }
    for args in [&["explain"][..], &["explain", "--option", "networking.hostName"][..]] {
        let (code, _, stderr) = lab.run(args);
        assert_eq!(code, 2, "{args:?} is a usage error: {stderr}");
    }
}
