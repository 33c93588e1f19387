//! The claims of claims.md, each a value with an id, its source and statement, and a check over a
//! case. Claims compute verdicts and evidence; they never format output.

pub mod amg;
pub mod amg_mpfr;
pub mod balance;
pub mod book;
mod claim;
pub mod context;
mod escalate;
pub mod escape;
pub mod evidence;
pub mod kp;
mod registry;
pub mod wj;
pub mod zl;

pub(crate) use claim::claim;
pub use claim::{Claim, Data, Info, NotApplicable, Points, Scope, Widths};
pub use context::CaseContext;
pub use escalate::check_escalating;
pub use evidence::Outcome;
pub use registry::{find, known_ids, registry, unknown};
