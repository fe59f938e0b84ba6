//! # Mizan: a Rust performance lab on Islamic-finance workloads
//!
//! Two realistic workloads, zakat assessment and murabaha processing, each
//! implemented for the reader first and then, lesson by lesson, in naive and
//! optimized forms that must agree to the cent.
//!
//! The map:
//!
//! - [`money`]: exact money. Parsing and printing decimal strings, half-up
//!   rounding, the fixed-point integer type beside `rust_decimal::Decimal`.
//!   Money is never `f64`.
//! - [`date`]: calendar dates, month arithmetic with the end-of-month clamp,
//!   and the Umm al-Qura Hijri year, all by `icu_calendar`.
//! - [`input`]: reading the domain commands' JSON, with errors that name the
//!   failing field (`payers[3].assets[1].karat: 25 is above 24`).
//! - [`zakat`]: the zakat domain: model, rules, generator.
//! - [`murabaha`]: the murabaha domain: model, rules, generator.
//! - [`json`]: JSON written by hand, byte for byte as `serde_json` writes
//!   it, read by hand, and the structural scan that finds a document's
//!   records.
//! - [`tool`]: the domain commands at scale: documents split over the
//!   cores, JSON Lines streams in flat memory, rejects, progress.
//! - [`text`]: fast, allocation-free number and date writing for the
//!   optimized forms, held to the readable formatting by tests.
//! - [`lab`]: the lesson type, the runner, measurement, profiles, reports
//!   and the exercise checker; it knows no workload.
//! - [`lessons`]: every lesson, a file each
//!   (`lessons::zakat::string_building`), and the registry that lists them.
//!
//! ```
//! use mizan::zakat::{ZakatInput, assess_all};
//! let input = ZakatInput::from_json(r#"{
//!     "zakat_date": "2026-02-18", "currency": "USD",
//!     "prices": { "gold_per_gram": "100.00", "silver_per_gram": "1.00" },
//!     "payers": [ { "id": "A", "hawl_start": "2025-03-01",
//!                   "assets": [ { "kind": "cash", "amount": "10000.00", "currency": "USD" } ] } ]
//! }"#).unwrap();
//! let output = assess_all(&input).unwrap();
//! assert_eq!(output.assessments[0].wealth_zakat.to_string(), "250.00");
//! ```

pub mod date;
pub mod input;
pub mod json;
pub mod lab;
pub mod lessons;
pub mod money;
pub mod murabaha;
pub mod text;
pub mod tool;
pub mod zakat;
