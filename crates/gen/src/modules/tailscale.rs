//! `modules/tailscale.nix`: the Tailscale daemon, its UDP port, its interface trusted, and the auth key
//! a new host joins with.

use homeflake_model::Tailscale;
use homeflake_nix::Expr;
use homeflake_nix::make::{bind, list};

use crate::lower::module;

/// Lowers the tailnet settings every host shares.
pub fn lower(tailscale: &Tailscale) -> Expr {
    let interface = tailscale.interface.as_str();
    let mut bindings = vec![
        bind("services.tailscale.enable", true),
        bind("services.tailscale.openFirewall", tailscale.open_firewall),
        bind("services.tailscale.interfaceName", interface),
    ];
    if let Some(file) = &tailscale.auth_key_file {
        bindings.push(bind("services.tailscale.authKeyFile", file.as_str()));
    }
    if tailscale.trust_interface {
        bindings.push(bind("networking.firewall.trustedInterfaces", list([interface])));
    }
    module(bindings)
}
