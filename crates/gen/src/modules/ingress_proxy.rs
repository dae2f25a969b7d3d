//! `modules/ingress-proxy.nix`: nginx forwarding raw TCP to Traefik's NodePorts, and its listen ports opened.

use homeflake_model::{Cluster, Opener};
use homeflake_nix::Expr;
use homeflake_nix::make::{bind, indented};

use crate::lower::module;
use crate::openings;
use crate::template::{TemplateValue, render};

const STREAM: &str = include_str!("../templates/nginx-stream.hbs");

/// Lowers the ingress proxy; the stream block comes from `templates/nginx-stream.hbs`, and its
/// upstream ports are the same NodePorts Traefik must expose.
pub fn lower(cluster: &Cluster) -> Expr {
    let Some(ingress) = &cluster.ingress else { return module(Vec::new()) };
    let port = |p: u16| TemplateValue::Text(p.to_string());
    let stream = render(
        "nginx-stream",
        STREAM,
        &[
            ("https_node_port", port(ingress.node_ports.https.get())),
            ("http_node_port", port(ingress.node_ports.http.get())),
            ("https_listen_port", port(ingress.listen_ports.https.get())),
            ("http_listen_port", port(ingress.listen_ports.http.get())),
        ],
    )
    .expect("the nginx stream template renders any validated inventory");
    let mut bindings = vec![bind("services.nginx.enable", true), bind("services.nginx.streamConfig", indented(stream))];
    bindings.extend(openings::bindings(cluster, Opener::IngressHost));
    module(bindings)
}
