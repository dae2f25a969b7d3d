//! `modules/split-dns.nix`: CoreDNS answering the cluster's zone with the ingress host's tailnet address.

use homeflake_model::Cluster;
use homeflake_nix::make::{bind, indented, list};
use homeflake_nix::{Expr, StrPart};

use crate::lower::{module, secret};
use crate::template::{TemplateValue, render};

const COREFILE: &str = include_str!("../templates/Corefile.hbs");

/// Lowers the split-DNS server; the Corefile comes from `templates/Corefile.hbs`.
pub fn lower(cluster: &Cluster) -> Expr {
    module(vec![
        bind("services.coredns.enable", true),
        bind("services.coredns.extraArgs", list(["-dns.port=53"])),
        bind("services.coredns.config", indented(corefile(cluster))),
    ])
}

/// The Corefile as string parts; the answer address is an interpolation when it is a secret reference.
pub fn corefile(cluster: &Cluster) -> Vec<StrPart> {
    let Some(dns) = &cluster.split_dns else { return Vec::new() };
    let answer = cluster
        .host(dns.answer_host.as_str())
        .and_then(|host| host.tailnet_address.as_ref())
        .expect("validation guarantees the answer host exists and has a tailnet address");
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
            ("answer_address", TemplateValue::Nix(secret(answer))),
            ("upstreams", TemplateValue::List(dns.upstreams.iter().map(|u| u.to_string()).collect())),
        ],
    )
    .expect("the Corefile template renders any validated inventory")
}
