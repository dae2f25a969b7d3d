//! Lowers a validated homeflake inventory to every file of a NixOS flake.
//!
//! [`generate`] is a pure function: a [`Cluster`] in, an ordered [`FileSet`] out, with no file I/O,
//! no clock and no environment, so the same inventory gives the same bytes on any machine. Each
//! generated Nix file has a Rust module of the same name that lowers the model to a Nix AST
//! (`modules/k8s/master.nix` ⇐ [`modules::k8s::master`]); the AST is printed by `homeflake-nix`.
//! Text configs embedded in Nix (the Corefile, the nginx stream block) come from handlebars
//! templates in `templates/` and enter the AST as string values, so the printer escapes them.
#![deny(missing_docs)]

pub mod admin_kubeconfig;
pub mod cluster;
pub mod deploy;
pub mod docs;
pub mod explain;
pub mod flake;
pub mod flake_lock;
pub mod host;
pub mod lower;
pub mod modules;
pub mod openings;
pub mod secrets;
pub mod template;
pub mod trace;

use std::collections::BTreeSet;
use std::sync::Arc;

use homeflake_files::{FileSet, GeneratedFile, RelPath};
use homeflake_model::Cluster;

use crate::lower::nix_file;
use crate::modules::Module;

/// Generates every file of the flake for `cluster`.
///
/// ```
/// let inventory = r#"
///     name = "lab"
///     domain = "lab.example.org"
///     network = { lan = "192.168.1.0/24", gateway = "192.168.1.1" }
///     hosts = [{ name = "one", hardware = "uefi-pc", roles = ["control-plane", "worker"],
///                lan-interface = "eno1", lan-address = "192.168.1.2" }]
/// "#;
/// let cluster = homeflake_model::from_toml_str("homeflake.toml", inventory).unwrap().cluster;
/// let files = homeflake_gen::generate(&cluster);
/// let host = &files.get("hosts/one/default.nix").unwrap().contents;
/// assert!(host.contains("networking.hostName = \"one\";"));
/// assert!(files.get("modules/k8s/master.nix").is_some());
/// ```
pub fn generate(cluster: &Cluster) -> FileSet {
    let mut files = Files::default();
    let mut shared = shared_nix_files(cluster).into_iter();
    if let Some(SharedFile { path, expr, sources }) = shared.next() {
        files.add(path, nix_file(expr), sources);
    }
    if let Some(lock) = flake_lock_text(cluster) {
        files.add("flake.lock", lock, &["nixpkgs"]);
    }
    for SharedFile { path, expr, sources } in shared {
        files.add(path, nix_file(expr), sources);
    }
    // Shared text is made in the worker, so the main thread never holds a second copy of a file.
    let host_files = parallel_map(&cluster.hosts, |host| Arc::<str>::from(nix_file(host::lower(cluster, host))));
    for (host, text) in cluster.hosts.iter().zip(host_files) {
        let key = format!("hosts.{}", host.name);
        files.add(&format!("hosts/{}/default.nix", host.name), text, &[&key]);
    }
    for (path, text, sources) in docs::files(cluster) {
        files.add(path, text, sources);
    }
    for (path, text, sources) in cluster::files(cluster) {
        files.add(&path, text, sources);
    }
    files.0
}

/// A Nix file every host shares, lowered but not printed.
pub struct SharedFile {
    /// Its path from the flake root.
    pub path: &'static str,
    /// Its expression.
    pub expr: homeflake_nix::Expr,
    /// The inventory keys it is derived from.
    pub sources: &'static [&'static str],
}

/// The flake-wide Nix files — `flake.nix` first, then the secrets and every module some host
/// imports — lowered to ASTs, in the order [`generate`] writes them.
pub fn shared_nix_files(cluster: &Cluster) -> Vec<SharedFile> {
    let mut out =
        vec![SharedFile { path: "flake.nix", expr: flake::lower(cluster), sources: &["name", "nixpkgs", "hosts"] }];
    if !secrets::env_vars(cluster).is_empty() {
        out.push(SharedFile { path: flake::SECRETS_PATH, expr: secrets::lower(cluster), sources: &["hosts", "users"] });
    }
    let used: BTreeSet<Module> = cluster.hosts.iter().flat_map(|h| Module::for_host(cluster, h)).collect();
    out.extend(used.into_iter().map(|m| SharedFile { path: m.path(), expr: m.lower(cluster), sources: m.sources() }));
    out
}

/// Every generated Nix file lowered to an AST, in the order [`generate`] writes them: the shared
/// files, then each host's `hosts/<name>/default.nix`.
pub fn lowered_nix_files(cluster: &Cluster) -> Vec<(String, homeflake_nix::Expr)> {
    let mut out: Vec<(String, homeflake_nix::Expr)> =
        shared_nix_files(cluster).into_iter().map(|f| (f.path.to_owned(), f.expr)).collect();
    out.extend(cluster.hosts.iter().map(|h| (format!("hosts/{}/default.nix", h.name), host::lower(cluster, h))));
    out
}

/// What the user must do by hand after generating, such as locking an unpinned nixpkgs.
pub fn next_steps(cluster: &Cluster) -> Vec<String> {
    let mut steps = Vec::new();
    if flake_lock_text(cluster).is_none() {
        steps.push(format!(
            "flake.lock was not written: the inventory pins no nixpkgs revision for `{}`; run `nix flake lock`, \
             or set nixpkgs.rev, nixpkgs.nar-hash and nixpkgs.last-modified",
            cluster.nixpkgs.url
        ));
    }
    steps
}

fn flake_lock_text(cluster: &Cluster) -> Option<String> {
    let (rev, nar_hash, last_modified) = cluster.nixpkgs.lock()?;
    let original = flake_lock::parse_github_url(cluster.nixpkgs.url.as_str())?;
    let locked = flake_lock::LockedRev { rev: rev.as_str(), nar_hash: nar_hash.as_str(), last_modified };
    let mut inputs = vec![flake_lock::Input { name: "nixpkgs", original, locked, follows_nixpkgs: false }];
    if modules::disk::is_used(cluster) {
        inputs.push(modules::disk::lock_input());
    }
    Some(flake_lock::render(&inputs))
}

/// Fewer items than this are mapped on the calling thread: spawning costs more than it saves.
const PARALLEL_MIN_ITEMS: usize = 256;

/// Maps `f` over `items` in order, spread over the available cores for large inputs. The result is
/// the same as a plain `map`; only the time differs.
fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads < 2 || items.len() < PARALLEL_MIN_ITEMS {
        return items.iter().map(f).collect();
    }
    let f = &f;
    let mut parts = items.chunks(items.len().div_ceil(threads));
    let first = parts.next().unwrap_or_default();
    std::thread::scope(|scope| {
        let workers: Vec<_> = parts.map(|part| scope.spawn(move || part.iter().map(f).collect::<Vec<R>>())).collect();
        // The calling thread takes a share too: it reuses the memory loading freed, where a new
        // thread would allocate afresh.
        let mut out: Vec<R> = first.iter().map(f).collect();
        out.reserve(items.len() - out.len());
        for worker in workers {
            match worker.join() {
                Ok(part) => out.extend(part),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        out
    })
}

#[derive(Default)]
struct Files(FileSet);

impl Files {
    fn add(&mut self, path: &str, contents: impl Into<Arc<str>>, sources: &[&str]) {
        let path = RelPath::new(path).expect("generated paths are built from validated names");
        let sources = sources.iter().map(|s| s.to_string()).collect();
        self.0.insert(path, GeneratedFile { contents: contents.into(), sources });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parallel_map_keeps_the_order_of_a_plain_map() {
        for len in [0, 1, PARALLEL_MIN_ITEMS - 1, PARALLEL_MIN_ITEMS, 1_001, 10_007] {
            let items: Vec<u64> = (0..len as u64).collect();
            let squares = |x: &u64| format!("{}", x * x);
            assert_eq!(parallel_map(&items, squares), items.iter().map(squares).collect::<Vec<_>>(), "{len} items");
        }
    }
}
