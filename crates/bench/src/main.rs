//! `homeflake-bench`: writes the benchmark fixture, and runs the whole-process comparison.
//!
//! ```text
//! homeflake-bench fixture --hosts N --out DIR
//! homeflake-bench compare [--hosts 10000] [--runs 5] [--scale 100,1000,10000] [--homeflake PATH] [--work DIR]
//! ```

mod compare;

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "\
usage:
  homeflake-bench fixture --hosts N --out DIR
      write a valid inventory of N hosts (homeflake.toml and hosts/<name>/host.toml) into DIR
  homeflake-bench compare [--hosts N] [--runs R] [--scale N,N,...] [--homeflake PATH] [--work DIR]
      generate an N-host fleet (default 10000) with the release `homeflake` binary and compare it,
      median of R runs (default 5), with nixfmt_rs formatting the output, cp -r and cat of the tree;
      then time per host at each --scale size (default 100,1000,10000)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &[String]) -> Result<(), String> {
    let (command, rest) = args.split_first().ok_or("no command given")?;
    let options = Options::parse(rest)?;
    match command.as_str() {
        "fixture" => {
            let hosts = options.hosts.ok_or("fixture needs --hosts N")?;
            let out = options.out.ok_or("fixture needs --out DIR")?;
            check_hosts(hosts)?;
            let bytes =
                homeflake_bench::write_fixture(&out, hosts).map_err(|e| format!("writing {}: {e}", out.display()))?;
            println!("wrote a {hosts}-host inventory ({bytes} bytes) into {}", out.display());
            Ok(())
        }
        "compare" => {
            let hosts = options.hosts.unwrap_or(10_000);
            check_hosts(hosts)?;
            let scale = options.scale.unwrap_or_else(|| vec![100, 1_000, 10_000]);
            for &n in &scale {
                check_hosts(n)?;
            }
            let settings = compare::Settings {
                hosts,
                runs: options.runs.unwrap_or(5).max(1),
                scale,
                homeflake: match options.homeflake {
                    Some(path) => path,
                    None => compare::default_homeflake().map_err(|e| format!("finding the homeflake binary: {e}"))?,
                },
                work: options.work,
            };
            compare::run(&settings)
        }
        "help" | "--help" | "-h" => {
            println!("{USAGE}");
            Ok(())
        }
        other => Err(format!("unknown command {other:?}")),
    }
}

fn check_hosts(hosts: usize) -> Result<(), String> {
    if (1..=homeflake_bench::MAX_HOSTS).contains(&hosts) {
        Ok(())
    } else {
        Err(format!("--hosts must be from 1 to {}, not {hosts}", homeflake_bench::MAX_HOSTS))
    }
}

/// The command-line options, all of the form `--name VALUE`.
#[derive(Default)]
struct Options {
    hosts: Option<usize>,
    out: Option<PathBuf>,
    runs: Option<usize>,
    scale: Option<Vec<usize>>,
    homeflake: Option<PathBuf>,
    work: Option<PathBuf>,
}

impl Options {
    fn parse(args: &[String]) -> Result<Options, String> {
        let mut options = Options::default();
        let mut args = args.iter();
        while let Some(name) = args.next() {
            let value = args.next().ok_or_else(|| format!("{name} needs a value"))?;
            let number = |v: &str| v.replace('_', "").parse::<usize>().map_err(|e| format!("{name} {v:?}: {e}"));
            match name.as_str() {
                "--hosts" => options.hosts = Some(number(value)?),
                "--runs" => options.runs = Some(number(value)?),
                "--scale" => options.scale = Some(value.split(',').map(number).collect::<Result<_, _>>()?),
                "--out" => options.out = Some(PathBuf::from(value)),
                "--homeflake" => options.homeflake = Some(PathBuf::from(value)),
                "--work" => options.work = Some(PathBuf::from(value)),
                other => return Err(format!("unknown option {other:?}")),
            }
        }
        Ok(options)
    }
}
