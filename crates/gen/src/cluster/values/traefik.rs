//! `cluster/values/traefik.yaml`: Traefik as a NodePort Service on the ingress host, with the
//! wildcard certificate as its default.
//!
//! Keys checked against traefik/traefik-helm-chart v41.3.0 `traefik/values.yaml` and
//! `values.schema.json`: `service.spec.type` (since chart v40; `service.type` is ignored),
//! `ports.web.nodePort`, `ports.websecure.nodePort`, `nodeSelector`, `api.dashboard`,
//! `tlsStore.<name>.defaultCertificate.secretName` (rendered as a TLSStore; its CRD's
//! `spec.defaultCertificate.secretName`).

use homeflake_model::{Cluster, Ingress, Value};

use crate::cluster::manifests::wildcard_certificate;
use crate::cluster::map;
use crate::trace::Provenance;

/// Traefik's values: the NodePorts nginx forwards to, the nodes it runs on, and its default certificate.
pub fn values(cluster: &Cluster, ingress: &Ingress) -> Value {
    let node_port = |port: u16, key: &str| map([("nodePort", Value::from(port).source(key))]);
    let node_selector = ingress
        .node_selector
        .iter()
        .map(|(k, v)| (k.as_str(), Value::from(v.as_str()).source(&format!("ingress.node-selector.{k}"))));
    let mut entries = vec![
        ("service", map([("spec", map([("type", "NodePort".into())]))])),
        (
            "ports",
            map([
                ("web", node_port(ingress.node_ports.http.get(), "ingress.node-ports.http")),
                ("websecure", node_port(ingress.node_ports.https.get(), "ingress.node-ports.https")),
            ]),
        ),
        ("nodeSelector", map(node_selector)),
        ("api", map([("dashboard", Value::from(ingress.dashboard).source("ingress.dashboard"))])),
    ];
    if cluster.tls.is_some() {
        let store = map([("defaultCertificate", map([("secretName", wildcard_certificate::SECRET_NAME.into())]))]);
        entries.push(("tlsStore", map([("default", store)])));
    }
    map(entries)
}
