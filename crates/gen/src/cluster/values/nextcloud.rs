//! `cluster/values/nextcloud.yaml`: Nextcloud at its host name through Traefik with the wildcard
//! certificate, its files and its PostgreSQL database each on a Ceph volume.
//!
//! Block (RBD) rather than CephFS: one Nextcloud pod mounts the volume (the chart's `Recreate`
//! strategy stops the old pod first, and its cron runs in the same pod), so ReadWriteOnce is
//! enough; a block volume with ext4 serves Nextcloud's many small files and PHP's file checks
//! without a round trip to CephFS's metadata server, and it exists whether or not CephFS is on.
//! A `storage-class` of the CephFS class still works, for anyone who scales Nextcloud out.
//!
//! Keys checked against nextcloud/helm nextcloud-9.2.4 `charts/nextcloud/values.yaml` and
//! `templates/{_helpers.tpl,db-secret.yaml,ingress.yaml}`: `nextcloud.{host,trustedDomains}`,
//! `nextcloud.existingSecret.{enabled,secretName,usernameKey,passwordKey}`,
//! `phpClientHttpsFix.{enabled,protocol}`, `internalDatabase.enabled`,
//! `externalDatabase.existingSecret.{enabled,secretName,usernameKey,passwordKey}` (read for the
//! bundled PostgreSQL too), `postgresql.enabled`,
//! `postgresql.global.postgresql.auth.{username,database,existingSecret,secretKeys.{adminPasswordKey,userPasswordKey}}`,
//! `postgresql.primary.persistence.{enabled,storageClass,size}`,
//! `persistence.{enabled,storageClass,accessMode,size}`, `ingress.{enabled,className,annotations}`.

use homeflake_model::{Cluster, Nextcloud, Value};

use crate::cluster::{host_in_zone, ingress_annotations, map, storage_class, traefik_ingress_class};
use crate::trace::Provenance;

/// The Secret (in Nextcloud's namespace) with the admin account.
pub const ADMIN_SECRET: &str = "nextcloud-admin";
/// Its key holding the admin's name.
pub const ADMIN_USER_KEY: &str = "nextcloud-username";
/// Its key holding the admin's password.
pub const ADMIN_PASSWORD_KEY: &str = "nextcloud-password";
/// The Secret with the database credentials, read by Nextcloud and by PostgreSQL.
pub const DATABASE_SECRET: &str = "nextcloud-db";
/// Its key holding the database user.
pub const DATABASE_USER_KEY: &str = "db-username";
/// Its key holding the database user's password.
pub const DATABASE_PASSWORD_KEY: &str = "db-password";
/// Its key holding PostgreSQL's superuser password (the same password: only Nextcloud reaches it).
pub const DATABASE_ADMIN_PASSWORD_KEY: &str = "postgres-password";
/// The database and its user.
pub const DATABASE: &str = "nextcloud";

/// The values.
pub fn values(cluster: &Cluster, app: &Nextcloud) -> Value {
    let host = cluster.nextcloud_host().map(|h| h.to_string()).unwrap_or_default();
    let shown = |value: String| host_in_zone(cluster, app.host.is_some(), "apps.nextcloud.host", value);
    let with_class = |mut entries: Vec<(&'static str, Value)>, key: &'static str| {
        if let Some(class) = storage_class(cluster, app.storage_class.as_ref(), "apps.nextcloud.storage-class") {
            entries.insert(1, (key, class));
        }
        map(entries)
    };
    let persistence = with_class(
        vec![
            ("enabled", Value::from(true)),
            ("accessMode", "ReadWriteOnce".into()),
            ("size", Value::from(app.volume_size.as_str()).source("apps.nextcloud.volume-size")),
        ],
        "storageClass",
    );
    let database_persistence = with_class(
        vec![
            ("enabled", Value::from(true)),
            ("size", Value::from(app.database_volume_size.as_str()).source("apps.nextcloud.database-volume-size")),
        ],
        "storageClass",
    );
    let auth = map([
        ("username", Value::from(DATABASE)),
        ("database", DATABASE.into()),
        ("existingSecret", DATABASE_SECRET.into()),
        (
            "secretKeys",
            map([
                ("adminPasswordKey", Value::from(DATABASE_ADMIN_PASSWORD_KEY)),
                ("userPasswordKey", DATABASE_PASSWORD_KEY.into()),
            ]),
        ),
    ]);
    map([
        (
            "nextcloud",
            map([
                ("host", shown(host.clone())),
                ("trustedDomains", Value::list([shown(host)])),
                (
                    "existingSecret",
                    map([
                        ("enabled", Value::from(true)),
                        ("secretName", ADMIN_SECRET.into()),
                        ("usernameKey", ADMIN_USER_KEY.into()),
                        ("passwordKey", ADMIN_PASSWORD_KEY.into()),
                    ]),
                ),
            ]),
        ),
        // TLS ends at Traefik: Nextcloud must still write https:// links.
        ("phpClientHttpsFix", map([("enabled", Value::from(true)), ("protocol", "https".into())])),
        ("internalDatabase", map([("enabled", Value::from(false))])),
        (
            "externalDatabase",
            map([(
                "existingSecret",
                map([
                    ("enabled", Value::from(true)),
                    ("secretName", DATABASE_SECRET.into()),
                    ("usernameKey", DATABASE_USER_KEY.into()),
                    ("passwordKey", DATABASE_PASSWORD_KEY.into()),
                ]),
            )]),
        ),
        (
            "postgresql",
            map([
                ("enabled", Value::from(true)),
                ("global", map([("postgresql", map([("auth", auth)]))])),
                ("primary", map([("persistence", database_persistence)])),
            ]),
        ),
        ("persistence", persistence),
        (
            "ingress",
            map([
                ("enabled", Value::from(true)),
                ("className", traefik_ingress_class().into()),
                ("annotations", ingress_annotations()),
            ]),
        ),
    ])
}
