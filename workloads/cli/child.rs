//! The answers to the lab's child requests ([`mizan::lab::child`]): a form
//! timed, run, or profiled in a process of its own, reports kept under an
//! allocator setting.

use anyhow::{Context as _, Result};

use mizan::lab::child::Request;

use super::find_lesson;

/// Does what the parent asked.
pub fn answer(request: Request) -> Result<()> {
    match request {
        Request::TimeForm {
            lesson,
            target,
            scale,
            seed,
            runs,
            contrast,
            serve,
        } => {
            let lesson = find_lesson(&lesson)?;
            let form = target
                .form()
                .context("time-form times a form: naive or optimized")?;
            let prepared = if contrast {
                lesson
                    .prepare_contrast(seed)
                    .context("time-form --contrast times a lesson with a contrast")?
            } else {
                lesson.prepare(scale, seed)
            };
            if serve {
                let stdin = std::io::stdin().lock();
                let stdout = std::io::stdout().lock();
                mizan::lab::process::serve(prepared.as_ref(), form, stdin, stdout)
                    .context("serving timed runs")?;
            } else {
                println!(
                    "{}",
                    mizan::lab::process::child(prepared.as_ref(), form, runs)
                );
            }
        }
        Request::RunForm {
            lesson,
            target,
            scale,
            seed,
        } => {
            let prepared = find_lesson(&lesson)?.prepare(scale, seed);
            if let Some(form) = target.form() {
                prepared.run(form);
            }
        }
        Request::ProfileForm {
            lesson,
            target,
            samples,
            scale,
            seed,
            output,
        } => {
            let lesson = find_lesson(&lesson)?;
            let form = target
                .form()
                .context("profile-form profiles a form: naive or optimized")?;
            let prepared = lesson.prepare(scale, seed);
            let how = mizan::lab::profile::Made {
                scale,
                seed,
                samples,
            };
            let section = mizan::lab::profile::profile_form(
                lesson.id(),
                prepared.as_ref(),
                form,
                how,
                &output,
            )
            .map_err(anyhow::Error::msg)?;
            print!("{section}");
        }
        Request::HeapForm {
            lesson,
            form,
            scale,
            seed,
        } => {
            let lesson = find_lesson(&lesson)?;
            let section = mizan::lab::profile::heap_form(lesson, &form, scale, seed)
                .map_err(anyhow::Error::msg)?;
            print!("{section}");
        }
        Request::HoldReports {
            setting,
            scale,
            seed,
            reports,
        } => {
            use mizan::lessons::murabaha::memory_limits::{Setting, hold};
            let setting = <Setting as clap::ValueEnum>::from_str(&setting, false)
                .map_err(|e| anyhow::anyhow!("hold-reports: {e}"))?;
            let held = hold(setting, scale, seed, reports).map_err(anyhow::Error::msg)?;
            println!("{}", serde_json::to_string(&held)?);
        }
        Request::CountForms {
            lesson,
            scale,
            seed,
            contrast,
        } => {
            let lesson = find_lesson(&lesson)?;
            let prepared = if contrast {
                lesson
                    .prepare_contrast(seed)
                    .context("count-forms --contrast counts a lesson with a contrast")?
            } else {
                lesson.prepare(scale, seed)
            };
            mizan::lab::counters::run_forms(prepared.as_ref());
        }
        Request::RunOne { .. } => {
            anyhow::bail!("run-one is the exercise checker's (`cargo exercise`), not mizan's")
        }
    }
    Ok(())
}
