//! `homeflake explain` tells the truth: for every inventory key, changing the key's value changes
//! exactly the lines of the generated files (the `.nix` files, the YAML under `cluster/` and the
//! Markdown under `docs/`; all but `flake.lock`) that the trace attributes to it — no more (every changed line is
//! attributed to the key, as a value it shows or as a key deciding whether the line exists or where
//! it stands) and no fewer (every line said to show the key's value changes under some change of
//! the key). The docs are traced from a rendering with marks around each traced piece, which is
//! checked to be exactly the generated docs once the marks are taken out.
//!
//! Keys are changed generically, from the shape of their value in the model's JSON (whose keys are
//! the inventory's): a number moves by one, an address or network shifts, a path or name gets a
//! suffix, a boolean flips, a list gets each item changed, one more item, or none, a secret
//! reference another variable. Each changed inventory is loaded again, so only valid changes count.
//! A file that a change removes or moves (a renamed host) counts as changed in every line; the
//! files a change creates are outside the comparison, which is about the lines of the files that exist.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{INVENTORIES, cluster};
use homeflake_gen::generate;
use homeflake_gen::trace::{MODULE_ARGUMENTS_RULE, trace};
use homeflake_model::Cluster;
use serde_json::Value;

/// Every leaf key of the model's JSON, named as `explain` names keys: hosts by name, other arrays
/// of tables by index, an array of values (or a secret reference) as one key.
fn leaf_keys(value: &Value, path: &str, out: &mut Vec<String>) {
    let join = |k: &str| if path.is_empty() { k.to_owned() } else { format!("{path}.{k}") };
    match value {
        Value::Object(map) if map.contains_key("env") || map.contains_key("file") => out.push(path.to_owned()),
        Value::Object(map) => {
            for (k, v) in map {
                leaf_keys(v, &join(k), out);
            }
        }
        Value::Array(items) if !items.is_empty() && items.iter().all(Value::is_object) && path == "hosts" => {
            for item in items {
                leaf_keys(item, &format!("hosts.{}", item["name"].as_str().unwrap_or_default()), out);
            }
        }
        Value::Array(items)
            if !items.is_empty()
                && items.iter().all(|i| i.is_object() && !i.as_object().is_some_and(|o| o.contains_key("env"))) =>
        {
            for (i, item) in items.iter().enumerate() {
                leaf_keys(item, &format!("{path}[{i}]"), out);
            }
        }
        _ => out.push(path.to_owned()),
    }
}

/// The JSON node at an inventory key (`hosts.yomogi.lan-address`, `users[0].name`, `ingress.node-ports.https`).
fn at<'v>(root: &'v mut Value, key: &str) -> Option<&'v mut Value> {
    let mut node = root;
    let mut rest = key;
    if let Some(after) = rest.strip_prefix("hosts.") {
        let (name, tail) = after.split_once('.').unwrap_or((after, ""));
        node = node.get_mut("hosts")?.as_array_mut()?.iter_mut().find(|h| h["name"] == name)?;
        if tail.is_empty() {
            return Some(node);
        }
        rest = tail;
    }
    for part in rest.split('.') {
        let (name, index) = match part.split_once('[') {
            Some((name, index)) => (name, index.trim_end_matches(']').parse::<usize>().ok()),
            None => (part, None),
        };
        node = node.get_mut(name)?;
        if let Some(i) = index {
            node = node.get_mut(i)?;
        }
    }
    Some(node)
}

/// Candidate new values for `value`, most specific first.
fn changes(value: &Value) -> Vec<Value> {
    match value {
        Value::Bool(b) => vec![Value::Bool(!b)],
        Value::Number(n) => {
            let n = n.as_i64().unwrap_or(0);
            vec![Value::from(n + 1), Value::from(n - 1), Value::from(n * 2)]
        }
        Value::String(s) => string_changes(s).into_iter().map(Value::String).collect(),
        Value::Object(map) if map.contains_key("env") => vec![serde_json::json!({ "env": "HOMEFLAKE_CHANGED" })],
        Value::Object(map) if map.contains_key("file") => vec![serde_json::json!({ "file": "/run/secrets/changed" })],
        Value::Array(items) if !items.is_empty() => {
            let mut out = Vec::new();
            // Each item changed the same way.
            for i in 0..3 {
                let changed: Option<Vec<Value>> = items.iter().map(|item| changes(item).get(i).cloned()).collect();
                out.extend(changed.map(Value::Array));
            }
            let mut longer = items.clone();
            if let Some(extra) = changes(&items[items.len() - 1]).into_iter().next() {
                longer.push(extra);
                out.push(Value::Array(longer));
            }
            out.push(Value::Array(Vec::new()));
            out
        }
        _ => Vec::new(),
    }
}

fn string_changes(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(address) = s.parse::<std::net::Ipv4Addr>() {
        let n = u32::from(address);
        out.extend([n + 1, n - 1, n + 7].map(|n| std::net::Ipv4Addr::from(n).to_string()));
    }
    if let Ok(net) = s.parse::<ipnet::Ipv4Net>() {
        if let Some(wider) = net.supernet() {
            out.push(wider.trunc().to_string());
        }
        let size = 1u32 << (32 - net.prefix_len());
        for step in [1, 2, 16] {
            if let Some(next) = u32::from(net.network()).checked_add(size * step) {
                out.push(format!("{}/{}", std::net::Ipv4Addr::from(next), net.prefix_len()));
            }
        }
    }
    out.extend([format!("{s}x"), format!("{s}-changed"), format!("{s}9")]);
    if let Some((head, tail)) = s.split_once('=') {
        out.push(format!("{head}={tail}9"));
    }
    out
}

/// The inventory with `key` set to each candidate that still loads, as clusters.
fn changed_clusters(cluster: &Cluster, key: &str) -> Vec<Cluster> {
    let json = serde_json::to_value(cluster).unwrap();
    let Some(current) = at(&mut json.clone(), key).cloned() else { return Vec::new() };
    let mut out = Vec::new();
    for candidate in changes(&current) {
        let mut changed = json.clone();
        *at(&mut changed, key).unwrap() = candidate;
        if let Ok(loaded) = homeflake_model::from_json_str("homeflake.json", &changed.to_string())
            && loaded.cluster != *cluster
        {
            out.push(loaded.cluster);
        }
    }
    out
}

/// The lines (1-based) of `old` that the change to `new` deletes or replaces. Patience diff
/// anchors on lines that occur once, so a block that appears or goes is the block itself, not a
/// shifted run ending in a line the block shares with its neighbour (Myers' choice among equals).
/// A line the change only moves (its text, found once in each, deleted here and inserted there, as
/// a host's deploy command when its roles change) is not changed: which of two lines that swap
/// places the diff calls moved is its own choice.
fn changed_lines(old: &str, new: &str) -> BTreeSet<u32> {
    let diff = similar::TextDiff::configure().algorithm(similar::Algorithm::Patience).diff_lines(old, new);
    let old_lines: Vec<&str> = old.lines().collect();
    let new_lines: Vec<&str> = new.lines().collect();
    let mut inserted: BTreeSet<&str> = BTreeSet::new();
    let mut removed = Vec::new();
    for op in diff.ops() {
        match *op {
            similar::DiffOp::Delete { old_index, old_len, .. } => removed.extend(old_index..old_index + old_len),
            similar::DiffOp::Insert { new_index, new_len, .. } => {
                inserted.extend(&new_lines[new_index..new_index + new_len]);
            }
            similar::DiffOp::Replace { old_index, old_len, new_index, new_len } => {
                removed.extend(old_index..old_index + old_len);
                inserted.extend(&new_lines[new_index..new_index + new_len]);
            }
            similar::DiffOp::Equal { .. } => {}
        }
    }
    let once = |lines: &[&str], text: &str| lines.iter().filter(|l| **l == text).count() == 1;
    removed
        .into_iter()
        .filter(|&i| {
            let text = old_lines[i];
            !(inserted.contains(text) && once(&old_lines, text) && once(&new_lines, text))
        })
        .map(|i| i as u32 + 1)
        .collect()
}

#[test]
fn every_key_changes_exactly_the_lines_explain_attributes_to_it() {
    let mut report = Vec::new();
    let mut checked = 0;
    for (inventory, dir) in INVENTORIES {
        let cluster = cluster(dir);
        let traced = trace(&cluster);
        // Every file but flake.lock, which holds the nixpkgs pin as written and is not traced.
        let files: Vec<_> = traced.files.iter().filter(|f| f.path != "flake.lock").collect();
        // Lines showing a key's value, and lines that exist because of it.
        let mut values: BTreeMap<&str, BTreeSet<(&str, u32)>> = BTreeMap::new();
        let mut reached: BTreeMap<&str, BTreeSet<(&str, u32)>> = BTreeMap::new();
        for file in &files {
            for (i, source) in file.lines.iter().enumerate() {
                let Some(source) = source else { continue };
                let at = (file.path.as_str(), i as u32 + 1);
                for key in &source.keys {
                    values.entry(key.as_str()).or_default().insert(at);
                    reached.entry(key.as_str()).or_default().insert(at);
                }
                for key in &source.presence {
                    reached.entry(key.as_str()).or_default().insert(at);
                }
            }
        }
        // A module's argument pattern follows what its body uses, so any change may change it.
        let follows_the_body = |path: &str, line: u32| {
            traced.file(path).and_then(|f| f.lines[line as usize - 1].as_ref()).and_then(|s| s.rule)
                == Some(MODULE_ARGUMENTS_RULE)
        };
        let mut keys = Vec::new();
        leaf_keys(&serde_json::to_value(&cluster).unwrap(), "", &mut keys);
        let none = BTreeSet::new();
        for key in &keys {
            let key = key.as_str();
            let lines = reached.get(key).unwrap_or(&none);
            let variants = changed_clusters(&cluster, key);
            if variants.is_empty() {
                continue;
            }
            checked += 1;
            let mut changed_any: BTreeSet<(&str, u32)> = BTreeSet::new();
            for variant in &variants {
                let regenerated = generate(variant);
                for file in &files {
                    let Some(new) = regenerated.get(&file.path) else {
                        // The change removed or moved the file (a renamed host): all its lines changed.
                        changed_any.extend((1..=file.lines.len() as u32).map(|line| (file.path.as_str(), line)));
                        continue;
                    };
                    for line in changed_lines(&file.text, &new.contents) {
                        let at = (file.path.as_str(), line);
                        changed_any.insert(at);
                        if !lines.contains(&at) && !follows_the_body(&file.path, line) {
                            let text = file.text.lines().nth(line as usize - 1).unwrap_or_default();
                            report.push(format!(
                                "{inventory}: changing {key} changed {}:{line} ({}), which explain does not attribute to it (it says {:?})",
                                file.path,
                                text.trim(),
                                file.lines[line as usize - 1]
                            ));
                        }
                    }
                }
            }
            for (path, line) in values.get(key).into_iter().flatten().filter(|at| !changed_any.contains(at)) {
                let file = traced.file(path).unwrap();
                let text = file.text.lines().nth(*line as usize - 1).unwrap_or_default();
                report.push(format!(
                    "{inventory}: explain says {path}:{line} ({}) shows {key}, but no change of {key} changed it",
                    text.trim()
                ));
            }
        }
    }
    report.sort();
    report.dedup();
    assert!(checked > 100, "only {checked} keys could be changed");
    assert!(report.is_empty(), "{} disagreements:\n{}", report.len(), report.join("\n"));
}

/// The Markdown under `docs/` is traced by rendering it with marks around each traced piece: without
/// them, it is exactly what `generate` writes, and marks reach every document.
#[test]
fn docs_marked_for_tracing_are_the_generated_docs_once_unmarked() {
    for (inventory, dir) in INVENTORIES {
        let cluster = cluster(dir);
        let generated = generate(&cluster);
        let (files, origins) = homeflake_gen::trace::recording(|| homeflake_gen::docs::files(&cluster));
        assert!(!origins.is_empty(), "{inventory}: nothing was marked");
        for (path, marked, _) in files {
            let (text, spans) = homeflake_gen::trace::unmark(&marked);
            let expected = &generated.get(path).unwrap().contents;
            if text != **expected {
                let diff = similar::TextDiff::from_lines(&**expected, &text);
                panic!("{inventory}: {path} differs once unmarked:\n{}", diff.unified_diff());
            }
            assert!(spans.len() > 10, "{inventory}: {path} has only {} marked pieces", spans.len());
            assert!(!marked.contains("\u{F0000}0\u{F0001}"), "{inventory}: {path} has a mark without a tag");
        }
    }
}
