//! The apps the cluster is for: Vaultwarden (a password manager) and Nextcloud (file storage),
//! each at a host name in the zone, with its data on Ceph.

use schemars::JsonSchema;
use serde::Serialize;

use crate::names::{DomainName, StorageClassName, UserName, VolumeSize};
use crate::secret::Secret;
use crate::tls::ApiToken;

/// The apps to deploy; each is on when its table is present.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case", default)]
#[non_exhaustive]
pub struct Apps {
    /// Vaultwarden, a Bitwarden-compatible password manager.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vaultwarden: Option<Vaultwarden>,
    /// Nextcloud, file storage and sharing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nextcloud: Option<Nextcloud>,
}

impl Apps {
    /// Whether any app is on.
    pub fn any(&self) -> bool {
        self.vaultwarden.is_some() || self.nextcloud.is_some()
    }
}

/// Vaultwarden with its SQLite database on one volume.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case", default)]
#[non_exhaustive]
pub struct Vaultwarden {
    /// Its host name, in the zone; default `vault.<zone>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<DomainName>,
    /// The volume's StorageClass; default: `storage.default-storage-class`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage_class: Option<StorageClassName>,
    /// The volume (`1Gi`): the database, attachments and icons.
    pub volume_size: VolumeSize,
    /// Whether anyone who reaches it may create an account (default false: the admin invites users).
    pub signups_allowed: bool,
    /// Where the `/admin` page's token is kept (`{ env = … }` or `{ file = … }`); without it the
    /// admin page is off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admin_token: Option<Secret<ApiToken>>,
}

impl Default for Vaultwarden {
    fn default() -> Self {
        Vaultwarden {
            host: None,
            storage_class: None,
            volume_size: VolumeSize::new("1Gi").expect("valid"),
            signups_allowed: false,
            admin_token: None,
        }
    }
}

/// Nextcloud with its PostgreSQL database, each on its own volume.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub struct Nextcloud {
    /// Its host name, in the zone; default `cloud.<zone>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<DomainName>,
    /// The volumes' StorageClass; default: `storage.default-storage-class`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage_class: Option<StorageClassName>,
    /// The volume of Nextcloud's files and its users' data (`100Gi`).
    #[serde(default = "default_nextcloud_volume")]
    pub volume_size: VolumeSize,
    /// The database's volume (`8Gi`).
    #[serde(default = "default_database_volume")]
    pub database_volume_size: VolumeSize,
    /// The admin account's name (`admin`).
    #[serde(default = "default_admin_user")]
    pub admin_user: UserName,
    /// Where the admin account's password is kept: `{ env = … }` or `{ file = … }`.
    pub admin_password: Secret<ApiToken>,
    /// Where the database user's password is kept: `{ env = … }` or `{ file = … }`.
    pub database_password: Secret<ApiToken>,
}

fn default_nextcloud_volume() -> VolumeSize {
    VolumeSize::new("100Gi").expect("valid")
}
fn default_database_volume() -> VolumeSize {
    VolumeSize::new("8Gi").expect("valid")
}
fn default_admin_user() -> UserName {
    UserName::new("admin").expect("valid")
}

impl Nextcloud {
    /// The defaults, with the two passwords kept where the references say.
    pub fn new(admin_password: Secret<ApiToken>, database_password: Secret<ApiToken>) -> Self {
        Nextcloud {
            host: None,
            storage_class: None,
            volume_size: default_nextcloud_volume(),
            database_volume_size: default_database_volume(),
            admin_user: default_admin_user(),
            admin_password,
            database_password,
        }
    }
}
