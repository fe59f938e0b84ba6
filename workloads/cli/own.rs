//! The lessons with a command of their own, not in the default run:
//! `mizan builds` (`zakat/build-settings`, `murabaha/build-settings`) and
//! `mizan memory-limits` (`murabaha/memory-limits`).

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};

use mizan::lab::lesson::Scale;

/// Where an own-command lesson writes, or the results it writes from
/// instead of measuring: what `builds` and `memory-limits` both take.
#[derive(clap::Args)]
pub struct SectionArgs {
    /// Where to write the results (`builds.json`, `memory-limits.json`).
    #[arg(long, default_value = "target/mizan")]
    results: PathBuf,
    /// Where to write the book's section (`builds.md`, `memory-limits.md`).
    #[arg(long, default_value = "book/src/generated")]
    output: PathBuf,
    /// Write the book's section from an earlier run's results instead of
    /// measuring.
    #[arg(long)]
    from: Option<PathBuf>,
}

/// What `mizan builds` takes.
#[derive(clap::Args)]
pub struct BuildsArgs {
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
    /// Also count what each build executes under valgrind's callgrind,
    /// with its branch simulator, at this scale (`tiny` or `small`:
    /// callgrind is 50–100× slower than the machine).
    #[arg(long, value_enum)]
    instructions: Option<Scale>,
    #[command(flatten)]
    section: SectionArgs,
}

/// What `mizan memory-limits` takes.
#[derive(clap::Args)]
pub struct MemoryLimitsArgs {
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
    #[command(flatten)]
    section: SectionArgs,
}

/// `mizan builds`: the optimized pipelines built four ways and timed.
pub fn builds(args: BuildsArgs) -> Result<()> {
    let BuildsArgs {
        reuse,
        dir,
        source,
        scale,
        seed,
        slices,
        runs,
        instructions,
        section: SectionArgs {
            results,
            output,
            from,
        },
    } = args;
    use mizan::lab::builds;
    if let Some(from) = from {
        let report: builds::BuildsReport = read_results(&from)?;
        let subject = builds::LESSONS.join("+");
        let page = stamped(&builds::markdown(&report), &subject, &report.machine)?;
        return write_section(&output, "builds", &page, None);
    }
    anyhow::ensure!(
        slices > 0 && runs > 0,
        "--slices and --runs must be above zero"
    );
    let (made, profdata) = if reuse {
        // The binaries are the last build's: so are its figures.
        let last: Option<builds::BuildsReport> = read_results(&results.join("builds.json")).ok();
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
    let subject = builds::LESSONS.join("+");
    write_section(
        &output,
        "builds",
        &stamped(&builds::markdown(&report), &subject, &report.machine)?,
        Some((&results, &json)),
    )
}

/// `mizan memory-limits`: the bank-scale portfolio under each of
/// `memory_limits::SETTINGS`, the allocator settings it compares.
pub fn memory_limits(args: MemoryLimitsArgs) -> Result<()> {
    let MemoryLimitsArgs {
        scale,
        seed,
        reports,
        rounds,
        section: SectionArgs {
            results,
            output,
            from,
        },
    } = args;
    use mizan::lessons::murabaha::memory_limits;
    if let Some(from) = from {
        let report: memory_limits::MemoryReport = read_results(&from)?;
        let text = memory_limits::markdown(&report);
        let page = stamped(&text, MEMORY_LIMITS, &report.machine)?;
        return write_section(&output, "memory-limits", &page, None);
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
        &stamped(
            &memory_limits::markdown(&report),
            MEMORY_LIMITS,
            &report.machine,
        )?,
        Some((&results, &json)),
    )
}

/// The lesson `mizan memory-limits` measures.
const MEMORY_LIMITS: &str = "murabaha/memory-limits";

/// A page whose first line is its `generated by` comment, with the stamp
/// of `subject` at the commit the figures were made at put at its end.
fn stamped(page: &str, subject: &str, machine: &mizan::lab::machine::Machine) -> Result<String> {
    let stamp = mizan::lab::stamp::stamp(
        &mizan::lab::stamp::repository(),
        subject,
        &machine.commit,
        machine.dirty,
    )
    .map_err(anyhow::Error::msg)?;
    let (first, rest) = page.split_once('\n').unwrap_or((page, ""));
    let first = first
        .strip_suffix(" -->")
        .context("the page's first line is not its `generated by` comment")?;
    Ok(format!("{first}; {stamp} -->\n{rest}"))
}

/// The results an own-command lesson wrote (`builds.json`,
/// `memory-limits.json`).
fn read_results<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T> {
    let text =
        fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} is not its results", path.display()))
}

/// Writes an own-command lesson's section of the book as
/// `output/<stem>.md` (and prints it), and its results as
/// `results/<stem>.json` when it has them.
fn write_section(
    output: &Path,
    stem: &str,
    text: &str,
    results: Option<(&Path, &str)>,
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
