//! Inventory model (placeholder).
