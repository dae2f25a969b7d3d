//! homeflake: one typed inventory of a NixOS + Kubernetes home lab in, a formatted, pinned flake out.
//!
//! This facade is all an embedder needs: describe a cluster in Rust (or load `homeflake.toml`),
//! [`generate()`] its files in memory, then [`plan()`], [`check()`] or [`apply()`] them on a folder.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let inventory = r#"
//!     name = "lab"
//!     domain = "lab.example.org"
//!     network = { lan = "192.168.1.0/24", gateway = "192.168.1.1" }
//!     tailscale = { enable = false }
//!
//!     [[hosts]]
//!     name = "one"
//!     hardware = "uefi-pc"
//!     roles = ["control-plane", "worker"]
//!     lan-interface = "eno1"
//!     lan-address = "192.168.1.2"
//! "#;
//! let loaded = homeflake::from_toml_str("homeflake.toml", inventory)?;
//! let files = homeflake::generate(&loaded.cluster);
//! assert!(files.get("hosts/one/default.nix").is_some());
//!
//! let out = tempfile::tempdir()?;
//! let plan = homeflake::plan(out.path(), &files)?;
//! assert_eq!(plan.to_write().count(), files.len());
//! let report = homeflake::apply(out.path(), &files, homeflake::ApplyOptions::default())?;
//! assert_eq!(report.summary(), format!("{} written, 0 unchanged, 0 removed", files.len()));
//! # Ok(())
//! # }
//! ```
//!
//! The data flows one way: inventory → [`model`] (validated) → [`generator`] (lowering to a Nix AST per
//! file, or a YAML tree for the cluster layer) → [`nix`] (printing exactly as nixfmt would) or [`yaml`]
//! → [`FileSet`] → [`files`] (the only code that touches the disk). The library never prints, exits or reads the environment.
#![deny(missing_docs)]

/// The file set and the disk: plan, check and apply generated files (`homeflake-files`).
pub mod files {
    #[doc(inline)]
    pub use homeflake_files::*;
}

/// Lowering a validated inventory to every generated file (`homeflake-gen`).
pub mod generator {
    #[doc(inline)]
    pub use homeflake_gen::*;
}

/// The inventory: typed, validated, loaded from `homeflake.toml` (`homeflake-model`).
pub mod model {
    #[doc(inline)]
    pub use homeflake_model::*;
}

/// Nix syntax: the AST, its constructors and the nixfmt-exact printer (`homeflake-nix`).
pub mod nix {
    #[doc(inline)]
    pub use homeflake_nix::*;
}

/// YAML: a value tree and a printer whose output reads back exactly (`homeflake-yaml`).
pub mod yaml {
    #[doc(inline)]
    pub use homeflake_yaml::*;
}

pub use homeflake_files::{
    ApplyOptions, ApplyReport, CheckReport, FileSet, GeneratedFile, Plan, RelPath, WriteError, apply, check, plan,
};
pub use homeflake_gen::{generate, next_steps};
pub use homeflake_model::{
    BuildError, Cluster, ClusterBuilder, Diagnostic, Host, LoadError, Loaded, Severity, from_json_str, from_toml_str,
    load, schema,
};

/// Everything needed to describe, generate and write a cluster: `use homeflake::prelude::*;`.
pub mod prelude {
    pub use homeflake_files::{ApplyOptions, ApplyReport, CheckReport, FileSet, Plan, apply, check, plan};
    pub use homeflake_gen::{generate, next_steps};
    pub use homeflake_model::*;
}
