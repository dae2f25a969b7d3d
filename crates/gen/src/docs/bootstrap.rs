//! `docs/bootstrap.md`: the ordered first-deploy steps, from secrets to joining workers and the tailnet DNS setting.

use std::fmt::Write;

use homeflake_model::{Cluster, Hardware};

use super::markdown_code;
use crate::lower::secret_label;
use crate::secrets;

/// The whole Markdown document.
pub fn render(cluster: &Cluster) -> String {
    let mut out = super::header();
    let _ = writeln!(out, "# {}: first deploy\n", cluster.name);
    let env = secrets::env_vars(cluster);
    let impure = if env.is_empty() { "" } else { " --impure" };
    let mut step = 0;
    let mut heading = |out: &mut String, title: &str| {
        step += 1;
        let _ = writeln!(out, "## {step}. {title}\n");
    };

    if !env.is_empty() {
        heading(&mut out, "Export the secret values");
        out.push_str(
            "These values are not in the repository; `modules/secrets.nix` reads them when the flake is \
             evaluated, so every `nixos-rebuild` needs them exported and `--impure`:\n\n```sh\n",
        );
        for name in &env {
            let _ = writeln!(out, "export {name}=...");
        }
        out.push_str("```\n\n");
    }

    let pcs: Vec<_> = cluster.hosts.iter().filter(|h| h.hardware == Hardware::UefiPc).collect();
    if !pcs.is_empty() {
        heading(&mut out, "Record each PC's hardware");
        out.push_str(
            "On each PC, after installing NixOS, write its hardware configuration into the flake and add it to \
             git (a flake sees only tracked files). homeflake never writes or removes these files.\n\n",
        );
        for host in &pcs {
            let command = format!(
                "nixos-generate-config --show-hardware-config > hosts/{}/hardware-configuration.nix",
                host.name
            );
            let _ = writeln!(out, "- {}: {}", markdown_code(host.name.as_str()), markdown_code(&command));
        }
        out.push('\n');
    }

    let masters: Vec<_> = cluster.control_planes().collect();
    if let Some(master) = masters.first() {
        heading(&mut out, "Switch the control plane first");
        let _ = writeln!(
            out,
            "```sh\nsudo nixos-rebuild switch --flake .#{}{impure}\n```\n\nIt must come first: with easyCerts \
             it creates the cluster's certificate authority, and {} must resolve to it ({}) while certificates \
             are made (every host's `/etc/hosts` maps it).\n",
            master.name,
            markdown_code(cluster.kubernetes.api.host_name.as_str()),
            secret_label(&master.lan_address)
        );
        if cluster.kubernetes.easy_certs {
            out.push_str("easyCerts is convenient but upstream calls it not fit for production-grade clusters.\n\n");
        }
    }

    let workers: Vec<_> = cluster.hosts.iter().filter(|h| h.roles.worker && !h.roles.control_plane).collect();
    if let (Some(master), false) = (masters.first(), workers.is_empty()) {
        heading(&mut out, "Switch and join each worker");
        for worker in &workers {
            let _ = writeln!(out, "```sh\n# on {0}\nsudo nixos-rebuild switch --flake .#{0}{impure}", worker.name);
            if cluster.kubernetes.easy_certs {
                let _ = writeln!(
                    out,
                    "# join with the token the control plane's cfssl wrote\nssh {} sudo cat /var/lib/cfssl/apitoken.secret \\\n  | ssh {} sudo nixos-kubernetes-node-join",
                    master.name, worker.name
                );
            }
            out.push_str("```\n\n");
        }
    }

    let others: Vec<_> = cluster.hosts.iter().filter(|h| !h.roles.in_cluster()).collect();
    if !others.is_empty() {
        heading(&mut out, "Switch the hosts outside the cluster");
        for host in others {
            let _ = writeln!(
                out,
                "- {}",
                markdown_code(&format!("sudo nixos-rebuild switch --flake .#{}{impure}", host.name))
            );
        }
        out.push('\n');
    }

    if let Some(dns) = &cluster.split_dns
        && let Some(server) = cluster.host(dns.server_host.as_str())
    {
        heading(&mut out, "Point the tailnet's DNS at the cluster");
        let address = server.tailnet_address.as_ref().map(secret_label).unwrap_or_default();
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

    if let Some(ingress) = &cluster.ingress {
        heading(&mut out, "Expose Traefik on the proxy's NodePorts");
        let selector: Vec<String> = ingress.node_selector.iter().map(|(k, v)| format!("{k}: \"{v}\"")).collect();
        let _ = writeln!(
            out,
            "nginx on {} forwards to these NodePorts, so Traefik's Helm values must use the same numbers:\n\n\
             ```yaml\nports:\n  web:\n    nodePort: {}\n  websecure:\n    nodePort: {}\nservice:\n  type: NodePort\n\
             nodeSelector:\n  {}\n```\n",
            markdown_code(ingress.host.as_str()),
            ingress.node_ports.http,
            ingress.node_ports.https,
            selector.join("\n  ")
        );
    }

    if let Some(ceph) = cluster.ceph.as_ref().filter(|c| !c.osds.is_empty()) {
        heading(&mut out, "Give Rook Ceph its disks");
        out.push_str("List these devices in the Rook `CephCluster` storage nodes:\n\n");
        for osd in &ceph.osds {
            let _ = writeln!(out, "- {}: {}", markdown_code(osd.host.as_str()), markdown_code(osd.device.as_str()));
        }
        out.push('\n');
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}
