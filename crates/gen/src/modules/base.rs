//! `modules/base.nix`: time zone, locale, Nix with flakes, weekly garbage collection, key-only SSH, users, state version.

use homeflake_model::{Cluster, Secret, User};
use homeflake_nix::Expr;
use homeflake_nix::make::{attrs, bind, bind_path, keys, list};

use crate::lower::{module, secret};
use crate::trace::{Provenance, list_from};

/// Lowers the settings every host shares.
pub fn lower(cluster: &Cluster) -> Expr {
    let mut bindings = vec![
        bind("time.timeZone", cluster.time_zone.as_str()).source("time-zone"),
        bind("i18n.defaultLocale", cluster.locale.as_str()).source("locale"),
        bind("nix.settings.experimental-features", list(["nix-command", "flakes"])),
        bind("nix.gc.automatic", true),
        bind("nix.gc.dates", "weekly"),
        bind("nix.gc.options", "--delete-older-than 14d"),
        bind("networking.networkmanager.enable", true),
        bind("services.openssh.enable", true),
        bind("services.openssh.settings.PasswordAuthentication", false),
        bind("services.openssh.settings.KbdInteractiveAuthentication", false),
    ];
    bindings.extend(cluster.users.iter().enumerate().map(|(i, u)| user(i, u)));
    bindings.push(bind("system.stateVersion", cluster.state_version.as_str()).source("state-version"));
    module(bindings)
}

fn user(index: usize, user: &User) -> homeflake_nix::Binding {
    let key = |k: &str| format!("users[{index}].{k}");
    let mut fields = vec![bind("isNormalUser", true)];
    if !user.extra_groups.is_empty() {
        let groups = key("extra-groups");
        fields.push(
            bind("extraGroups", list_from(&groups, user.extra_groups.iter().map(|g| g.as_str()))).present_if(&groups),
        );
    }
    if !user.authorized_keys.is_empty() {
        let keys_key = key("authorized-keys");
        let authorized = list_from(&keys_key, user.authorized_keys.iter().map(|k| k.as_str()));
        fields.push(bind("openssh.authorizedKeys.keys", authorized).present_if(&keys_key));
    }
    match &user.hashed_password {
        Some(hash @ Secret::File(_)) => {
            fields.push(bind("hashedPasswordFile", secret(hash)).source(&key("hashed-password")))
        }
        Some(hash) => fields.push(bind("hashedPassword", secret(hash)).source(&key("hashed-password"))),
        None => {}
    }
    bind_path(keys(["users", "users", user.name.as_str()]), attrs(fields)).source(&key("name"))
}
