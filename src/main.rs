//! The `homeflake` command line: a thin layer over the library that prints and sets the exit code.

mod explain;

use std::io::{IsTerminal, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand, ValueEnum};
use homeflake::files::{LockHolder, ReadLock, WriteLock};
use homeflake::generator::deploy::{self, Action};
use homeflake::model::{Code, Diagnostic, LoadError, Loaded, Severity, printable};
use homeflake::{ApplyOptions, WriteError};

/// The example inventory `init` writes: the reference cluster, commented.
const STARTER_INVENTORY: &str = include_str!("../homeflake.toml");

const AFTER_HELP: &str = "\
Exit status:
  0  success
  1  `gen --check` found the flake stale, or the inventory is invalid, or a generated file was edited by hand,
     or `deploy` failed or cannot start (a stale flake, no SSH user, an unset environment variable)
  2  usage or I/O error (an unknown host name for `deploy` is a usage error; a missing nixos-rebuild, an I/O error)

Typical use, from the folder holding homeflake.toml:
  homeflake validate          check the inventory
  homeflake plan              show what gen would change
  homeflake gen               write the flake
  homeflake deploy --install --dry-run
                              how to install each machine the first time
  homeflake deploy --dry-run  the nixos-rebuild command for each host, control planes first
  homeflake deploy            run them, from this machine over SSH, stopping at the first failure";

#[derive(Parser)]
#[command(
    name = "homeflake",
    version,
    about = "Turn one typed inventory of a NixOS + Kubernetes home lab into a formatted, pinned Nix flake",
    long_about = "Turn one typed inventory of a NixOS + Kubernetes home lab (homeflake.toml) into a complete, \
                  formatted, pinned Nix flake: flake.nix, flake.lock, hosts/<name>/default.nix, modules/ and docs/, \
                  and the cluster layer in cluster/ (helmfile.yaml, chart values, manifests).",
    after_help = AFTER_HELP
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args)]
struct InventoryArgs {
    /// The inventory: a folder holding homeflake.toml (or homeflake.json), or that file itself.
    #[arg(long, short, value_name = "PATH", default_value = ".")]
    inventory: PathBuf,
}

#[derive(clap::Args)]
struct OutputArgs {
    #[command(flatten)]
    inventory: InventoryArgs,
    /// Where the flake is written; defaults to the inventory's folder.
    #[arg(long, short, value_name = "DIR")]
    out: Option<PathBuf>,
    /// How long to wait, in seconds, for another homeflake run writing into the output folder.
    #[arg(long, value_name = "SECONDS", default_value_t = homeflake::files::DEFAULT_LOCK_TIMEOUT.as_secs())]
    lock_timeout: u64,
}

#[derive(Subcommand)]
enum Command {
    /// Validate the inventory, generate the flake and write the files that changed.
    ///
    /// Unchanged files are not touched. Each file is written to a temporary file and renamed into
    /// place. Generated files the inventory no longer produces are removed. A generated file edited
    /// by hand since homeflake wrote it, or a file homeflake never generated, is never overwritten
    /// or removed without --force.
    Gen {
        #[command(flatten)]
        output: OutputArgs,
        /// Write nothing; exit 1 listing stale, missing and extra files if the flake is out of date.
        #[arg(long)]
        check: bool,
        /// Overwrite generated files edited by hand, and files homeflake did not generate that are in the way.
        #[arg(long, conflicts_with = "check")]
        force: bool,
    },
    /// Show the unified diff of what `gen` would change, then a summary line.
    #[command(alias = "diff")]
    Plan {
        #[command(flatten)]
        output: OutputArgs,
        /// Colour the diff.
        #[arg(long, value_enum, default_value_t = Color::Auto)]
        color: Color,
        /// After the diff, say for each changed line which inventory keys it comes from.
        #[arg(long)]
        explain: bool,
    },
    /// Load and validate the inventory only: print errors and warnings; exit 1 on errors.
    Validate {
        #[command(flatten)]
        inventory: InventoryArgs,
    },
    /// Switch hosts to the flake over SSH, control planes first, then workers, then the rest.
    ///
    /// For each host, in that order whatever order they are given in, prints and runs
    /// `nixos-rebuild switch --flake .#<host> --target-host <user>@<address> [--build-host …] --sudo
    /// --ask-sudo-password [--impure]` in the flake's folder, and stops at the first failure. The
    /// configuration is evaluated on this machine, so the environment variables the inventory reads
    /// are taken from this shell (export them; no sudo clears them), and sudo runs on the host only,
    /// asking for the password. Address, user and where to build come from `hosts.<name>.deploy`
    /// (default: the LAN address, the first user in wheel, on the host when this machine cannot
    /// build its system, see `[deploy] local-systems`). The flake must be up to date (`gen`).
    Deploy {
        #[command(flatten)]
        output: OutputArgs,
        /// The hosts to deploy; all when none is given.
        #[arg(value_name = "HOST")]
        hosts: Vec<String>,
        /// Print the plan only: run nothing, write nothing, read no environment variable.
        #[arg(long)]
        dry_run: bool,
        /// Make the new system the boot default without activating it (`nixos-rebuild boot`).
        #[arg(long, conflicts_with = "install")]
        boot: bool,
        /// Print the first installation of each host instead, and run nothing: for a Raspberry Pi,
        /// building and writing its SD-card image; for a UEFI PC, the NixOS installer, its hardware
        /// description and the install over SSH (with `system-disk`: nixos-anywhere, which erases
        /// that disk and lays it out with disko).
        #[arg(long)]
        install: bool,
    },
    /// Trace generated lines back to the inventory keys they come from.
    ///
    /// `explain FILE:LINE` prints a generated line and each inventory key it comes from, with the
    /// inventory line that writes it (or that its default applies) and the rule that derives it;
    /// `explain FILE` does so for every line of the file that a key reaches. `explain --key KEY`
    /// lists every generated line KEY reaches: what changing it changes. `explain --option OPTION
    /// --host HOST` shows where the NixOS option is set for HOST and from which keys. Keys are
    /// written as in the inventory: `network.gateway`, `hosts.yomogi.lan-address`,
    /// `ingress.node-ports.https`, `users[0].name`.
    Explain {
        #[command(flatten)]
        inventory: InventoryArgs,
        /// A generated file, or a line of it: `hosts/yomogi/default.nix:23`.
        #[arg(value_name = "FILE[:LINE]", required_unless_present_any = ["key", "option"], conflicts_with_all = ["key", "option"])]
        target: Option<String>,
        /// An inventory key: list every generated line it reaches.
        #[arg(long, value_name = "KEY", conflicts_with = "option")]
        key: Option<String>,
        /// A NixOS option path: where it is set for --host.
        #[arg(long, value_name = "OPTION", requires = "host")]
        option: Option<String>,
        /// The host whose configuration --option looks in.
        #[arg(long, value_name = "HOST", requires = "option")]
        host: Option<String>,
        /// Print JSON (the shape is documented in README.md) instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Print the cluster's topology as a Mermaid diagram.
    Graph {
        #[command(flatten)]
        inventory: InventoryArgs,
    },
    /// Print the JSON Schema of the inventory, for editors.
    Schema,
    /// Write a commented starter inventory (the reference cluster) into a new folder, or one that
    /// holds nothing but hidden entries (a fresh `git init`).
    Init {
        /// The folder to create or fill; it may hold hidden entries such as .git, nothing else.
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Color {
    /// Colour when standard output is a terminal and NO_COLOR is unset.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// Writes to standard output; a reader that stopped reading (`homeflake plan | head`) ends the command quietly.
macro_rules! out {
    ($($arg:tt)*) => {
        write_stdout(format_args!($($arg)*))
    };
}

/// [`out!`] with a newline.
macro_rules! outln {
    ($($arg:tt)*) => {
        write_stdout(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// Standard output was closed by its reader: not a failure of the command.
#[derive(Debug)]
struct StdoutClosed;

impl std::fmt::Display for StdoutClosed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("standard output was closed")
    }
}

impl std::error::Error for StdoutClosed {}

fn write_stdout(args: std::fmt::Arguments<'_>) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_fmt(args).and_then(|()| stdout.flush()) {
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Err(StdoutClosed.into()),
        result => result.context("writing to standard output"),
    }
}

/// The command failed in a way the user must fix in the inventory or the tree (exit 1), rather than an I/O error (exit 2).
#[derive(Debug)]
struct Failed;

impl std::fmt::Display for Failed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("failed")
    }
}

impl std::error::Error for Failed {}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return if error.use_stderr() { ExitCode::from(2) } else { ExitCode::SUCCESS };
        }
    };
    match run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) if error.is::<StdoutClosed>() => ExitCode::SUCCESS,
        Err(error) if error.is::<Failed>() => ExitCode::from(1),
        Err(error) => {
            eprintln!("error: {}", printable(&format!("{error:#}")));
            ExitCode::from(2)
        }
    }
}

fn run(command: Command) -> Result<()> {
    match command {
        Command::Gen { output, check, force } => run_gen(&output, check, force),
        Command::Plan { output, color, explain } => plan(&output, color, explain),
        Command::Validate { inventory } => {
            let hosts = load(&inventory)?.cluster.hosts.len();
            let file = inventory_file(&inventory_root(&inventory.inventory)?);
            outln!("{}: valid, {hosts} host{}", shown(&file), if hosts == 1 { "" } else { "s" })
        }
        Command::Explain { inventory, target, key, option, host, json } => {
            let question = match (&target, &key, &option, &host) {
                (Some(target), _, _, _) => explain::Question::parse_target(target),
                (_, Some(key), _, _) => explain::Question::Key(key),
                (_, _, Some(option), Some(host)) => explain::Question::Option { option, host },
                _ => bail!("explain needs FILE[:LINE], --key KEY, or --option OPTION --host HOST"),
            };
            run_explain(&inventory, question, json)
        }
        Command::Graph { inventory } => {
            let loaded = load(&inventory)?;
            out!("{}", homeflake::generator::docs::topology::mermaid(&loaded.cluster))
        }
        Command::Schema => {
            outln!("{}", serde_json::to_string_pretty(&homeflake::schema()).context("serialising the schema")?)
        }
        Command::Init { dir } => init(&dir),
        Command::Deploy { output, hosts, dry_run, boot, install } => {
            let action = if boot { Action::Boot } else { Action::Switch };
            deploy(&output, &hosts, DeployMode { dry_run, install, action })
        }
    }
}

/// What `homeflake deploy` was asked to do.
struct DeployMode {
    dry_run: bool,
    install: bool,
    action: Action,
}

/// Plans every host's command before running any, then runs them in order, stopping at the first failure.
fn deploy(output: &OutputArgs, names: &[String], mode: DeployMode) -> Result<()> {
    let loaded = load(&output.inventory)?;
    let cluster = &loaded.cluster;
    let planner = deploy::Planner::new(cluster);
    let flake = out_dir(output);
    if mode.install {
        let hosts = homeflake::generator::deploy::select(cluster, names)?;
        if flake != Path::new(".") {
            outln!("# run from {}", shown(&flake))?;
        }
        for (i, host) in hosts.into_iter().enumerate() {
            let gap = if i == 0 { "" } else { "\n" };
            outln!("{gap}# --- {} ({})", host.name, deploy::role_label(host))?;
            for line in planner.install(host) {
                outln!("{line}")?;
            }
        }
        return Ok(());
    }
    let plan = planner.plan(names, mode.action).map_err(|error| match error {
        deploy::DeployError::UnknownHost { .. } => anyhow::Error::new(error),
        other => {
            eprintln!("error: {other}");
            Failed.into()
        }
    })?;
    let files = homeflake::generate(cluster);
    let report = ReadLock::acquire(&flake, lock_timeout(output), say_waiting(&flake))
        .and_then(|lock| lock.check(&files))
        .with_context(|| format!("checking {}", flake.display()))?;
    if !report.is_up_to_date() {
        eprintln!(
            "error: the flake in {} is out of date with the inventory, so it would deploy something else; run {} first",
            shown(&flake),
            printable(&regenerate_command(output))
        );
        return Err(Failed.into());
    }
    if mode.dry_run {
        let s = if plan.len() == 1 { "" } else { "s" };
        outln!("# {} host{s}, control planes first; nothing is run (--dry-run)", plan.len())?;
        if flake != Path::new(".") {
            outln!("# run from {}", shown(&flake))?;
        }
        for (_, command) in &plan {
            outln!("{command}")?;
        }
        return Ok(());
    }
    let env = |name: &str| std::env::var(name).ok();
    let missing = planner.missing_env(&plan, env);
    if !missing.is_empty() {
        for (var, hosts) in &missing {
            let hosts: Vec<String> = hosts.iter().map(|h| h.to_string()).collect();
            let read = if hosts.len() == 1 { "reads" } else { "read" };
            eprintln!("error: environment variable {var} is unset or empty; {} {read} it: export it", hosts.join(", "));
        }
        eprintln!("error: nothing was deployed");
        return Err(Failed.into());
    }
    let mut resolved = Vec::with_capacity(plan.len());
    for (host, command) in &plan {
        match command.resolve(env) {
            Ok(words) => resolved.push((*host, command, words)),
            Err(error) => {
                eprintln!("error: {error}\nerror: nothing was deployed");
                return Err(Failed.into());
            }
        }
    }
    for (i, (host, command, words)) in resolved.iter().enumerate() {
        outln!("==> {} ({}), {} of {}", host.name, deploy::role_label(host), i + 1, resolved.len())?;
        outln!("{command}")?;
        let status = std::process::Command::new(&words[0])
            .args(&words[1..])
            .current_dir(&flake)
            .status()
            .with_context(|| format!("running {} (is it installed and on PATH?)", command.program()))?;
        if !status.success() {
            let how = status.code().map_or_else(|| "was killed by a signal".to_owned(), |c| format!("exited with {c}"));
            eprintln!("error: deploying {} failed: {} {how}", host.name, command.program());
            let rest: Vec<String> = resolved[i + 1..].iter().map(|(h, _, _)| h.name.to_string()).collect();
            if !rest.is_empty() {
                eprintln!("error: stopped before {}", rest.join(", "));
            }
            return Err(Failed.into());
        }
    }
    let s = if resolved.len() == 1 { "" } else { "s" };
    outln!("deployed {} host{s}", resolved.len())
}

fn run_explain(inventory: &InventoryArgs, question: explain::Question<'_>, json: bool) -> Result<()> {
    let loaded = load(inventory)?;
    let root = inventory_root(&inventory.inventory)?;
    let sources =
        homeflake::model::read(&root).with_context(|| format!("reading the inventory in {}", root.display()))?;
    let locations = homeflake::model::locate(&sources);
    let trace = homeflake::generator::trace::trace(&loaded.cluster);
    let explainer = homeflake::generator::explain::Explainer::new(&trace, &locations);
    match explain::answer(&explainer, &loaded.cluster, question, json) {
        Ok(text) => out!("{text}"),
        Err(error) => {
            eprintln!("error: {}", printable(&error.to_string()));
            Err(Failed.into())
        }
    }
}

fn run_gen(output: &OutputArgs, check: bool, force: bool) -> Result<()> {
    let loaded = load(&output.inventory)?;
    let files = homeflake::generate(&loaded.cluster);
    let out = out_dir(output);
    if check {
        let report = ReadLock::acquire(&out, lock_timeout(output), say_waiting(&out))
            .and_then(|lock| lock.check(&files))
            .with_context(|| format!("checking {}", out.display()))?;
        if report.is_up_to_date() {
            outln!("{}: up to date ({} files)", shown(&out), files.len())?;
            return Ok(());
        }
        for (label, paths) in [("stale", &report.stale), ("missing", &report.missing), ("extra", &report.extra)] {
            for path in paths {
                eprintln!("{label}: {}", shown(&in_out(&out, path.as_str())));
            }
        }
        eprintln!("error: the flake is out of date with the inventory; run {}", printable(&regenerate_command(output)));
        return Err(Failed.into());
    }
    let applied = WriteLock::acquire(&out, lock_timeout(output), say_waiting(&out))
        .and_then(|lock| lock.apply(&files, ApplyOptions { force }));
    match applied {
        Ok(report) => {
            for path in &report.forced {
                eprintln!("warning: overwrote {} (--force)", shown(&in_out(&out, path.as_str())));
            }
            outln!("{}", report.summary())?;
            for step in homeflake::next_steps(&loaded.cluster) {
                outln!("next: {step}")?;
            }
            Ok(())
        }
        Err(WriteError::Conflicts(conflicts)) => {
            eprintln!("error: {}", conflicts.render(color_enabled(Color::Auto, true)));
            eprintln!("nothing was written; keep your edits in hosts/<host>/extra.nix, or rerun with --force");
            Err(Failed.into())
        }
        Err(error) => Err(error).with_context(|| format!("writing the flake into {}", out.display())),
    }
}

fn plan(output: &OutputArgs, color: Color, explain: bool) -> Result<()> {
    let loaded = load(&output.inventory)?;
    let files = homeflake::generate(&loaded.cluster);
    let out = out_dir(output);
    let plan = ReadLock::acquire(&out, lock_timeout(output), say_waiting(&out))
        .and_then(|lock| lock.plan(&files))
        .with_context(|| format!("planning {}", out.display()))?;
    out!("{}", plan.diff(color_enabled(color, false)))?;
    if explain {
        let trace = homeflake::generator::trace::trace(&loaded.cluster);
        out!("{}", explain::plan_reasons(&plan, &trace))?;
    }
    outln!("{}", plan.summary())?;
    Ok(())
}

fn init(dir: &Path) -> Result<()> {
    if dir.exists() {
        let entries = std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))?;
        // Hidden entries (`.git` after `git init`, `.envrc`, `.gitignore`) are the repository's, not
        // files init could clash with.
        let mut visible = Vec::new();
        for entry in entries {
            let name = entry.with_context(|| format!("reading {}", dir.display()))?.file_name();
            if !name.to_string_lossy().starts_with('.') {
                visible.push(name);
            }
        }
        if let Some(first) = visible.first() {
            bail!(
                "{} is not empty (it holds {}); init only writes into a new folder or one holding nothing but hidden \
                 entries such as .git",
                shown(dir),
                shown(Path::new(first))
            );
        }
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let path = dir.join("homeflake.toml");
    std::fs::write(&path, starter_inventory()).with_context(|| format!("writing {}", path.display()))?;
    outln!("wrote {}; edit it, then run `homeflake gen` in {}", shown(&path), shown(dir))?;
    Ok(())
}

/// The starter inventory for new machines: the example, with `state-version` set to the release of
/// the nixpkgs it pins (the example keeps the reference cluster's 25.05, the release it was installed with).
fn starter_inventory() -> String {
    let release = homeflake::model::StateVersion::of_nixpkgs(&homeflake::model::NixpkgsPin::default().url)
        .map_or_else(|| "25.11".to_owned(), |v| v.to_string());
    let line = |version: &str| format!("state-version = \"{version}\"");
    let example = line("25.05");
    assert!(STARTER_INVENTORY.contains(&example), "the example inventory sets {example}");
    STARTER_INVENTORY.replacen(&example, &line(&release), 1)
}

/// Loads and validates the inventory, printing warnings; errors are printed and become exit 1.
fn load(args: &InventoryArgs) -> Result<Loaded> {
    let root = inventory_root(&args.inventory)?;
    match homeflake::load(&root) {
        Ok(loaded) => {
            print_diagnostics(&root, &loaded.warnings);
            Ok(loaded)
        }
        Err(LoadError::Invalid(diagnostics)) => {
            print_diagnostics(&root, &diagnostics);
            let errors =
                diagnostics.iter().filter(|d| d.severity == Severity::Error && d.code != Code::Omitted).count();
            let more = if diagnostics.iter().any(|d| d.code == Code::Omitted) { "more than " } else { "" };
            eprintln!(
                "error: {}: {more}{errors} error{} in the inventory",
                shown(&inventory_file(&root)),
                if errors == 1 { "" } else { "s" }
            );
            Err(Failed.into())
        }
        Err(error) => Err(error.into()),
    }
}

/// A path as the user gave or can open it, safe to print on a terminal.
fn shown(path: &Path) -> String {
    printable(&path.display().to_string()).into_owned()
}

/// The inventory file in `root` as the user names it: `homeflake.toml` (read first when both
/// exist) or `homeflake.json`, with the folder when it is not the current one.
fn inventory_file(root: &Path) -> PathBuf {
    let toml = root.join(homeflake::model::TOML_FILE);
    let file = if toml.is_file() || !root.join(homeflake::model::JSON_FILE).is_file() {
        homeflake::model::TOML_FILE
    } else {
        homeflake::model::JSON_FILE
    };
    if root == Path::new(".") { PathBuf::from(file) } else { root.join(file) }
}

/// Prints each diagnostic on stderr, its file named as the user can open it (`lab/homeflake.toml:3:1:`).
fn print_diagnostics(root: &Path, diagnostics: &[Diagnostic]) {
    for diagnostic in diagnostics {
        match &diagnostic.file {
            Some(file) if root != Path::new(".") => {
                let mut located = diagnostic.clone();
                located.file = Some(root.join(file));
                eprintln!("{located}");
            }
            _ => eprintln!("{diagnostic}"),
        }
    }
}

/// The folder holding the inventory: `PATH` itself, or the folder of a `homeflake.toml`/`.json` file.
fn inventory_root(path: &Path) -> Result<PathBuf> {
    if path.is_dir() {
        return Ok(path.to_path_buf());
    }
    let name = path.file_name().and_then(|n| n.to_str());
    if path.is_file() && matches!(name, Some(homeflake::model::TOML_FILE | homeflake::model::JSON_FILE)) {
        let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        return Ok(parent.to_path_buf());
    }
    if !path.exists() {
        bail!("--inventory {}: no such file or folder", path.display());
    }
    bail!(
        "--inventory {}: expected a folder holding {} or {}, or one of those files",
        path.display(),
        homeflake::model::TOML_FILE,
        homeflake::model::JSON_FILE
    )
}

fn lock_timeout(output: &OutputArgs) -> Duration {
    Duration::from_secs(output.lock_timeout)
}

/// Says, once, that another run is writing into `out` and this one waits for it.
fn say_waiting(out: &Path) -> impl FnOnce(&LockHolder) + '_ {
    move |holder| eprintln!("waiting for {} to finish writing into {}…", holder.describe(), shown(out))
}

fn out_dir(output: &OutputArgs) -> PathBuf {
    match &output.out {
        Some(out) => out.clone(),
        None => inventory_root(&output.inventory.inventory).unwrap_or_else(|_| PathBuf::from(".")),
    }
}

/// The command that brings the flake up to date, with the folders this run was given.
fn regenerate_command(output: &OutputArgs) -> String {
    let mut command = String::from("homeflake gen");
    if output.inventory.inventory != Path::new(".") {
        command.push_str(&format!(" --inventory {}", output.inventory.inventory.display()));
    }
    if let Some(out) = &output.out {
        command.push_str(&format!(" --out {}", out.display()));
    }
    format!("`{command}`")
}

/// A generated file's path as the user sees it: relative to the current folder when `out` is it.
fn in_out(out: &Path, path: &str) -> PathBuf {
    if out == Path::new(".") { PathBuf::from(path) } else { out.join(path) }
}

fn color_enabled(choice: Color, stderr: bool) -> bool {
    match choice {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => {
            let terminal = if stderr { std::io::stderr().is_terminal() } else { std::io::stdout().is_terminal() };
            terminal && std::env::var_os("NO_COLOR").is_none()
        }
    }
}
