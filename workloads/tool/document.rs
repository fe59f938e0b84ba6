//! A document read whole: the one-pass path tried first (`one_pass.rs`);
//! otherwise the structural scan finds the records, every record is kept,
//! parsed and checked on every core, then computed and written in batches
//! while the writer thread writes the batch before; anything unexpected
//! there sends the whole document to the reference path (the reference
//! parser and the engine asked for, all in memory), which names the
//! problem as it always has.

use std::io::{self, Write};

use anyhow::{Context as _, Result};
use rayon::prelude::*;

use super::command::{Options, Summary, progress_bar};
use super::domain::Domain;
use super::one_pass::one_pass;
use super::output::{Output, SpareBuffers, send, with_writer};
use super::parts::per_part;
use super::source::{input_name, load};
use crate::input::{Engine, InputError};
use crate::json::JsonWriter;
use crate::json::scan;

/// Reads, computes and writes a document: in one pass where it can, else
/// with every record kept, else by the reference path.
pub(super) fn document<D: Domain>(options: &Options, output: &mut Output) -> Result<Summary> {
    let name = input_name(&options.input);
    let bytes = load(&options.input)?;
    let bad_input = || format!("bad input in {}", options.input.display());
    if options.engine == Engine::Fast
        && let Some(summary) = one_pass::<D>(options, &bytes, output)?
    {
        return Ok(summary);
    }
    let fast = match options.engine {
        Engine::Fast => split_document::<D>(&bytes),
        Engine::Reference => None,
    };
    let Some((input, records)) = fast else {
        // The reference path: the reference parser, which names the first
        // problem in the file, then the engine asked for, all in memory.
        let text = std::str::from_utf8(&bytes).map_err(|_| {
            anyhow::anyhow!("cannot read {name}: stream did not contain valid UTF-8")
        })?;
        let input = D::parse_document(text).with_context(bad_input)?;
        let result = D::run_document(options.engine, &input).with_context(bad_input)?;
        let describe = output.describe();
        let mut writer = io::BufWriter::new(output.destination());
        let written = if options.compact {
            serde_json::to_writer(&mut writer, &result)
        } else {
            serde_json::to_writer_pretty(&mut writer, &result)
        };
        written
            .map_err(io::Error::from)
            .and_then(|()| writer.write_all(b"\n"))
            .and_then(|()| writer.flush())
            .with_context(|| format!("cannot write {describe}"))?;
        return Ok(Summary {
            written: D::output_len(&result) as u64,
            rejected: 0,
            one_pass: false,
        });
    };
    drop(bytes);
    let shared = D::shared(&input, options.engine, records.iter());
    if !output.destination().rewindable() {
        // Standard output cannot be taken back: every record is computed
        // once before the first byte goes out, so that bad input prints
        // nothing. A file is renamed into place only at the end instead.
        first_failure::<D>(&shared, &records, |part, record| D::compute(part, record))
            .map_err(|e| anyhow::Error::new(e).context(bad_input()))?;
    }
    let bar = progress_bar(options, Some(records.len() as u64), D::RECORDS);
    let mut head = String::new();
    let pretty = !options.compact;
    let mut w = JsonWriter::new(&mut head, pretty);
    w.begin_object();
    D::head(&input, &mut w);
    w.key(D::OUTPUTS);
    w.begin_array();
    let spares = SpareBuffers::default();
    with_writer(output, &spares, |sender| {
        if !send(sender, vec![head]) {
            return Ok(());
        }
        for (batch_idx, batch) in records.chunks(D::DOCUMENT_BATCH).enumerate() {
            let first = batch_idx * D::DOCUMENT_BATCH;
            let per_part = per_part(batch.len());
            let parts: Vec<Result<String, InputError>> = batch
                .par_chunks(per_part)
                .enumerate()
                .map(|(part_idx, part_records)| {
                    let mut out = spares.take();
                    let none_before = first == 0 && part_idx == 0;
                    let mut w = JsonWriter::inside_array(&mut out, pretty, 2, none_before);
                    let mut part = D::part(&shared, part_records);
                    for (offset, record) in part_records.iter().enumerate() {
                        D::write(&mut part, record, &mut w)
                            .map_err(|e| at_record::<D>(first + part_idx * per_part + offset, e))?;
                    }
                    Ok(out)
                })
                .collect();
            // In order: the first failure is the first bad record's, the
            // reference's error (every record parsed and checked above).
            let parts = parts
                .into_iter()
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| anyhow::Error::new(e).context(bad_input()))?;
            bar.inc(batch.len() as u64);
            if !send(sender, parts) {
                return Ok(());
            }
        }
        let mut tail = String::new();
        let mut w = JsonWriter::inside_array(&mut tail, pretty, 2, records.is_empty());
        w.end_array();
        w.end_object();
        tail.push('\n');
        send(sender, vec![tail]);
        Ok(())
    })?;
    bar.finish_and_clear();
    let written = records.len() as u64;
    // Freeing a million records one by one just before the process ends
    // costs tens of milliseconds that the kernel's unmapping does for free.
    std::mem::forget(records);
    Ok(Summary {
        written,
        rejected: 0,
        one_pass: false,
    })
}

/// The document split and its records parsed on every core, each one
/// checked; `None` for anything the reference path must judge.
fn split_document<D: Domain>(bytes: &[u8]) -> Option<(D::Input, Vec<D::Record>)> {
    let split = scan::split(bytes, D::RECORDS)?;
    let context = std::str::from_utf8(&split.context).ok()?;
    let input = D::parse_document(context).ok()?;
    let parts: Option<Vec<Vec<D::Record>>> = split
        .records
        .par_chunks(per_part(split.records.len()))
        .map(|ranges| {
            ranges
                .iter()
                .map(|range| {
                    let text = &bytes[range.clone()];
                    let record = D::read(text).or_else(|| serde_json::from_slice(text).ok())?;
                    D::check(&input, &record).ok()?;
                    Some(record)
                })
                .collect::<Option<Vec<_>>>()
        })
        .collect();
    let parts = parts?;
    let mut records = Vec::with_capacity(split.records.len());
    for part in parts {
        records.extend(part);
    }
    // Ids are unique in a document (the reference says which repeats):
    // their hashes sorted on every core, and the strings compared only
    // where two hashes meet.
    if !unique_ids::<D>(&records) {
        return None;
    }
    Some((input, records))
}

/// Runs `each` over every record on every core, in parts; the first
/// record's failure in input order, at its path in the document.
fn first_failure<D: Domain>(
    shared: &D::Shared<'_>,
    records: &[D::Record],
    each: impl Fn(&mut D::PartState<'_>, &D::Record) -> Result<(), InputError> + Sync,
) -> Result<(), InputError> {
    let per_part = per_part(records.len());
    let failures: Vec<Option<InputError>> = records
        .par_chunks(per_part)
        .enumerate()
        .map(|(part_idx, part_records)| {
            let mut part = D::part(shared, part_records);
            part_records
                .iter()
                .enumerate()
                .find_map(|(offset, record)| {
                    each(&mut part, record)
                        .err()
                        .map(|e| at_record::<D>(part_idx * per_part + offset, e))
                })
        })
        .collect();
    match failures.into_iter().flatten().next() {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Whether no two records share an id.
fn unique_ids<D: Domain>(records: &[D::Record]) -> bool {
    let hasher = ahash::RandomState::with_seeds(1, 2, 3, 4);
    let mut hashes: Vec<(u64, usize)> = records
        .par_iter()
        .enumerate()
        .map(|(idx, record)| (hasher.hash_one(D::id(record)), idx))
        .collect();
    hashes.par_sort_unstable();
    hashes.windows(2).all(|pair| {
        pair[0].0 != pair[1].0 || D::id(&records[pair[0].1]) != D::id(&records[pair[1].1])
    })
}

/// An error at a record's own path, at its path in the document.
fn at_record<D: Domain>(index: usize, e: InputError) -> InputError {
    let path = if e.path.is_empty() {
        format!("{}[{index}]", D::RECORDS)
    } else {
        format!("{}[{index}].{}", D::RECORDS, e.path)
    };
    InputError::new(path, e.message)
}
