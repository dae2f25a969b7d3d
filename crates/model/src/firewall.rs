//! Firewall policy: trust listed source ranges (the article's way) or least privilege.

use ipnet::Ipv4Net;
use schemars::JsonSchema;
use serde::Serialize;

use crate::names::InterfaceName;

/// How hosts admit cluster traffic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(tag = "mode", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum FirewallMode {
    /// Accept everything from the listed source ranges (`iptables -A nixos-fw -s <cidr> -j nixos-fw-accept`).
    TrustedCidrs {
        /// The trusted source ranges.
        #[serde(rename = "trusted-cidrs")]
        #[schemars(with = "Vec<String>")]
        cidrs: Vec<Ipv4Net>,
    },
    /// Open each role's ports only, and trust only the pod and service ranges and the LAN.
    LeastPrivilege,
}

impl FirewallMode {
    /// The words allowed for `firewall.mode`.
    pub const ALLOWED: &'static str = "trusted-cidrs, least-privilege";
}

/// The firewall (`networking.firewall`), enabled on every host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub struct Firewall {
    /// The policy.
    #[serde(flatten)]
    pub mode: FirewallMode,
    /// Interfaces trusted completely (`networking.firewall.trustedInterfaces`), besides tailscale's.
    #[serde(default)]
    pub trusted_interfaces: Vec<InterfaceName>,
}

impl Firewall {
    /// A firewall with `mode` and no extra trusted interfaces.
    pub fn new(mode: FirewallMode) -> Self {
        Firewall { mode, trusted_interfaces: Vec::new() }
    }
}

impl Default for Firewall {
    fn default() -> Self {
        Firewall::new(FirewallMode::LeastPrivilege)
    }
}
