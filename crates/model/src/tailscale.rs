//! Tailscale: the tailnet every host joins.

use ipnet::Ipv4Net;
use schemars::JsonSchema;
use serde::Serialize;

use crate::names::{AbsolutePath, InterfaceName};

/// The tailnet's address range, 100.64.0.0/10 (carrier-grade NAT space).
pub fn tailnet_range() -> Ipv4Net {
    Ipv4Net::new(std::net::Ipv4Addr::new(100, 64, 0, 0), 10).expect("valid")
}

/// `services.tailscale` on every host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case", default)]
#[non_exhaustive]
pub struct Tailscale {
    /// `services.tailscale.enable`.
    pub enable: bool,
    /// `services.tailscale.openFirewall`.
    pub open_firewall: bool,
    /// The interface name (`tailscale0`, the module's default).
    pub interface: InterfaceName,
    /// Add the interface to `networking.firewall.trustedInterfaces`.
    pub trust_interface: bool,
    /// A file on each host holding a Tailscale auth key (`services.tailscale.authKeyFile`), so a
    /// new host joins the tailnet at first boot; put it there with sops-nix, agenix or by hand.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_key_file: Option<AbsolutePath>,
}

impl Default for Tailscale {
    fn default() -> Self {
        Tailscale {
            enable: true,
            open_firewall: true,
            interface: InterfaceName::new("tailscale0").expect("valid"),
            trust_interface: true,
            auth_key_file: None,
        }
    }
}
