//! `modules/k8s/arm64.nix`: the arm64 coredns image that every aarch64 Kubernetes host seeds for the DNS add-on.

use homeflake_model::{Cluster, CorednsImage, Host, System};
use homeflake_nix::make::{attrs, bind};
use homeflake_nix::{Binding, Expr};

use crate::lower::module;
use crate::trace::Provenance;

/// Whether `host` imports this module: an aarch64 member of the cluster while the DNS add-on is on
/// with an arm64 image pinned (validation requires the pin then). Every member seeds the add-on's
/// image, and its hash differs per architecture; x86_64 hosts keep the nixpkgs default image.
pub fn applies_to(cluster: &Cluster, host: &Host) -> bool {
    let dns = &cluster.kubernetes.dns;
    host.roles.in_cluster() && host.system == System::Aarch64Linux && dns.enable && dns.coredns_image.is_some()
}

/// Lowers the arm64 image pin.
pub fn lower(cluster: &Cluster) -> Expr {
    module(cluster.kubernetes.dns.coredns_image.iter().map(coredns_image).collect())
}

/// `services.kubernetes.addons.dns.coredns = { … };` pinning the image the DNS add-on runs.
pub fn coredns_image(image: &CorednsImage) -> Binding {
    bind(
        "services.kubernetes.addons.dns.coredns",
        attrs([
            bind("imageName", image.image_name.as_str()).source("kubernetes.dns.coredns-image.image-name"),
            bind("imageDigest", image.image_digest.as_str()).source("kubernetes.dns.coredns-image.image-digest"),
            bind("finalImageTag", image.final_image_tag.as_str())
                .source("kubernetes.dns.coredns-image.final-image-tag"),
            bind("sha256", image.sha256.as_str()).source("kubernetes.dns.coredns-image.sha256"),
        ]),
    )
    .present_if("kubernetes.dns.coredns-image")
}
