//! A run's results as the Markdown tables the terminal and the book show
//! (`results.md`, each lesson's page).

use std::fmt::Write as _;

use super::lesson::Scale;
use super::measure::{format_bytes, format_count, format_ns};
use super::results::{LessonResult, Measured, Report, ScalingPoint};
use super::stats::{Ratio, Verdict, number};

/// Whose tables: the whole run's (`results.md`: a row a lesson, by its
/// id) or one lesson's page (the lesson's id heads the first column, its
/// rows `this lesson` and `contrast: …`: on a phone the id repeated in
/// every row made the first column most of the table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rows {
    Run,
    Page,
}

/// A table's first cell in a row for `result`: its name in the lesson
/// column, or nothing where a page's table has only the lesson's own rows
/// (a `this lesson` in every row says nothing) and leaves the column out.
fn first_cell(result: &LessonResult, run_scale: Scale, rows: Rows, column: bool) -> String {
    if column {
        format!("| {} ", lesson_cell(result, run_scale, rows))
    } else {
        String::new()
    }
}

/// Text with a no-break space after a digit, so that a figure keeps its
/// unit on its line (`64 KiB pieces`, `8 records`).
fn glued(text: &str) -> String {
    let mut glued = String::with_capacity(text.len());
    let mut after_digit = false;
    for c in text.chars() {
        glued.push(if c == ' ' && after_digit { '\u{a0}' } else { c });
        after_digit = c.is_ascii_digit();
    }
    glued
}

/// A lesson's name in a table: with its allocators for a lesson about the
/// allocator, its scale when it is not the table's, and ⚠ when its thread
/// results are unreliable.
fn lesson_cell(result: &LessonResult, run_scale: Scale, rows: Rows) -> String {
    let mut notes = Vec::new();
    if let Some([naive, optimized]) = result.allocators {
        notes.push(format!("{} → {}", naive.name(), optimized.name()));
    }
    let mut cell = match (rows, &result.contrast) {
        (Rows::Run, Some(name)) => {
            notes.push(format!("contrast: {name}"));
            result.id.clone()
        }
        (Rows::Run, None) => result.id.clone(),
        (Rows::Page, Some(name)) => glued(&format!("contrast: {name}")),
        (Rows::Page, None) => "this lesson".to_owned(),
    };
    if result.scale != run_scale {
        notes.push(format!("{} scale", result.scale.name()));
    }
    if !notes.is_empty() {
        let _ = write!(cell, " ({})", glued(&notes.join(", ")));
    }
    if result.measured.as_ref().is_some_and(|m| !m.reliable()) {
        cell.push_str(" ⚠");
    }
    cell
}

/// A thread result's cell when the machine did not give its cores.
pub const UNRELIABLE: &str = "⚠ not reported";

/// A ratio for a table, or `–` without one, or [`UNRELIABLE`].
fn ratio_cell(ratio: Option<&Ratio>, reliable: bool) -> String {
    match ratio {
        None => "–".to_owned(),
        Some(_) if !reliable => UNRELIABLE.to_owned(),
        Some(ratio) => ratio.to_string(),
    }
}

/// The report as Markdown tables, with the machine and how it was run:
/// the times and ratios; the allocations and peak heap; the limits; every
/// form of the lessons that have further forms; the scaling of the
/// lessons about threads; the instructions, when counted.
pub fn markdown(report: &Report) -> String {
    markdown_rows(report, Rows::Run)
}

/// [`markdown`] for one lesson's page: the same tables, their rows named
/// `this lesson` and `contrast: …` rather than by the lesson's id.
pub fn lesson_page_markdown(report: &Report) -> String {
    markdown_rows(report, Rows::Page)
}

fn markdown_rows(report: &Report, rows: Rows) -> String {
    let mut out = String::new();
    let measured: Vec<(&LessonResult, &Measured)> = report
        .results
        .iter()
        .filter_map(|r| r.measured.as_ref().map(|m| (r, m)))
        .collect();
    out.push_str(
        "| lesson | records | pairs (slices) | naive | optimized | naive / optimized |\n\
         |---|---:|---:|---:|---:|---:|\n",
    );
    for result in &report.results {
        let cell = lesson_cell(result, report.scale, rows);
        match (&result.measured, &result.failure) {
            (Some(m), _) => {
                let _ = writeln!(
                    out,
                    "| {cell} | {} | {} ({}) | {} | {} | {} |",
                    format_count(result.elements),
                    m.pairs,
                    m.slices,
                    format_ns(m.naive().ns),
                    format_ns(m.optimized().ns),
                    if m.reliable() {
                        m.speedup().to_string()
                    } else {
                        UNRELIABLE.to_owned()
                    },
                );
            }
            (None, failure) => {
                let _ = writeln!(
                    out,
                    "| {cell} | {} | FAILED: the forms differ | {} | | |",
                    format_count(result.elements),
                    escape_cell(failure.as_deref().unwrap_or(""))
                );
            }
        }
    }

    if !measured.is_empty() {
        out.push_str(
            "\n| lesson | allocations naive → optimized | peak heap naive → optimized | \
             minor page faults naive → optimized |\n|---|---:|---:|---:|\n",
        );
        for (r, m) in &measured {
            let (naive, optimized) = (&m.naive().allocations, &m.optimized().allocations);
            let _ = writeln!(
                out,
                "| {} | {} ({}) → {} ({}) | {} → {} | {} → {} |",
                lesson_cell(r, report.scale, rows),
                format_count(naive.count),
                format_bytes(naive.bytes),
                format_count(optimized.count),
                format_bytes(optimized.bytes),
                format_bytes(naive.peak_bytes),
                format_bytes(optimized.peak_bytes),
                format_count(m.naive().minor_faults),
                format_count(m.optimized().minor_faults),
            );
        }
    }

    let limits: Vec<_> = measured
        .iter()
        .filter_map(|(r, m)| m.limit.as_ref().map(|l| (r, m, l)))
        .collect();
    if !limits.is_empty() {
        let column = rows == Rows::Run || limits.iter().any(|(r, ..)| r.contrast.is_some());
        let _ = write!(
            out,
            "\n{}| limit | limit's median | optimized / limit |\n{}|---|---:|---:|\n",
            if column { "| lesson " } else { "" },
            if column { "|---" } else { "" },
        );
        for (r, m, l) in limits {
            let _ = writeln!(
                out,
                "{}| {} | {} | {} |",
                first_cell(r, report.scale, rows, column),
                l.name,
                format_ns(l.ns),
                ratio_cell(Some(&l.optimized_over_limit), m.reliable()),
            );
        }
    }

    let laddered: Vec<_> = measured
        .iter()
        .filter(|(_, m)| !m.variants().is_empty())
        .collect();
    if !laddered.is_empty() {
        let column = rows == Rows::Run || laddered.iter().any(|(r, _)| r.contrast.is_some());
        let _ = write!(
            out,
            "\n{}| form | median | over naive | over the form before |\n\
             {}|---|---:|---:|---:|\n",
            if column { "| lesson " } else { "" },
            if column { "|---" } else { "" },
        );
        for (r, m) in laddered {
            for form in &m.forms[1..] {
                let _ = writeln!(
                    out,
                    "{}| {} | {} | {} | {} |",
                    first_cell(r, report.scale, rows, column),
                    form.name,
                    format_ns(form.ns),
                    ratio_cell(form.over_naive.as_ref(), m.reliable()),
                    ratio_cell(form.over_before.as_ref(), m.reliable()),
                );
            }
        }
    }

    for (r, m) in measured.iter().filter(|(_, m)| !m.scaling.is_empty()) {
        // A form a row, a thread count a column: as narrow as the machine
        // has cores, however many forms the lesson has.
        let threads = |p: &ScalingPoint| {
            if p.threads == 1 {
                "1 thread".to_owned()
            } else {
                format!("{} threads", p.threads)
            }
        };
        let counts: Vec<String> = m.scaling.iter().map(threads).collect();
        let _ = writeln!(
            out,
            "\n| {} | {} |\n|---|{}",
            lesson_cell(r, report.scale, rows),
            counts.join(" | "),
            "---:|".repeat(counts.len())
        );
        for (idx, form) in m.forms.iter().enumerate() {
            let cells: Vec<String> = m.scaling.iter().map(|p| format_ns(p.ns[idx])).collect();
            let _ = writeln!(out, "| {} | {} |", form.name, cells.join(" | "));
        }
        let more: Vec<&ScalingPoint> = m.scaling.iter().filter(|p| p.threads > 1).collect();
        let _ = writeln!(
            out,
            "\n| {} | {} |\n|---|{}",
            lesson_cell(r, report.scale, rows),
            more.iter()
                .map(|p| format!("{} over 1 thread", threads(p)))
                .collect::<Vec<_>>()
                .join(" | "),
            "---:|".repeat(more.len())
        );
        for (idx, form) in m.forms.iter().enumerate() {
            let cells: Vec<String> = more
                .iter()
                .map(|p| ratio_cell(Some(&p.over_one_thread[idx]), m.reliable()))
                .collect();
            let _ = writeln!(out, "| {} | {} |", form.name, cells.join(" | "));
        }
        if let Some(p) = m.parallelism {
            let _ = writeln!(
                out,
                "\nParallelism around `{}`: {}{}.",
                r.id,
                p.describe(),
                if p.is_reliable() {
                    ""
                } else {
                    ": **unreliable**, another process held a core"
                }
            );
        }
    }

    if measured.iter().any(|(r, _)| r.instructions.is_some()) {
        out.push_str("\n| lesson | instructions naive → optimized | ratio |\n|---|---:|---:|\n");
        for (r, _) in &measured {
            if let Some(i) = &r.instructions {
                let _ = writeln!(
                    out,
                    "| {} | {} → {} | {}× |",
                    r.id,
                    format_count(i.naive),
                    format_count(i.optimized),
                    number(i.ratio())
                );
            }
        }
    }

    let _ = write!(
        out,
        "\nMedians of paired, alternating runs at the `{}` scale and seed {}{}, made in six slices \
         spread over the run; each ratio with the distribution-free \
         95\u{a0}% interval of the median of its slices' medians; ≈: no measurable difference \
         (the interval holds 1×). Each thread table's times come with a speedup table: \
         each form at each count against itself at one thread. Allocations, peak heap and \
         minor page faults of one warm run of each form. ",
        report.scale.name(),
        report.seed,
        if measured.iter().any(|(r, _)| r.scale != report.scale) {
            " (a row naming another scale ran at that one)"
        } else {
            ""
        },
    );
    if measured.iter().any(|(_, m)| !m.reliable()) {
        out.push_str(
            "⚠: the machine did not give its cores around this lesson (another process held \
             one): its ratios are not reported, since a parallel form then times like the \
             sequential one. ",
        );
    }
    // The budget sets each lesson's share of the run; a lesson that may not
    // move to a smaller scale (`runner::may_shrink`) takes what its minimum
    // of pairs needs, which can be more.
    let over = if report.runs.is_none() && report.wall_seconds > report.budget_seconds * 1.05 {
        " (the budget shares the run among the lessons; one that may not shrink, a \
         contrast, a lesson that keeps its scale or every lesson at a named scale, takes \
         what its minimum of runs needs)"
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "Wall time {:.0} s of a {:.0} s budget{over}; peak memory {}. Machine: {}.",
        report.wall_seconds,
        report.budget_seconds,
        format_bytes(report.peak_rss_bytes),
        match rows {
            // A page is read in a browser; the run's tables also go to a
            // terminal, where a span would be printed as it is.
            Rows::Page => unbroken_dates(&report.machine.summary()),
            Rows::Run => report.machine.summary(),
        }
    );
    match (rows, report.results.first()) {
        // The page's lesson heads the first column, over `this lesson`
        // and `contrast: …`.
        (Rows::Page, Some(first)) => out.replace("| lesson |", &format!("| `{}` |", first.id)),
        _ => out,
    }
}

/// `text` with each date (`2026-12-07`) in a span that does not wrap: a
/// phone broke the footers' dates at their hyphens.
pub fn unbroken_dates(text: &str) -> String {
    let bytes = text.as_bytes();
    let is_date = |at: usize| {
        bytes.get(at..at + 10).is_some_and(|d| {
            d.iter().enumerate().all(|(idx, &b)| match idx {
                4 | 7 => b == b'-',
                _ => b.is_ascii_digit(),
            })
        }) && !bytes.get(at + 10).is_some_and(u8::is_ascii_digit)
            && (at == 0 || !bytes[at - 1].is_ascii_digit())
    };
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    while at < bytes.len() {
        if is_date(at) {
            out.push_str("<span style=\"white-space: nowrap\">");
            out.push_str(&text[at..at + 10]);
            out.push_str("</span>");
            at += 10;
        } else {
            let c = text[at..].chars().next().expect("at a char boundary");
            out.push(c);
            at += c.len_utf8();
        }
    }
    out
}

/// Text for a table cell: `|` escaped, `<` written as an entity so that
/// Markdown does not read `Mutex<HashMap>` as a tag.
pub fn escape_cell(text: &str) -> String {
    text.replace('|', "\\|").replace('<', "&lt;")
}

/// A function's name for a table cell, as HTML code that a narrow screen
/// breaks only after a `::` or after an underscore inside a word (`<wbr>`;
/// its spaces do not break): a name as long as `<Timespec as
/// PartialOrd>::partial_cmp` or `__memcpy_avx512_unaligned_erms` wraps at
/// its path and its words, not mid-word, and the figures beside it stay in
/// view. `|`, `&`, `<` and `>` are written as entities.
pub fn code_cell(name: &str) -> String {
    let escaped = name
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('|', "&#124;")
        .replace(' ', "&nbsp;")
        .replace("::", "::<wbr>");
    let mut out = String::with_capacity(escaped.len() + 16);
    let mut chars = escaped.chars().peekable();
    let mut after_word = false;
    while let Some(c) = chars.next() {
        out.push(c);
        let next_is_word = chars.peek().is_some_and(|n| n.is_ascii_alphanumeric());
        if c == '_' && after_word && next_is_word {
            out.push_str("<wbr>");
        }
        after_word = c.is_ascii_alphanumeric();
    }
    format!("<code>{out}</code>")
}

/// The name a [`code_cell`] (or a cell in backticks, as older pages wrote
/// it) holds, as plain text.
pub fn code_cell_text(cell: &str) -> String {
    cell.trim()
        .trim_start_matches("<code>")
        .trim_end_matches("</code>")
        .trim_matches('`')
        .replace("<wbr>", "")
        .replace("&nbsp;", " ")
        .replace("&#124;", "|")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// How a verdict reads in prose: `10.8× faster (10.6–11.0)`, `no
/// measurable difference (0.97–1.06×)`.
pub fn prose(ratio: &Ratio) -> String {
    match ratio.verdict() {
        Verdict::Faster => format!(
            "{}× faster ({}–{}×)",
            number(ratio.median),
            number(ratio.low),
            number(ratio.high)
        ),
        Verdict::Slower => format!(
            "{}× slower ({}–{}×)",
            number(1.0 / ratio.median),
            number(1.0 / ratio.high),
            number(1.0 / ratio.low)
        ),
        Verdict::NoDifference => format!(
            "no measurable difference ({}–{}×)",
            number(ratio.low),
            number(ratio.high)
        ),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn function_names_break_only_after_their_paths_and_underscores() {
        assert_eq!(
            super::code_cell("<Decimal as Ord>::cmp"),
            "<code>&lt;Decimal&nbsp;as&nbsp;Ord&gt;::<wbr>cmp</code>"
        );
        assert_eq!(
            super::code_cell("a|b & c"),
            "<code>a&#124;b&nbsp;&amp;&nbsp;c</code>"
        );
        // After an underscore between two word characters, not after a
        // leading or doubled one.
        assert_eq!(
            super::code_cell("__memcpy_avx512_unaligned_erms"),
            "<code>__memcpy_<wbr>avx512_<wbr>unaligned_<wbr>erms</code>"
        );
        assert_eq!(
            super::code_cell_text(&super::code_cell("__memcpy_avx512_erms")),
            "__memcpy_avx512_erms"
        );
    }

    use super::*;

    #[test]
    fn dates_do_not_break_at_their_hyphens_and_nothing_else_changes() {
        let span = |d: &str| format!("<span style=\"white-space: nowrap\">{d}</span>");
        assert_eq!(
            unbroken_dates("rustc 1.95.0 (59807616e 2026-04-14), 2026-12-07, commit f7b4"),
            format!(
                "rustc 1.95.0 (59807616e {}), {}, commit f7b4",
                span("2026-04-14"),
                span("2026-12-07")
            )
        );
        // Not a date: too long, too short, a digit before it; and text
        // that is not ASCII passes through.
        for text in [
            "12026-12-07",
            "2026-12-071",
            "2026-1-07",
            "AMD EPYC — 2 cores",
            "",
        ] {
            assert_eq!(unbroken_dates(text), text);
        }
    }
    use crate::lab::alloc::AllocationCount;
    use crate::lab::machine::{Machine, Parallelism};
    use crate::lab::results::{FormResult, Measured, SCHEMA};

    #[test]
    fn verdicts_read_as_prose() {
        let faster = Ratio::of_ratios(&mut [10.6, 10.8, 11.0]).unwrap();
        assert_eq!(prose(&faster), "10.8× faster (10.6–11.0×)");
        let slower = Ratio::of_ratios(&mut [0.5, 0.8, 0.4]).unwrap();
        assert_eq!(prose(&slower), "2.00× slower (1.25–2.50×)");
        let same = Ratio::of_ratios(&mut [0.97, 1.01, 1.06]).unwrap();
        assert_eq!(prose(&same), "no measurable difference (0.970–1.06×)");
    }

    #[test]
    fn thread_results_are_not_reported_when_the_machine_did_not_give_its_cores() {
        let ratio = Ratio::of_ratios(&mut [1.9, 2.0, 2.1]).unwrap();
        let form = |name: &str, over: Option<Ratio>| FormResult {
            name: name.to_owned(),
            ns: 1_000_000,
            allocations: AllocationCount::default(),
            minor_faults: 0,
            over_naive: over,
            over_before: over,
        };
        let measured = |effective: f64| Measured {
            pairs: 3,
            slices: 3,
            threads: 2,
            forms: vec![form("naive", None), form("optimized", Some(ratio))],
            limit: None,
            scaling: Vec::new(),
            parallelism: Some(Parallelism {
                threads: 2,
                effective,
            }),
            child_peak_rss: None,
        };
        let report = |effective: f64| Report {
            schema: SCHEMA,
            machine: Machine::current(),
            scale: Scale::Tiny,
            runs: Some(3),
            budget_seconds: 1.0,
            wall_seconds: 1.0,
            seed: 1,
            allocations_counted: false,
            peak_rss_bytes: 0,
            results: vec![LessonResult {
                id: "test/threads".to_owned(),
                scale: Scale::Tiny,
                elements: 10,
                failure: None,
                measured: Some(measured(effective)),
                instructions: None,
                allocators: None,
                seconds: 1.0,
                contrast: None,
                counters: None,
            }],
        };
        let quiet = markdown(&report(1.95));
        assert!(
            quiet.contains("| test/threads | 10 | 3 (3) | 1.0 ms | 1.0 ms | 2.00× (1.90–2.10) |"),
            "{quiet}"
        );
        // Below 80 % of two cores: marked, and no ratio.
        let busy = markdown(&report(1.5));
        assert!(
            busy.contains("| test/threads ⚠ | 10 | 3 (3) | 1.0 ms | 1.0 ms | ⚠ not reported |"),
            "{busy}"
        );
        assert!(!busy.contains("2.00×"), "{busy}");
        // A lesson's why says what its table says.
        let why = |effective| {
            let report = report(effective);
            super::super::why::render("shards: {speedup}", &report.results[0], None)
        };
        assert_eq!(why(1.95), "shards: 2.00× faster (1.90–2.10×)");
        assert_eq!(why(1.5), "shards: ⚠ not reported");
    }
}
