//! Clean: nothing in the lab's tree changed but the attempts, so that a
//! change to the reference, the generators or the timer cannot pass.

use std::path::Path;
use std::process::Command;

use serde::Serialize;

/// Whether the tree holds only the attempt's changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Clean {
    /// Nothing changed but the attempts.
    Clean,
    /// These paths changed (uncommitted, or committed since the upstream
    /// branch).
    Changed {
        /// The changed paths, from the checkout's root.
        paths: Vec<String>,
    },
    /// Git could not say (not a checkout, no git).
    Unknown {
        /// Why.
        reason: String,
    },
}

/// Paths git reports as changed in `root`'s checkout: uncommitted changes
/// and untracked files (the attempts are ignored), and the files changed by
/// commits not on the upstream branch, if there is one.
pub fn cleanliness(root: &Path) -> Clean {
    let git = |args: &[&str]| -> Result<String, String> {
        let out = Command::new("git")
            .args(args)
            .current_dir(root)
            .output()
            .map_err(|e| format!("cannot run git: {e}"))?;
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).trim().to_owned());
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let status = match git(&["status", "--porcelain", "--untracked-files=all"]) {
        Ok(status) => status,
        Err(reason) => return Clean::Unknown { reason },
    };
    let mut paths: Vec<String> = status
        .lines()
        .filter_map(|line| line.get(3..))
        .map(str::to_owned)
        .collect();
    if let Ok(committed) = git(&["diff", "--name-only", "@{upstream}...HEAD"]) {
        paths.extend(committed.lines().map(str::to_owned));
    }
    changed(paths)
}

/// The verdict on a list of changed paths: the build's own outputs and the
/// checker's records do not count.
pub fn changed(mut paths: Vec<String>) -> Clean {
    paths.retain(|p| !p.starts_with("target/") && !p.starts_with("exercises/attempts/"));
    paths.sort();
    paths.dedup();
    if paths.is_empty() {
        Clean::Clean
    } else {
        Clean::Changed { paths }
    }
}
