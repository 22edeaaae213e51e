//! The roles a user can have inside an organisation.

use serde::{Deserialize, Serialize};

/// A user's role. Every endpoint names the roles it admits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything, including users of the organisation.
    Admin,
    /// Plans and changes all records.
    Dispatcher,
    /// Call-centre agent: customers, sites, assets and work-order intake.
    Agent,
    /// Field technician: reads the plan, moves own jobs along, writes service reports.
    Technician,
    /// A customer's contact: reads the work orders and sites of that customer only.
    Customer,
}

impl Role {
    /// All roles, in order of decreasing power.
    pub const ALL: [Role; 5] = [
        Role::Admin,
        Role::Dispatcher,
        Role::Agent,
        Role::Technician,
        Role::Customer,
    ];

    /// The name stored in the database and used on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Dispatcher => "dispatcher",
            Role::Agent => "agent",
            Role::Technician => "technician",
            Role::Customer => "customer",
        }
    }

    /// Parses a stored or submitted role name.
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// Shorthands for access lists.
pub mod sets {
    use super::Role::{self, *};
    /// Admin only.
    pub const ADMIN: &[Role] = &[Admin];
    /// Admin and dispatcher.
    pub const PLANNERS: &[Role] = &[Admin, Dispatcher];
    /// Office staff: admin, dispatcher, agent.
    pub const OFFICE: &[Role] = &[Admin, Dispatcher, Agent];
    /// Office staff and technicians.
    pub const STAFF: &[Role] = &[Admin, Dispatcher, Agent, Technician];
    /// Planners and technicians.
    pub const FIELD_WRITERS: &[Role] = &[Admin, Dispatcher, Technician];
    /// Everyone.
    pub const EVERYONE: &[Role] = &[Admin, Dispatcher, Agent, Technician, Customer];
    /// Office staff and customers (customers see their own records only).
    pub const OFFICE_AND_CUSTOMERS: &[Role] = &[Admin, Dispatcher, Agent, Customer];
}
