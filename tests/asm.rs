//! `mizan asm` on the release binary, the code the lab times: a form known
//! to vectorize shows vector instructions, one known not to shows none,
//! the branch-free form has the select the branching one lacks, and every
//! form of every lesson has its machine code found.
//!
//! The test builds the release binary first (`cargo build --release`: a
//! no-op when it is current, as `.ci/run` leaves it), so that what it reads
//! is the code of this tree.

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

/// The release binary of this tree, built if it is missing or stale.
fn release_mizan() -> &'static PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let status = Command::new(env!("CARGO"))
            .args(["build", "--release", "--quiet", "--bin", "mizan"])
            .current_dir(&root)
            .status()
            .expect("cargo runs");
        assert!(status.success(), "cargo build --release failed");
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| root.join("target"));
        target.join("release").join("mizan")
    })
}

/// `mizan asm ARGS`'s standard output.
fn asm(args: &[&str]) -> String {
    let output = Command::new(release_mizan())
        .arg("asm")
        .args(args)
        .output()
        .expect("mizan runs");
    assert!(
        output.status.success(),
        "mizan asm {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8")
}

/// The figure before `label` in a counts line: `12 conditional jumps`.
fn count(counts: &str, label: &str) -> u64 {
    let before = counts
        .split(label)
        .next()
        .unwrap_or_else(|| panic!("no {label} in {counts}"));
    let figure = before
        .trim_end()
        .rsplit(|c: char| !c.is_ascii_digit())
        .next()
        .unwrap_or_default();
    figure
        .parse()
        .unwrap_or_else(|_| panic!("no count before {label} in {counts}"))
}

#[test]
fn a_vectorized_loop_shows_vector_instructions_and_a_scalar_one_none() {
    // The aging report's pass down two columns: LLVM runs it several
    // instalments a trip in SSE2.
    let vectorized = asm(&["murabaha/bounds-checks", "contrast.optimized"]);
    assert!(vectorized.contains("pcmpgtd"), "{vectorized}");
    let last = vectorized.lines().last().unwrap();
    assert!(count(last, " vector") >= 4, "{last}");
    // The nisab test a payer, one at a time.
    let scalar = asm(&["zakat/branches", "naive"]);
    let last = scalar.lines().last().unwrap();
    assert_eq!(count(last, " vector"), 0, "{last}");
    assert!(
        scalar.starts_with("zakat/branches naive: mizan::lessons::zakat::branches::naive ("),
        "{scalar}"
    );
}

/// The calls to `panic_bounds_check` in a form's listing.
fn bounds_checks(listing: &str) -> usize {
    listing.matches("panic_bounds_check").count()
}

#[test]
fn the_rows_loop_keeps_its_checks_and_the_chunked_loop_has_none() {
    // Indexed rows of three: a check of each index, and a call to the
    // panic behind it; LLVM neither versions nor vectorizes the loop.
    let naive = asm(&["murabaha/bounds-checks", "naive"]);
    assert!(bounds_checks(&naive) >= 1, "{naive}");
    let last = naive.lines().last().unwrap();
    assert_eq!(count(last, " vector"), 0, "{last}");
    // The same rows by `chunks_exact(3)`: no check left.
    let chunked = asm(&["murabaha/bounds-checks", "optimized"]);
    assert_eq!(bounds_checks(&chunked), 0, "{chunked}");
    // The columns, indexed: the check stays only in the scalar loop after
    // the vector one.
    let columns = asm(&["murabaha/bounds-checks", "contrast.naive"]);
    assert!(bounds_checks(&columns) >= 1, "{columns}");
    let last = columns.lines().last().unwrap();
    assert!(count(last, " vector") >= 4, "{last}");
}

#[test]
fn the_branch_free_form_selects_where_the_naive_form_jumps() {
    let naive = asm(&["zakat/branches", "naive"]);
    let optimized = asm(&["zakat/branches", "optimized"]);
    // The naive form's test is a jump (`jl` past the write); the optimized
    // form's is a `setge` added to the place.
    assert!(naive.contains("\tjl "), "{naive}");
    assert!(optimized.contains("\tsetge "), "{optimized}");
    let (n, o) = (
        naive.lines().last().unwrap(),
        optimized.lines().last().unwrap(),
    );
    assert!(
        count(o, " conditional jumps") < count(n, " conditional jumps"),
        "{n}\n{o}"
    );
}

#[test]
fn every_form_of_every_lesson_has_its_machine_code() {
    for lesson in mizan::lessons::lessons() {
        let forms = asm(&[lesson.id()]);
        let expected = lesson.form_code().len()
            + lesson
                .contrast_stage()
                .map_or(0, |stage| stage.form_code().len());
        assert_eq!(forms.lines().count(), expected, "{}: {forms}", lesson.id());
        for line in forms.lines() {
            assert!(line.contains(" instructions: "), "{}: {line}", lesson.id());
        }
    }
}
