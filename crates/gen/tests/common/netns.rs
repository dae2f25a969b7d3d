//! Network namespaces for tests that run real programs: two namespaces joined by veth pairs,
//! removed when dropped, and sockets opened inside them. Only namespace-local addresses are used,
//! every wait has a timeout, and every loop is bounded.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4, TcpListener, UdpSocket};
use std::os::fd::AsFd;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use socket2::{Domain, Protocol, Socket, Type};

/// How long a probe waits for a connection or an echo.
pub const PROBE_TIMEOUT: Duration = Duration::from_millis(700);

/// Whether this machine can make namespaces and run `ip`, `iptables` (and the given programs):
/// root and the programs present. When it cannot, a test fails if `HOMEFLAKE_REQUIRE_PROGRAMS=1`
/// (as in CI) and otherwise warns loudly and returns `false`.
pub fn available(programs: &[&str]) -> bool {
    let root = rustix::process::geteuid().is_root();
    let missing: Vec<&str> = ["ip", "iptables"]
        .iter()
        .chain(programs)
        .copied()
        .filter(|p| {
            Command::new("sh").args(["-c", &format!("command -v {p}")]).output().map_or(true, |o| !o.status.success())
        })
        .collect();
    if root && missing.is_empty() {
        return true;
    }
    let why = if root { format!("missing programs: {}", missing.join(", ")) } else { "not running as root".into() };
    assert!(
        std::env::var("HOMEFLAKE_REQUIRE_PROGRAMS").as_deref() != Ok("1"),
        "{why}, and HOMEFLAKE_REQUIRE_PROGRAMS=1 (apt-get install iproute2 iptables nginx libnginx-mod-stream; run as root)"
    );
    eprintln!("WARNING: {why}: the network-namespace tests DID NOT RUN");
    false
}

/// Runs a command, panicking with its output when it fails.
pub fn run(args: &[&str]) {
    let output = Command::new(args[0]).args(&args[1..]).output().unwrap_or_else(|e| panic!("{args:?}: {e}"));
    assert!(output.status.success(), "{args:?} failed:\n{}", String::from_utf8_lossy(&output.stderr));
}

/// A network namespace, deleted on drop.
pub struct Netns {
    pub name: String,
}

impl Netns {
    /// A new namespace with loopback up.
    pub fn new(role: &str) -> Netns {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let name = format!("hf{}-{role}{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed));
        run(&["ip", "netns", "add", &name]);
        let ns = Netns { name };
        ns.exec(&["ip", "link", "set", "lo", "up"]);
        ns
    }

    /// Runs a command inside the namespace.
    pub fn exec(&self, args: &[&str]) {
        let mut all = vec!["ip", "netns", "exec", &self.name];
        all.extend_from_slice(args);
        run(&all);
    }

    /// Runs a shell script inside the namespace (`sh -e`).
    pub fn script(&self, script: &str) {
        let output = Command::new("ip")
            .args(["netns", "exec", &self.name, "sh", "-e", "-c", script])
            .output()
            .unwrap_or_else(|e| panic!("ip netns exec: {e}"));
        assert!(
            output.status.success(),
            "script failed in {}:\n{script}\n{}",
            self.name,
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// Runs `f` on a thread that has entered the namespace: sockets it opens live there.
    pub fn within<T: Send>(&self, f: impl FnOnce() -> T + Send) -> T {
        let path = format!("/var/run/netns/{}", self.name);
        std::thread::scope(|scope| {
            scope
                .spawn(|| {
                    let file = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
                    rustix::thread::move_into_link_name_space(
                        file.as_fd(),
                        Some(rustix::thread::LinkNameSpaceType::Network),
                    )
                    .unwrap_or_else(|e| panic!("setns {path}: {e}"));
                    f()
                })
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        })
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = Command::new("ip").args(["netns", "del", &self.name]).output();
    }
}

/// Joins `a` and `b` with a veth pair named `a_end` and `b_end`, both up.
pub fn link(a: &Netns, a_end: &str, b: &Netns, b_end: &str) {
    run(&["ip", "link", "add", a_end, "netns", &a.name, "type", "veth", "peer", "name", b_end, "netns", &b.name]);
    a.exec(&["ip", "link", "set", a_end, "up"]);
    b.exec(&["ip", "link", "set", b_end, "up"]);
}

/// A server socket: TCP accepts and answers `ok`; UDP echoes each datagram.
pub enum Listener {
    Tcp(TcpListener),
    Udp(UdpSocket),
}

/// Binds `0.0.0.0:port` for TCP or UDP (call inside [`Netns::within`]).
pub fn listen(udp: bool, port: u16) -> Listener {
    let address = SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, port));
    if udp {
        Listener::Udp(UdpSocket::bind(address).unwrap_or_else(|e| panic!("bind udp {port}: {e}")))
    } else {
        Listener::Tcp(TcpListener::bind(address).unwrap_or_else(|e| panic!("bind tcp {port}: {e}")))
    }
}

/// Serves `listeners` on background threads until the process ends; each answers a bounded
/// number of probes.
pub fn serve(listeners: Vec<Listener>) {
    for listener in listeners {
        std::thread::spawn(move || match listener {
            Listener::Tcp(l) => {
                for stream in l.incoming().take(10_000).flatten() {
                    let mut stream = stream;
                    let _ = stream.write_all(b"ok");
                }
            }
            Listener::Udp(s) => {
                let mut buffer = [0u8; 64];
                for _ in 0..10_000 {
                    if let Ok((n, from)) = s.recv_from(&mut buffer) {
                        let _ = s.send_to(&buffer[..n], from);
                    }
                }
            }
        });
    }
}

/// Whether a connection from `source` to `target:port` gets through (call inside [`Netns::within`]):
/// TCP connects and reads the answer; UDP gets its datagram echoed.
pub fn probe(udp: bool, source: Ipv4Addr, target: Ipv4Addr, port: u16) -> bool {
    let target = SocketAddr::V4(SocketAddrV4::new(target, port));
    let (kind, protocol) = if udp { (Type::DGRAM, Protocol::UDP) } else { (Type::STREAM, Protocol::TCP) };
    let socket = Socket::new(Domain::IPV4, kind, Some(protocol)).expect("socket");
    socket.bind(&SocketAddr::V4(SocketAddrV4::new(source, 0)).into()).unwrap_or_else(|e| panic!("bind {source}: {e}"));
    socket.set_read_timeout(Some(PROBE_TIMEOUT)).expect("timeout");
    if udp {
        let socket: UdpSocket = socket.into();
        if socket.connect(target).is_err() || socket.send(b"probe").is_err() {
            return false;
        }
        let mut buffer = [0u8; 16];
        matches!(socket.recv(&mut buffer), Ok(5))
    } else {
        if socket.connect_timeout(&target.into(), PROBE_TIMEOUT).is_err() {
            return false;
        }
        let mut stream: std::net::TcpStream = socket.into();
        let mut answer = [0u8; 2];
        stream.read_exact(&mut answer).is_ok() && &answer == b"ok"
    }
}
