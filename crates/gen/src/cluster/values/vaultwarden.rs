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

use crate::cluster::{host_in_zone, ingress_annotations, map, storage_class, traefik_ingress_class};
use crate::trace::Provenance;

/// The Secret (in Vaultwarden's namespace) with the admin token.
pub const ADMIN_SECRET: &str = "vaultwarden-admin";
/// Its key.
pub const ADMIN_TOKEN_KEY: &str = "admin-token";

/// The values.
pub fn values(cluster: &Cluster, app: &Vaultwarden) -> Value {
    let host = cluster.vaultwarden_host().map(|h| h.to_string()).unwrap_or_default();
    let shown = |value: String| host_in_zone(cluster, app.host.is_some(), "apps.vaultwarden.host", value);
    let size = Value::from(app.volume_size.as_str()).source("apps.vaultwarden.volume-size");
    let mut data = vec![("name", Value::from("vaultwarden-data")), ("size", size)];
    if let Some(class) = storage_class(cluster, app.storage_class.as_ref(), "apps.vaultwarden.storage-class") {
        data.push(("class", class));
    }
    data.extend([("path", Value::from("/data")), ("accessMode", "ReadWriteOnce".into())]);
    let mut entries = vec![
        ("domain", shown(format!("https://{host}"))),
        ("signupsAllowed", Value::from(app.signups_allowed).source("apps.vaultwarden.signups-allowed")),
        ("storage", map([("data", map(data))])),
        (
            "ingress",
            map([
                ("enabled", Value::from(true)),
                ("class", traefik_ingress_class().into()),
                ("nginxIngressAnnotations", false.into()),
                ("additionalAnnotations", ingress_annotations()),
                ("tls", false.into()),
                ("hostname", shown(host)),
            ]),
        ),
    ];
    if app.admin_token.is_some() {
        entries.push((
            "adminToken",
            map([("existingSecret", Value::from(ADMIN_SECRET)), ("existingSecretKey", ADMIN_TOKEN_KEY.into())])
                .present_if("apps.vaultwarden.admin-token"),
        ));
    }
    map(entries)
}
