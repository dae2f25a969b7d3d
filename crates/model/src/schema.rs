//! The JSON Schema of the inventory file, derived from the model (schemars), for editors.

use serde_json::Value;

use crate::cluster::Cluster;

/// The JSON Schema of `homeflake.toml` / `homeflake.json`.
///
/// Keys with defaults are optional; `hosts[].system` follows the hardware, `split-dns.zone`
/// defaults to `domain` and `split-dns.answer-host` to `ingress.host`.
pub fn schema() -> Value {
    let mut schema = serde_json::to_value(schemars::schema_for!(Cluster)).unwrap_or(Value::Null);
    let defs = schema.get_mut("$defs").and_then(Value::as_object_mut);
    if let Some(defs) = defs {
        for (def, optional) in
            [("Host", &["system"][..]), ("SplitDns", &["zone", "answer-host"][..]), ("Network", &["nameservers"][..])]
        {
            if let Some(Value::Array(required)) = defs.get_mut(def).and_then(|d| d.get_mut("required")) {
                required.retain(|k| !optional.iter().any(|o| k == o));
            }
        }
    }
    if let Some(obj) = schema.as_object_mut() {
        obj.insert("title".into(), Value::String("homeflake inventory".into()));
    }
    schema
}
