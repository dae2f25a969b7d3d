//! The ingress proxy run for real: the `services.nginx.streamConfig` that the ingress host's
//! generated files set is loaded by nginx in a network namespace, in a `stream { }` block as NixOS
//! wraps it, and connections to its listen ports must reach the NodePorts Traefik exposes — here
//! two listeners on 127.0.0.1 that answer with their own name.

mod common;

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddrV4, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::netns::Netns;
use common::{cluster, evaluate_host, nix_instantiate, written};
use homeflake_gen::{generate, secrets};

/// Stops nginx when the test ends, however it ends.
struct Nginx(Child);

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A NodePort stand-in: answers every connection with `name`.
fn node_port(port: u16, name: &'static str) -> TcpListener {
    let listener = TcpListener::bind(SocketAddrV4::new(Ipv4Addr::LOCALHOST, port)).expect("bind NodePort");
    let served = listener.try_clone().expect("clone");
    std::thread::spawn(move || {
        for stream in served.incoming().take(100).flatten() {
            let mut stream = stream;
            let _ = stream.write_all(name.as_bytes());
        }
    });
    listener
}

/// Connects to 127.0.0.1:`port` until nginx listens (bounded), and returns what comes back.
fn through(port: u16) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match TcpStream::connect_timeout(&SocketAddrV4::new(Ipv4Addr::LOCALHOST, port).into(), Duration::from_secs(1)) {
            Ok(mut stream) => {
                stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
                let mut answer = String::new();
                let _ = stream.read_to_string(&mut answer);
                return answer;
            }
            Err(e) if Instant::now() > deadline => panic!("nginx does not listen on {port}: {e}"),
            Err(_) => std::thread::sleep(Duration::from_millis(50)),
        }
    }
}

#[test]
fn nginx_forwards_the_listen_ports_to_the_traefik_node_ports() {
    let Some(nix) = nix_instantiate() else { return };
    if !common::netns::available(&["nginx"]) {
        return;
    }
    let cluster = cluster("../..");
    let ingress = cluster.ingress.clone().expect("the example has an ingress");
    let host = cluster.host(ingress.host.as_str()).expect("ingress host");
    let files = generate(&cluster);
    let tree = written(&files);
    let options = evaluate_host(nix, tree.path(), &cluster, host, &secrets::env_vars_of_host(&cluster, host))
        .unwrap_or_else(|e| panic!("{e}"));
    let stream_config = options["streamConfig"].as_str().unwrap();
    assert!(!stream_config.contains("localhost"), "upstreams must be IPv4 loopback:\n{stream_config}");

    let run = tempfile::tempdir().unwrap();
    let dynamic = Command::new("nginx").arg("-V").output().unwrap();
    let dynamic = String::from_utf8_lossy(&dynamic.stderr).contains("--with-stream=dynamic");
    let load = if dynamic { "load_module /usr/lib/nginx/modules/ngx_stream_module.so;\n" } else { "" };
    let dir = run.path().display();
    let conf = format!(
        "{load}daemon off;\nmaster_process off;\npid {dir}/nginx.pid;\nerror_log {dir}/error.log;\n\
         events {{ }}\nstream {{\n{stream_config}\n}}\n"
    );
    std::fs::write(run.path().join("nginx.conf"), &conf).unwrap();

    let ns = Netns::new("nginx");
    let test = Command::new("ip")
        .args(["netns", "exec", &ns.name, "nginx", "-t", "-p", &dir.to_string(), "-c"])
        .arg(run.path().join("nginx.conf"))
        .output()
        .unwrap();
    assert!(
        test.status.success(),
        "nginx -t rejects the generated stream config:\n{}\n{conf}",
        String::from_utf8_lossy(&test.stderr)
    );

    let (https, http) = (ingress.node_ports.https.get(), ingress.node_ports.http.get());
    let _node_ports = ns.within(|| (node_port(https, "websecure"), node_port(http, "web")));
    let _nginx = Nginx(
        Command::new("ip")
            .args(["netns", "exec", &ns.name, "nginx", "-p", &dir.to_string(), "-c"])
            .arg(run.path().join("nginx.conf"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let (https_answer, http_answer) =
        ns.within(|| (through(ingress.listen_ports.https.get()), through(ingress.listen_ports.http.get())));
    assert_eq!(https_answer, "websecure", "port {} must reach NodePort {https}", ingress.listen_ports.https);
    assert_eq!(http_answer, "web", "port {} must reach NodePort {http}", ingress.listen_ports.http);
}
