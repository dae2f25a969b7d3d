//! `docs/bootstrap.md`: the ordered first-deploy steps, from installing the machines to joining
//! the workers, kubectl, the DNS settings and the cluster layer, with commands that work on real machines.

use std::collections::BTreeSet;
use std::fmt::Write;

use homeflake_model::{Cluster, FirewallMode, Hardware, Host, SplitDnsNetwork};

use super::markdown_code;
use crate::admin_kubeconfig::{K3S_KUBECONFIG, admins};
use crate::lower::secret_label;
use crate::modules::k3s::CONTROL_PLANE_ONLY_TAINT;
use crate::secrets;

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
    let admin = admins(cluster).next().map_or("<you>", |u| u.name.as_str()).to_owned();
    let _ = writeln!(
        out,
        "Commands are run from the flake's folder. `{admin}` is the user with sudo rights on the hosts; each \
         host is reached at its LAN address. Keep every file of the flake in git (`git add`): a flake sees only \
         the files git tracks.\n"
    );
    let mut steps = Steps(0);
    install(cluster, &mut steps, &mut out);
    tailnet(cluster, &mut steps, &mut out);
    if cluster.kubernetes.is_k3s() {
        k3s_token(cluster, &admin, &mut steps, &mut out);
    }
    switching(cluster, &admin, &mut steps, &mut out);
    if cluster.kubernetes.is_k3s() {
        k3s_servers_and_agents(cluster, &mut steps, &mut out);
        k3s_kubectl(cluster, &admin, &mut steps, &mut out);
    } else {
        nixpkgs_control_plane_and_workers(cluster, &admin, &mut steps, &mut out);
        kubectl(cluster, &admin, &mut steps, &mut out);
    }
    dns(cluster, &mut steps, &mut out);
    cluster_layer(cluster, &mut steps, &mut out);
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

fn install(cluster: &Cluster, steps: &mut Steps, out: &mut String) {
    steps.heading(out, "Install NixOS on each machine");
    out.push_str(
        "Install NixOS with SSH enabled and a user with sudo rights (the NixOS installer for PCs, the NixOS \
         SD-card image for Raspberry Pis), on the LAN address the inventory gives.\n\n",
    );
    let pcs: Vec<&Host> = cluster.hosts.iter().filter(|h| h.hardware == Hardware::UefiPc).collect();
    if !pcs.is_empty() {
        out.push_str(
            "On each PC, write its hardware description into the flake (homeflake never writes or removes \
             these files; a PC without one builds with an error naming the file):\n\n",
        );
        for host in &pcs {
            let _ = writeln!(
                out,
                "- {}: run `nixos-generate-config --show-hardware-config > hardware-configuration.nix` on it, \
                 copy the file to {} and `git add` it",
                markdown_code(host.name.as_str()),
                markdown_code(&format!("hosts/{}/hardware-configuration.nix", host.name))
            );
        }
        out.push('\n');
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
            "After a host's first switch, run `sudo tailscale up` on it and log in (or set \
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

fn switching(cluster: &Cluster, admin: &str, steps: &mut Steps, out: &mut String) {
    let any_env = !secrets::env_vars(cluster).is_empty();
    let env_vars = secrets::HostEnvVars::new(cluster);
    steps.heading(out, "How to switch a host");
    out.push_str(
        "Either on the host itself, from a checkout of the flake there, or from your machine over SSH: \
         evaluation runs on your machine, and `--build-host` builds on the host, so your machine needs no \
         emulator for a Raspberry Pi (without NixOS there, run `nix run nixpkgs#nixos-rebuild -- switch …`).\n\n",
    );
    if any_env {
        out.push_str(
            "Some values are not in the repository: `modules/secrets.nix` reads them from the environment when \
             the flake is evaluated, so `--impure` is needed. `sudo` clears the environment, so on a host the \
             command keeps exactly the variables that host reads (`--preserve-env`); from your machine nothing \
             runs under sudo locally, and an exported variable is seen as it is.\n\n",
        );
    }
    let in_order = cluster
        .control_planes()
        .chain(cluster.hosts.iter().filter(|h| h.roles.worker && !h.roles.control_plane))
        .chain(cluster.hosts.iter().filter(|h| !h.roles.in_cluster()));
    for host in in_order {
        let vars = env_vars.of(host);
        let impure = if vars.is_empty() { "" } else { " --impure" };
        let address = secret_label(&host.lan_address);
        let _ = writeln!(out, "{}:\n\n```sh", markdown_code(host.name.as_str()));
        for var in &vars {
            let _ = writeln!(out, "export {var}=...");
        }
        if vars.is_empty() {
            let _ = writeln!(out, "# on {0}\nsudo nixos-rebuild switch --flake .#{0}", host.name);
        } else {
            let keep: Vec<&str> = vars.iter().map(String::as_str).collect();
            let _ = writeln!(
                out,
                "# on {0}\nsudo --preserve-env={1} nixos-rebuild switch --flake .#{0}{impure}",
                host.name,
                keep.join(",")
            );
        }
        let _ = writeln!(
            out,
            "# or from your machine\nnixos-rebuild switch --flake .#{0}{impure} --target-host {admin}@{address} \
             --build-host {admin}@{address} --sudo --ask-sudo-password\n```\n",
            host.name
        );
    }
}

/// The nixpkgs flavour's order: the control plane, then each worker joined with easyCerts' token.
fn nixpkgs_control_plane_and_workers(cluster: &Cluster, admin: &str, steps: &mut Steps, out: &mut String) {
    let masters: Vec<&Host> = cluster.control_planes().collect();
    if let Some(master) = masters.first() {
        steps.heading(out, "Switch the control plane first");
        let _ = write!(
            out,
            "Switch {} before any other member of the cluster: every member reaches the API server as {}, \
             which each host's `/etc/hosts` maps to {}.",
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
        steps.heading(out, "Switch and join each worker");
        if cluster.kubernetes.uses_easy_certs() {
            let m = secret_label(&master.lan_address);
            let _ = writeln!(
                out,
                "Switch each worker, then join it with the token the control plane's cfssl wrote. From your \
                 machine, each `ssh -t` lets sudo ask for your password:\n\n```sh\n\
                 ssh -t {admin}@{m} 'umask 077; sudo cat /var/lib/cfssl/apitoken.secret > apitoken.secret'\n\
                 scp {admin}@{m}:apitoken.secret .\nssh {admin}@{m} rm apitoken.secret\n```\n"
            );
            for worker in &workers {
                let w = secret_label(&worker.lan_address);
                let _ = writeln!(
                    out,
                    "`{0}`:\n\n```sh\nscp apitoken.secret {admin}@{w}:\n\
                     ssh -t {admin}@{w} 'sudo nixos-kubernetes-node-join < apitoken.secret; rm apitoken.secret'\n```\n",
                    worker.name
                );
            }
            out.push_str(
                "Then delete your copy: `rm apitoken.secret`. On a worker itself, the same is \
                 `sudo nixos-kubernetes-node-join < apitoken.secret` with the file copied there.\n\n",
            );
        } else {
            out.push_str("Switch each worker; with easyCerts off, its certificates are yours to provide.\n\n");
        }
    }
}

fn kubectl(cluster: &Cluster, admin: &str, steps: &mut Steps, out: &mut String) {
    let Some(master) = cluster.control_planes().next() else { return };
    steps.heading(out, "Use kubectl");
    let m = secret_label(&master.lan_address);
    let api = &cluster.kubernetes.api.host_name;
    if cluster.kubernetes.uses_easy_certs() && admins(cluster).next().is_some() {
        let _ = writeln!(
            out,
            "On `{0}`, `kubectl` works for the members of `wheel`: a service writes `~/.kube/config` with the \
             cluster-admin certificates embedded (the module's `/etc/kubernetes/cluster-admin.kubeconfig` can be \
             read by root only) and writes it again when certmgr renews them. Try `kubectl get nodes` there.\n\n\
             From your machine, copy it and make `{api}` resolve to the control plane (the API server's \
             certificate is made for that name):\n\n```sh\nscp {admin}@{m}:.kube/config ~/.kube/{1}.config\n\
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
fn k3s_token(cluster: &Cluster, admin: &str, steps: &mut Steps, out: &mut String) {
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
        let address = secret_label(&host.lan_address);
        let _ = writeln!(
            out,
            "{}:\n\n```sh\nscp k3s-token {admin}@{address}:\n\
             ssh -t {admin}@{address} 'sudo install -D -m 600 -o root -g root k3s-token {file}; rm k3s-token'\n```\n",
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
    steps.heading(out, "Switch the first server");
    let _ = writeln!(
        out,
        "Switch {} before any other member: it initialises the cluster (`services.k3s.clusterInit`, an \
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
    steps.heading(out, "Switch the other servers, then the agents");
    let names = |hosts: &[&Host]| hosts.iter().map(|h| markdown_code(h.name.as_str())).collect::<Vec<_>>().join(", ");
    if !others.is_empty() {
        let _ = writeln!(
            out,
            "Switch the other servers one at a time, each once the one before is Ready in `kubectl get nodes` \
             (etcd adds one member at a time): {}. Each joins {} with the token (`services.k3s.serverAddr`).\n",
            names(others),
            markdown_code(&k8s.api.url())
        );
    }
    if !agents.is_empty() {
        let _ = writeln!(
            out,
            "Then switch the agents: {}. Each joins {} with the token; no join command is needed.\n",
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

fn k3s_kubectl(cluster: &Cluster, admin: &str, steps: &mut Steps, out: &mut String) {
    let Some(first) = cluster.control_planes().next() else { return };
    steps.heading(out, "Use kubectl");
    let address = secret_label(&first.lan_address);
    let api = &cluster.kubernetes.api;
    let host_name = &api.host_name;
    if admins(cluster).next().is_some() {
        let _ = writeln!(
            out,
            "On every server, `kubectl` works for the members of `wheel`: k3s writes the cluster-admin kubeconfig, \
             certificates embedded, to `{K3S_KUBECONFIG}` (readable by root only) at every start, and a service \
             copies it to `~/.kube/config`. Try `kubectl get nodes` on `{0}`.\n\n\
             From your machine, copy it, point it at `{host_name}` instead of the server's own loopback address, \
             and make `{host_name}` resolve to the first server (its certificate is made for that name):\n\n```sh\n\
             scp {admin}@{address}:.kube/config ~/.kube/{1}.config\n\
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
