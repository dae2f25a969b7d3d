//! `kubectl` for the admins on a control plane: a service that copies the cluster-admin kubeconfig,
//! readable by root only, into each admin's `~/.kube/config`, and a path unit that runs it again
//! whenever the kubeconfig's source changes. Both flavours use it; they differ only in where the
//! kubeconfig comes from.

use homeflake_model::{Cluster, User};
use homeflake_nix::make::{apply, attrs, bind, ident, indented, interp, list, select, text};
use homeflake_nix::{Binding, Expr, StrPart};

use crate::trace::{LineOrigin, Origin, Provenance};

/// Where the cluster-admin kubeconfig comes from.
pub struct Source {
    /// The shell assignment's value: the kubeconfig's path.
    pub path: Vec<StrPart>,
    /// The unit that writes it.
    pub after: &'static str,
    /// The file whose change means a new kubeconfig; the service runs only once it exists.
    pub watched: Expr,
    /// Whether the kubeconfig names certificate files, so `kubectl` must embed them (`--flatten`).
    pub flatten: bool,
    /// The inventory key besides the admins' groups that decides whether the service exists.
    pub switch: &'static str,
}

/// The nixpkgs flavour: `/etc/kubernetes/cluster-admin.kubeconfig`, which names certificate files
/// only root may read; certmgr renews the cluster-admin certificate.
pub fn nixpkgs() -> Source {
    Source {
        path: vec![text("/etc/"), interp(select(ident("config"), "services.kubernetes.pki.etcClusterAdminKubeconfig"))],
        after: "certmgr.service",
        watched: select(ident("config"), "services.kubernetes.pki.certs.clusterAdmin.cert"),
        flatten: true,
        switch: "kubernetes.easy-certs",
    }
}

/// Where k3s writes the admin kubeconfig, certificates embedded, mode 600.
pub const K3S_KUBECONFIG: &str = "/etc/rancher/k3s/k3s.yaml";

/// The k3s flavour: the server writes [`K3S_KUBECONFIG`] at every start.
pub fn k3s() -> Source {
    Source {
        path: vec![text(K3S_KUBECONFIG)],
        after: "k3s.service",
        watched: K3S_KUBECONFIG.into(),
        flatten: false,
        switch: "kubernetes.flavour",
    }
}

/// The users who administer the cluster: members of `wheel`.
pub fn admins(cluster: &Cluster) -> impl Iterator<Item = &User> {
    cluster.users.iter().filter(|u| is_admin(u))
}

/// The first of [`admins`], with its place in `users` (for its keys, `users[<i>].name`).
pub fn first_admin(cluster: &Cluster) -> Option<(usize, &User)> {
    cluster.users.iter().enumerate().find(|(_, u)| is_admin(u))
}

fn is_admin(user: &User) -> bool {
    user.extra_groups.iter().any(|g| g.as_str() == "wheel")
}

/// The service and path unit, or nothing when no user is in `wheel`.
pub fn bindings(cluster: &Cluster, source: Source) -> Vec<Binding> {
    let admins: Vec<(usize, &User)> = cluster.users.iter().enumerate().filter(|(_, u)| is_admin(u)).collect();
    if admins.is_empty() {
        return Vec::new();
    }
    // The service exists while the flavour writes a kubeconfig and someone is in wheel.
    let switch = source.switch;
    let admin_switches = || {
        let mut keys = vec![switch.to_owned()];
        keys.extend(admins.iter().map(|(i, _)| format!("users[{i}].extra-groups")));
        keys
    };
    let mut script = vec![text("umask 077\nsource=")];
    script.extend(source.path);
    script.push(text("\n"));
    let write =
        if source.flatten { "kubectl --kubeconfig=\"$source\" config view --flatten --raw" } else { "cat \"$source\"" };
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
             {write} > \"$home/.kube/config.new\"\n\
             chown \"{name}:$group\" \"$home/.kube/config.new\"\n\
             mv \"$home/.kube/config.new\" \"$home/.kube/config\"\n"
        )));
    }
    let mut service = vec![
        bind("description", "Write the cluster-admin kubeconfig, certificates embedded, for the admin users"),
        bind("wantedBy", list(["multi-user.target"])),
        bind("after", list([source.after])),
        bind("unitConfig.ConditionPathExists", source.watched.clone()),
        bind("serviceConfig.Type", "oneshot"),
    ];
    if source.flatten {
        service.push(bind("path", list([select(ident("pkgs"), "kubectl")])));
    }
    service.push(bind("script", indented(script)).traced(|| {
        Origin {
            rule: Some("each member of wheel gets the cluster-admin kubeconfig"),
            lines: script_lines
                .iter()
                .flat_map(|(first, key)| {
                    // home=, group=, install and chown name the user; the copy and mv do not.
                    [0, 1, 2, 4].map(|offset| LineOrigin { line: first + offset, keys: vec![key.clone()] })
                })
                .collect(),
            ..Origin::default()
        }
    }));
    vec![
        bind("systemd.services.homeflake-admin-kubeconfig", attrs(service))
            .traced(|| Origin { presence: admin_switches(), ..Origin::default() }),
        bind(
            "systemd.paths.homeflake-admin-kubeconfig",
            attrs([bind("wantedBy", list(["multi-user.target"])), bind("pathConfig.PathChanged", source.watched)]),
        )
        .traced(|| Origin { presence: admin_switches(), ..Origin::default() }),
    ]
}
