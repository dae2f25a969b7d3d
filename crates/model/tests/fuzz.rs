//! Property tests: no input, however malformed, panics the loader.

use homeflake_model::{from_json_str, from_toml_str};
use proptest::prelude::*;

/// Text that is often valid TOML shaped like an inventory, with random keys and values.
fn tomlish() -> impl Strategy<Value = String> {
    let key = prop_oneof![
        Just("name".to_owned()),
        Just("domain".to_owned()),
        Just("lan".to_owned()),
        Just("gateway".to_owned()),
        Just("roles".to_owned()),
        Just("hardware".to_owned()),
        Just("lan-address".to_owned()),
        Just("tailnet-address".to_owned()),
        Just("host".to_owned()),
        Just("env".to_owned()),
        Just("replication".to_owned()),
        Just("mon-hosts".to_owned()),
        Just("challenge".to_owned()),
        Just("dns-api-token".to_owned()),
        "[a-z-]{1,12}",
    ];
    let value = prop_oneof![
        "\"[a-z0-9./_-]{0,20}\"",
        "-?[0-9]{1,12}",
        Just("true".to_owned()),
        Just("[\"control-plane\", \"worker\"]".to_owned()),
        Just("{ env = \"X\" }".to_owned()),
        Just("{ file = \"rel\" }".to_owned()),
        Just("\"192.168.10.300/24\"".to_owned()),
        Just("1979-05-27T07:32:00Z".to_owned()),
        Just("3.5".to_owned()),
    ];
    let header = prop_oneof![
        Just(String::new()),
        Just("[network]\n".to_owned()),
        Just("[[hosts]]\n".to_owned()),
        Just("[kubernetes.dns]\n".to_owned()),
        Just("[split-dns]\n".to_owned()),
        Just("[ingress]\n".to_owned()),
        Just("[[ceph.osds]]\n".to_owned()),
        Just("[firewall]\n".to_owned()),
        Just("[tls]\n".to_owned()),
        Just("[storage]\n".to_owned()),
        Just("[charts]\n".to_owned()),
    ];
    proptest::collection::vec((header, key, value), 0..24)
        .prop_map(|lines| lines.into_iter().map(|(h, k, v)| format!("{h}{k} = {v}\n")).collect::<String>())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,400}") {
        let _ = from_toml_str("homeflake.toml", &text);
        let _ = from_json_str("homeflake.json", &text);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = from_toml_str("homeflake.toml", &text);
        let _ = from_json_str("homeflake.json", &text);
    }

    #[test]
    fn inventory_shaped_toml_never_panics(text in tomlish()) {
        if let Err(e) = from_toml_str("homeflake.toml", &text) {
            // Every diagnostic renders and names the file.
            for d in e.diagnostics() {
                prop_assert!(d.to_string().starts_with("homeflake.toml"), "{}", d);
            }
        }
    }

    #[test]
    fn mutated_example_never_panics(cut in 0usize..6000, insert in "\\PC{0,8}") {
        let example = include_str!("../../../homeflake.toml");
        let mut at = cut.min(example.len());
        while !example.is_char_boundary(at) {
            at -= 1;
        }
        let text = format!("{}{insert}{}", &example[..at], &example[at..]);
        let _ = from_toml_str("homeflake.toml", &text);
    }
}
