//! The whole-process comparison: the release `homeflake` binary against nixfmt_rs, `cp -r` and `cat`
//! on the same generated tree, peak memory against output size, and time per host as the fleet grows.
//!
//! Every figure is the median of several runs on a warm page cache: the inventory and the tree are
//! read once before they are measured, and `sync` runs (untimed) between runs so that one run's
//! write-back does not land in the next one's time.
//!
//! Each run writes a new folder and nothing is deleted until every run is done: on ext4, creating
//! thousands of files right after deleting thousands makes the inode allocator skip the recently
//! deleted inodes one by one (`recently_deleted` in `ext4/ialloc.c`), which slowed both `gen` and
//! `cp -r` tenfold and made them measure the benchmark's own deletions.

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use homeflake_files::ApplyOptions;

/// What to compare.
pub struct Settings {
    /// The fleet size of the comparison.
    pub hosts: usize,
    /// Runs per measurement; the median is reported.
    pub runs: usize,
    /// The fleet sizes of the time-per-host table.
    pub scale: Vec<usize>,
    /// The `homeflake` binary.
    pub homeflake: PathBuf,
    /// Where the fixtures and trees go; a temporary folder when `None`.
    pub work: Option<PathBuf>,
}

/// `target/release/homeflake` next to this binary.
pub fn default_homeflake() -> io::Result<PathBuf> {
    let path = std::env::current_exe()?.with_file_name("homeflake");
    if path.is_file() {
        Ok(path)
    } else {
        Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!(
                "{} is missing: build it with `cargo build --release -p homeflake --bin homeflake`, or pass --homeflake PATH",
                path.display()
            ),
        ))
    }
}

/// Runs the comparison and prints its tables (Markdown) on standard output; progress goes to standard error.
pub fn run(settings: &Settings) -> Result<(), String> {
    let temp;
    let work = match &settings.work {
        Some(work) => {
            fs::create_dir_all(work).map_err(|e| format!("creating {}: {e}", work.display()))?;
            work.clone()
        }
        None => {
            temp = tempfile::Builder::new().prefix("homeflake-bench-").tempdir().map_err(|e| e.to_string())?;
            temp.path().to_path_buf()
        }
    };
    let bench = Bench { homeflake: &settings.homeflake, runs: settings.runs, fresh: std::cell::Cell::new(0) };
    let n = settings.hosts;
    let inventory = work.join(format!("inventory-{n}"));
    remove(&inventory)?;
    homeflake_bench::write_fixture(&inventory, n).map_err(|e| format!("writing the fixture: {e}"))?;

    eprintln!("warming up: gen of {n} hosts");
    let tree = bench.fresh(&work)?;
    bench.run_gen(&inventory, &tree)?;
    sync()?;

    eprintln!("gen into an empty folder, and cp -r of its output ({} runs each, alternating)", bench.runs);
    let (mut gens, mut cps) = (Vec::new(), Vec::new());
    for _ in 0..bench.runs {
        let out = bench.fresh(&work)?;
        gens.push(bench.run_gen(&inventory, &out)?);
        sync()?;
        let copy = bench.fresh(&work)?;
        cps.push(time(Command::new("cp").arg("-r").arg(&tree).arg(&copy))?);
        sync()?;
    }
    let (generation, cp) = (median_of(gens), median_of(cps));
    let stats = TreeStats::of(&tree).map_err(|e| format!("reading {}: {e}", tree.display()))?;

    eprintln!("nixfmt_rs::format over {} .nix files ({} runs)", stats.nix_files.len(), bench.runs);
    let changed = stats.nix_files.iter().filter(|text| nixfmt_rs::format(text).ok().as_ref() != Some(*text)).count();
    let nixfmt = bench.median(|| {
        let start = Instant::now();
        for text in &stats.nix_files {
            std::hint::black_box(nixfmt_rs::format(std::hint::black_box(text)).map_err(|e| format!("{e:?}"))?);
        }
        Ok(start.elapsed())
    })?;

    eprintln!("cp -r, then sync ({} runs)", bench.runs);
    let cp_sync = bench.median(|| {
        let copy = bench.fresh(&work)?;
        let start = Instant::now();
        run_quietly(Command::new("cp").arg("-r").arg(&tree).arg(&copy))?;
        sync()?;
        Ok(start.elapsed())
    })?;

    eprintln!("gen --check and cat ({} runs)", bench.runs);
    let check = bench.median(|| time(bench.command(&inventory, &tree).arg("--check")))?;
    let cat = bench.median(|| time(Command::new("find").arg(&tree).args(["-type", "f", "-exec", "cat", "{}", "+"])))?;

    eprintln!("peak memory of gen");
    let peak_rss = peak_rss_bytes(&work, bench.command(&inventory, &bench.fresh(&work)?))?;

    let mut scale = Vec::new();
    for &size in &settings.scale {
        eprintln!("time per host at {size} hosts ({} runs)", bench.runs);
        scale.push(bench.scale(&work, size)?);
    }

    eprintln!("removing the {} trees", bench.fresh.get());
    bench.remove_fresh(&work)?;
    let report = Report {
        hosts: n,
        runs: bench.runs,
        stats,
        changed,
        generation,
        nixfmt,
        cp,
        cp_sync,
        check,
        cat,
        peak_rss,
        scale,
    };
    print!("{}", report.render());
    Ok(())
}

struct Bench<'a> {
    homeflake: &'a Path,
    runs: usize,
    /// How many fresh output folders were handed out.
    fresh: std::cell::Cell<usize>,
}

impl Bench<'_> {
    /// A new, not yet existing output folder under `work`.
    fn fresh(&self, work: &Path) -> Result<PathBuf, String> {
        let n = self.fresh.get();
        self.fresh.set(n + 1);
        let path = work.join(format!("out-{n}"));
        remove(&path)?;
        Ok(path)
    }

    /// Deletes every folder [`Bench::fresh`] handed out.
    fn remove_fresh(&self, work: &Path) -> Result<(), String> {
        (0..self.fresh.get()).try_for_each(|n| remove(&work.join(format!("out-{n}"))))
    }

    /// `homeflake gen --inventory INVENTORY --out OUT`.
    fn command(&self, inventory: &Path, out: &Path) -> Command {
        let mut command = Command::new(self.homeflake);
        command.arg("gen").arg("--inventory").arg(inventory).arg("--out").arg(out);
        command
    }

    fn run_gen(&self, inventory: &Path, out: &Path) -> Result<Duration, String> {
        time(&mut self.command(inventory, out))
    }

    /// The median of `runs` results of `measure`.
    fn median(&self, mut measure: impl FnMut() -> Result<Duration, String>) -> Result<Duration, String> {
        Ok(median_of((0..self.runs).map(|_| measure()).collect::<Result<Vec<_>, _>>()?))
    }

    /// Time per host at `hosts`: the library pipeline in this process, stage by stage, and the whole process.
    fn scale(&self, work: &Path, hosts: usize) -> Result<Scale, String> {
        let inventory = work.join(format!("inventory-{hosts}"));
        remove(&inventory)?;
        homeflake_bench::write_fixture(&inventory, hosts).map_err(|e| format!("writing the fixture: {e}"))?;
        let mut stages: Vec<[Duration; 3]> = Vec::new();
        for run in 0..=self.runs {
            let out = self.fresh(work)?;
            sync()?;
            let start = Instant::now();
            let loaded = homeflake_model::load(&inventory).map_err(|e| e.to_string())?;
            let loaded_at = Instant::now();
            let files = homeflake_gen::generate(&loaded.cluster);
            let generated_at = Instant::now();
            homeflake_files::apply(&out, &files, ApplyOptions::default()).map_err(|e| e.to_string())?;
            let applied_at = Instant::now();
            // The first run warms the page cache and the allocator; it is not counted.
            if run > 0 {
                stages.push([loaded_at - start, generated_at - loaded_at, applied_at - generated_at]);
            }
        }
        let stage = |i: usize| median_of(stages.iter().map(|s| s[i]).collect());
        let total = median_of(stages.iter().map(|s| s.iter().sum()).collect());
        let process = self.median(|| {
            let out = self.fresh(work)?;
            sync()?;
            self.run_gen(&inventory, &out)
        })?;
        Ok(Scale { hosts, load: stage(0), generate: stage(1), apply: stage(2), total, process })
    }
}

fn median_of(mut times: Vec<Duration>) -> Duration {
    times.sort();
    let mid = times.len() / 2;
    if times.len() % 2 == 1 { times[mid] } else { (times[mid - 1] + times[mid]) / 2 }
}

/// Runs `command` with its output discarded; fails with its standard error when it fails.
fn run_quietly(command: &mut Command) -> Result<(), String> {
    let output =
        command.stdout(Stdio::null()).stderr(Stdio::piped()).output().map_err(|e| format!("{command:?}: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!("{command:?} failed ({}): {}", output.status, String::from_utf8_lossy(&output.stderr)))
    }
}

/// The wall-clock time of `command`, from spawn to exit.
fn time(command: &mut Command) -> Result<Duration, String> {
    let start = Instant::now();
    run_quietly(command)?;
    Ok(start.elapsed())
}

fn sync() -> Result<(), String> {
    run_quietly(&mut Command::new("sync"))
}

fn remove(path: &Path) -> Result<(), String> {
    match fs::remove_dir_all(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(format!("removing {}: {e}", path.display())),
    }
}

/// The peak resident set of `command`, from `/usr/bin/time -f %M` (GNU time; kilobytes).
fn peak_rss_bytes(work: &Path, command: Command) -> Result<Option<u64>, String> {
    let gnu_time = Path::new("/usr/bin/time");
    if !gnu_time.is_file() {
        eprintln!("warning: /usr/bin/time is missing (Debian package `time`); peak memory is not measured");
        return Ok(None);
    }
    let report = work.join("rss.txt");
    let mut timed = Command::new(gnu_time);
    timed.args(["-f", "%M", "-o"]).arg(&report).arg(command.get_program()).args(command.get_args());
    run_quietly(&mut timed)?;
    let text = fs::read_to_string(&report).map_err(|e| format!("reading {}: {e}", report.display()))?;
    let kilobytes: u64 = text.trim().parse().map_err(|e| format!("/usr/bin/time printed {text:?}: {e}"))?;
    Ok(Some(kilobytes * 1024))
}

/// What a generated tree holds.
struct TreeStats {
    files: usize,
    bytes: u64,
    manifest_bytes: u64,
    nix_files: Vec<String>,
}

impl TreeStats {
    fn of(root: &Path) -> io::Result<TreeStats> {
        let mut stats = TreeStats { files: 0, bytes: 0, manifest_bytes: 0, nix_files: Vec::new() };
        let mut folders = vec![root.to_path_buf()];
        let mut nix_paths = Vec::new();
        while let Some(folder) = folders.pop() {
            for entry in fs::read_dir(&folder)? {
                let entry = entry?;
                let kind = entry.file_type()?;
                if kind.is_dir() {
                    folders.push(entry.path());
                } else if kind.is_file() {
                    let len = entry.metadata()?.len();
                    stats.files += 1;
                    stats.bytes += len;
                    if entry.file_name() == homeflake_files::MANIFEST_FILE_NAME {
                        stats.manifest_bytes += len;
                    }
                    if entry.path().extension().is_some_and(|e| e == "nix") {
                        nix_paths.push(entry.path());
                    }
                }
            }
        }
        nix_paths.sort();
        stats.nix_files = nix_paths.iter().map(fs::read_to_string).collect::<io::Result<_>>()?;
        Ok(stats)
    }
}

/// Time per host at one fleet size.
struct Scale {
    hosts: usize,
    load: Duration,
    generate: Duration,
    apply: Duration,
    total: Duration,
    process: Duration,
}

struct Report {
    hosts: usize,
    runs: usize,
    stats: TreeStats,
    changed: usize,
    generation: Duration,
    nixfmt: Duration,
    cp: Duration,
    cp_sync: Duration,
    check: Duration,
    cat: Duration,
    peak_rss: Option<u64>,
    scale: Vec<Scale>,
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn per_host(d: Duration, hosts: usize) -> String {
    format!("{:.1}", d.as_secs_f64() * 1e6 / hosts as f64)
}

fn verdict(ratio: f64, limit: f64) -> &'static str {
    if ratio <= limit { "met" } else { "**missed**" }
}

impl Report {
    fn render(&self) -> String {
        let s = &self.stats;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "N = {} hosts: {} files, {} bytes ({} of them the manifest), {} .nix files; median of {} runs, warm page cache.\n",
            self.hosts,
            s.files,
            s.bytes,
            s.manifest_bytes,
            s.nix_files.len(),
            self.runs
        );
        let _ = writeln!(out, "| measurement | median |\n|---|---:|");
        let rows = [
            ("`homeflake gen` into an empty folder", self.generation),
            ("`nixfmt_rs::format` of every .nix file (in memory, one thread)", self.nixfmt),
            ("`cp -r` of the tree", self.cp),
            ("`cp -r` of the tree, then `sync`", self.cp_sync),
            ("`homeflake gen --check`, nothing to do", self.check),
            ("`find … -type f -exec cat {} +` of the tree", self.cat),
        ];
        for (name, d) in rows {
            let _ = writeln!(out, "| {name} | {} |", ms(d));
        }
        if let Some(rss) = self.peak_rss {
            let _ = writeln!(out, "| peak RSS of `gen` | {:.1} MiB |", rss as f64 / (1024.0 * 1024.0));
        }
        let _ = writeln!(out, "| output bytes | {:.1} MiB |", s.bytes as f64 / (1024.0 * 1024.0));
        if self.changed > 0 {
            let _ = writeln!(out, "\nwarning: nixfmt_rs changes {} of the .nix files", self.changed);
        }

        let _ = writeln!(out, "\n| target | ratio | limit | |\n|---|---:|---:|---|");
        let secs = |d: Duration| d.as_secs_f64();
        let mut ratio = |name: &str, value: f64, limit: f64| {
            let _ = writeln!(out, "| {name} | {value:.2}× | {limit}× | {} |", verdict(value, limit));
        };
        ratio("gen ÷ nixfmt_rs format", secs(self.generation) / secs(self.nixfmt), 0.5);
        ratio("gen ÷ cp -r", secs(self.generation) / secs(self.cp), 3.0);
        ratio("gen --check ÷ cat", secs(self.check) / secs(self.cat), 2.0);
        if let Some(rss) = self.peak_rss {
            ratio("peak RSS ÷ output bytes", rss as f64 / s.bytes as f64, 3.0);
        }
        if let (Some(first), Some(last)) = (self.scale.first(), self.scale.last()) {
            let growth =
                |d: fn(&Scale) -> Duration| (secs(d(last)) / last.hosts as f64) / (secs(d(first)) / first.hosts as f64);
            let label = format!("µs/host at N={} ÷ µs/host at N={}", last.hosts, first.hosts);
            ratio(&format!("{label} (in process)"), growth(|s| s.total), 1.5);
            ratio(&format!("{label} (whole process)"), growth(|s| s.process), 1.5);
        }

        let _ = writeln!(
            out,
            "\n| N | load µs/host | generate µs/host | apply µs/host | in-process µs/host | whole `gen` µs/host |\n|---:|---:|---:|---:|---:|---:|"
        );
        for row in &self.scale {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                row.hosts,
                per_host(row.load, row.hosts),
                per_host(row.generate, row.hosts),
                per_host(row.apply, row.hosts),
                per_host(row.total, row.hosts),
                per_host(row.process, row.hosts)
            );
        }
        out
    }
}
