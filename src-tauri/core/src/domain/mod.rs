//! The domain: vocabulary, the incident's state, and the rules that change it.

mod deadlines;
mod limits;
mod policy;
mod record;
mod rules;
mod vocabulary;

pub use deadlines::*;
pub use limits::*;
pub use policy::*;
pub use record::*;
pub use rules::*;
pub use vocabulary::*;

#[cfg(test)]
mod properties;
