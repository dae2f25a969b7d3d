//! `flake.nix`: the pinned nixpkgs input and one table of hosts — each host's system and how it is
//! deployed — from which every output is made: `nixosConfigurations`, an SD-card image per
//! Raspberry Pi (`packages.aarch64-linux.<host>-sd-image`), a hive for colmena (`colmena`), nodes
//! for deploy-rs (`deploy`), a formatter and a dev shell.
//!
//! disko is an input only when a host has a system disk, whose file systems it then gives (followed
//! to the same nixpkgs). No deploy tool is an input, so `nixos-rebuild` and `flake.lock` never depend on one:
//! colmena reads the plain `colmena` attribute set (colmena 0.4, as in nixos-25.11; 0.5 with
//! `--legacy-flake-eval`), and deploy-rs's library, which its activation profiles need, is fetched
//! by `builtins.getFlake` at a pinned commit (`deploy.deploy-rs`) only when `deploy` is evaluated.

use std::collections::BTreeSet;

use homeflake_model::{Cluster, Hardware, Host, Secret};
use homeflake_nix::make::{
    apply, attrs, binary, bind, bind_path, ident, inherit, inherit_from, interp, keys, lambda, lambda_pattern, let_in,
    list, path, quoted, select, string, text,
};
use homeflake_nix::{BinaryOp, Binding, Expr, Key};

use crate::deploy::{build_keys, sd_image_attr, user_keys};
use crate::lower::secret;
use crate::modules::disk::{self, DISKO_URL};
use crate::secrets;
use crate::trace::{Origin, Provenance, host_key};

/// Where the secrets file lives, relative to the flake root.
pub const SECRETS_PATH: &str = "modules/secrets.nix";

/// The nixpkgs module that turns a configuration into a Raspberry Pi SD-card image.
pub const SD_IMAGE_MODULE: &str = "nixos/modules/installer/sd-card/sd-image-aarch64.nix";

/// `<expr>.${name}`.
fn select_dynamic(expr: Expr, name: &str) -> Expr {
    Expr::Select { expr: Box::new(expr), path: vec![Key::Dynamic(ident(name))], default: None }
}

/// `deployRs.lib.${host.system}`.
fn deploy_rs_lib() -> Expr {
    Expr::Select {
        expr: Box::new(ident("deployRs")),
        path: vec![Key::Name("lib".into()), Key::Dynamic(select(ident("host"), "system"))],
        default: None,
    }
}

/// `./hosts + "/${name}"`: the folder of the host named by the variable `name`.
fn host_folder() -> Expr {
    binary(path("./hosts"), BinaryOp::Add, quoted([text("/"), interp(ident("name"))]))
}

/// A host's entry in the table, on one line however many hosts there are:
/// `host <system> <address> <user> <buildOnTarget> "<roles>"`.
fn host_entry(cluster: &Cluster, host: &Host) -> Expr {
    let address = match cluster.ssh_address(host) {
        Secret::Literal(address) => string(address.as_str()),
        other => secret(&other),
    };
    let user: Expr = cluster.ssh_user(host).map_or(Expr::Null, |u| string(u.as_str()));
    let roles: Vec<&str> = host.roles.iter().map(|r| r.as_str()).collect();
    apply(
        ident("host"),
        [
            string(host.system.as_str()),
            address,
            user,
            Expr::Bool(cluster.builds_on_target(host)),
            string(&roles.join(" ")),
        ],
    )
}

/// Every key a host's entry is read or derived from.
fn host_entry_keys(cluster: &Cluster, host: &Host) -> Vec<String> {
    let mut keys = vec![host_key(host, "name"), host_key(host, "system"), host_key(host, "hardware")];
    keys.push(crate::deploy::address_key(host));
    keys.extend(user_keys(cluster, host));
    keys.extend(build_keys(cluster, host));
    keys.push(host_key(host, "roles"));
    keys.dedup();
    keys
}

/// `host = system: address: user: buildOnTarget: roles: { … }`: a host's record from its entry,
/// its roles (a space-separated string, so that the entry stays on one line) as colmena's tags.
fn host_function() -> Expr {
    let tags = apply(
        select(ident("builtins"), "filter"),
        [
            lambda("tag", binary(ident("tag"), BinaryOp::NotEqual, "")),
            apply(select(ident("nixpkgs"), "lib.splitString"), [string(" "), ident("roles")]),
        ],
    );
    let record = attrs([inherit(["system", "address", "user", "buildOnTarget"]), bind("tags", tags)]);
    ["system", "address", "user", "buildOnTarget", "roles"].iter().rev().fold(record, |body, arg| lambda(arg, body))
}

/// The module arguments every host gets besides nixpkgs' own: the secrets read at evaluation
/// time, and disko's flake when a host lays out its system disk with it.
fn special_args(module_args: &[&str]) -> Option<Binding> {
    (!module_args.is_empty()).then(|| bind("specialArgs", attrs([inherit(module_args.iter().copied())])))
}

/// `nixosConfigurations`: `nixpkgs.lib.nixosSystem` over every host of the table.
fn nixos_configurations(module_args: &[&str]) -> Expr {
    let mut args = vec![inherit_from(ident("host"), ["system"])];
    args.extend(special_args(module_args));
    args.push(bind("modules", list([host_folder()])));
    let configuration =
        lambda("name", lambda("host", apply(select(ident("nixpkgs"), "lib.nixosSystem"), [attrs(args)])));
    apply(select(ident("builtins"), "mapAttrs"), [configuration, ident("hosts")])
}

/// `sdImage = name: (self.nixosConfigurations.${name}.extendModules { … }).config.system.build.sdImage;`:
/// the host's own configuration with nixpkgs' SD-card module, minus that module's installer
/// profile and the initrd modules for every PC under the sun (the Raspberry Pi kernel lacks many of
/// them, and the card should boot exactly the system later deploys keep up to date).
fn sd_image_function() -> Expr {
    let image_module = attrs([
        bind("disabledModules", list([string("profiles/base.nix")])),
        bind("hardware.enableAllHardware", apply(select(ident("nixpkgs"), "lib.mkForce"), [Expr::Bool(false)])),
    ]);
    let configuration = select_dynamic(select(ident("self"), "nixosConfigurations"), "name");
    let extended = apply(
        select(configuration, "extendModules"),
        [attrs([bind(
            "modules",
            list([quoted([interp(ident("nixpkgs")), text(&format!("/{SD_IMAGE_MODULE}"))]), image_module]),
        )])],
    );
    lambda("name", select(extended, "config.system.build.sdImage"))
}

/// `colmena`: the hive colmena reads from a flake — every host of the table with its deployment
/// settings and its folder, nixpkgs for its system, and the secrets as a module argument.
fn colmena_hive(cluster: &Cluster, module_args: &[&str]) -> Expr {
    let import_nixpkgs = |system: Expr| apply(ident("import"), [ident("nixpkgs"), attrs([bind("system", system)])]);
    let first_system = cluster.hosts.first().map_or("x86_64-linux", |h| h.system.as_str());
    let mut meta = vec![
        bind("nixpkgs", import_nixpkgs(string(first_system))),
        bind(
            "nodeNixpkgs",
            apply(
                select(ident("builtins"), "mapAttrs"),
                [lambda("name", lambda("host", import_nixpkgs(select(ident("host"), "system")))), ident("hosts")],
            ),
        ),
    ];
    meta.extend(special_args(module_args));
    let node = attrs([
        bind(
            "deployment",
            attrs([
                bind("targetHost", select(ident("host"), "address")),
                bind("targetUser", select(ident("host"), "user")),
                bind("buildOnTarget", select(ident("host"), "buildOnTarget")),
                inherit_from(ident("host"), ["tags"]),
            ]),
        ),
        bind("imports", list([host_folder()])),
    ]);
    let nodes = apply(select(ident("builtins"), "mapAttrs"), [lambda("name", lambda("host", node)), ident("hosts")]);
    binary(attrs([bind("meta", attrs(meta))]), BinaryOp::Update, nodes)
}

/// `deploy.nodes`: a deploy-rs node per host of the table, its `system` profile activated as
/// root through the deploy user's sudo (which asks for the password).
fn deploy_rs_nodes() -> Expr {
    let profile = apply(
        select(deploy_rs_lib(), "activate.nixos"),
        [select_dynamic(select(ident("self"), "nixosConfigurations"), "name")],
    );
    let node = attrs([
        bind("hostname", select(ident("host"), "address")),
        bind("sshUser", select(ident("host"), "user")),
        bind("user", "root"),
        bind("interactiveSudo", binary(select(ident("host"), "user"), BinaryOp::NotEqual, "root")),
        bind("remoteBuild", select(ident("host"), "buildOnTarget")),
        bind("profiles.system.path", profile),
    ]);
    apply(select(ident("builtins"), "mapAttrs"), [lambda("name", lambda("host", node)), ident("hosts")])
}

/// Lowers the flake.
pub fn lower(cluster: &Cluster) -> Expr {
    let has_secrets = !secrets::env_vars(cluster).is_empty();
    let systems: BTreeSet<&str> = cluster.hosts.iter().map(|h| h.system.as_str()).collect();
    let pis: Vec<&Host> = cluster.hosts.iter().filter(|h| h.hardware == Hardware::RaspberryPi4).collect();
    let has_disko = disk::is_used(cluster);
    let mut module_args = Vec::new();
    if has_secrets {
        module_args.push("secrets");
    }
    if has_disko {
        module_args.push("disko");
    }

    let hosts = attrs(cluster.hosts.iter().map(|host| {
        bind_path(keys([host.name.as_str()]), host_entry(cluster, host))
            .derived_from("a host's entry: its system and its deploy facts with their defaults", || {
                host_entry_keys(cluster, host)
            })
    }));

    let pkgs_for_system = || Expr::Select {
        expr: Box::new(ident("nixpkgs")),
        path: vec![Key::Name("legacyPackages".into()), Key::Dynamic(ident("system"))],
        default: None,
    };
    let dev_shell = lambda(
        "system",
        let_in(
            [bind("pkgs", pkgs_for_system())],
            attrs([bind(
                "default",
                apply(
                    select(ident("pkgs"), "mkShell"),
                    [attrs([bind("packages", list(["cargo", "rustc", "nixfmt"].map(|p| select(ident("pkgs"), p))))])],
                ),
            )]),
        ),
    );
    let formatter = lambda(
        "system",
        Expr::Select {
            expr: Box::new(ident("nixpkgs")),
            path: vec![Key::Name("legacyPackages".into()), Key::Dynamic(ident("system")), Key::Name("nixfmt".into())],
            default: None,
        },
    );

    let mut lets = Vec::new();
    if has_secrets {
        lets.push(bind("secrets", apply(ident("import"), [path(&format!("./{SECRETS_PATH}"))])));
    }
    lets.push(bind("hosts", hosts).commented(
        "Every host: host <system> <SSH address> <SSH user> <builds its own system> \"<roles>\", as \
         `homeflake deploy`, colmena and deploy-rs reach it. Its configuration is hosts/<name>/default.nix.",
    ));
    lets.push(bind("host", host_function()));
    lets.push(bind("forEachSystem", apply(select(ident("nixpkgs"), "lib.genAttrs"), [list(systems)])));
    if !pis.is_empty() {
        lets.push(bind("sdImage", sd_image_function()).commented(
            "A Raspberry Pi's SD card: its own system, started from the card (nixpkgs' sd-image-aarch64 module \
             without its installer profile and without the initrd modules for all hardware).",
        ));
    }
    lets.push(
        bind("deployRs", apply(select(ident("builtins"), "getFlake"), [string(cluster.deploy.deploy_rs.as_str())]))
            .commented("deploy-rs's library, fetched only when the deploy output is evaluated.")
            .source("deploy.deploy-rs"),
    );

    let mut outputs = vec![bind("nixosConfigurations", nixos_configurations(&module_args))];
    if !pis.is_empty() {
        let images = attrs(pis.iter().map(|host| {
            bind_path(
                keys([sd_image_attr(host.name.as_str()).as_str()]),
                apply(ident("sdImage"), [string(host.name.as_str())]),
            )
            .traced(|| Origin {
                keys: vec![host_key(host, "name")],
                presence: vec![host_key(host, "hardware")],
                ..Origin::default()
            })
        }));
        outputs.push(bind("packages.aarch64-linux", images));
    }
    outputs.push(bind("colmena", colmena_hive(cluster, &module_args)));
    outputs.push(bind("deploy.nodes", deploy_rs_nodes()));
    outputs.push(bind("formatter", apply(ident("forEachSystem"), [formatter])));
    outputs.push(bind("devShells", apply(ident("forEachSystem"), [dev_shell])));

    let inputs: &[&str] = if has_disko { &["self", "nixpkgs", "disko"] } else { &["self", "nixpkgs"] };
    let outputs = lambda_pattern(inputs, false, let_in(lets, attrs(outputs)));
    let mut flake = vec![
        bind("description", format!("{}: NixOS + Kubernetes cluster, generated by homeflake", cluster.name))
            .source("name"),
        bind("inputs.nixpkgs.url", cluster.nixpkgs.url.as_str()).source("nixpkgs.url"),
    ];
    if has_disko {
        let from_disks =
            |b: Binding| b.traced(|| Origin { presence: disk::system_disk_keys(cluster), ..Origin::default() });
        flake.push(from_disks(bind("inputs.disko.url", DISKO_URL)));
        flake.push(from_disks(bind("inputs.disko.inputs.nixpkgs.follows", "nixpkgs")));
    }
    flake.push(bind("outputs", outputs));
    attrs(flake)
}
