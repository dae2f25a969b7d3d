//! `modules/k8s/arm64.nix`: what an aarch64 control plane needs — etcd's arch override and an arm64 coredns image.

use homeflake_model::{Cluster, CorednsImage, Host, System};
use homeflake_nix::make::{attrs, bind};
use homeflake_nix::{Binding, Expr};

use crate::lower::module;

/// Whether `host` imports this module: an aarch64 control plane.
pub fn applies_to(_cluster: &Cluster, host: &Host) -> bool {
    host.roles.control_plane && host.system == System::Aarch64Linux
}

/// Lowers the arm64 control-plane settings.
pub fn lower(cluster: &Cluster) -> Expr {
    let mut bindings = vec![bind("systemd.services.etcd.environment.ETCD_UNSUPPORTED_ARCH", "arm64")];
    if let Some(image) = &cluster.kubernetes.dns.coredns_image {
        bindings.push(coredns_image(image));
    }
    module(bindings)
}

/// `services.kubernetes.addons.dns.coredns = { … };` pinning the image the DNS add-on runs.
pub fn coredns_image(image: &CorednsImage) -> Binding {
    bind(
        "services.kubernetes.addons.dns.coredns",
        attrs([
            bind("imageName", image.image_name.as_str()),
            bind("imageDigest", image.image_digest.as_str()),
            bind("finalImageTag", image.final_image_tag.as_str()),
            bind("sha256", image.sha256.as_str()),
        ]),
    )
}
