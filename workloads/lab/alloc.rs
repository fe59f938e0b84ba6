//! Allocation counting: a global allocator that wraps the system allocator
//! and counts every allocation (and its bytes) in global atomics.
//!
//! Global rather than thread-local counters, because rayon's worker threads
//! allocate too and a thread-local counter would miss them. The counting
//! costs two relaxed atomic adds per allocation; the runner times the forms
//! with it in place for both, so the ratio between them is fair, and it
//! reads the counters around a separate run of each form.
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
//!     assert_eq!(counted, AllocationCount { count: 1, bytes: 10 });
//!     assert_eq!(buffer.len(), 10);
//! }
//! ```

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);
static BYTES: AtomicU64 = AtomicU64::new(0);
static INSTALLED: AtomicBool = AtomicBool::new(false);

/// The counting allocator over the system allocator.
pub struct CountingAllocator;

// SAFETY: every method forwards to `System` with the same arguments; the
// counters have no effect on the memory handed out.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        record(layout.size());
        // SAFETY: forwarded unchanged.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        record(layout.size());
        // SAFETY: forwarded unchanged.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // A reallocation is an allocation: it may move and copy.
        record(new_size);
        // SAFETY: forwarded unchanged.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[inline]
fn record(size: usize) {
    if !INSTALLED.load(Ordering::Relaxed) {
        INSTALLED.store(true, Ordering::Relaxed);
    }
    ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
    BYTES.fetch_add(size as u64, Ordering::Relaxed);
}

/// Allocations (count and bytes) since the process started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct AllocationCount {
    /// Calls to `alloc`, `alloc_zeroed` and `realloc`.
    pub count: u64,
    /// Bytes requested by them.
    pub bytes: u64,
}

impl AllocationCount {
    /// The counters now.
    pub fn now() -> Self {
        AllocationCount {
            count: ALLOCATIONS.load(Ordering::Relaxed),
            bytes: BYTES.load(Ordering::Relaxed),
        }
    }

    /// What was allocated between `earlier` and `self`.
    pub fn since(self, earlier: AllocationCount) -> AllocationCount {
        AllocationCount {
            count: self.count - earlier.count,
            bytes: self.bytes - earlier.bytes,
        }
    }
}

/// Whether the counting allocator is this process's allocator (it has
/// counted at least one allocation).
pub fn is_installed() -> bool {
    INSTALLED.load(Ordering::Relaxed)
}

/// Counts what `f` allocates.
pub fn count<T>(f: impl FnOnce() -> T) -> (T, AllocationCount) {
    let before = AllocationCount::now();
    let value = f();
    (value, AllocationCount::now().since(before))
}
