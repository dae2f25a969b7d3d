//! The Kubernetes Secrets the cluster layer reads and nothing generates: the user creates each
//! from the inventory's secret references before `helmfile apply` (`docs/bootstrap.md` gives the
//! commands), so no secret value is ever in a generated file. The charts name them through their
//! `existingSecret` values, and the ClusterIssuer through its token reference.

use homeflake_model::{ApiToken, Cluster, Secret};

use super::manifests::cluster_issuer;
use super::values::{kube_prometheus_stack, nextcloud, vaultwarden, velero};
use super::{
    CERT_MANAGER_NAMESPACE, MONITORING_NAMESPACE, NEXTCLOUD_NAMESPACE, VAULTWARDEN_NAMESPACE, VELERO_NAMESPACE,
};

/// What one key of a Secret holds.
#[derive(Debug, Clone, Copy)]
pub enum Content<'a> {
    /// A value that is not secret and is written out (a user name).
    Fixed(&'a str),
    /// A value from the inventory that is not secret and is written out (Nextcloud's admin user).
    Setting {
        /// The inventory key it is at.
        key: &'static str,
        /// The value.
        value: &'a str,
    },
    /// The value behind an inventory reference; `key` is the inventory key.
    Reference {
        /// The inventory key the reference is at.
        key: &'static str,
        /// The reference.
        secret: &'a Secret<ApiToken>,
    },
    /// An AWS credentials file (`[default]` with the key id and the secret key), as Velero's AWS
    /// plugin reads it.
    AwsCredentials {
        /// The access key id's reference.
        id: &'a Secret<ApiToken>,
        /// The secret access key's reference.
        secret: &'a Secret<ApiToken>,
    },
}

/// A Secret to create by hand.
#[derive(Debug, Clone)]
pub struct HandMadeSecret<'a> {
    /// Its namespace.
    pub namespace: &'static str,
    /// Its name.
    pub name: String,
    /// What reads it, in words.
    pub read_by: &'static str,
    /// Its keys and what each holds.
    pub keys: Vec<(&'static str, Content<'a>)>,
}

/// Every Secret the cluster layer reads, in the order the releases are installed.
pub fn hand_made(cluster: &Cluster) -> Vec<HandMadeSecret<'_>> {
    let mut out = Vec::new();
    if let Some(tls) = &cluster.tls {
        out.push(HandMadeSecret {
            namespace: CERT_MANAGER_NAMESPACE,
            name: cluster_issuer::token_secret_name(tls),
            read_by: "cert-manager's DNS-01 solver (the ClusterIssuer reads it in cert-manager's namespace)",
            keys: vec![(
                cluster_issuer::TOKEN_KEY,
                Content::Reference { key: "tls.dns-api-token", secret: &tls.dns_api_token },
            )],
        });
    }
    if let Some(monitoring) = &cluster.monitoring {
        out.push(HandMadeSecret {
            namespace: MONITORING_NAMESPACE,
            name: kube_prometheus_stack::GRAFANA_ADMIN_SECRET.to_owned(),
            read_by: "Grafana's admin login",
            keys: vec![
                (kube_prometheus_stack::GRAFANA_USER_KEY, Content::Fixed(kube_prometheus_stack::GRAFANA_ADMIN_USER)),
                (
                    kube_prometheus_stack::GRAFANA_PASSWORD_KEY,
                    Content::Reference {
                        key: "monitoring.grafana-admin-password",
                        secret: &monitoring.grafana_admin_password,
                    },
                ),
            ],
        });
    }
    if let Some(backup) = &cluster.backup {
        out.push(HandMadeSecret {
            namespace: VELERO_NAMESPACE,
            name: velero::CREDENTIALS_SECRET.to_owned(),
            read_by: "Velero's access to the bucket (an AWS credentials file)",
            keys: vec![(
                velero::CREDENTIALS_KEY,
                Content::AwsCredentials { id: &backup.access_key_id, secret: &backup.secret_access_key },
            )],
        });
    }
    if let Some(token) = cluster.apps.vaultwarden.as_ref().and_then(|a| a.admin_token.as_ref()) {
        out.push(HandMadeSecret {
            namespace: VAULTWARDEN_NAMESPACE,
            name: vaultwarden::ADMIN_SECRET.to_owned(),
            read_by: "Vaultwarden's /admin page",
            keys: vec![(
                vaultwarden::ADMIN_TOKEN_KEY,
                Content::Reference { key: "apps.vaultwarden.admin-token", secret: token },
            )],
        });
    }
    if let Some(app) = &cluster.apps.nextcloud {
        out.push(HandMadeSecret {
            namespace: NEXTCLOUD_NAMESPACE,
            name: nextcloud::ADMIN_SECRET.to_owned(),
            read_by: "Nextcloud's admin account",
            keys: vec![
                (
                    nextcloud::ADMIN_USER_KEY,
                    Content::Setting { key: "apps.nextcloud.admin-user", value: app.admin_user.as_str() },
                ),
                (
                    nextcloud::ADMIN_PASSWORD_KEY,
                    Content::Reference { key: "apps.nextcloud.admin-password", secret: &app.admin_password },
                ),
            ],
        });
        let password = Content::Reference { key: "apps.nextcloud.database-password", secret: &app.database_password };
        out.push(HandMadeSecret {
            namespace: NEXTCLOUD_NAMESPACE,
            name: nextcloud::DATABASE_SECRET.to_owned(),
            read_by: "Nextcloud and its PostgreSQL",
            keys: vec![
                (nextcloud::DATABASE_USER_KEY, Content::Fixed(nextcloud::DATABASE)),
                (nextcloud::DATABASE_PASSWORD_KEY, password),
                (nextcloud::DATABASE_ADMIN_PASSWORD_KEY, password),
            ],
        });
    }
    out
}
