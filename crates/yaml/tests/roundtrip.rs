//! Every printed document reads back as the tree it was printed from: with saphyr (YAML 1.2, the
//! YAML test suite's parser) for any tree, and with PyYAML (YAML 1.1, whose resolver turns `yes`,
//! `on`, `0755` and `1:20` into booleans and numbers) for the strings most likely to go wrong.

use std::io::Write as _;
use std::process::{Command, Stdio};

use homeflake_yaml::{Yaml, print, print_file};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use saphyr::{LoadableYamlNode, ScalarOwned, YamlOwned};

/// Strings that a careless emitter turns into something else under YAML 1.1 or 1.2.
const DANGEROUS: &[&str] = &[
    "",
    " ",
    "  two  ",
    "true",
    "True",
    "TRUE",
    "false",
    "yes",
    "Yes",
    "YES",
    "no",
    "No",
    "on",
    "On",
    "ON",
    "off",
    "OFF",
    "y",
    "Y",
    "n",
    "N",
    "null",
    "Null",
    "NULL",
    "~",
    "0",
    "-0",
    "+1",
    "0755",
    "0o17",
    "0b101",
    "0x1F",
    "0x_1F",
    "1_000",
    "1e3",
    "1E3",
    "1.5e-3",
    "3.",
    ".5",
    ".inf",
    "-.Inf",
    "+.INF",
    ".nan",
    ".NaN",
    "1:20",
    "190:20:30",
    "1:20.5",
    "2001-12-14",
    "2001-12-14t21:59:43.10-05:00",
    "*alias",
    "&anchor",
    "!tag",
    "!!str",
    "|",
    ">",
    "%YAML",
    "@at",
    "`tick",
    "#comment",
    "a #b",
    "a: b",
    "a:",
    ":a",
    "- item",
    "-",
    "--",
    "---",
    "...",
    "? key",
    "?",
    "[a]",
    "{a: b}",
    "a,b",
    "'",
    "\"",
    "\\",
    "=",
    "<<",
    "key: value\nnext: 1",
    "line\nbreak",
    "trailing\n",
    "\ttab",
    "cr\rlf",
    "\u{0}",
    "\u{7}",
    "\u{1b}",
    "\u{7f}",
    "\u{85}",
    "\u{a0}",
    "\u{2028}",
    "\u{2029}",
    "\u{feff}bom",
    "\u{fffe}",
    "\u{ffff}",
    "é",
    "日本",
    "🦀",
    "{{ .Name }}",
    "${x}",
    "*.home.example.com",
    "/dev/disk/by-id/usb-Samsung_SSD-0:0",
    "admin@example.com",
    "https://acme-v02.api.letsencrypt.org/directory",
    "41.3.0",
    "v1.21.1",
];

/// Reads a saphyr node into our tree; floats, tags and aliases are never printed, so they fail.
fn from_saphyr(node: &YamlOwned) -> Yaml {
    match node {
        YamlOwned::Value(ScalarOwned::Null) => Yaml::Null,
        YamlOwned::Value(ScalarOwned::Boolean(b)) => Yaml::Bool(*b),
        YamlOwned::Value(ScalarOwned::Integer(n)) => Yaml::Int(*n),
        YamlOwned::Value(ScalarOwned::String(s)) => Yaml::Str(s.clone()),
        YamlOwned::Sequence(items) => Yaml::Seq(items.iter().map(from_saphyr).collect()),
        YamlOwned::Mapping(entries) => Yaml::Map(
            entries
                .iter()
                .map(|(k, v)| match from_saphyr(k) {
                    Yaml::Str(k) => (k, from_saphyr(v)),
                    other => panic!("a key read back as {other:?}"),
                })
                .collect(),
        ),
        other => panic!("read back as {other:?}"),
    }
}

fn read_back(text: &str) -> Yaml {
    let docs = YamlOwned::load_from_str(text).unwrap_or_else(|e| panic!("saphyr rejects:\n{text}\n{e}"));
    assert_eq!(docs.len(), 1, "one document expected in:\n{text}");
    from_saphyr(&docs[0])
}

fn assert_round_trip(tree: &Yaml) {
    let text = print(tree);
    assert_eq!(&read_back(&text), tree, "printed as:\n{text}");
}

/// A document holding every string as a value, as a key and as a sequence item.
fn strings_doc(strings: &[String]) -> Yaml {
    Yaml::map([
        ("values", Yaml::Seq(strings.iter().map(|s| Yaml::map([("v", Yaml::str(s.clone()))])).collect())),
        ("keys", Yaml::map(strings.iter().enumerate().map(|(i, s)| (s.clone(), Yaml::Int(i as i64))))),
    ])
}

#[test]
fn dangerous_strings_round_trip_as_values_keys_and_items() {
    let strings: Vec<String> = DANGEROUS.iter().map(|s| s.to_string()).collect();
    assert_round_trip(&strings_doc(&strings));
    assert_round_trip(&Yaml::Seq(strings.iter().cloned().map(Yaml::Str).collect()));
    for s in &strings {
        assert_round_trip(&Yaml::Str(s.clone()));
    }
}

#[test]
fn a_key_longer_than_an_implicit_key_may_be_uses_the_explicit_form() {
    let long = "k".repeat(2000);
    let tree = Yaml::map([(long.clone(), Yaml::map([("a", Yaml::Int(1))])), ("b".into(), Yaml::seq([Yaml::Null]))]);
    assert!(print(&tree).starts_with(&format!("? {long}\n:\n  a: 1\n")), "{}", print(&tree));
    assert_round_trip(&tree);
}

#[test]
fn comments_never_end_early() {
    let text = print_file(&["first\nsecond: 1", "\u{1}x\u{2028}- y"], &Yaml::map([("a", Yaml::Int(1))]));
    assert_eq!(read_back(&text), Yaml::map([("a", Yaml::Int(1))]), "{text}");
}

fn tree() -> impl Strategy<Value = Yaml> {
    let leaf = prop_oneof![
        Just(Yaml::Null),
        any::<bool>().prop_map(Yaml::Bool),
        any::<i64>().prop_map(Yaml::Int),
        any::<String>().prop_map(Yaml::Str),
        prop::sample::select(DANGEROUS).prop_map(Yaml::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Yaml::Seq),
            prop::collection::btree_map(any::<String>(), inner, 0..6).prop_map(|m| Yaml::Map(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn any_string_reads_back_unchanged(s in any::<String>()) {
        let doc = strings_doc(std::slice::from_ref(&s));
        let text = print(&doc);
        prop_assert_eq!(read_back(&text), doc, "printed as:\n{}", text);
    }

    #[test]
    fn any_tree_reads_back_unchanged(t in tree()) {
        let text = print(&t);
        prop_assert_eq!(read_back(&text), t, "printed as:\n{}", text);
    }
}

/// Our tree as JSON, which is what PyYAML's result is compared through.
fn to_json(tree: &Yaml) -> serde_json::Value {
    match tree {
        Yaml::Null => serde_json::Value::Null,
        Yaml::Bool(b) => (*b).into(),
        Yaml::Int(n) => (*n).into(),
        Yaml::Str(s) => s.clone().into(),
        Yaml::Seq(items) => items.iter().map(to_json).collect(),
        Yaml::Map(entries) => serde_json::Value::Object(entries.iter().map(|(k, v)| (k.clone(), to_json(v))).collect()),
    }
}

/// A Python interpreter that has PyYAML, or `None` after a loud warning; a failure when
/// `HOMEFLAKE_REQUIRE_PROGRAMS=1` (CI installs python3-yaml).
fn python_with_pyyaml() -> Option<&'static str> {
    for python in ["python3", "/usr/bin/python3"] {
        let ok = Command::new(python).args(["-c", "import yaml"]).output().is_ok_and(|o| o.status.success());
        if ok {
            return Some(python);
        }
    }
    assert!(
        std::env::var("HOMEFLAKE_REQUIRE_PROGRAMS").as_deref() != Ok("1"),
        "no python3 with PyYAML and HOMEFLAKE_REQUIRE_PROGRAMS=1 (apt-get install python3-yaml)"
    );
    eprintln!("WARNING: PyYAML not found: the YAML 1.1 read-back check DID NOT RUN");
    None
}

/// Loads `text` with PyYAML's safe loader (YAML 1.1 resolution) and returns it as JSON.
fn pyyaml_load(python: &str, text: &str) -> serde_json::Value {
    let mut child = Command::new(python)
        .args(["-c", "import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin.read()), sys.stdout)"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 starts");
    child.stdin.take().expect("stdin").write_all(text.as_bytes()).expect("write");
    let output = child.wait_with_output().expect("python3 ends");
    assert!(output.status.success(), "PyYAML rejects:\n{text}\n{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).expect("json")
}

#[test]
fn pyyaml_reads_dangerous_and_random_strings_back_unchanged() {
    let Some(python) = python_with_pyyaml() else { return };
    let mut strings: Vec<String> = DANGEROUS.iter().map(|s| s.to_string()).collect();
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let any_string = any::<String>();
    for _ in 0..400 {
        strings.push(any_string.new_tree(&mut runner).expect("a string").current());
    }
    let doc = strings_doc(&strings);
    let text = print(&doc);
    assert_eq!(pyyaml_load(python, &text), to_json(&doc), "printed as:\n{text}");
}
