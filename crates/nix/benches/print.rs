//! Printing a synthetic ~1 MB flake-like document with our printer vs formatting the same text
//! with `nixfmt_rs::format` (which also has to parse it).

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use homeflake_nix::print_file;

#[path = "doc.rs"]
mod doc;
use doc::document;

fn mb_per_s(bytes: usize, f: impl Fn()) -> f64 {
    f();
    let start = Instant::now();
    let mut runs = 0u32;
    while start.elapsed() < Duration::from_secs(2) || runs < 3 {
        f();
        runs += 1;
    }
    bytes as f64 * f64::from(runs) / start.elapsed().as_secs_f64() / 1e6
}

fn bench(c: &mut Criterion) {
    let doc = document();
    let text = print_file(&doc);
    assert_eq!(nixfmt_rs::format(&text).expect("valid Nix"), text, "the benchmark document is not nixfmt-stable");
    let bytes = text.len();
    let ours = mb_per_s(bytes, || {
        black_box(print_file(black_box(&doc)));
    });
    let theirs = mb_per_s(bytes, || {
        black_box(nixfmt_rs::format(black_box(&text)).expect("valid Nix"));
    });
    eprintln!(
        "document: {:.2} MB; homeflake-nix print: {ours:.1} MB/s; nixfmt_rs::format: {theirs:.1} MB/s; ratio {:.1}x",
        bytes as f64 / 1e6,
        ours / theirs
    );

    let mut group = c.benchmark_group("print_1mb");
    group.sample_size(10).measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("homeflake_nix_print", |b| b.iter(|| print_file(black_box(&doc))));
    group.bench_function("nixfmt_rs_format", |b| b.iter(|| nixfmt_rs::format(black_box(&text))));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
