//! OSRM's HTTP API, as far as Fieldpath answers it: `route` and `table` for the `driving`
//! profile over the road graph. [`polyline`] encodes geometries.

pub mod polyline;
