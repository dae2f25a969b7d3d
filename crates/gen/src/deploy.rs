//! The deploy plan: which hosts, in which order, with which commands. `homeflake deploy` runs
//! these commands and `docs/bootstrap.md` prints them, so both always agree.
//!
//! Everything here is pure. A host's address may be an environment reference (`{ env = … }`):
//! a [`CommandLine`] keeps it as a reference, shows it as `$NAME`, and only
//! [`CommandLine::resolve`] turns it into the value, with a lookup the caller provides (the CLI
//! passes the process environment). No value read from the environment is ever part of what is
//! shown.
//!
//! Hosts go in a safe order: control planes first (every member reaches the API server through
//! them, and with easyCerts they hold the certificate authority workers join with), then workers,
//! then hosts outside the cluster; the inventory's order within each group.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::net::Ipv4Addr;

use homeflake_model::{Cluster, EnvVarName, Hardware, Host, HostName, Secret, SshAddress, System, UserName};

use crate::secrets;
use crate::trace::host_key;

/// What `nixos-rebuild` does with the new system.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Activate it now and make it the boot default (`nixos-rebuild switch`).
    Switch,
    /// Make it the boot default without activating it (`nixos-rebuild boot`).
    Boot,
}

impl Action {
    /// The `nixos-rebuild` subcommand.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Switch => "switch",
            Action::Boot => "boot",
        }
    }
}

/// Why a plan cannot be made or a command cannot be resolved. The messages never contain a value
/// read from the environment.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeployError {
    /// A host named on the command line is not in the inventory.
    UnknownHost {
        /// The name as given.
        name: String,
        /// The hosts of the inventory, in order.
        known: Vec<String>,
        /// The closest known name.
        suggestion: Option<String>,
    },
    /// No user to log in as: no `deploy.user`, and nobody is in `wheel`.
    NoUser {
        /// The host.
        host: HostName,
    },
    /// An environment variable a command needs is unset or empty.
    Unset {
        /// The variable.
        var: String,
        /// What reads it (`hosts.yomogi.lan-address`).
        key: String,
    },
    /// An environment variable holding a host's address holds something else.
    NotAnAddress {
        /// The variable.
        var: String,
        /// What reads it.
        key: String,
    },
}

impl fmt::Display for DeployError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeployError::UnknownHost { name, known, suggestion } => {
                write!(f, "{name:?} is not a host of the inventory; hosts: {}", known.join(", "))?;
                if let Some(s) = suggestion {
                    write!(f, " (did you mean {s:?}?)")?;
                }
                Ok(())
            }
            DeployError::NoUser { host } => write!(
                f,
                "no SSH user for {host}: no user is in wheel; set hosts.{host}.deploy.user, or give a user \
                 extra-groups = [\"wheel\"]"
            ),
            DeployError::Unset { var, key } => {
                write!(f, "environment variable {var} is unset or empty; {key} reads it: export it first")
            }
            DeployError::NotAnAddress { var, key } => write!(
                f,
                "environment variable {var} ({key}) must hold one IPv4 address; it holds something else (not shown here)"
            ),
        }
    }
}

impl std::error::Error for DeployError {}

/// Where SSH connects: `user@address`, the address possibly read from the environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    /// The login user.
    pub user: UserName,
    /// The address, or the environment variable holding it.
    pub address: Secret<SshAddress>,
    /// The inventory key the address comes from, for messages.
    pub key: String,
}

/// One word of a command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Word {
    /// A word as it is.
    Text(String),
    /// `user@address`.
    Destination(Destination),
}

impl From<&str> for Word {
    fn from(text: &str) -> Self {
        Word::Text(text.to_owned())
    }
}

impl From<String> for Word {
    fn from(text: String) -> Self {
        Word::Text(text)
    }
}

/// A program and its arguments, some of which may be read from the environment when it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandLine {
    /// The program, then its arguments.
    pub words: Vec<Word>,
}

impl CommandLine {
    /// The program's name.
    pub fn program(&self) -> &str {
        match self.words.first() {
            Some(Word::Text(program)) => program,
            _ => "",
        }
    }

    /// The environment variables the command line itself reads (addresses), in order.
    pub fn env_vars(&self) -> Vec<&EnvVarName> {
        self.words
            .iter()
            .filter_map(|w| match w {
                Word::Destination(Destination { address: Secret::Env(name), .. }) => Some(name),
                _ => None,
            })
            .collect()
    }

    /// The words with every address read through `env`: the program, then its arguments.
    pub fn resolve(&self, env: impl Fn(&str) -> Option<String>) -> Result<Vec<String>, DeployError> {
        self.words
            .iter()
            .map(|word| match word {
                Word::Text(text) => Ok(text.clone()),
                Word::Destination(d) => Ok(format!("{}@{}", d.user, resolve_address(d, &env)?)),
            })
            .collect()
    }
}

/// The address of `d`, read through `env` when it is an environment reference. A LAN address read
/// from the environment must be an IPv4 address (as `modules/secrets.nix` requires too).
fn resolve_address(d: &Destination, env: &impl Fn(&str) -> Option<String>) -> Result<String, DeployError> {
    match &d.address {
        Secret::Literal(address) => Ok(address.to_string()),
        Secret::Env(name) => {
            let value = env(name.as_str()).filter(|v| !v.is_empty());
            let value = value.ok_or_else(|| DeployError::Unset { var: name.to_string(), key: d.key.clone() })?;
            match value.parse::<Ipv4Addr>() {
                Ok(ip) => Ok(ip.to_string()),
                Err(_) => Err(DeployError::NotAnAddress { var: name.to_string(), key: d.key.clone() }),
            }
        }
        _ => Err(DeployError::Unset { var: "(a file)".into(), key: d.key.clone() }),
    }
}

/// The command line as a POSIX shell reads it: words quoted where needed, an address read from the
/// environment shown as `$NAME` (the shell expands it the same way).
impl fmt::Display for CommandLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, word) in self.words.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            match word {
                Word::Text(text) => f.write_str(&shell_word(text))?,
                Word::Destination(d) => match &d.address {
                    Secret::Literal(address) => write!(f, "{}@{address}", d.user)?,
                    Secret::Env(name) => write!(f, "{}@${name}", d.user)?,
                    _ => write!(f, "{}@<address>", d.user)?,
                },
            }
        }
        Ok(())
    }
}

/// `text` as one word for a POSIX shell: as it is when every character is safe, else in single quotes.
pub fn shell_word(text: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "_-./:=@%+,#".contains(c);
    if !text.is_empty() && text.chars().all(safe) && !text.starts_with('#') {
        text.to_owned()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

/// Every host in the order they are deployed: control planes, workers, then hosts outside the
/// cluster, each group in inventory order.
pub fn order(cluster: &Cluster) -> Vec<&Host> {
    let group = |h: &Host| match (h.roles.control_plane, h.roles.worker) {
        (true, _) => 0,
        (false, true) => 1,
        (false, false) => 2,
    };
    let mut hosts: Vec<&Host> = cluster.hosts.iter().collect();
    hosts.sort_by_key(|h| group(h));
    hosts
}

/// The hosts named in `names` (all hosts when it is empty), in deploy [`order`]; a name given twice
/// counts once.
pub fn select<'a>(cluster: &'a Cluster, names: &[String]) -> Result<Vec<&'a Host>, DeployError> {
    let mut wanted = BTreeSet::new();
    for name in names {
        if cluster.host(name).is_none() {
            let known: Vec<String> = cluster.hosts.iter().map(|h| h.name.to_string()).collect();
            let suggestion = cluster.closest_host(name).map(ToString::to_string);
            return Err(DeployError::UnknownHost { name: name.clone(), known, suggestion });
        }
        wanted.insert(name.as_str());
    }
    Ok(order(cluster).into_iter().filter(|h| wanted.is_empty() || wanted.contains(h.name.as_str())).collect())
}

/// Where SSH reaches `host` as its deploy user.
pub fn destination(cluster: &Cluster, host: &Host) -> Result<Destination, DeployError> {
    let user = cluster.ssh_user(host).ok_or_else(|| DeployError::NoUser { host: host.name.clone() })?;
    Ok(Destination { user: user.clone(), address: cluster.ssh_address(host), key: address_key(host) })
}

/// The inventory key `host`'s SSH address comes from: `deploy.address`, or its LAN address.
pub fn address_key(host: &Host) -> String {
    host_key(host, if host.deploy.address.is_some() { "deploy.address" } else { "lan-address" })
}

/// The keys the deploy user of `host` comes from: `deploy.user`, or the first user in wheel's name
/// and groups.
pub fn user_keys(cluster: &Cluster, host: &Host) -> Vec<String> {
    let mut keys = vec![host_key(host, "deploy.user")];
    if host.deploy.user.is_none()
        && let Some(i) = cluster.users.iter().position(|u| u.extra_groups.iter().any(|g| g.as_str() == "wheel"))
    {
        keys.extend([format!("users[{i}].name"), format!("users[{i}].extra-groups")]);
    }
    keys
}

/// The keys deciding whether `host` builds its own system: `deploy.build-on-target`, or by default
/// its system and the systems the deploying machine builds.
pub fn build_keys(cluster: &Cluster, host: &Host) -> Vec<String> {
    let mut keys = vec![host_key(host, "deploy.build-on-target")];
    if host.deploy.build_on_target.is_none() {
        keys.push(host_key(host, "system"));
        // Removing the host's system from the list flips the default; adding another system does not.
        if cluster.deploy.local_systems.contains(&host.system) {
            keys.push("deploy.local-systems".to_owned());
        }
    }
    keys
}

/// Plans the deploys of one cluster. It notes once, for every host, which environment variables
/// evaluating its configuration reads (then `--impure` is needed, and the variables must be set).
pub struct Planner<'c> {
    cluster: &'c Cluster,
    env_vars: BTreeMap<&'c str, BTreeSet<String>>,
}

impl<'c> Planner<'c> {
    /// A planner for `cluster`.
    pub fn new(cluster: &'c Cluster) -> Self {
        let reads = secrets::HostEnvVars::new(cluster);
        let env_vars = cluster.hosts.iter().map(|h| (h.name.as_str(), reads.of(h))).collect();
        Planner { cluster, env_vars }
    }

    /// The environment variables evaluating `host`'s configuration reads.
    pub fn evaluation_env_vars(&self, host: &Host) -> &BTreeSet<String> {
        static NONE: BTreeSet<String> = BTreeSet::new();
        self.env_vars.get(host.name.as_str()).unwrap_or(&NONE)
    }

    /// `nixos-rebuild switch|boot --flake .#<host> --target-host user@address [--build-host user@address]
    /// [--sudo --ask-sudo-password] [--impure]`, run from the flake's folder. The configuration is
    /// evaluated on the deploying machine, so the environment variables it reads need no sudo; the
    /// system is built there or, when the host builds its own, on the host; sudo is asked for the
    /// activation only, and not at all when the deploy user is root.
    pub fn rebuild(&self, host: &Host, action: Action) -> Result<CommandLine, DeployError> {
        let cluster = self.cluster;
        let to = destination(cluster, host)?;
        let mut words: Vec<Word> = vec!["nixos-rebuild".into(), action.as_str().into()];
        words.extend(["--flake".into(), format!(".#{}", host.name).into()]);
        words.extend(["--target-host".into(), Word::Destination(to.clone())]);
        if cluster.builds_on_target(host) {
            words.extend(["--build-host".into(), Word::Destination(to.clone())]);
        }
        if !to.user.is_root() {
            words.extend(["--sudo".into(), "--ask-sudo-password".into()]);
        }
        if !self.evaluation_env_vars(host).is_empty() {
            words.push("--impure".into());
        }
        Ok(CommandLine { words })
    }

    /// The lines that install `host` the first time: shell comments (`# …`) saying what to do by hand,
    /// and commands, run from the flake's folder. They need hands on the machine (a card to write, an
    /// installer to boot), so `homeflake deploy --install` only prints them.
    pub fn install(&self, host: &Host) -> Vec<String> {
        let vars = self.evaluation_env_vars(host);
        let reach = match (destination(self.cluster, host), self.cluster.ssh_address(host)) {
            (Ok(d), _) => CommandLine { words: vec![Word::Destination(d)] }.to_string(),
            (Err(_), Secret::Literal(address)) => address.to_string(),
            (Err(_), Secret::Env(name)) => format!("${name}"),
            (Err(_), _) => "its address".to_owned(),
        };
        let kind = self.install_kind(host);
        let mut lines = vec![format!("# {}: {}", host.name, install_guide(kind))];
        if let Some(disk) = &host.system_disk {
            lines.push(format!("# everything on {disk} (hosts.{}.system-disk) is erased", host.name));
        }
        if !vars.is_empty() {
            let names: Vec<&str> = vars.iter().map(String::as_str).collect();
            let it = if names.len() == 1 { "it" } else { "them" };
            lines.push(format!("# evaluating {} reads {}: export {it} first", host.name, names.join(", ")));
        }
        lines.extend(self.builder_note(host).map(|note| format!("# {note}")));
        lines.extend(install_steps(kind, host.name.as_str(), &reach));
        lines
    }

    /// What decides how `host` is installed the first time.
    pub fn install_kind(&self, host: &Host) -> InstallKind {
        InstallKind {
            hardware: host.hardware,
            system: host.system,
            impure: !self.evaluation_env_vars(host).is_empty(),
            disko: host.system_disk.is_some(),
        }
    }

    /// What building `host`'s system needs when the deploying machine cannot build it.
    pub fn builder_note(&self, host: &Host) -> Option<String> {
        (!self.cluster.deploy.local_systems.contains(&host.system)).then(|| {
            format!(
                "building needs an {0} builder, which this machine is not (deploy.local-systems): build on an {0} \
                 machine, or add one as a remote builder (--builders), or emulate it (NixOS: \
                 boot.binfmt.emulatedSystems = [ \"{0}\" ]) and list it in deploy.local-systems",
                host.system
            )
        })
    }

    /// The `nixos-rebuild` command for each host named in `names` (all when empty), in deploy [`order`].
    /// Fails before anything is run when a name is unknown or a host has no SSH user.
    pub fn plan(&self, names: &[String], action: Action) -> Result<Vec<(&'c Host, CommandLine)>, DeployError> {
        select(self.cluster, names)?.into_iter().map(|host| Ok((host, self.rebuild(host, action)?))).collect()
    }

    /// The environment variables that `plan` needs and `env` lacks (unset or empty): each with the
    /// hosts that read it, in plan order. Both the variables the hosts' evaluation reads and those
    /// holding their addresses count.
    pub fn missing_env<'a>(
        &self,
        plan: &[(&'a Host, CommandLine)],
        env: impl Fn(&str) -> Option<String>,
    ) -> Vec<(String, Vec<&'a HostName>)> {
        let mut missing: Vec<(String, Vec<&'a HostName>)> = Vec::new();
        for (host, command) in plan {
            let mut vars = self.evaluation_env_vars(host).clone();
            vars.extend(command.env_vars().into_iter().map(ToString::to_string));
            for var in vars {
                if env(&var).is_some_and(|v| !v.is_empty()) {
                    continue;
                }
                match missing.iter_mut().find(|(name, _)| *name == var) {
                    Some((_, hosts)) => hosts.push(&host.name),
                    None => missing.push((var, vec![&host.name])),
                }
            }
        }
        missing
    }
}

/// The flake output holding a Raspberry Pi's SD-card image (`packages.aarch64-linux.<this>`).
pub fn sd_image_attr(name: &str) -> String {
    format!("{name}-sd-image")
}

/// What decides how a host is installed the first time; hosts of one kind share the same steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InstallKind {
    /// A Raspberry Pi starts from an SD card, a PC from the NixOS installer.
    pub hardware: Hardware,
    /// The system its image or configuration is built for.
    pub system: System,
    /// Whether evaluating its configuration reads environment variables (`--impure`).
    pub impure: bool,
    /// Whether it has a system disk, which nixos-anywhere lays out with disko.
    pub disko: bool,
}

/// What to do by hand before a machine of this kind is installed.
pub fn install_guide(kind: InstallKind) -> &'static str {
    match (kind.hardware, kind.disko) {
        (Hardware::RaspberryPi4, _) => "build an SD card holding its whole system, and start it from the card",
        (_, true) => {
            "boot the NixOS installer (minimal ISO) on the machine, run `sudo passwd root` there, and note the \
             address it got (ip -4 addr); nixos-anywhere then erases the system disk, lays it out as \
             `modules/disk.nix` says and installs the system"
        }
        _ => {
            "boot the NixOS installer (minimal ISO) on the machine; partition and format its disk and mount it at /mnt, \
             the EFI system partition at /mnt/boot (NixOS manual, \"Partitioning and formatting\"); run `sudo \
             passwd root` there, and note the address it got (ip -4 addr)"
        }
    }
}

/// How the first install is run: the nixpkgs package of nixos-anywhere, at the flake's own nixpkgs.
const NIXOS_ANYWHERE: &str = "nix run --inputs-from . nixpkgs#nixos-anywhere --";

/// The commands (and comments between them) that install a machine of this kind named `name` (a
/// host's name, or `$HOST` for a template); `reach` says how the installed host is reached.
///
/// nixos-anywhere evaluates the flake purely, where the variables an inventory reads are unset: an
/// impure host's system and disko script are built here first and handed to it as store paths, its
/// hardware description made before the build (without file systems: disko gives them).
pub fn install_steps(kind: InstallKind, name: &str, reach: &str) -> Vec<String> {
    let InstallKind { hardware, system, impure, disko } = kind;
    let impure_flag = if impure { " --impure" } else { "" };
    let installer = "INSTALLER=...  # the installer's address".to_owned();
    let hardware_file = format!("hosts/{name}/hardware-configuration.nix");
    let started = format!("# {name} starts its own system, reachable as {reach}");
    match (hardware, disko, impure) {
        (Hardware::RaspberryPi4, _, _) => vec![
            format!("nix build .#packages.{system}.{}{impure_flag}", sd_image_attr(name)),
            "# write it to the card (find the card's device with lsblk; everything on it is replaced):".to_owned(),
            "zstdcat result/sd-image/*.img.zst | sudo dd of=/dev/CARD bs=4M conv=fsync status=progress".to_owned(),
            format!("# put the card in {name} and power it on: it starts its own system, reachable as {reach}"),
        ],
        (_, true, false) => vec![
            installer,
            format!(
                "{NIXOS_ANYWHERE} --flake .#{name} --generate-hardware-config nixos-generate-config ./{hardware_file} root@$INSTALLER"
            ),
            started,
        ],
        (_, true, true) => vec![
            installer,
            format!(
                "ssh root@$INSTALLER nixos-generate-config --no-filesystems --show-hardware-config > {hardware_file}"
            ),
            format!("git add {hardware_file}"),
            format!(
                "nix build --impure --out-link result-disko .#nixosConfigurations.{name}.config.system.build.diskoScript"
            ),
            format!("nixos-rebuild build --flake .#{name} --impure"),
            format!("{NIXOS_ANYWHERE} --store-paths ./result-disko ./result root@$INSTALLER"),
            started,
        ],
        (_, false, _) => vec![
            installer,
            format!("ssh root@$INSTALLER nixos-generate-config --root /mnt --show-hardware-config > {hardware_file}"),
            format!("git add {hardware_file}"),
            format!("nixos-rebuild build --flake .#{name}{impure_flag}"),
            "nix copy --to \"ssh://root@$INSTALLER?remote-store=local%3Froot%3D%2Fmnt\" ./result".to_owned(),
            "ssh root@$INSTALLER nixos-install --no-root-passwd --no-channel-copy --system \"$(readlink -f ./result)\""
                .to_owned(),
            "ssh root@$INSTALLER reboot".to_owned(),
            started,
        ],
    }
}

/// What a host is in the cluster, for progress lines: `control plane`, `worker`, `outside the cluster`.
pub fn role_label(host: &Host) -> &'static str {
    match (host.roles.control_plane, host.roles.worker) {
        (true, true) => "control plane and worker",
        (true, false) => "control plane",
        (false, true) => "worker",
        (false, false) => "outside the cluster",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A worker listed before the control plane, a Pi outside the cluster with its address in the
    /// environment, and an admin in wheel.
    const LAB: &str = r#"
        name = "lab"
        domain = "lab.example.org"
        network = { lan = "192.168.1.0/24", gateway = "192.168.1.1" }
        tailscale = { enable = false }
        kubernetes = { easy-certs = false }
        users = [{ name = "admin", extra-groups = ["wheel"] }, { name = "guest" }]

        [[hosts]]
        name = "w"
        hardware = "uefi-pc"
        roles = ["worker"]
        lan-interface = "eno1"
        lan-address = "192.168.1.3"

        [[hosts]]
        name = "pi"
        hardware = "raspberry-pi-4"
        lan-interface = "end0"
        lan-address = { env = "LAB_PI_IP" }

        [[hosts]]
        name = "cp"
        hardware = "uefi-pc"
        roles = ["control-plane"]
        lan-interface = "eno1"
        lan-address = "192.168.1.2"
        deploy = { address = "cp.lab.example.org", user = "root" }
    "#;

    fn lab(text: &str) -> Cluster {
        homeflake_model::from_toml_str("homeflake.toml", text).unwrap_or_else(|e| panic!("{e}")).cluster
    }

    fn names(hosts: &[&Host]) -> Vec<String> {
        hosts.iter().map(|h| h.name.to_string()).collect()
    }

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn control_planes_go_first_then_workers_then_the_rest() {
        let cluster = lab(LAB);
        assert_eq!(names(&order(&cluster)), ["cp", "w", "pi"]);
        let selected = select(&cluster, &["pi".into(), "w".into(), "pi".into()]).unwrap();
        assert_eq!(names(&selected), ["w", "pi"], "the safe order, whatever the command line's, each host once");
    }

    #[test]
    fn an_unknown_host_is_refused_with_the_closest_name() {
        let cluster = lab(LAB);
        let error = select(&cluster, &["cq".into()]).unwrap_err();
        assert_eq!(error.to_string(), "\"cq\" is not a host of the inventory; hosts: w, pi, cp (did you mean \"cp\"?)");
        assert!(Planner::new(&cluster).plan(&["nope".into()], Action::Switch).is_err());
    }

    #[test]
    fn each_host_gets_the_command_its_facts_call_for() {
        let cluster = lab(LAB);
        let plan = Planner::new(&cluster).plan(&[], Action::Switch).unwrap();
        let shown: Vec<String> = plan.iter().map(|(_, c)| c.to_string()).collect();
        assert_eq!(
            shown,
            [
                "nixos-rebuild switch --flake .#cp --target-host root@cp.lab.example.org",
                "nixos-rebuild switch --flake .#w --target-host admin@192.168.1.3 --sudo --ask-sudo-password",
                "nixos-rebuild switch --flake .#pi --target-host admin@$LAB_PI_IP --build-host admin@$LAB_PI_IP \
                 --sudo --ask-sudo-password --impure",
            ]
        );
        let boot = Planner::new(&cluster).rebuild(cluster.host("w").unwrap(), Action::Boot).unwrap();
        assert_eq!(boot.words[1], Word::from("boot"));
    }

    #[test]
    fn a_pi_builds_locally_when_the_deploying_machine_can_build_aarch64() {
        let cluster = lab(&format!("{LAB}\n[deploy]\nlocal-systems = [\"x86_64-linux\", \"aarch64-linux\"]\n"));
        let command = Planner::new(&cluster).rebuild(cluster.host("pi").unwrap(), Action::Switch).unwrap();
        assert!(!command.to_string().contains("--build-host"), "{command}");
        let cluster = lab(&format!("{LAB}\n[deploy]\nlocal-systems = []\n"));
        let command = Planner::new(&cluster).rebuild(cluster.host("w").unwrap(), Action::Switch).unwrap();
        assert!(command.to_string().contains("--build-host admin@192.168.1.3"), "{command}");
    }

    #[test]
    fn an_address_from_the_environment_is_shown_as_a_reference_and_resolved_only_when_run() {
        let cluster = lab(LAB);
        let command = Planner::new(&cluster).rebuild(cluster.host("pi").unwrap(), Action::Switch).unwrap();
        assert_eq!(command.env_vars().iter().map(|v| v.as_str()).collect::<Vec<_>>(), ["LAB_PI_IP", "LAB_PI_IP"]);
        let env = |name: &str| (name == "LAB_PI_IP").then(|| "192.168.1.9".to_owned());
        let words = command.resolve(env).unwrap();
        assert_eq!(words[5], "admin@192.168.1.9");
        assert!(!command.to_string().contains("192.168.1.9"));

        let unset = command.resolve(no_env).unwrap_err();
        assert_eq!(
            unset.to_string(),
            "environment variable LAB_PI_IP is unset or empty; hosts.pi.lan-address reads it: export it first"
        );
        let garbage = |_: &str| Some("192.168.1.9; reboot".to_owned());
        let error = command.resolve(garbage).unwrap_err().to_string();
        assert!(error.contains("must hold one IPv4 address") && !error.contains("reboot"), "{error}");
    }

    #[test]
    fn missing_variables_are_listed_with_the_hosts_that_read_them() {
        let cluster = lab(LAB);
        let plan = Planner::new(&cluster).plan(&[], Action::Switch).unwrap();
        let planner = Planner::new(&cluster);
        let missing = planner.missing_env(&plan, no_env);
        let shown: Vec<(String, Vec<String>)> =
            missing.iter().map(|(v, hosts)| (v.clone(), hosts.iter().map(|h| h.to_string()).collect())).collect();
        assert_eq!(shown, [("LAB_PI_IP".to_owned(), vec!["pi".to_owned()])]);
        assert!(planner.missing_env(&plan, |_| Some("192.168.1.9".into())).is_empty());
    }

    #[test]
    fn a_host_without_a_deploy_user_cannot_be_planned() {
        let cluster = lab(&LAB.replace("extra-groups = [\"wheel\"]", "extra-groups = []"));
        let error = Planner::new(&cluster).plan(&["w".into()], Action::Switch).unwrap_err();
        assert_eq!(error, DeployError::NoUser { host: HostName::new("w").unwrap() });
        assert!(error.to_string().contains("set hosts.w.deploy.user"), "{error}");
    }

    #[test]
    fn words_outside_the_safe_set_are_quoted_for_the_shell() {
        assert_eq!(shell_word(".#yomogi"), ".#yomogi");
        assert_eq!(shell_word("a b"), "'a b'");
        assert_eq!(shell_word("it's"), r"'it'\''s'");
        assert_eq!(shell_word("#x"), "'#x'");
        assert_eq!(shell_word(""), "''");
    }

    #[test]
    fn install_plans_fit_the_hardware() {
        let cluster = lab(LAB);
        let pi = Planner::new(&cluster).install(cluster.host("pi").unwrap()).join("\n");
        assert!(pi.contains("nix build .#packages.aarch64-linux.pi-sd-image --impure"), "{pi}");
        assert!(pi.contains("building needs an aarch64-linux builder"), "{pi}");
        assert!(pi.contains("reachable as admin@$LAB_PI_IP"), "{pi}");
        let pc = Planner::new(&cluster).install(cluster.host("w").unwrap()).join("\n");
        assert!(
            pc.contains(
                "nixos-generate-config --root /mnt --show-hardware-config > hosts/w/hardware-configuration.nix"
            ),
            "{pc}"
        );
        assert!(pc.contains("nixos-rebuild build --flake .#w\n"), "{pc}");
        assert!(!pc.contains("builder"), "{pc}");
    }

    #[test]
    fn a_pc_with_a_system_disk_is_installed_by_nixos_anywhere() {
        const DISK: &str = "/dev/disk/by-id/nvme-Example_SSD_123";
        let with_disk = LAB.replacen(
            "lan-address = \"192.168.1.3\"",
            &format!("lan-address = \"192.168.1.3\"\n        system-disk = \"{DISK}\""),
            1,
        );
        // Nothing read from the environment: nixos-anywhere evaluates the flake itself and makes the
        // hardware description first.
        let cluster = lab(&with_disk);
        let pc = Planner::new(&cluster).install(cluster.host("w").unwrap()).join("\n");
        assert!(pc.contains(&format!("# everything on {DISK} (hosts.w.system-disk) is erased")), "{pc}");
        assert!(
            pc.contains(
                "\nnix run --inputs-from . nixpkgs#nixos-anywhere -- --flake .#w --generate-hardware-config \
                 nixos-generate-config ./hosts/w/hardware-configuration.nix root@$INSTALLER\n"
            ),
            "{pc}"
        );
        assert!(!pc.contains("nixos-install"), "{pc}");
        assert!(!pc.contains("--impure"), "{pc}");

        // A password hash from the environment: built here with --impure, handed over as store paths.
        let impure = with_disk.replacen(
            "{ name = \"admin\", extra-groups = [\"wheel\"] }",
            "{ name = \"admin\", extra-groups = [\"wheel\"], hashed-password = { env = \"LAB_HASH\" } }",
            1,
        );
        let cluster = lab(&impure);
        let pc = Planner::new(&cluster).install(cluster.host("w").unwrap());
        let commands: Vec<&str> = pc.iter().map(String::as_str).filter(|l| !l.starts_with('#')).collect();
        assert_eq!(
            commands,
            [
                "INSTALLER=...  # the installer's address",
                "ssh root@$INSTALLER nixos-generate-config --no-filesystems --show-hardware-config > hosts/w/hardware-configuration.nix",
                "git add hosts/w/hardware-configuration.nix",
                "nix build --impure --out-link result-disko .#nixosConfigurations.w.config.system.build.diskoScript",
                "nixos-rebuild build --flake .#w --impure",
                "nix run --inputs-from . nixpkgs#nixos-anywhere -- --store-paths ./result-disko ./result root@$INSTALLER",
            ]
        );
    }
}
