//! `cluster/manifests/wildcard-certificate.yaml`: one certificate for the zone and every name in
//! it, stored where Traefik's default TLSStore reads it.
//!
//! Fields checked against cert-manager v1.21.1 `pkg/apis/certmanager/v1/types_certificate.go`:
//! `spec.secretName`, `spec.dnsNames`, `spec.issuerRef.{name,kind,group}`.

use homeflake_model::{Cluster, Tls, Value};

use super::cluster_issuer::issuer_name;
use crate::cluster::{TRAEFIK_NAMESPACE, map, zone_key};
use crate::trace::Provenance;

/// The Certificate's name.
pub const NAME: &str = "wildcard";
/// The Secret cert-manager writes the certificate to, in Traefik's namespace.
pub const SECRET_NAME: &str = "wildcard-tls";

/// The names the certificate covers: the zone and `*.<zone>`.
pub fn dns_names(cluster: &Cluster) -> [String; 2] {
    let zone = cluster.zone();
    [zone.to_string(), format!("*.{zone}")]
}

/// The Certificate.
pub fn lower(cluster: &Cluster, tls: &Tls) -> Value {
    map([
        ("apiVersion", Value::from("cert-manager.io/v1")),
        ("kind", "Certificate".into()),
        ("metadata", map([("name", Value::from(NAME)), ("namespace", TRAEFIK_NAMESPACE.into())])),
        (
            "spec",
            map([
                ("secretName", Value::from(SECRET_NAME)),
                ("dnsNames", Value::list(dns_names(cluster).map(|name| Value::from(name).source(zone_key(cluster))))),
                (
                    "issuerRef",
                    map([
                        ("name", Value::from(issuer_name(tls))),
                        ("kind", "ClusterIssuer".into()),
                        ("group", "cert-manager.io".into()),
                    ]),
                ),
            ]),
        ),
    ])
}
