//! The domain: vocabulary, the incident's state, and the rules that change it.

mod alerts;
mod deadlines;
mod length;
mod limits;
mod policy;
mod record;
mod rules;
mod spans;
mod templates;
mod vocabulary;

pub use alerts::*;
pub use deadlines::*;
pub use length::*;
pub use limits::*;
pub use policy::*;
pub use record::*;
pub use rules::*;
pub use spans::*;
pub use templates::*;
pub use vocabulary::*;

#[cfg(test)]
mod properties;
