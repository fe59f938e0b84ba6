//! Lock profiles: how long threads waited for each lock a form took (see
//! [`crate::lab::lock`]), in a watched run that had the machine's cores.

/// Watched runs a lock profile tries before it settles for one made while
/// another process held a core.
const WATCH_ATTEMPTS: usize = 5;

/// The lock waits of one watched run of a form (see [`crate::lab::lock`]):
/// its section of the book, or nothing for a form that takes no lock.
pub(super) fn lock_section(name: &str, run: &dyn Fn()) -> String {
    use std::fmt::Write as _;
    // Threads that cannot run at once never find each other's lock held:
    // a run watched while another process holds a core shows next to no
    // contention. Watch until a run has the cores around it, a few times
    // at most, and say which it was.
    let mut watched = None;
    for _ in 0..WATCH_ATTEMPTS {
        let before = crate::lab::machine::measure_parallelism();
        let started = std::time::Instant::now();
        let sites = crate::lab::lock::watch(run);
        let elapsed = started.elapsed();
        let after = crate::lab::machine::measure_parallelism();
        let worse = if before.effective <= after.effective {
            before
        } else {
            after
        };
        let reliable = worse.is_reliable();
        watched = Some((sites, elapsed, worse));
        if reliable {
            break;
        }
    }
    let Some((sites, elapsed, parallelism)) = watched else {
        return String::new();
    };
    if sites.is_empty() {
        return String::new();
    }
    let threads = rayon::current_num_threads();
    let warning = if parallelism.is_reliable() {
        String::new()
    } else {
        " ⚠ another process held a core around every watched run, so the threads seldom ran at \
         once and the contention is understated;"
            .to_owned()
    };
    let mut text = String::new();
    let _ = writeln!(
        text,
        "**Lock waits of `{name}`** (one watched run on {threads} threads, {}, parallelism \
         {} around it;{warning} watching slows it, so the waits are their order of magnitude): \
         by the line that made the locks, how often they were taken, how often a thread found \
         one held, and how long the threads waited in all and per acquisition.\n\n\
         | locks made at | locks | acquisitions | contended | waited | per acquisition |\n\
         |---|---:|---:|---:|---:|---:|",
        crate::lab::measure::format_ns(elapsed.as_nanos() as u64),
        parallelism.describe(),
    );
    for site in &sites {
        let file = site.site.rsplit('/').next().unwrap_or(&site.site);
        let _ = writeln!(
            text,
            "| `{file}` | {} | {} | {} ({:.0} %) | {} | {} |",
            crate::lab::measure::format_count(site.instances),
            crate::lab::measure::format_count(site.acquisitions),
            crate::lab::measure::format_count(site.contended),
            100.0 * site.contended as f64 / site.acquisitions.max(1) as f64,
            crate::lab::measure::format_ns(site.wait_ns),
            crate::lab::measure::format_ns(site.wait_ns / site.acquisitions.max(1)),
        );
    }
    text.push('\n');
    text
}
