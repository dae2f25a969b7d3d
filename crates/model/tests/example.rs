//! The repository's example inventory loads, and its normalised model is reviewed as a snapshot.

use std::path::PathBuf;

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn example_inventory_loads_with_the_expected_warnings() {
    let loaded = homeflake_model::load(&repo_root()).unwrap_or_else(|e| panic!("{e}"));
    let codes: Vec<_> = loaded.warnings.iter().map(|w| w.code).collect();
    assert_eq!(
        codes,
        [
            homeflake_model::Code::EasyCerts,
            homeflake_model::Code::BroadTrustedRange,
            homeflake_model::Code::SingleReplica,
            homeflake_model::Code::ControlPlaneMetrics
        ],
        "{:#?}",
        loaded.warnings
    );
    let rendered: Vec<String> = loaded.warnings.iter().map(ToString::to_string).collect();
    insta::with_settings!({ omit_expression => true }, {
        insta::assert_snapshot!("example_warnings", rendered.join("\n"));
        insta::assert_snapshot!("example_model", serde_json::to_string_pretty(&loaded.cluster).expect("serializes"));
    });
}
