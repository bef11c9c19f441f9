//! The domain: vocabulary, the incident's state, and the rules that change it.

mod alerts;
mod brief;
mod deadlines;
mod fold;
mod follow;
mod guidance;
mod hlc;
mod length;
mod limits;
mod playbook;
mod policy;
mod record;
mod rules;
mod spans;
mod templates;
mod vocabulary;

pub use alerts::*;
pub use brief::*;
pub use deadlines::*;
pub use fold::*;
pub use follow::*;
pub use guidance::*;
pub use hlc::*;
pub use length::*;
pub use limits::*;
pub use playbook::*;
pub use policy::*;
pub use record::*;
pub use rules::*;
pub use spans::*;
pub use templates::*;
pub use vocabulary::*;

#[cfg(test)]
mod properties;
