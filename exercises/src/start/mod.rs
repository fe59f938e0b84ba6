//! The starting points, as handed out: each lesson's naive form, renamed
//! `attempt`. `cargo exercise start <id>` copies one to `attempts/`, where
//! the learner edits it; these stay as they are.

pub mod murabaha_algorithmic;
pub mod murabaha_bounds_checks;
pub mod murabaha_buffered_io;
pub mod murabaha_channels;
pub mod murabaha_false_sharing;
pub mod murabaha_fixed_point;
pub mod murabaha_hashing;
pub mod murabaha_hoisting;
pub mod murabaha_pipeline;
pub mod murabaha_pooling;
pub mod murabaha_pre_allocation;
pub mod murabaha_sharding;
pub mod murabaha_string_building;
pub mod murabaha_thread_spawn;
pub mod zakat_algorithmic;
pub mod zakat_buffered_io;
pub mod zakat_copying;
pub mod zakat_data_parallelism;
pub mod zakat_dispatch;
pub mod zakat_fixed_point;
pub mod zakat_hashing;
pub mod zakat_hoisting;
pub mod zakat_parsing;
pub mod zakat_pipeline;
pub mod zakat_pooling;
pub mod zakat_pre_allocation;
pub mod zakat_sharding;
pub mod zakat_small_vectors;
pub mod zakat_string_building;
