//! `docs/bootstrap.md`: the ordered first-deploy steps, from installing the machines to joining
//! the workers, kubectl, the DNS settings and the cluster layer, with commands that work on real machines.

use std::collections::BTreeSet;
use std::fmt::Write;

use homeflake_model::{Cluster, FirewallMode, Hardware, Host, SplitDnsNetwork, System};

use super::markdown_code;
use crate::admin_kubeconfig::{K3S_KUBECONFIG, admins};
use crate::deploy;
use crate::lower::secret_label;
use crate::modules::k3s::CONTROL_PLANE_ONLY_TAINT;

/// A numbered section heading.
struct Steps(usize);

impl Steps {
    fn heading(&mut self, out: &mut String, title: &str) {
        self.0 += 1;
        let _ = writeln!(out, "## {}. {title}\n", self.0);
    }
}

/// The whole Markdown document.
pub fn render(cluster: &Cluster) -> String {
    let mut out = super::header();
    let _ = writeln!(out, "# {}: first deploy\n", cluster.name);
    out.push_str(
        "Commands are run on your machine, from the flake's folder, unless a step says otherwise; each host is \
         reached over SSH as its deploy user at its deploy address (`hosts.<name>.deploy`). Keep every file of \
         the flake in git (`git add`): a flake sees only the files git tracks.\n\n",
    );
    let mut steps = Steps(0);
    let planner = deploy::Planner::new(cluster);
    install(&planner, cluster, &mut steps, &mut out);
    tailnet(cluster, &mut steps, &mut out);
    if cluster.kubernetes.is_k3s() {
        k3s_token(cluster, &mut steps, &mut out);
    }
    switching(&planner, cluster, &mut steps, &mut out);
    if cluster.kubernetes.is_k3s() {
        k3s_servers_and_agents(cluster, &mut steps, &mut out);
        k3s_kubectl(cluster, &mut steps, &mut out);
    } else {
        nixpkgs_control_plane_and_workers(cluster, &mut steps, &mut out);
        kubectl(cluster, &mut steps, &mut out);
    }
    dns(cluster, &mut steps, &mut out);
    cluster_layer(cluster, &mut steps, &mut out);
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

fn install(planner: &deploy::Planner<'_>, cluster: &Cluster, steps: &mut Steps, out: &mut String) {
    steps.heading(out, "Install NixOS on each machine");
    out.push_str(
        "Each machine is installed once, straight into its own configuration, from your machine: a Raspberry \
         Pi from an SD card holding its whole system (the flake's `packages.aarch64-linux.<host>-sd-image`), a \
         PC from the NixOS installer, over SSH. `homeflake deploy --install --dry-run [HOST…]` prints these \
         steps for each host; nothing runs them for you, as they need hands on the machine.\n\n",
    );
    // Hosts installed the same way (hardware, system, --impure) share one set of steps, with the
    // host's name in $HOST.
    type InstallKind = (Hardware, System, bool);
    let mut groups: Vec<(InstallKind, Vec<&Host>)> = Vec::new();
    for host in deploy::order(cluster) {
        let kind = (host.hardware, host.system, !planner.evaluation_env_vars(host).is_empty());
        match groups.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, hosts)) => hosts.push(host),
            None => groups.push((kind, vec![host])),
        }
    }
    for ((hardware, system, impure), hosts) in groups {
        let names: Vec<String> = hosts.iter().map(|h| markdown_code(h.name.as_str())).collect();
        let _ = write!(out, "{}: {}.", names.join(", "), deploy::install_guide(hardware));
        if let Some(note) = planner.builder_note(hosts[0]) {
            let _ = write!(out, " Note: {note}.");
        }
        if impure {
            out.push_str(" Export the variables listed under \"Deploy from your machine\" first.");
        }
        let _ = writeln!(out, "\n\n```sh\nHOST={}", hosts[0].name);
        for line in deploy::install_steps(hardware, system, "$HOST", impure, "its deploy address") {
            let _ = writeln!(out, "{line}");
        }
        out.push_str("```\n\n");
    }
    if cluster.hosts.iter().any(|h| h.hardware == Hardware::UefiPc) {
        out.push_str(
            "A PC's `hosts/<host>/hardware-configuration.nix` is yours: homeflake never writes or removes it, \
             and a PC without one evaluates but does not build (the error names the file). homeflake prints no \
             nixos-anywhere command: its `--generate-hardware-config nixos-generate-config` writes the hardware \
             description without file systems, for a disko layout homeflake does not generate, and its builds \
             evaluate purely, where the variables the inventory reads are unset. With a disko layout in \
             `hosts/<host>/extra.nix` and no variables, `nixos-anywhere --flake .#<host> \
             --generate-hardware-config nixos-generate-config ./hosts/<host>/hardware-configuration.nix \
             root@$INSTALLER` does the steps above in one command.\n\n",
        );
    }
}

fn tailnet(cluster: &Cluster, steps: &mut Steps, out: &mut String) {
    let tailscale = &cluster.tailscale;
    if !tailscale.enable {
        return;
    }
    steps.heading(out, "Join the tailnet");
    match &tailscale.auth_key_file {
        Some(file) => {
            let _ = writeln!(
                out,
                "Each host joins the tailnet when it first switches, with the auth key in `{file}` \
                 (`services.tailscale.authKeyFile`). Create a reusable key in the Tailscale admin console \
                 (Settings → Keys) and put it on every host before its first switch, with sops-nix or agenix, \
                 or by hand: `sudo install -D -m 600 /dev/stdin {file}`, paste the key, then Ctrl-D.\n"
            );
        }
        None => out.push_str(
            "Once a host runs its own system, run `sudo tailscale up` on it and log in (or set \
             `tailscale.auth-key-file` so hosts join by themselves).\n\n",
        ),
    }
    let needed: BTreeSet<&str> = cluster
        .split_dns
        .iter()
        .filter(|dns| dns.network == SplitDnsNetwork::Tailnet)
        .flat_map(|dns| [dns.server_host.as_str(), dns.answer_host.as_str()])
        .collect();
    if needed.is_empty() {
        return;
    }
    let names: Vec<String> = needed.iter().map(|n| format!("`{n}`")).collect();
    let server = cluster.split_dns.as_ref().map(|d| d.server_host.as_str()).unwrap_or_default();
    let _ = writeln!(
        out,
        "A host's tailnet address exists only once it has joined. Split DNS needs those of {}: until the \
         inventory has them, leave their `tailnet-address` out, and homeflake leaves split DNS out with a \
         warning. Once they have joined, run `tailscale ip -4` on each, write the address into \
         `homeflake.toml` (`tailnet-address = \"100.x.y.z\"`, or `{{ env = \"NAME\" }}` and export it), run \
         `homeflake gen`, and switch `{server}` again.\n",
        names.join(" and ")
    );
}

/// `user@address` for SSH to `host` as the docs show it: its deploy user, or `<you>` when it has none.
fn ssh_to(cluster: &Cluster, host: &Host) -> String {
    match deploy::destination(cluster, host) {
        Ok(destination) => deploy::CommandLine { words: vec![deploy::Word::Destination(destination)] }.to_string(),
        Err(_) => format!("<you>@{}", secret_label(&cluster.ssh_address(host))),
    }
}

fn switching(planner: &deploy::Planner<'_>, cluster: &Cluster, steps: &mut Steps, out: &mut String) {
    let vars: BTreeSet<&String> = cluster.hosts.iter().flat_map(|h| planner.evaluation_env_vars(h)).collect();
    steps.heading(out, "Deploy from your machine");
    out.push_str(
        "`homeflake deploy` switches every host over SSH, control planes first, then workers, then the hosts \
         outside the cluster, printing each command before it runs it and stopping at the first failure; \
         `homeflake deploy HOST…` switches only those (still in that order), `--boot` makes the new system the \
         boot default without activating it, and `--dry-run` prints the commands only. The configuration is \
         evaluated on your machine, so the values the inventory keeps in environment variables are read from \
         your shell, and sudo runs on the host only, for the activation: it asks for your password there.\n\n",
    );
    if !vars.is_empty() {
        let _ = writeln!(out, "```sh");
        for var in &vars {
            let _ = writeln!(out, "export {var}=...");
        }
        let _ = writeln!(out, "homeflake deploy\n```\n\nruns:\n");
    } else {
        out.push_str("`homeflake deploy` runs:\n\n");
    }
    let _ = writeln!(out, "```sh");
    let mut no_user = Vec::new();
    for host in deploy::order(cluster) {
        match planner.rebuild(host, deploy::Action::Switch) {
            Ok(command) => {
                let _ = writeln!(out, "{command}");
            }
            Err(_) => no_user.push(markdown_code(host.name.as_str())),
        }
    }
    out.push_str("```\n\n");
    if !no_user.is_empty() {
        let _ = writeln!(
            out,
            "Not deployed until they have a user to log in as (nobody is in `wheel`): {}. Set \
             `hosts.<name>.deploy.user`, or give a user `extra-groups = [\"wheel\"]`.\n",
            no_user.join(", ")
        );
    }
    let remote: Vec<&Host> = cluster.hosts.iter().filter(|h| cluster.builds_on_target(h)).collect();
    let local: Vec<&str> = cluster.deploy.local_systems.iter().map(|s| s.as_str()).collect();
    let local = if local.is_empty() { "no system".to_owned() } else { local.join(" and ") };
    if remote.is_empty() {
        let _ = writeln!(
            out,
            "Every host's system is built on your machine, which builds {local} (`deploy.local-systems`), and \
             copied to it.\n"
        );
    } else {
        let names: Vec<String> = remote.iter().map(|h| markdown_code(h.name.as_str())).collect();
        let builds = if names.len() == 1 { "builds its own system" } else { "build their own systems" };
        let _ = writeln!(
            out,
            "{} {builds} (`--build-host`); the other hosts are built on your machine and copied to them. A host \
             builds on itself when its `deploy.build-on-target` says so or, by default, when your machine cannot \
             build its system: yours builds {local} (`deploy.local-systems`). An x86_64 machine builds \
             aarch64-linux only with binfmt emulation (`boot.binfmt.emulatedSystems` on NixOS) or a remote \
             builder, and a Raspberry Pi fetches nearly all of its system from the binary cache, so it builds \
             little itself; add a system to `deploy.local-systems` once your machine can build it.\n",
            names.join(", ")
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
    out.push_str(if vars.is_empty() {
        "On a host itself, from a checkout of the flake there:\n\n```sh\n"
    } else {
        "On a host itself, from a checkout of the flake there, `sudo` clears the environment, so the command \
         keeps exactly the variables that host reads:\n\n```sh\n"
    });
    for host in deploy::order(cluster) {
        let vars = planner.evaluation_env_vars(host);
        if vars.is_empty() {
            let _ = writeln!(out, "sudo nixos-rebuild switch --flake .#{}", host.name);
        } else {
            let keep: Vec<&str> = vars.iter().map(String::as_str).collect();
            let _ = writeln!(
                out,
                "sudo --preserve-env={} nixos-rebuild switch --flake .#{} --impure",
                keep.join(","),
                host.name
            );
        }
    }
    out.push_str("```\n\n");
}

/// The nixpkgs flavour's order: the control plane, then each worker joined with easyCerts' token.
fn nixpkgs_control_plane_and_workers(cluster: &Cluster, steps: &mut Steps, out: &mut String) {
    let masters: Vec<&Host> = cluster.control_planes().collect();
    if let Some(master) = masters.first() {
        steps.heading(out, "The control plane comes first");
        let _ = write!(
            out,
            "`homeflake deploy` switches {} before any other member of the cluster: every member reaches the \
             API server as {}, which each host's `/etc/hosts` maps to {}.",
            markdown_code(master.name.as_str()),
            markdown_code(cluster.kubernetes.api.host_name.as_str()),
            secret_label(&master.lan_address)
        );
        if cluster.kubernetes.uses_easy_certs() {
            out.push_str(
                " With easyCerts it also creates the cluster's certificate authority (cfssl) and the join token. \
                 easyCerts is convenient, but upstream says it is not meant for production-grade clusters.\n\n",
            );
        } else {
            out.push_str(
                " easyCerts is off: provide the certificates and kubeconfigs of every component yourself before \
                 switching.\n\n",
            );
        }
    }
    let workers: Vec<&Host> = cluster.hosts.iter().filter(|h| h.roles.worker && !h.roles.control_plane).collect();
    if let (Some(master), false) = (masters.first(), workers.is_empty()) {
        steps.heading(out, "Join each worker");
        if cluster.kubernetes.uses_easy_certs() {
            let m = ssh_to(cluster, master);
            let _ = writeln!(
                out,
                "Once the workers are switched, join each with the token the control plane's cfssl wrote. Each \
                 `ssh -t` lets sudo ask for your password:\n\n```sh\n\
                 ssh -t {m} 'umask 077; sudo cat /var/lib/cfssl/apitoken.secret > apitoken.secret'\n\
                 scp {m}:apitoken.secret .\nssh {m} rm apitoken.secret\n```\n"
            );
            for worker in &workers {
                let w = ssh_to(cluster, worker);
                let _ = writeln!(
                    out,
                    "`{0}`:\n\n```sh\nscp apitoken.secret {w}:\n\
                     ssh -t {w} 'sudo nixos-kubernetes-node-join < apitoken.secret; rm apitoken.secret'\n```\n",
                    worker.name
                );
            }
            out.push_str(
                "Then delete your copy: `rm apitoken.secret`. On a worker itself, the same is \
                 `sudo nixos-kubernetes-node-join < apitoken.secret` with the file copied there.\n\n",
            );
        } else {
            out.push_str("With easyCerts off, each worker's certificates are yours to provide.\n\n");
        }
    }
}

fn kubectl(cluster: &Cluster, steps: &mut Steps, out: &mut String) {
    let Some(master) = cluster.control_planes().next() else { return };
    steps.heading(out, "Use kubectl");
    let m = secret_label(&master.lan_address);
    let api = &cluster.kubernetes.api.host_name;
    if let (true, Some(admin)) = (cluster.kubernetes.uses_easy_certs(), admins(cluster).next()) {
        let from = format!("{}@{}", admin.name, secret_label(&cluster.ssh_address(master)));
        let _ = writeln!(
            out,
            "On `{0}`, `kubectl` works for the members of `wheel`: a service writes `~/.kube/config` with the \
             cluster-admin certificates embedded (the module's `/etc/kubernetes/cluster-admin.kubeconfig` can be \
             read by root only) and writes it again when certmgr renews them. Try `kubectl get nodes` there.\n\n\
             From your machine, copy it and make `{api}` resolve to the control plane (the API server's \
             certificate is made for that name):\n\n```sh\nscp {from}:.kube/config ~/.kube/{1}.config\n\
             echo '{m} {api}' | sudo tee -a /etc/hosts\nKUBECONFIG=~/.kube/{1}.config kubectl get nodes\n```\n",
            master.name, cluster.name
        );
    } else {
        let _ = writeln!(
            out,
            "The cluster-admin kubeconfig is yours to make (easyCerts is off, or no user is in `wheel`); the API \
             server is at `{}` ({api} → {m}).\n",
            cluster.kubernetes.api.url()
        );
    }
}

/// Every k3s member reads the same join token from its file; the user makes it once.
fn k3s_token(cluster: &Cluster, steps: &mut Steps, out: &mut String) {
    let Some(k3s) = &cluster.kubernetes.k3s else { return };
    let file = &k3s.token_file;
    steps.heading(out, "Put the k3s token on every member");
    let _ = writeln!(
        out,
        "k3s servers and agents join the cluster with one shared secret, which k3s reads from {} \
         (`kubernetes.k3s.token-file`) on every member; the token is in no generated file. The first server \
         initialises the cluster with it, and it cannot change afterwards. Provide the file with sops-nix or \
         agenix, or make the token once on your machine and copy it to each member (each `ssh -t` lets sudo ask \
         for your password):\n\n```sh\n(umask 077; openssl rand -hex 32 > k3s-token)\n```\n",
        markdown_code(file.as_str())
    );
    for host in cluster.members() {
        let to = ssh_to(cluster, host);
        let _ = writeln!(
            out,
            "{}:\n\n```sh\nscp k3s-token {to}:\n\
             ssh -t {to} 'sudo install -D -m 600 -o root -g root k3s-token {file}; rm k3s-token'\n```\n",
            markdown_code(host.name.as_str())
        );
    }
    out.push_str(
        "Keep the token in your password manager, then delete your copy: `rm k3s-token`. On a member itself, \
         the same is `sudo install -D -m 600 /dev/stdin <file>`, pasting the token, then Ctrl-D.",
    );
    if file.as_str().starts_with("/run/") {
        out.push_str(
            " A file under `/run` is gone after a reboot: sops-nix and agenix write theirs again at every boot; \
             by hand, choose a path that persists (`/var/lib/secrets/k3s-token`).",
        );
    }
    out.push_str("\n\n");
}

/// The k3s order: the first server initialises the cluster, the other servers and the agents join it.
fn k3s_servers_and_agents(cluster: &Cluster, steps: &mut Steps, out: &mut String) {
    let servers: Vec<&Host> = cluster.control_planes().collect();
    let Some(first) = servers.first() else { return };
    let k8s = &cluster.kubernetes;
    steps.heading(out, "The first server comes first");
    let _ = writeln!(
        out,
        "`homeflake deploy` switches {} before any other member: it initialises the cluster (`services.k3s.clusterInit`, an \
         embedded etcd) with the token, and k3s makes the cluster's certificates itself, with {} among the \
         API server's names. Every member reaches the API server as {}, which each host's `/etc/hosts` maps \
         to {}. `sudo k3s kubectl get nodes` on it shows the node once k3s is up.\n",
        markdown_code(first.name.as_str()),
        markdown_code(k8s.api.host_name.as_str()),
        markdown_code(&k8s.api.url()),
        secret_label(&first.lan_address)
    );
    if cluster.ingress.is_some() {
        out.push_str(
            "k3s's bundled Traefik and ServiceLB are off (`--disable=traefik`, `--disable=servicelb`): the cluster \
             layer deploys its own Traefik as a NodePort service, which nginx on the ingress host forwards to, and \
             ServiceLB would take ports 80 and 443 on every node for a LoadBalancer service, the ports nginx needs. \
             The cluster layer is deployed with helmfile, as in the nixpkgs flavour, not through \
             `services.k3s.autoDeployCharts`: that option needs the hash of each chart's archive, which homeflake \
             cannot know without downloading it.\n\n",
        );
    }
    if cluster.firewall.mode == FirewallMode::LeastPrivilege {
        out.push_str(
            "The k3s module opens no port (nixpkgs issue 175513); homeflake opens what k3s needs and nothing \
             else: the API server on the servers to the LAN, pods and the tailnet, etcd between the servers, \
             kubelet on every member to the members and pods, flannel's VXLAN to the LAN. A pod reaches its own \
             host with its pod address, which is admitted on exactly those ports, so `cni0` and `flannel.1` need \
             not be trusted as a whole (the fix suggested in nixpkgs issue 98766); traffic between pods is \
             forwarded, which the NixOS firewall does not filter.\n\n",
        );
    }
    let others = &servers[1..];
    let agents: Vec<&Host> = cluster.hosts.iter().filter(|h| h.roles.worker && !h.roles.control_plane).collect();
    if others.is_empty() && agents.is_empty() {
        return;
    }
    steps.heading(out, "The other servers, then the agents");
    let names = |hosts: &[&Host]| hosts.iter().map(|h| markdown_code(h.name.as_str())).collect::<Vec<_>>().join(", ");
    if !others.is_empty() {
        let _ = writeln!(
            out,
            "The other servers join one at a time, as etcd adds one member at a time: {}. Each joins {} with the \
             token (`services.k3s.serverAddr`). `homeflake deploy` switches them in that order, but a switch \
             returns before k3s is Ready; on a first deploy, switch them one by one (`homeflake deploy HOST`), each \
             once the one before is Ready in `kubectl get nodes`.\n",
            names(others),
            markdown_code(&k8s.api.url())
        );
    }
    if !agents.is_empty() {
        let _ = writeln!(
            out,
            "Then the agents: {}. Each joins {} with the token; no join command is needed.\n",
            names(&agents),
            markdown_code(&k8s.api.url())
        );
    }
    let dedicated: Vec<&Host> = servers.iter().copied().filter(|h| !h.roles.worker).collect();
    if !dedicated.is_empty() {
        let _ = writeln!(
            out,
            "{} run{} no ordinary workloads: {} registers with the taint `{CONTROL_PLANE_ONLY_TAINT}`, which only \
             k3s's own add-ons tolerate.\n",
            names(&dedicated),
            if dedicated.len() == 1 { "s" } else { "" },
            if dedicated.len() == 1 { "it" } else { "each" }
        );
    }
}

fn k3s_kubectl(cluster: &Cluster, steps: &mut Steps, out: &mut String) {
    let Some(first) = cluster.control_planes().next() else { return };
    steps.heading(out, "Use kubectl");
    let address = secret_label(&first.lan_address);
    let api = &cluster.kubernetes.api;
    let host_name = &api.host_name;
    if let Some(admin) = admins(cluster).next() {
        let from = format!("{}@{}", admin.name, secret_label(&cluster.ssh_address(first)));
        let _ = writeln!(
            out,
            "On every server, `kubectl` works for the members of `wheel`: k3s writes the cluster-admin kubeconfig, \
             certificates embedded, to `{K3S_KUBECONFIG}` (readable by root only) at every start, and a service \
             copies it to `~/.kube/config`. Try `kubectl get nodes` on `{0}`.\n\n\
             From your machine, copy it, point it at `{host_name}` instead of the server's own loopback address, \
             and make `{host_name}` resolve to the first server (its certificate is made for that name):\n\n```sh\n\
             scp {from}:.kube/config ~/.kube/{1}.config\n\
             sed -i 's#https://127.0.0.1:{2}#{3}#' ~/.kube/{1}.config\n\
             echo '{address} {host_name}' | sudo tee -a /etc/hosts\nKUBECONFIG=~/.kube/{1}.config kubectl get nodes\n```\n",
            first.name,
            cluster.name,
            api.port,
            api.url()
        );
    } else {
        let _ = writeln!(
            out,
            "The cluster-admin kubeconfig is `{K3S_KUBECONFIG}` on every server, readable by root only (no user is \
             in `wheel`); `sudo k3s kubectl get nodes` uses it. The API server is at `{}` ({host_name} → {address}).\n",
            api.url()
        );
    }
}

fn dns(cluster: &Cluster, steps: &mut Steps, out: &mut String) {
    let Some(dns) = &cluster.split_dns else { return };
    let Some(server) = cluster.host(dns.server_host.as_str()) else { return };
    match dns.network {
        SplitDnsNetwork::Tailnet => {
            steps.heading(out, "Point the tailnet's DNS at the cluster");
            let address = server.tailnet_address.as_ref().map_or("its tailnet address".into(), secret_label);
            let _ = writeln!(
                out,
                "In the Tailscale admin console, under DNS, add a nameserver {} (the tailnet address of \
                 {}) and restrict it to the domain {} (split DNS). Outside the tailnet, let the public record \
                 of {} point to 127.0.0.1.\n",
                markdown_code(&address),
                markdown_code(server.name.as_str()),
                markdown_code(dns.zone.as_str()),
                markdown_code(dns.zone.as_str())
            );
        }
        _ => {
            steps.heading(out, "Point the LAN's DNS at the cluster");
            let _ = writeln!(
                out,
                "In your router or LAN resolver, forward the domain {} to {} ({}), which answers every name in \
                 it with the address of {} on the LAN.\n",
                markdown_code(dns.zone.as_str()),
                markdown_code(&secret_label(&server.lan_address)),
                server.name,
                markdown_code(dns.answer_host.as_str())
            );
        }
    }
}

/// The cluster layer's step (its text lives in `docs/cluster_layer.rs`).
fn cluster_layer(cluster: &Cluster, steps: &mut Steps, out: &mut String) {
    if let Some((title, text)) = super::cluster_layer::bootstrap_step(cluster) {
        steps.heading(out, title);
        out.push_str(&text);
        out.push('\n');
    }
}
