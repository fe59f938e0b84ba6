//! The criterion benches: every registered lesson as one group with its
//! `naive` and `optimized` forms (ids `workload/technique/form`), throughput
//! in records, and both forms checked equal before anything is timed. The
//! lessons about the allocator are left out, with a message: a bench
//! binary has one global allocator, and `mizan run` times their forms in
//! processes of their own.
//!
//! ```sh
//! cargo bench                                  # every lesson
//! cargo bench -- zakat/string-building         # one lesson
//! cargo bench -- --profile-time 5              # flamegraphs, no timing
//! MIZAN_BENCH_SCALE=tiny cargo bench           # small inputs
//! ```
//!
//! With `--profile-time`, each benchmark is run for that long under
//! pprof-rs, and `profile.svg` (the flamegraph) and `profile.pb` are written to
//! criterion's profile folder of the benchmark, e.g.
//! `target/criterion/zakat_string-building/naive/profile/`. pprof 0.15's own criterion feature is built
//! against criterion 0.5, so the small `Profiler` below does the job on the
//! lab's `profile` module.

use std::path::Path;

use criterion::profiler::Profiler;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mizan::lab::lesson::{Form, Scale};
use mizan::lab::profile;
use mizan::lessons as registry;

/// pprof-rs as criterion's profiler.
struct Pprof {
    session: Option<profile::Session>,
}

impl Profiler for Pprof {
    fn start_profiling(&mut self, _benchmark_id: &str, _benchmark_dir: &Path) {
        self.session = Some(profile::start().expect("the profiler starts"));
    }

    fn stop_profiling(&mut self, benchmark_id: &str, benchmark_dir: &Path) {
        if let Some(session) = self.session.take() {
            session
                .finish(benchmark_dir, "profile", benchmark_id, "")
                .expect("the profile is written");
        }
    }
}

fn scale() -> Scale {
    match std::env::var("MIZAN_BENCH_SCALE").as_deref() {
        Ok("tiny") => Scale::Tiny,
        Ok("bank") => Scale::Bank,
        _ => Scale::Default,
    }
}

fn lessons(c: &mut Criterion) {
    for lesson in registry::lessons() {
        // A bench binary has one global allocator: a lesson about the
        // allocator would time both its forms under the same one and
        // report the difference as noise about nothing.
        if let Some([naive, optimized]) = lesson.allocators() {
            eprintln!(
                "{}: not benched here (its forms need the {} and the {} allocator, one \
                 process each); `mizan run {}` times each in processes of its own",
                lesson.id(),
                naive.name(),
                optimized.name(),
                lesson.id()
            );
            continue;
        }
        let prepared = lesson.prepare(scale(), 1);
        // A fast wrong form must not produce a pretty number.
        if let Err(difference) = prepared.check() {
            panic!("{}: {difference}", lesson.id());
        }
        let mut group = c.benchmark_group(lesson.id());
        group.throughput(Throughput::Elements(prepared.elements()));
        group.sample_size(20);
        group.bench_function("naive", |b| b.iter(|| prepared.run(Form::Naive)));
        group.bench_function("optimized", |b| b.iter(|| prepared.run(Form::Optimized)));
        group.finish();
    }
}

fn config() -> Criterion {
    Criterion::default().with_profiler(Pprof { session: None })
}

criterion_group! {
    name = benches;
    config = config();
    targets = lessons
}
criterion_main!(benches);
