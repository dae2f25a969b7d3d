//! Each host's configuration evaluated by `nix-instantiate`: its host file and every module it
//! imports, applied to stand-ins for `lib`, `pkgs` and `config` (no nixpkgs download). This proves
//! what only evaluation shows: the environment variables a host reads are exactly those its
//! `sudo --preserve-env` command in `docs/bootstrap.md` keeps, and a PC whose
//! `hardware-configuration.nix` does not exist yet still evaluates, with an assertion naming the file.

mod common;

use std::collections::BTreeSet;

use common::{INVENTORIES, cluster, evaluate_host, nix_instantiate, written};
use homeflake_gen::{generate, secrets};
use homeflake_model::Hardware;

#[test]
fn each_host_reads_exactly_the_variables_its_sudo_command_keeps() {
    let Some(nix) = nix_instantiate() else { return };
    for (inventory, dir) in INVENTORIES {
        let cluster = cluster(dir);
        let files = generate(&cluster);
        let tmp = written(&files);
        let bootstrap = files.get("docs/bootstrap.md").unwrap().contents.clone();
        for host in &cluster.hosts {
            let vars = secrets::env_vars_of_host(&cluster, host);
            if let Err(e) = evaluate_host(nix, tmp.path(), &cluster, host, &vars) {
                panic!("{inventory}/{}: does not evaluate with {vars:?}:\n{e}", host.name);
            }
            for missing in &vars {
                let fewer: BTreeSet<String> = vars.iter().filter(|v| *v != missing).cloned().collect();
                let error = evaluate_host(nix, tmp.path(), &cluster, host, &fewer)
                    .expect_err(&format!("{inventory}/{} evaluates without {missing}", host.name));
                assert!(error.contains(missing.as_str()), "{inventory}/{}: {error}", host.name);
            }
            let command = if vars.is_empty() {
                format!("sudo nixos-rebuild switch --flake .#{}\n", host.name)
            } else {
                let keep: Vec<&str> = vars.iter().map(String::as_str).collect();
                format!(
                    "sudo --preserve-env={} nixos-rebuild switch --flake .#{} --impure\n",
                    keep.join(","),
                    host.name
                )
            };
            assert!(bootstrap.contains(&command), "{inventory}: docs/bootstrap.md lacks {command:?}");
        }
    }
}

/// The example inventory and its generated tree in a temporary folder.
fn example_written() -> (homeflake_model::Cluster, tempfile::TempDir) {
    let cluster = cluster("../..");
    let tmp = written(&generate(&cluster));
    (cluster, tmp)
}

#[test]
fn a_pc_evaluates_before_nixos_generate_config_and_its_build_names_the_missing_file() {
    let Some(nix) = nix_instantiate() else { return };
    let (cluster, tmp) = example_written();
    let host = cluster.hosts.iter().find(|h| h.hardware == Hardware::UefiPc).expect("the example has PCs");
    let vars = secrets::env_vars_of_host(&cluster, host);

    let without = evaluate_host(nix, tmp.path(), &cluster, host, &vars).unwrap_or_else(|e| panic!("{e}"));
    let imports: Vec<&str> = without["imports"].as_array().unwrap().iter().filter_map(|v| v.as_str()).collect();
    assert!(!imports.iter().any(|p| p.ends_with("hardware-configuration.nix")), "{imports:?}");
    let assertion = &without["assertions"][0];
    assert_eq!(assertion["assertion"], false);
    let message = assertion["message"].as_str().unwrap();
    let name = host.name.as_str();
    assert!(message.contains(&format!("hosts/{name}/hardware-configuration.nix is missing")), "{message}");
    // With a system disk, disko gives the file systems, so the description must leave them out.
    let flags =
        if host.system_disk.is_some() { "--no-filesystems --show-hardware-config" } else { "--show-hardware-config" };
    assert!(message.contains(&format!("nixos-generate-config {flags} >")), "{message}");

    std::fs::write(tmp.path().join(format!("hosts/{name}/hardware-configuration.nix")), "{ }\n").unwrap();
    let with = evaluate_host(nix, tmp.path(), &cluster, host, &vars).unwrap_or_else(|e| panic!("{e}"));
    let imports: Vec<&str> = with["imports"].as_array().unwrap().iter().filter_map(|v| v.as_str()).collect();
    assert!(imports.iter().any(|p| p.ends_with(&format!("{name}/hardware-configuration.nix"))), "{imports:?}");
    assert_eq!(with["assertions"][0]["assertion"], true);
}

#[test]
fn a_pc_with_a_system_disk_imports_disko_and_names_its_disk() {
    let Some(nix) = nix_instantiate() else { return };
    let (cluster, tmp) = example_written();
    for host in &cluster.hosts {
        let vars = secrets::env_vars_of_host(&cluster, host);
        let value = evaluate_host(nix, tmp.path(), &cluster, host, &vars).unwrap_or_else(|e| panic!("{e}"));
        let name = host.name.as_str();
        match &host.system_disk {
            Some(disk) => {
                assert_eq!(value["diskoDevice"], serde_json::json!([disk.as_str()]), "{name}");
                assert_eq!(value["diskoPartitions"], serde_json::json!(["ESP", "root"]), "{name}");
                assert_eq!(value["moduleImports"], serde_json::json!(["/stand-in/disko/module.nix"]), "{name}");
            }
            None => {
                assert_eq!(value["diskoDevice"], serde_json::json!([]), "{name}");
                assert_eq!(value["moduleImports"], serde_json::json!([]), "{name}");
            }
        }
    }
    assert!(cluster.hosts.iter().any(|h| h.system_disk.is_some()), "the example has a host with a system disk");
    assert!(cluster.hosts.iter().any(|h| h.system_disk.is_none()), "and one without");
}
