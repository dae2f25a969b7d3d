//! What the generator's test files share: the test inventories, loading them, writing a generated
//! tree to a folder, and finding `nix-instantiate`.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use homeflake_files::FileSet;
use homeflake_gen::generate;
use std::collections::BTreeSet;

use homeflake_model::{Cluster, Host, load};

/// The inventories whose output is snapshotted, by snapshot prefix.
pub const INVENTORIES: [(&str, &str); 4] = [
    ("reference", "../.."),
    ("single-node", "tests/inventories/single-node"),
    ("fleet", "tests/inventories/fleet"),
    ("ha-k3s", "tests/inventories/ha-k3s"),
];

pub fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn cluster(dir: &str) -> Cluster {
    let root = manifest_dir().join(dir);
    match load(&root) {
        Ok(loaded) => loaded.cluster,
        Err(error) => panic!("{} does not load:\n{error}", root.display()),
    }
}

pub fn generated() -> Vec<(&'static str, FileSet)> {
    INVENTORIES.iter().map(|(name, dir)| (*name, generate(&cluster(dir)))).collect()
}

/// `nix-instantiate`, or `None` with a loud warning when it is missing and `HOMEFLAKE_REQUIRE_NIX`
/// is not `1` (CI sets it, so a missing program fails there).
pub fn nix_instantiate() -> Option<&'static str> {
    let found = Command::new("nix-instantiate").arg("--version").output().is_ok_and(|o| o.status.success());
    if found {
        return Some("nix-instantiate");
    }
    assert!(
        std::env::var("HOMEFLAKE_REQUIRE_NIX").as_deref() != Ok("1"),
        "nix-instantiate is not installed and HOMEFLAKE_REQUIRE_NIX=1 (apt-get install nix-bin)"
    );
    eprintln!("WARNING: nix-instantiate not found: the Nix parse and evaluation checks DID NOT RUN");
    None
}

/// `files` written into a new temporary folder, removed when the result is dropped.
pub fn written(files: &FileSet) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, file) in files.iter() {
        let target = dir.path().join(path.as_str());
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, file.contents.as_bytes()).unwrap();
    }
    dir
}

/// The value every secret has in [`evaluate_host`]: an address, as most secrets are.
pub const SECRET_VALUE: &str = "10.99.0.1";

/// Evaluates `host` in a generated tree at `dir`, its host file and every generated module it imports,
/// with stand-ins for `lib`, `pkgs` and `config` and only `secret_names` defined in `secrets` (each
/// with the value [`SECRET_VALUE`]). Returns, as JSON, its imports (as strings), assertions, and the
/// firewall, nginx, `/etc/hosts` and k3s options merged over all of them as the module system would
/// (lists concatenated, `lines` joined; single values as the list of their definitions), or the
/// evaluation error.
pub fn evaluate_host(
    nix: &str,
    dir: &Path,
    cluster: &Cluster,
    host: &Host,
    secret_names: &BTreeSet<String>,
) -> Result<serde_json::Value, String> {
    let users: Vec<&str> = cluster.users.iter().map(|u| u.name.as_str()).collect();
    let input = serde_json::json!({ "host": host.name.as_str(), "secrets": secret_names, "users": users });
    let probe = format!(
        r#"
      let
        input = builtins.fromJSON {input};
        lib = {{
          optional = cond: x: if cond then [ x ] else [ ];
          mkForce = x: x;
          concatStringsSep = builtins.concatStringsSep;
          escapeShellArg = s: "'" + s + "'";
          attrByPath = path: default: set:
            if path == [ ] then set
            else if set ? ${{builtins.head path}} then lib.attrByPath (builtins.tail path) default set.${{builtins.head path}}
            else default;
        }};
        pkgs = {{
          flannel = "/pkgs/flannel"; ethtool = "/pkgs/ethtool"; kubectl = "/pkgs/kubectl";
          kompose = "/pkgs/kompose"; kubernetes = "/pkgs/kubernetes";
          k9s = "/pkgs/k9s"; kubernetes-helm = "/pkgs/kubernetes-helm"; helmfile = "/pkgs/helmfile";
          linuxKernel.packages.linux_rpi4 = "/pkgs/linux_rpi4";
        }};
        secrets = builtins.listToAttrs (map (name: {{ inherit name; value = "{SECRET_VALUE}"; }}) input.secrets);
        config = {{
          services.kubernetes.pki = {{
            certs.clusterAdmin.cert = "/var/lib/kubernetes/secrets/cluster-admin.pem";
            etcClusterAdminKubeconfig = "kubernetes/cluster-admin.kubeconfig";
          }};
          users.users = builtins.listToAttrs (map (name: {{ inherit name; value = {{ home = "/home/${{name}}"; group = "users"; }}; }}) input.users);
        }};
        disko = {{ nixosModules.disko = "/stand-in/disko/module.nix"; }};
        load = path: let m = import path; in if builtins.isFunction m then m {{ inherit lib pkgs secrets config disko; }} else m;
        host = load (./hosts + "/${{input.host}}");
        modules = map load (builtins.filter (p: !(builtins.elem (baseNameOf p) [ "hardware-configuration.nix" "extra.nix" ])) host.imports);
        everything = [ (builtins.removeAttrs host [ "imports" ]) ] ++ modules;
        merged = path: default: map (m: lib.attrByPath path default m) everything;
      in
      builtins.deepSeq everything {{
        imports = map toString host.imports;
        assertions = host.assertions or [ ];
        extraCommands = builtins.concatStringsSep "\n" (builtins.filter (c: c != "") (merged [ "networking" "firewall" "extraCommands" ] ""));
        allowedTCPPorts = builtins.concatLists (merged [ "networking" "firewall" "allowedTCPPorts" ] [ ]);
        allowedUDPPorts = builtins.concatLists (merged [ "networking" "firewall" "allowedUDPPorts" ] [ ]);
        trustedInterfaces = builtins.concatLists (merged [ "networking" "firewall" "trustedInterfaces" ] [ ]);
        streamConfig = builtins.concatStringsSep "\n" (merged [ "services" "nginx" "streamConfig" ] "");
        extraHosts = builtins.concatStringsSep "\n" (builtins.filter (h: h != "") (merged [ "networking" "extraHosts" ] ""));
        diskoDevice = builtins.filter (d: d != null) (merged [ "disko" "devices" "disk" "main" "device" ] null);
        diskoPartitions = builtins.concatMap builtins.attrNames (merged [ "disko" "devices" "disk" "main" "content" "partitions" ] {{ }});
        moduleImports = builtins.concatMap (m: map toString (m.imports or [ ])) modules;
        k3s = {{
          enable = builtins.any (x: x) (merged [ "services" "k3s" "enable" ] false);
          role = builtins.filter (r: r != null) (merged [ "services" "k3s" "role" ] null);
          serverAddr = builtins.filter (a: a != null) (merged [ "services" "k3s" "serverAddr" ] null);
          clusterInit = builtins.any (x: x) (merged [ "services" "k3s" "clusterInit" ] false);
          tokenFile = builtins.filter (f: f != null) (merged [ "services" "k3s" "tokenFile" ] null);
          extraFlags = builtins.concatLists (merged [ "services" "k3s" "extraFlags" ] [ ]);
        }};
      }}"#,
        input = serde_json::to_string(&input.to_string()).unwrap()
    );
    let output =
        Command::new(nix).args(["--eval", "--strict", "--json", "--expr", &probe]).current_dir(dir).output().unwrap();
    if output.status.success() {
        Ok(serde_json::from_slice(&output.stdout).unwrap())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

pub mod netns;

/// The example inventory switched to the k3s flavour: `flavour = "k3s"` and a token file, the
/// nixpkgs-only keys left out. Everything else — hosts, ranges, ingress, Ceph, split DNS, the
/// cluster layer — is the same inventory.
pub fn reference_as_k3s_text() -> String {
    let mut text = std::fs::read_to_string(manifest_dir().join("../../homeflake.toml")).unwrap();
    let keep_out = |text: &mut String, start: &str, end: &str| {
        let from = text.find(start).unwrap_or_else(|| panic!("{start:?} is not in the example"));
        let to = from + text[from..].find(end).unwrap_or_else(|| panic!("{end:?} does not follow {start:?}"));
        text.replace_range(from..to, "");
    };
    keep_out(&mut text, "easy-certs = true", "pod-cidr");
    keep_out(&mut text, "flannel-ip-masq = true", "admin-packages");
    keep_out(&mut text, "# The Raspberry Pi control plane needs", "# kubelet extraOpts");
    text.replacen("[kubernetes]\n", "[kubernetes]\nflavour = \"k3s\"\n", 1).replacen(
        "[kubernetes.api]\n",
        "[kubernetes.k3s]\ntoken-file = \"/run/secrets/k3s-token\"\n\n[kubernetes.api]\n",
        1,
    )
}

/// [`reference_as_k3s_text`], loaded.
pub fn reference_as_k3s() -> Cluster {
    match homeflake_model::from_toml_str("homeflake.toml", &reference_as_k3s_text()) {
        Ok(loaded) => loaded.cluster,
        Err(error) => panic!("the example switched to k3s does not load:\n{error}\n{}", reference_as_k3s_text()),
    }
}
