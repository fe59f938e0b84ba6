//! A workload as the driver sees it: the one trait the two domains
//! implement ([`super::Zakat`], [`super::Murabaha`]) and the driver runs.

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::held::Held;
use crate::input::{Engine, InputError};
use crate::json::JsonWriter;

/// A workload as the driver sees it: its input's context, its records,
/// and its engine's output, record by record.
pub trait Domain: Sync {
    /// The parsed input: the context, with the records (none, for a
    /// stream or a split document).
    type Input: Sync;
    /// One record: a payer, a contract.
    type Record: Send + Sync + Clone + DeserializeOwned;
    /// What every part shares: the hoisted context, the engine asked for.
    type Shared<'a>: Sync
    where
        Self: 'a;
    /// The engine's state for one part of the records (a schedule's
    /// buffers), built by [`Domain::part`].
    type PartState<'s>
    where
        Self: 's;
    /// The whole output document, for the reference path.
    type Output: Serialize;

    /// The input's record array: `payers`.
    const RECORDS: &'static str;
    /// The output's record array: `assessments`.
    const OUTPUTS: &'static str;
    /// Input bytes a stream reads at a time: enough records for every core
    /// to have several parts, little enough output to keep memory flat.
    /// A block is a step: its parts are read, computed and written before
    /// the next block's begin, so the cores wait for a block's slowest
    /// part, less often the bigger the block; and a stream's memory is a
    /// few blocks of input and their output (two blocks wait behind the
    /// one being computed, two blocks' output behind the one being
    /// written), so it grows with the block. The first block's records are
    /// also what the run hoists from. The values, and what was measured,
    /// are beside each domain's.
    const BLOCK_BYTES: usize;
    /// Records of a document computed and written at a time, on the path
    /// that keeps every record (a document the one-pass path gives up
    /// on). A batch is a step too: its parts are computed on every core
    /// and sent to the writer thread as one message, so a batch's output
    /// is held while it is computed and while it waits (two batches wait
    /// behind the one being written); a smaller batch makes the cores wait
    /// at its end more often.
    const DOCUMENT_BATCH: usize;
    /// Bytes of a document read by one task of the one-pass path. Each
    /// task guesses where its first record starts, and its results wait in
    /// memory until the task before confirms the guess (`one_pass.rs`):
    /// bigger chunks guess less often and hold more results unconfirmed.
    const CHUNK_BYTES: usize;

    /// The reference parser: a whole document, validated.
    fn parse_document(text: &str) -> Result<Self::Input, InputError>;
    /// A stream's context line.
    fn parse_context(text: &str) -> Result<Self::Input, InputError>;
    /// The record read by hand from its JSON, for the shapes it expects;
    /// `None` sends it to `serde_json`.
    fn read(bytes: &[u8]) -> Option<Self::Record>;
    /// The same for the record whose JSON starts at index `at` of `bytes`
    /// (after white space), with the index just past it.
    fn read_at(bytes: &[u8], at: usize) -> Option<(Self::Record, usize)>;
    /// The same into `record`, keeping the room it has (a record's
    /// strings and vectors, allocated once a task rather than once a
    /// record); `record` is left in no particular state on `None`.
    fn read_into(bytes: &[u8], at: usize, record: &mut Self::Record) -> Option<usize> {
        let (read, end) = Self::read_at(bytes, at)?;
        *record = read;
        Some(end)
    }
    /// The record checks that span fields, at the record's own paths.
    fn check(input: &Self::Input, record: &Self::Record) -> Result<(), InputError>;
    /// The record's id.
    fn id(record: &Self::Record) -> &str;
    /// What the parts share, hoisted from the context and from `sample`,
    /// the records the run sees first (all of a document's).
    fn shared<'a, 'r>(
        input: &'a Self::Input,
        engine: Engine,
        sample: impl Iterator<Item = &'r Self::Record>,
    ) -> Self::Shared<'a>
    where
        Self::Record: 'r;
    /// The state of one part: `records`.
    fn part<'s>(shared: &'s Self::Shared<'_>, records: &[Self::Record]) -> Self::PartState<'s>;
    /// Computes one record and drops the result: whether it can be done.
    fn compute(part: &mut Self::PartState<'_>, record: &Self::Record) -> Result<(), InputError>;
    /// Computes one record and writes its result as the next element of
    /// an array; nothing is written when it fails.
    fn write(
        part: &mut Self::PartState<'_>,
        record: &Self::Record,
        w: &mut JsonWriter<'_>,
    ) -> Result<(), InputError>;
    /// Whether [`Domain::hold`] packs results into less than their text.
    /// A domain that does not holds a pipe's results as the text the
    /// writer would have had, with no copy; one that does holds them
    /// through `hold`, and they are formatted once the document is known
    /// good (`held.rs`).
    const PACKS: bool = false;
    /// Computes one record and holds its result for output that cannot be
    /// taken back yet (`held.rs`): its text, unless the domain has a
    /// smaller form it packs with [`Held::packed`] and writes back with
    /// [`Domain::unpack`]; nothing is held when it fails.
    fn hold(
        part: &mut Self::PartState<'_>,
        record: &Self::Record,
        held: &mut Held,
    ) -> Result<(), InputError> {
        held.text(|w| Self::write(part, record, w))
    }
    /// Writes, as the next element of an array, the result [`Domain::hold`]
    /// packed at the start of `packed`; the bytes it read. Only a domain
    /// that packs is asked.
    fn unpack(shared: &Self::Shared<'_>, packed: &[u8], w: &mut JsonWriter<'_>) -> usize {
        let _ = (shared, packed, w);
        unreachable!("{} packs no result", Self::RECORDS)
    }
    /// Writes the output document's fields before its record array.
    fn head(input: &Self::Input, w: &mut JsonWriter<'_>);
    /// The whole document by the reference path: the reference parser's
    /// input through the engine asked for, as one output value.
    fn run_document(engine: Engine, input: &Self::Input) -> Result<Self::Output, InputError>;
    /// How many records an output holds.
    fn output_len(output: &Self::Output) -> usize;
}
