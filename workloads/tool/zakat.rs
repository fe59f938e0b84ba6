//! `mizan zakat assess` as a [`Domain`] of the driver.

use serde::Deserialize;

use super::domain::Domain;
use crate::date::CivilDate;
use crate::input::{Currency, Engine, InputError, parse_json};
use crate::json::JsonWriter;
use crate::zakat::engine::{self, Assessed};
use crate::zakat::fixed::Prepared;
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
pub enum Shared<'a> {
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
    type Shared<'a> = Shared<'a>;
    type Part<'s> = &'s Shared<'s>;
    type Output = ZakatOutput;

    const RECORDS: &'static str = "payers";
    const OUTPUTS: &'static str = "assessments";
    // About 12,000 payers a block, some 4 MB of output.
    const BLOCK_BYTES: usize = 4 << 20;
    const DOCUMENT_BATCH: usize = 16_384;
    // Some 3,000 payers a task.
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
    ) -> Shared<'a> {
        match engine {
            Engine::Fast => {
                let starts: Vec<CivilDate> = sample.map(|payer| payer.hawl_start).collect();
                Shared::Fast(Prepared::for_starts(input, &starts, true))
            }
            Engine::Reference => Shared::Reference(Context::of(input)),
        }
    }

    fn part<'s>(shared: &'s Shared<'_>, _payers: &[Payer]) -> &'s Shared<'s> {
        shared
    }

    fn compute(shared: &mut &Shared<'_>, payer: &Payer) -> Result<(), InputError> {
        match shared {
            Shared::Fast(prepared) => engine::assess_payer(prepared, payer).map(drop),
            Shared::Reference(context) => rules::assess(payer, context).map(drop),
        }
        .map_err(error)
    }

    fn write(
        shared: &mut &Shared<'_>,
        payer: &Payer,
        w: &mut JsonWriter<'_>,
    ) -> Result<(), InputError> {
        let assessment = match shared {
            Shared::Fast(prepared) => match engine::assess_payer(prepared, payer).map_err(error)? {
                Assessed::Fast(figures) => {
                    w.element();
                    write_figures(w, payer, &figures, prepared);
                    return Ok(());
                }
                Assessed::Reference(assessment) => assessment,
            },
            Shared::Reference(context) => rules::assess(payer, context).map_err(error)?,
        };
        w.element();
        write_assessment(w, &assessment);
        Ok(())
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
