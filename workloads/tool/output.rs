//! Where a command's results go: the [`Output`] (standard output, or `-o`'s
//! temporary file renamed into place on success), the [`Destination`] its
//! bytes are written to and whether they can be taken back, the writer
//! thread that writes while the next results are computed
//! ([`with_writer`]), and the [`SpareBuffers`] that thread hands back to be
//! written into again.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use anyhow::{Context as _, Result};

/// The output: standard output, or a temporary file renamed into place by
/// [`Output::commit`] (and removed when the run fails).
pub(super) struct Output {
    /// Where the bytes go; `None` while the writer thread holds it, and
    /// once committed.
    destination: Option<Destination>,
    /// With `-o`: the path asked for, and the temporary file beside it
    /// that is renamed over it on commit.
    file: Option<(PathBuf, PathBuf)>,
}

/// Where the bytes go, and whether they can be taken back.
pub(super) enum Destination {
    /// Standard output that is not a regular file (a pipe, a terminal,
    /// `/dev/null`): what is written there cannot be taken back. Written
    /// through a duplicate of its descriptor, unbuffered: the parts sent
    /// here are large, and std's handle, buffered by lines, wrote each in
    /// two system calls (up to its last newline, then the rest at the next
    /// part); std's handle only where the descriptor cannot be duplicated.
    Stdout(Box<dyn Write + Send>),
    /// A regular file (the temporary file of `-o`, or standard output
    /// redirected to a file), written from offset `start`: taken back by
    /// truncating it there.
    File { file: fs::File, start: u64 },
}

/// Output buffers handed back by the writer, so that a part writes into
/// memory that is already faulted in and big enough.
#[derive(Default)]
pub(super) struct SpareBuffers(std::sync::Mutex<Vec<String>>);

impl Output {
    pub(super) fn open(path: Option<&Path>) -> Result<Output> {
        let Some(path) = path else {
            return Ok(Output {
                destination: Some(Destination::stdout()),
                file: None,
            });
        };
        let name = path
            .file_name()
            .with_context(|| format!("{} names no file", path.display()))?;
        let mut temporary = name.to_os_string();
        temporary.push(format!(".partial-{}", std::process::id()));
        let temporary = path.with_file_name(temporary);
        let file = fs::File::create(&temporary)
            .with_context(|| format!("cannot create {}", temporary.display()))?;
        Ok(Output {
            destination: Some(Destination::File { file, start: 0 }),
            file: Some((path.to_path_buf(), temporary)),
        })
    }

    pub(super) fn describe(&self) -> String {
        match &self.file {
            Some((path, _)) => path.display().to_string(),
            None => "standard output".to_string(),
        }
    }

    pub(super) fn destination(&mut self) -> &mut Destination {
        self.destination.as_mut().expect("open until committed")
    }

    /// Takes back what was written, where it can be, for a run that
    /// failed (whose own error is the one reported); nothing when the
    /// writer thread failed, which took the destination with it.
    pub(super) fn take_back_after_failure(&mut self) {
        if let Some(destination) = self.destination.as_mut() {
            let _ = destination.rewind();
        }
    }

    pub(super) fn commit(mut self) -> Result<()> {
        let mut destination = self.destination.take().expect("committed once");
        destination
            .flush()
            .with_context(|| format!("cannot write {}", self.describe()))?;
        drop(destination);
        if let Some((path, temporary)) = self.file.take() {
            fs::rename(&temporary, &path).with_context(|| {
                format!(
                    "cannot rename {} to {}",
                    temporary.display(),
                    path.display()
                )
            })?;
        }
        Ok(())
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        if let Some((_, temporary)) = &self.file {
            // A failed run leaves no partial file behind.
            let _ = fs::remove_file(temporary);
        }
    }
}

impl Write for Destination {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        match self {
            Destination::Stdout(out) => out.write(bytes),
            Destination::File { file, .. } => file.write(bytes),
        }
    }

    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        match self {
            Destination::Stdout(out) => out.write_all(bytes),
            Destination::File { file, .. } => file.write_all(bytes),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Destination::Stdout(out) => out.flush(),
            Destination::File { file, .. } => file.flush(),
        }
    }
}

impl Destination {
    /// Standard output, as a file when it is a regular one.
    fn stdout() -> Destination {
        use std::os::fd::AsFd;
        let stdout = io::stdout();
        let Ok(duplicate) = stdout.as_fd().try_clone_to_owned().map(fs::File::from) else {
            return Destination::Stdout(Box::new(stdout));
        };
        if !duplicate.metadata().is_ok_and(|m| m.is_file()) {
            return Destination::Stdout(Box::new(duplicate));
        }
        let mut file = duplicate;
        if let Ok(position) = io::Seek::stream_position(&mut file) {
            use std::os::fd::AsRawFd;
            // SAFETY: F_GETFL on a descriptor this program owns reads its
            // flags and changes nothing.
            let flags = unsafe { libc::fcntl(file.as_raw_fd(), libc::F_GETFL) };
            // Appending (the shell's `>>`) writes at the end, wherever the
            // offset stands.
            let start = if flags != -1 && flags & libc::O_APPEND != 0 {
                file.metadata().map_or(position, |m| m.len())
            } else {
                position
            };
            return Destination::File { file, start };
        }
        Destination::Stdout(Box::new(file))
    }

    /// Whether what is written can be taken back.
    pub(super) fn rewindable(&self) -> bool {
        matches!(self, Destination::File { .. })
    }

    /// Takes back everything written.
    pub(super) fn rewind(&mut self) -> io::Result<()> {
        match self {
            Destination::Stdout(_) => Err(io::Error::other("standard output cannot be taken back")),
            Destination::File { file, start } => {
                file.set_len(*start)?;
                io::Seek::seek(file, io::SeekFrom::Start(*start))?;
                Ok(())
            }
        }
    }
}

impl SpareBuffers {
    /// Buffers kept: "a few batches' worth of parts", as it was written.
    /// Not measured. `per_part` makes four parts a thread (a one-pass
    /// wave, four chunks a thread), so 64 buffers are eight batches' parts
    /// on two cores, two on eight, one on sixteen. Each buffer kept is as
    /// big as the largest part written into it, so more buffers keep more
    /// memory for the whole run; with fewer, a part more often writes into
    /// a fresh buffer, paying the allocator and fresh page faults. With
    /// more than sixteen cores a batch's parts no longer fit, and a larger
    /// number (or one from the thread count) would keep a batch.
    const KEPT: usize = 64;

    pub(super) fn take(&self) -> String {
        self.0
            .lock()
            .expect("the spare buffers are never poisoned")
            .pop()
            .unwrap_or_default()
    }

    pub(super) fn give(&self, mut buffer: String) {
        buffer.clear();
        let mut spares = self.0.lock().expect("the spare buffers are never poisoned");
        if spares.len() < Self::KEPT {
            spares.push(buffer);
        }
    }
}

/// Writes the parts it is sent, in order, on a thread of its own, so that
/// writing overlaps the computing of the next parts.
pub(super) fn with_writer<T>(
    output: &mut Output,
    spares: &SpareBuffers,
    compute: impl FnOnce(&SyncSender<Vec<String>>) -> Result<T>,
) -> Result<T> {
    let describe = output.describe();
    let mut writer = output.destination.take().expect("one writer at a time");
    // Two messages (a batch's or a wave's parts each) wait behind the one
    // being written. Not measured: one would leave the computing side
    // waiting on every write that is slower than a batch; more hold more
    // output in memory, which only pays where writing is bursty.
    let (sender, receiver): (SyncSender<Vec<String>>, Receiver<Vec<String>>) = sync_channel(2);
    let (result, written) = std::thread::scope(|scope| {
        let thread = scope.spawn(move || -> io::Result<Destination> {
            for parts in receiver {
                for part in parts {
                    writer.write_all(part.as_bytes())?;
                    spares.give(part);
                }
            }
            Ok(writer)
        });
        let result = compute(&sender);
        drop(sender);
        (
            result,
            thread.join().expect("the writer thread does not panic"),
        )
    });
    match written {
        Ok(writer) => output.destination = Some(writer),
        // The writer's error comes first: a closed pipe stops the sends.
        Err(e) => return Err(e).with_context(|| format!("cannot write {describe}")),
    }
    result
}

/// Sends parts to the writer; `false` once the writer has stopped.
pub(super) fn send(sender: &SyncSender<Vec<String>>, parts: Vec<String>) -> bool {
    sender.send(parts).is_ok()
}
