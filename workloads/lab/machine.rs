//! The machine fingerprint recorded with every result: a number means
//! little without the machine that made it.

use std::fs;

/// Where and how a result was produced.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Machine {
    /// The CPU model, from `/proc/cpuinfo`.
    pub cpu: String,
    /// Cores available to this process.
    pub cores: usize,
    /// Total memory in GiB, from `/proc/meminfo`.
    pub memory_gib: u64,
    /// The compiler that built this binary.
    pub rustc: String,
    /// `release` or `debug`.
    pub profile: String,
    /// The global allocator.
    pub allocator: String,
    /// rayon's worker threads.
    pub threads: usize,
    /// The day of the run (UTC).
    pub date: String,
}

impl Machine {
    /// The fingerprint of this process.
    pub fn current() -> Machine {
        let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find_map(|line| line.strip_prefix("model name"))
            .and_then(|rest| rest.split_once(':'))
            .map(|(_, name)| name.trim().to_owned())
            .unwrap_or_else(|| std::env::consts::ARCH.to_owned());
        let meminfo = fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let memory_kib: u64 = meminfo
            .lines()
            .find_map(|line| line.strip_prefix("MemTotal:"))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|kib| kib.parse().ok())
            .unwrap_or(0);
        let days_since_epoch = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() / 86_400)
            .unwrap_or(0);
        // 1970-01-01 is day 719,163 of the Rata Die count.
        let date = crate::date::CivilDate::from_day_number(719_163 + days_since_epoch as i64)
            .map(|d| d.to_string())
            .unwrap_or_default();
        Machine {
            cpu,
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            memory_gib: (memory_kib + (1 << 19)) >> 20,
            rustc: env!("MIZAN_RUSTC_VERSION").to_owned(),
            profile: if cfg!(debug_assertions) {
                "debug"
            } else {
                "release"
            }
            .to_owned(),
            allocator: format!("{}, counted", super::alloc::backend().name()),
            threads: rayon::current_num_threads(),
            date,
        }
    }

    /// One line for a report: `CPU, N cores, M GiB, rustc …, release, …`.
    pub fn summary(&self) -> String {
        format!(
            "{}, {} cores, {} GiB, {}, {} build, {} allocator, {} threads, {}",
            self.cpu,
            self.cores,
            self.memory_gib,
            self.rustc,
            self.profile,
            self.allocator,
            self.threads,
            self.date
        )
    }
}
