//! The frames a reader of a profile sees: the runtime's and the thread
//! pool's folded away, so that the lesson's functions start at the bottom;
//! generic arguments dropped from names (`HashMap::insert`, not its five
//! type arguments); paths shortened to the file.

/// Rows of a form's top-frames table.
pub(super) const TOP_FRAMES: usize = 10;

/// What every sample's stack starts with and no lesson is about, by the
/// name of a function that is not inlined: the thread's start, the
/// runtime, the rayon pool's scheduling and plumbing, closures' call shims,
/// the lab's loop around the form.
const RUNTIME_FRAMES: [&str; 24] = [
    "std::rt::",
    "std::thread::",
    "<std::thread::",
    "std::sys::backtrace::",
    "std::sys::pal::unix::thread::",
    "std::sys::thread::",
    "<std::sys::thread::",
    "std::panicking::",
    "std::panic::",
    "core::panic::unwind_safe::",
    "core::ops::function::",
    "<alloc::boxed::Box as core::ops::function::",
    "<&dyn core::ops::function::Fn",
    "<core::panic::unwind_safe::",
    "rayon_core::",
    "<rayon_core::",
    "rayon::iter::",
    "<rayon::iter::",
    "mizan::lab::",
    "<mizan::lab::",
    "mizan::main",
    "main",
    "__libc_start",
    "start_thread",
];

/// The same, for a function inlined into another: its name is only its
/// last segment, and the file its code is in says what it is.
const RUNTIME_FILES: [&str; 14] = [
    "/library/std/src/rt.rs",
    "/library/std/src/panicking.rs",
    "/library/std/src/panic.rs",
    "/library/std/src/thread/",
    "/library/std/src/sys/backtrace.rs",
    "/library/std/src/sys/thread/",
    "/library/std/src/sys/pal/unix/thread.rs",
    "/library/core/src/ops/function.rs",
    "/library/core/src/panic/unwind_safe.rs",
    "/library/alloc/src/boxed.rs",
    "/rayon-core-",
    "/src/iter/plumbing/",
    "/workloads/lab/",
    "/workloads/main.rs",
];

/// Whether a frame is runtime: by its name (see [`RUNTIME_FRAMES`]) or, for
/// a function of rayon's iterators or one inlined, by its file (see
/// [`RUNTIME_FILES`]).
pub(super) fn is_runtime(name: &str, file: Option<&str>) -> bool {
    let by_name = RUNTIME_FRAMES.iter().any(|prefix| {
        name.starts_with(prefix)
            && (prefix.ends_with("::")
                || name.len() == prefix.len()
                || !name[prefix.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_'))
    }) || name.starts_with("__rust_begin_short_backtrace")
        || name.starts_with("__clone")
        || name.starts_with("__libc_start")
        || matches!(name, "_start" | "clone" | "clone3");
    let by_file = file.is_some_and(|file| {
        RUNTIME_FILES.iter().any(|part| file.contains(part))
            // rayon's iterator adapters, not its sorts.
            || (file.contains("/rayon-1.") && file.contains("/src/iter/"))
    });
    by_name || by_file
}

/// The frame a sample is given when its whole stack was runtime: a thread
/// of the pool spinning while it looks for work.
const POOL_FRAME: &str = "(rayon pool: looking for work)";

/// pprof-rs's post-processor: folds away [`RUNTIME_FRAMES`], shortens
/// names, and puts every thread's samples under one root, `root`.
pub(super) fn fold_frames(frames: &mut pprof::Frames, root: &str) {
    frames.thread_name = root.to_owned();
    frames.thread_id = 0;
    let file = |symbol: &pprof::Symbol| {
        symbol
            .filename
            .as_ref()
            .map(|f| f.to_string_lossy().into_owned())
    };
    let had_pool = frames.frames.iter().flatten().any(|s| {
        s.name().contains("rayon_core::") || file(s).is_some_and(|f| f.contains("/rayon-core-"))
    });
    for frame in &mut frames.frames {
        frame.retain(|symbol| !is_runtime(&symbol.name(), file(symbol).as_deref()));
        for symbol in frame.iter_mut() {
            let short = short_name(&symbol.name());
            symbol.name = Some(short.into_bytes());
        }
    }
    frames.frames.retain(|frame| !frame.is_empty());
    if frames.frames.is_empty() && had_pool {
        frames.frames.push(vec![pprof::Symbol {
            name: Some(POOL_FRAME.as_bytes().to_vec()),
            addr: None,
            lineno: None,
            filename: None,
        }]);
    }
}

/// A demangled name without its generic arguments (`HashMap::insert`, not
/// `HashMap<K, V, S>::insert`) or its hash suffix; a qualified path's
/// brackets (`<Vec as Drop>::drop`) stay.
pub fn short_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut depth = 0usize;
    let mut prev: Option<char> = None;
    // The depths of the `<` that open generic arguments (dropped), as
    // against those that open a qualified path `<T as Trait>` (kept).
    let mut dropped: Vec<bool> = Vec::new();
    for c in name.chars() {
        match c {
            '<' => {
                // A turbofish `::<…>` is generic arguments too.
                let turbofish = depth == 0 && out.ends_with("::");
                if turbofish {
                    out.truncate(out.len() - 2);
                }
                let generic =
                    turbofish || prev.is_some_and(|p| p.is_alphanumeric() || p == '_' || p == '}');
                dropped.push(generic || dropped.last().copied().unwrap_or(false));
                depth += 1;
                if !dropped[depth - 1] {
                    out.push(c);
                }
            }
            '>' if depth > 0 && prev != Some('-') => {
                let was_dropped = dropped.pop().unwrap_or(false);
                depth -= 1;
                if !was_dropped {
                    out.push(c);
                }
            }
            _ if dropped.last().copied().unwrap_or(false) => {}
            _ => out.push(c),
        }
        prev = Some(c);
    }
    // `::{{closure}}` stays; a hash suffix `::h0123…` goes.
    if let Some(at) = out.rfind("::h")
        && out[at + 3..].len() == 16
        && out[at + 3..].chars().all(|c| c.is_ascii_hexdigit())
    {
        out.truncate(at);
    }
    compact_paths(&out)
}

/// Paths cut to what a reader needs to place them: inside a qualified
/// path's brackets a type or trait by its last segment (`<Vec as Drop>`);
/// outside them a function by its module and name (`fmt::write`), a closure
/// with its function's (`sharding::optimized::{closure#0}`); what follows
/// the brackets (`>::count::{closure#0}`) whole.
fn compact_paths(name: &str) -> String {
    let is_path = |c: char| c.is_alphanumeric() || matches!(c, '_' | ':' | '{' | '}' | '#');
    let mut out = String::with_capacity(name.len());
    let mut depth = 0usize;
    let mut rest = name;
    while let Some(c) = rest.chars().next() {
        if !is_path(c) {
            match c {
                '<' => depth += 1,
                '>' => depth = depth.saturating_sub(1),
                _ => {}
            }
            out.push(c);
            rest = &rest[c.len_utf8()..];
            continue;
        }
        let end = rest.find(|c: char| !is_path(c)).unwrap_or(rest.len());
        let path = &rest[..end];
        if path.starts_with("::") {
            // What follows a qualified path's brackets: its method, whole.
            out.push_str(path);
            rest = &rest[end..];
            continue;
        }
        let segments: Vec<&str> = path.split("::").collect();
        let closure = segments.last().is_some_and(|s| s.starts_with('{'));
        let keep = match (depth, closure) {
            (0, false) => 2,
            (0, true) => 3,
            (_, false) => 1,
            (_, true) => 2,
        };
        out.push_str(&segments[segments.len().saturating_sub(keep)..].join("::"));
        rest = &rest[end..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_their_generic_arguments() {
        assert_eq!(short_name("atomic_load<u32>"), "atomic_load");
        assert_eq!(
            short_name("std::collections::hash::map::HashMap<K,V,S>::insert"),
            "HashMap::insert"
        );
        assert_eq!(
            short_name("<alloc::vec::Vec<T,A> as core::ops::drop::Drop>::drop"),
            "<Vec as Drop>::drop"
        );
        assert_eq!(
            short_name("rustc_entry<(u8, mizan::input::Currency), Total, RandomState>"),
            "rustc_entry"
        );
        assert_eq!(
            short_name("mizan::lessons::zakat::sharding::optimized::{{closure}}"),
            "sharding::optimized::{{closure}}"
        );
        assert_eq!(
            short_name("core::fmt::write::h0123456789abcdef"),
            "fmt::write"
        );
        assert_eq!(short_name("{closure#0}<HashMap, &Line>"), "{closure#0}");
        assert_eq!(
            short_name("helper<rayon::slice::IterProducer<T>, fn(&mut S) -> R>"),
            "helper"
        );
        // A turbofish, inside a qualified path (the longest name the
        // profiles had, 177 characters).
        assert_eq!(
            short_name(
                "<core::iter::adapters::filter::Filter<I,P> as core::iter::traits::iterator::Iterator>\
                 ::count::to_usize::<&u8, core::str::count::char_count_general_case::{closure#0}>\
                 ::{closure#0}"
            ),
            "<Filter as Iterator>::count::to_usize::{closure#0}"
        );
        assert_eq!(
            short_name("<std::sys::sync::mutex::futex::Mutex>::lock_contended"),
            "<Mutex>::lock_contended"
        );
    }

    #[test]
    fn the_runtime_is_folded_and_the_work_kept() {
        for runtime in [
            "std::rt::lang_start_internal",
            "rayon_core::registry::WorkerThread::wait_until_cold",
            "<rayon::iter::plumbing::bridge::Callback<C> as rayon::iter::plumbing::ProducerCallback<I>>::callback",
            "mizan::lab::profile::profile_run",
            "main",
            "start_thread",
            "clone3",
            "__clone3",
            "__libc_start_call_main",
            "__libc_start_main_impl",
        ] {
            assert!(is_runtime(runtime, None), "{runtime}");
        }
        for work in [
            "mizan::lessons::zakat::sharding::optimized",
            "std::sys::sync::mutex::futex::Mutex::lock_contended",
            "rayon::slice::mergesort::par_mergesort",
            "mainline",
            "cloned",
            "core::fmt::write",
        ] {
            assert!(!is_runtime(work, None), "{work}");
        }
        for (inlined, file) in [
            ("call_once", "/rustc/0123/library/core/src/ops/function.rs"),
            (
                "join_context",
                "/root/.cargo/registry/src/index/rayon-core-1.13.0/src/join/mod.rs",
            ),
            (
                "helper",
                "/root/.cargo/registry/src/index/rayon-1.12.0/src/iter/plumbing/mod.rs",
            ),
            ("profile_run", "/work/main/workloads/lab/profile.rs"),
        ] {
            assert!(is_runtime(inlined, Some(file)), "{inlined} in {file}");
        }
        for (inlined, file) in [
            (
                "insert",
                "/rustc/0123/library/std/src/collections/hash/map.rs",
            ),
            (
                "par_mergesort",
                "/root/.cargo/registry/src/index/rayon-1.12.0/src/slice/mergesort.rs",
            ),
            (
                "optimized",
                "/work/main/workloads/lessons/zakat/sharding.rs",
            ),
        ] {
            assert!(!is_runtime(inlined, Some(file)), "{inlined} in {file}");
        }
    }
}
