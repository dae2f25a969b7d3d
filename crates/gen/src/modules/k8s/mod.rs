//! The Kubernetes modules under `modules/k8s/`: settings for every member, per role, and for arm64.

pub mod arm64;
pub mod common;
pub mod master;
pub mod node;
