//! A `Mutex` that can say how long threads waited for it: the lock
//! contention profile of `mizan profile`.
//!
//! The lessons that take locks use this [`Mutex`] in place of std's: the
//! same type underneath, the same `new`, `lock` and `into_inner`. While
//! nothing watches, `lock` costs one relaxed load more than std's. While
//! [`watch`] runs, every acquisition first tries the lock; one that finds
//! it held is *contended*, and the time until it gets it is its wait. The
//! figures are kept per *site*, the line that made the lock (the sixteen
//! stripes made by one line are one site), in a small fixed table of
//! atomics, so that watching takes no lock of its own.
//!
//! Watching adds a clock read to each contended acquisition and an atomic
//! add to each acquisition, on counters all threads share: a watched run
//! is slower than a timed one, and its waits are the order of magnitude,
//! not the lab's timings.

use std::panic::Location;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU64, Ordering};
use std::sync::{LockResult, MutexGuard, TryLockError};
use std::time::Instant;

static WATCHING: AtomicBool = AtomicBool::new(false);

/// Sites a watched run can tell apart (more fall into the last).
const SITES: usize = 16;

struct Slot {
    site: AtomicPtr<Location<'static>>,
    instances: AtomicU64,
    acquisitions: AtomicU64,
    contended: AtomicU64,
    wait_ns: AtomicU64,
}

#[allow(clippy::declare_interior_mutable_const)]
const EMPTY: Slot = Slot {
    site: AtomicPtr::new(std::ptr::null_mut()),
    instances: AtomicU64::new(0),
    acquisitions: AtomicU64::new(0),
    contended: AtomicU64::new(0),
    wait_ns: AtomicU64::new(0),
};

static SLOTS: [Slot; SITES] = [EMPTY; SITES];

/// The slot of a site, claimed on first use.
fn slot(site: &'static Location<'static>) -> &'static Slot {
    let wanted = site as *const Location<'static> as *mut Location<'static>;
    for slot in &SLOTS {
        let held = slot.site.load(Ordering::Acquire);
        if held == wanted {
            return slot;
        }
        if held.is_null() {
            match slot.site.compare_exchange(
                std::ptr::null_mut(),
                wanted,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return slot,
                Err(other) if other == wanted => return slot,
                Err(_) => continue,
            }
        }
    }
    &SLOTS[SITES - 1]
}

/// std's `Mutex`, watched when [`watch`] asks.
#[derive(Debug, Default)]
pub struct Mutex<T> {
    inner: std::sync::Mutex<T>,
    site: Option<&'static Location<'static>>,
}

impl<T> Mutex<T> {
    /// A lock holding `value`, whose site is the caller's line.
    #[track_caller]
    pub fn new(value: T) -> Self {
        let site = Location::caller();
        if WATCHING.load(Ordering::Relaxed) {
            slot(site).instances.fetch_add(1, Ordering::Relaxed);
        }
        Mutex {
            inner: std::sync::Mutex::new(value),
            site: Some(site),
        }
    }

    /// std's `lock`; while watched, counted and its wait timed.
    pub fn lock(&self) -> LockResult<MutexGuard<'_, T>> {
        if !WATCHING.load(Ordering::Relaxed) {
            return self.inner.lock();
        }
        let slot = self.site.map(slot);
        if let Some(slot) = slot {
            slot.acquisitions.fetch_add(1, Ordering::Relaxed);
        }
        match self.inner.try_lock() {
            Ok(guard) => Ok(guard),
            Err(TryLockError::Poisoned(poisoned)) => Err(poisoned),
            Err(TryLockError::WouldBlock) => {
                let started = Instant::now();
                let guard = self.inner.lock();
                if let Some(slot) = slot {
                    slot.contended.fetch_add(1, Ordering::Relaxed);
                    slot.wait_ns
                        .fetch_add(started.elapsed().as_nanos() as u64, Ordering::Relaxed);
                }
                guard
            }
        }
    }

    /// std's `into_inner`.
    pub fn into_inner(self) -> LockResult<T> {
        self.inner.into_inner()
    }
}

/// One site's figures over a watched run.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LockSite {
    /// `file:line` of the line that made the locks.
    pub site: String,
    /// Locks made there during the run.
    pub instances: u64,
    /// Acquisitions.
    pub acquisitions: u64,
    /// Acquisitions that found the lock held.
    pub contended: u64,
    /// Nanoseconds the threads waited, in all.
    pub wait_ns: u64,
}

/// Runs `f` with every lock watched; returns each site's figures (sites
/// with acquisitions, most waited first). One watch at a time.
pub fn watch(f: impl FnOnce()) -> Vec<LockSite> {
    for slot in &SLOTS {
        slot.site.store(std::ptr::null_mut(), Ordering::Release);
        for counter in [
            &slot.instances,
            &slot.acquisitions,
            &slot.contended,
            &slot.wait_ns,
        ] {
            counter.store(0, Ordering::Relaxed);
        }
    }
    WATCHING.store(true, Ordering::SeqCst);
    f();
    WATCHING.store(false, Ordering::SeqCst);
    let mut sites: Vec<LockSite> = SLOTS
        .iter()
        .filter_map(|slot| {
            let site = slot.site.load(Ordering::Acquire);
            // SAFETY: a slot's site is null or a `&'static Location`.
            let site = unsafe { site.as_ref() }?;
            Some(LockSite {
                site: format!("{}:{}", site.file(), site.line()),
                instances: slot.instances.load(Ordering::Relaxed),
                acquisitions: slot.acquisitions.load(Ordering::Relaxed),
                contended: slot.contended.load(Ordering::Relaxed),
                wait_ns: slot.wait_ns.load(Ordering::Relaxed),
            })
        })
        .filter(|s| s.acquisitions > 0)
        .collect();
    sites.sort_by(|a, b| b.wait_ns.cmp(&a.wait_ns).then_with(|| a.site.cmp(&b.site)));
    sites
}

#[cfg(test)]
mod tests {
    use super::{Mutex, watch};

    #[test]
    fn an_unwatched_lock_is_stds_and_a_watched_one_is_counted() {
        let lock = Mutex::new(0u32);
        *lock.lock().unwrap() += 1;
        let mut second_line = 0;
        let sites = watch(|| {
            // Two locks made on one line: one site, two instances.
            let pair = [0, 1].map(|_| Mutex::new(0u32));
            second_line = line!() - 1;
            for _ in 0..10 {
                *pair[0].lock().unwrap() += 1;
            }
            *pair[1].lock().unwrap() += 1;
            // Contended: held here while another thread asks for it.
            let held = pair[0].lock().unwrap();
            let ready = std::sync::Barrier::new(2);
            std::thread::scope(|s| {
                let waiter = s.spawn(|| {
                    ready.wait();
                    *pair[0].lock().unwrap() += 1
                });
                ready.wait();
                std::thread::sleep(std::time::Duration::from_millis(50));
                drop(held);
                waiter.join().unwrap();
            });
            assert_eq!(*pair[0].lock().unwrap(), 11);
        });
        assert_eq!(lock.into_inner().unwrap(), 1);
        // (Other tests' locks, if any ran beside this one, are elsewhere.)
        let sites: Vec<_> = sites
            .into_iter()
            .filter(|s| s.site.starts_with(file!()))
            .collect();
        assert_eq!(sites.len(), 1, "{sites:?}");
        let site = &sites[0];
        assert_eq!(site.site, format!("{}:{second_line}", file!()));
        assert_eq!(site.instances, 2);
        // 10 + 1 + the held one + the waiter's + the last check.
        assert_eq!(site.acquisitions, 14);
        assert_eq!(site.contended, 1);
        assert!(site.wait_ns >= 40_000_000, "{site:?}");
    }
}
