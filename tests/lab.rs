//! The lab machinery: every registered lesson's forms agree; the commands
//! `list`, `run` (with its allocator choice), `run-form` and `profile`.
//! (The runner's measurements and the allocation counter are tested in
//! `alloc_count.rs`, a binary of one test.)

mod common;

use mizan::lab::lesson::Scale;
use mizan::lab::registry;

#[test]
fn every_lesson_agrees_at_tiny_scale_over_several_seeds() {
    let lessons = registry::lessons();
    assert!(!lessons.is_empty());
    for lesson in lessons {
        for seed in [1, 2, 3, 42, 2026] {
            let prepared = lesson.prepare(Scale::Tiny, seed);
            assert!(prepared.elements() > 0, "{} builds an input", lesson.id());
            assert_eq!(prepared.check(), Ok(()), "{} seed {seed}", lesson.id());
        }
    }
}

#[test]
fn lesson_ids_are_unique_and_well_formed() {
    let ids: Vec<&str> = registry::lessons().iter().map(|l| l.id()).collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), ids.len(), "duplicate ids in {ids:?}");
    for id in ids {
        let (workload, technique) = id.split_once('/').expect("workload/technique");
        assert!(matches!(workload, "zakat" | "murabaha"), "{id}");
        assert!(
            !technique.is_empty()
                && technique
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'-'),
            "{id}"
        );
        assert!(registry::find(id).is_some());
    }
}

#[test]
fn list_and_run_from_the_command_line() {
    let results_dir =
        std::env::temp_dir().join(format!("mizan-results-test-{}", std::process::id()));
    let out = common::mizan(&["list"], b"");
    assert!(out.status.success());
    let listed = String::from_utf8(out.stdout).unwrap();
    let expected: String = registry::lessons()
        .iter()
        .map(|l| format!("{}\n", l.id()))
        .collect();
    assert_eq!(listed, expected);

    let out = common::mizan(&["run", "zakat/no-such-lesson"], b"");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim_end(),
        format!(
            "error: no lesson \"zakat/no-such-lesson\"; the lessons are: {}",
            registry::lessons()
                .iter()
                .map(|l| l.id())
                .collect::<Vec<_>>()
                .join(", ")
        )
    );

    let out = common::mizan(
        &[
            "run",
            "zakat/string-building",
            "--scale",
            "tiny",
            "--runs",
            "1",
            "--threads",
            "1",
            "--results",
            results_dir.to_str().unwrap(),
        ],
        b"",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.contains("| zakat/string-building | 300 |"), "{table}");
    assert!(table.contains(" counted allocator, 1 threads, "), "{table}");
    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(results_dir.join("results.json")).unwrap())
            .unwrap();
    assert_eq!(results["results"][0]["id"], "zakat/string-building");
    assert_eq!(results["machine"]["threads"], 1);
    let markdown = std::fs::read_to_string(results_dir.join("results.md")).unwrap();
    assert_eq!(
        format!("{markdown}\n"),
        table.split("Results written").next().unwrap()
    );
    std::fs::remove_dir_all(&results_dir).unwrap();
}

#[test]
fn the_allocator_is_chosen_per_process() {
    let out = common::mizan(
        &[
            "run",
            "zakat/string-building",
            "--scale",
            "tiny",
            "--runs",
            "1",
            "--allocator",
            "mimalloc",
        ],
        b"",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "note: re-running under the mimalloc allocator (MIZAN_ALLOCATOR=mimalloc): the allocator is chosen per process"
        ),
        "{stderr}"
    );
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.contains("mimalloc, counted allocator"), "{table}");
    // Asking for the allocator already in use runs in the same process.
    let out = common::mizan(
        &[
            "run",
            "zakat/string-building",
            "--scale",
            "tiny",
            "--runs",
            "1",
            "--allocator",
            "system",
        ],
        b"",
    );
    assert!(out.status.success());
    assert!(!String::from_utf8_lossy(&out.stderr).contains("re-running"));
    assert!(String::from_utf8_lossy(&out.stdout).contains("system, counted allocator"));
}

#[test]
fn run_form_builds_the_input_and_runs_one_form() {
    for target in ["input-only", "naive", "optimized"] {
        let out = common::mizan(
            &["run-form", "zakat/string-building", "--target", target],
            b"",
        );
        assert!(
            out.status.success(),
            "{target}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.stdout.is_empty());
    }
    let out = common::mizan(&["run-form", "zakat/nothing", "--target", "naive"], b"");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn profile_writes_flamegraphs_profiles_and_a_summary() {
    let dir = std::env::temp_dir().join(format!("mizan-profile-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = common::mizan(
        &[
            "profile",
            "zakat/string-building",
            "--scale",
            "tiny",
            "--seconds",
            "0.3",
            "--output",
            dir.to_str().unwrap(),
        ],
        b"",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lesson_dir = dir.join("zakat/string-building");
    for form in ["naive", "optimized"] {
        let svg = std::fs::read_to_string(lesson_dir.join(form).join("flamegraph.svg")).unwrap();
        assert!(
            svg.starts_with("<?xml") && svg.contains(&format!("zakat/string-building / {form}"))
        );
        let pb = std::fs::read(lesson_dir.join(form).join("profile.pb")).unwrap();
        assert!(!pb.is_empty());
    }
    let summary = std::fs::read_to_string(lesson_dir.join("summary.md")).unwrap();
    assert!(summary.starts_with(
        "<!-- generated by `mizan profile zakat/string-building`; do not edit -->\n\n# Profile of `zakat/string-building`\n\n300 records a run (`Tiny` scale, seed 1)"
    ));
    // One allocation a run for the optimized form, for its one buffer.
    assert!(summary.contains("## optimized\n\n"));
    assert!(
        summary.contains("samples; 1 allocations (115200 bytes) a run."),
        "{summary}"
    );
    std::fs::remove_dir_all(&dir).unwrap();

    let out = common::mizan(&["profile"], b"");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim_end(),
        "error: name the lessons to profile, or --all (see mizan list)"
    );
}
