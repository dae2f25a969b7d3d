//! Prints a large synthetic document many times (for profiling the printer).
//!
//! Arguments: the number of prints (default 60), then `nixfmt` to format the printed text with
//! `nixfmt_rs::format` instead, for comparison, or `dump` to write the printed text once. Under
//! callgrind use a small count and subtract a run with count 0 (which still prints once):
//! `valgrind --tool=callgrind target/release/examples/profile_print 2`.
#[path = "../benches/doc.rs"]
mod doc;
fn main() {
    let mut args = std::env::args().skip(1);
    let runs = args.next().and_then(|a| a.parse().ok()).unwrap_or(60);
    let mode = args.next();
    let nixfmt = mode.as_deref() == Some("nixfmt");
    let d = doc::document();
    let text = homeflake_nix::print_file(&d);
    if mode.as_deref() == Some("dump") {
        return print!("{text}");
    }
    let mut n = 0;
    for _ in 0..runs {
        n += if nixfmt {
            nixfmt_rs::format(std::hint::black_box(&text)).expect("valid Nix").len()
        } else {
            homeflake_nix::print_file(std::hint::black_box(&d)).len()
        };
    }
    println!("{n}");
}
