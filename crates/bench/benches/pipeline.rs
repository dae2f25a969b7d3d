//! Criterion benchmarks of each step of the pipeline at N = 3, 100, 1,000 and 10,000 hosts:
//! `load` (decode and validate the inventory text, in memory), `generate` (lower and print every
//! file, in memory), `lower` and `print` (the two halves of `generate` for the Nix files), and
//! `write` (apply the file set to an empty folder, every file fsynced as `homeflake gen` does).
//!
//! Throughput is in hosts, so criterion's "elem/s" reads as hosts per second. Samples are few and
//! short so that the whole run fits in about ten minutes on two cores:
//! `cargo bench -p homeflake-bench`, or one step with `cargo bench -p homeflake-bench -- generate`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{
    BatchSize, BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main, measurement::WallTime,
};
use homeflake_files::ApplyOptions;
use homeflake_model::Cluster;

const SIZES: [usize; 4] = [3, 100, 1_000, 10_000];

fn cluster(hosts: usize) -> Cluster {
    homeflake_model::from_sources(&homeflake_bench::sources(hosts)).unwrap_or_else(|e| panic!("{e}")).cluster
}

fn group<'a>(c: &'a mut Criterion, name: &str) -> BenchmarkGroup<'a, WallTime> {
    let mut group = c.benchmark_group(name);
    group.sample_size(10).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(3));
    group
}

fn load(c: &mut Criterion) {
    let mut group = group(c, "load");
    for hosts in SIZES {
        let sources = homeflake_bench::sources(hosts);
        group.throughput(Throughput::Elements(hosts as u64));
        group.bench_function(hosts.to_string(), |b| b.iter(|| homeflake_model::from_sources(black_box(&sources))));
    }
}

fn generate(c: &mut Criterion) {
    let mut group = group(c, "generate");
    for hosts in SIZES {
        let cluster = cluster(hosts);
        group.throughput(Throughput::Elements(hosts as u64));
        group.bench_function(hosts.to_string(), |b| b.iter(|| homeflake_gen::generate(black_box(&cluster))));
    }
}

fn lower(c: &mut Criterion) {
    let mut group = group(c, "lower");
    for hosts in SIZES {
        let cluster = cluster(hosts);
        group.throughput(Throughput::Elements(hosts as u64));
        // Dropping 10,000 ASTs at once is not part of lowering (generate drops each after printing it).
        group.bench_function(hosts.to_string(), |b| {
            b.iter_with_large_drop(|| homeflake_bench::lowered_nix_files(black_box(&cluster)))
        });
    }
}

fn print(c: &mut Criterion) {
    let mut group = group(c, "print");
    for hosts in SIZES {
        let files = homeflake_bench::lowered_nix_files(&cluster(hosts));
        group.throughput(Throughput::Elements(hosts as u64));
        group.bench_function(hosts.to_string(), |b| {
            b.iter(|| files.iter().map(|(_, file)| homeflake_nix::print_file(black_box(file)).len()).sum::<usize>())
        });
    }
}

fn write(c: &mut Criterion) {
    let mut group = group(c, "write");
    for hosts in SIZES {
        let files = homeflake_gen::generate(&cluster(hosts));
        group.throughput(Throughput::Elements(hosts as u64));
        group.bench_function(hosts.to_string(), |b| {
            b.iter_batched(
                || tempfile::tempdir().expect("a temporary folder"),
                |dir| {
                    homeflake_files::apply(&dir.path().join("flake"), &files, ApplyOptions::default())
                        .expect("applying to an empty folder");
                    // Returned so that deleting the tree is not timed.
                    dir
                },
                BatchSize::PerIteration,
            )
        });
    }
}

criterion_group!(benches, load, generate, lower, print, write);
criterion_main!(benches);
