//! `modules/k8s/master.nix`: the control plane — API server, DNS add-on, admin tools and kubeconfig, its ports.

use homeflake_model::{Cluster, Opener, User};
use homeflake_nix::make::{apply, attrs, bind, ident, indented, interp, list, select, text};
use homeflake_nix::{Binding, Expr};

use crate::lower::module;
use crate::openings;

/// Lowers the control-plane role.
pub fn lower(cluster: &Cluster) -> Expr {
    let k8s = &cluster.kubernetes;
    let mut bindings = vec![
        bind("services.kubernetes.roles", list(["master"])),
        bind("services.kubernetes.apiserver.securePort", k8s.api.port.get()),
        bind("services.kubernetes.apiserver.allowPrivileged", k8s.api.allow_privileged),
        bind("services.kubernetes.apiserver.serviceClusterIpRange", k8s.service_cidr.to_string()),
        bind("services.kubernetes.addons.dns.enable", k8s.dns.enable),
    ];
    if !k8s.admin_packages.is_empty() {
        bindings.push(bind(
            "environment.systemPackages",
            list(k8s.admin_packages.iter().map(|p| select(ident("pkgs"), p.as_str()))),
        ));
    }
    bindings.extend(admin_kubeconfig(cluster));
    bindings.extend(openings::bindings(cluster, Opener::ControlPlane));
    module(bindings)
}

/// The users who administer the cluster: members of `wheel`.
pub fn admins(cluster: &Cluster) -> impl Iterator<Item = &User> {
    cluster.users.iter().filter(|u| u.extra_groups.iter().any(|g| g.as_str() == "wheel"))
}

/// A service that gives each admin a working `kubectl` on the control plane: the module's
/// `/etc/kubernetes/cluster-admin.kubeconfig` names certificate files only root may read, so the
/// service writes `~/.kube/config` with the certificates embedded, and runs again whenever certmgr
/// renews the cluster-admin certificate. easyCerts only: without it nixpkgs makes no such kubeconfig.
fn admin_kubeconfig(cluster: &Cluster) -> Vec<Binding> {
    let admins: Vec<&User> = admins(cluster).collect();
    if !cluster.kubernetes.easy_certs || admins.is_empty() {
        return Vec::new();
    }
    let cert = || select(ident("config"), "services.kubernetes.pki.certs.clusterAdmin.cert");
    let mut script = vec![
        text("umask 077\nsource=/etc/"),
        interp(select(ident("config"), "services.kubernetes.pki.etcClusterAdminKubeconfig")),
        text("\n"),
    ];
    for admin in admins {
        let name = admin.name.as_str();
        let escaped = |attr: &str| {
            interp(apply(
                select(ident("lib"), "escapeShellArg"),
                [select(ident("config"), &format!("users.users.{name}.{attr}"))],
            ))
        };
        script.extend([text("home="), escaped("home"), text("\ngroup="), escaped("group")]);
        script.push(text(&format!(
            "\ninstall -d -m 700 -o {name} -g \"$group\" \"$home/.kube\"\n\
             kubectl --kubeconfig=\"$source\" config view --flatten --raw > \"$home/.kube/config.new\"\n\
             chown \"{name}:$group\" \"$home/.kube/config.new\"\n\
             mv \"$home/.kube/config.new\" \"$home/.kube/config\"\n"
        )));
    }
    vec![
        bind(
            "systemd.services.homeflake-admin-kubeconfig",
            attrs([
                bind("description", "Write the cluster-admin kubeconfig, certificates embedded, for the admin users"),
                bind("wantedBy", list(["multi-user.target"])),
                bind("after", list(["certmgr.service"])),
                bind("unitConfig.ConditionPathExists", cert()),
                bind("serviceConfig.Type", "oneshot"),
                bind("path", list([select(ident("pkgs"), "kubectl")])),
                bind("script", indented(script)),
            ]),
        ),
        bind(
            "systemd.paths.homeflake-admin-kubeconfig",
            attrs([bind("wantedBy", list(["multi-user.target"])), bind("pathConfig.PathChanged", cert())]),
        ),
    ]
}
