//! A Helm release of the cluster layer: which chart, which version, where, after what, with which values.

use crate::names::{ChartVersion, Namespace, ReleaseName};
use crate::value::Value;

/// Where a release's chart comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChartSource {
    /// A chart in a Helm repository (`helm repo add <repository> <url>`, chart `<repository>/<chart>`).
    Repository {
        /// The repository's local name (`traefik`).
        repository: String,
        /// The repository's URL (`https://traefik.github.io/charts`).
        url: String,
        /// The chart's name in it.
        chart: String,
        /// The pinned chart version.
        version: ChartVersion,
    },
    /// A chart in an OCI registry (`oci://<registry>/<chart>`).
    Oci {
        /// The registry's local name (`jetstack`).
        repository: String,
        /// The registry path without a scheme (`quay.io/jetstack/charts`).
        registry: String,
        /// The chart's name in it.
        chart: String,
        /// The pinned chart version (an OCI tag).
        version: ChartVersion,
    },
    /// A folder of plain Kubernetes manifests next to `helmfile.yaml`, which helmfile turns into a
    /// chart (so Helm tracks, updates and removes them like any release).
    Manifests {
        /// The folder, relative to `helmfile.yaml` (`manifests`).
        folder: String,
    },
}

impl ChartSource {
    /// The pinned version, for charts that come from a registry.
    pub fn version(&self) -> Option<&ChartVersion> {
        match self {
            ChartSource::Repository { version, .. } | ChartSource::Oci { version, .. } => Some(version),
            ChartSource::Manifests { .. } => None,
        }
    }

    /// The chart as helmfile names it: `<repository>/<chart>`, or `./<folder>`.
    pub fn reference(&self) -> String {
        match self {
            ChartSource::Repository { repository, chart, .. } | ChartSource::Oci { repository, chart, .. } => {
                format!("{repository}/{chart}")
            }
            ChartSource::Manifests { folder } => format!("./{folder}"),
        }
    }
}

/// One Helm release.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Release {
    /// The release's name.
    pub name: ReleaseName,
    /// The namespace it is installed into (created when missing).
    pub namespace: Namespace,
    /// The chart.
    pub chart: ChartSource,
    /// Releases installed before this one (their CRDs or namespaces are used here).
    pub needs: Vec<ReleaseName>,
    /// Wait for the release's resources to be ready before releases that need it are installed.
    pub wait: bool,
    /// The chart values (an empty map when the chart's defaults suffice).
    pub values: Value,
}

impl Release {
    /// A release of `chart` named `name` in `namespace`, with no needs and no values.
    pub fn new(name: ReleaseName, namespace: Namespace, chart: ChartSource) -> Self {
        Release { name, namespace, chart, needs: Vec::new(), wait: false, values: Value::Map(Vec::new()) }
    }
}
