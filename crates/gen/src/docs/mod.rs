//! The Markdown documents under `docs/`: the cluster's topology and its first-deploy steps.

pub mod bootstrap;
pub mod cluster_layer;
pub mod topology;

/// The first line of every generated Markdown file.
pub(crate) fn header() -> String {
    format!("<!-- {} -->\n", crate::lower::HEADER)
}
