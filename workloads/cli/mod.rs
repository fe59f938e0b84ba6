//! The `mizan` command line, a subcommand group a file: [`lab`] (the
//! default run, `list`, `compare`, `report`, `profile`), [`own`] (the
//! lessons with a command of their own), [`domain`] (the domain commands
//! and `generate`) and [`child`] (the lab's child processes, hidden).

mod child;
mod domain;
mod lab;
mod own;

use std::path::PathBuf;

use anyhow::Result;
use clap::{Parser, Subcommand};

use mizan::lab::lesson::Lesson;
use mizan::lessons as registry;

/// Mizan: a Rust performance lab on zakat and murabaha workloads.
///
/// With no command, runs every lesson of the lab at the default scale.
#[derive(Parser)]
#[command(name = "mizan", version)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// List the lessons.
    List,
    /// Run lessons (all when none is named): both forms, checked equal,
    /// timed, allocations counted.
    Run(lab::RunArgs),
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
    Profile(lab::ProfileArgs),
    /// Count every form's instructions, branches, mispredictions and
    /// simulated cache misses under callgrind (deterministic), into the
    /// book's generated/counters.json and a table a lesson; lessons not
    /// named keep their earlier counts.
    Counters(lab::CountersArgs),
    /// A form's machine code, from this binary (run the release build:
    /// `cargo run --release -- asm LESSON FORM`), with its vector
    /// instructions, conditional jumps, selects and calls counted; with no
    /// form, the counts of every form of the lesson.
    Asm {
        /// The lesson's id (see `mizan list`).
        #[arg(required_unless_present = "book")]
        lesson: Option<String>,
        /// `naive`, a further form's name, `optimized`, or `limit` (the
        /// speed of light); `contrast.FORM` for a contrast stage's forms.
        form: Option<String>,
        /// Write the book's machine-code pages instead (each form whose code
        /// a chapter shows: its hot loop and its counts), into
        /// book/src/generated/asm/.
        #[arg(long, conflicts_with_all = ["lesson", "form"])]
        book: bool,
    },
    /// Print the stamp a generated page about SUBJECT carries, made from
    /// the tree as it is now: for the scripts that write pages
    /// (`scripts/syscalls`, `scripts/bench-tool`).
    Stamp {
        /// A lesson's id, lessons joined by `+`, `every lesson` or `the tool`.
        subject: String,
    },
    /// Render every lesson's why under every verdict of every ratio it
    /// cites, into the book's generated/whys.md (for a reviewer; a test
    /// holds it current and finds contradictions in it).
    Whys {
        /// Where to write.
        #[arg(long, default_value = "book/src/generated/whys.md")]
        output: PathBuf,
    },
    /// Draw a ratio chart, wide and narrow, from rows on standard input
    /// (`LABEL<TAB>RATIO` a line, a ratio of medians each): for the
    /// scripts that time whole commands (`scripts/bench-tool`).
    #[command(hide = true)]
    Chart {
        /// The files' stem: STEM.svg and STEM-narrow.svg.
        #[arg(long)]
        stem: String,
        /// The chart's title.
        #[arg(long)]
        title: String,
        /// The axis' label.
        #[arg(long)]
        axis: String,
        /// The caption under the chart (the machine and the commit).
        #[arg(long)]
        caption: String,
        /// Where to write the two files.
        #[arg(long, default_value = "book/src/generated")]
        dir: PathBuf,
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
    /// `zakat/build-settings` and `murabaha/build-settings`: build the lab
    /// four ways (the default release profile, fat LTO with one codegen
    /// unit, `-C target-cpu=native`, PGO), each in a target directory of
    /// its own, and time each workload's optimized pipeline in every build's
    /// own processes, in turn, outputs compared by digest. Takes minutes:
    /// not part of the default run.
    Builds(own::BuildsArgs),
    /// `murabaha/memory-limits`: the bank-scale portfolio processed report
    /// after report in long-lived processes under five allocator settings
    /// (glibc as it comes, glibc trimmed after each report, glibc with one
    /// arena, mimalloc, mimalloc collected after each report): time a
    /// report beside peak and retained resident
    /// memory. Takes minutes: not part of the default run.
    MemoryLimits(own::MemoryLimitsArgs),
    /// Use the zakat domain directly.
    Zakat {
        #[command(subcommand)]
        command: domain::ZakatCommand,
    },
    /// Use the murabaha domain directly.
    Murabaha {
        #[command(subcommand)]
        command: domain::MurabahaCommand,
    },
    /// Generate a seeded synthetic data set as JSON.
    Generate {
        #[command(subcommand)]
        workload: domain::GenerateCommand,
    },
    #[command(flatten)]
    Child(mizan::lab::child::Request),
}

/// Runs what the command line asks.
pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        None => lab::run_lab(lab::RunArgs::default()),
        Some(Command::Run(args)) => lab::run_lab(args),
        Some(Command::List) => {
            lab::list();
            Ok(())
        }
        Some(Command::Report { results, output }) => lab::report(&results, &output),
        Some(Command::Profile(args)) => lab::profile(args),
        Some(Command::Compare { a, b }) => lab::compare(&a, &b),
        Some(Command::Counters(args)) => lab::counters(args),
        Some(Command::Asm { book: true, .. }) => lab::asm_pages(),
        Some(Command::Asm { lesson, form, .. }) => {
            lab::asm(lesson.as_deref().unwrap_or_default(), form.as_deref())
        }
        Some(Command::Stamp { subject }) => {
            println!(
                "{}",
                mizan::lab::stamp::stamp_now(&subject).map_err(anyhow::Error::msg)?
            );
            Ok(())
        }
        Some(Command::Whys { output }) => {
            std::fs::write(&output, mizan::lab::why::renderings(&registry::lessons()))?;
            println!("{}", output.display());
            Ok(())
        }
        Some(Command::Chart {
            stem,
            title,
            axis,
            caption,
            dir,
        }) => chart(&stem, &title, &axis, &caption, &dir),
        Some(Command::Builds(args)) => own::builds(args),
        Some(Command::MemoryLimits(args)) => own::memory_limits(args),
        Some(Command::Zakat { command }) => domain::zakat(command),
        Some(Command::Murabaha { command }) => domain::murabaha(command),
        Some(Command::Generate { workload }) => domain::generate(workload),
        Some(Command::Child(request)) => child::answer(request),
    }
}

/// The registered lesson with this id, or an error listing them all.
fn find_lesson(id: &str) -> Result<&'static dyn Lesson> {
    registry::find(id).ok_or_else(|| {
        let known: Vec<&str> = registry::lessons().iter().map(|l| l.id()).collect();
        anyhow::anyhow!("no lesson {id:?}; the lessons are: {}", known.join(", "))
    })
}

/// `mizan chart`: the rows on standard input drawn for both columns.
fn chart(stem: &str, title: &str, axis: &str, caption: &str, dir: &std::path::Path) -> Result<()> {
    use mizan::lab::chart::{Column, RatioRow, ratio_chart};
    let mut text = String::new();
    std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)?;
    let rows = text
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(idx, line)| {
            let (label, ratio) = line
                .split_once('\t')
                .ok_or_else(|| anyhow::anyhow!("line {}: expected LABEL<TAB>RATIO", idx + 1))?;
            let ratio: f64 = ratio
                .trim()
                .parse()
                .ok()
                .filter(|r: &f64| r.is_finite() && *r > 0.0)
                .ok_or_else(|| anyhow::anyhow!("line {}: {ratio:?} is not a ratio", idx + 1))?;
            Ok(RatioRow::of_medians(label, ratio))
        })
        .collect::<Result<Vec<_>>>()?;
    anyhow::ensure!(!rows.is_empty(), "no rows on standard input");
    for column in Column::ALL {
        let svg = ratio_chart(column, title, axis, caption, &rows).map_err(anyhow::Error::msg)?;
        let path = dir.join(column.file(stem));
        std::fs::write(&path, svg)?;
        println!("{}", path.display());
    }
    Ok(())
}
