//! `cluster/manifests/cluster-issuer.yaml`: Let's Encrypt as a ClusterIssuer, proving control of
//! the zone with DNS-01 through the DNS provider's API.
//!
//! Fields checked against cert-manager v1.21.1 `pkg/apis/acme/v1/types_issuer.go`:
//! `spec.acme.{email,server,privateKeySecretRef.name,solvers[]}`, `solvers[].selector.dnsZones`,
//! `solvers[].dns01.cloudflare.apiTokenSecretRef.{name,key}`,
//! `solvers[].dns01.digitalocean.tokenSecretRef.{name,key}`.

use homeflake_model::{AcmeServer, Cluster, DnsProvider, Tls, Value};

use crate::cluster::map;
use crate::trace::Provenance;

/// The key under which the DNS provider's token is stored in its Secret.
pub const TOKEN_KEY: &str = "api-token";

/// The ClusterIssuer's name: `letsencrypt-production` or `letsencrypt-staging`.
pub fn issuer_name(tls: &Tls) -> String {
    format!("letsencrypt-{}", tls.acme_server)
}

/// The Kubernetes Secret (in cert-manager's namespace) that holds the DNS provider's API token.
pub fn token_secret_name(tls: &Tls) -> String {
    format!("{}-api-token", tls.dns_provider)
}

/// The ClusterIssuer.
pub fn lower(cluster: &Cluster, tls: &Tls) -> Value {
    let token = map([("name", Value::from(token_secret_name(tls))), ("key", TOKEN_KEY.into())]);
    let provider = match tls.dns_provider {
        DnsProvider::Cloudflare => map([("cloudflare", map([("apiTokenSecretRef", token)]))]),
        DnsProvider::DigitalOcean => map([("digitalocean", map([("tokenSecretRef", token)]))]),
        _ => unreachable!("homeflake-gen knows every DNS provider"),
    };
    let solver = map([
        (
            "selector",
            map([(
                "dnsZones",
                Value::list([Value::from(cluster.zone().as_str()).source(crate::cluster::zone_key(cluster))]),
            )]),
        ),
        ("dns01", provider),
    ]);
    let server: AcmeServer = tls.acme_server;
    map([
        ("apiVersion", Value::from("cert-manager.io/v1")),
        ("kind", "ClusterIssuer".into()),
        ("metadata", map([("name", Value::from(issuer_name(tls)))])),
        (
            "spec",
            map([(
                "acme",
                map([
                    ("email", Value::from(tls.acme_email.as_str()).source("tls.acme-email")),
                    ("server", server.url().into()),
                    ("privateKeySecretRef", map([("name", Value::from(format!("{}-account-key", issuer_name(tls))))])),
                    ("solvers", Value::list([solver])),
                ]),
            )]),
        ),
    ])
}
