//! homeflake: one typed inventory of a NixOS + Kubernetes home lab in, a formatted, pinned flake out.

pub use homeflake_files as files;
pub use homeflake_nix as nix;
