//! The domain: vocabulary, the incident's state, and the rules that change it.

mod limits;
mod record;
mod rules;
mod vocabulary;

pub use limits::*;
pub use record::*;
pub use rules::*;
pub use vocabulary::*;

#[cfg(test)]
mod properties;
