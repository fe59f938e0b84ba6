//! What the lab measures with, apart from the runner: the process's
//! peak memory and page faults (`getrusage`), medians, the numbers as
//! tables print them, and thread pools started before they are timed.

use std::time::Duration;

/// The peak resident memory of this process so far (`getrusage`), bytes;
/// 0 where the platform does not say.
pub fn peak_rss_bytes() -> u64 {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: getrusage writes into the struct we own.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } == 0 {
            // Linux reports kibibytes.
            return usage.ru_maxrss as u64 * 1024;
        }
    }
    0
}

/// The minor page faults of this process so far, every thread's
/// (`getrusage`'s `ru_minflt`): pages the kernel mapped on first touch.
/// 0 where the platform does not say.
pub fn minor_faults() -> u64 {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: getrusage writes into the struct we own.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } == 0 {
            return usage.ru_minflt as u64;
        }
    }
    0
}

/// A fresh pool of `threads` threads, every worker started: a worker
/// still starting up allocates, and the counters would charge that to
/// whichever form was being counted at the time.
pub fn pool(threads: usize) -> rayon::ThreadPool {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a thread pool");
    pool.broadcast(|_| ());
    pool
}

/// The thread counts of a scaling curve: 1, 2, 4, … up to the machine's
/// cores, and always 1 and 2.
pub fn thread_counts() -> Vec<usize> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut counts = vec![1, 2];
    while counts[counts.len() - 1] * 2 <= cores {
        counts.push(counts[counts.len() - 1] * 2);
    }
    counts
}

/// The median of nanosecond samples (the mean of the middle two for an
/// even count).
pub fn median_ns(samples: &[u64]) -> u64 {
    let mut sorted = samples.to_vec();
    sorted.sort_unstable();
    match sorted.len() {
        0 => 0,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2,
    }
}

/// The median of some durations (the mean of the middle two for an even
/// count).
pub fn median(samples: &mut [Duration]) -> Duration {
    samples.sort_unstable();
    match samples.len() {
        0 => Duration::ZERO,
        n if n % 2 == 1 => samples[n / 2],
        n => (samples[n / 2 - 1] + samples[n / 2]) / 2,
    }
}

/// A duration for a table: `12.3 ms`, `850 µs`, `1.24 s`.
pub fn format_ns(ns: u64) -> String {
    let ns = ns as f64;
    if ns >= 1e9 {
        format!("{:.2} s", ns / 1e9)
    } else if ns >= 1e6 {
        format!("{:.1} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.0} µs", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}

/// A count with thousands separators: `1,639,249`.
pub fn format_count(count: u64) -> String {
    let digits = count.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (idx, digit) in digits.chars().enumerate() {
        if idx > 0 && (digits.len() - idx).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// A size in bytes for a table: `812 B`, `118 MB`, `19.2 MB`.
pub fn format_bytes(bytes: u64) -> String {
    let b = bytes as f64;
    let (value, unit) = if b >= 1e9 {
        (b / 1e9, "GB")
    } else if b >= 1e6 {
        (b / 1e6, "MB")
    } else if b >= 1e3 {
        (b / 1e3, "kB")
    } else {
        return format!("{bytes} B");
    };
    if value >= 100.0 {
        format!("{value:.0} {unit}")
    } else {
        format!("{value:.1} {unit}")
    }
}

/// `1 allocation`, `2,048 allocations`.
pub fn format_allocations(count: u64) -> String {
    let noun = if count == 1 {
        "allocation"
    } else {
        "allocations"
    };
    format!("{} {noun}", format_count(count))
}

/// A count over its records for a table or a sentence, never `0` for a
/// count that is not: three places from 0.001 up, two significant digits
/// below (`0.00022`).
pub fn format_per_record(count: u64, records: u64) -> String {
    let value = count as f64 / records.max(1) as f64;
    if count > 0 && value < 0.001 {
        let digits = (-value.log10()).ceil() as usize + 1;
        format!("{value:.digits$}")
    } else if value >= 100.0 {
        format_count(value.round() as u64)
    } else if value >= 10.0 {
        format!("{value:.1}")
    } else if value >= 1.0 {
        format!("{value:.2}")
    } else {
        format!("{value:.3}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_sizes_read_easily() {
        assert_eq!(format_count(0), "0");
        assert_eq!(format_count(999), "999");
        assert_eq!(format_count(1_000), "1,000");
        assert_eq!(format_count(1_639_249), "1,639,249");
        assert_eq!(format_bytes(812), "812 B");
        assert_eq!(format_bytes(19_200_000), "19.2 MB");
        assert_eq!(format_bytes(118_435_995), "118 MB");
        assert_eq!(format_bytes(2_500_000_000), "2.5 GB");
        assert_eq!(format_ns(850_000), "850 µs");
        assert_eq!(format_ns(12_340_000), "12.3 ms");
        assert_eq!(median_ns(&[5, 1, 3]), 3);
        assert_eq!(median_ns(&[5, 1, 3, 7]), 4);
    }
}
