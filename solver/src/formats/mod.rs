//! Instance and solution file formats (being written).
