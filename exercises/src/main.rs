//! `cargo exercise`: list, start, check, hint and reset the lab's
//! exercises. The checker's logic is [`mizan::lab::exercise`]; this is its
//! command line.

use std::path::Path;
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

// Allocations are counted, as in the lab's own runs.
#[global_allocator]
static ALLOCATOR: mizan::lab::alloc::CountingAllocator = mizan::lab::alloc::CountingAllocator;

fn main() -> ExitCode {
    let root = Path::new(mizan_exercises::DIR)
        .parent()
        .expect("the exercises crate is in the checkout");
    run_cli(mizan_exercises::EXERCISES, &mizan::lessons::lessons(), root)
}

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
    /// after another on this machine, the checker built once a student
    /// with their folder in place of `attempts/`; the table as Markdown and
    /// CSV (`DIR/grades.md`, `DIR/grades.csv`), with the machine, the commit
    /// and each attempt's digest.
    Grade {
        /// The folder of students' folders.
        dir: std::path::PathBuf,
        /// How each attempt is checked.
        #[command(flatten)]
        how: How,
        /// Where the students' checkers are built (`target/grade` by
        /// default, so that the learner's own checker in `target/release`
        /// is left as it is; the first student's build compiles the
        /// dependencies there, minutes).
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

/// The checker's command line, over `exercises`, in the checkout at `root`.
fn run_cli(
    exercises: &[&dyn Exercise],
    lessons: &[&dyn Lesson],
    root: &Path,
) -> std::process::ExitCode {
    use clap::Parser as _;
    use std::process::ExitCode;
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
    let attempt_path = |e: &dyn Exercise| Path::new(mizan_exercises::ATTEMPTS).join(e.file());
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
            how:
                How {
                    seed,
                    budget,
                    no_time,
                    instructions,
                },
            target_dir,
        } => {
            let target = target_dir.unwrap_or_else(|| root.join("target/grade"));
            if let (Ok(dir), Ok(root)) = (dir.canonicalize(), root.canonicalize())
                && dir.starts_with(&root)
            {
                return Err(format!(
                    "{} is inside the checkout: put the class's folders outside it (the checks \
                     would find the tree not clean)",
                    dir.display()
                ));
            }
            let mut flags = vec![
                "--json".to_owned(),
                format!("--seed={seed}"),
                format!("--budget={budget}"),
            ];
            if no_time {
                flags.push("--no-time".to_owned());
            }
            if instructions {
                flags.push("--instructions".to_owned());
            }
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

/// Grades every student's folder under `dir`: builds the checker with the
/// folder's attempts compiled in (`MIZAN_ATTEMPTS`, into `target`), then
/// runs its `check` on each attempt file with `flags`, and reads the JSON
/// back into a row. A folder whose attempts do not compile gets a row an
/// attempt saying so, with the compiler's first error.
fn grade_folder(
    exercises: &[&dyn Exercise],
    root: &Path,
    dir: &Path,
    target: &Path,
    flags: &[String],
) -> Result<Vec<mizan::lab::exercise::grade::Row>, String> {
    use mizan::lab::exercise::grade::{Row, digest};
    let mut students: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
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
        let build = std::process::Command::new(env!("CARGO"))
            .args([
                "build",
                "--release",
                "--quiet",
                "--package",
                "mizan-exercises",
            ])
            .args([
                "--bin",
                "exercise",
                "--message-format=short",
                "--target-dir",
            ])
            .arg(target)
            .env("MIZAN_ATTEMPTS", &folder)
            .current_dir(root)
            .output()
            .map_err(|err| format!("cannot run cargo: {err}"))?;
        let compiled = build.status.success();
        let first_error = String::from_utf8_lossy(&build.stderr)
            .lines()
            // `--message-format=short`: `file:line:col: error: …`.
            .find(|l| l.contains(": error") || l.starts_with("error"))
            .unwrap_or("the build failed")
            .to_owned();
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
            if !compiled {
                rows.push(Row::unchecked(
                    &student,
                    e.id(),
                    &digest(&source),
                    &format!("does not compile: {first_error}"),
                ));
                continue;
            }
            let out = std::process::Command::new(target.join("release/exercise"))
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
