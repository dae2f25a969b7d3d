//! `cluster/values/vaultwarden.yaml`: Vaultwarden at its host name through Traefik with the
//! wildcard certificate, its SQLite database on a Ceph volume, sign-ups off unless the inventory
//! allows them.
//!
//! Keys checked against guerzon/vaultwarden v0.43.1 `charts/vaultwarden/values.yaml` and its
//! templates: `domain`, `signupsAllowed`, `storage.data.{name,size,class,path,accessMode}` (with the
//! default SQLite database, a StatefulSet with that volume claim template), `ingress.{enabled,class,
//! nginxIngressAnnotations,additionalAnnotations,tls,hostname}` (`tls: false`: with `true` the chart
//! writes a TLS section naming `tlsSecret`, and Traefik's default certificate is the wildcard),
//! `adminToken.{existingSecret,existingSecretKey}`. Without an admin token the chart's default is
//! kept: an empty `ADMIN_TOKEN`, which keeps the admin page off (setting `adminToken` to null would
//! set `DISABLE_ADMIN_TOKEN`, an admin page open to anyone).

use homeflake_model::{Cluster, Value, Vaultwarden};

use crate::cluster::{ingress_annotations, map, traefik_ingress_class};

/// The Secret (in Vaultwarden's namespace) with the admin token.
pub const ADMIN_SECRET: &str = "vaultwarden-admin";
/// Its key.
pub const ADMIN_TOKEN_KEY: &str = "admin-token";

/// The values.
pub fn values(cluster: &Cluster, app: &Vaultwarden) -> Value {
    let host = cluster.vaultwarden_host().map(|h| h.to_string()).unwrap_or_default();
    let mut data = vec![("name", Value::from("vaultwarden-data")), ("size", app.volume_size.as_str().into())];
    if let Some(class) = cluster.storage_class_or_default(app.storage_class.as_ref()) {
        data.push(("class", class.as_str().into()));
    }
    data.extend([("path", Value::from("/data")), ("accessMode", "ReadWriteOnce".into())]);
    let mut entries = vec![
        ("domain", Value::from(format!("https://{host}"))),
        ("signupsAllowed", app.signups_allowed.into()),
        ("storage", map([("data", map(data))])),
        (
            "ingress",
            map([
                ("enabled", Value::from(true)),
                ("class", traefik_ingress_class().into()),
                ("nginxIngressAnnotations", false.into()),
                ("additionalAnnotations", ingress_annotations()),
                ("tls", false.into()),
                ("hostname", host.into()),
            ]),
        ),
    ];
    if app.admin_token.is_some() {
        entries.push((
            "adminToken",
            map([("existingSecret", Value::from(ADMIN_SECRET)), ("existingSecretKey", ADMIN_TOKEN_KEY.into())]),
        ));
    }
    map(entries)
}
