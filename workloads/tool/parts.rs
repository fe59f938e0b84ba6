//! How many records a part holds: the unit of work the driver hands to a
//! core, a document's batch or a stream's block cut into several parts a
//! thread.

/// Parts a thread. Not measured: several, so that a slow part (a record
/// the engine hands to the reference, a contract with a long schedule)
/// does not leave a core idle while the others wait at the end of the
/// batch or block; each part costs its own engine state
/// (`Domain::part`), its own output buffer and a task to schedule, which
/// is why it is not one a record. Input with records of very uneven cost
/// would gain from more; records so cheap that a part's setup shows would
/// gain from fewer.
pub(super) const PARTS_A_THREAD: usize = 4;

/// How many records a part of `n` holds: [`PARTS_A_THREAD`] parts a
/// thread, at least one record a part.
pub(super) fn per_part(n: usize) -> usize {
    n.div_ceil(rayon::current_num_threads() * PARTS_A_THREAD)
        .max(1)
}
