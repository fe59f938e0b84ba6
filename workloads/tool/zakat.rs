//! `mizan zakat assess` as a [`Domain`] of the driver.

use serde::Deserialize;

use super::domain::Domain;
use super::held::Held;
use crate::date::CivilDate;
use crate::input::{Currency, Engine, InputError, parse_json};
use crate::json::JsonWriter;
use crate::zakat::engine::{self, Assessed};
use crate::zakat::fixed::{Crop, Figures, MAX_CROPS, Prepared};
use crate::zakat::model::{Payer, Policy, Prices, ZakatInput, ZakatOutput};
use crate::zakat::output::{write_assessment, write_figures};
use crate::zakat::rules::{self, AssessError, Context};

/// The zakat assessment of a population.
#[derive(Debug)]
pub struct Zakat;

/// A stream's first line: the document's fields but `payers`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ContextLine {
    zakat_date: CivilDate,
    currency: Currency,
    prices: Prices,
    #[serde(default)]
    policy: Policy,
}

/// The engine asked for, with what every payer shares.
pub enum SharedEngine<'a> {
    /// Fixed point, hoisted once (the hawl table over the first payers).
    Fast(Prepared<'a>),
    /// The reference rules.
    Reference(Context<'a>),
}

fn error(e: AssessError) -> InputError {
    InputError::new(e.at, e.message)
}

impl Domain for Zakat {
    type Input = ZakatInput;
    type Record = Payer;
    type Shared<'a> = SharedEngine<'a>;
    type PartState<'s> = &'s SharedEngine<'s>;
    type Output = ZakatOutput;

    const RECORDS: &'static str = "payers";
    const PACKS: bool = true;
    const OUTPUTS: &'static str = "assessments";
    // About 12,000 payers a block, some 4 MB of output. Only this size
    // has been measured: `scripts/bench-tool` (at ea84a1e, in
    // `book/src/generated/tool.md`) ran a million payers as JSON Lines in
    // 0.52 s at a 53 MB peak and ten million in 5.63 s at 62 MB, memory
    // that does not grow with the file, which is what the size is for. No
    // other size was timed. Smaller blocks would lower that peak and
    // hoist the hawl table from fewer payers; larger ones make the cores
    // wait at a block's end less often, which should matter with many
    // more cores than the two it was measured on (a block's parts shrink
    // as the threads grow).
    const BLOCK_BYTES: usize = 4 << 20;
    // Some 6 MB of output a batch (16,384 assessments of the 383 bytes
    // the tool chapter counts for one). Not measured against other sizes:
    // the last bench of this path (`book/src/generated/tool.md` as of
    // 388978b, before the one-pass path) took a million payers in 2.68 s
    // at a 738 MB peak, every record kept, and since then `bench-tool`'s
    // documents all go the one-pass way. A bigger batch should suit many
    // more cores; a smaller one would save only a few megabytes beside
    // the records this path keeps.
    const DOCUMENT_BATCH: usize = 16_384;
    // Some 3,000 payers a task (324 bytes a payer, the tool chapter's
    // count), some 1.2 MB of results each waiting to be confirmed. Not
    // measured against other sizes: the one-pass path was measured whole
    // at this size (a million payers 1.6 -> 0.77 s in 5ac83a9's message;
    // 0.44 s at a 342 MB peak to a file at ea84a1e, the 324 MB file
    // mapped being most of it). Smaller chunks pay a task's own cost (its
    // guess, its engine state, its buffer) more often and balance the
    // cores better on a small document; larger ones hold more results
    // unconfirmed.
    const CHUNK_BYTES: usize = 1 << 20;

    fn parse_document(text: &str) -> Result<ZakatInput, InputError> {
        ZakatInput::from_json(text)
    }

    fn parse_context(text: &str) -> Result<ZakatInput, InputError> {
        let line: ContextLine = parse_json(text)?;
        Ok(ZakatInput {
            zakat_date: line.zakat_date,
            currency: line.currency,
            prices: line.prices,
            policy: line.policy,
            payers: Vec::new(),
        })
    }

    fn read(bytes: &[u8]) -> Option<Payer> {
        crate::zakat::parse::payer(bytes)
    }

    fn read_at(bytes: &[u8], at: usize) -> Option<(Payer, usize)> {
        crate::zakat::parse::payer_at(bytes, at)
    }

    fn read_into(bytes: &[u8], at: usize, payer: &mut Payer) -> Option<usize> {
        crate::zakat::parse::payer_into(bytes, at, payer)
    }

    fn check(input: &ZakatInput, payer: &Payer) -> Result<(), InputError> {
        input.check_payer(payer)
    }

    fn id(payer: &Payer) -> &str {
        &payer.id
    }

    fn shared<'a, 'r>(
        input: &'a ZakatInput,
        engine: Engine,
        sample: impl Iterator<Item = &'r Payer>,
    ) -> SharedEngine<'a> {
        match engine {
            Engine::Fast => {
                let starts: Vec<CivilDate> = sample.map(|payer| payer.hawl_start).collect();
                SharedEngine::Fast(Prepared::for_starts(input, &starts, true))
            }
            Engine::Reference => SharedEngine::Reference(Context::of(input)),
        }
    }

    fn part<'s>(shared: &'s SharedEngine<'_>, _payers: &[Payer]) -> &'s SharedEngine<'s> {
        shared
    }

    fn compute(shared: &mut &SharedEngine<'_>, payer: &Payer) -> Result<(), InputError> {
        match shared {
            SharedEngine::Fast(prepared) => engine::assess_payer(prepared, payer).map(drop),
            SharedEngine::Reference(context) => rules::assess(payer, context).map(drop),
        }
        .map_err(error)
    }

    fn write(
        shared: &mut &SharedEngine<'_>,
        payer: &Payer,
        w: &mut JsonWriter<'_>,
    ) -> Result<(), InputError> {
        let assessment = match shared {
            SharedEngine::Fast(prepared) => {
                match engine::assess_payer(prepared, payer).map_err(error)? {
                    Assessed::Fast(figures) => {
                        w.element();
                        write_figures(w, &payer.id, &figures, prepared);
                        return Ok(());
                    }
                    Assessed::Reference(assessment) => assessment,
                }
            }
            SharedEngine::Reference(context) => rules::assess(payer, context).map_err(error)?,
        };
        w.element();
        write_assessment(w, &assessment);
        Ok(())
    }

    fn hold(
        shared: &mut &SharedEngine<'_>,
        payer: &Payer,
        held: &mut Held,
    ) -> Result<(), InputError> {
        let assessment = match shared {
            SharedEngine::Fast(prepared) => {
                match engine::assess_payer(prepared, payer).map_err(error)? {
                    Assessed::Fast(figures) => {
                        if !pack(&payer.id, &figures, held) {
                            held.text(|w| {
                                w.element();
                                write_figures(w, &payer.id, &figures, prepared);
                                Ok(())
                            })?;
                        }
                        return Ok(());
                    }
                    // Assessed once: its text held as it is.
                    Assessed::Reference(assessment) => assessment,
                }
            }
            SharedEngine::Reference(context) => rules::assess(payer, context).map_err(error)?,
        };
        held.text(|w| {
            w.element();
            write_assessment(w, &assessment);
            Ok(())
        })
    }

    fn unpack(shared: &SharedEngine<'_>, packed: &[u8], w: &mut JsonWriter<'_>) -> usize {
        let SharedEngine::Fast(prepared) = shared else {
            unreachable!("only the fixed-point engine packs");
        };
        let (id, figures, read) = unpack(packed);
        w.element();
        write_figures(w, id, &figures, prepared);
        read
    }

    fn head(input: &ZakatInput, w: &mut JsonWriter<'_>) {
        w.key("currency");
        w.string(input.currency.as_str());
    }

    fn run_document(engine: Engine, input: &ZakatInput) -> Result<ZakatOutput, InputError> {
        engine::assess_with(engine, input)
    }

    fn output_len(output: &ZakatOutput) -> usize {
        output.assessments.len()
    }
}

/// Packs a plain assessment (no harvests, no herds, an id of at most 255
/// bytes): the id, the hawl's end, two flags and six sums in cents, some
/// 65 bytes where its pretty text is 383 (the nisab is the file's, in
/// `Prepared`). `false`, with nothing held, for any other.
fn pack(id: &str, f: &Figures, held: &mut Held) -> bool {
    let Ok(id_len) = u8::try_from(id.len()) else {
        return false;
    };
    if f.n_crops != 0 || f.herds != [None; 3] {
        return false;
    }
    let Ok(year) = i16::try_from(f.hawl_end.year()) else {
        return false;
    };
    let bytes = held.packed();
    bytes.push(id_len);
    bytes.extend_from_slice(id.as_bytes());
    bytes.extend_from_slice(&year.to_le_bytes());
    bytes.push(f.hawl_end.month());
    bytes.push(f.hawl_end.day());
    bytes.push(u8::from(f.hawl_complete) | u8::from(f.nisab_met) << 1);
    for sum in [
        f.zakatable_assets,
        f.deductible_debts,
        f.net_wealth,
        f.wealth_zakat,
        f.rikaz_zakat,
        f.total_due,
    ] {
        bytes.extend_from_slice(&sum.to_le_bytes());
    }
    true
}

/// What [`pack`] packed at the start of `bytes`: the id, the figures, and
/// the bytes read.
fn unpack(bytes: &[u8]) -> (&str, Figures, usize) {
    let id_len = usize::from(bytes[0]);
    let id = std::str::from_utf8(&bytes[1..1 + id_len]).expect("an id packed from a str");
    let mut at = 1 + id_len;
    let mut take = |n: usize| {
        let taken = &bytes[at..at + n];
        at += n;
        taken
    };
    let year = i16::from_le_bytes(take(2).try_into().expect("two bytes"));
    let (month, day) = (take(1)[0], take(1)[0]);
    let hawl_end =
        CivilDate::new(i32::from(year), month, day).expect("a date packed from a CivilDate");
    let flags = take(1)[0];
    let mut sum = || i64::from_le_bytes(take(8).try_into().expect("eight bytes"));
    let figures = Figures {
        hawl_end,
        hawl_complete: flags & 1 != 0,
        nisab_met: flags & 2 != 0,
        zakatable_assets: sum(),
        deductible_debts: sum(),
        net_wealth: sum(),
        wealth_zakat: sum(),
        rikaz_zakat: sum(),
        total_due: sum(),
        crops: [Crop::default(); MAX_CROPS],
        n_crops: 0,
        herds: [None; 3],
    };
    (id, figures, at)
}
