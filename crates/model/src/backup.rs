//! Backups with Velero to an S3-compatible bucket: a daily schedule, a retention, and the pods'
//! volumes copied file by file by Velero's node agent.

use schemars::JsonSchema;
use serde::Serialize;

use crate::names::{BucketName, GoDuration, HttpUrl, Region, TimeOfDay};
use crate::secret::Secret;
use crate::tls::ApiToken;

/// Where backups go, when they run and how long they are kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub struct Backup {
    /// The S3-compatible endpoint (`https://s3.example.com`, `http://192.168.10.5:9000`).
    pub endpoint: HttpUrl,
    /// The bucket, which must exist.
    pub bucket: BucketName,
    /// The region the endpoint expects (`us-east-1`; MinIO and Garage accept theirs).
    #[serde(default = "default_region")]
    pub region: Region,
    /// Address the bucket as `<endpoint>/<bucket>` rather than `<bucket>.<endpoint>` (MinIO, Garage).
    #[serde(default = "crate::monitoring::default_true")]
    pub path_style: bool,
    /// Where the S3 access key id is kept: `{ env = … }` or `{ file = … }`.
    pub access_key_id: Secret<ApiToken>,
    /// Where the S3 secret access key is kept: `{ env = … }` or `{ file = … }`.
    pub secret_access_key: Secret<ApiToken>,
    /// When the daily backup starts, in UTC (`03:00`).
    #[serde(default = "default_daily_at")]
    pub daily_at: TimeOfDay,
    /// How long each backup is kept, a Go duration (`720h`, 30 days).
    #[serde(default = "default_retention")]
    pub retention: GoDuration,
    /// Copy every pod volume's files with the node agent (kopia), not only the Kubernetes objects.
    #[serde(default = "crate::monitoring::default_true")]
    pub file_system_backup: bool,
}

fn default_region() -> Region {
    Region::new("us-east-1").expect("valid")
}
fn default_daily_at() -> TimeOfDay {
    TimeOfDay::new("03:00").expect("valid")
}
fn default_retention() -> GoDuration {
    GoDuration::new("720h").expect("valid")
}

impl Backup {
    /// Daily backups at 03:00 UTC kept 720h, with file-system backup, to `bucket` at `endpoint`.
    pub fn new(
        endpoint: HttpUrl,
        bucket: BucketName,
        access_key_id: Secret<ApiToken>,
        secret_access_key: Secret<ApiToken>,
    ) -> Self {
        Backup {
            endpoint,
            bucket,
            region: default_region(),
            path_style: true,
            access_key_id,
            secret_access_key,
            daily_at: default_daily_at(),
            retention: default_retention(),
            file_system_backup: true,
        }
    }
}
