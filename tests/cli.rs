//! The `homeflake` binary end to end, on temporary folders: gen, gen --check, plan, validate, graph, schema and init.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, SystemTime};

use tempfile::TempDir;

/// The reference inventory at the repository root: three hosts, tailnet addresses from the environment.
const EXAMPLE: &str = include_str!("../homeflake.toml");

/// A folder holding an inventory; the flake is written next to it unless a test says otherwise.
struct Lab {
    dir: TempDir,
}

impl Lab {
    fn new(inventory: &str) -> Lab {
        let lab = Lab { dir: tempfile::tempdir().unwrap() };
        lab.write_inventory(inventory);
        lab
    }

    fn example() -> Lab {
        Lab::new(EXAMPLE)
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.root().join(rel)
    }

    fn write_inventory(&self, text: &str) {
        fs::write(self.path("homeflake.toml"), text).unwrap();
    }

    fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("reading {rel}: {e}"))
    }

    fn write(&self, rel: &str, text: &str) {
        let path = self.path(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    /// Runs `homeflake` with `args` from the lab's folder.
    fn run(&self, args: &[&str]) -> Run {
        run_in(self.root(), args)
    }

    /// What the library generates for the inventory now in the lab, by path.
    fn expected(&self) -> BTreeMap<String, String> {
        let loaded = homeflake::load(self.root()).expect("a valid inventory");
        homeflake::generate(&loaded.cluster).iter().map(|(p, f)| (p.to_string(), f.contents.to_string())).collect()
    }
}

/// The outcome of one run of the binary.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    fn assert_code(&self, code: i32, what: &str) -> &Run {
        assert_eq!(
            self.code,
            Some(code),
            "{what}: expected exit {code}\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout,
            self.stderr
        );
        assert!(
            !self.stderr.contains("panicked") && !self.stderr.contains("RUST_BACKTRACE"),
            "{what}: the binary panicked:\n{}",
            self.stderr
        );
        self
    }
}

fn run_in(dir: &Path, args: &[&str]) -> Run {
    let Output { status, stdout, stderr } = Command::new(env!("CARGO_BIN_EXE_homeflake"))
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .output()
        .expect("running homeflake");
    Run { code: status.code(), stdout: String::from_utf8(stdout).unwrap(), stderr: String::from_utf8(stderr).unwrap() }
}

/// `text` with `from` replaced by `to` exactly once; fails loudly if the example inventory changed under the test.
fn edit(text: &str, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "`{from}` should occur once in the inventory");
    text.replacen(from, to, 1)
}

/// The example with hanaakari at another LAN address: its host file and the docs change.
fn example_moved() -> String {
    edit(EXAMPLE, "lan-address = \"192.168.10.12\"", "lan-address = \"192.168.10.42\"")
}

/// The example without the worker tokiwa, which nothing else refers to.
fn example_without_tokiwa() -> String {
    let start = EXAMPLE.find("[[hosts]]\nname = \"tokiwa\"").expect("tokiwa in the example");
    let end = start + 1 + EXAMPLE[start + 1..].find("[[hosts]]").expect("a host after tokiwa");
    format!("{}{}", &EXAMPLE[..start], &EXAMPLE[end..])
}

/// Every file under `dir` with its contents and modification time, by `/`-separated relative path.
fn snapshot(dir: &Path) -> BTreeMap<String, (String, SystemTime)> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, (String, SystemTime)>) {
        let Ok(entries) = fs::read_dir(dir) else { return };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).unwrap().to_str().unwrap().replace('\\', "/");
                let modified = fs::metadata(&path).unwrap().modified().unwrap();
                out.insert(rel, (fs::read_to_string(&path).unwrap(), modified));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Sets every file's modification time far into the past, so a rewrite cannot go unnoticed within the clock's resolution.
fn age_all_files(dir: &Path) -> SystemTime {
    let old = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
    for rel in snapshot(dir).keys() {
        fs::File::options().write(true).open(dir.join(rel)).unwrap().set_modified(old).unwrap();
    }
    old
}

const MANIFEST: &str = homeflake::files::MANIFEST_FILE_NAME;

#[test]
fn gen_into_an_empty_folder_writes_the_flake_and_a_second_gen_touches_nothing() {
    let lab = Lab::example();
    let expected = lab.expected();
    let out = lab.path("flake");
    fs::create_dir(&out).unwrap();

    let first = lab.run(&["gen", "--out", "flake"]);
    first.assert_code(0, "first gen");
    assert_eq!(first.stdout, format!("{} written, 0 unchanged, 0 removed\n", expected.len()));
    let mut on_disk = snapshot(&out);
    assert!(on_disk.remove(MANIFEST).is_some(), "no manifest written");
    let on_disk: BTreeMap<_, _> = on_disk.into_iter().map(|(rel, (text, _))| (rel, text)).collect();
    assert_eq!(on_disk, expected, "the tree is not exactly the generated file set");
    for file in ["flake.nix", "flake.lock", "hosts/yomogi/default.nix", "hosts/tokiwa/default.nix"] {
        assert!(expected.contains_key(file), "{file} was not generated");
    }

    let old = age_all_files(&out);
    let second = lab.run(&["gen", "--out", "flake"]);
    second.assert_code(0, "second gen");
    assert_eq!(second.stdout, format!("0 written, {} unchanged, 0 removed\n", expected.len()));
    for (rel, (_, modified)) in snapshot(&out) {
        assert_eq!(modified, old, "{rel} was rewritten although nothing changed");
    }
}

#[test]
fn gen_check_passes_when_up_to_date_and_lists_stale_missing_and_extra_files_without_writing() {
    let lab = Lab::example();
    lab.run(&["gen"]).assert_code(0, "gen");
    let up_to_date = lab.run(&["gen", "--check"]);
    up_to_date.assert_code(0, "check of a fresh flake");
    assert!(up_to_date.stdout.contains("up to date"), "{}", up_to_date.stdout);

    // Stale: the inventory moved a host.
    lab.write_inventory(&example_moved());
    let before = snapshot(lab.root());
    let stale = lab.run(&["gen", "--check"]);
    stale.assert_code(1, "check after moving a host");
    assert!(stale.stderr.contains("stale: hosts/hanaakari/default.nix"), "{}", stale.stderr);
    assert!(stale.stderr.contains("run `homeflake gen`"), "no command to regenerate:\n{}", stale.stderr);
    assert!(!stale.stderr.contains("hosts/tokiwa"), "an unchanged host reported:\n{}", stale.stderr);
    assert_eq!(snapshot(lab.root()), before, "gen --check wrote");

    // Missing: a generated file was deleted.
    lab.write_inventory(EXAMPLE);
    fs::remove_file(lab.path("hosts/yomogi/default.nix")).unwrap();
    let missing = lab.run(&["gen", "--check"]);
    missing.assert_code(1, "check after deleting a file");
    assert!(missing.stderr.contains("missing: hosts/yomogi/default.nix"), "{}", missing.stderr);
    assert!(!lab.path("hosts/yomogi/default.nix").exists(), "gen --check wrote the missing file");

    // Extra: a host left the inventory, its generated file remains.
    lab.run(&["gen"]).assert_code(0, "gen");
    lab.write_inventory(&example_without_tokiwa());
    let before = snapshot(lab.root());
    let extra = lab.run(&["gen", "--check"]);
    extra.assert_code(1, "check after removing a host");
    assert!(extra.stderr.contains("extra: hosts/tokiwa/default.nix"), "{}", extra.stderr);
    assert_eq!(snapshot(lab.root()), before, "gen --check wrote or removed");

    // --out elsewhere: the paths are named under it.
    let elsewhere = lab.run(&["gen", "--check", "--out", "nowhere"]);
    elsewhere.assert_code(1, "check of a missing output folder");
    assert!(elsewhere.stderr.contains(&format!("missing: {}", Path::new("nowhere").join("flake.nix").display())));
    assert!(elsewhere.stderr.contains("run `homeflake gen --out nowhere`"), "{}", elsewhere.stderr);
    assert!(!lab.path("nowhere").exists());
}

#[test]
fn gen_removes_the_files_of_a_removed_host_but_never_the_users_files() {
    let lab = Lab::example();
    lab.write("hosts/tokiwa/extra.nix", "{ ... }: { services.fwupd.enable = true; }\n");
    lab.write("hosts/tokiwa/hardware-configuration.nix", "{ ... }: { }\n");
    lab.run(&["gen"]).assert_code(0, "gen");
    assert!(lab.path("hosts/tokiwa/default.nix").is_file());

    lab.write_inventory(&example_without_tokiwa());
    let generated = lab.run(&["gen"]);
    generated.assert_code(0, "gen without tokiwa");
    assert!(generated.stdout.contains(" 1 removed"), "{}", generated.stdout);
    assert!(!lab.path("hosts/tokiwa/default.nix").exists(), "the removed host's file is still there");
    assert_eq!(lab.read("hosts/tokiwa/extra.nix"), "{ ... }: { services.fwupd.enable = true; }\n");
    assert_eq!(lab.read("hosts/tokiwa/hardware-configuration.nix"), "{ ... }: { }\n");
    lab.run(&["gen", "--check"]).assert_code(0, "check after the removal");
}

#[test]
fn a_hand_edited_generated_file_stops_gen_with_a_diff_until_force() {
    let lab = Lab::example();
    lab.run(&["gen"]).assert_code(0, "gen");
    let mut edited = lab.read("modules/base.nix");
    edited.push_str("# my local tweak\n");
    lab.write("modules/base.nix", &edited);
    // Another change is pending, which must not be applied either.
    lab.write_inventory(&example_moved());
    let before = snapshot(lab.root());

    let refused = lab.run(&["gen"]);
    refused.assert_code(1, "gen over a hand edit");
    assert!(refused.stderr.contains("modules/base.nix"), "the file is not named:\n{}", refused.stderr);
    assert!(refused.stderr.contains("-# my local tweak"), "no diff of the edit:\n{}", refused.stderr);
    assert!(refused.stderr.contains("--force"), "no way out offered:\n{}", refused.stderr);
    assert_eq!(snapshot(lab.root()), before, "gen wrote something despite the conflict");
    let check = lab.run(&["gen", "--check"]);
    check.assert_code(1, "check over a hand edit");
    assert!(check.stderr.contains("modules/base.nix"), "{}", check.stderr);

    let forced = lab.run(&["gen", "--force"]);
    forced.assert_code(0, "gen --force");
    assert!(forced.stderr.contains("overwrote modules/base.nix"), "{}", forced.stderr);
    let expected = lab.expected();
    assert_eq!(lab.read("modules/base.nix"), expected["modules/base.nix"]);
    assert_eq!(lab.read("hosts/hanaakari/default.nix"), expected["hosts/hanaakari/default.nix"]);
    lab.run(&["gen", "--check"]).assert_code(0, "check after --force");
}

#[test]
fn a_foreign_file_at_a_generated_path_is_untouched_and_reported() {
    let lab = Lab::example();
    lab.write("hosts/yomogi/default.nix", "# my own yomogi\n{ ... }: { }\n");
    lab.write("hosts/yomogi/extra.nix", "{ ... }: { }\n");
    let before = snapshot(lab.root());

    let refused = lab.run(&["gen"]);
    refused.assert_code(1, "gen over a foreign file");
    assert!(refused.stderr.contains("hosts/yomogi/default.nix"), "not named:\n{}", refused.stderr);
    assert!(refused.stderr.contains("never generated"), "not said to be foreign:\n{}", refused.stderr);
    assert_eq!(snapshot(lab.root()), before, "gen wrote something despite the foreign file");
    let check = lab.run(&["gen", "--check"]);
    check.assert_code(1, "check with a foreign file");
    assert!(check.stderr.contains("hosts/yomogi/default.nix"), "{}", check.stderr);

    // Moved out of the way by its owner, the next gen writes the generated file and leaves extra.nix alone.
    fs::rename(lab.path("hosts/yomogi/default.nix"), lab.path("yomogi-old.nix")).unwrap();
    lab.run(&["gen"]).assert_code(0, "gen once the path is free");
    assert_eq!(lab.read("yomogi-old.nix"), "# my own yomogi\n{ ... }: { }\n");
    assert_eq!(lab.read("hosts/yomogi/extra.nix"), "{ ... }: { }\n");
    assert_eq!(snapshot(lab.root())["hosts/yomogi/extra.nix"], before["hosts/yomogi/extra.nix"]);
}

#[test]
fn a_bad_inventory_exits_1_naming_file_line_column_and_key_and_writes_nothing() {
    let bad = edit(EXAMPLE, "roles = [\"control-plane\", \"worker\"]", "roles = [\"control-plane\", \"wroker\"]");
    let line = bad.lines().position(|l| l.contains("\"wroker\"")).unwrap() + 1;
    let column = bad.lines().nth(line - 1).unwrap().find("\"wroker\"").unwrap() + 1;
    let lab = Lab::new(&bad);

    let generated = lab.run(&["gen", "--out", "flake"]);
    generated.assert_code(1, "gen of a bad inventory");
    let located = format!("homeflake.toml:{line}:{column}: error: hosts.yomogi.roles[1]:");
    assert!(generated.stderr.contains(&located), "expected `{located}` in:\n{}", generated.stderr);
    assert!(generated.stderr.contains("did you mean \"worker\""), "{}", generated.stderr);
    assert!(!lab.path("flake").exists(), "the output folder was created");

    let in_place = lab.run(&["gen"]);
    in_place.assert_code(1, "gen of a bad inventory next to it");
    assert_eq!(snapshot(lab.root()).into_keys().collect::<Vec<_>>(), ["homeflake.toml"], "something was written");

    // From elsewhere, the file is named by the path the user gave.
    let root = lab.root().to_str().unwrap();
    let elsewhere = run_in(&std::env::temp_dir(), &["validate", "--inventory", root]);
    elsewhere.assert_code(1, "validate of a bad inventory");
    let located = format!("{}:{line}:{column}: error: hosts.yomogi.roles[1]:", lab.path("homeflake.toml").display());
    assert!(elsewhere.stderr.contains(&located), "expected `{located}` in:\n{}", elsewhere.stderr);

    // A TOML syntax error is located the same way.
    lab.write_inventory("name = \"lab\"\n[network\n");
    let syntax = lab.run(&["gen"]);
    syntax.assert_code(1, "gen of broken TOML");
    assert!(syntax.stderr.contains("homeflake.toml:2:"), "{}", syntax.stderr);
    assert_eq!(snapshot(lab.root()).len(), 1, "something was written");
}

#[test]
fn an_inventory_that_would_exhaust_the_machine_is_refused_with_a_capped_report() {
    // 50 MB of `=` lines once grew validate to 24 GB: it is refused before it is read.
    let lab = Lab::new(&"=\n".repeat(25_000_000));
    let run = lab.run(&["validate"]);
    run.assert_code(1, "validate of a 50 MB inventory");
    assert!(
        run.stderr.contains("homeflake.toml: ")
            && run.stderr.contains("the inventory is 50000000 bytes with this file, more than homeflake reads"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("at most 4 MiB"), "{}", run.stderr);
    assert!(run.stderr.lines().count() <= 3, "{}", run.stderr);

    // Within the limit, every line gives three errors: the first 100 are listed, then a count of the rest.
    lab.write_inventory(&"=\n".repeat(100_000));
    let run = lab.run(&["gen"]);
    run.assert_code(1, "gen of 200 kB of `=` lines");
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), homeflake::model::MAX_DIAGNOSTICS + 2, "{}", &run.stderr[..2000.min(run.stderr.len())]);
    assert!(lines[0].starts_with("homeflake.toml:1:1: "), "{}", lines[0]);
    assert!(
        lines[100].contains("299899 more errors not shown: homeflake lists the first 100 problems"),
        "{}",
        lines[100]
    );
    assert!(lines[101].ends_with("more than 100 errors in the inventory"), "{}", lines[101]);
    assert_eq!(snapshot(lab.root()).len(), 1, "something was written");

    // A host file that takes the inventory over the limit is named.
    lab.write_inventory(EXAMPLE);
    lab.write("hosts/big/host.toml", &format!("# {}\n", "x".repeat(5 << 20)));
    let run = lab.run(&["validate"]);
    run.assert_code(1, "validate with a huge host file");
    let named = format!("{}: ", Path::new("hosts").join("big").join("host.toml").display());
    assert!(run.stderr.contains(&named) && run.stderr.contains("more than homeflake reads"), "{}", run.stderr);
}

#[test]
fn every_problem_says_error_or_warning_and_no_control_character_reaches_the_terminal() {
    let lab = Lab::new(&format!("\"\\u001b]0;pwned\\u0007\\u001b[2K\\u202e\" = 1\n{EXAMPLE}"));
    lab.write("hosts/\u{1b}[31mred/host.toml", "hardware = \"uefi-pc\"\n");
    let run = lab.run(&["validate"]);
    run.assert_code(1, "validate with escape sequences in a key and a folder name");
    assert!(
        !run.stderr.contains('\u{1b}') && !run.stderr.contains('\u{7}') && !run.stderr.contains('\u{202e}'),
        "{:?}",
        run.stderr
    );
    assert!(run.stderr.contains("\\u{1b}]0;pwned\\u{7}\\u{1b}[2K\\u{202e}"), "{}", run.stderr);
    assert!(run.stderr.contains("hosts/\\u{1b}[31mred/host.toml"), "{}", run.stderr);
    for line in run.stderr.lines() {
        assert!(line.contains("error: ") || line.contains("warning: "), "neither error nor warning: {line}");
    }
    assert!(run.stderr.lines().last().unwrap().starts_with("error: homeflake.toml: "), "{}", run.stderr);
}

#[test]
fn bad_cluster_layer_settings_exit_1_naming_file_line_and_key_and_write_nothing() {
    let cases = [
        ("challenge = \"dns-01\"", "challenge = \"http-01\"", "tls.challenge:", "127.0.0.1"),
        (
            "dns-provider = \"cloudflare\"",
            "dns-provider = \"route53\"",
            "tls.dns-provider:",
            "allowed: cloudflare, digitalocean",
        ),
        ("traefik = \"41.3.0\"", "traefik = \"latest\"", "charts.traefik:", "invalid chart version \"latest\""),
        (
            "# replication = 1 ",
            "replication = 2 ",
            "storage.replication:",
            "replication 2 needs 2 hosts with OSD disks",
        ),
        ("host = \"hanaakari\"\ndevice", "host = \"tokiwa\"\ndevice", "ceph.osds[0].host:", "is outside Kubernetes"),
    ];
    for (from, to, key, message) in cases {
        let mut bad = edit(EXAMPLE, from, to);
        if key == "ceph.osds[0].host:" {
            // tokiwa leaves Kubernetes: no roles.
            bad = edit(
                &bad,
                "roles = [\"worker\"]\nlan-interface = \"enp1s0\"\nlan-address = \"192.168.10.11\"",
                "roles = []\nlan-interface = \"enp1s0\"\nlan-address = \"192.168.10.11\"",
            );
        }
        let marker = to.lines().next().unwrap();
        let line = bad.lines().position(|l| l.contains(marker)).unwrap() + 1;
        let lab = Lab::new(&bad);
        let generated = lab.run(&["gen"]);
        generated.assert_code(1, key);
        let located = format!("homeflake.toml:{line}:");
        let hit = generated.stderr.lines().find(|l| l.contains(key) && l.contains(message));
        let hit = hit.unwrap_or_else(|| panic!("no `{key}` … `{message}` in:\n{}", generated.stderr));
        assert!(hit.starts_with(&located), "expected `{located}` at the start of `{hit}`");
        assert!(hit.contains("allowed:"), "{hit}");
        assert_eq!(
            snapshot(lab.root()).into_keys().collect::<Vec<_>>(),
            ["homeflake.toml"],
            "{key}: something was written"
        );
    }
}

/// The highly available k3s lab of the generator's tests.
const HA_K3S: &str = include_str!("../crates/gen/tests/inventories/ha-k3s/homeflake.toml");

#[test]
fn bad_k3s_settings_exit_1_naming_file_line_and_key_and_write_nothing() {
    let token_line = "token-file = \"/run/secrets/k3s-token\"";
    let cases = [
        (
            "flavour = \"k3s\"\n",
            "flavour = \"k3s\"\neasy-certs = false\n",
            "easy-certs = false",
            "kubernetes.easy-certs:",
            "applies only to flavour = \"nixpkgs\"",
        ),
        (token_line, "token = \"K10-do-not-show\"", "token = ", "kubernetes.k3s.token:", "not shown here"),
        (
            "roles = [\"control-plane\", \"worker\"]\nlan-interface = \"enp1s0\"\nlan-address = \"192.168.50.11\"",
            "roles = [\"worker\"]\nlan-interface = \"enp1s0\"\nlan-address = \"192.168.50.11\"",
            "[[hosts]]",
            "hosts:",
            "k3s agents (workers) join a k3s server",
        ),
    ];
    for (from, to, marker, key, message) in cases {
        let mut bad = edit(HA_K3S, from, to);
        if key == "hosts:" {
            for server in ["192.168.50.12", "192.168.50.13"] {
                let at = bad.find(&format!("lan-address = \"{server}\"")).unwrap();
                let roles = bad[..at].rfind("roles = ").unwrap();
                let end = roles + bad[roles..].find('\n').unwrap();
                bad.replace_range(roles..end, "roles = [\"worker\"]");
            }
        }
        let lab = Lab::new(&bad);
        let generated = lab.run(&["gen"]);
        generated.assert_code(1, key);
        let hit = generated.stderr.lines().find(|l| l.contains(key) && l.contains(message));
        let hit = hit.unwrap_or_else(|| panic!("no `{key}` … `{message}` in:\n{}", generated.stderr));
        let line = bad.lines().position(|l| l.contains(marker)).unwrap() + 1;
        if key != "hosts:" {
            assert!(hit.starts_with(&format!("homeflake.toml:{line}:")), "line {line} expected in `{hit}`");
        } else {
            assert!(hit.starts_with("homeflake.toml:"), "{hit}");
        }
        assert!(hit.contains("allowed:"), "{hit}");
        assert!(!generated.stderr.contains("K10-do-not-show"), "the token is shown:\n{}", generated.stderr);
        assert_eq!(
            snapshot(lab.root()).into_keys().collect::<Vec<_>>(),
            ["homeflake.toml"],
            "{key}: something was written"
        );
    }
}

#[test]
fn usage_and_io_errors_exit_2_with_a_clear_message() {
    let lab = Lab::example();
    for args in [
        &["gen", "--bogus"][..],
        &["frobnicate"],
        &["gen", "--check", "--force"],
        &["plan", "--color", "sometimes"],
        &[],
    ] {
        let run = lab.run(args);
        run.assert_code(2, &format!("homeflake {}", args.join(" ")));
        assert!(!run.stderr.is_empty(), "homeflake {}: nothing on stderr", args.join(" "));
    }

    let missing = lab.run(&["gen", "--inventory", "no/such/folder"]);
    missing.assert_code(2, "gen of a missing inventory folder");
    assert!(missing.stderr.starts_with("error: "), "{}", missing.stderr);
    assert!(missing.stderr.contains("no/such/folder") && missing.stderr.contains("no such"), "{}", missing.stderr);

    fs::create_dir(lab.path("empty")).unwrap();
    let empty = lab.run(&["validate", "--inventory", "empty"]);
    empty.assert_code(2, "validate of a folder without an inventory");
    assert!(empty.stderr.contains("no homeflake.toml or homeflake.json in empty"), "{}", empty.stderr);

    // The output folder is a file: an I/O problem, named.
    lab.write("blocker", "not a folder\n");
    let blocked = lab.run(&["gen", "--out", "blocker"]);
    blocked.assert_code(2, "gen into a file");
    assert!(blocked.stderr.contains("blocker"), "{}", blocked.stderr);
}

#[test]
fn plan_prints_a_unified_diff_and_a_summary_coloured_only_when_asked() {
    let lab = Lab::example();
    let empty = lab.run(&["plan", "--color", "never", "--out", "flake"]);
    empty.assert_code(0, "plan into nothing");
    let files = lab.expected().len();
    assert!(empty.stdout.ends_with(&format!("would write {files}, 0 unchanged, would remove 0\n")), "{}", empty.stdout);
    assert!(!lab.path("flake").exists(), "plan wrote");

    lab.run(&["gen"]).assert_code(0, "gen");
    lab.write_inventory(&example_moved());
    let before = snapshot(lab.root());
    let plan = lab.run(&["plan", "--color", "never"]);
    plan.assert_code(0, "plan");
    let out = &plan.stdout;
    assert!(out.contains("--- a/hosts/hanaakari/default.nix\n+++ b/hosts/hanaakari/default.nix\n@@ -"), "{out}");
    assert!(out.lines().any(|l| l.starts_with('-') && l.contains("\"192.168.10.12\"")), "{out}");
    assert!(out.lines().any(|l| l.starts_with('+') && l.contains("\"192.168.10.42\"")), "{out}");
    let summary = out.lines().last().unwrap();
    // The host file, the two documents naming the address, and flake.nix, which deploys to it.
    assert!(summary.starts_with("would write 4, "), "{summary}");
    assert!(!out.contains('\x1b'), "colour with --color never");
    assert_eq!(snapshot(lab.root()), before, "plan wrote");

    let coloured = lab.run(&["plan", "--color", "always"]);
    coloured.assert_code(0, "plan --color always");
    assert!(coloured.stdout.contains("\x1b["), "no ANSI colour with --color always");
    let auto = lab.run(&["plan"]);
    assert!(!auto.stdout.contains('\x1b'), "colour on a pipe with --color auto");

    let diff = lab.run(&["diff", "--color", "never"]);
    diff.assert_code(0, "diff");
    assert_eq!(diff.stdout, plan.stdout, "`diff` is not `plan`");
}

#[test]
fn validate_graph_and_schema_print_what_they_promise() {
    let lab = Lab::example();
    let validate = lab.run(&["validate"]);
    validate.assert_code(0, "validate");
    assert_eq!(validate.stdout, "homeflake.toml: valid, 3 hosts\n");
    let elsewhere = run_in(&std::env::temp_dir(), &["validate", "--inventory", lab.root().to_str().unwrap()]);
    assert_eq!(elsewhere.stdout, format!("{}: valid, 3 hosts\n", lab.path("homeflake.toml").display()));
    assert!(validate.stderr.contains("warning: "), "the example's warnings are not shown:\n{}", validate.stderr);

    let graph = lab.run(&["graph"]);
    graph.assert_code(0, "graph");
    assert!(graph.stdout.starts_with("flowchart"), "{}", graph.stdout);
    assert!(graph.stdout.contains("yomogi") && graph.stdout.contains("hanaakari"), "{}", graph.stdout);

    let schema = lab.run(&["schema"]);
    schema.assert_code(0, "schema");
    let json: serde_json::Value = serde_json::from_str(&schema.stdout).expect("the schema is JSON");
    assert!(json["properties"]["hosts"].is_object(), "no hosts in the schema:\n{}", schema.stdout);
    assert_eq!(snapshot(lab.root()).len(), 1, "validate, graph or schema wrote");
}

#[test]
fn init_writes_a_starter_inventory_that_validates_and_generates_and_refuses_a_non_empty_folder() {
    let dir = tempfile::tempdir().unwrap();
    let init = run_in(dir.path(), &["init", "lab"]);
    init.assert_code(0, "init");
    let lab = dir.path().join("lab");
    let starter = fs::read_to_string(lab.join("homeflake.toml")).unwrap();
    assert!(starter.contains("state-version = \"25.11\""), "a new inventory gets the pinned release:\n{starter}");
    run_in(&lab, &["validate"]).assert_code(0, "validate the starter");
    let generated = run_in(&lab, &["gen"]);
    generated.assert_code(0, "gen the starter");
    let base = fs::read_to_string(lab.join("modules/base.nix")).unwrap();
    assert!(base.contains("system.stateVersion = \"25.11\";"), "{base}");
    assert!(lab.join("flake.nix").is_file());
    run_in(&lab, &["gen", "--check"]).assert_code(0, "check the starter");

    fs::create_dir(dir.path().join("empty")).unwrap();
    run_in(&dir.path().join("empty"), &["init"]).assert_code(0, "init in the current, empty folder");
    assert!(dir.path().join("empty/homeflake.toml").is_file());

    // The README's order: `git init`, then `homeflake init`.
    let repo = dir.path().join("repo");
    fs::create_dir_all(repo.join(".git")).unwrap();
    fs::write(repo.join(".gitignore"), "result\n").unwrap();
    run_in(&repo, &["init"]).assert_code(0, "init in a fresh git repository");
    assert!(repo.join("homeflake.toml").is_file());
    assert_eq!(fs::read_to_string(repo.join(".gitignore")).unwrap(), "result\n");

    let full = dir.path().join("full");
    fs::create_dir(&full).unwrap();
    fs::write(full.join("notes.txt"), "mine\n").unwrap();
    let refused = run_in(dir.path(), &["init", "full"]);
    refused.assert_code(2, "init into a non-empty folder");
    assert!(refused.stderr.contains("not empty (it holds notes.txt)"), "{}", refused.stderr);
    assert!(!full.join("homeflake.toml").exists(), "init wrote into a non-empty folder");
    assert_eq!(fs::read_to_string(full.join("notes.txt")).unwrap(), "mine\n");
}

#[test]
fn help_documents_the_exit_codes() {
    let help = run_in(&std::env::temp_dir(), &["--help"]);
    help.assert_code(0, "--help");
    for line in ["0  success", "1  ", "2  usage or I/O error"] {
        assert!(help.stdout.contains(line), "`{line}` missing from --help:\n{}", help.stdout);
    }
    for command in ["gen", "plan", "validate", "deploy", "graph", "schema", "init"] {
        assert!(help.stdout.contains(&format!("  {command} ")), "{command} missing from --help");
    }
}

/// A lab of `hosts` hosts on a /16 LAN, one PC control plane and the rest workers.
fn many_hosts(hosts: usize) -> String {
    let mut text = String::from(
        "name = \"many\"\ndomain = \"many.example.net\"\n\n[network]\nlan = \"10.30.0.0/16\"\ngateway = \"10.30.0.1\"\n\n\
         [kubernetes]\npod-cidr = \"10.128.0.0/14\"\n",
    );
    for i in 0..hosts {
        let roles = if i == 0 { "control-plane" } else { "worker" };
        let address = 10 + i;
        text.push_str(&format!(
            "\n[[hosts]]\nname = \"node{i}\"\nhardware = \"uefi-pc\"\nroles = [\"{roles}\"]\nlan-interface = \"enp1s0\"\n\
             lan-address = \"10.30.{}.{}\"\n",
            address / 256,
            address % 256
        ));
    }
    text
}

#[test]
fn a_reader_that_stops_early_ends_plan_quietly() {
    use std::io::Read as _;
    let lab = Lab::new(&many_hosts(400));
    let mut child = Command::new(env!("CARGO_BIN_EXE_homeflake"))
        .args(["plan", "--color", "never"])
        .current_dir(lab.root())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Far more than a pipe holds is printed; read the first bytes only, as `homeflake plan | head -1` does.
    let mut first = [0; 16];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "plan | head failed ({status}):\n{stderr}");
    assert!(!stderr.contains("panicked") && !stderr.contains("Broken pipe"), "{stderr}");
}

#[test]
fn a_tampered_manifest_never_removes_the_users_files_even_forced() {
    use sha2::{Digest as _, Sha256};
    let lab = Lab::example();
    lab.write("hosts/tokiwa/extra.nix", "{ ... }: { }\n");
    lab.write("hosts/tokiwa/hardware-configuration.nix", "{ ... }: { }\n");
    lab.write(".git/config", "[core]\n");
    lab.run(&["gen"]).assert_code(0, "gen");
    let generated = lab.read(MANIFEST);
    for user_file in
        ["homeflake.toml", "hosts/tokiwa/extra.nix", "hosts/tokiwa/hardware-configuration.nix", ".git/config"]
    {
        // What a pull request could add: the file's true sha256 and its path, as homeflake writes its own lines.
        let before = lab.read(user_file);
        let sha256: String = Sha256::digest(before.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
        let tampered = format!("{generated}{sha256}  {user_file}\n");
        let line = tampered.lines().count();
        lab.write(MANIFEST, &tampered);
        for args in [&["gen"][..], &["gen", "--force"], &["gen", "--check"], &["plan"]] {
            let run = lab.run(args);
            run.assert_code(2, &format!("homeflake {} with {user_file} in the manifest", args.join(" ")));
            let expected = format!("was tampered with: line {line} names `{user_file}`");
            assert!(run.stderr.contains(&expected), "expected `{expected}` in:\n{}", run.stderr);
            assert_eq!(lab.read(user_file), before, "{user_file} changed");
        }
        assert!(lab.path("hosts/tokiwa/default.nix").is_file(), "a generated file was removed");
    }
    lab.write(MANIFEST, &generated);
    lab.run(&["gen", "--check"]).assert_code(0, "check with the manifest restored");
}

#[test]
fn a_gen_waits_for_another_run_writing_into_the_folder_and_gives_up_naming_it() {
    let lab = Lab::example();
    lab.run(&["gen"]).assert_code(0, "gen");
    let before = snapshot(lab.root());
    // This test process plays the other run: it holds the folder's lock.
    let lock = homeflake::files::WriteLock::acquire(lab.root(), Duration::ZERO, |_| {}).unwrap();
    let pid = std::process::id();
    for args in [
        &["gen", "--lock-timeout", "1"][..],
        &["gen", "--check", "--lock-timeout", "1"],
        &["plan", "--lock-timeout", "1"],
    ] {
        let run = lab.run(args);
        run.assert_code(2, &format!("homeflake {} while another run writes", args.join(" ")));
        let waiting = format!("waiting for homeflake (pid {pid}) to finish writing into .");
        assert!(run.stderr.contains(&waiting), "expected `{waiting}` in:\n{}", run.stderr);
        assert!(
            run.stderr.contains(&format!("homeflake (pid {pid}) is writing into")) && run.stderr.contains("1 s"),
            "{}",
            run.stderr
        );
    }
    drop(lock);
    let mut after = snapshot(lab.root());
    after.remove(".homeflake-lock");
    assert_eq!(after, before, "a run wrote while another held the lock");
    lab.run(&["gen", "--check"]).assert_code(0, "check once the other run is done");
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_in_the_output_folder_is_never_followed() {
    let lab = Lab::example();
    let outside = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(outside.path(), lab.path("hosts")).unwrap();
    for args in [&["gen"][..], &["gen", "--force"], &["gen", "--check"], &["plan"]] {
        let run = lab.run(args);
        run.assert_code(2, &format!("homeflake {} through a link", args.join(" ")));
        assert!(run.stderr.contains("symbolic link"), "{}", run.stderr);
    }
    assert_eq!(fs::read_dir(outside.path()).unwrap().count(), 0, "gen wrote through the link");
    assert_eq!(snapshot(lab.root()).len(), 1, "gen wrote despite the link");
}

#[test]
fn hosts_in_host_files_generate_the_same_flake_and_their_errors_name_the_host_file() {
    let whole = Lab::example();
    // The last host, so that the order of the hosts (host files come after homeflake.toml's) is kept.
    let start = EXAMPLE.find("[[hosts]]\nname = \"hanaakari\"").unwrap();
    assert!(!EXAMPLE[start + 1..].contains("[[hosts]]"), "hanaakari is no longer the example's last host");
    let host_file = EXAMPLE[start..].replacen("[[hosts]]\nname = \"hanaakari\"", "", 1);
    let split = Lab::new(&EXAMPLE[..start]);
    split.write("hosts/hanaakari/host.toml", &host_file);

    split.run(&["gen"]).assert_code(0, "gen with a host file");
    let mut tree: BTreeMap<_, _> = snapshot(split.root()).into_iter().map(|(rel, (text, _))| (rel, text)).collect();
    assert_eq!(tree.remove("hosts/hanaakari/host.toml").as_deref(), Some(host_file.as_str()), "the host file changed");
    tree.remove("homeflake.toml");
    tree.remove(MANIFEST);
    assert_eq!(tree, whole.expected(), "a host in a host file generates other files than in homeflake.toml");

    let bad = host_file.replacen("roles = [\"worker\"]", "roles = [\"wroker\"]", 1);
    assert_ne!(bad, host_file);
    split.write("hosts/hanaakari/host.toml", &bad);
    let line = bad.lines().position(|l| l.contains("wroker")).unwrap() + 1;
    let run = split.run(&["validate"]);
    run.assert_code(1, "validate with a bad host file");
    let located = format!("{}:{line}:", Path::new("hosts").join("hanaakari").join("host.toml").display());
    assert!(
        run.stderr.contains(&located) && run.stderr.contains("roles[0]"),
        "expected `{located}` in:\n{}",
        run.stderr
    );
}

/// The example with hanaakari in `hosts/hanaakari/host.toml`, and that file's text.
fn example_with_a_host_file() -> (Lab, String) {
    let start = EXAMPLE.find("[[hosts]]\nname = \"hanaakari\"").unwrap();
    let host_file = EXAMPLE[start..].replacen("[[hosts]]\nname = \"hanaakari\"", "", 1);
    let lab = Lab::new(&EXAMPLE[..start]);
    lab.write("hosts/hanaakari/host.toml", &host_file);
    (lab, host_file)
}

#[cfg(unix)]
#[test]
fn host_files_that_are_not_read_are_never_ignored_without_a_word() {
    use std::os::unix::fs::symlink;
    let (lab, host_file) = example_with_a_host_file();
    lab.run(&["gen"]).assert_code(0, "gen with a host file");
    let generated = lab.read("hosts/hanaakari/default.nix");
    let host_toml = lab.path("hosts/hanaakari/host.toml");

    // Misnamed: the host would drop out and gen would remove its files; refused instead.
    fs::rename(&host_toml, lab.path("hosts/hanaakari/HOST.TOML")).unwrap();
    let run = lab.run(&["gen"]);
    run.assert_code(1, "gen with HOST.TOML");
    assert!(
        run.stderr.contains("hosts/hanaakari/HOST.TOML: error: looks like a host file but is not read")
            && run.stderr.contains("host \"hanaakari\" would drop out of the inventory"),
        "{}",
        run.stderr
    );
    assert_eq!(lab.read("hosts/hanaakari/default.nix"), generated, "gen removed or changed the host's files");
    fs::remove_file(lab.path("hosts/hanaakari/HOST.TOML")).unwrap();

    // A link, to a file or for the whole folder, and a folder named host.toml: refused.
    let elsewhere = tempfile::tempdir().unwrap();
    fs::write(elsewhere.path().join("host.toml"), &host_file).unwrap();
    symlink(elsewhere.path().join("host.toml"), &host_toml).unwrap();
    let run = lab.run(&["validate"]);
    run.assert_code(1, "validate with host.toml a link");
    assert!(run.stderr.contains("hosts/hanaakari/host.toml: error: is a symbolic link"), "{}", run.stderr);
    fs::remove_file(&host_toml).unwrap();
    fs::create_dir(&host_toml).unwrap();
    let run = lab.run(&["validate"]);
    run.assert_code(1, "validate with host.toml a folder");
    assert!(run.stderr.contains("hosts/hanaakari/host.toml: error: is not a file"), "{}", run.stderr);
    fs::remove_dir(&host_toml).unwrap();
    fs::create_dir(lab.path("hosts/tokiwa-link-target")).unwrap();
    symlink(lab.path("hosts/tokiwa-link-target"), lab.path("hosts/linked")).unwrap();
    let run = lab.run(&["validate"]);
    run.assert_code(1, "validate with a linked host folder");
    assert!(run.stderr.contains("hosts/linked: error: is a symbolic link"), "{}", run.stderr);
    fs::remove_file(lab.path("hosts/linked")).unwrap();
    fs::remove_dir(lab.path("hosts/tokiwa-link-target")).unwrap();

    // Misplaced while the host is read: a warning, and gen goes on.
    fs::write(&host_toml, &host_file).unwrap();
    lab.write("hosts/host.toml", "name = \"stray\"\n");
    lab.write("hosts/hanaakari/old/host.toml", "name = \"old\"\n");
    let run = lab.run(&["gen", "--check"]);
    run.assert_code(0, "check with stray host files");
    for stray in ["hosts/host.toml", "hosts/hanaakari/old/host.toml"] {
        assert!(
            run.stderr.contains(&format!("{stray}: warning: looks like a host file but is not read")),
            "{stray}: {}",
            run.stderr
        );
    }
}
