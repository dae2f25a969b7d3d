//! `modules/tailscale.nix`: the Tailscale daemon, its UDP port, its interface trusted, and the auth key
//! a new host joins with.

use homeflake_model::Tailscale;
use homeflake_nix::Expr;
use homeflake_nix::make::{bind, list};

use crate::lower::module;
use crate::trace::{Origin, Provenance};

/// Lowers the tailnet settings every host shares.
pub fn lower(tailscale: &Tailscale) -> Expr {
    let interface = tailscale.interface.as_str();
    let mut bindings = vec![
        bind("services.tailscale.enable", true).source("tailscale.enable"),
        bind("services.tailscale.openFirewall", tailscale.open_firewall).source("tailscale.open-firewall"),
        bind("services.tailscale.interfaceName", interface).source("tailscale.interface"),
    ];
    if let Some(file) = &tailscale.auth_key_file {
        bindings.push(bind("services.tailscale.authKeyFile", file.as_str()).source("tailscale.auth-key-file"));
    }
    if tailscale.trust_interface {
        bindings.push(bind("networking.firewall.trustedInterfaces", list([interface])).traced(|| Origin {
            keys: vec!["tailscale.interface".into()],
            presence: vec!["tailscale.trust-interface".into()],
            ..Origin::default()
        }));
    }
    module(bindings)
}
