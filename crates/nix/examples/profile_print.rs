//! Prints a large synthetic document many times (for profiling the printer).
#[path = "../benches/doc.rs"]
mod doc;
fn main() {
    let d = doc::document();
    let mut n = 0;
    for _ in 0..60 {
        n += homeflake_nix::print_file(std::hint::black_box(&d)).len();
    }
    println!("{n}");
}
