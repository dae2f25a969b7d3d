//! Split DNS: a CoreDNS server on the tailnet that answers the cluster's zone.

use std::net::Ipv4Addr;

use schemars::JsonSchema;
use serde::Serialize;

use crate::names::{DomainName, HostName};

/// A CoreDNS server answering every name in `zone` with the answer host's tailnet address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub struct SplitDns {
    /// The zone (`home.example.com`); in an inventory it defaults to the cluster's domain.
    pub zone: DomainName,
    /// The host running CoreDNS; it needs a tailnet address (the tailnet's DNS settings point at it).
    pub server_host: HostName,
    /// The host whose tailnet address every name resolves to; in an inventory it defaults to the ingress host.
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
    /// Split DNS for `zone` served by `server_host`, answering with `answer_host`, with reference defaults.
    pub fn new(zone: DomainName, server_host: HostName, answer_host: HostName) -> Self {
        SplitDns {
            zone,
            server_host,
            answer_host,
            upstreams: default_upstreams(),
            ttl: default_ttl(),
            cache_seconds: default_cache(),
        }
    }
}
