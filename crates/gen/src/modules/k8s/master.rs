//! `modules/k8s/master.nix`: the control plane — API server, DNS add-on, admin tools and kubeconfig, its ports.

use homeflake_model::{Cluster, Opener, User};
use homeflake_nix::make::{apply, attrs, bind, ident, indented, interp, list, select, text};
use homeflake_nix::{Binding, Expr};

use crate::lower::module;
use crate::openings;
use crate::trace::{LineOrigin, Origin, Provenance, list_from};

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
    if !k8s.admin_packages.is_empty() {
        let packages = list_from(
            "kubernetes.admin-packages",
            k8s.admin_packages.iter().map(|p| select(ident("pkgs"), p.as_str())),
        );
        bindings.push(bind("environment.systemPackages", packages).present_if("kubernetes.admin-packages"));
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
    let admins: Vec<(usize, &User)> = cluster
        .users
        .iter()
        .enumerate()
        .filter(|(_, u)| u.extra_groups.iter().any(|g| g.as_str() == "wheel"))
        .collect();
    if !cluster.kubernetes.easy_certs || admins.is_empty() {
        return Vec::new();
    }
    let cert = || select(ident("config"), "services.kubernetes.pki.certs.clusterAdmin.cert");
    // The service exists while easyCerts is on and someone is in wheel.
    let admin_switches = || {
        let mut keys = vec!["kubernetes.easy-certs".to_owned()];
        keys.extend(admins.iter().map(|(i, _)| format!("users[{i}].extra-groups")));
        keys
    };
    let mut script = vec![
        text("umask 077\nsource=/etc/"),
        interp(select(ident("config"), "services.kubernetes.pki.etcClusterAdminKubeconfig")),
        text("\n"),
    ];
    let mut script_lines = Vec::new();
    for (index, admin) in &admins {
        let name = admin.name.as_str();
        let first = 2 + 6 * script_lines.len() as u32;
        script_lines.push((first, format!("users[{index}].name")));
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
                bind("script", indented(script)).traced(|| Origin {
                    keys: Vec::new(),
                    presence: Vec::new(),
                    head_only: false,
                    rule: Some("each member of wheel gets the cluster-admin kubeconfig"),
                    lines: script_lines
                        .iter()
                        .flat_map(|(first, key)| {
                            // home=, group=, install and chown name the user; kubectl and mv do not.
                            [0, 1, 2, 4].map(|offset| LineOrigin { line: first + offset, keys: vec![key.clone()] })
                        })
                        .collect(),
                }),
            ]),
        )
        .traced(|| Origin { presence: admin_switches(), ..Origin::default() }),
        bind(
            "systemd.paths.homeflake-admin-kubeconfig",
            attrs([bind("wantedBy", list(["multi-user.target"])), bind("pathConfig.PathChanged", cert())]),
        )
        .traced(|| Origin { presence: admin_switches(), ..Origin::default() }),
    ]
}
