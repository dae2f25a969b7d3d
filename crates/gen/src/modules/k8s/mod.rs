//! The Kubernetes modules under `modules/k8s/`: settings for every member, per role, and for arm64.

pub mod arm64;
pub mod common;
pub mod master;
pub mod node;

use homeflake_nix::Expr;
use homeflake_nix::make::{attrs, bind, list};

/// `networking.firewall.allowed{TCP,UDP}Port{s,Ranges}` bindings for a role under least privilege.
pub(crate) struct OpenPorts {
    pub tcp: Vec<u16>,
    pub tcp_ranges: Vec<(u16, u16)>,
    pub udp: Vec<u16>,
}

impl OpenPorts {
    pub(crate) fn bindings(&self) -> Vec<homeflake_nix::Binding> {
        let ranges = |ranges: &[(u16, u16)]| -> Expr {
            list(ranges.iter().map(|(from, to)| attrs([bind("from", *from), bind("to", *to)])))
        };
        let mut out = Vec::new();
        if !self.tcp.is_empty() {
            out.push(bind("networking.firewall.allowedTCPPorts", list(self.tcp.iter().copied())));
        }
        if !self.tcp_ranges.is_empty() {
            out.push(bind("networking.firewall.allowedTCPPortRanges", ranges(&self.tcp_ranges)));
        }
        if !self.udp.is_empty() {
            out.push(bind("networking.firewall.allowedUDPPorts", list(self.udp.iter().copied())));
        }
        out
    }
}
