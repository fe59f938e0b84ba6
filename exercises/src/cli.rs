//! The command line of `cargo exercise`, shared by the checker
//! (`exercise`, which lists, starts, resets, hints and grades, and checks
//! the starting points) and the one-attempt binary `mizan-attempt` builds
//! (which checks the one attempt compiled into it).
//!
//! `check` of an attempt, in the checker, builds `mizan-attempt` with that
//! attempt in it (`cargo build`, the checker's own profile and target
//! directory) and runs it with the same arguments: an edit recompiles one
//! small crate, not the checker and every attempt.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use mizan::lab::child::Request;
use mizan::lab::exercise::{
    BUDGET, Exercise, Which, check_replay, check_retrying, cleanliness, failing_path,
    instruction_counts, render,
};
use mizan::lab::lesson::{Lesson, Scale};
use mizan::lab::runner::RunOptions;

/// Which binary runs the command line.
#[derive(Clone, Copy, Debug)]
pub enum Role {
    /// The checker, `cargo exercise`: its exercises carry their starting
    /// points; it builds and runs `mizan-attempt` to check an attempt.
    Checker,
    /// `mizan-attempt`, built with one attempt from `attempts` in it.
    Attempt {
        /// The folder the attempt was compiled from.
        attempts: &'static str,
    },
}

/// The checker's own profile, which the attempts are built with: the
/// release profile, as the lab's forms are timed (a debug checker, under
/// `cargo test`, builds debug attempts).
const PROFILE: &str = if cfg!(debug_assertions) {
    "dev"
} else {
    "release"
};

/// The folder of `PROFILE`'s binaries under a target directory.
const PROFILE_DIR: &str = if cfg!(debug_assertions) {
    "debug"
} else {
    "release"
};

/// `cargo exercise`: the lab's exercises.
#[derive(clap::Parser)]
#[command(
    name = "cargo exercise",
    about = "Mizan's exercises: start from a lesson's naive form, make it faster, check it",
    after_help = "A course: take the exercises in `cargo exercise list`'s order, reading each \
                  lesson's chapter of the book first. The solution to each is the lesson's \
                  optimized form, which the book shows; try before you read it."
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(clap::Subcommand)]
enum Cmd {
    /// Every exercise, with its status and its last check.
    List,
    /// Copy an exercise's starting point to `exercises/attempts/`, to edit.
    Start {
        /// The exercise (a lesson id: `zakat/pooling`).
        id: String,
    },
    /// Check an attempt: correct, clean, fast.
    Check {
        /// The exercise.
        id: String,
        #[command(flatten)]
        how: How,
        /// Check the starting point as handed out instead of the attempt.
        #[arg(long)]
        start: bool,
        /// Print the check as JSON (for a teacher grading a class).
        #[arg(long)]
        json: bool,
        /// Run only the input the last failing check saved
        /// (`target/exercises/<exercise>.failing.json`), untimed.
        #[arg(long, conflicts_with_all = ["seed", "instructions"])]
        replay: bool,
        /// For a lesson about threads: time again, up to N more times, ten
        /// seconds apart, while another process holds a core.
        #[arg(long, value_name = "N", default_value_t = 0)]
        retry_until_reliable: usize,
    },
    /// Grade a class: every attempt file in a folder of students' folders
    /// (`DIR/<student>/<exercise>.rs`, named as in `attempts/`), checked one
    /// after another on this machine, each built as the learner's own
    /// attempt is (`mizan-attempt`); the table as Markdown and
    /// CSV (`DIR/grades.md`, `DIR/grades.csv`), with the machine, the commit
    /// and each attempt's digest.
    Grade {
        /// The folder of students' folders.
        dir: std::path::PathBuf,
        /// How each attempt is checked.
        #[command(flatten)]
        how: How,
        /// Where each attempt is built (the checker's own target directory
        /// by default, where only the small `mizan-attempt` crate is
        /// compiled again; a new directory compiles the dependencies
        /// first, minutes).
        #[arg(long)]
        target_dir: Option<std::path::PathBuf>,
    },
    /// The lab's child requests; the checker answers `run-one`.
    #[command(flatten)]
    Child(Request),
    /// Where the naive form's time goes, and what to try.
    Hint {
        /// The exercise.
        id: String,
    },
    /// Put the starting point back in place of the attempt.
    Reset {
        /// The exercise.
        id: String,
    },
}

/// How an attempt is checked, for `check` and `grade` alike.
#[derive(clap::Args)]
struct How {
    /// The first seed of the lesson's inputs and of the random ones.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Seconds the timing may take.
    #[arg(long, default_value_t = BUDGET.as_secs())]
    budget: u64,
    /// Skip the timing: correct and clean only (with `--instructions`, the
    /// instruction-count grade decides).
    #[arg(long)]
    no_time: bool,
    /// Also count instructions under valgrind's callgrind: a grade that
    /// does not depend on the machine.
    #[arg(long)]
    instructions: bool,
}

impl How {
    /// The flags of `check` that ask for this, with `--json`.
    fn flags(&self) -> Vec<String> {
        let mut flags = vec![
            "--json".to_owned(),
            format!("--seed={}", self.seed),
            format!("--budget={}", self.budget),
        ];
        if self.no_time {
            flags.push("--no-time".to_owned());
        }
        if self.instructions {
            flags.push("--instructions".to_owned());
        }
        flags
    }
}

/// The last check of an exercise, kept for `list`.
#[derive(Debug, Serialize, Deserialize)]
struct Record {
    verdict: String,
    /// A digest of the attempt's file when it was checked.
    digest: u64,
}

fn digest(text: &[u8]) -> u64 {
    use std::hash::Hasher as _;
    let mut h = std::hash::DefaultHasher::new();
    h.write(text);
    h.finish()
}

/// The command line over `exercises`, in this checkout, with the lab's
/// lessons: a binary's `main`.
pub fn main(exercises: &[&dyn Exercise], role: Role) -> ExitCode {
    let root = Path::new(crate::DIR)
        .parent()
        .expect("the exercises crate is in the checkout");
    run(exercises, &mizan::lessons::lessons(), root, role)
}

/// The command line, over `exercises`, in the checkout at `root`.
pub fn run(
    exercises: &[&dyn Exercise],
    lessons: &[&dyn Lesson],
    root: &Path,
    role: Role,
) -> ExitCode {
    use clap::Parser as _;
    let cli = Cli::parse();
    let find = |id: &str| -> Result<&dyn Exercise, String> {
        exercises
            .iter()
            .copied()
            .find(|e| e.id() == id)
            .ok_or_else(|| {
                let ids: Vec<&str> = exercises.iter().map(|e| e.id()).collect();
                format!("no exercise {id:?}; the exercises are: {}", ids.join(", "))
            })
    };
    let attempts = match role {
        Role::Checker => attempts_dir(),
        Role::Attempt { attempts } => PathBuf::from(attempts),
    };
    let attempt_path = |e: &dyn Exercise| attempts.join(e.file());
    let record_path = |e: &dyn Exercise| {
        root.join("target/exercises")
            .join(e.file().replace(".rs", ".json"))
    };
    let result: Result<bool, String> = (|| match cli.command {
        Cmd::List => {
            println!("{:<28} {:<22} last check", "exercise", "status");
            for e in exercises {
                let attempt = std::fs::read(attempt_path(*e)).ok();
                let status = match &attempt {
                    None => "not started",
                    Some(a) if a == e.start_text().as_bytes() => "started, unchanged",
                    Some(_) => "started, edited",
                };
                let record: Option<Record> = std::fs::read_to_string(record_path(*e))
                    .ok()
                    .and_then(|t| serde_json::from_str(&t).ok());
                let last = match (record, &attempt) {
                    (Some(r), Some(a)) if r.digest == digest(a) => r.verdict,
                    (Some(_), Some(_)) => "edited since".to_owned(),
                    _ => "-".to_owned(),
                };
                println!("{:<28} {status:<22} {last}", e.id());
            }
            for lesson in lessons {
                if !exercises.iter().any(|e| e.id() == lesson.id()) {
                    println!(
                        "{:<28} {:<22} (its forms are one function: see the book's Exercises)",
                        lesson.id(),
                        "no exercise"
                    );
                }
            }
            Ok(true)
        }
        Cmd::Start { id } => {
            let e = find(&id)?;
            let to = attempt_path(e);
            if to.exists() {
                return Err(format!(
                    "{id} is started already: edit {}, or `cargo exercise reset {id}` to start over",
                    to.display()
                ));
            }
            std::fs::write(&to, e.start_text())
                .map_err(|err| format!("cannot write {}: {err}", to.display()))?;
            println!(
                "Edit {}, then run `cargo exercise check {id}`.\n{}",
                to.display(),
                e.hint()
            );
            Ok(true)
        }
        Cmd::Reset { id } => {
            let e = find(&id)?;
            let to = attempt_path(e);
            std::fs::write(&to, e.start_text())
                .map_err(|err| format!("cannot write {}: {err}", to.display()))?;
            println!("{} is the starting point again.", to.display());
            Ok(true)
        }
        Cmd::Grade {
            dir,
            how,
            target_dir,
        } => {
            let target = match target_dir {
                // Absolute: cargo runs in the checkout, the binary from here.
                Some(target) => std::path::absolute(&target).unwrap_or(target),
                None => own_target()?,
            };
            if let (Ok(dir), Ok(root)) = (dir.canonicalize(), root.canonicalize())
                && dir.starts_with(&root)
            {
                return Err(format!(
                    "{} is inside the checkout: put the class's folders outside it (the checks \
                     would find the tree not clean)",
                    dir.display()
                ));
            }
            let flags = how.flags();
            let rows = grade_folder(exercises, root, &dir, &target, &flags)?;
            let made = mizan::lab::exercise::Made::now(
                None,
                !matches!(cleanliness(root), mizan::lab::exercise::Clean::Clean),
            );
            let table = mizan::lab::exercise::grade::markdown(&rows, &made);
            for (name, text) in [
                ("grades.md", table.clone()),
                ("grades.csv", mizan::lab::exercise::grade::csv(&rows, &made)),
            ] {
                let path = dir.join(name);
                std::fs::write(&path, text)
                    .map_err(|err| format!("cannot write {}: {err}", path.display()))?;
            }
            print!("{table}");
            eprintln!(
                "(written to {} and {})",
                dir.join("grades.md").display(),
                dir.join("grades.csv").display()
            );
            Ok(rows.iter().all(|r| r.passed))
        }
        Cmd::Child(Request::RunOne { id, function, seed }) => {
            find(&id)?.run_one(&function, Scale::Tiny, seed)?;
            Ok(true)
        }
        Cmd::Child(other) => Err(format!(
            "{} is mizan's child request, not the exercise checker's",
            other.args()[0]
        )),
        Cmd::Hint { id } => {
            let e = find(&id)?;
            println!("{}", e.hint());
            let stem = e.id().replace('/', "-");
            let profile = root
                .join("book/src/generated/profiles")
                .join(format!("{stem}-naive.md"));
            if let Ok(text) = std::fs::read_to_string(&profile) {
                println!("\nWhere the naive form's time goes (its CPU profile, self time):");
                // The rows of the first table, the CPU samples'.
                let rows = text
                    .lines()
                    .skip_while(|l| !l.starts_with("| innermost function"))
                    .skip(2)
                    .take_while(|l| l.starts_with('|'));
                for row in rows.take(5) {
                    let inside = row.trim().trim_start_matches('|').trim_end_matches('|');
                    let cells: Vec<String> = inside
                        .split(" | ")
                        .map(mizan::lab::tables::code_cell_text)
                        .collect();
                    if let [function, outer, _, share, ..] = cells.as_slice() {
                        let inlined = if outer.is_empty() {
                            String::new()
                        } else {
                            format!(" (in {outer})")
                        };
                        println!("  {share:>7}  {function}{inlined}");
                    }
                }
                println!(
                    "The flamegraph: {}",
                    profile.with_extension("svg").display()
                );
            }
            Ok(true)
        }
        Cmd::Check {
            id,
            how:
                How {
                    seed,
                    budget,
                    no_time,
                    instructions,
                },
            start,
            json,
            replay,
            retry_until_reliable,
        } => {
            let e = find(&id)?;
            let which = if start { Which::Start } else { Which::Attempt };
            // The checker checks an attempt by building the binary that
            // has it compiled in, and running that with these arguments.
            if let Role::Checker = role
                && which == Which::Attempt
                && attempt_path(e).exists()
            {
                let binary = build_attempt(root, &own_target()?, &attempts, e.file(), false)?;
                let status = std::process::Command::new(binary.path())
                    .args(std::env::args_os().skip(1))
                    .status()
                    .map_err(|err| format!("cannot run {}: {err}", binary.path().display()))?;
                drop(binary);
                // Its exit code is the check's (it has said why already); a
                // signal (an abort, a stack overflow) has said nothing.
                let code = status.code().unwrap_or_else(|| {
                    eprintln!("error: the check of {id} ended with {status}");
                    2
                });
                std::process::exit(code);
            }
            let failing = root.join(failing_path(e.file()));
            if which == Which::Attempt && !attempt_path(e).exists() {
                eprintln!(
                    "(no attempt yet: checking the starting point; `cargo exercise start {id}` makes your copy)"
                );
            }
            let options = (!no_time).then(|| RunOptions {
                scale: Scale::Default,
                fit_scale: true,
                runs: None,
                budget: Duration::from_secs(budget),
                seed,
                progress: !json && std::io::IsTerminal::is_terminal(&std::io::stderr()),
            });
            let mut checked = if replay {
                let saved = std::fs::read_to_string(&failing).map_err(|err| {
                    format!(
                        "no saved failing input for {id} ({}: {err}): a check that fails saves one",
                        failing.display()
                    )
                })?;
                check_replay(e, which, &saved, cleanliness(root))?
            } else {
                check_retrying(
                    e,
                    which,
                    seed,
                    options,
                    cleanliness(root),
                    retry_until_reliable,
                    mizan::lab::exercise::RETRY_PAUSE,
                )
            };
            // The instruction grade (before the checks of the source, which
            // no grade passes).
            if instructions {
                let counts = instruction_counts(e, which, seed)?;
                checked = checked.with_instructions(counts, e.threads());
            }
            // The least failing input, for the learner to read and to
            // replay (a replay that fails again leaves it as it was).
            if !replay && let Some(saved) = checked.correct.saved() {
                if let Some(dir) = failing.parent() {
                    let _ = std::fs::create_dir_all(dir);
                }
                std::fs::write(&failing, saved)
                    .map_err(|err| format!("cannot write {}: {err}", failing.display()))?;
            }
            // The attempt's own work, or the lab's answer called in its
            // place.
            if which == Which::Attempt
                && let Ok(source) = std::fs::read_to_string(attempt_path(e))
            {
                let borrowed =
                    mizan::lab::exercise::own::borrowed(&source, e.start_text(), e.may_call());
                checked = checked.with_borrowed(borrowed);
            }
            let text = std::fs::read(attempt_path(e)).ok();
            checked.made = Some(mizan::lab::exercise::Made::now(
                text.as_deref()
                    .filter(|_| which == Which::Attempt)
                    .map(|t| (e.file(), t)),
                !matches!(checked.clean, mizan::lab::exercise::Clean::Clean),
            ));
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&checked).map_err(|err| err.to_string())?
                );
            } else {
                println!("{}", render(&checked, e.file()));
            }
            if which == Which::Attempt
                && let Ok(text) = std::fs::read(attempt_path(e))
            {
                let record = Record {
                    verdict: checked.verdict.clone(),
                    digest: digest(&text),
                };
                let path = record_path(e);
                if let Some(dir) = path.parent() {
                    let _ = std::fs::create_dir_all(dir);
                }
                let _ = std::fs::write(path, serde_json::to_string(&record).unwrap_or_default());
            }
            Ok(checked.passed)
        }
    })();
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

/// The attempts' folder of the checker: `MIZAN_ATTEMPTS`, or `attempts/`
/// beside this crate.
fn attempts_dir() -> PathBuf {
    let dir = std::env::var_os("MIZAN_ATTEMPTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(crate::DIR).join("attempts"));
    // Absolute: the attempt's build script runs in another folder.
    std::path::absolute(&dir).unwrap_or(dir)
}

/// A built attempt binary under a name of this process's own (a hard link
/// to what cargo built), so that another check or grade rebuilding
/// `attempt` meanwhile cannot change or unlink the one this check runs;
/// removed when dropped.
struct Built(PathBuf);

impl Built {
    /// Links `built` to a name of this process's own beside it.
    fn of(built: &Path) -> Result<Built, String> {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let own = built.with_file_name(format!("attempt-{}-{n}", std::process::id()));
        let _ = std::fs::remove_file(&own);
        std::fs::hard_link(built, &own)
            .or_else(|_| std::fs::copy(built, &own).map(|_| ()))
            .map_err(|err| format!("cannot keep {}: {err}", built.display()))?;
        Ok(Built(own))
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Built {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// The target directory this checker was built into (its binary is
/// `<target>/<profile>/exercise`).
fn own_target() -> Result<PathBuf, String> {
    let exe = std::env::current_exe().map_err(|err| format!("where is the checker? {err}"))?;
    exe.parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .ok_or_else(|| format!("{} is in no target directory", exe.display()))
}

/// Builds `mizan-attempt` with `file` (`zakat_pooling.rs`) from `attempts`
/// compiled in, into `target`, with the checker's profile, and returns
/// the binary, under a name of this process's own ([`Built`]). Cargo's
/// messages (the attempt's warnings among them) go to this process's
/// stderr, or, `captured`, into the error (its first error, for a grade's
/// row).
fn build_attempt(
    root: &Path,
    target: &Path,
    attempts: &Path,
    file: &str,
    captured: bool,
) -> Result<Built, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut build = std::process::Command::new(cargo);
    build
        .args(["build", "--profile", PROFILE])
        .args([
            "--package",
            "mizan-attempt",
            "--bin",
            "attempt",
            "--target-dir",
        ])
        .arg(target)
        .env("MIZAN_EXERCISE", file.trim_end_matches(".rs"))
        .env("MIZAN_ATTEMPTS", attempts)
        .current_dir(root);
    let binary = target.join(PROFILE_DIR).join("attempt");
    if captured {
        let out = build
            .arg("--message-format=short")
            .output()
            .map_err(|err| format!("cannot run cargo: {err}"))?;
        if out.status.success() {
            return Built::of(&binary);
        }
        let first_error = String::from_utf8_lossy(&out.stderr)
            .lines()
            // `--message-format=short`: `file:line:col: error: …`.
            .find(|l| l.contains(": error") || l.starts_with("error"))
            .unwrap_or("the build failed")
            .to_owned();
        return Err(format!("does not compile: {first_error}"));
    }
    let status = build
        .status()
        .map_err(|err| format!("cannot run cargo: {err}"))?;
    if status.success() {
        Built::of(&binary)
    } else {
        Err(format!(
            "{} does not compile (the compiler's messages are above)",
            attempts.join(file).display()
        ))
    }
}

/// Grades every student's folder under `dir`: builds each attempt file
/// into `mizan-attempt` (from the student's folder, into `target`), runs
/// its `check` with `flags`, and reads the JSON back into a row. An
/// attempt that does not compile gets a row saying so, with the compiler's
/// first error.
fn grade_folder(
    exercises: &[&dyn Exercise],
    root: &Path,
    dir: &Path,
    target: &Path,
    flags: &[String],
) -> Result<Vec<mizan::lab::exercise::grade::Row>, String> {
    use mizan::lab::exercise::grade::{Row, digest};
    let mut students: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|err| format!("cannot read {}: {err}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.is_dir())
        .collect();
    students.sort();
    if students.is_empty() {
        return Err(format!(
            "{} holds no students' folders (DIR/<student>/<exercise>.rs)",
            dir.display()
        ));
    }
    let mut rows = Vec::new();
    for folder in students {
        let student = folder
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let folder = folder
            .canonicalize()
            .map_err(|err| format!("{}: {err}", folder.display()))?;
        let mut files: Vec<(String, String)> = std::fs::read_dir(&folder)
            .map_err(|err| format!("cannot read {}: {err}", folder.display()))?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|path| path.extension().is_some_and(|e| e == "rs"))
            .filter_map(|path| {
                let name = path.file_name()?.to_string_lossy().into_owned();
                Some((name, std::fs::read_to_string(&path).ok()?))
            })
            .collect();
        files.sort();
        eprintln!("grading {student}: {} attempt files", files.len());
        for (file, source) in files {
            let Some(e) = exercises.iter().find(|e| e.file() == file) else {
                rows.push(Row::unchecked(
                    &student,
                    &file,
                    &digest(&source),
                    "not an exercise's file (see `cargo exercise list`)",
                ));
                continue;
            };
            let binary = match build_attempt(root, target, &folder, e.file(), true) {
                Ok(binary) => binary,
                Err(error) => {
                    rows.push(Row::unchecked(&student, e.id(), &digest(&source), &error));
                    continue;
                }
            };
            let out = std::process::Command::new(binary.path())
                .args(["check", e.id()])
                .args(flags)
                .current_dir(root)
                .output()
                .map_err(|err| format!("cannot run the checker: {err}"))?;
            let row = match serde_json::from_slice::<serde_json::Value>(&out.stdout) {
                Ok(check) => Row::of_check(&student, &digest(&source), &check),
                Err(_) => Row::unchecked(
                    &student,
                    e.id(),
                    &digest(&source),
                    &format!(
                        "the check failed: {}",
                        String::from_utf8_lossy(&out.stderr)
                            .trim()
                            .replace('\n', " ")
                    ),
                ),
            };
            rows.push(row);
        }
    }
    Ok(rows)
}
