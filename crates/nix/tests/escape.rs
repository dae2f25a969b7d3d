//! Escaping property test: random strings, printed as `"…"` and as `''…''` literals (alone and
//! around an interpolation), evaluated in one batch by `nix-instantiate --eval --strict --json`,
//! must give back exactly the original text.

mod common;

use homeflake_nix::*;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;

const CASES: usize = 256;

fn str_expr(kind: StrKind, parts: Vec<StrPart>) -> Expr {
    Expr::Str(Str { kind, parts })
}

/// `(expression, expected value)` pairs for one random string.
fn cases(s: &str, t: &str) -> Vec<(Expr, String)> {
    let interp = |kind| {
        str_expr(
            kind,
            vec![
                StrPart::Text(s.to_string()),
                StrPart::Interp(str_expr(StrKind::Quoted, vec![StrPart::Text(t.to_string())])),
                StrPart::Text(t.to_string()),
            ],
        )
    };
    let both = format!("{s}{t}{t}");
    vec![
        (str_expr(StrKind::Quoted, vec![StrPart::Text(s.to_string())]), s.to_string()),
        (str_expr(StrKind::Indented, vec![StrPart::Text(s.to_string())]), s.to_string()),
        (interp(StrKind::Quoted), both.clone()),
        (interp(StrKind::Indented), both),
        // A key that needs quoting evaluates to the same name.
        (
            Expr::Select {
                expr: Box::new(make::attrs([make::bind_path(vec![Key::Name(s.to_string())], make::string(s))])),
                path: vec![Key::Name(s.to_string())],
                default: None,
            },
            s.to_string(),
        ),
    ]
}

#[test]
fn literals_evaluate_to_the_original_text() {
    let mut runner = TestRunner::deterministic();
    let strategy = (common::nasty_text(10), common::nasty_text(10));
    let mut exprs = Vec::new();
    let mut want = Vec::new();
    for _ in 0..CASES {
        let (s, t) = strategy.new_tree(&mut runner).expect("strategy").current();
        for (e, v) in cases(&s, &t) {
            exprs.push(e);
            want.push(v);
        }
    }
    let printed = print_file(&make::file(Vec::<String>::new(), make::list(exprs)));
    assert!(rnix::Root::parse(&printed).errors().is_empty(), "rnix rejects the batch");

    let Some(got) = nix_eval(&printed) else { return };
    assert_eq!(got.len(), want.len());
    eprintln!("nix-instantiate evaluated {} literals", got.len());
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        assert_eq!(g, w, "case {i} differs; printed batch:\n{printed}");
    }
}

/// Evaluates `source` with `nix-instantiate`, or reports loudly that it cannot.
fn nix_eval(source: &str) -> Option<Vec<String>> {
    let required = std::env::var("HOMEFLAKE_REQUIRE_NIX").is_ok_and(|v| v == "1");
    let dir = std::env::temp_dir().join(format!("homeflake-nix-escape-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("batch.nix");
    std::fs::write(&file, source).expect("write batch");
    let output =
        std::process::Command::new("nix-instantiate").args(["--eval", "--strict", "--json"]).arg(&file).output();
    let _ = std::fs::remove_dir_all(&dir);
    let output = match output {
        Ok(o) => o,
        Err(e) => {
            assert!(!required, "HOMEFLAKE_REQUIRE_NIX=1 but nix-instantiate cannot run: {e}");
            eprintln!(
                "\n!!!!!!!! WARNING: nix-instantiate is not available ({e}); the escaping test did NOT run. !!!!!!!!\n"
            );
            return None;
        }
    };
    assert!(output.status.success(), "nix-instantiate failed: {}", String::from_utf8_lossy(&output.stderr));
    Some(serde_json::from_slice(&output.stdout).expect("a JSON list of strings"))
}
