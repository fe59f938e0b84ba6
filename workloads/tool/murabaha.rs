//! `mizan murabaha process` as a [`Domain`] of the driver.

use serde::Deserialize;

use super::domain::Domain;
use crate::date::CivilDate;
use crate::input::{Engine, InputError, parse_json};
use crate::json::JsonWriter;
use crate::murabaha::engine::{self, Processed};
use crate::murabaha::fixed::{Prepared, Schedule};
use crate::murabaha::model::{Contract, LatePolicy, MurabahaInput, MurabahaOutput};
use crate::murabaha::output::{write_figures, write_result};
use crate::murabaha::rules::{self, ProcessError};

/// The processing of a murabaha portfolio.
#[derive(Debug)]
pub struct Murabaha;

/// A stream's first line: the document's fields but `contracts`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ContextLine {
    as_of: CivilDate,
    #[serde(default)]
    late_policy: LatePolicy,
}

/// The engine asked for, with the context.
pub struct SharedEngine<'a> {
    input: &'a MurabahaInput,
    /// Fixed point's hoisted context, for the fast engine.
    prepared: Option<Prepared>,
}

/// One part's state: a schedule's buffers, reused from contract to
/// contract.
pub struct PartState<'s> {
    shared: &'s SharedEngine<'s>,
    schedule: Schedule,
}

fn error(e: ProcessError) -> InputError {
    InputError::new(e.at, e.message)
}

impl Domain for Murabaha {
    type Input = MurabahaInput;
    type Record = Contract;
    type Shared<'a> = SharedEngine<'a>;
    type PartState<'s> = PartState<'s>;
    type Output = MurabahaOutput;

    const RECORDS: &'static str = "contracts";
    const OUTPUTS: &'static str = "contracts";
    // Some 500 contracts a block: their results are many times the
    // input's size. Only this size has been measured: `scripts/bench-tool`
    // (at ea84a1e, in `book/src/generated/tool.md`) ran 200,000 contracts
    // as JSON Lines in 4.17 s at a 53 MB peak. No other size was timed.
    // A quarter of zakat's block is about as much work (500 contracts at
    // the tool chapter's 306,000 instructions each, against 12,000 payers
    // at 5,020), with several times the output; a larger block would hold
    // proportionally more output in flight, a smaller one make the cores
    // wait at a block's end more often.
    const BLOCK_BYTES: usize = 1 << 20;
    // Some 52 MB of output a batch (1,024 results of the some 51 KB the
    // tool chapter counts for one). Not measured against other sizes: the
    // last bench of this path (`book/src/generated/tool.md` as of
    // 388978b, before the one-pass path) took 200,000 contracts in
    // 12.57 s at a 721 MB peak, every record kept, and since then
    // `bench-tool`'s documents all go the one-pass way. A bigger batch
    // holds more output at once (three batches' worth wait for or go
    // through the writer); a smaller one makes the cores wait at its end
    // more often.
    const DOCUMENT_BATCH: usize = 1_024;
    // Some 120 contracts a task (the tool chapter's 434 MB file of
    // 200,000 is some 2,170 bytes a contract), some 6 MB of results
    // each, waiting to be confirmed: a wave of eight tasks (four a
    // thread, on two cores) holds some 50 MB. Not measured against other
    // sizes: the one-pass path was measured whole at this size (200,000
    // contracts to a file in 6.93 s at a 552 MB peak at ea84a1e, the
    // 434 MB file mapped being most of it). Zakat's megabyte would hold
    // four times as much here; a smaller chunk pays a task's own cost
    // (its guess, its schedule's room, its buffer) more often.
    const CHUNK_BYTES: usize = 256 << 10;

    fn parse_document(text: &str) -> Result<MurabahaInput, InputError> {
        MurabahaInput::from_json(text)
    }

    fn parse_context(text: &str) -> Result<MurabahaInput, InputError> {
        let line: ContextLine = parse_json(text)?;
        Ok(MurabahaInput {
            as_of: line.as_of,
            late_policy: line.late_policy,
            contracts: Vec::new(),
        })
    }

    fn read(bytes: &[u8]) -> Option<Contract> {
        crate::murabaha::parse::contract(bytes)
    }

    fn read_at(bytes: &[u8], at: usize) -> Option<(Contract, usize)> {
        crate::murabaha::parse::contract_at(bytes, at)
    }

    fn check(input: &MurabahaInput, contract: &Contract) -> Result<(), InputError> {
        input.check_contract(contract)
    }

    fn id(contract: &Contract) -> &str {
        &contract.id
    }

    fn shared<'a, 'r>(
        input: &'a MurabahaInput,
        engine: Engine,
        _sample: impl Iterator<Item = &'r Contract>,
    ) -> SharedEngine<'a> {
        SharedEngine {
            input,
            prepared: (engine == Engine::Fast)
                .then(|| Prepared::new(input.as_of, &input.late_policy)),
        }
    }

    fn part<'s>(shared: &'s SharedEngine<'_>, contracts: &[Contract]) -> PartState<'s> {
        PartState {
            shared,
            schedule: Schedule::for_contracts(contracts).with_every_column(),
        }
    }

    fn compute(part: &mut PartState<'_>, contract: &Contract) -> Result<(), InputError> {
        let input = part.shared.input;
        match &part.shared.prepared {
            Some(prepared) => {
                engine::process_contract(prepared, input, contract, &mut part.schedule).map(drop)
            }
            None => rules::process(contract, input.as_of, &input.late_policy).map(drop),
        }
        .map_err(error)
    }

    fn write(
        part: &mut PartState<'_>,
        contract: &Contract,
        w: &mut JsonWriter<'_>,
    ) -> Result<(), InputError> {
        let input = part.shared.input;
        match &part.shared.prepared {
            Some(prepared) => {
                match engine::process_contract(prepared, input, contract, &mut part.schedule)
                    .map_err(error)?
                {
                    Processed::Fast(figures) => {
                        w.element();
                        write_figures(w, contract, &figures, &part.schedule);
                    }
                    Processed::Reference(result) => {
                        w.element();
                        write_result(w, &result);
                    }
                }
            }
            None => {
                let result =
                    rules::process(contract, input.as_of, &input.late_policy).map_err(error)?;
                w.element();
                write_result(w, &result);
            }
        }
        Ok(())
    }

    fn head(_input: &MurabahaInput, _w: &mut JsonWriter<'_>) {}

    fn run_document(engine: Engine, input: &MurabahaInput) -> Result<MurabahaOutput, InputError> {
        engine::process_with(engine, input)
    }

    fn output_len(output: &MurabahaOutput) -> usize {
        output.contracts.len()
    }
}
