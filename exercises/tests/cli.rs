//! The `exercise` command as a learner runs it: the exit codes, `--json`,
//! and the instruction-count grade under callgrind (valgrind must be
//! installed, as for the lab's own instruction test).

use std::process::Command;

fn exercise(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_exercise"))
        .args(args)
        .output()
        .expect("the checker runs")
}

/// One test at a time builds `mizan-attempt`: two would each overwrite the
/// binary the other is about to run.
fn one_attempt_build() -> std::sync::MutexGuard<'static, ()> {
    static ONE: std::sync::Mutex<()> = std::sync::Mutex::new(());
    ONE.lock().unwrap_or_else(|e| e.into_inner())
}

fn start_text(id: &str) -> &'static str {
    mizan_exercises::EXERCISES
        .iter()
        .find(|e| e.id() == id)
        .unwrap()
        .start_text()
}

/// `check` of an edited attempt: the checker builds `mizan-attempt` with
/// that one attempt in it and runs it, so the learner's edits reach the
/// check (a dropped record is caught, a file that does not compile is an
/// error with the compiler's messages), and the checker itself is not
/// built again.
#[test]
fn check_builds_the_edited_attempt_alone_and_checks_it() {
    let _one = one_attempt_build();
    let dir = std::env::temp_dir().join(format!("mizan-attempts-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("zakat_copying.rs");
    let checker = std::fs::metadata(env!("CARGO_BIN_EXE_exercise"))
        .unwrap()
        .modified()
        .unwrap();
    let check = || {
        Command::new(env!("CARGO_BIN_EXE_exercise"))
            .args(["check", "zakat/copying", "--no-time"])
            .env("MIZAN_ATTEMPTS", &dir)
            .output()
            .expect("the checker runs")
    };
    let start = start_text("zakat/copying");
    let loop_head = "for payer in &input.payers {";
    assert!(start.contains(loop_head), "{start}");
    // The first payer dropped.
    std::fs::write(
        &file,
        start.replace(loop_head, "for payer in input.payers.iter().skip(1) {"),
    )
    .unwrap();
    let wrong = check();
    std::fs::write(
        &file,
        start.replace(loop_head, "for payer in &input.payers { ("),
    )
    .unwrap();
    let broken = check();
    std::fs::write(&file, start).unwrap();
    let right = check();
    std::fs::remove_dir_all(&dir).unwrap();
    let text = |out: &std::process::Output| {
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    };
    assert_eq!(wrong.status.code(), Some(1), "{}", text(&wrong));
    assert!(text(&wrong).contains("  correct: no, "), "{}", text(&wrong));
    assert_eq!(broken.status.code(), Some(2), "{}", text(&broken));
    assert!(
        text(&broken)
            .contains("zakat_copying.rs does not compile (the compiler's messages are above)"),
        "{}",
        text(&broken)
    );
    assert!(text(&broken).contains("error"), "{}", text(&broken));
    assert_eq!(right.status.code(), Some(1), "{}", text(&right));
    assert!(
        text(&right).contains("  correct: yes, the naive form's output on 5 of the lesson's inputs and 64 random ones\n"),
        "{}",
        text(&right)
    );
    let after = std::fs::metadata(env!("CARGO_BIN_EXE_exercise"))
        .unwrap()
        .modified()
        .unwrap();
    assert_eq!(checker, after, "the checker was built again");
}

#[test]
fn the_exit_code_says_passed_or_not_and_an_unknown_exercise_is_an_error() {
    let out = exercise(&["check", "zakat/pooling", "--start", "--no-time"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("  correct: yes, the naive form's output on 5 of the lesson's inputs and 64 random ones\n"), "{text}");
    assert!(text.contains("  fast: not asked for\n"), "{text}");
    let out = exercise(&["check", "zakat/nothing"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).starts_with(
            "error: no exercise \"zakat/nothing\"; the exercises are: zakat/string-building, "
        ),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_hint_shows_where_the_naive_forms_time_goes() {
    let out = exercise(&["hint", "zakat/hashing"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("Where the naive form's time goes"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .collect();
    // Five rows of the CPU table, each a share and a function's name as
    // plain text (not the page's HTML).
    assert_eq!(lines.len(), 5, "{text}");
    for line in &lines {
        let share = line.split_whitespace().next().unwrap();
        assert!(share.parse::<f64>().is_ok(), "{line}");
        assert!(line.contains(" % "), "{line}");
        assert!(!line.contains('<') || line.contains(" as "), "{line}");
        assert!(!line.contains("&") && !line.contains("code>"), "{line}");
    }
}

/// `grade` on a real folder: each student's attempt built as a learner's
/// is (`mizan-attempt`, into the checker's own target directory), then
/// checked; one student's copy of the starting point, one's file that does
/// not compile, one's file that names no exercise.
#[test]
fn grade_builds_each_students_folder_and_tables_the_checks() {
    let _one = one_attempt_build();
    let dir = std::env::temp_dir().join(format!("mizan-grade-{}", std::process::id()));
    let start = start_text("zakat/copying");
    for (student, file, text) in [
        ("amina", "zakat_copying.rs", start),
        ("bilal", "zakat_copying.rs", "pub fn attempt( {"),
        ("chen", "notes.rs", "// my notes"),
    ] {
        std::fs::create_dir_all(dir.join(student)).unwrap();
        std::fs::write(dir.join(student).join(file), text).unwrap();
    }
    let out = exercise(&["grade", dir.to_str().unwrap(), "--no-time"]);
    let table = String::from_utf8_lossy(&out.stdout).into_owned();
    let csv = std::fs::read_to_string(dir.join("grades.csv")).unwrap_or_default();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{table}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Clean or not as the checkout is (a developer's edits show here).
    assert!(
        table.contains("| amina | zakat/copying | yes | "),
        "{table}"
    );
    assert!(
        table.contains(" | – | – | – | correct, not timed"),
        "{table}"
    );
    assert!(
        table.contains("| bilal | zakat/copying | – | – | – | – | – | does not compile: "),
        "{table}"
    );
    assert!(
        table.contains("| chen | notes.rs | – | – | – | – | – | not an exercise's file"),
        "{table}"
    );
    assert!(table.contains("\n0 of 3 attempts passed.\n"), "{table}");
    assert_eq!(csv.lines().count(), 4, "{csv}");
}

#[test]
fn list_shows_every_lesson() {
    let out = exercise(&["list"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        text.lines().count(),
        1 + mizan::lessons::lessons().len(),
        "{text}"
    );
    assert!(
        text.contains(
            "zakat/allocator-choice       no exercise            (its forms are one function"
        ),
        "{text}"
    );
}

#[test]
fn instructions_grade_the_attempt_without_the_machine() {
    let out = exercise(&[
        "check",
        "zakat/pooling",
        "--start",
        "--no-time",
        "--instructions",
        "--json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let check: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(check["correct"]["outcome"], "correct");
    // For a teacher's records: the checker's commit, the machine, when, and
    // no attempt file (the starting point was checked).
    let made = &check["made"];
    assert_eq!(made["commit"].as_str().unwrap().len(), 40, "{made}");
    assert!(
        made["machine"].as_str().unwrap().contains("cores"),
        "{made}"
    );
    let at = made["at"].as_str().unwrap();
    assert!(
        at.len() == 20 && at.ends_with('Z') && at.as_bytes()[10] == b'T',
        "{at}"
    );
    assert!(made["attempt"].is_null());
    let count = |name: &str| check["instructions"][name].as_u64().unwrap() as f64;
    let (naive, start, optimized) = (count("naive"), count("attempt"), count("optimized"));
    // The starting point is the naive form's code, compiled apart: within
    // a few per cent of it. The lab's pooled buffer does less work than
    // the naive form on the same receipts: under half of it in a release
    // build, where the receipt writer's own code is optimized too.
    assert!((start / naive - 1.0).abs() < 0.05, "{naive} {start}");
    let at_most = if cfg!(debug_assertions) { 1.0 } else { 0.5 };
    assert!(optimized < naive * at_most, "{naive} {optimized}");
}

/// `--replay` runs the input a failing check saved, alone and untimed; with
/// none saved, it says where it looked.
#[test]
fn replay_runs_the_saved_input_alone() {
    // The check of an attempt beside it saves its failing input where
    // this test looks.
    let _one = one_attempt_build();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap();
    let failing = root.join("target/exercises/zakat_copying.failing.json");
    let _ = std::fs::remove_file(&failing);
    let out = exercise(&["check", "zakat/copying", "--start", "--replay"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("error: no saved failing input for zakat/copying"),
        "{stderr}"
    );
    // An input saved as the checker saves one: the lesson's own, readable.
    let lesson = &mizan::lessons::zakat::copying::LESSON;
    let input = (lesson.build)(mizan::lab::lesson::Scale::Tiny, 3);
    std::fs::create_dir_all(failing.parent().unwrap()).unwrap();
    std::fs::write(&failing, serde_json::to_string_pretty(&input).unwrap()).unwrap();
    let out = exercise(&["check", "zakat/copying", "--start", "--replay"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("  correct: yes, the naive form's output on the saved input\n"),
        "{text}"
    );
    assert!(
        text.contains("verdict: the saved input alone: correct, not timed"),
        "{text}"
    );
    std::fs::remove_file(&failing).unwrap();
}
