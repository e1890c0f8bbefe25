//! What a command ends with when it fails.

/// Any error a command ends with; printed as `plugwire: ERROR`.
pub(crate) type AnyError = Box<dyn std::error::Error>;
