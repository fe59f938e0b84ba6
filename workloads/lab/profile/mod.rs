//! Profiles of a lesson's forms, each written as the book includes it:
//! [`cpu`] (pprof-rs sampling: a flamegraph, a pprof protobuf profile,
//! the top frames), [`frames`] (the stacks and names a reader sees),
//! [`heap`] (allocations by the site that made them, under dhat) and
//! [`locks`] (the waits on each lock). `mizan profile` and the criterion
//! benches (`--profile-time`) both use it.
//!
//! The flamegraphs are made to be read in the book's column: the frames
//! every sample shares and no reader asks about (the thread's start, the
//! rayon pool's scheduling, the lab's own loop around the form) are folded
//! away, so that the lesson's functions start at the bottom; samples from
//! every thread are merged under one root; generic parameters are dropped
//! from names (`HashMap::insert`, not its five type arguments); and each
//! form is sampled for a fixed amount of CPU time, so that each has a few
//! thousand samples whatever its speed.

pub mod cpu;
pub mod frames;
pub mod heap;
pub mod locks;

use std::fs;
use std::path::Path;

use super::lesson::{Form, Lesson, Prepared, Scale};

pub use cpu::{FREQUENCY_HZ, Session, Summary, start};
pub use frames::short_name;
pub use heap::{HEAP_DIR, HeapSite, heap_form, heap_sites};

/// Profiles every form of a lesson, each until it has `samples` samples
/// (or for [`WALL_LIMIT`]), and writes into `dir`, for each form, `<stem>-<form>.svg` (the
/// flamegraph), `.pb` (the pprof profile) and `.md` (the section the book
/// includes: how it was made, a link to the interactive flamegraph, the
/// flamegraph, the top frames). `stem` is the lesson's id with `-` for `/`.
/// Returns the sections.
///
/// A lesson about the allocator profiles each form in a process under its
/// own allocator: `child_section` is then called to run that process and
/// return its section.
pub fn profile_lesson(
    lesson: &dyn Lesson,
    scale: Scale,
    seed: u64,
    samples: u64,
    dir: &Path,
    child_section: &dyn Fn(Form, super::alloc::Backend) -> Result<String, String>,
) -> Result<String, String> {
    let prepared = lesson.prepare(scale, seed);
    prepared
        .check()
        .map_err(|difference| format!("{}: {difference}", lesson.id()))?;
    let how = Made {
        scale,
        seed,
        samples,
    };
    let mut text = String::new();
    match lesson.allocators() {
        Some(allocators) => {
            text.push_str(&child_section(Form::Naive, allocators[0])?);
            text.push_str(&child_section(Form::Optimized, allocators[1])?);
        }
        None => {
            // Naive, the further forms in their order (a pipeline's rungs),
            // optimized.
            text.push_str(&profile_form(
                lesson.id(),
                prepared.as_ref(),
                Form::Naive,
                how,
                dir,
            )?);
            for (idx, name) in prepared.variant_names().into_iter().enumerate() {
                text.push_str(&profile_run(
                    lesson.id(),
                    name,
                    &|| prepared.run_variant(idx),
                    how,
                    prepared.elements(),
                    dir,
                )?);
            }
            text.push_str(&profile_form(
                lesson.id(),
                prepared.as_ref(),
                Form::Optimized,
                how,
                dir,
            )?);
        }
    }
    Ok(text)
}

/// How a profile was made: the input and how long each form was sampled.
#[derive(Debug, Clone, Copy)]
pub struct Made {
    /// The input's scale.
    pub scale: Scale,
    /// Its seed.
    pub seed: u64,
    /// Samples each form is run for.
    pub samples: u64,
}

/// Profiles one form in this process (under this process's allocator), as
/// [`profile_lesson`] does each; returns its section.
pub fn profile_form(
    lesson_id: &str,
    prepared: &dyn Prepared,
    form: Form,
    how: Made,
    dir: &Path,
) -> Result<String, String> {
    profile_run(
        lesson_id,
        form.name(),
        &|| prepared.run(form),
        how,
        prepared.elements(),
        dir,
    )
}

/// The longest a form is sampled for: a form that mostly waits (on a lock,
/// on another thread) uses little CPU and gathers samples slowly; it stops
/// with fewer, and its section says how many.
pub const WALL_LIMIT: std::time::Duration = std::time::Duration::from_secs(60);

/// Profiles `run` (one run of the form called `name`, over `elements`
/// records) as [`profile_lesson`] does each form.
pub fn profile_run(
    lesson_id: &str,
    name: &str,
    run: &dyn Fn(),
    how: Made,
    elements: u64,
    dir: &Path,
) -> Result<String, String> {
    use std::fmt::Write as _;
    use std::time::{Duration, Instant};

    let ((), allocations) = super::alloc::count(run);
    let machine = super::machine::Machine::current().summary();
    let session = start()?;
    let started = Instant::now();
    let mut runs = 0u64;
    let mut checked = started;
    loop {
        run();
        runs += 1;
        // Counting the samples copies the profiler's table: a few times a
        // second is enough.
        if checked.elapsed() >= Duration::from_millis(250) {
            checked = Instant::now();
            if session.samples() >= how.samples || started.elapsed() >= WALL_LIMIT {
                break;
            }
        }
    }
    let elapsed = started.elapsed();
    let stem = format!("{}-{name}", lesson_id.replace('/', "-"));
    let title = format!("{lesson_id}, {name}");
    // The flamegraph's subtitle is the machine alone (what fits across its
    // width); the build and the run are in the section's text.
    let hardware = machine.split(", rustc").next().unwrap_or(&machine);
    let summary = session.finish(dir, &stem, &title, hardware)?;
    let stamp = super::stamp::stamp_now(lesson_id)?;
    let mut text = String::new();
    let _ = writeln!(
        text,
        "<!-- generated by `mizan profile {lesson_id}`; do not edit; {stamp} -->\n\n\
         **Profile of `{name}`** ([interactive flamegraph](../generated/profiles/{stem}.svg), \
         [pprof profile](../generated/profiles/{stem}.pb)): {} samples (the timer set to {FREQUENCY_HZ} Hz of CPU time) \
         over {} runs of {} records ({} scale, seed {}), {} a run, under the {} allocator; \
         {} ({}) a run. Thread-pool and runtime frames folded away; every thread's \
         samples under one root. Machine: {machine}.\n\n\
         <a class=\"flamegraph\" href=\"../generated/profiles/{stem}.svg\"><img \
         src=\"../generated/profiles/{stem}.svg\" alt=\"Flamegraph of {lesson_id}, {name}\"></a>\n\n\
         | innermost function | inlined into | self samples | share |\n|---|---|---:|---:|",
        super::measure::format_count(summary.samples),
        super::measure::format_count(runs),
        super::measure::format_count(elements),
        how.scale.name(),
        how.seed,
        super::measure::format_ns((elapsed.as_nanos() / u128::from(runs)) as u64),
        super::alloc::backend().name(),
        crate::lab::measure::format_allocations(allocations.count),
        super::measure::format_bytes(allocations.bytes),
    );
    let cell = |name: &str| super::tables::code_cell(name);
    for (function, outer, samples) in &summary.top_self {
        let _ = writeln!(
            text,
            "| {} | {} | {samples} | {:.1} % |",
            cell(function),
            outer.as_deref().map(cell).unwrap_or_default(),
            100.0 * *samples as f64 / summary.samples.max(1) as f64
        );
    }
    text.push('\n');
    text.push_str(&heap::heap_in_child(lesson_id, name, how.scale, how.seed)?);
    text.push_str(&locks::lock_section(name, run));
    let md = dir.join(format!("{stem}.md"));
    fs::write(&md, &text).map_err(|e| format!("cannot write {}: {e}", md.display()))?;
    Ok(text)
}
