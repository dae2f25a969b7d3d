//! `modules/base.nix`: time zone, locale, Nix with flakes, weekly garbage collection, key-only SSH, users, state version.

use homeflake_model::{Cluster, Secret, User};
use homeflake_nix::Expr;
use homeflake_nix::make::{attrs, bind, bind_path, keys, list};

use crate::lower::{module, secret};

/// Lowers the settings every host shares.
pub fn lower(cluster: &Cluster) -> Expr {
    let mut bindings = vec![
        bind("time.timeZone", cluster.time_zone.as_str()),
        bind("i18n.defaultLocale", cluster.locale.as_str()),
        bind("nix.settings.experimental-features", list(["nix-command", "flakes"])),
        bind("nix.gc.automatic", true),
        bind("nix.gc.dates", "weekly"),
        bind("nix.gc.options", "--delete-older-than 14d"),
        bind("networking.networkmanager.enable", true),
        bind("services.openssh.enable", true),
        bind("services.openssh.settings.PasswordAuthentication", false),
        bind("services.openssh.settings.KbdInteractiveAuthentication", false),
    ];
    bindings.extend(cluster.users.iter().map(user));
    bindings.push(bind("system.stateVersion", cluster.state_version.as_str()));
    module(bindings)
}

fn user(user: &User) -> homeflake_nix::Binding {
    let mut fields = vec![bind("isNormalUser", true)];
    if !user.extra_groups.is_empty() {
        fields.push(bind("extraGroups", list(user.extra_groups.iter().map(|g| g.as_str()))));
    }
    if !user.authorized_keys.is_empty() {
        fields.push(bind("openssh.authorizedKeys.keys", list(user.authorized_keys.iter().map(|k| k.as_str()))));
    }
    match &user.hashed_password {
        Some(hash @ Secret::File(_)) => fields.push(bind("hashedPasswordFile", secret(hash))),
        Some(hash) => fields.push(bind("hashedPassword", secret(hash))),
        None => {}
    }
    bind_path(keys(["users", "users", user.name.as_str()]), attrs(fields))
}
