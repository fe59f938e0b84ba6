//! The murabaha lessons: one module per technique, each with its `naive`
//! and `optimized` forms and its registry entry `LESSON`.

pub mod algorithmic;
pub mod allocator_choice;
pub mod bounds_checks;
pub mod buffered_io;
pub mod channels;
pub mod false_sharing;
pub mod fixed_point;
pub mod hashing;
pub mod hoisting;
pub mod memory_limits;
pub mod pipeline;
pub mod pooling;
pub mod pre_allocation;
pub mod sharding;
pub mod string_building;
pub mod thread_spawn;
