//! `docs/bootstrap.md`: the ordered first-deploy steps, from installing the machines to joining
//! the workers, kubectl, the DNS settings and the cluster layer, with commands that work on real machines.

use std::collections::BTreeSet;
use std::fmt::Write;

use homeflake_model::{Cluster, FirewallMode, Hardware, Host, SplitDnsNetwork};

use super::{join, markdown_code, roles_of};
use crate::admin_kubeconfig::{K3S_KUBECONFIG, first_admin};
use crate::deploy::{self, address_key, build_keys, user_keys};
use crate::lower::secret_label;
use crate::modules::k3s::CONTROL_PLANE_ONLY_TAINT;
use crate::modules::k3s::agent::API_URL_RULE;
use crate::modules::k8s::common::roles_up_to;
use crate::secrets::keys_referencing;
use crate::trace::{Origin, Provenance, Shown, block, host_key, is_recording, presence, shown, trim_end};

const STEP_NUMBER_RULE: &str = "the steps are numbered in order: the keys above decide which steps come before";
const DEPLOY_ORDER_RULE: &str =
    "hosts are deployed control planes first, then workers, then the others: a change of roles moves the host's line";
const INSTALL_GROUP_RULE: &str =
    "hosts installed the same way (hardware, system, variables read) share one set of steps, in deploy order";

/// The numbered section headings, and the keys that decide which steps come before the next one.
#[derive(Default)]
struct Steps {
    count: usize,
    deciding: Vec<String>,
    seen: std::collections::HashSet<String>,
}

impl Steps {
    fn heading(&mut self, out: &mut String, title: &str) {
        self.count += 1;
        let number = shown(self.count);
        let number = if self.deciding.is_empty() {
            number
        } else {
            number.depends_on(STEP_NUMBER_RULE, || self.deciding.clone())
        };
        let _ = writeln!(out, "## {number}. {title}\n");
    }

    /// Notes the keys deciding whether the step being written appears (only while a trace is taken).
    fn decided_by(&mut self, keys: impl FnOnce() -> Vec<String>) {
        if is_recording() {
            for key in keys() {
                if self.seen.insert(key.clone()) {
                    self.deciding.push(key);
                }
            }
        }
    }
}

/// The whole Markdown document.
pub fn render(cluster: &Cluster) -> String {
    let mut out = super::header();
    let _ = writeln!(out, "# {}: first deploy\n", shown(&cluster.name).source("name"));
    out.push_str(
        "Commands are run on your machine, from the flake's folder, unless a step says otherwise; each host is \
         reached over SSH as its deploy user at its deploy address (`hosts.<name>.deploy`). Keep every file of \
         the flake in git (`git add`): a flake sees only the files git tracks.\n\n",
    );
    let mut steps = Steps::default();
    let planner = deploy::Planner::new(cluster);
    install(&planner, cluster, &mut steps, &mut out);
    tailnet(cluster, &mut steps, &mut out);
    steps.decided_by(|| vec!["kubernetes.flavour".to_owned()]);
    if cluster.kubernetes.is_k3s() {
        block(&mut out, flavour, |out| k3s_token(cluster, &mut steps, out));
    }
    switching(&planner, cluster, &mut steps, &mut out);
    if cluster.kubernetes.is_k3s() {
        block(&mut out, flavour, |out| {
            k3s_servers_and_agents(cluster, &mut steps, out);
            k3s_kubectl(cluster, &mut steps, out);
        });
    } else {
        block(&mut out, flavour, |out| {
            nixpkgs_control_plane_and_workers(cluster, &mut steps, out);
            kubectl(cluster, &mut steps, out);
        });
    }
    dns(cluster, &mut steps, &mut out);
    cluster_layer(cluster, &mut steps, &mut out);
    trim_end(&mut out);
    out.push('\n');
    out
}

/// The steps that only one flavour of Kubernetes has.
fn flavour() -> Origin {
    presence(["kubernetes.flavour".to_owned()])
}

/// The keys written as `{ env = "NAME" }` for each of `vars`.
fn env_keys<'v>(cluster: &Cluster, vars: impl IntoIterator<Item = &'v String>) -> Vec<String> {
    let mut keys: Vec<String> = vars.into_iter().flat_map(|var| keys_referencing(cluster, var)).collect();
    keys.sort();
    keys.dedup();
    keys
}

/// Every key written as `{ env = "NAME" }` that some host's configuration reads.
fn all_env_keys(planner: &deploy::Planner<'_>, cluster: &Cluster) -> Vec<String> {
    let vars: BTreeSet<&String> = cluster.hosts.iter().flat_map(|h| planner.evaluation_env_vars(h)).collect();
    env_keys(cluster, vars)
}

/// The name of `host`, from its name.
fn name_of(host: &Host) -> Shown<&str> {
    shown(host.name.as_str()).host_source(host, "name")
}

/// The name of `host` as Markdown code, from its name.
fn code_name(host: &Host) -> Shown<String> {
    shown(markdown_code(host.name.as_str())).host_source(host, "name")
}

/// The API server's URL, from its host name and port.
fn api_url(cluster: &Cluster) -> Shown<String> {
    shown(cluster.kubernetes.api.url()).derived(API_URL_RULE, &["kubernetes.api.host-name", "kubernetes.api.port"])
}

/// The API server's URL as Markdown code.
fn code_api_url(cluster: &Cluster) -> Shown<String> {
    shown(markdown_code(&cluster.kubernetes.api.url()))
        .derived(API_URL_RULE, &["kubernetes.api.host-name", "kubernetes.api.port"])
}

/// The API server's host name.
fn api_host_name(cluster: &Cluster) -> Shown<&str> {
    shown(cluster.kubernetes.api.host_name.as_str()).source("kubernetes.api.host-name")
}

/// The LAN address of `host`.
fn lan_address(host: &Host) -> Shown<String> {
    shown(secret_label(&host.lan_address)).host_source(host, "lan-address")
}

fn install(planner: &deploy::Planner<'_>, cluster: &Cluster, steps: &mut Steps, out: &mut String) {
    steps.heading(out, "Install NixOS on each machine");
    out.push_str(
        "Each machine is installed once, straight into its own configuration, from your machine: a Raspberry \
         Pi from an SD card holding its whole system (the flake's `packages.aarch64-linux.<host>-sd-image`), a \
         PC from the NixOS installer, over SSH. `homeflake deploy --install --dry-run [HOST…]` prints these \
         steps for each host; nothing runs them for you, as they need hands on the machine.\n\n",
    );
    // Hosts installed the same way share one set of steps, with the host's name in $HOST.
    let mut groups: Vec<(deploy::InstallKind, Vec<&Host>)> = Vec::new();
    for host in deploy::order(cluster) {
        let kind = planner.install_kind(host);
        match groups.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, hosts)) => hosts.push(host),
            None => groups.push((kind, vec![host])),
        }
    }
    // Which hosts share a set of steps, and in which order, follows every host's hardware, system,
    // roles and the variables its configuration reads.
    let grouping = || Origin {
        presence: cluster
            .hosts
            .iter()
            .flat_map(|h| {
                [host_key(h, "hardware"), host_key(h, "system"), host_key(h, "roles"), host_key(h, "system-disk")]
            })
            .chain(all_env_keys(planner, cluster))
            .collect(),
        rule: Some(INSTALL_GROUP_RULE),
        ..Origin::default()
    };
    for (kind, hosts) in groups {
        block(out, grouping, |out| {
            let note = planner.builder_note(hosts[0]).map(|note| format!(" Note: {note}.")).unwrap_or_default();
            let _ = write!(
                out,
                "{}: {}.{}",
                join(hosts.iter().map(|h| code_name(h)), ", "),
                shown(deploy::install_guide(kind)).host_source(hosts[0], "hardware"),
                shown(note).traced(|| presence([host_key(hosts[0], "system"), "deploy.local-systems".to_owned()]))
            );
            if kind.impure {
                out.push_str(" Export the variables listed under \"Deploy from your machine\" first.");
            }
            let _ = writeln!(out, "\n\n```sh\nHOST={}", name_of(hosts[0]));
            for line in deploy::install_steps(kind, "$HOST", "its deploy address") {
                let _ = writeln!(out, "{line}");
            }
            out.push_str("```\n\n");
            if kind.disko {
                out.push_str("Everything on the system disk is erased:");
                for host in &hosts {
                    let disk = host.system_disk.as_ref().expect("a disko group's hosts have a system disk");
                    let _ = write!(
                        out,
                        " {}: `{}`;",
                        code_name(host),
                        shown(disk.as_str()).host_source(host, "system-disk")
                    );
                }
                out.pop();
                out.push_str(".\n\n");
            }
        });
    }
    if cluster.hosts.iter().any(|h| h.hardware == Hardware::UefiPc) {
        let pcs = || presence(cluster.hosts.iter().map(|h| host_key(h, "hardware")));
        block(out, pcs, |out| {
            out.push_str(
                "A PC's `hosts/<host>/hardware-configuration.nix` is yours: homeflake never writes or removes it, \
                 and a PC without one evaluates but does not build (the error names the file). A PC with \
                 `system-disk` is installed by nixos-anywhere (from the flake's own nixpkgs), which partitions the \
                 disk with the disko layout of `modules/disk.nix`; its hardware description leaves the file \
                 systems out (`--no-filesystems`), as disko gives them. nixos-anywhere evaluates the flake \
                 purely, where the variables the inventory reads are unset, so a host that reads some is built \
                 here first (`--impure`) and handed over as store paths. A PC without `system-disk` is \
                 partitioned by hand and installed with `nixos-install`.\n\n",
            )
        });
    }
}

fn tailnet(cluster: &Cluster, steps: &mut Steps, out: &mut String) {
    let tailscale = &cluster.tailscale;
    steps.decided_by(|| vec!["tailscale.enable".to_owned()]);
    if !tailscale.enable {
        return;
    }
    block(out, || presence(["tailscale.enable".to_owned()]), |out| tailnet_step(cluster, steps, out));
}

fn tailnet_step(cluster: &Cluster, steps: &mut Steps, out: &mut String) {
    steps.heading(out, "Join the tailnet");
    match &cluster.tailscale.auth_key_file {
        Some(file) => {
            let file = shown(file).source("tailscale.auth-key-file");
            let _ = writeln!(
                out,
                "Each host joins the tailnet when it first switches, with the auth key in `{file}` \
                 (`services.tailscale.authKeyFile`). Create a reusable key in the Tailscale admin console \
                 (Settings → Keys) and put it on every host before its first switch, with sops-nix or agenix, \
                 or by hand: `sudo install -D -m 600 /dev/stdin {file}`, paste the key, then Ctrl-D.\n"
            );
        }
        None => block(
            out,
            || presence(["tailscale.auth-key-file".to_owned()]),
            |out| {
                out.push_str(
                    "Once a host runs its own system, run `sudo tailscale up` on it and log in (or set \
                     `tailscale.auth-key-file` so hosts join by themselves).\n\n",
                )
            },
        ),
    }
    let Some(dns) = cluster.split_dns.as_ref().filter(|dns| dns.network == SplitDnsNetwork::Tailnet) else { return };
    let needed: BTreeSet<(&str, &str)> =
        [(dns.server_host.as_str(), "split-dns.server-host"), (dns.answer_host.as_str(), "split-dns.answer-host")]
            .into_iter()
            .collect();
    let mut names: Vec<(&str, Vec<&str>)> = Vec::new();
    for (name, key) in needed {
        match names.iter_mut().find(|(n, _)| *n == name) {
            Some((_, keys)) => keys.push(key),
            None => names.push((name, vec![key])),
        }
    }
    let names = join(names.iter().map(|(name, keys)| shown(format!("`{name}`")).sources(keys)), " and ");
    let _ = write!(
        out,
        "{}",
        shown(format_args!(
            "A host's tailnet address exists only once it has joined. Split DNS needs those of {names}: until the \
             inventory has them, leave their `tailnet-address` out, and homeflake leaves split DNS out with a \
             warning. Once they have joined, run `tailscale ip -4` on each, write the address into \
             `homeflake.toml` (`tailnet-address = \"100.x.y.z\"`, or `{{ env = \"NAME\" }}` and export it), run \
             `homeflake gen`, and switch `{}` again.\n\n",
            shown(dns.server_host.as_str()).source("split-dns.server-host")
        ))
        .traced(|| presence(["split-dns.network".to_owned()]))
    );
}

/// `user@address` for SSH to `host` as the docs show it: its deploy user, or `<you>` when it has none.
fn ssh_to(cluster: &Cluster, host: &Host) -> String {
    match deploy::destination(cluster, host) {
        Ok(destination) => {
            let text = deploy::CommandLine { words: vec![deploy::Word::Destination(destination)] }.to_string();
            shown(text)
                .traced(|| {
                    let mut keys = vec![address_key(host)];
                    keys.extend(user_keys(cluster, host));
                    Origin { keys, ..Origin::default() }
                })
                .into_string()
        }
        Err(_) => format!(
            "{}@{}",
            shown("<you>").traced(|| presence(user_keys(cluster, host))),
            shown(secret_label(&cluster.ssh_address(host)))
                .traced(|| Origin { keys: vec![address_key(host)], ..Origin::default() })
        ),
    }
}

/// Where `host`'s `nixos-rebuild` command comes from: its name, where and as whom SSH reaches it,
/// and where it is built; whether it evaluates impurely follows the variables its configuration
/// reads, and its place its roles.
fn rebuild_origin(planner: &deploy::Planner<'_>, cluster: &Cluster, host: &Host) -> Origin {
    let mut keys = vec![host_key(host, "name"), address_key(host)];
    keys.extend(user_keys(cluster, host));
    keys.extend(build_keys(cluster, host));
    let mut presence = env_keys(cluster, planner.evaluation_env_vars(host));
    presence.push(host_key(host, "roles"));
    Origin { keys, presence, rule: Some(DEPLOY_ORDER_RULE), ..Origin::default() }
}

fn switching(planner: &deploy::Planner<'_>, cluster: &Cluster, steps: &mut Steps, out: &mut String) {
    let vars: BTreeSet<&String> = cluster.hosts.iter().flat_map(|h| planner.evaluation_env_vars(h)).collect();
    let some_read = || presence(all_env_keys(planner, cluster));
    steps.heading(out, "Deploy from your machine");
    out.push_str(
        "`homeflake deploy` switches every host over SSH, control planes first, then workers, then the hosts \
         outside the cluster, printing each command before it runs it and stopping at the first failure; \
         `homeflake deploy HOST…` switches only those (still in that order), `--boot` makes the new system the \
         boot default without activating it, and `--dry-run` prints the commands only. The configuration is \
         evaluated on your machine, so the values the inventory keeps in environment variables are read from \
         your shell, and sudo runs on the host only, for the activation: it asks for your password there.\n\n",
    );
    block(out, some_read, |out| {
        if !vars.is_empty() {
            let _ = writeln!(out, "```sh");
            for var in &vars {
                let _ = writeln!(
                    out,
                    "export {}=...",
                    shown(var).traced(|| Origin { keys: keys_referencing(cluster, var), ..Origin::default() })
                );
            }
            let _ = writeln!(out, "homeflake deploy\n```\n\nruns:\n");
        } else {
            out.push_str("`homeflake deploy` runs:\n\n");
        }
    });
    let _ = writeln!(out, "```sh");
    let mut no_user = Vec::new();
    for host in deploy::order(cluster) {
        match planner.rebuild(host, deploy::Action::Switch) {
            Ok(command) => {
                let _ = writeln!(out, "{}", shown(command).traced(|| rebuild_origin(planner, cluster, host)));
            }
            Err(_) => no_user.push(host),
        }
    }
    out.push_str("```\n\n");
    if !no_user.is_empty() {
        let _ = write!(
            out,
            "{}",
            shown(format_args!(
                "Not deployed until they have a user to log in as (nobody is in `wheel`): {}. Set \
                 `hosts.<name>.deploy.user`, or give a user `extra-groups = [\"wheel\"]`.\n\n",
                join(no_user.iter().map(|h| code_name(h)), ", ")
            ))
            .traced(|| presence(
                no_user.iter().flat_map(|h| user_keys(cluster, h)).chain(roles_of(no_user.iter().copied()))
            ))
        );
    }
    let remote: Vec<&Host> = cluster.hosts.iter().filter(|h| cluster.builds_on_target(h)).collect();
    let local: Vec<&str> = cluster.deploy.local_systems.iter().map(|s| s.as_str()).collect();
    let local = shown(if local.is_empty() { "no system".to_owned() } else { local.join(" and ") })
        .source("deploy.local-systems");
    let where_built = || presence(cluster.hosts.iter().flat_map(|h| build_keys(cluster, h)));
    if remote.is_empty() {
        let _ = write!(
            out,
            "{}",
            shown(format_args!(
                "Every host's system is built on your machine, which builds {local} (`deploy.local-systems`), and \
                 copied to it.\n\n"
            ))
            .traced(where_built)
        );
    } else {
        let names = join(remote.iter().map(|h| code_name(h)), ", ");
        let builds = if remote.len() == 1 { "builds its own system" } else { "build their own systems" };
        let _ = write!(
            out,
            "{}",
            shown(format_args!(
                "{names} {builds} (`--build-host`); the other hosts are built on your machine and copied to them. A \
                 host builds on itself when its `deploy.build-on-target` says so or, by default, when your machine \
                 cannot build its system: yours builds {local} (`deploy.local-systems`). An x86_64 machine builds \
                 aarch64-linux only with binfmt emulation (`boot.binfmt.emulatedSystems` on NixOS) or a remote \
                 builder, and a Raspberry Pi fetches nearly all of its system from the binary cache, so it builds \
                 little itself; add a system to `deploy.local-systems` once your machine can build it.\n\n"
            ))
            .traced(where_built)
        );
    }
    out.push_str(
        "Each host is reached as its `deploy.user` (default: the first user in `wheel`) at its `deploy.address` \
         (default: its LAN address). The same facts make the flake's `colmena` hive and deploy-rs's \
         `deploy.nodes`, if you prefer those tools: `colmena apply --impure` (colmena 0.4, as in nixos-25.11; \
         0.5 needs `--legacy-flake-eval`), whose sudo cannot ask for a password (give the deploy user \
         `security.sudo.wheelNeedsPassword = false` in `hosts/<host>/extra.nix`, or deploy as root), or \
         `nix run github:serokell/deploy-rs -- . -- --impure`.\n\n",
    );
    block(out, some_read, |out| {
        out.push_str(if vars.is_empty() {
            "On a host itself, from a checkout of the flake there:\n\n"
        } else {
            "On a host itself, from a checkout of the flake there, `sudo` clears the environment, so the command \
             keeps exactly the variables that host reads:\n\n"
        })
    });
    out.push_str("```sh\n");
    for host in deploy::order(cluster) {
        let vars = planner.evaluation_env_vars(host);
        let origin = || Origin {
            keys: env_keys(cluster, vars),
            presence: vec![host_key(host, "roles")],
            rule: Some(DEPLOY_ORDER_RULE),
            ..Origin::default()
        };
        let name = name_of(host);
        if vars.is_empty() {
            let _ =
                writeln!(out, "{}", shown(format_args!("sudo nixos-rebuild switch --flake .#{name}")).traced(origin));
        } else {
            let keep = join(vars, ",");
            let line = format_args!("sudo --preserve-env={keep} nixos-rebuild switch --flake .#{name} --impure");
            let _ = writeln!(out, "{}", shown(line).traced(origin));
        }
    }
    out.push_str("```\n\n");
}

/// The nixpkgs flavour's order: the control plane, then each worker joined with easyCerts' token.
fn nixpkgs_control_plane_and_workers(cluster: &Cluster, steps: &mut Steps, out: &mut String) {
    let masters: Vec<&Host> = cluster.control_planes().collect();
    let every_role = || roles_of(&cluster.hosts);
    steps.decided_by(every_role);
    let easy_certs = || presence(["kubernetes.easy-certs".to_owned()]);
    if let Some(master) = masters.first() {
        let first = || roles_up_to(cluster, master);
        block(
            out,
            || presence(first()),
            |out| {
                steps.heading(out, "The control plane comes first");
                let _ = write!(
                    out,
                    "`homeflake deploy` switches {} before any other member of the cluster: every member reaches the \
                     API server as {}, which each host's `/etc/hosts` maps to {}.",
                    code_name(master),
                    shown(markdown_code(cluster.kubernetes.api.host_name.as_str())).source("kubernetes.api.host-name"),
                    lan_address(master)
                );
                let easy_certs_text = if cluster.kubernetes.uses_easy_certs() {
                    " With easyCerts it also creates the cluster's certificate authority (cfssl) and the join token. \
                     easyCerts is convenient, but upstream says it is not meant for production-grade clusters.\n\n"
                } else {
                    " easyCerts is off: provide the certificates and kubeconfigs of every component yourself before \
                     switching.\n\n"
                };
                block(out, easy_certs, |out| out.push_str(easy_certs_text));
            },
        );
    }
    let workers: Vec<&Host> = cluster.hosts.iter().filter(|h| h.roles.worker && !h.roles.control_plane).collect();
    let (Some(master), false) = (masters.first(), workers.is_empty()) else { return };
    // The section exists while there is a control plane and a worker.
    let section = || {
        let mut keys = roles_up_to(cluster, master);
        keys.extend(roles_of(workers.iter().copied()));
        presence(keys)
    };
    block(out, section, |out| steps.heading(out, "Join each worker"));
    if !cluster.kubernetes.uses_easy_certs() {
        block(out, easy_certs, |out| {
            out.push_str("With easyCerts off, each worker's certificates are yours to provide.\n\n")
        });
        return;
    }
    // The token's steps exist with the section, because easyCerts makes the token.
    let with_token = || {
        let mut origin = section();
        origin.presence.push("kubernetes.easy-certs".to_owned());
        origin
    };
    let m = ssh_to(cluster, master);
    block(out, with_token, |out| {
        let _ = writeln!(
            out,
            "Once the workers are switched, join each with the token the control plane's cfssl wrote. Each \
                 `ssh -t` lets sudo ask for your password:\n\n```sh\n\
                 ssh -t {m} 'umask 077; sudo cat /var/lib/cfssl/apitoken.secret > apitoken.secret'\n\
                 scp {m}:apitoken.secret .\nssh {m} rm apitoken.secret\n```\n"
        );
    });
    for worker in &workers {
        let w = ssh_to(cluster, worker);
        block(
            out,
            || presence([host_key(master, "roles"), host_key(worker, "roles"), "kubernetes.easy-certs".to_owned()]),
            |out| {
                let _ = writeln!(
                    out,
                    "`{}`:\n\n```sh\nscp apitoken.secret {w}:\n\
                     ssh -t {w} 'sudo nixos-kubernetes-node-join < apitoken.secret; rm apitoken.secret'\n```\n",
                    name_of(worker)
                );
            },
        );
    }
    block(out, with_token, |out| {
        out.push_str(
            "Then delete your copy: `rm apitoken.secret`. On a worker itself, the same is \
                 `sudo nixos-kubernetes-node-join < apitoken.secret` with the file copied there.\n\n",
        )
    });
}

fn kubectl(cluster: &Cluster, steps: &mut Steps, out: &mut String) {
    let Some(master) = cluster.control_planes().next() else { return };
    block(out, || presence(roles_up_to(cluster, master)), |out| kubectl_step(cluster, master, steps, out));
}

fn kubectl_step(cluster: &Cluster, master: &Host, steps: &mut Steps, out: &mut String) {
    steps.heading(out, "Use kubectl");
    let admin_keys = || {
        let mut keys: Vec<String> = (0..cluster.users.len()).map(|i| format!("users[{i}].extra-groups")).collect();
        keys.push("kubernetes.easy-certs".to_owned());
        presence(keys)
    };
    let m = lan_address(master);
    let api = api_host_name(cluster);
    if let (true, Some((index, admin))) = (cluster.kubernetes.uses_easy_certs(), first_admin(cluster)) {
        let from = format!(
            "{}@{}",
            shown(&admin.name).source(&format!("users[{index}].name")),
            shown(secret_label(&cluster.ssh_address(master)))
                .traced(|| Origin { keys: vec![address_key(master)], ..Origin::default() })
        );
        let name = shown(&cluster.name).source("name");
        block(out, admin_keys, |out| {
            let _ = writeln!(
                out,
                "On `{}`, `kubectl` works for the members of `wheel`: a service writes `~/.kube/config` with the \
                 cluster-admin certificates embedded (the module's `/etc/kubernetes/cluster-admin.kubeconfig` can be \
                 read by root only) and writes it again when certmgr renews them. Try `kubectl get nodes` there.\n\n\
                 From your machine, copy it and make `{api}` resolve to the control plane (the API server's \
                 certificate is made for that name):\n\n```sh\nscp {from}:.kube/config ~/.kube/{name}.config\n\
                 echo '{m} {api}' | sudo tee -a /etc/hosts\nKUBECONFIG=~/.kube/{name}.config kubectl get nodes\n```\n",
                name_of(master)
            );
        });
    } else {
        let _ = write!(
            out,
            "{}",
            shown(format_args!(
                "The cluster-admin kubeconfig is yours to make (easyCerts is off, or no user is in `wheel`); the API \
                 server is at `{}` ({api} → {m}).\n\n",
                api_url(cluster)
            ))
            .traced(admin_keys)
        );
    }
}

/// Every k3s member reads the same join token from its file; the user makes it once.
fn k3s_token(cluster: &Cluster, steps: &mut Steps, out: &mut String) {
    let Some(k3s) = &cluster.kubernetes.k3s else { return };
    let file = shown(k3s.token_file.as_str()).source("kubernetes.k3s.token-file");
    steps.heading(out, "Put the k3s token on every member");
    let _ = writeln!(
        out,
        "k3s servers and agents join the cluster with one shared secret, which k3s reads from {} \
         (`kubernetes.k3s.token-file`) on every member; the token is in no generated file. The first server \
         initialises the cluster with it, and it cannot change afterwards. Provide the file with sops-nix or \
         agenix, or make the token once on your machine and copy it to each member (each `ssh -t` lets sudo ask \
         for your password):\n\n```sh\n(umask 077; openssl rand -hex 32 > k3s-token)\n```\n",
        shown(markdown_code(k3s.token_file.as_str())).source("kubernetes.k3s.token-file")
    );
    for host in cluster.members() {
        let to = ssh_to(cluster, host);
        block(
            out,
            || presence([host_key(host, "roles")]),
            |out| {
                let _ = writeln!(
                    out,
                    "{}:\n\n```sh\nscp k3s-token {to}:\n\
                     ssh -t {to} 'sudo install -D -m 600 -o root -g root k3s-token {file}; rm k3s-token'\n```\n",
                    code_name(host)
                );
            },
        );
    }
    out.push_str(
        "Keep the token in your password manager, then delete your copy: `rm k3s-token`. On a member itself, \
         the same is `sudo install -D -m 600 /dev/stdin <file>`, pasting the token, then Ctrl-D.",
    );
    if k3s.token_file.as_str().starts_with("/run/") {
        let _ = write!(
            out,
            "{}",
            shown(
                " A file under `/run` is gone after a reboot: sops-nix and agenix write theirs again at every boot; \
                 by hand, choose a path that persists (`/var/lib/secrets/k3s-token`)."
            )
            .present_if("kubernetes.k3s.token-file")
        );
    }
    out.push_str("\n\n");
}

/// The k3s order: the first server initialises the cluster, the other servers and the agents join it.
fn k3s_servers_and_agents(cluster: &Cluster, steps: &mut Steps, out: &mut String) {
    let servers: Vec<&Host> = cluster.control_planes().collect();
    let every_role = || roles_of(&cluster.hosts);
    steps.decided_by(every_role);
    let Some(first) = servers.first() else { return };
    block(
        out,
        || presence(roles_up_to(cluster, first)),
        |out| {
            steps.heading(out, "The first server comes first");
            let _ = writeln!(
                out,
                "`homeflake deploy` switches {} before any other member: it initialises the cluster \
                 (`services.k3s.clusterInit`, an embedded etcd) with the token, and k3s makes the cluster's \
                 certificates itself, with {} among the API server's names. Every member reaches the API server as \
                 {}, which each host's `/etc/hosts` maps to {}. `sudo k3s kubectl get nodes` on it shows the node once \
                 k3s is up.\n",
                code_name(first),
                shown(markdown_code(cluster.kubernetes.api.host_name.as_str())).source("kubernetes.api.host-name"),
                code_api_url(cluster),
                lan_address(first)
            );
        },
    );
    if cluster.ingress.is_some() {
        block(
            out,
            || presence(["ingress".to_owned()]),
            |out| {
                out.push_str(
                    "k3s's bundled Traefik and ServiceLB are off (`--disable=traefik`, `--disable=servicelb`): the \
                     cluster layer deploys its own Traefik as a NodePort service, which nginx on the ingress host \
                     forwards to, and ServiceLB would take ports 80 and 443 on every node for a LoadBalancer \
                     service, the ports nginx needs. The cluster layer is deployed with helmfile, as in the nixpkgs \
                     flavour, not through `services.k3s.autoDeployCharts`: that option needs the hash of each \
                     chart's archive, which homeflake cannot know without downloading it.\n\n",
                )
            },
        );
    }
    if cluster.firewall.mode == FirewallMode::LeastPrivilege {
        block(
            out,
            || presence(["firewall.mode".to_owned()]),
            |out| {
                out.push_str(
                    "The k3s module opens no port (nixpkgs issue 175513); homeflake opens what k3s needs and \
                     nothing else: the API server on the servers to the LAN, pods and the tailnet, etcd between the \
                     servers, kubelet on every member to the members and pods, flannel's VXLAN to the LAN. A pod \
                     reaches its own host with its pod address, which is admitted on exactly those ports, so `cni0` \
                     and `flannel.1` need not be trusted as a whole (the fix suggested in nixpkgs issue 98766); \
                     traffic between pods is forwarded, which the NixOS firewall does not filter.\n\n",
                )
            },
        );
    }
    let others = &servers[1..];
    let agents: Vec<&Host> = cluster.hosts.iter().filter(|h| h.roles.worker && !h.roles.control_plane).collect();
    if others.is_empty() && agents.is_empty() {
        return;
    }
    // Which hosts are the other servers and the agents follows every host's roles.
    let members = || presence(every_role());
    block(out, members, |out| steps.heading(out, "The other servers, then the agents"));
    let names = |hosts: &[&Host]| join(hosts.iter().map(|h| code_name(h)), ", ");
    let url = || code_api_url(cluster);
    if !others.is_empty() {
        let _ = write!(
            out,
            "{}",
            shown(format_args!(
                "The other servers join one at a time, as etcd adds one member at a time: {}. Each joins {} with \
                 the token (`services.k3s.serverAddr`). `homeflake deploy` switches them in that order, but a \
                 switch returns before k3s is Ready; on a first deploy, switch them one by one (`homeflake deploy \
                 HOST`), each once the one before is Ready in `kubectl get nodes`.\n\n",
                names(others),
                url()
            ))
            .traced(members)
        );
    }
    if !agents.is_empty() {
        let _ = write!(
            out,
            "{}",
            shown(format_args!(
                "Then the agents: {}. Each joins {} with the token; no join command is needed.\n\n",
                names(&agents),
                url()
            ))
            .traced(members)
        );
    }
    let dedicated: Vec<&Host> = servers.iter().copied().filter(|h| !h.roles.worker).collect();
    if !dedicated.is_empty() {
        let _ = write!(
            out,
            "{}",
            shown(format_args!(
                "{} run{} no ordinary workloads: {} registers with the taint `{CONTROL_PLANE_ONLY_TAINT}`, which \
                 only k3s's own add-ons tolerate.\n\n",
                names(&dedicated),
                if dedicated.len() == 1 { "s" } else { "" },
                if dedicated.len() == 1 { "it" } else { "each" }
            ))
            .traced(members)
        );
    }
}

fn k3s_kubectl(cluster: &Cluster, steps: &mut Steps, out: &mut String) {
    let Some(first) = cluster.control_planes().next() else { return };
    block(out, || presence(roles_up_to(cluster, first)), |out| k3s_kubectl_step(cluster, first, steps, out));
}

fn k3s_kubectl_step(cluster: &Cluster, first: &Host, steps: &mut Steps, out: &mut String) {
    steps.heading(out, "Use kubectl");
    let address = lan_address(first);
    let host_name = api_host_name(cluster);
    let admin_keys = || presence((0..cluster.users.len()).map(|i| format!("users[{i}].extra-groups")));
    if let Some((index, admin)) = first_admin(cluster) {
        let from = format!(
            "{}@{}",
            shown(&admin.name).source(&format!("users[{index}].name")),
            shown(secret_label(&cluster.ssh_address(first)))
                .traced(|| Origin { keys: vec![address_key(first)], ..Origin::default() })
        );
        let name = shown(&cluster.name).source("name");
        let port = shown(cluster.kubernetes.api.port).source("kubernetes.api.port");
        block(out, admin_keys, |out| {
            let _ = writeln!(
                out,
                "On every server, `kubectl` works for the members of `wheel`: k3s writes the cluster-admin \
                 kubeconfig, certificates embedded, to `{K3S_KUBECONFIG}` (readable by root only) at every start, \
                 and a service copies it to `~/.kube/config`. Try `kubectl get nodes` on `{}`.\n\n\
                 From your machine, copy it, point it at `{host_name}` instead of the server's own loopback \
                 address, and make `{host_name}` resolve to the first server (its certificate is made for that \
                 name):\n\n```sh\n\
                 scp {from}:.kube/config ~/.kube/{name}.config\n\
                 sed -i 's#https://127.0.0.1:{port}#{}#' ~/.kube/{name}.config\n\
                 echo '{address} {host_name}' | sudo tee -a /etc/hosts\n\
                 KUBECONFIG=~/.kube/{name}.config kubectl get nodes\n```\n",
                name_of(first),
                api_url(cluster)
            );
        });
    } else {
        let _ = write!(
            out,
            "{}",
            shown(format_args!(
                "The cluster-admin kubeconfig is `{K3S_KUBECONFIG}` on every server, readable by root only (no user \
                 is in `wheel`); `sudo k3s kubectl get nodes` uses it. The API server is at `{}` ({host_name} → \
                 {address}).\n\n",
                api_url(cluster)
            ))
            .traced(admin_keys)
        );
    }
}

fn dns(cluster: &Cluster, steps: &mut Steps, out: &mut String) {
    steps.decided_by(|| vec!["split-dns".to_owned()]);
    let Some(dns) = &cluster.split_dns else { return };
    let Some(server) = cluster.host(dns.server_host.as_str()) else { return };
    let zone = || shown(markdown_code(dns.zone.as_str())).source("split-dns.zone");
    let server_name = || shown(markdown_code(server.name.as_str())).source("split-dns.server-host");
    block(
        out,
        || presence(["split-dns".to_owned(), "split-dns.network".to_owned()]),
        |out| match dns.network {
            SplitDnsNetwork::Tailnet => {
                steps.heading(out, "Point the tailnet's DNS at the cluster");
                let address = match &server.tailnet_address {
                    Some(address) => {
                        shown(markdown_code(&secret_label(address))).host_source(server, "tailnet-address")
                    }
                    None => shown(markdown_code("its tailnet address")).present_if_host(server, "tailnet-address"),
                };
                let _ = writeln!(
                    out,
                    "In the Tailscale admin console, under DNS, add a nameserver {address} (the tailnet address of {}) \
                     and restrict it to the domain {} (split DNS). Outside the tailnet, let the public record of {} \
                     point to 127.0.0.1.\n",
                    server_name(),
                    zone(),
                    zone()
                );
            }
            _ => {
                steps.heading(out, "Point the LAN's DNS at the cluster");
                let _ = writeln!(
                    out,
                    "In your router or LAN resolver, forward the domain {} to {} ({}), which answers every name in \
                     it with the address of {} on the LAN.\n",
                    zone(),
                    shown(markdown_code(&secret_label(&server.lan_address))).host_source(server, "lan-address"),
                    shown(server.name.as_str()).source("split-dns.server-host"),
                    shown(markdown_code(dns.answer_host.as_str())).source("split-dns.answer-host")
                );
            }
        },
    );
}

/// The cluster layer's step (its text lives in `docs/cluster_layer.rs`).
fn cluster_layer(cluster: &Cluster, steps: &mut Steps, out: &mut String) {
    if let Some((title, text)) = super::cluster_layer::bootstrap_step(cluster) {
        block(
            out,
            || presence(super::cluster_layer::release_sections(cluster)),
            |out| {
                steps.heading(out, title);
                out.push_str(&text);
                out.push('\n');
            },
        );
    }
}
