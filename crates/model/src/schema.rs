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
    if let Some(props) = schema.get_mut("properties").and_then(Value::as_object_mut) {
        props.insert(
            "$schema".into(),
            serde_json::json!({ "type": "string", "description": "The schema's URL, for editors" }),
        );
    }
    deny_unknown_keys(&mut schema);
    if let Some(obj) = schema.as_object_mut() {
        obj.insert("title".into(), Value::String("homeflake inventory".into()));
    }
    schema
}

/// Unknown keys are errors in the loader, so the schema says so too: every object schema with
/// properties gets `additionalProperties: false` (or `unevaluatedProperties: false` when it
/// combines subschemas, as the firewall's mode does).
fn deny_unknown_keys(value: &mut Value) {
    match value {
        Value::Object(obj) => {
            if obj.contains_key("properties")
                && !obj.contains_key("additionalProperties")
                && !obj.contains_key("unevaluatedProperties")
            {
                let combined = ["oneOf", "anyOf", "allOf"].iter().any(|k| obj.contains_key(*k));
                let key = if combined { "unevaluatedProperties" } else { "additionalProperties" };
                obj.insert(key.into(), Value::Bool(false));
            }
            let nested_in_combination = ["oneOf", "anyOf", "allOf"].iter().any(|k| obj.contains_key(*k));
            for (k, v) in obj.iter_mut() {
                if nested_in_combination && matches!(k.as_str(), "oneOf" | "anyOf" | "allOf") {
                    // Branches of a combination see only their own properties: leave them open.
                    continue;
                }
                deny_unknown_keys(v);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(deny_unknown_keys),
        _ => {}
    }
}

/// `allow-warnings`: an array of warning names.
pub(crate) fn allow_warnings(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let names: Vec<String> = crate::diagnostic::Code::WARNINGS.iter().map(|c| c.name()).collect();
    schemars::json_schema!({
        "type": "array",
        "items": { "type": "string", "enum": names },
        "uniqueItems": true,
        "description": "Warnings acknowledged by name; they are no longer reported"
    })
}
