//! `cluster/manifests/*.yaml`: the resources no chart owns, deployed as the release `certificates`.

pub mod cluster_issuer;
pub mod wildcard_certificate;

use homeflake_model::{Cluster, Tls, Value};

/// A manifest under `cluster/manifests/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Manifest {
    /// `cluster-issuer.yaml`: the ACME ClusterIssuer with the DNS-01 solver.
    ClusterIssuer,
    /// `wildcard-certificate.yaml`: the Certificate for the zone and `*.<zone>`.
    WildcardCertificate,
}

impl Manifest {
    /// Every manifest, in file order.
    pub const ALL: [Manifest; 2] = [Manifest::ClusterIssuer, Manifest::WildcardCertificate];

    /// The file's name in `cluster/manifests/`.
    pub fn file_name(self) -> &'static str {
        match self {
            Manifest::ClusterIssuer => "cluster-issuer.yaml",
            Manifest::WildcardCertificate => "wildcard-certificate.yaml",
        }
    }

    /// The resource.
    pub fn lower(self, cluster: &Cluster, tls: &Tls) -> Value {
        match self {
            Manifest::ClusterIssuer => cluster_issuer::lower(cluster, tls),
            Manifest::WildcardCertificate => wildcard_certificate::lower(cluster, tls),
        }
    }
}
