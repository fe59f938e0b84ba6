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
pub struct Shared<'a> {
    input: &'a MurabahaInput,
    /// Fixed point's hoisted context, for the fast engine.
    prepared: Option<Prepared>,
}

/// One part's state: a schedule's buffers, reused from contract to
/// contract.
pub struct Part<'s> {
    shared: &'s Shared<'s>,
    schedule: Schedule,
}

fn error(e: ProcessError) -> InputError {
    InputError::new(e.at, e.message)
}

impl Domain for Murabaha {
    type Input = MurabahaInput;
    type Record = Contract;
    type Shared<'a> = Shared<'a>;
    type Part<'s> = Part<'s>;
    type Output = MurabahaOutput;

    const RECORDS: &'static str = "contracts";
    const OUTPUTS: &'static str = "contracts";
    // Some 500 contracts a block: their results are many times the
    // input's size.
    const BLOCK_BYTES: usize = 1 << 20;
    const DOCUMENT_BATCH: usize = 1_024;
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
    ) -> Shared<'a> {
        Shared {
            input,
            prepared: (engine == Engine::Fast)
                .then(|| Prepared::new(input.as_of, &input.late_policy)),
        }
    }

    fn part<'s>(shared: &'s Shared<'_>, contracts: &[Contract]) -> Part<'s> {
        Part {
            shared,
            schedule: Schedule::for_contracts(contracts).with_every_column(),
        }
    }

    fn compute(part: &mut Part<'_>, contract: &Contract) -> Result<(), InputError> {
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
        part: &mut Part<'_>,
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
