//! `homeflake deploy` end to end, with a stand-in `nixos-rebuild` first on PATH: a shell script that
//! records its arguments, working folder and environment, and fails for one host when asked to.
//!
//! The lab is the example inventory with yomogi's LAN address read from the environment, so the
//! tests see an address and the secrets travel from this process to the evaluating one, and never
//! into anything homeflake prints.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tempfile::TempDir;

const EXAMPLE: &str = include_str!("../homeflake.toml");

/// Every environment variable the lab reads, with a value no test output may contain.
const SECRETS: [(&str, &str); 5] = [
    ("LAB_YOMOGI_LAN_IP", "192.168.10.77"),
    ("HOMEFLAKE_ADMIN_PASSWORD_HASH", "$y$j9T$F5Jx5fExrKuPp53xLKQ..1$X3DX6M94c7o.9agCG9G317fhZg9SqC.5i5rd.RhAtQ7"),
    ("HOMEFLAKE_YOMOGI_TAILNET_IP", "100.64.7.10"),
    ("HOMEFLAKE_TOKIWA_TAILNET_IP", "100.64.7.11"),
    ("HOMEFLAKE_HANAAKARI_TAILNET_IP", "100.64.7.12"),
];

/// Records one call per run: `call`, then `arg <word>` lines, `cwd <dir>`, `env NAME=value` for the
/// lab's variables, and `end`. Exits 3 when its arguments include `$STANDIN_FAIL_FOR`.
const STAND_IN: &str = r#"#!/bin/sh
{
  echo call
  for word in "$@"; do echo "arg $word"; done
  echo "cwd $PWD"
  env | grep -E '^(HOMEFLAKE_|LAB_)' | sort | sed 's/^/env /'
  echo end
} >> "$STANDIN_LOG"
if [ -n "$STANDIN_FAIL_FOR" ]; then
  for word in "$@"; do
    if [ "$word" = "$STANDIN_FAIL_FOR" ]; then
      echo "stand-in: failing for $word" >&2
      exit 3
    fi
  done
fi
exit 0
"#;

/// One recorded call of the stand-in.
#[derive(Debug)]
struct Call {
    args: Vec<String>,
    cwd: PathBuf,
    env: BTreeMap<String, String>,
}

struct Lab {
    dir: TempDir,
    bin: TempDir,
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Lab {
    /// The example with yomogi's LAN address in the environment, generated.
    fn new() -> Lab {
        let inventory =
            EXAMPLE.replacen("lan-address = \"192.168.10.10\"", "lan-address = { env = \"LAB_YOMOGI_LAN_IP\" }", 1);
        assert_ne!(inventory, EXAMPLE, "the example sets yomogi's LAN address");
        Lab::with_inventory(&inventory)
    }

    fn with_inventory(inventory: &str) -> Lab {
        let lab = Lab { dir: tempfile::tempdir().unwrap(), bin: tempfile::tempdir().unwrap() };
        fs::write(lab.dir.path().join("homeflake.toml"), inventory).unwrap();
        let stand_in = lab.bin.path().join("nixos-rebuild");
        fs::write(&stand_in, STAND_IN).unwrap();
        fs::set_permissions(&stand_in, fs::Permissions::from_mode(0o755)).unwrap();
        let generated = lab.run(&["gen"], &[]);
        assert_eq!(generated.code, Some(0), "gen: {}", generated.stderr);
        lab
    }

    fn log(&self) -> PathBuf {
        self.bin.path().join("calls.log")
    }

    /// Runs `homeflake` with the stand-in first on PATH and only `env` of the lab's variables set.
    fn run(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let path = format!("{}:{}", self.bin.path().display(), std::env::var("PATH").unwrap_or_default());
        let mut command = Command::new(env!("CARGO_BIN_EXE_homeflake"));
        command.args(args).current_dir(self.dir.path()).env("PATH", path).env("STANDIN_LOG", self.log());
        for (name, _) in SECRETS {
            command.env_remove(name);
        }
        command.env_remove("STANDIN_FAIL_FOR").envs(env.iter().copied());
        let Output { status, stdout, stderr } = command.output().unwrap();
        let run = Run {
            code: status.code(),
            stdout: String::from_utf8(stdout).unwrap(),
            stderr: String::from_utf8(stderr).unwrap(),
        };
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
        for (name, value) in SECRETS {
            for (what, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
                assert!(!text.contains(value), "the value of {name} appears in {what}:\n{text}");
            }
        }
        run
    }

    fn calls(&self) -> Vec<Call> {
        let Ok(text) = fs::read_to_string(self.log()) else { return Vec::new() };
        let mut calls = Vec::new();
        let mut current: Option<Call> = None;
        for line in text.lines() {
            match line.split_once(' ').unwrap_or((line, "")) {
                ("call", _) => current = Some(Call { args: Vec::new(), cwd: PathBuf::new(), env: BTreeMap::new() }),
                ("arg", word) => current.as_mut().unwrap().args.push(word.to_owned()),
                ("cwd", dir) => current.as_mut().unwrap().cwd = PathBuf::from(dir),
                ("env", pair) => {
                    let (k, v) = pair.split_once('=').unwrap();
                    current.as_mut().unwrap().env.insert(k.to_owned(), v.to_owned());
                }
                ("end", _) => calls.push(current.take().unwrap()),
                other => panic!("unexpected line {other:?}"),
            }
        }
        calls
    }
}

/// The files of `dir` and their contents, to see that a run wrote nothing.
fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.insert(path.clone(), fs::read(&path).unwrap());
            }
        }
    }
    out
}

fn flake_hosts(calls: &[Call]) -> Vec<&str> {
    calls.iter().map(|c| c.args[2].as_str()).collect()
}

#[test]
fn every_host_is_switched_in_the_safe_order_with_its_own_arguments() {
    let lab = Lab::new();
    // Named in the reverse of the safe order: the control plane still goes first.
    let run = lab.run(&["deploy", "hanaakari", "tokiwa", "yomogi"], &SECRETS);
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
    let calls = lab.calls();
    assert_eq!(flake_hosts(&calls), [".#yomogi", ".#tokiwa", ".#hanaakari"]);
    fn words(c: &Call) -> Vec<&str> {
        c.args.iter().map(String::as_str).collect()
    }
    assert_eq!(
        words(&calls[0]),
        [
            "switch",
            "--flake",
            ".#yomogi",
            "--target-host",
            "admin@192.168.10.77",
            "--build-host",
            "admin@192.168.10.77",
            "--sudo",
            "--ask-sudo-password",
            "--impure"
        ],
        "the Raspberry Pi builds its own system, at the address read from the environment"
    );
    assert_eq!(
        words(&calls[1]),
        [
            "switch",
            "--flake",
            ".#tokiwa",
            "--target-host",
            "admin@192.168.10.11",
            "--sudo",
            "--ask-sudo-password",
            "--impure"
        ]
    );
    for call in &calls {
        assert_eq!(
            call.cwd.canonicalize().unwrap(),
            lab.dir.path().canonicalize().unwrap(),
            "run in the flake's folder"
        );
        for (name, value) in SECRETS {
            assert_eq!(call.env.get(name).map(String::as_str), Some(value), "{name} reaches the evaluating process");
        }
    }
    // What was printed: each command before it ran, the address as the variable's name.
    let printed: Vec<&str> = run.stdout.lines().filter(|l| l.starts_with("nixos-rebuild")).collect();
    assert_eq!(printed.len(), 3, "{}", run.stdout);
    assert!(printed[0].contains("--target-host admin@$LAB_YOMOGI_LAN_IP --build-host admin@$LAB_YOMOGI_LAN_IP"));
    assert!(run.stdout.find("==> yomogi").unwrap() < run.stdout.find("==> tokiwa").unwrap());
    assert!(run.stdout.ends_with("deployed 3 hosts\n"), "{}", run.stdout);
}

#[test]
fn boot_makes_the_new_system_the_boot_default_without_switching() {
    let lab = Lab::new();
    let run = lab.run(&["deploy", "--boot", "tokiwa"], &SECRETS);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let calls = lab.calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].args[..3], ["boot", "--flake", ".#tokiwa"]);
}

#[test]
fn the_first_failure_stops_the_deploy() {
    let lab = Lab::new();
    let mut env = SECRETS.to_vec();
    env.push(("STANDIN_FAIL_FOR", ".#tokiwa"));
    let run = lab.run(&["deploy"], &env);
    assert_eq!(run.code, Some(1), "{}\n{}", run.stdout, run.stderr);
    assert_eq!(flake_hosts(&lab.calls()), [".#yomogi", ".#tokiwa"], "hanaakari is never started");
    assert!(run.stderr.contains("error: deploying tokiwa failed: nixos-rebuild exited with 3"), "{}", run.stderr);
    assert!(run.stderr.contains("error: stopped before hanaakari"), "{}", run.stderr);
    assert!(!run.stdout.contains("deployed"), "{}", run.stdout);
}

#[test]
fn a_dry_run_prints_the_plan_and_runs_and_writes_nothing() {
    let lab = Lab::new();
    let before = tree(lab.dir.path());
    // No variable is set: a dry run reads none.
    let run = lab.run(&["deploy", "--dry-run"], &[]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(lab.calls().is_empty(), "the stand-in ran");
    assert!(!lab.log().exists());
    assert_eq!(tree(lab.dir.path()), before, "a dry run wrote into the flake's folder");
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines[0], "# 3 hosts, control planes first; nothing is run (--dry-run)");
    assert_eq!(
        lines[1],
        "nixos-rebuild switch --flake .#yomogi --target-host admin@$LAB_YOMOGI_LAN_IP \
         --build-host admin@$LAB_YOMOGI_LAN_IP --sudo --ask-sudo-password --impure"
    );
    assert!(lines[2].starts_with("nixos-rebuild switch --flake .#tokiwa"), "{}", run.stdout);
    assert!(lines[3].starts_with("nixos-rebuild switch --flake .#hanaakari"), "{}", run.stdout);
    assert_eq!(lines.len(), 4);
}

#[test]
fn install_plans_are_printed_and_never_run() {
    let lab = Lab::new();
    let before = tree(lab.dir.path());
    let run = lab.run(&["deploy", "--install", "--dry-run", "yomogi", "tokiwa"], &SECRETS);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(lab.calls().is_empty());
    assert_eq!(tree(lab.dir.path()), before);
    let out = &run.stdout;
    assert!(out.starts_with("# --- yomogi (control plane and worker)\n"), "{out}");
    assert!(out.contains("\nnix build .#packages.aarch64-linux.yomogi-sd-image --impure\n"), "{out}");
    assert!(out.contains("reachable as admin@$LAB_YOMOGI_LAN_IP"), "{out}");
    assert!(out.contains("\n# --- tokiwa (worker)\n"), "{out}");
    // tokiwa has a system disk and reads the password hash from the environment: its system and
    // disko script are built here and handed to nixos-anywhere.
    assert!(
        out.contains(
            "ssh root@$INSTALLER nixos-generate-config --no-filesystems --show-hardware-config > hosts/tokiwa/hardware-configuration.nix"
        ),
        "{out}"
    );
    assert!(
        out.contains("\nnix run --inputs-from . nixpkgs#nixos-anywhere -- --store-paths ./result-disko ./result root@$INSTALLER\n"),
        "{out}"
    );
    assert!(out.contains("# everything on /dev/disk/by-id/nvme-"), "{out}");
    assert!(!out.contains("hanaakari"), "{out}");
}

#[test]
fn an_unknown_host_is_a_usage_error_naming_the_closest_host() {
    let lab = Lab::new();
    let run = lab.run(&["deploy", "yomgi"], &SECRETS);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "error: \"yomgi\" is not a host of the inventory; hosts: yomogi, tokiwa, hanaakari (did you mean \"yomogi\"?)"
        ),
        "{}",
        run.stderr
    );
    assert!(lab.calls().is_empty());
    let run = lab.run(&["deploy", "--install", "nope"], &SECRETS);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
}

#[test]
fn missing_or_malformed_variables_stop_the_deploy_before_it_starts() {
    let lab = Lab::new();
    let without: Vec<(&str, &str)> = SECRETS.iter().copied().filter(|(n, _)| *n != "LAB_YOMOGI_LAN_IP").collect();
    let run = lab.run(&["deploy"], &without);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "error: environment variable LAB_YOMOGI_LAN_IP is unset or empty; yomogi, tokiwa, hanaakari read it"
        ),
        "{}",
        run.stderr
    );
    assert!(lab.calls().is_empty(), "nothing may run when a later host could not");

    let mut malformed = without.clone();
    malformed.push(("LAB_YOMOGI_LAN_IP", "192.168.10.77 -oProxyCommand=reboot"));
    let run = lab.run(&["deploy"], &malformed);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(run.stderr.contains("LAB_YOMOGI_LAN_IP (hosts.yomogi.lan-address) must hold one IPv4 address"));
    assert!(!run.stderr.contains("ProxyCommand"), "the value is shown: {}", run.stderr);
    assert!(lab.calls().is_empty());
}

#[test]
fn a_stale_flake_is_not_deployed() {
    let lab = Lab::new();
    let inventory = fs::read_to_string(lab.dir.path().join("homeflake.toml")).unwrap();
    fs::write(
        lab.dir.path().join("homeflake.toml"),
        inventory.replacen("lan-address = \"192.168.10.12\"", "lan-address = \"192.168.10.42\"", 1),
    )
    .unwrap();
    let run = lab.run(&["deploy"], &SECRETS);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(run.stderr.contains("is out of date with the inventory"), "{}", run.stderr);
    assert!(run.stderr.contains("run `homeflake gen` first"), "{}", run.stderr);
    assert!(lab.calls().is_empty());
}

#[test]
fn a_host_nobody_can_log_in_to_is_refused_with_what_to_set() {
    let lab = Lab::with_inventory(&EXAMPLE.replacen("extra-groups = [\"wheel\"]", "extra-groups = []", 1));
    let run = lab.run(&["deploy", "--dry-run"], &[]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(
        run.stderr.contains("error: no SSH user for yomogi: no user is in wheel; set hosts.yomogi.deploy.user"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_missing_nixos_rebuild_is_reported() {
    let lab = Lab::new();
    fs::remove_file(lab.bin.path().join("nixos-rebuild")).unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_homeflake"));
    command.args(["deploy", "tokiwa"]).current_dir(lab.dir.path()).env("PATH", lab.bin.path());
    command.envs(SECRETS.iter().copied());
    let output = command.output().unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("error: running nixos-rebuild (is it installed and on PATH?)"), "{stderr}");
}
