//! `docs/topology.md`: a Mermaid diagram of hosts, networks, the DNS → ingress → NodePort path, the Ceph
//! disks and the Helm releases, and a table of where the releases run.

use std::collections::HashMap;
use std::fmt::Write;

use homeflake_model::{Cluster, Host, SplitDns, SplitDnsNetwork, tailnet_range};

use super::cluster_layer::{host_id, selector_text};
use super::mermaid_text;
use crate::lower::secret_label;
use crate::modules::split_dns::answer_address;
use crate::trace::{Origin, Provenance, Shown, block, presence, shown};

/// The Mermaid source alone, as `homeflake graph` prints it.
pub fn mermaid(cluster: &Cluster) -> String {
    let mut out = String::from("flowchart LR\n");
    let net = &cluster.network;
    let _ = writeln!(
        out,
        "  subgraph lan[\"LAN {} · gateway {}\"]",
        shown(mermaid_text(&net.lan.to_string())).source("network.lan"),
        shown(mermaid_text(&net.gateway.to_string())).source("network.gateway")
    );
    for host in &cluster.hosts {
        let _ = writeln!(out, "    {}[\"{}\"]", node_id(host), host_label(host));
    }
    out.push_str("  end\n");
    if cluster.tailscale.enable {
        block(
            &mut out,
            || presence(["tailscale.enable".to_owned()]),
            |out| {
                let _ =
                    writeln!(out, "  subgraph tailnet[\"{}\"]", mermaid_text(&format!("Tailnet {}", tailnet_range())));
                out.push_str("    client([\"tailnet client\"])\n  end\n");
                for host in cluster.hosts.iter().filter(|h| h.tailnet_address.is_some()) {
                    let _ = writeln!(
                        out,
                        "{}",
                        shown(format_args!("  {} -.- tailnet", node_id(host))).present_if_host(host, "tailnet-address")
                    );
                }
            },
        );
    }
    if let Some(dns) = &cluster.split_dns
        && let Some(server) = cluster.host(dns.server_host.as_str())
        && let Some(answer) = cluster.host(dns.answer_host.as_str())
    {
        block(&mut out, || presence(["split-dns".to_owned()]), |out| split_dns(cluster, dns, server, answer, out));
    }
    if let Some(ingress) = &cluster.ingress
        && let Some(host) = cluster.host(ingress.host.as_str())
    {
        let port = |port: u16, key: &str| shown(port).source(key);
        let _ = writeln!(
            out,
            "  {} -- \"nginx :{} → {} · :{} → {}\" --> traefik[\"Traefik NodePorts · nodes {}\"]",
            shown(id_of(host)).source("ingress.host"),
            port(ingress.listen_ports.http.get(), "ingress.listen-ports.http"),
            port(ingress.node_ports.http.get(), "ingress.node-ports.http"),
            port(ingress.listen_ports.https.get(), "ingress.listen-ports.https"),
            port(ingress.node_ports.https.get(), "ingress.node-ports.https"),
            selector_text(ingress, mermaid_text)
        );
    }
    // One lookup table, not a scan of every host per disk: a fleet has thousands of both.
    let hosts: HashMap<&str, &Host> = cluster.hosts.iter().map(|h| (h.name.as_str(), h)).collect();
    for (index, osd) in cluster.ceph.iter().flat_map(|c| &c.osds).enumerate() {
        if let Some(host) = hosts.get(osd.host.as_str()) {
            let label = mermaid_text(&format!("Ceph OSD {}", osd.device));
            let _ = writeln!(
                out,
                "{}",
                shown(format_args!("  {} --- osd{index}[(\"{label}\")]", id_of(host))).traced(|| Origin {
                    keys: osd_keys(index),
                    presence: vec!["ceph.osds".to_owned()],
                    ..Origin::default()
                })
            );
        }
    }
    super::cluster_layer::mermaid(cluster, &mut out);
    out
}

/// The lines of split DNS: who asks, which server answers, and with which address.
fn split_dns(cluster: &Cluster, dns: &SplitDns, server: &Host, answer: &Host, out: &mut String) {
    let network = || presence(["split-dns.network".to_owned()]);
    let client = if dns.network == SplitDnsNetwork::Tailnet {
        "client"
    } else {
        block(out, network, |out| out.push_str("  lan_client([\"LAN client\"]) --- lan\n"));
        "lan_client"
    };
    let _ = writeln!(
        out,
        "  {} -- \"*.{} ?\" --> dns[\"CoreDNS on {}\"]",
        shown(client).traced(network),
        shown(mermaid_text(dns.zone.as_str())).source("split-dns.zone"),
        shown(mermaid_text(server.name.as_str())).source("split-dns.server-host")
    );
    let answer_address = match answer_address(cluster, dns) {
        Some((address, key)) => {
            shown(mermaid_text(&secret_label(address))).traced(|| Origin { keys: vec![key], ..network() }).into_string()
        }
        None => String::new(),
    };
    let _ =
        writeln!(out, "  dns -- \"A {answer_address}\" --> {}", shown(id_of(answer)).source("split-dns.answer-host"));
}

/// The whole Markdown document.
pub fn render(cluster: &Cluster) -> String {
    format!(
        "{}# {} topology\n\n```mermaid\n{}```\n{}",
        super::header(),
        shown(&cluster.name).source("name"),
        mermaid(cluster),
        super::cluster_layer::topology_section(cluster)
    )
}

/// A Mermaid node id that no host name can turn into a keyword (`end`).
fn id_of(host: &Host) -> String {
    host_id(host.name.as_str())
}

/// The node id of `host`, from its name.
fn node_id(host: &Host) -> Shown<String> {
    shown(id_of(host)).host_source(host, "name")
}

/// The keys of an OSD's line: its disk and its host.
fn osd_keys(index: usize) -> Vec<String> {
    vec![format!("ceph.osds[{index}].device"), format!("ceph.osds[{index}].host")]
}

/// The host's lines, each escaped, joined by Mermaid's line breaks.
fn host_label(host: &Host) -> String {
    let roles: Vec<&str> = host.roles.iter().map(|r| r.as_str()).collect();
    let roles = if roles.is_empty() { "not in cluster".to_string() } else { roles.join(", ") };
    let mut label = format!(
        "{}<br/>{}<br/>{} · {}<br/>LAN {}",
        shown(mermaid_text(host.name.as_str())).host_source(host, "name"),
        shown(mermaid_text(&roles)).host_source(host, "roles"),
        shown(mermaid_text(&host.system.to_string())).host_source(host, "system"),
        shown(mermaid_text(&host.hardware.to_string())).host_source(host, "hardware"),
        shown(mermaid_text(&secret_label(&host.lan_address))).host_source(host, "lan-address")
    );
    if let Some(tailnet) = &host.tailnet_address {
        let _ = write!(
            label,
            "<br/>tailnet {}",
            shown(mermaid_text(&secret_label(tailnet))).host_source(host, "tailnet-address")
        );
    }
    label
}
