//! The help desk: tickets and their lifecycle, typed custom fields, @mentions, SLA policies on
//! business-hours calendars, and the queries behind them (`desk::db`).

pub mod assist;
pub mod automation;
pub mod business_hours;
pub mod custom_fields;
pub mod db;
pub mod email;
pub mod kb;
pub mod lifecycle;
pub mod mentions;
pub mod portal;
pub mod presence;
pub mod reports;
pub mod sla;
pub mod survey;
pub mod ticket;
pub mod views;
pub mod views_list;
pub mod webhooks;
