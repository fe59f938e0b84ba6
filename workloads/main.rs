//! The `mizan` command: the lab runner and the domain commands.

use std::fs;
use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, Result};
use clap::{Args, Parser, Subcommand};

use mizan::input::Engine;
use mizan::lab::alloc::{ALLOCATOR_VARIABLE, Backend};
use mizan::lab::instructions::{self, Target};
use mizan::lab::lesson::{Form, Lesson, Scale};
use mizan::lab::runner;
use mizan::lessons as registry;
use mizan::murabaha;
use mizan::tool::{self, Format};
use mizan::zakat;

/// Where `mizan profile` writes: the book's generated profiles, one copy.
const PROFILES: &str = "book/src/generated/profiles";

/// Samples each form's profile collects by default.
const PROFILE_SAMPLES: u64 = 4000;

// Every allocation is counted, so that the lab can report allocations per
// run; the cost (two relaxed atomic adds per allocation) falls on both forms
// alike.
#[global_allocator]
static ALLOCATOR: mizan::lab::alloc::CountingAllocator = mizan::lab::alloc::CountingAllocator;

/// Mizan: a Rust performance lab on zakat and murabaha workloads.
///
/// With no command, runs every lesson of the lab at the default scale.
#[derive(Parser)]
#[command(name = "mizan", version)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Build a lesson's input and time one form in this process (what
    /// `run` starts, under each allocator, for a lesson about the
    /// allocator); prints one JSON line.
    #[command(hide = true)]
    TimeForm {
        lesson: String,
        #[arg(long, value_enum)]
        target: Target,
        #[arg(long, value_enum, default_value_t = Scale::Tiny)]
        scale: Scale,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long, default_value_t = 7)]
        runs: usize,
        /// Time the lesson's contrast (built at its own scale) instead.
        #[arg(long)]
        contrast: bool,
        /// Wait for `run` lines on standard input and time one run for
        /// each (how the lab pairs the runs of two processes), instead of
        /// `--runs` runs at once.
        #[arg(long)]
        serve: bool,
    },
    /// Profile one form in this process and print its section of the
    /// summary (what `profile` starts, under each allocator, for a lesson
    /// about the allocator).
    #[command(hide = true)]
    ProfileForm {
        lesson: String,
        #[arg(long, value_enum)]
        target: Target,
        #[arg(long, default_value_t = PROFILE_SAMPLES)]
        samples: u64,
        #[arg(long, value_enum, default_value_t = Scale::Default)]
        scale: Scale,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long, default_value = PROFILES)]
        output: PathBuf,
    },
    /// Profile one form's heap by allocation site under dhat, in this
    /// process (what `profile` starts, with MIZAN_ALLOCATOR=dhat, for every
    /// form), and print its section of the book.
    #[command(hide = true)]
    HeapForm {
        lesson: String,
        /// `naive`, `optimized`, or a further form's name.
        #[arg(long)]
        form: String,
        #[arg(long, value_enum, default_value_t = Scale::Default)]
        scale: Scale,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// List the lessons.
    List,
    /// Regenerate the book's generated tables and charts from the last
    /// run's results.
    Report {
        /// The results of a run (`mizan run` writes them).
        #[arg(long, default_value = "target/mizan/results.json")]
        results: PathBuf,
        /// Where to write the generated files.
        #[arg(long, default_value = "book/src/generated")]
        output: PathBuf,
    },
    /// Profile lessons: for each form a flamegraph (runtime frames folded
    /// away), a pprof profile and the book's section with the top frames,
    /// as book/src/generated/profiles/<workload>-<technique>-<form>.{svg,pb,md}.
    Profile {
        /// Lesson ids (see `mizan list`).
        lessons: Vec<String>,
        /// Profile every lesson.
        #[arg(long, conflicts_with = "lessons")]
        all: bool,
        /// Samples to collect of each form (the form runs until it has them,
        /// or for a minute).
        #[arg(long, default_value_t = PROFILE_SAMPLES)]
        samples: u64,
        /// The input size.
        #[arg(long, value_enum, default_value_t = Scale::Default)]
        scale: Scale,
        /// The seed of the generated inputs.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Where to write.
        #[arg(long, default_value = PROFILES)]
        output: PathBuf,
    },
    /// Build a lesson's input and run one form once (what `run
    /// --instructions` runs under callgrind).
    #[command(hide = true)]
    RunForm {
        lesson: String,
        #[arg(long, value_enum)]
        target: Target,
        #[arg(long, value_enum, default_value_t = Scale::Tiny)]
        scale: Scale,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Run lessons (all when none is named): both forms, checked equal,
    /// timed, allocations counted.
    Run(RunArgs),
    /// `zakat/build-settings` and `murabaha/build-settings`: build the lab
    /// four ways (the default release profile, fat LTO with one codegen
    /// unit, `-C target-cpu=native`, PGO), each in a target directory of
    /// its own, and time each workload's optimized pipeline in every build's
    /// own processes, in turn, outputs compared by digest. Takes minutes:
    /// not part of the default run.
    Builds {
        /// Time the binaries already built in `--dir` instead of building
        /// them again.
        #[arg(long)]
        reuse: bool,
        /// Where the builds' target directories go.
        #[arg(long, default_value = "target/builds")]
        dir: PathBuf,
        /// The source tree to build (default: the one this program was
        /// built from; a clean checkout keeps edits made meanwhile out).
        #[arg(long)]
        source: Option<PathBuf>,
        /// The pipelines' input size.
        #[arg(long, value_enum, default_value_t = Scale::Default)]
        scale: Scale,
        /// The seed of the timed input (PGO trains on the next one).
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Times every build's processes are started afresh.
        #[arg(long, default_value_t = 4)]
        slices: usize,
        /// Runs of every build in a slice.
        #[arg(long, default_value_t = 9)]
        runs: usize,
        /// Where to write builds.json.
        #[arg(long, default_value = "target/mizan")]
        results: PathBuf,
        /// Where to write the book's builds.md.
        #[arg(long, default_value = "book/src/generated")]
        output: PathBuf,
        /// Also count what each build executes under valgrind's callgrind,
        /// with its branch simulator, at this scale (`tiny` or `small`:
        /// callgrind is 50–100× slower than the machine).
        #[arg(long, value_enum)]
        instructions: Option<Scale>,
        /// Write the book's section from an earlier run's builds.json
        /// instead of building and timing.
        #[arg(long)]
        from: Option<PathBuf>,
    },
    /// `murabaha/memory-limits`: the bank-scale portfolio processed report
    /// after report in long-lived processes under four allocator settings
    /// (glibc as it comes, glibc trimmed after each report, glibc with one
    /// arena, mimalloc): time a report beside peak and retained resident
    /// memory. Takes minutes: not part of the default run.
    MemoryLimits {
        /// The portfolio's size.
        #[arg(long, value_enum, default_value_t = Scale::Bank)]
        scale: Scale,
        /// The seed of the generated portfolio.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Reports a process makes.
        #[arg(long, default_value_t = 5)]
        reports: usize,
        /// Processes of each setting.
        #[arg(long, default_value_t = 3)]
        rounds: usize,
        /// Where to write memory-limits.json.
        #[arg(long, default_value = "target/mizan")]
        results: PathBuf,
        /// Where to write the book's memory-limits.md.
        #[arg(long, default_value = "book/src/generated")]
        output: PathBuf,
        /// Write the book's section from an earlier run's
        /// memory-limits.json instead of measuring.
        #[arg(long)]
        from: Option<PathBuf>,
    },
    /// One process of `memory-limits`: build the portfolio, make the
    /// reports, print one JSON line.
    #[command(hide = true)]
    HoldReports {
        #[arg(long, value_enum)]
        setting: mizan::lessons::murabaha::memory_limits::Setting,
        #[arg(long, value_enum, default_value_t = Scale::Tiny)]
        scale: Scale,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long, default_value_t = 3)]
        reports: usize,
    },
    /// Compare two runs' results (two machines, two allocators, before and
    /// after a change): every ratio side by side with its interval, and
    /// whether the two runs agree.
    Compare {
        /// The first run's results.json.
        a: PathBuf,
        /// The second run's results.json.
        b: PathBuf,
    },
    /// Use the zakat domain directly.
    Zakat {
        #[command(subcommand)]
        command: ZakatCommand,
    },
    /// Use the murabaha domain directly.
    Murabaha {
        #[command(subcommand)]
        command: MurabahaCommand,
    },
    /// Generate a seeded synthetic data set as JSON.
    Generate {
        #[command(subcommand)]
        workload: GenerateCommand,
    },
}

#[derive(clap::Args)]
struct RunArgs {
    /// Lesson ids (see `mizan list`); all lessons when none is given.
    lessons: Vec<String>,
    /// The input size (default: `default`, with a lesson whose minimum
    /// of paired runs does not fit its share of the budget run smaller;
    /// named, every lesson runs at it).
    #[arg(long, value_enum)]
    scale: Option<Scale>,
    /// Paired runs of every form (default: as many as the time budget
    /// gives each lesson, at least 15).
    #[arg(long)]
    runs: Option<usize>,
    /// The run's wall-time budget in seconds, shared among the lessons.
    #[arg(long, default_value_t = runner::DEFAULT_BUDGET.as_secs_f64())]
    budget: f64,
    /// Time each registered lesson again until there are this many (a
    /// measured check that the budget holds as lessons are added).
    #[arg(long, hide = true)]
    pad_to: Option<usize>,
    /// The seed of the generated inputs.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The allocator (chosen per process: the command re-runs itself under
    /// the one asked for).
    #[arg(long, value_enum)]
    allocator: Option<Backend>,
    /// Where to write results.json and results.md.
    #[arg(long, default_value = "target/mizan")]
    results: PathBuf,
    /// Worker threads for the lessons that use rayon (default: one a core).
    #[arg(long)]
    threads: Option<usize>,
    /// Also count each form's instructions under valgrind's callgrind
    /// (deterministic; about 50–100× slower, so pair it with `--scale tiny`).
    #[arg(long)]
    instructions: bool,
}

impl Default for RunArgs {
    fn default() -> Self {
        RunArgs {
            lessons: Vec::new(),
            scale: None,
            runs: None,
            budget: runner::DEFAULT_BUDGET.as_secs_f64(),
            pad_to: None,
            seed: 1,
            allocator: None,
            results: PathBuf::from("target/mizan"),
            threads: None,
            instructions: false,
        }
    }
}

#[derive(Subcommand)]
enum ZakatCommand {
    /// Assess zakat for the payers in a JSON document or a JSON Lines
    /// stream (`-` for standard input) and write the assessments as JSON.
    Assess {
        #[command(flatten)]
        io: ToolArgs,
    },
}

/// What both domain commands take.
#[derive(Args, Debug, Clone)]
struct ToolArgs {
    /// The input file, in the format of FORMATS.md; `-` reads stdin.
    file: PathBuf,
    /// `fast`: fixed point on every core, the reference for any record it
    /// cannot prove in range (the same output, byte for byte);
    /// `reference`: the reference rules alone, from the whole document.
    #[arg(long, value_enum, default_value_t = Engine::Fast)]
    engine: Engine,
    /// `json`: one document, pretty JSON out; `jsonl`: the context on the
    /// first line, then one record a line, and one result a line out, in
    /// memory that does not grow with the file. Default: `jsonl` for a
    /// `.jsonl` or `.ndjson` file, otherwise `json`.
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Write here instead of standard output: to a temporary file beside
    /// it, renamed into place only when the run succeeds.
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// For a stream: go on past bad records, writing each (its line,
    /// record, field and reason) to this JSON Lines file, and print the
    /// counts at the end. Without it the run stops at the first bad record.
    #[arg(long)]
    rejects: Option<PathBuf>,
    /// No progress bar (there is none anyway unless standard error is a
    /// terminal).
    #[arg(long)]
    quiet: bool,
    /// Megabytes of a document's results kept in memory when the output
    /// cannot be taken back (a pipe): within them the document is read
    /// once; past them it is read and computed once to check it, then
    /// again to write.
    //
    // 768 MB: chosen, as the tool chapter says, so that the million
    // payers' 383 MB of results fit; no other cap was measured. What the
    // default costs and saves (`scripts/bench-tool` at ea84a1e): a million
    // payers to /dev/null, held, 0.56 s at a 692 MB peak, against 0.44 s
    // and 342 MB to a file, where nothing need be held; a portfolio's
    // 10 GB of schedules does not fit and is read twice (200,000
    // contracts to /dev/null in 6.31 s at 510 MB). Holding against reading
    // twice was timed only across commits with other changes between
    // them: the zakat /dev/null row was 1.75 s at 340 MB in the table
    // committed with da16a37 (read twice), 0.93 s at 692 MB in 75a1585's
    // (held). The trade is memory as large as the output against a second
    // pass over the whole document: a machine with less memory to spare
    // wants a lower cap, and output much larger than memory gains nothing
    // from a higher one.
    #[arg(long, value_name = "MB", default_value_t = 768)]
    hold_mb: usize,
}

impl ToolArgs {
    fn options(&self) -> tool::Options {
        tool::Options {
            input: self.file.clone(),
            format: self.format.unwrap_or_else(|| Format::of_path(&self.file)),
            output: self.output.clone(),
            engine: self.engine,
            rejects: self.rejects.clone(),
            progress: !self.quiet,
            chunk_bytes: None,
            hold_bytes: self.hold_mb << 20,
        }
    }
}

#[derive(Subcommand)]
enum MurabahaCommand {
    /// Process the contracts in a JSON document or a JSON Lines stream
    /// (`-` for standard input): schedules, profit recognition, payments,
    /// late charges, settlement quotes; write the results as JSON.
    Process {
        #[command(flatten)]
        io: ToolArgs,
    },
}

#[derive(Subcommand)]
enum GenerateCommand {
    /// A population of zakat payers, in the input format of `zakat assess`.
    Zakat {
        /// How many payers.
        #[arg(long, default_value_t = 10_000)]
        payers: usize,
        /// The seed: the same seed gives the same bytes.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Write here instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// `json` (a document) or `jsonl` (the context, then one record a
        /// line); by default from the output's name, as the commands read.
        #[arg(long, value_enum)]
        format: Option<Format>,
    },
    /// A bank portfolio, in the input format of `murabaha process`.
    Murabaha {
        /// How many contracts.
        #[arg(long, default_value_t = 10_000)]
        contracts: usize,
        /// The seed: the same seed gives the same bytes.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Write here instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// `json` (a document) or `jsonl` (the context, then one record a
        /// line); by default from the output's name, as the commands read.
        #[arg(long, value_enum)]
        format: Option<Format>,
    },
}

fn main() -> ExitCode {
    // Die quietly of SIGPIPE, like other Unix filters, when the reader of
    // our output goes away (`mizan run | head`), rather than panic in
    // `println!`. Rust's runtime ignores the signal by default.
    // SAFETY: restoring a signal's default disposition at start-up, before
    // any thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        None => run_lab(RunArgs::default()),
        Some(Command::Run(args)) => run_lab(args),
        Some(Command::Compare { a, b }) => {
            let read = |path: &PathBuf| -> Result<runner::Report> {
                let text = fs::read_to_string(path)
                    .with_context(|| format!("cannot read {}", path.display()))?;
                runner::Report::from_json(&text)
                    .map_err(anyhow::Error::msg)
                    .with_context(|| format!("{}", path.display()))
            };
            let (a, b) = (read(&a)?, read(&b)?);
            print!("{}", mizan::lab::compare::markdown(&a, &b));
            Ok(())
        }
        Some(Command::Builds {
            reuse,
            dir,
            source,
            scale,
            seed,
            slices,
            runs,
            results,
            output,
            instructions,
            from,
        }) => {
            use mizan::lab::builds;
            if let Some(from) = from {
                let report: builds::BuildsReport = read_results(&from)?;
                return write_section(&output, "builds", &builds::markdown(&report), None);
            }
            anyhow::ensure!(
                slices > 0 && runs > 0,
                "--slices and --runs must be above zero"
            );
            let (made, profdata) = if reuse {
                // The binaries are the last build's: so are its figures.
                let last: Option<builds::BuildsReport> =
                    read_results(&results.join("builds.json")).ok();
                last.map_or_else(
                    || (Vec::new(), "the build that was reused".to_owned()),
                    |last| (last.made, last.profdata),
                )
            } else {
                let source = source.unwrap_or_else(builds::source);
                builds::build_all(&source, &dir, scale, seed).map_err(anyhow::Error::msg)?
            };
            let lessons = builds::LESSONS
                .iter()
                .zip(builds::IDS)
                .map(|(pipeline, id)| {
                    let (timed, parallelism) =
                        builds::time_builds(&dir, pipeline, scale, seed, slices, runs)?;
                    let counted = match instructions {
                        Some(at) => builds::count_builds(&dir, pipeline, at, seed)?,
                        None => Vec::new(),
                    };
                    Ok(builds::LessonBuilds {
                        id: id.to_owned(),
                        pipeline: (*pipeline).to_owned(),
                        scale,
                        builds: timed,
                        parallelism,
                        counted,
                        counted_scale: instructions,
                    })
                })
                .collect::<Result<Vec<_>, String>>()
                .map_err(anyhow::Error::msg)?;
            let report = builds::BuildsReport {
                machine: mizan::lab::machine::Machine::current(),
                profdata,
                made,
                lessons,
            };
            let json = serde_json::to_string_pretty(&report)?;
            write_section(
                &output,
                "builds",
                &builds::markdown(&report),
                Some((&results, &json)),
            )
        }
        Some(Command::MemoryLimits {
            scale,
            seed,
            reports,
            rounds,
            results,
            output,
            from,
        }) => {
            use mizan::lessons::murabaha::memory_limits;
            if let Some(from) = from {
                let report: memory_limits::MemoryReport = read_results(&from)?;
                let text = memory_limits::markdown(&report);
                return write_section(&output, "memory-limits", &text, None);
            }
            anyhow::ensure!(
                reports > 0 && rounds > 0,
                "--reports and --rounds must be above zero"
            );
            let report =
                memory_limits::measure(scale, seed, reports, rounds).map_err(anyhow::Error::msg)?;
            let json = serde_json::to_string_pretty(&report)?;
            write_section(
                &output,
                "memory-limits",
                &memory_limits::markdown(&report),
                Some((&results, &json)),
            )
        }
        Some(Command::HoldReports {
            setting,
            scale,
            seed,
            reports,
        }) => {
            let held = mizan::lessons::murabaha::memory_limits::hold(setting, scale, seed, reports)
                .map_err(anyhow::Error::msg)?;
            println!("{}", serde_json::to_string(&held)?);
            Ok(())
        }
        Some(Command::RunForm {
            lesson,
            target,
            scale,
            seed,
        }) => {
            let lesson = find_lesson(&lesson)?;
            let prepared = lesson.prepare(scale, seed);
            if let Some(form) = target.form() {
                prepared.run(form);
            }
            Ok(())
        }
        Some(Command::Profile {
            lessons,
            all,
            samples,
            scale,
            seed,
            output,
        }) => {
            anyhow::ensure!(
                all || !lessons.is_empty(),
                "name the lessons to profile, or --all (see mizan list)"
            );
            anyhow::ensure!(samples > 0, "--samples must be above zero");
            let chosen: Vec<&'static dyn Lesson> = if all {
                registry::lessons()
            } else {
                lessons
                    .iter()
                    .map(|id| find_lesson(id))
                    .collect::<Result<_>>()?
            };
            for lesson in chosen {
                eprintln!("profiling {} for {samples} samples a form", lesson.id());
                let child_section = |form: Form, backend: Backend| {
                    profile_in_child(lesson.id(), form, backend, samples, scale, seed, &output)
                };
                let text = mizan::lab::profile::profile_lesson(
                    lesson,
                    scale,
                    seed,
                    samples,
                    &output,
                    &child_section,
                )
                .map_err(anyhow::Error::msg)?;
                println!("{text}");
            }
            Ok(())
        }
        Some(Command::ProfileForm {
            lesson,
            target,
            samples,
            scale,
            seed,
            output,
        }) => {
            let lesson = find_lesson(&lesson)?;
            let form = target
                .form()
                .context("profile-form profiles a form: naive or optimized")?;
            let prepared = lesson.prepare(scale, seed);
            let how = mizan::lab::profile::Made {
                scale,
                seed,
                samples,
            };
            let section = mizan::lab::profile::profile_form(
                lesson.id(),
                prepared.as_ref(),
                form,
                how,
                &output,
            )
            .map_err(anyhow::Error::msg)?;
            print!("{section}");
            Ok(())
        }
        Some(Command::HeapForm {
            lesson,
            form,
            scale,
            seed,
        }) => {
            let lesson = find_lesson(&lesson)?;
            let section = mizan::lab::profile::heap_form(lesson, &form, scale, seed)
                .map_err(anyhow::Error::msg)?;
            print!("{section}");
            Ok(())
        }
        Some(Command::Report { results, output }) => {
            let text = fs::read_to_string(&results).with_context(|| {
                format!(
                    "cannot read {} (run `cargo run --release` first)",
                    results.display()
                )
            })?;
            let report = runner::Report::from_json(&text)
                .map_err(anyhow::Error::msg)
                .with_context(|| format!("{}", results.display()))?;
            let written = mizan::lab::report::write(&report, &registry::lessons(), &output)
                .map_err(anyhow::Error::msg)?;
            for name in written {
                println!("{}", output.join(name).display());
            }
            Ok(())
        }
        Some(Command::TimeForm {
            lesson,
            target,
            scale,
            seed,
            runs,
            contrast,
            serve,
        }) => {
            let lesson = find_lesson(&lesson)?;
            let form = target
                .form()
                .context("time-form times a form: naive or optimized")?;
            let prepared = if contrast {
                lesson
                    .prepare_contrast(seed)
                    .context("time-form --contrast times a lesson with a contrast")?
            } else {
                lesson.prepare(scale, seed)
            };
            if serve {
                let stdin = std::io::stdin().lock();
                let stdout = std::io::stdout().lock();
                mizan::lab::process::serve(prepared.as_ref(), form, stdin, stdout)
                    .context("serving timed runs")?;
            } else {
                println!(
                    "{}",
                    mizan::lab::process::child(prepared.as_ref(), form, runs)
                );
            }
            Ok(())
        }
        Some(Command::List) => {
            for lesson in registry::lessons() {
                println!("{}", lesson.id());
            }
            for (id, command) in registry::OWN_COMMAND {
                println!("{id} (not in the default run: `{command}`)");
            }
            Ok(())
        }
        Some(Command::Zakat {
            command: ZakatCommand::Assess { io },
        }) => run_tool::<tool::Zakat>(&io, "payers"),
        Some(Command::Murabaha {
            command: MurabahaCommand::Process { io },
        }) => run_tool::<tool::Murabaha>(&io, "contracts"),
        Some(Command::Generate { workload }) => match workload {
            GenerateCommand::Zakat {
                payers,
                seed,
                output,
                format,
            } => write_output(output.clone(), |out| match generated(format, &output) {
                Format::Json => zakat::generate::write_json(out, payers, seed),
                Format::Jsonl => zakat::generate::write_jsonl(out, payers, seed),
            }),
            GenerateCommand::Murabaha {
                contracts,
                seed,
                output,
                format,
            } => write_output(output.clone(), |out| match generated(format, &output) {
                Format::Json => murabaha::generate::write_json(out, contracts, seed),
                Format::Jsonl => murabaha::generate::write_jsonl(out, contracts, seed),
            }),
        },
    }
}

/// Runs lessons, prints the table, writes `target/mizan/results.{json,md}`;
/// an error (non-zero exit) when any lesson's forms disagree.
fn run_lab(args: RunArgs) -> Result<()> {
    if let Some(wanted) = args.allocator
        && wanted != mizan::lab::alloc::backend()
    {
        return rerun_under(wanted);
    }
    let mut lessons: Vec<&'static dyn Lesson> = if args.lessons.is_empty() {
        registry::lessons()
    } else {
        args.lessons
            .iter()
            .map(|id| find_lesson(id))
            .collect::<Result<_>>()?
    };
    if let Some(n) = args.pad_to {
        let registered = lessons.clone();
        lessons = registered.iter().copied().cycle().take(n.max(1)).collect();
    }
    anyhow::ensure!(args.runs != Some(0), "--runs must be at least 1");
    anyhow::ensure!(
        args.budget.is_finite() && args.budget > 0.0,
        "--budget must be a number of seconds above zero"
    );
    if let Some(threads) = args.threads {
        anyhow::ensure!(threads > 0, "--threads must be at least 1");
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build_global()
            .context("cannot set up the thread pool")?;
    }
    if cfg!(debug_assertions) {
        eprintln!("note: a debug build; timings mean little (use cargo run --release)");
    }
    let mut report = runner::run(
        &lessons,
        runner::RunOptions {
            scale: args.scale.unwrap_or(Scale::Default),
            fit_scale: args.scale.is_none(),
            runs: args.runs,
            budget: std::time::Duration::from_secs_f64(args.budget),
            seed: args.seed,
            progress: true,
        },
    );
    if args.instructions {
        if instructions::valgrind_available() {
            for result in report
                .results
                .iter_mut()
                .filter(|r| r.failure.is_none() && r.contrast.is_none())
            {
                eprintln!("counting instructions of {} under callgrind", result.id);
                match instructions::measure(&result.id, result.scale, args.seed, result.allocators)
                {
                    Ok(counted) => result.instructions = Some(counted),
                    Err(err) => eprintln!("warning: {err}"),
                }
            }
        } else {
            eprintln!(
                "note: valgrind is not installed, so instructions are not counted \
                 (apt-get install valgrind)"
            );
        }
    }
    let table = runner::markdown(&report);
    println!("{table}");
    let dir = &args.results;
    fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let json_path = dir.join("results.json");
    fs::write(&json_path, serde_json::to_string_pretty(&report)?)
        .with_context(|| format!("cannot write {}", json_path.display()))?;
    let md_path = dir.join("results.md");
    fs::write(&md_path, &table).with_context(|| format!("cannot write {}", md_path.display()))?;
    println!(
        "Results written to {} and {}",
        json_path.display(),
        md_path.display()
    );
    let failed: Vec<&str> = report
        .results
        .iter()
        .filter(|r| r.failure.is_some())
        .map(|r| r.id.as_str())
        .collect();
    anyhow::ensure!(
        failed.is_empty(),
        "the forms of {} differ: their speed is not reported",
        failed.join(", ")
    );
    Ok(())
}

/// The registered lesson with this id, or an error listing them all.
fn find_lesson(id: &str) -> Result<&'static dyn Lesson> {
    registry::find(id).ok_or_else(|| {
        let known: Vec<&str> = registry::lessons().iter().map(|l| l.id()).collect();
        anyhow::anyhow!("no lesson {id:?}; the lessons are: {}", known.join(", "))
    })
}

/// Profiles one form of a lesson in a child process under `backend`, and
/// returns the child's section of the summary.
fn profile_in_child(
    lesson_id: &str,
    form: Form,
    backend: Backend,
    samples: u64,
    scale: Scale,
    seed: u64,
    output: &std::path::Path,
) -> Result<String, String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find this program: {e}"))?;
    let scale_arg = scale.name();
    let out = std::process::Command::new(exe)
        .args(["profile-form", lesson_id, "--target", form.name()])
        .args(["--samples", &samples.to_string(), "--scale", scale_arg])
        .args(["--seed", &seed.to_string()])
        .arg("--output")
        .arg(output)
        .env(ALLOCATOR_VARIABLE, backend.name())
        .output()
        .map_err(|e| format!("cannot start a child process: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "profiling the {} form of {lesson_id} failed: {}",
            form.name(),
            String::from_utf8_lossy(&out.stderr).trim_end()
        ));
    }
    String::from_utf8(out.stdout).map_err(|e| format!("the profile child said nonsense: {e}"))
}

/// The results an own-command lesson wrote (`builds.json`,
/// `memory-limits.json`).
fn read_results<T: serde::de::DeserializeOwned>(path: &std::path::Path) -> Result<T> {
    let text =
        fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} is not its results", path.display()))
}

/// Writes an own-command lesson's section of the book as
/// `output/<stem>.md` (and prints it), and its results as
/// `results/<stem>.json` when it has them.
fn write_section(
    output: &std::path::Path,
    stem: &str,
    text: &str,
    results: Option<(&std::path::Path, &str)>,
) -> Result<()> {
    fs::create_dir_all(output)?;
    let md = output.join(format!("{stem}.md"));
    fs::write(&md, text)?;
    print!("{text}");
    if let Some((dir, json)) = results {
        fs::create_dir_all(dir)?;
        let path = dir.join(format!("{stem}.json"));
        fs::write(&path, json)?;
        eprintln!("Results written to {} and {}", path.display(), md.display());
    }
    Ok(())
}

/// Runs this same command again under another allocator: the global
/// allocator is fixed for the life of a process.
fn rerun_under(backend: Backend) -> Result<()> {
    eprintln!(
        "note: re-running under the {} allocator ({ALLOCATOR_VARIABLE}={}): the allocator is chosen per process",
        backend.name(),
        backend.name()
    );
    let exe = std::env::current_exe().context("cannot find this program")?;
    let status = std::process::Command::new(exe)
        .args(std::env::args_os().skip(1))
        .env(ALLOCATOR_VARIABLE, backend.name())
        .status()
        .context("cannot re-run this program")?;
    anyhow::ensure!(status.success(), "the run under {} failed", backend.name());
    Ok(())
}

/// The form `mizan generate` writes: asked for, or from the file's name.
fn generated(format: Option<Format>, output: &Option<PathBuf>) -> Format {
    format.unwrap_or_else(|| output.as_deref().map_or(Format::Json, Format::of_path))
}

/// Runs a domain command; with a rejects file, prints the counts.
fn run_tool<D: tool::Domain>(args: &ToolArgs, noun: &str) -> Result<()> {
    let summary = tool::run::<D>(&args.options())?;
    if let Some(rejects) = &args.rejects {
        eprintln!(
            "{} {noun} written, {} rejected (in {})",
            summary.written,
            summary.rejected,
            rejects.display()
        );
    }
    Ok(())
}

/// Runs a writer into a file, or into standard output when none is named.
fn write_output(
    path: Option<PathBuf>,
    write: impl FnOnce(Box<dyn Write>) -> io::Result<()>,
) -> Result<()> {
    match path {
        Some(path) => {
            let file = fs::File::create(&path)
                .with_context(|| format!("cannot create {}", path.display()))?;
            write(Box::new(file)).with_context(|| format!("cannot write {}", path.display()))
        }
        None => write(Box::new(io::stdout().lock())).context("cannot write to standard output"),
    }
}
