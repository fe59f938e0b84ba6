//! Allocation counting and allocator choice: a global allocator that hands
//! every request to the system allocator or to mimalloc, and counts every
//! allocation (and its bytes) in global atomics.
//!
//! The allocator is chosen per process, once, at the first allocation, from
//! the environment variable `MIZAN_ALLOCATOR` (`mimalloc`; `dhat`, the
//! system allocator under dhat's heap profiler, for `mizan profile`;
//! anything else for the system allocator): memory must be freed by the allocator that
//! gave it, so the choice can never change while the process runs. It is
//! read with `libc::getenv`, which does not allocate. `mizan run
//! --allocator mimalloc` re-executes the command with the variable set.
//!
//! Global rather than thread-local counters, because rayon's worker threads
//! allocate too and a thread-local counter would miss them. Counting is
//! switched on only around the runs that [`count`] measures: two atomic
//! read-modify-writes per allocation were a fifth of the naive
//! `zakat/string-building` profile when they were always on, which would
//! have flattered every lesson that removes allocations. Switched off, an
//! allocation pays two plain loads (the switch and the allocator choice).
//!
//! The binary installs it, and so can any program:
//!
//! ```
//! use mizan::lab::alloc::{count, AllocationCount, CountingAllocator};
//!
//! #[global_allocator]
//! static ALLOCATOR: CountingAllocator = CountingAllocator;
//!
//! fn main() {
//!     let (buffer, counted) = count(|| vec![0u8; 10]);
//!     assert_eq!(counted, AllocationCount { count: 1, bytes: 10, peak_bytes: 10 });
//!     assert_eq!(buffer.len(), 10);
//! }
//! ```

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU8, AtomicU64, Ordering};

use mimalloc::MiMalloc;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);
static BYTES: AtomicU64 = AtomicU64::new(0);
static INSTALLED: AtomicBool = AtomicBool::new(false);
static COUNTING: AtomicBool = AtomicBool::new(false);
// Bytes allocated less bytes freed since counting began, and the highest
// that has been: a form's heap high-water mark above what it was given.
static LIVE: AtomicI64 = AtomicI64::new(0);
static PEAK: AtomicI64 = AtomicI64::new(0);

/// The allocators a process can run under.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "snake_case")]
pub enum Backend {
    /// The platform's allocator (glibc malloc on Linux).
    System,
    /// Microsoft's mimalloc.
    Mimalloc,
}

impl Backend {
    /// The name used in `MIZAN_ALLOCATOR` and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Backend::System => "system",
            Backend::Mimalloc => "mimalloc",
        }
    }
}

/// The environment variable that chooses the allocator of a process.
pub const ALLOCATOR_VARIABLE: &str = "MIZAN_ALLOCATOR";

const UNCHOSEN: u8 = 0;
const SYSTEM: u8 = 1;
const MIMALLOC: u8 = 2;
/// dhat's heap profiler over the system allocator: `mizan profile`'s
/// heap-profiling child (`MIZAN_ALLOCATOR=dhat`), never a lesson's.
const DHAT: u8 = 3;
static CHOICE: AtomicU8 = AtomicU8::new(UNCHOSEN);

// ANCHOR: choice
#[inline]
fn choice() -> u8 {
    match CHOICE.load(Ordering::Relaxed) {
        UNCHOSEN => {
            // SAFETY: a NUL-terminated name; the returned pointer, if not
            // null, is a NUL-terminated string owned by the environment,
            // read once before any thread is started.
            let chosen = unsafe {
                let value = libc::getenv(c"MIZAN_ALLOCATOR".as_ptr());
                match (!value.is_null()).then(|| std::ffi::CStr::from_ptr(value).to_bytes()) {
                    Some(b"mimalloc") => MIMALLOC,
                    Some(b"dhat") => DHAT,
                    _ => SYSTEM,
                }
            };
            CHOICE.store(chosen, Ordering::Relaxed);
            INSTALLED.store(true, Ordering::Relaxed);
            chosen
        }
        chosen => chosen,
    }
}
// ANCHOR_END: choice

/// Whether this process's allocations go through dhat's heap profiler
/// (`MIZAN_ALLOCATOR=dhat`; see [`super::profile::heap_form`]).
pub fn is_dhat() -> bool {
    choice() == DHAT
}

/// The allocator this process runs under (the system allocator under
/// dhat's profiler).
pub fn backend() -> Backend {
    if choice() == MIMALLOC {
        Backend::Mimalloc
    } else {
        Backend::System
    }
}

/// The counting allocator over the system allocator or mimalloc.
pub struct CountingAllocator;

// SAFETY: every method forwards to the one backend chosen for the whole
// process with the same arguments; the counters have no effect on the
// memory handed out.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        record(layout.size());
        // SAFETY: forwarded unchanged.
        unsafe {
            match choice() {
                MIMALLOC => MiMalloc.alloc(layout),
                DHAT => dhat::Alloc.alloc(layout),
                _ => System.alloc(layout),
            }
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        record(layout.size());
        // SAFETY: forwarded unchanged.
        unsafe {
            match choice() {
                MIMALLOC => MiMalloc.alloc_zeroed(layout),
                DHAT => dhat::Alloc.alloc_zeroed(layout),
                _ => System.alloc_zeroed(layout),
            }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        release(layout.size());
        // SAFETY: forwarded unchanged, to the allocator that gave `ptr`.
        unsafe {
            match choice() {
                MIMALLOC => MiMalloc.dealloc(ptr, layout),
                DHAT => dhat::Alloc.dealloc(ptr, layout),
                _ => System.dealloc(ptr, layout),
            }
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // A reallocation is an allocation: it may move and copy. The heap's
        // level moves by the difference (the block moves or grows in place;
        // the old copy is never the caller's to use again).
        record_resize(layout.size(), new_size);
        // SAFETY: forwarded unchanged, to the allocator that gave `ptr`.
        unsafe {
            match choice() {
                MIMALLOC => MiMalloc.realloc(ptr, layout, new_size),
                DHAT => dhat::Alloc.realloc(ptr, layout, new_size),
                _ => System.realloc(ptr, layout, new_size),
            }
        }
    }
}

#[inline]
fn record(size: usize) {
    if COUNTING.load(Ordering::Relaxed) {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        BYTES.fetch_add(size as u64, Ordering::Relaxed);
        let live = LIVE.fetch_add(size as i64, Ordering::Relaxed) + size as i64;
        PEAK.fetch_max(live, Ordering::Relaxed);
    }
}

#[inline]
fn record_resize(old_size: usize, new_size: usize) {
    if COUNTING.load(Ordering::Relaxed) {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        BYTES.fetch_add(new_size as u64, Ordering::Relaxed);
        let delta = new_size as i64 - old_size as i64;
        let live = LIVE.fetch_add(delta, Ordering::Relaxed) + delta;
        PEAK.fetch_max(live, Ordering::Relaxed);
    }
}

#[inline]
fn release(size: usize) {
    if COUNTING.load(Ordering::Relaxed) {
        LIVE.fetch_sub(size as i64, Ordering::Relaxed);
    }
}

/// Allocations (count and bytes) counted so far (only while counting is
/// on, inside [`count`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct AllocationCount {
    /// Calls to `alloc`, `alloc_zeroed` and `realloc`.
    pub count: u64,
    /// Bytes requested by them.
    pub bytes: u64,
    /// The heap's high-water mark while counting: the most bytes allocated
    /// and not yet freed at any moment (what the form needed at once, on
    /// top of its input).
    #[serde(default)]
    pub peak_bytes: u64,
}

impl AllocationCount {
    /// The counters now.
    pub fn now() -> Self {
        AllocationCount {
            count: ALLOCATIONS.load(Ordering::Relaxed),
            bytes: BYTES.load(Ordering::Relaxed),
            peak_bytes: PEAK.load(Ordering::Relaxed).max(0) as u64,
        }
    }

    /// What was allocated between `earlier` and `self`.
    pub fn since(self, earlier: AllocationCount) -> AllocationCount {
        AllocationCount {
            count: self.count - earlier.count,
            bytes: self.bytes - earlier.bytes,
            peak_bytes: self.peak_bytes,
        }
    }
}

/// Whether the counting allocator is this process's allocator (it has
/// served at least one allocation).
pub fn is_installed() -> bool {
    INSTALLED.load(Ordering::Relaxed)
}

/// Counts what `f` allocates, on every thread, while it runs. (Counts
/// taken at once on several threads would see each other's allocations:
/// count one thing at a time.)
pub fn count<T>(f: impl FnOnce() -> T) -> (T, AllocationCount) {
    let before = AllocationCount::now();
    LIVE.store(0, Ordering::SeqCst);
    PEAK.store(0, Ordering::SeqCst);
    COUNTING.store(true, Ordering::SeqCst);
    let value = f();
    COUNTING.store(false, Ordering::SeqCst);
    (value, AllocationCount::now().since(before))
}

/// Returns to the operating system what the allocator keeps of freed
/// memory (glibc's `malloc_trim`, on every arena; nothing under mimalloc,
/// which returns pages itself, or off Linux). The runner calls it between
/// forms at bank scale: a form's freed gigabytes otherwise stay in the
/// arena of the worker thread that freed them, and the next form, on
/// other threads, takes as much again.
pub fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if backend() == Backend::System {
        // SAFETY: malloc_trim only walks glibc's own arenas.
        unsafe {
            libc::malloc_trim(0);
        }
    }
}
