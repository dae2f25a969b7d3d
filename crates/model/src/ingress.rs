//! The ingress proxy: nginx on one host forwarding raw TCP to Traefik's NodePorts.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Serialize;

use crate::names::{HostName, LabelKey, LabelValue, NodePort, Port};

/// Traefik's NodePorts, which nginx forwards to and the Traefik chart must expose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(default)]
#[non_exhaustive]
pub struct IngressNodePorts {
    /// `ports.web.nodePort` (31080).
    pub http: NodePort,
    /// `ports.websecure.nodePort` (31443).
    pub https: NodePort,
}

impl Default for IngressNodePorts {
    fn default() -> Self {
        IngressNodePorts { http: NodePort::new(31080).expect("valid"), https: NodePort::new(31443).expect("valid") }
    }
}

/// The ports nginx listens on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(default)]
#[non_exhaustive]
pub struct ListenPorts {
    /// Plain HTTP (80).
    pub http: Port,
    /// HTTPS, passed through untouched (443).
    pub https: Port,
}

impl Default for ListenPorts {
    fn default() -> Self {
        ListenPorts { http: Port::new(80).expect("valid"), https: Port::new(443).expect("valid") }
    }
}

/// The ingress proxy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub struct Ingress {
    /// The host running nginx; it needs a tailnet address (split DNS answers with it).
    pub host: HostName,
    /// Traefik's NodePorts.
    #[serde(default)]
    pub node_ports: IngressNodePorts,
    /// nginx's listen ports.
    #[serde(default)]
    pub listen_ports: ListenPorts,
    /// The node labels Traefik is scheduled on (`proxy: "true"`); the ingress host always carries them.
    #[serde(default = "default_node_selector")]
    pub node_selector: BTreeMap<LabelKey, LabelValue>,
    /// Traefik's dashboard (`api.dashboard`); off by default, and never exposed on an entry point
    /// (reach it with `kubectl port-forward`).
    #[serde(default)]
    pub dashboard: bool,
}

fn default_node_selector() -> BTreeMap<LabelKey, LabelValue> {
    BTreeMap::from([(LabelKey::new("proxy").expect("valid"), LabelValue::new("true").expect("valid"))])
}

impl Ingress {
    /// An ingress proxy on `host` with the reference ports and node selector.
    pub fn new(host: HostName) -> Self {
        Ingress {
            host,
            node_ports: IngressNodePorts::default(),
            listen_ports: ListenPorts::default(),
            node_selector: default_node_selector(),
            dashboard: false,
        }
    }
}
