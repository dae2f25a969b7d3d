//! `cluster/values/cert-manager.yaml`: cert-manager with its CRDs, and (with split DNS) a DNS-01
//! self-check through public resolvers.
//!
//! Keys checked against cert-manager v1.21.1 `deploy/charts/cert-manager/values.yaml`:
//! `crds.enabled`, `crds.keep`, `dns01RecursiveNameservers` (a comma-separated host:port list),
//! `dns01RecursiveNameserversOnly`.

use homeflake_model::{Cluster, Value};

use crate::cluster::map;
use crate::trace::Provenance;

/// cert-manager's values.
pub fn values(cluster: &Cluster) -> Value {
    let mut entries = vec![("crds", map([("enabled", true.into()), ("keep", true.into())]))];
    if let Some(dns) = &cluster.split_dns {
        // The hosts may resolve the zone through the tailnet's split DNS, which answers with a
        // tailnet address and knows no TXT records: check the challenge record where the ACME
        // server will, through the public resolvers split DNS forwards to.
        let resolvers: Vec<String> = dns.upstreams.iter().map(|ip| format!("{ip}:53")).collect();
        entries.push(("dns01RecursiveNameservers", Value::from(resolvers.join(",")).source("split-dns.upstreams")));
        entries.push(("dns01RecursiveNameserversOnly", true.into()));
    }
    map(entries)
}
