//! The embedding API: the reference cluster built in Rust code generates byte for byte what
//! `homeflake.toml` generates.

#[path = "../examples/embed.rs"]
#[allow(dead_code)]
mod embed;

use std::path::Path;

#[test]
fn the_cluster_built_in_rust_generates_the_same_files_as_the_example_inventory() {
    let built = embed::reference_cluster().unwrap_or_else(|e| panic!("the example cluster does not build: {e}"));
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let loaded = homeflake::load(root).unwrap_or_else(|e| panic!("homeflake.toml does not load: {e}"));
    let from_rust = homeflake::generate(&built);
    let from_toml = homeflake::generate(&loaded.cluster);
    for (path, file) in from_toml.iter() {
        let other = from_rust.get(path.as_str()).unwrap_or_else(|| panic!("{path} is generated only from TOML"));
        assert_eq!(other.contents, file.contents, "{path} differs");
    }
    assert_eq!(from_rust, from_toml);
}
