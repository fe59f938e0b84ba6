//! The lab's own commands: `run` (the default), `list`, `compare`,
//! `report` and `profile`.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};

use mizan::lab::alloc::{ALLOCATOR_VARIABLE, Backend};
use mizan::lab::child::{PROFILE_SAMPLES, PROFILES, Request, Target};
use mizan::lab::instructions;
use mizan::lab::lesson::{Form, Lesson, Scale};
use mizan::lab::{results, runner, tables};
use mizan::lessons as registry;

use super::find_lesson;

#[derive(clap::Args)]
pub struct RunArgs {
    /// Lesson ids (see `mizan list`); all lessons when none is given.
    lessons: Vec<String>,
    /// The input size (default: `default`, with a lesson whose minimum
    /// of paired runs does not fit its share of the budget run smaller,
    /// but for the pipelines and the allocator and sharding lessons, which
    /// keep their scale; named, every lesson runs at it).
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

/// What `mizan profile` takes.
#[derive(clap::Args)]
pub struct ProfileArgs {
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
}

/// `mizan asm`: one form's machine code with its counts, or every form's
/// counts.
pub fn asm(id: &str, form: Option<&str>) -> Result<()> {
    use mizan::lab::asm;
    let lesson = find_lesson(id)?;
    let exe = std::env::current_exe()?;
    if cfg!(debug_assertions) {
        eprintln!(
            "note: this is a debug build, whose code is not what the lab times; \
             run `cargo run --release -- asm ...`"
        );
    }
    let forms = code_of(lesson);
    let binary = asm::Binary::open(&exe).map_err(anyhow::Error::msg)?;
    match form {
        Some(name) => {
            let Some((_, at)) = forms.iter().find(|(n, _)| n == name) else {
                let known: Vec<&str> = forms.iter().map(|(n, _)| n.as_str()).collect();
                anyhow::bail!(
                    "{id} has no form {name:?}; its forms are: {}",
                    known.join(", ")
                );
            };
            let listing = binary.listing(*at).map_err(anyhow::Error::msg)?;
            print!("{}", listing.render(&format!("{id} {name}")));
        }
        None => {
            for (name, at) in &forms {
                let listing = binary.listing(*at).map_err(anyhow::Error::msg)?;
                println!("{name}: {}: {}", listing.symbol, listing.total().describe());
            }
        }
    }
    Ok(())
}

/// `mizan asm --book`: the machine-code page of every form a chapter shows
/// ([`registry::MACHINE_CODE_PAGES`]), each stamped like the lesson's
/// other generated pages, from this (release) binary.
pub fn asm_pages() -> Result<()> {
    use mizan::lab::asm;
    anyhow::ensure!(
        !cfg!(debug_assertions),
        "the book's machine code is the release build's: run `cargo run --release -- asm --book`"
    );
    let binary = asm::Binary::open(&std::env::current_exe()?).map_err(anyhow::Error::msg)?;
    let dir = mizan::lab::stamp::repository().join("book/src/generated/asm");
    std::fs::create_dir_all(&dir)?;
    for (id, form) in registry::MACHINE_CODE_PAGES {
        let lesson = find_lesson(id)?;
        let forms = code_of(lesson);
        let (_, at) = (forms.iter().find(|(n, _)| n == form))
            .ok_or_else(|| anyhow::anyhow!("{id} has no form {form:?}"))?;
        let listing = binary.listing(*at).map_err(anyhow::Error::msg)?;
        let stamp = mizan::lab::stamp::stamp_now(id).map_err(anyhow::Error::msg)?;
        let machine = mizan::lab::machine::Machine::current();
        let heading = format!(
            "<!-- generated by `mizan asm --book`; do not edit; {stamp} -->\n\n\
             <p class=\"stamp\">Machine code from the release build on {}, commit {}.</p>",
            machine.cpu,
            &machine.commit[..machine.commit.len().min(10)]
        );
        let page = listing.page(id, form, &heading);
        let file = dir.join(format!("{}-{form}.md", id.replace('/', "-")));
        std::fs::write(&file, page)?;
        println!("{}", file.display());
    }
    Ok(())
}

/// A lesson's forms and where their code is, the contrast stage's named
/// `contrast.FORM`.
fn code_of(lesson: &'static dyn Lesson) -> Vec<(String, usize)> {
    let mut forms: Vec<(String, usize)> = lesson
        .form_code()
        .into_iter()
        .map(|(name, at)| (name.to_owned(), at))
        .collect();
    if let Some(stage) = lesson.contrast_stage() {
        forms.extend(
            stage
                .form_code()
                .into_iter()
                .map(|(name, at)| (format!("contrast.{name}"), at)),
        );
    }
    forms
}

/// What `mizan counters` takes.
#[derive(clap::Args)]
pub struct CountersArgs {
    /// Lesson ids (see `mizan list`); every lesson when none is given.
    lessons: Vec<String>,
    /// The input size (callgrind runs 50–100× slower than the machine;
    /// its cache simulation slower still).
    #[arg(long, value_enum, default_value_t = Scale::Small)]
    scale: Scale,
    /// The seed of the generated inputs.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Where the counters go: `counters.json` and `counters/<lesson>.md`.
    #[arg(long, default_value = "book/src/generated")]
    output: PathBuf,
    /// Count nothing: write the pages again from `counters.json` as it is
    /// (after a change to how they are laid out), each with its stamp.
    #[arg(long, conflicts_with = "lessons")]
    pages: bool,
}

/// Counts every form of the lessons named (all, when none is) under
/// callgrind, keeping the other lessons' earlier counts.
pub fn counters(args: CountersArgs) -> Result<()> {
    use mizan::lab::counters::{CACHES, CountersReport, count_lesson, markdown};
    anyhow::ensure!(
        args.pages || instructions::valgrind_available(),
        "valgrind is not installed (apt-get install valgrind)"
    );
    let chosen: Vec<&'static dyn Lesson> = if args.pages {
        Vec::new()
    } else if args.lessons.is_empty() {
        registry::lessons()
    } else {
        args.lessons
            .iter()
            .map(|id| find_lesson(id))
            .collect::<Result<_>>()?
    };
    let json = args.output.join("counters.json");
    let mut report = fs::read_to_string(&json)
        .ok()
        .and_then(|text| serde_json::from_str::<CountersReport>(&text).ok())
        .filter(|_| !args.lessons.is_empty() || args.pages)
        .unwrap_or_else(|| CountersReport {
            machine: mizan::lab::machine::Machine::current(),
            caches: String::new(),
            lessons: Vec::new(),
        });
    // The counts kept from earlier runs keep the machine and commit that
    // made them (a report written before each lesson carried its own).
    let earlier = report.machine.summary();
    for counts in &mut report.lessons {
        if counts.machine.is_empty() {
            counts.machine = earlier.clone();
        }
    }
    if !args.pages {
        report.machine = mizan::lab::machine::Machine::current();
        report.caches = CACHES.join(" ");
    }
    for lesson in chosen {
        report.lessons.retain(|l| l.id != lesson.id());
        for contrast in [false, true] {
            if contrast && lesson.contrast().is_none() {
                continue;
            }
            eprintln!(
                "counting {}{} under callgrind",
                lesson.id(),
                if contrast { "'s contrast" } else { "" }
            );
            let counts = count_lesson(lesson, args.scale, args.seed, contrast)
                .map_err(anyhow::Error::msg)?;
            report.lessons.push(counts);
        }
    }
    // In the registry's order.
    let order: Vec<&str> = registry::lessons().iter().map(|l| l.id()).collect();
    report.lessons.sort_by_key(|l| {
        (
            order
                .iter()
                .position(|id| *id == l.id)
                .unwrap_or(usize::MAX),
            l.contrast.is_some(),
        )
    });
    let dir = args.output.join("counters");
    fs::create_dir_all(&dir)?;
    for counts in &report.lessons {
        let stem = counts.id.replace('/', "-");
        let name = if counts.contrast.is_some() {
            format!("{stem}-contrast.md")
        } else {
            format!("{stem}.md")
        };
        let text = format!(
            "<!-- generated by `mizan counters {}`; do not edit; {} -->\n\n{}\nMachine: {}.\n",
            counts.id,
            counts.stamp,
            markdown(counts, &report.caches),
            counts.machine
        );
        fs::write(dir.join(&name), text)?;
    }
    fs::write(&json, serde_json::to_string_pretty(&report)?)?;
    println!("{}", json.display());
    Ok(())
}

/// Lists the lessons, those with a command of their own last.
pub fn list() {
    for lesson in registry::lessons() {
        println!("{}", lesson.id());
    }
    for (id, command) in registry::OWN_COMMAND {
        println!("{id} (not in the default run: `{command}`)");
    }
}

/// Reads a run's `results.json`.
fn read_report(path: &Path) -> Result<results::Report> {
    let text = fs::read_to_string(path).with_context(|| {
        format!(
            "cannot read {} (run `cargo run --release` first)",
            path.display()
        )
    })?;
    results::Report::from_json(&text)
        .map_err(anyhow::Error::msg)
        .with_context(|| format!("{}", path.display()))
}

/// Prints two runs side by side.
pub fn compare(a: &Path, b: &Path) -> Result<()> {
    let (a, b) = (read_report(a)?, read_report(b)?);
    print!("{}", mizan::lab::compare::markdown(&a, &b));
    Ok(())
}

/// Writes the book's generated pages from a run's results.
pub fn report(results: &Path, output: &Path) -> Result<()> {
    let report = read_report(results)?;
    let written = mizan::lab::report::write(&report, &registry::lessons(), output)
        .map_err(anyhow::Error::msg)?;
    for name in written {
        println!("{}", output.join(name).display());
    }
    Ok(())
}

/// Profiles lessons' forms into the book's profiles.
pub fn profile(args: ProfileArgs) -> Result<()> {
    let ProfileArgs {
        lessons,
        all,
        samples,
        scale,
        seed,
        output,
    } = args;
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

/// Runs lessons, prints the table, writes `target/mizan/results.{json,md}`;
/// an error (non-zero exit) when any lesson's forms disagree.
pub fn run_lab(args: RunArgs) -> Result<()> {
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
    let table = tables::markdown(&report);
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

/// Profiles one form of a lesson in a child process under `backend`, and
/// returns the child's section of the summary.
fn profile_in_child(
    lesson_id: &str,
    form: Form,
    backend: Backend,
    samples: u64,
    scale: Scale,
    seed: u64,
    output: &Path,
) -> Result<String, String> {
    let request = Request::ProfileForm {
        lesson: lesson_id.to_owned(),
        target: match form {
            Form::Naive => Target::Naive,
            Form::Optimized | Form::Limit => Target::Optimized,
        },
        samples,
        scale,
        seed,
        output: output.to_owned(),
    };
    let out = request
        .this_program(backend)?
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
