//! Generator (placeholder).
