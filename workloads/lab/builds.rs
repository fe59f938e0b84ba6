//! `zakat/build-settings` and `murabaha/build-settings` (`mizan builds`):
//! the optimized pipelines built four ways, each a separate binary in a
//! target directory of its own, timed in processes of their own, in turn,
//! their outputs compared by digest.
//!
//! - `default`: Cargo's release profile as the lab ships it;
//! - `fat-lto`: fat LTO across every crate, one codegen unit;
//! - `native`: `-C target-cpu=native`, every instruction this CPU has;
//! - `pgo`: profile-guided: a build instrumented with
//!   `-C profile-generate` runs the two pipelines on another seed's input,
//!   an `llvm-profdata` of rustc's own LLVM version merges the counts, and
//!   the build with `-C profile-use` reads them.
//!
//! Building takes minutes (every dependency is built again for each), so
//! the lessons are not in the default run; their results are committed
//! to the book (`book/src/generated/builds.md`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::alloc::Backend;
use super::child::{Request, Target};

use super::lesson::{Form, Scale};
use super::machine::Machine;
use super::process::Served;
use super::stats::{Ratio, number};

/// The lessons `mizan builds` times: each workload's optimized pipeline.
pub const LESSONS: [&str; 2] = ["zakat/pipeline", "murabaha/pipeline"];

/// The ids the results are shown under.
pub const IDS: [&str; 2] = ["zakat/build-settings", "murabaha/build-settings"];

/// One way to build the lab.
#[derive(Debug, Clone, Copy)]
pub struct Build {
    /// Its name in tables and its target directory's.
    pub name: &'static str,
    /// What it changes, in a table.
    pub what: &'static str,
    /// `RUSTFLAGS` (besides PGO's, which `mizan builds` adds).
    pub rustflags: &'static str,
    /// Cargo's profile settings, as environment variables.
    pub profile: &'static [(&'static str, &'static str)],
}

/// The four builds, the default first (every ratio is against it).
pub const BUILDS: [Build; 4] = [
    Build {
        name: "default",
        what: "Cargo's release profile, as the lab ships",
        rustflags: "",
        profile: &[],
    },
    Build {
        name: "fat-lto",
        what: "`lto = \"fat\"`, `codegen-units = 1`",
        rustflags: "",
        profile: &[
            ("CARGO_PROFILE_RELEASE_LTO", "fat"),
            ("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "1"),
        ],
    },
    Build {
        name: "native",
        what: "`-C target-cpu=native`",
        rustflags: "-C target-cpu=native",
        profile: &[],
    },
    Build {
        name: "pgo",
        what: "`-C profile-use` with the pipelines' own profile",
        rustflags: "",
        profile: &[],
    },
];

/// One build's results on one lesson.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Timed {
    /// The build's name.
    pub build: String,
    /// Nanoseconds of every run, slice by slice.
    pub ns: Vec<Vec<u64>>,
    /// Against the default build (`None` for the default itself).
    pub over_default: Option<Ratio>,
    /// Whether its output's digest is the default build's.
    pub same_output: bool,
}

/// What one build's optimized form executes once, under callgrind with
/// its branch simulator.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Counted {
    /// The build's name.
    pub build: String,
    /// Instructions (`Ir`).
    pub instructions: u64,
    /// Conditional branches (`Bc`).
    pub branches: u64,
    /// Of which the simulated predictor mispredicted (`Bcm`).
    pub mispredicted: u64,
    /// Indirect jumps and calls (`Bi`).
    pub indirect: u64,
    /// Of which mispredicted (`Bim`).
    pub indirect_mispredicted: u64,
    /// Why the build could not be counted (then every count is zero).
    #[serde(default)]
    pub error: Option<String>,
}

/// One lesson's results.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LessonBuilds {
    /// `zakat/build-settings` or `murabaha/build-settings`.
    pub id: String,
    /// The pipeline lesson timed.
    pub pipeline: String,
    /// Its records a run.
    pub scale: Scale,
    /// Every build's.
    pub builds: Vec<Timed>,
    /// The machine's parallelism before each slice, the least of them.
    #[serde(default)]
    pub parallelism: Option<super::machine::Parallelism>,
    /// Every build's counts, at `counted_scale` (with `--instructions`).
    #[serde(default)]
    pub counted: Vec<Counted>,
    /// The scale the counts were made at.
    #[serde(default)]
    pub counted_scale: Option<Scale>,
}

/// A build as it was made.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Made {
    /// The build's name.
    pub name: String,
    /// The binary's size, bytes.
    pub bytes: u64,
    /// How long it took to build, seconds (dependencies included).
    pub seconds: f64,
}

/// `mizan builds`'s results.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BuildsReport {
    /// Where they were made.
    pub machine: Machine,
    /// The `llvm-profdata` that merged PGO's counts.
    pub profdata: String,
    /// Each build as made (empty when the builds were reused).
    pub made: Vec<Made>,
    /// Each lesson's timings.
    pub lessons: Vec<LessonBuilds>,
}

/// The lab's source tree this program was built from: where `mizan
/// builds` runs `cargo build` unless told another (a clean checkout, so
/// that edits made while the builds run do not reach some of them).
pub fn source() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The binary a build leaves in `dir`.
pub fn binary(dir: &Path, name: &str) -> PathBuf {
    dir.join(name).join("release").join("mizan")
}

/// Builds the lab into `dir/<name>` with `rustflags` and `profile`.
fn cargo_build(
    source: &Path,
    dir: &Path,
    name: &str,
    rustflags: &str,
    profile: &[(&str, &str)],
) -> Result<Made, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let started = Instant::now();
    eprintln!("building `{name}` in {}", dir.join(name).display());
    let status = Command::new(cargo)
        .current_dir(source)
        .args(["build", "--release", "--locked", "--bin", "mizan"])
        .arg("--target-dir")
        .arg(dir.join(name))
        // Cargo hands its standard input to the `rustc -` it runs to learn
        // the target's settings (and caches the answer in the target
        // directory): whatever this process was given there (a script's
        // own text, a binary) must not reach it.
        .stdin(std::process::Stdio::null())
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env("RUSTFLAGS", rustflags)
        .envs(profile.iter().copied())
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err(format!("building `{name}` failed ({status})"));
    }
    let bytes = std::fs::metadata(binary(dir, name))
        .map_err(|e| format!("the `{name}` build left no binary: {e}"))?
        .len();
    Ok(Made {
        name: name.to_owned(),
        bytes,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// An `llvm-profdata` of rustc's own LLVM major version (rustc's profiles
/// are not readable by another's), with its version line.
pub fn find_profdata() -> Result<(String, String), String> {
    let llvm = env!("MIZAN_LLVM_VERSION");
    let major = llvm.split('.').next().unwrap_or(llvm);
    // On the path, or where `rustup component add llvm-tools` puts it: the
    // toolchain's own `lib/rustlib/<host>/bin`, which is not on the path.
    let mut candidates = vec![format!("llvm-profdata-{major}"), "llvm-profdata".to_owned()];
    if let Some(tool) = rustup_profdata() {
        candidates.push(tool);
    }
    for tool in &candidates {
        let Ok(out) = Command::new(tool).arg("--version").output() else {
            continue;
        };
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        // `LLVM version 22.1.8`, or a vendor's `Debian LLVM version 22.1.8`.
        if let Some((_, version)) = text.lines().find_map(|l| l.split_once("LLVM version")) {
            let version = version.trim();
            if version.split('.').next() == Some(major) {
                return Ok((tool.clone(), format!("{tool} (LLVM {version})")));
            }
        }
    }
    Err(format!(
        "profile-guided optimization needs an llvm-profdata of LLVM {major}, rustc's (tried {}): \
         `rustup component add llvm-tools` or, on Debian, `apt-get install llvm-{major}`",
        candidates.join(", ")
    ))
}

/// The `llvm-profdata` of rustup's `llvm-tools` component in the active
/// toolchain (`rustc --print sysroot`, `lib/rustlib/<host>/bin`), if it
/// is installed.
fn rustup_profdata() -> Option<String> {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let sysroot = Command::new(&rustc)
        .args(["--print", "sysroot"])
        .output()
        .ok()?;
    let verbose = Command::new(&rustc).arg("-vV").output().ok()?;
    let host = String::from_utf8_lossy(&verbose.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: ").map(str::to_owned))?;
    let tool = Path::new(String::from_utf8_lossy(&sysroot.stdout).trim())
        .join("lib/rustlib")
        .join(host)
        .join("bin/llvm-profdata");
    tool.is_file().then(|| tool.display().to_string())
}

/// Builds the four binaries into `dir`; PGO's training runs the pipelines
/// at `scale` on seed `seed + 1`, so that the measured input is not the one
/// the profile was made from.
pub fn build_all(
    source: &Path,
    dir: &Path,
    scale: Scale,
    seed: u64,
) -> Result<(Vec<Made>, String), String> {
    let (profdata, profdata_version) = find_profdata()?;
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let dir = dir
        .canonicalize()
        .map_err(|e| format!("cannot find {}: {e}", dir.display()))?;
    let mut made = Vec::new();
    for build in &BUILDS[..3] {
        made.push(cargo_build(
            source,
            &dir,
            build.name,
            build.rustflags,
            build.profile,
        )?);
    }
    // PGO: instrument, train, merge, rebuild.
    let raw = dir.join("pgo-profiles");
    let _ = std::fs::remove_dir_all(&raw);
    cargo_build(
        source,
        &dir,
        "pgo-instrumented",
        &format!("-C profile-generate={}", raw.display()),
        &[],
    )?;
    for lesson in LESSONS {
        eprintln!("training `pgo` on {lesson}");
        let training = Request::TimeForm {
            lesson: (*lesson).to_owned(),
            target: Target::Optimized,
            scale,
            seed: seed + 1,
            runs: 5,
            contrast: false,
            serve: false,
        };
        let status = training
            .command(&binary(&dir, "pgo-instrumented"), Backend::System)
            .stdout(std::process::Stdio::null())
            .status()
            .map_err(|e| format!("cannot run the instrumented build: {e}"))?;
        if !status.success() {
            return Err(format!("training on {lesson} failed ({status})"));
        }
    }
    let merged = dir.join("pgo.profdata");
    let status = Command::new(&profdata)
        .args(["merge", "-o"])
        .arg(&merged)
        .arg(&raw)
        .status()
        .map_err(|e| format!("cannot run {profdata}: {e}"))?;
    if !status.success() {
        return Err(format!("{profdata} merge failed ({status})"));
    }
    made.push(cargo_build(
        source,
        &dir,
        BUILDS[3].name,
        &format!("-C profile-use={}", merged.display()),
        &[],
    )?);
    Ok((made, profdata_version))
}

/// Times `lesson`'s optimized form in every build's binary: `slices`
/// times, each build's child started afresh and all serving at once, then
/// `runs` runs of each in turn (which build goes first moves one on each
/// run), so that the runs pair up by position.
pub fn time_builds(
    dir: &Path,
    lesson: &str,
    scale: Scale,
    seed: u64,
    slices: usize,
    runs: usize,
) -> Result<(Vec<Timed>, Option<super::machine::Parallelism>), String> {
    let n = BUILDS.len();
    let mut ns: Vec<Vec<Vec<u64>>> = vec![Vec::new(); n];
    let mut digests = vec![0u64; n];
    let mut least: Option<super::machine::Parallelism> = None;
    for slice in 0..slices {
        eprintln!("timing {lesson}: slice {} of {slices}", slice + 1);
        let parallelism = super::machine::measure_parallelism();
        if least.is_none_or(|l| parallelism.effective < l.effective) {
            least = Some(parallelism);
        }
        let mut children: Vec<Served> = BUILDS
            .iter()
            .map(|b| {
                Served::start_at(
                    &binary(dir, b.name),
                    lesson,
                    Form::Optimized,
                    Backend::System,
                    scale,
                    seed,
                    false,
                )
            })
            .collect::<Result<_, _>>()?;
        for (digest, child) in digests.iter_mut().zip(&children) {
            *digest = child.ready().digest;
        }
        for run in 0..runs {
            for k in 0..n {
                children[(run + slice + k) % n].run(lesson)?;
            }
        }
        for (i, child) in children.into_iter().enumerate() {
            ns[i].push(child.finish(lesson)?.ns);
        }
    }
    let mut timed: Vec<Timed> = BUILDS
        .iter()
        .zip(ns)
        .zip(&digests)
        .map(|((build, ns), digest)| Timed {
            build: build.name.to_owned(),
            over_default: None,
            same_output: *digest == digests[0],
            ns,
        })
        .collect();
    let default = timed[0].ns.clone();
    for t in &mut timed[1..] {
        t.over_default = Ratio::of_slices(&default, &t.ns);
    }
    Ok((timed, least))
}

/// Counts what each build's optimized form of `lesson` executes once at
/// `scale`, under callgrind with its branch simulator: the form's run less
/// the input's building, as `mizan run --instructions` counts a form.
pub fn count_builds(
    dir: &Path,
    lesson: &str,
    scale: Scale,
    seed: u64,
) -> Result<Vec<Counted>, String> {
    BUILDS
        .iter()
        .map(|build| {
            eprintln!("counting {lesson} in `{}` under callgrind", build.name);
            let events = |target: Target| {
                let request = Request::RunForm {
                    lesson: lesson.to_owned(),
                    target,
                    scale,
                    seed,
                };
                super::instructions::callgrind_events(
                    &binary(dir, build.name),
                    &["--branch-sim=yes"],
                    &request,
                    Backend::System,
                )
            };
            let (input, run) =
                match events(Target::InputOnly).and_then(|i| Ok((i, events(Target::Optimized)?))) {
                    Ok(both) => both,
                    Err(error) => {
                        return Ok(Counted {
                            build: build.name.to_owned(),
                            instructions: 0,
                            branches: 0,
                            mispredicted: 0,
                            indirect: 0,
                            indirect_mispredicted: 0,
                            error: Some(error),
                        });
                    }
                };
            let event = |name: &str| {
                let of = |events: &[(String, u64)]| {
                    events
                        .iter()
                        .find(|(e, _)| e == name)
                        .map_or(0, |(_, n)| *n)
                };
                of(&run).saturating_sub(of(&input))
            };
            Ok(Counted {
                build: build.name.to_owned(),
                instructions: event("Ir"),
                branches: event("Bc"),
                mispredicted: event("Bcm"),
                indirect: event("Bi"),
                indirect_mispredicted: event("Bim"),
                error: None,
            })
        })
        .collect()
}

/// The book's section: a table a lesson, and the builds as made.
pub fn markdown(report: &BuildsReport) -> String {
    let mut out = String::from("<!-- generated by `mizan builds`; do not edit -->\n\n");
    for lesson in &report.lessons {
        let runs: usize = lesson.builds[0].ns.iter().map(Vec::len).sum();
        out.push_str(&format!(
            "| {} ({}'s optimized form, {} scale) | median of {runs} runs | over the default build | same output |\n|---|---:|---:|---|\n",
            lesson.id,
            lesson.pipeline,
            lesson.scale.name()
        ));
        for timed in &lesson.builds {
            out.push_str(&format!(
                "| `{}` | {} | {} | {} |\n",
                timed.build,
                super::measure::format_ns(super::measure::median_ns(&timed.ns.concat())),
                timed
                    .over_default
                    .map_or_else(|| "1×".to_owned(), |r| r.to_string()),
                if timed.same_output { "yes" } else { "**no**" }
            ));
        }
        out.push('\n');
        if let Some(p) = lesson.parallelism {
            out.push_str(&format!(
                "The machine's parallelism before the slices: at least {}{}.\n\n",
                p.describe(),
                if p.is_reliable() {
                    ""
                } else {
                    " ⚠ another process held a core in at least one slice: these \
                     two-thread pipelines' times are not to be trusted"
                }
            ));
        }
        if !lesson.counted.is_empty() {
            let scale = lesson.counted_scale.map_or("", |s| s.name());
            out.push_str(&format!(
                "| {} under callgrind (one run, {scale} scale) | instructions | conditional branches | mispredicted | indirect | mispredicted |\n|---|---:|---:|---:|---:|---:|\n",
                lesson.pipeline
            ));
            let mut reasons = Vec::new();
            for c in &lesson.counted {
                if let Some(error) = &c.error {
                    out.push_str(&format!(
                        "| `{}` | not counted (below) | | | | |\n",
                        c.build
                    ));
                    reasons.push(format!("`{}` was not counted: {error}.", c.build));
                    continue;
                }
                let share = |part: u64, of: u64| 100.0 * part as f64 / of.max(1) as f64;
                out.push_str(&format!(
                    "| `{}` | {} | {} | {} ({:.1} %) | {} | {} ({:.1} %) |\n",
                    c.build,
                    super::measure::format_count(c.instructions),
                    super::measure::format_count(c.branches),
                    super::measure::format_count(c.mispredicted),
                    share(c.mispredicted, c.branches),
                    super::measure::format_count(c.indirect),
                    super::measure::format_count(c.indirect_mispredicted),
                    share(c.indirect_mispredicted, c.indirect),
                ));
            }
            out.push('\n');
            for reason in reasons {
                out.push_str(&reason);
                out.push(' ');
            }
            out.push_str(
                "Callgrind counts what the binary executes, the same on any machine; its \
                 branch predictor is a simple model (a table of two-bit counters), not this \
                 CPU's, so its mispredictions say which build has the more predictable \
                 branches, not how many this CPU mispredicts.\n\n",
            );
        }
    }
    if !report.made.is_empty() {
        out.push_str("| build | what it changes | binary | built in |\n|---|---|---:|---:|\n");
        for made in &report.made {
            let what = BUILDS
                .iter()
                .find(|b| b.name == made.name)
                .map_or("", |b| b.what);
            out.push_str(&format!(
                "| `{}` | {what} | {} | {} s |\n",
                made.name,
                super::measure::format_bytes(made.bytes),
                number(made.seconds)
            ));
        }
        out.push('\n');
    }
    out.push_str(&format!(
        "Each build's runs in processes of their own, all serving at once and asked for one run \
         at a time in turn; each ratio the median of the per-run ratios with the distribution-free \
         95 % interval of the median of the slices' medians (≈: no measurable difference). PGO's \
         counts merged by {}. Machine: {}.\n",
        report.profdata,
        report.machine.summary()
    ));
    out
}
