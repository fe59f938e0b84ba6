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

/// One instruction of a listing: its address, mnemonic and operands.
fn instructions(listing: &str) -> Vec<(u64, String, String)> {
    listing
        .lines()
        .filter_map(|line| {
            let (address, text) = line.trim().split_once(":\t")?;
            let address = u64::from_str_radix(address.trim(), 16).ok()?;
            let (mnemonic, operands) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
            Some((address, mnemonic.to_owned(), operands.trim().to_owned()))
        })
        .collect()
}

/// The target of a jump, if `operands` are one's.
fn target(operands: &str) -> Option<u64> {
    u64::from_str_radix(operands.split_whitespace().next()?, 16).ok()
}

/// The loop (from a backward jump's target to the jump) that holds
/// `mnemonic`, the smallest if several do: its instructions, and how many
/// of its conditional jumps leave it forwards (to a check's panic, or out
/// of the loop).
fn loop_holding(listing: &str, mnemonic: &str) -> (Vec<(u64, String, String)>, usize) {
    let all = instructions(listing);
    let mut best: Option<(usize, usize)> = None;
    for (at, (address, m, operands)) in all.iter().enumerate() {
        let Some(to) = target(operands).filter(|_| m.starts_with('j')) else {
            continue;
        };
        if to > *address {
            continue;
        }
        let Some(start) = all.iter().position(|(a, ..)| *a == to) else {
            continue;
        };
        let holds = all[start..=at].iter().any(|(_, m, _)| m == mnemonic);
        if holds && best.is_none_or(|(s, e)| at - start < e - s) {
            best = Some((start, at));
        }
    }
    let (start, end) = best.unwrap_or_else(|| panic!("no loop holds {mnemonic}: {listing}"));
    let body = all[start..=end].to_vec();
    let last = body.last().map_or(0, |(a, ..)| *a);
    let exits = (body.iter())
        .filter(|(_, m, o)| m.starts_with('j') && m != "jmp" && target(o).is_some_and(|t| t > last))
        .count();
    (body, exits)
}

#[test]
fn the_rows_loop_keeps_its_checks_and_the_chunked_loop_has_none() {
    let count_of = |body: &[(u64, String, String)], mnemonic: &str| {
        body.iter().filter(|(_, m, _)| m == mnemonic).count()
    };
    // Indexed rows of three: a row a trip, three checks leaving the loop
    // for a panic, the clamp a select; no vector instruction anywhere.
    let naive = asm(&["murabaha/bounds-checks", "naive"]);
    let (body, exits) = loop_holding(&naive, "imul");
    assert_eq!(count_of(&body, "imul"), 1, "{naive}");
    assert_eq!(exits, 3, "{naive}");
    assert_eq!(count_of(&body, "cmovle"), 1, "{naive}");
    assert!(bounds_checks(&naive) >= 1, "{naive}");
    let last = naive.lines().last().unwrap();
    assert_eq!(count(last, " vector"), 0, "{last}");
    // The same rows by `chunks_exact(3)`: no check at all, two rows a trip,
    // the clamp a jump (`jg`) where the indexed loop has a select.
    let chunked = asm(&["murabaha/bounds-checks", "optimized"]);
    assert_eq!(bounds_checks(&chunked), 0, "{chunked}");
    let (body, exits) = loop_holding(&chunked, "imul");
    assert_eq!(count_of(&body, "imul"), 2, "{chunked}");
    assert!(exits <= 1, "{chunked}");
    assert!(count_of(&body, "jg") >= 1, "{chunked}");
    // The re-cut table: a row a trip, leaving the loop at its end and at
    // the one check left (the row number against the output's length).
    let recut = asm(&["murabaha/bounds-checks", "lengths-asserted"]);
    let (body, exits) = loop_holding(&recut, "imul");
    assert_eq!((count_of(&body, "imul"), exits), (1, 2), "{recut}");
    // The columns, indexed: a vector loop with no branch but its own, the
    // check left to the scalar loop after it.
    let columns = asm(&["murabaha/bounds-checks", "contrast.naive"]);
    assert!(bounds_checks(&columns) >= 1, "{columns}");
    let (body, _) = loop_holding(&columns, "pcmpgtd");
    let jumps = body.iter().filter(|(_, m, _)| m.starts_with('j')).count();
    assert_eq!(jumps, 1, "{columns}");
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
