//! `modules/ingress-proxy.nix`: nginx forwarding raw TCP to Traefik's NodePorts, and its listen ports opened.

use homeflake_model::{Cluster, Ingress, Opener};
use homeflake_nix::Expr;
use homeflake_nix::make::{bind, indented};

use crate::lower::module;
use crate::openings;
use crate::template::{TemplateValue, render};
use crate::trace::{Origin, Provenance, line_origins};

const STREAM: &str = include_str!("../templates/nginx-stream.hbs");

/// Lowers the ingress proxy; the stream block comes from `templates/nginx-stream.hbs`, and its
/// upstream ports are the same NodePorts Traefik must expose.
pub fn lower(cluster: &Cluster) -> Expr {
    let Some(ingress) = &cluster.ingress else { return module(Vec::new()) };
    let values: Vec<(&str, TemplateValue)> = stream_values(ingress).into_iter().map(|(k, v, _)| (k, v)).collect();
    let stream =
        render("nginx-stream", STREAM, &values).expect("the nginx stream template renders any validated inventory");
    let stream = bind("services.nginx.streamConfig", indented(stream)).traced(|| {
        let values = stream_values(ingress);
        let plain: Vec<(&str, TemplateValue)> = values.iter().map(|(k, v, _)| (*k, v.clone())).collect();
        let lines = crate::template::variable_lines("nginx-stream", STREAM, &plain).unwrap_or_default();
        Origin {
            keys: Vec::new(),
            presence: vec!["ingress.host".into()],
            head_only: false,
            rule: Some("nginx forwards each listen port to Traefik's NodePort on 127.0.0.1"),
            lines: line_origins(lines, |i| vec![values[i].2.to_owned()]),
        }
    });
    let mut bindings = vec![bind("services.nginx.enable", true).source("ingress.host"), stream];
    bindings.extend(openings::bindings(cluster, Opener::IngressHost));
    module(bindings)
}

/// The stream block's template variables, each with the inventory key it comes from.
fn stream_values(ingress: &Ingress) -> [(&'static str, TemplateValue, &'static str); 4] {
    let port = |p: u16| TemplateValue::Text(p.to_string());
    [
        ("https_node_port", port(ingress.node_ports.https.get()), "ingress.node-ports.https"),
        ("http_node_port", port(ingress.node_ports.http.get()), "ingress.node-ports.http"),
        ("https_listen_port", port(ingress.listen_ports.https.get()), "ingress.listen-ports.https"),
        ("http_listen_port", port(ingress.listen_ports.http.get()), "ingress.listen-ports.http"),
    ]
}
