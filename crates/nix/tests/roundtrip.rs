//! Round trip: for nixfmt-formatted sources, `print(from_rnix(src)) == src`.

use homeflake_nix::{from_rnix, print_file};

fn round_trip(name: &str, src: &str) {
    assert_eq!(nixfmt_rs::format(src).expect("fixture parses"), src, "fixture {name} is not nixfmt-formatted");
    let file = from_rnix(src).unwrap_or_else(|e| panic!("{name}: {e}"));
    let printed = print_file(&file);
    if printed != src {
        let diff: Vec<String> = src
            .lines()
            .zip(printed.lines())
            .enumerate()
            .filter(|(_, (a, b))| a != b)
            .take(5)
            .map(|(i, (a, b))| format!("line {}:\n  want {a:?}\n  got  {b:?}", i + 1))
            .collect();
        panic!("{name} does not round-trip:\n{}\n--- printed:\n{printed}", diff.join("\n"));
    }
}

#[test]
fn flake() {
    round_trip("flake.nix", include_str!("fixtures/flake.nix"));
}

#[test]
fn host_module() {
    round_trip("host.nix", include_str!("fixtures/host.nix"));
}

#[test]
fn kubernetes_module() {
    round_trip("k8s.nix", include_str!("fixtures/k8s.nix"));
}
