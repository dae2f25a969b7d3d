//! `modules/k8s/master.nix`: the control plane — API server, DNS add-on, admin tools and kubeconfig, its ports.

use homeflake_model::{Cluster, Opener};
use homeflake_nix::make::{bind, ident, list, select};
use homeflake_nix::{Binding, Expr};

use crate::admin_kubeconfig;
use crate::lower::module;
use crate::openings;
use crate::trace::{Provenance, list_from};

/// Lowers the control-plane role.
pub fn lower(cluster: &Cluster) -> Expr {
    let k8s = &cluster.kubernetes;
    let mut bindings = vec![
        bind("services.kubernetes.roles", list(["master"])),
        bind("services.kubernetes.apiserver.securePort", k8s.api.port.get()).source("kubernetes.api.port"),
        bind("services.kubernetes.apiserver.allowPrivileged", k8s.api.allow_privileged)
            .source("kubernetes.api.allow-privileged"),
        bind("services.kubernetes.apiserver.serviceClusterIpRange", k8s.service_cidr.to_string())
            .source("kubernetes.service-cidr"),
        bind("services.kubernetes.addons.dns.enable", k8s.dns.enable).source("kubernetes.dns.enable"),
    ];
    bindings.extend(admin_packages(cluster));
    // Without easyCerts nixpkgs makes no cluster-admin kubeconfig to copy.
    if k8s.uses_easy_certs() {
        bindings.extend(admin_kubeconfig::bindings(cluster, admin_kubeconfig::nixpkgs()));
    }
    bindings.extend(openings::bindings(cluster, Opener::ControlPlane));
    module(bindings)
}

/// The administration tools in `environment.systemPackages` of control-plane hosts, if any.
pub fn admin_packages(cluster: &Cluster) -> Option<Binding> {
    let packages = &cluster.kubernetes.admin_packages;
    (!packages.is_empty()).then(|| {
        let list = list_from("kubernetes.admin-packages", packages.iter().map(|p| select(ident("pkgs"), p.as_str())));
        bind("environment.systemPackages", list).present_if("kubernetes.admin-packages")
    })
}
