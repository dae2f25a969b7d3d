//! `cluster/values/vector.yaml`: Vector as an agent on every member, shipping pod logs and the
//! hosts' systemd journals to Loki.
//!
//! The chart renders `customConfig` through Helm's `tpl`, so the configuration holds no `{{`:
//! Vector's per-event templates are out, and the Loki labels are static (`source`, and `node`
//! from the environment variable the chart sets, which Vector expands itself). The event itself
//! is sent as JSON with its Kubernetes or journal fields. The journal is read with `journalctl`,
//! which the chart's default distroless image lacks and the `debian` image has. The agent
//! tolerates every `NoSchedule` taint, so control-plane-only hosts (which nixpkgs taints
//! unschedulable) ship their journals too.
//!
//! Keys checked against vectordotdev/helm-charts vector 0.57.0 `charts/vector/values.yaml` and
//! `templates/{configmap.yaml,_pod.tpl}`: `role` (`Agent` is a DaemonSet), `image.base`,
//! `tolerations`, `customConfig` (whose `data_dir` is where the chart mounts the agent's host
//! path), `defaultVolumes` (the host's `/var/log`, holding `/var/log/pods` and `/var/log/journal`,
//! is among them), and the `VECTOR_SELF_NODE_NAME` variable of the pod template.

use homeflake_model::{Cluster, Monitoring, Value};

use super::loki;
use crate::cluster::map;
use crate::trace::Provenance;

/// The host's persistent journal, which NixOS keeps (`services.journald.storage` is `persistent`).
pub const JOURNAL_DIRECTORY: &str = "/var/log/journal";

/// The key that ships the hosts' journals too.
pub const JOURNALD: &str = "monitoring.journald";

/// The values.
pub fn values(_cluster: &Cluster, monitoring: &Monitoring) -> Value {
    let mut sources = vec![("pods", map([("type", Value::from("kubernetes_logs"))]))];
    let mut sinks = vec![("loki_pods", loki_sink("pods", "kubernetes"))];
    if monitoring.journald {
        sources.push((
            "journal",
            map([("type", Value::from("journald")), ("journal_directory", JOURNAL_DIRECTORY.into())])
                .present_if(JOURNALD),
        ));
        sinks.push(("loki_journal", loki_sink("journal", "journald").present_if(JOURNALD)));
    }
    let mut entries = vec![("role", Value::from("Agent"))];
    if monitoring.journald {
        entries.push(("image", map([("base", Value::from("debian"))]).present_if(JOURNALD)));
    }
    entries.push((
        "tolerations",
        Value::list([map([("operator", Value::from("Exists")), ("effect", "NoSchedule".into())])]),
    ));
    entries.push((
        "customConfig",
        map([("data_dir", Value::from("/vector-data-dir")), ("sources", map(sources)), ("sinks", map(sinks))]),
    ));
    map(entries)
}

/// A Loki sink for one source, with static labels.
fn loki_sink(input: &str, source: &str) -> Value {
    map([
        ("type", Value::from("loki")),
        ("inputs", Value::list([Value::from(input)])),
        ("endpoint", loki::url().into()),
        ("encoding", map([("codec", Value::from("json"))])),
        ("labels", map([("source", Value::from(source)), ("node", "${VECTOR_SELF_NODE_NAME}".into())])),
    ])
}
