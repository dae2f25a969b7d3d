//! `cluster/helmfile.yaml`: the repositories, and every release with its pinned chart, namespace,
//! values file and the releases it needs.

use homeflake_model::{ChartSource, Release, Value};

use super::{map, values};
use crate::lower::yaml_file;
use crate::trace::Provenance;

/// The helmfile state file for `releases`.
pub fn render(releases: &[Release]) -> String {
    yaml_file(&lower(releases))
}

/// The helmfile state as a value tree.
pub fn lower(releases: &[Release]) -> Value {
    let mut repositories: Vec<Value> = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for release in releases {
        let (name, entry) = match &release.chart {
            ChartSource::Repository { repository, url, .. } => {
                (repository.as_str(), map([("name", repository.as_str().into()), ("url", url.as_str().into())]))
            }
            ChartSource::Oci { repository, registry, .. } => (
                repository.as_str(),
                map([("name", repository.as_str().into()), ("url", registry.as_str().into()), ("oci", true.into())]),
            ),
            ChartSource::Manifests { .. } => continue,
            _ => unreachable!("homeflake-gen knows every kind of chart source"),
        };
        if !seen.contains(&name) {
            seen.push(name);
            repositories.push(entry);
        }
    }
    let releases: Vec<Value> = releases.iter().map(|r| release(r, releases)).collect();
    map([("repositories", Value::List(repositories)), ("releases", Value::List(releases))])
}

fn release(release: &Release, all: &[Release]) -> Value {
    let mut entries: Vec<(&str, Value)> = vec![
        ("name", release.name.as_str().into()),
        ("namespace", release.namespace.as_str().into()),
        ("chart", release.chart.reference().into()),
    ];
    if let Some(version) = release.chart.version() {
        let version = Value::from(version.as_str());
        entries.push((
            "version",
            match super::chart_version_key(release) {
                Some(key) => version.source(key),
                None => version,
            },
        ));
    }
    if !release.needs.is_empty() {
        // helmfile names a release in another namespace as <namespace>/<name>.
        let needs = release.needs.iter().map(|need| {
            let namespace =
                all.iter().find(|r| r.name == *need).map_or(release.namespace.as_str(), |r| r.namespace.as_str());
            Value::Str(format!("{namespace}/{need}"))
        });
        entries.push(("needs", Value::list(needs)));
    }
    if release.wait {
        entries.push(("wait", true.into()));
    }
    if !release.values.is_empty_map() {
        entries.push(("values", Value::list([values::path(release).into()])));
    }
    map(entries)
}
