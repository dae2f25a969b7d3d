//! Split DNS: a CoreDNS server on the tailnet or the LAN that answers the cluster's zone.

use std::net::Ipv4Addr;

use schemars::JsonSchema;
use serde::Serialize;

use crate::names::{DomainName, HostName};

/// Where the zone is served, and so which of the answer host's addresses every name resolves to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum SplitDnsNetwork {
    /// The tailnet's DNS settings send the zone to the server host's tailnet address, and names
    /// resolve to the answer host's tailnet address (the article's setup; needs Tailscale).
    Tailnet,
    /// The LAN's router or resolver forwards the zone to the server host's LAN address, and names
    /// resolve to the answer host's LAN address (no Tailscale needed).
    Lan,
}

impl SplitDnsNetwork {
    /// The words allowed for `split-dns.network`.
    pub const ALLOWED: &'static str = "tailnet, lan";
}

/// A CoreDNS server answering every name in `zone` with the answer host's address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub struct SplitDns {
    /// The zone (`home.example.com`); in an inventory it defaults to the cluster's domain.
    pub zone: DomainName,
    /// Where the zone is served; in an inventory it defaults to `tailnet` when Tailscale is on, else `lan`.
    pub network: SplitDnsNetwork,
    /// The host running CoreDNS (the tailnet's or the LAN's DNS settings point at it).
    pub server_host: HostName,
    /// The host whose address every name resolves to; in an inventory it defaults to the ingress host.
    pub answer_host: HostName,
    /// Resolvers for every other name (`forward . 1.1.1.1 1.0.0.1`).
    #[serde(default = "default_upstreams")]
    pub upstreams: Vec<Ipv4Addr>,
    /// TTL of the answers, in seconds (60).
    #[serde(default = "default_ttl")]
    pub ttl: u32,
    /// CoreDNS `cache` duration, in seconds (30).
    #[serde(default = "default_cache")]
    pub cache_seconds: u32,
}

fn default_upstreams() -> Vec<Ipv4Addr> {
    vec![Ipv4Addr::new(1, 1, 1, 1), Ipv4Addr::new(1, 0, 0, 1)]
}
fn default_ttl() -> u32 {
    60
}
fn default_cache() -> u32 {
    30
}

impl SplitDns {
    /// Split DNS for `zone` served on the tailnet by `server_host`, answering with `answer_host`,
    /// with reference defaults.
    pub fn new(zone: DomainName, server_host: HostName, answer_host: HostName) -> Self {
        SplitDns {
            zone,
            network: SplitDnsNetwork::Tailnet,
            server_host,
            answer_host,
            upstreams: default_upstreams(),
            ttl: default_ttl(),
            cache_seconds: default_cache(),
        }
    }
}
