//! `modules/split-dns.nix`: CoreDNS answering the cluster's zone with the answer host's tailnet or LAN address.

use homeflake_model::{Cluster, Opener, SplitDnsNetwork};
use homeflake_nix::make::{bind, indented, list};
use homeflake_nix::{Expr, StrPart};

use crate::lower::module;
use crate::openings;
use crate::template::{TemplateValue, render};

const COREFILE: &str = include_str!("../templates/Corefile.hbs");

/// Lowers the split-DNS server; the Corefile comes from `templates/Corefile.hbs`.
pub fn lower(cluster: &Cluster) -> Expr {
    let mut bindings = vec![
        bind("services.coredns.enable", true),
        bind("services.coredns.extraArgs", list(["-dns.port=53"])),
        bind("services.coredns.config", indented(corefile(cluster))),
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
    let Some(dns) = &cluster.split_dns else { return Vec::new() };
    let answer_host = cluster.host(dns.answer_host.as_str()).expect("validation guarantees the answer host exists");
    let answer = match dns.network {
        SplitDnsNetwork::Tailnet => answer_host
            .tailnet_address
            .as_ref()
            .expect("the module exists only once the answer host has a tailnet address"),
        _ => &answer_host.lan_address,
    };
    let zone = dns.zone.as_str();
    render(
        "Corefile",
        COREFILE,
        &[
            ("port", TemplateValue::Text("53".into())),
            ("zone", TemplateValue::Text(zone.into())),
            ("zone_regex", TemplateValue::Text(zone.replace('.', "\\."))),
            ("ttl", TemplateValue::Text(dns.ttl.to_string())),
            ("cache", TemplateValue::Text(dns.cache_seconds.to_string())),
            ("answer_address", TemplateValue::secret(answer)),
            ("upstreams", TemplateValue::List(dns.upstreams.iter().map(|u| u.to_string()).collect())),
        ],
    )
    .expect("the Corefile template renders any validated inventory")
}
