//! Domain types of the group API. Each one parses itself, so past the edge of a handler nothing
//! is a bare `String` that might be invalid.

mod capability;
mod clock;
mod group;
mod ids;
mod member;
mod text;

pub use capability::{Capabilities, Capability};
pub use clock::{Clock, ManualClock, SystemClock};
pub use group::{Group, GroupSnapshot};
pub use ids::{GroupJid, OrgId, SessionId, UserJid};
pub use member::{Member, Participant, Role};
pub use text::{Description, Subject};

/// Why a value was refused; the handler pairs it with the name of the field it came from.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Invalid(pub &'static str);
