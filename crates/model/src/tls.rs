//! TLS on the cluster's own domain: cert-manager, an ACME account and its DNS-01 solver.

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Serialize, Serializer};

use crate::names::{AcmeChallenge, AcmeServer, DnsProvider, EmailAddress};
use crate::secret::Secret;

/// A DNS provider's API token. Only references to it (`{ env = … }`, `{ file = … }`) are
/// accepted; a token written into the inventory is refused, and its text is never shown.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ApiToken(String);

impl ApiToken {
    /// Wraps a token (the decoder uses this to report a literal token without showing it).
    pub fn new(token: impl Into<String>) -> Self {
        ApiToken(token.into())
    }
}

impl fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiToken(<redacted>)")
    }
}

impl fmt::Display for ApiToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl Serialize for ApiToken {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str("<redacted>")
    }
}

impl JsonSchema for ApiToken {
    fn schema_name() -> Cow<'static, str> {
        "ApiToken".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "string", "description": "Never given literally: use { env = \"NAME\" } or { file = \"/path\" }" })
    }
}

/// Certificates for the zone from an ACME server, proven with DNS-01 through a DNS provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub struct Tls {
    /// The ACME account's contact address (expiry notices go there).
    pub acme_email: EmailAddress,
    /// Let's Encrypt's production or staging server (default production).
    #[serde(default = "default_server")]
    pub acme_server: AcmeServer,
    /// The challenge; only `dns-01` works for a split-DNS zone and a wildcard certificate.
    #[serde(default = "default_challenge")]
    pub challenge: AcmeChallenge,
    /// The zone's DNS provider, whose API the DNS-01 solver writes TXT records through.
    pub dns_provider: DnsProvider,
    /// Where the provider's API token is kept: `{ env = … }` or `{ file = … }`; the generated files
    /// name a Kubernetes Secret that `docs/bootstrap.md` says how to create from it.
    pub dns_api_token: Secret<ApiToken>,
}

fn default_server() -> AcmeServer {
    AcmeServer::Production
}
fn default_challenge() -> AcmeChallenge {
    AcmeChallenge::Dns01
}

impl Tls {
    /// DNS-01 through `dns_provider` with the token at `dns_api_token`, on the production server.
    pub fn new(acme_email: EmailAddress, dns_provider: DnsProvider, dns_api_token: Secret<ApiToken>) -> Self {
        Tls { acme_email, acme_server: default_server(), challenge: default_challenge(), dns_provider, dns_api_token }
    }
}
