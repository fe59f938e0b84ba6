//! The lab's child processes: one typed [`Request`], the arguments it is
//! started with built here ([`Request::args`]) and read back here (the
//! same enum is the hidden subcommands of `mizan` and `cargo exercise`),
//! so that a parent and its child cannot disagree on a flag.
//!
//! A lesson about the allocator times each form in a process of its own
//! (`time-form`), callgrind counts a form's instructions in one
//! (`run-form`), a profile under another allocator or dhat's is made in
//! one (`profile-form`, `heap-form`), `mizan memory-limits` keeps reports
//! in several (`hold-reports`), and the exercise checker counts an
//! attempt's instructions in one (`run-one`).

use std::path::{Path, PathBuf};
use std::process::Command;

use super::alloc::{ALLOCATOR_VARIABLE, Backend};
use super::lesson::Scale;

/// Samples a form's CPU profile collects by default.
pub const PROFILE_SAMPLES: u64 = 4000;

/// Where `mizan profile` writes by default: the book's generated profiles,
/// one copy.
pub const PROFILES: &str = "book/src/generated/profiles";

/// What a child runs of a lesson: the input alone, or the input and a form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Target {
    /// Build the input only (the baseline).
    InputOnly,
    /// Build the input and run the naive form once.
    Naive,
    /// Build the input and run the optimized form once.
    Optimized,
}

impl Target {
    /// The form the target runs, if it runs one.
    pub fn form(self) -> Option<super::lesson::Form> {
        match self {
            Target::InputOnly => None,
            Target::Naive => Some(super::lesson::Form::Naive),
            Target::Optimized => Some(super::lesson::Form::Optimized),
        }
    }

    pub fn arg(self) -> &'static str {
        match self {
            Target::InputOnly => "input-only",
            Target::Naive => "naive",
            Target::Optimized => "optimized",
        }
    }
}

/// What a child process is asked to do.
#[derive(Debug, Clone, PartialEq, clap::Subcommand)]
pub enum Request {
    /// Build a lesson's input and time one form in this process (a lesson
    /// about the allocator, under each allocator); prints one JSON line.
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
    /// Build a lesson's input and run one form once (what callgrind
    /// counts).
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
    /// Profile one form in this process and print its section of the
    /// summary (a lesson about the allocator, under each allocator).
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
    /// Profile one form's heap by allocation site under dhat (with
    /// `MIZAN_ALLOCATOR=dhat`), and print its section of the book.
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
    /// One process of `mizan memory-limits`: build the portfolio, make the
    /// reports under an allocator setting, print one JSON line.
    #[command(hide = true)]
    HoldReports {
        /// The setting's name (`glibc-trim`, ...).
        #[arg(long)]
        setting: String,
        #[arg(long, value_enum, default_value_t = Scale::Tiny)]
        scale: Scale,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long, default_value_t = 3)]
        reports: usize,
    },
    /// Build a lesson's input and run every form twice, the second time
    /// through `counters::counted_form` (what `mizan counters` counts under
    /// callgrind).
    #[command(hide = true)]
    CountForms {
        lesson: String,
        #[arg(long, value_enum, default_value_t = Scale::Tiny)]
        scale: Scale,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The lesson's contrast (at its own scale) instead.
        #[arg(long)]
        contrast: bool,
    },
    /// One function of an exercise run once on its lesson's input (what
    /// callgrind counts for `cargo exercise check --instructions`).
    #[command(hide = true)]
    RunOne {
        /// The exercise, `zakat/pooling`.
        id: String,
        /// `naive`, `attempt`, `start`, `optimized`, or `input-only`.
        #[arg(long)]
        function: String,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

impl Request {
    /// The arguments that start a child with this request (every field
    /// written out, so that no default of either side matters).
    pub fn args(&self) -> Vec<String> {
        let target = |t: &Target| t.arg().to_owned();
        let s = |v: &dyn ToString| v.to_string();
        let mut args: Vec<String> = Vec::new();
        match self {
            Request::TimeForm {
                lesson,
                target: t,
                scale,
                seed,
                runs,
                contrast,
                serve,
            } => {
                args.extend([
                    "time-form".into(),
                    lesson.clone(),
                    "--target".into(),
                    target(t),
                ]);
                args.extend([
                    "--scale".into(),
                    scale.name().into(),
                    "--seed".into(),
                    s(seed),
                ]);
                args.extend(["--runs".into(), s(runs)]);
                args.extend(contrast.then(|| "--contrast".to_owned()));
                args.extend(serve.then(|| "--serve".to_owned()));
            }
            Request::RunForm {
                lesson,
                target: t,
                scale,
                seed,
            } => {
                args.extend([
                    "run-form".into(),
                    lesson.clone(),
                    "--target".into(),
                    target(t),
                ]);
                args.extend([
                    "--scale".into(),
                    scale.name().into(),
                    "--seed".into(),
                    s(seed),
                ]);
            }
            Request::ProfileForm {
                lesson,
                target: t,
                samples,
                scale,
                seed,
                output,
            } => {
                args.extend([
                    "profile-form".into(),
                    lesson.clone(),
                    "--target".into(),
                    target(t),
                ]);
                args.extend(["--samples".into(), s(samples)]);
                args.extend([
                    "--scale".into(),
                    scale.name().into(),
                    "--seed".into(),
                    s(seed),
                ]);
                args.extend(["--output".into(), output.display().to_string()]);
            }
            Request::HeapForm {
                lesson,
                form,
                scale,
                seed,
            } => {
                args.extend([
                    "heap-form".into(),
                    lesson.clone(),
                    "--form".into(),
                    form.clone(),
                ]);
                args.extend([
                    "--scale".into(),
                    scale.name().into(),
                    "--seed".into(),
                    s(seed),
                ]);
            }
            Request::HoldReports {
                setting,
                scale,
                seed,
                reports,
            } => {
                args.extend(["hold-reports".into(), "--setting".into(), setting.clone()]);
                args.extend([
                    "--scale".into(),
                    scale.name().into(),
                    "--seed".into(),
                    s(seed),
                ]);
                args.extend(["--reports".into(), s(reports)]);
            }
            Request::CountForms {
                lesson,
                scale,
                seed,
                contrast,
            } => {
                args.extend(["count-forms".into(), lesson.clone()]);
                args.extend([
                    "--scale".into(),
                    scale.name().into(),
                    "--seed".into(),
                    s(seed),
                ]);
                args.extend(contrast.then(|| "--contrast".to_owned()));
            }
            Request::RunOne { id, function, seed } => {
                args.extend([
                    "run-one".into(),
                    id.clone(),
                    "--function".into(),
                    function.clone(),
                ]);
                args.extend(["--seed".into(), s(seed)]);
            }
        }
        args
    }

    /// The child, `exe` started with this request under `backend`.
    pub fn command(&self, exe: &Path, backend: Backend) -> Command {
        let mut command = Command::new(exe);
        command
            .args(self.args())
            .env(ALLOCATOR_VARIABLE, backend.name());
        command
    }

    /// The child, this program started with this request under `backend`.
    pub fn this_program(&self, backend: Backend) -> Result<Command, String> {
        let exe = std::env::current_exe().map_err(|e| format!("cannot find this program: {e}"))?;
        Ok(self.command(&exe, backend))
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    /// A command line whose subcommands are the requests, as `mizan`'s.
    #[derive(Parser)]
    struct Cli {
        #[command(subcommand)]
        request: Request,
    }

    #[test]
    fn every_request_reads_back_as_it_was_built() {
        let requests = [
            Request::TimeForm {
                lesson: "zakat/allocator-choice".into(),
                target: Target::Optimized,
                scale: Scale::Small,
                seed: 3,
                runs: 9,
                contrast: true,
                serve: false,
            },
            Request::TimeForm {
                lesson: "murabaha/allocator-choice".into(),
                target: Target::Naive,
                scale: Scale::Tiny,
                seed: 1,
                runs: 7,
                contrast: false,
                serve: true,
            },
            Request::RunForm {
                lesson: "zakat/pipeline".into(),
                target: Target::InputOnly,
                scale: Scale::Default,
                seed: 2026,
            },
            Request::ProfileForm {
                lesson: "zakat/pooling".into(),
                target: Target::Naive,
                samples: 10,
                scale: Scale::Tiny,
                seed: 5,
                output: PathBuf::from("/tmp/a b/profiles"),
            },
            Request::HeapForm {
                lesson: "zakat/sharding".into(),
                form: "striped-locks".into(),
                scale: Scale::Bank,
                seed: 1,
            },
            Request::HoldReports {
                setting: "glibc-one-arena".into(),
                scale: Scale::Bank,
                seed: 4,
                reports: 5,
            },
            Request::CountForms {
                lesson: "zakat/hashing".into(),
                scale: Scale::Small,
                seed: 2,
                contrast: true,
            },
            Request::RunOne {
                id: "murabaha/pooling".into(),
                function: "attempt".into(),
                seed: 8,
            },
        ];
        for request in requests {
            let args = request.args();
            let read = Cli::try_parse_from(std::iter::once("mizan".to_owned()).chain(args.clone()))
                .unwrap_or_else(|e| panic!("{args:?}: {e}"));
            assert_eq!(read.request, request, "{args:?}");
        }
    }

    #[test]
    fn a_child_is_started_under_its_allocator() {
        let request = Request::RunForm {
            lesson: "zakat/pooling".into(),
            target: Target::Naive,
            scale: Scale::Tiny,
            seed: 1,
        };
        let command = request.command(Path::new("/bin/mizan"), Backend::Mimalloc);
        let env: Vec<_> = command.get_envs().collect();
        assert_eq!(
            env,
            [(
                std::ffi::OsStr::new(ALLOCATOR_VARIABLE),
                Some(std::ffi::OsStr::new("mimalloc"))
            )]
        );
        let args: Vec<_> = command.get_args().map(|a| a.to_str().unwrap()).collect();
        assert_eq!(
            args,
            [
                "run-form",
                "zakat/pooling",
                "--target",
                "naive",
                "--scale",
                "tiny",
                "--seed",
                "1"
            ]
        );
    }
}
