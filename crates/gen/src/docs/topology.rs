//! `docs/topology.md`: a Mermaid diagram of hosts, networks, the DNS → ingress → NodePort path, the Ceph
//! disks and the Helm releases, and a table of where the releases run.

use std::collections::HashMap;
use std::fmt::Write;

use homeflake_model::{Cluster, Host, SplitDnsNetwork, tailnet_range};

use super::mermaid_text;
use crate::lower::secret_label;

/// The Mermaid source alone, as `homeflake graph` prints it.
pub fn mermaid(cluster: &Cluster) -> String {
    let mut out = String::from("flowchart LR\n");
    let net = &cluster.network;
    let _ =
        writeln!(out, "  subgraph lan[\"{}\"]", mermaid_text(&format!("LAN {} · gateway {}", net.lan, net.gateway)));
    for host in &cluster.hosts {
        let _ = writeln!(out, "    {}[\"{}\"]", node_id(host), host_label(host));
    }
    out.push_str("  end\n");
    if cluster.tailscale.enable {
        let _ = writeln!(out, "  subgraph tailnet[\"{}\"]", mermaid_text(&format!("Tailnet {}", tailnet_range())));
        out.push_str("    client([\"tailnet client\"])\n  end\n");
        for host in cluster.hosts.iter().filter(|h| h.tailnet_address.is_some()) {
            let _ = writeln!(out, "  {} -.- tailnet", node_id(host));
        }
    }
    if let Some(dns) = &cluster.split_dns
        && let Some(server) = cluster.host(dns.server_host.as_str())
        && let Some(answer) = cluster.host(dns.answer_host.as_str())
    {
        let answer_address = match dns.network {
            SplitDnsNetwork::Tailnet => answer.tailnet_address.as_ref().map(secret_label).unwrap_or_default(),
            _ => {
                out.push_str("  lan_client([\"LAN client\"]) --- lan\n");
                secret_label(&answer.lan_address)
            }
        };
        let client = if dns.network == SplitDnsNetwork::Tailnet { "client" } else { "lan_client" };
        let _ = writeln!(
            out,
            "  {client} -- \"{}\" --> dns[\"{}\"]",
            mermaid_text(&format!("*.{} ?", dns.zone)),
            mermaid_text(&format!("CoreDNS on {}", server.name))
        );
        let _ = writeln!(out, "  dns -- \"{}\" --> {}", mermaid_text(&format!("A {answer_address}")), node_id(answer));
    }
    if let Some(ingress) = &cluster.ingress
        && let Some(host) = cluster.host(ingress.host.as_str())
    {
        let selector: Vec<String> = ingress.node_selector.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let ports = format!(
            "nginx :{} → {} · :{} → {}",
            ingress.listen_ports.http, ingress.node_ports.http, ingress.listen_ports.https, ingress.node_ports.https,
        );
        let traefik = format!("Traefik NodePorts · nodes {}", selector.join(", "));
        let _ = writeln!(
            out,
            "  {} -- \"{}\" --> traefik[\"{}\"]",
            node_id(host),
            mermaid_text(&ports),
            mermaid_text(&traefik)
        );
    }
    // One lookup table, not a scan of every host per disk: a fleet has thousands of both.
    let hosts: HashMap<&str, &Host> = cluster.hosts.iter().map(|h| (h.name.as_str(), h)).collect();
    for (index, osd) in cluster.ceph.iter().flat_map(|c| &c.osds).enumerate() {
        if let Some(host) = hosts.get(osd.host.as_str()) {
            let label = mermaid_text(&format!("Ceph OSD {}", osd.device));
            let _ = writeln!(out, "  {} --- osd{index}[(\"{label}\")]", node_id(host));
        }
    }
    super::cluster_layer::mermaid(cluster, &mut out);
    out
}

/// The whole Markdown document.
pub fn render(cluster: &Cluster) -> String {
    format!(
        "{}# {} topology\n\n```mermaid\n{}```\n{}",
        super::header(),
        cluster.name,
        mermaid(cluster),
        super::cluster_layer::topology_section(cluster)
    )
}

/// A Mermaid node id that no host name can turn into a keyword (`end`).
fn node_id(host: &Host) -> String {
    format!("host_{}", host.name.as_str().replace('-', "_"))
}

/// The host's lines, each escaped, joined by Mermaid's line breaks.
fn host_label(host: &Host) -> String {
    let roles: Vec<&str> = host.roles.iter().map(|r| r.as_str()).collect();
    let roles = if roles.is_empty() { "not in cluster".to_string() } else { roles.join(", ") };
    let mut lines = vec![
        host.name.to_string(),
        roles,
        format!("{} · {}", host.system, host.hardware),
        format!("LAN {}", secret_label(&host.lan_address)),
    ];
    if let Some(tailnet) = &host.tailnet_address {
        lines.push(format!("tailnet {}", secret_label(tailnet)));
    }
    lines.iter().map(|line| mermaid_text(line)).collect::<Vec<_>>().join("<br/>")
}
