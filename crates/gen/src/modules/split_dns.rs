//! `modules/split-dns.nix`: CoreDNS answering the cluster's zone with the answer host's tailnet or LAN address.

use std::net::Ipv4Addr;

use homeflake_model::{Cluster, Opener, Secret, SplitDns, SplitDnsNetwork};
use homeflake_nix::make::{bind, indented, list};
use homeflake_nix::{Expr, StrPart};

use crate::lower::module;
use crate::openings;
use crate::template::{TemplateValue, render};
use crate::trace::{LineOrigin, Origin, Provenance, host_key};

const COREFILE: &str = include_str!("../templates/Corefile.hbs");

/// Lowers the split-DNS server; the Corefile comes from `templates/Corefile.hbs`.
pub fn lower(cluster: &Cluster) -> Expr {
    let mut bindings = vec![
        bind("services.coredns.enable", true),
        bind("services.coredns.extraArgs", list(["-dns.port=53"])),
        bind("services.coredns.config", indented(corefile(cluster))).traced(|| Origin {
            keys: Vec::new(),
            presence: vec!["split-dns.server-host".into()],
            head_only: false,
            rule: Some("the Corefile answers every name of the zone with the answer host's address"),
            lines: corefile_lines(cluster),
        }),
    ];
    bindings.extend(openings::bindings(cluster, Opener::SplitDnsServer));
    module(bindings)
}

/// Whether the split-DNS server can be generated: on the tailnet it needs both hosts' tailnet
/// addresses, which exist only after the hosts joined (validation warns until then).
pub fn is_ready(cluster: &Cluster) -> bool {
    let Some(dns) = &cluster.split_dns else { return false };
    match dns.network {
        SplitDnsNetwork::Tailnet => [&dns.server_host, &dns.answer_host]
            .iter()
            .all(|name| cluster.host(name.as_str()).is_some_and(|h| h.tailnet_address.is_some())),
        _ => true,
    }
}

/// The Corefile as string parts; the answer address is an interpolation when it is a secret reference.
pub fn corefile(cluster: &Cluster) -> Vec<StrPart> {
    let values: Vec<(&str, TemplateValue)> = corefile_values(cluster).into_iter().map(|(k, v, _)| (k, v)).collect();
    render("Corefile", COREFILE, &values).expect("the Corefile template renders any validated inventory")
}

/// The Corefile's template variables, each with the inventory keys it comes from.
fn corefile_values(cluster: &Cluster) -> Vec<(&'static str, TemplateValue, Vec<String>)> {
    let Some(dns) = &cluster.split_dns else { return Vec::new() };
    let (answer, answer_key) = answer_address(cluster, dns)
        .expect("the module exists only once the answer host has its address on the split-DNS network");
    let zone = dns.zone.as_str();
    let keys = |k: &[&str]| k.iter().map(|k| (*k).to_owned()).collect::<Vec<_>>();
    vec![
        ("port", TemplateValue::Text("53".into()), Vec::new()),
        ("zone", TemplateValue::Text(zone.into()), keys(&["split-dns.zone"])),
        ("zone_regex", TemplateValue::Text(zone.replace('.', "\\.")), keys(&["split-dns.zone"])),
        ("ttl", TemplateValue::Text(dns.ttl.to_string()), keys(&["split-dns.ttl"])),
        ("cache", TemplateValue::Text(dns.cache_seconds.to_string()), keys(&["split-dns.cache-seconds"])),
        ("answer_address", TemplateValue::secret(answer), vec![answer_key, "split-dns.answer-host".into()]),
        (
            "upstreams",
            TemplateValue::List(dns.upstreams.iter().map(|u| u.to_string()).collect()),
            keys(&["split-dns.upstreams"]),
        ),
    ]
}

/// The address split DNS answers every name of the zone with, and the inventory key it comes from:
/// the answer host's tailnet address on the tailnet (`None` until the host has one), else its LAN address.
pub fn answer_address<'c>(cluster: &'c Cluster, dns: &SplitDns) -> Option<(&'c Secret<Ipv4Addr>, String)> {
    let host = cluster.host(dns.answer_host.as_str())?;
    match dns.network {
        SplitDnsNetwork::Tailnet => Some((host.tailnet_address.as_ref()?, host_key(host, "tailnet-address"))),
        _ => Some((&host.lan_address, host_key(host, "lan-address"))),
    }
}

/// Which inventory keys each line of the Corefile carries.
fn corefile_lines(cluster: &Cluster) -> Vec<LineOrigin> {
    let values = corefile_values(cluster);
    let rendered: Vec<(&str, TemplateValue)> = values.iter().map(|(k, v, _)| (*k, v.clone())).collect();
    let lines = crate::template::variable_lines("Corefile", COREFILE, &rendered).unwrap_or_default();
    crate::trace::line_origins(lines, |i| values[i].2.clone())
}
