//! The zakat lessons: one module per technique, each with its `naive` and
//! `optimized` forms and its registry entry `LESSON`.

pub mod algorithmic;
pub mod allocator_choice;
pub mod buffered_io;
pub mod copying;
pub mod data_parallelism;
pub mod dispatch;
pub mod fixed_point;
pub mod hashing;
pub mod hoisting;
pub mod parsing;
pub mod pipeline;
pub mod pooling;
pub mod pre_allocation;
pub mod sharding;
pub mod small_vectors;
pub mod string_building;
