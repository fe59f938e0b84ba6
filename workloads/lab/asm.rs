//! A form's machine code (`mizan asm LESSON FORM`): the function the
//! lesson registered, as the binary that is running holds it (with what
//! the compiler inlined into it), disassembled by binutils' `objdump`, and
//! the instructions a reader looks for counted: vector instructions,
//! conditional jumps, selects (`cmov`, `set`) and calls, direct and
//! indirect.
//!
//! The running process knows where a form's code is (its function
//! pointer); the binary's symbol table (`nm`) knows which function starts
//! there, once the address is taken back to the binary's own (a
//! position-independent executable is loaded at a base that changes from
//! run to run: `/proc/self/maps` says where). Read from the release binary
//! (`cargo run --release -- asm ...`), it is the code the lab times; a
//! debug build's is not optimized and says nothing about it.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use serde::{Deserialize, Serialize};

/// One function's machine code and what it counts.
#[derive(Debug, Clone)]
pub struct Listing {
    /// The function, demangled.
    pub symbol: String,
    /// Other names the same code has (functions the linker or LLVM found
    /// identical and kept once).
    pub aliases: Vec<String>,
    /// Its address in the binary.
    pub address: u64,
    /// Its size in bytes.
    pub size: u64,
    /// Its instructions, one a line, as `objdump` prints them (AT&T
    /// syntax): `address: mnemonic operands`.
    pub instructions: Vec<String>,
    /// What they count.
    pub counts: Counts,
    /// The lessons' own functions it calls (a lesson's helper, a generic
    /// function's copy for this form, a loop built for a wider vector
    /// unit), up to [`FOLLOWED`] levels down: where a form's work is, when
    /// the form is a call.
    pub callees: Vec<Listing>,
}

/// What a reader looks for in a function's machine code.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Every instruction of the function.
    pub instructions: u64,
    /// Vector instructions: those that compute on several lanes of an
    /// `xmm` or `ymm` register (packed arithmetic, compares, shuffles),
    /// not the moves and register-clearing that copy or zero memory 16 or
    /// 32 bytes at a time, nor the scalar floating-point ones (`…ss`,
    /// `…sd`).
    pub vector: u64,
    /// Of those, on 256-bit `ymm` (AVX2) or 512-bit `zmm` registers.
    pub wide: u64,
    /// Conditional jumps (`jCC`): the branches of the code.
    pub conditional_jumps: u64,
    /// Selects, a choice made without a jump (`cmovCC`, `setCC`).
    pub selects: u64,
    /// Calls to other functions.
    pub calls: u64,
    /// Of those, through a pointer the program computed (`call *%rax`,
    /// `call *0x18(%rcx)`): a `dyn` method, a function pointer. A call
    /// through the global offset table (`call *0x…(%rip)`, how a
    /// position-independent binary calls the allocator) is direct.
    pub indirect_calls: u64,
}

impl Counts {
    /// The counts of instructions as `objdump` prints them (`mnemonic
    /// operands`, AT&T syntax).
    pub fn of<'a>(instructions: impl IntoIterator<Item = &'a str>) -> Counts {
        let mut counts = Counts::default();
        for text in instructions {
            let text = text.trim();
            let (mnemonic, operands) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
            let operands = operands.trim();
            counts.instructions += 1;
            if is_vector(mnemonic, operands) {
                counts.vector += 1;
                if operands.contains("%ymm") || operands.contains("%zmm") {
                    counts.wide += 1;
                }
            }
            if mnemonic.starts_with('j') && !mnemonic.starts_with("jmp") {
                counts.conditional_jumps += 1;
            }
            if mnemonic.starts_with("cmov") || mnemonic.starts_with("set") {
                counts.selects += 1;
            }
            if mnemonic.starts_with("call") {
                counts.calls += 1;
                // A call through the GOT (`*0x…(%rip)`) is a direct call to
                // another library's function; through a register, a
                // pointer the program computed.
                if operands.starts_with('*') && !operands.contains("(%rip)") {
                    counts.indirect_calls += 1;
                }
            }
        }
        counts
    }

    /// The counts in a sentence.
    pub fn describe(&self) -> String {
        format!(
            "{} instructions: {} vector ({} on 256-bit registers), {} conditional jumps, {} \
             selects (cmov/set), {} calls ({} indirect)",
            self.instructions,
            self.vector,
            self.wide,
            self.conditional_jumps,
            self.selects,
            self.calls,
            self.indirect_calls
        )
    }
}

/// Whether an instruction computes on a vector register's lanes.
fn is_vector(mnemonic: &str, operands: &str) -> bool {
    if !["%xmm", "%ymm", "%zmm"]
        .iter()
        .any(|r| operands.contains(r))
    {
        return false;
    }
    let bare = mnemonic.strip_prefix('v').unwrap_or(mnemonic);
    // Moves copy; a register XORed with itself is cleared.
    if bare.starts_with("mov") || bare.starts_with("lddqu") {
        return false;
    }
    let registers: Vec<&str> = operands.split(',').map(str::trim).collect();
    let clears = matches!(bare, "pxor" | "xorps" | "xorpd")
        && registers.windows(2).all(|pair| pair[0] == pair[1]);
    if clears {
        return false;
    }
    // Packed integer instructions (`p…`: `pminsd`, `pmaxsd` end as a
    // scalar one would) are vector work.
    if bare.starts_with('p') {
        return true;
    }
    // Scalar floating point on the low lane, and the conversions to and
    // from general registers.
    let scalar = bare.ends_with("ss")
        || bare.ends_with("sd")
        || bare.starts_with("cvtsi2")
        || bare.starts_with("cvtts")
        || bare.starts_with("cvtsd2si")
        || bare.starts_with("cvtss2si")
        || bare.starts_with("ucomis")
        || bare.starts_with("comis");
    !scalar
}

/// A binary's symbols and call targets, read once for every listing made
/// from it.
pub struct Binary {
    exe: std::path::PathBuf,
    base: u64,
    symbols: Vec<Symbol>,
    got: std::collections::HashMap<u64, (String, Option<u64>)>,
}

impl Binary {
    /// This process's binary `exe` (its own: `std::env::current_exe`).
    pub fn open(exe: &Path) -> Result<Binary, String> {
        let base = load_base(exe)?;
        let symbols = symbols(exe)?;
        let got = got_targets(exe, &symbols);
        Ok(Binary {
            exe: exe.to_owned(),
            base,
            symbols,
            got,
        })
    }

    /// The function whose code starts at `address` in this process,
    /// disassembled, with the lessons' functions it calls directly.
    pub fn listing(&self, address: usize) -> Result<Listing, String> {
        let mut listing = listing(self, address)?;
        // Where this process has a callee: the binary's address moved by
        // the base, as the form's was (unless the binary is not
        // position-independent and the two are one).
        let moved = listing.address != address as u64;
        let mut seen = std::collections::BTreeSet::from([listing.address]);
        // The lessons' functions it calls, and those they call, up to
        // [`FOLLOWED`] levels down, each once.
        let mut level: Vec<u64> = calls_of(&listing, &self.got);
        for _ in 0..FOLLOWED {
            let mut next = Vec::new();
            for target in level {
                if !seen.insert(target) {
                    continue;
                }
                let here = (if moved { target + self.base } else { target }) as usize;
                if let Ok(callee) = self::listing(self, here) {
                    next.extend(calls_of(&callee, &self.got));
                    listing.callees.push(callee);
                }
            }
            level = next;
        }
        Ok(listing)
    }
}

/// How many levels of the lessons' own functions a listing follows: a
/// form, the stage it calls, the build of a loop that stage chooses.
pub const FOLLOWED: usize = 3;

/// The lessons' functions a listing calls directly.
fn calls_of(
    listing: &Listing,
    got: &std::collections::HashMap<u64, (String, Option<u64>)>,
) -> Vec<u64> {
    (listing.instructions.iter())
        .filter_map(|line| lesson_call(line, got))
        .collect()
}

/// The function whose code starts at `address` in this process, from the
/// binary `exe` (this process's own), disassembled.
fn listing(binary: &Binary, address: usize) -> Result<Listing, String> {
    let (exe, base, symbols) = (binary.exe.as_path(), binary.base, &binary.symbols);
    let offset = (address as u64)
        .checked_sub(base)
        .ok_or_else(|| format!("{address:#x} is below the binary's base {base:#x}"))?;
    // A position-independent binary's symbols are relative to its base; a
    // fixed one's are the addresses themselves.
    let (value, size, names) = [offset, address as u64]
        .into_iter()
        .find_map(|value| {
            let names: Vec<&Symbol> = symbols.iter().filter(|s| s.value == value).collect();
            (!names.is_empty()).then(|| {
                let size = names.iter().map(|s| s.size).max().unwrap_or(0);
                (value, size, names)
            })
        })
        .ok_or_else(|| format!("no function of {} starts at {address:#x}", exe.display()))?;
    if size == 0 {
        return Err(format!("{} has no size in the symbol table", names[0].name));
    }
    let output = Command::new("objdump")
        .args(["-d", "-C", "--no-show-raw-insn"])
        .arg(format!("--start-address={value:#x}"))
        .arg(format!("--stop-address={:#x}", value + size))
        .arg(exe)
        .output()
        .map_err(|e| format!("cannot run objdump (binutils; `apt-get install binutils`): {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "objdump failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let got = &binary.got;
    let instructions: Vec<String> = text
        .lines()
        .filter_map(|line| {
            let (address, rest) = line.trim_start().split_once(":\t")?;
            u64::from_str_radix(address, 16).ok()?;
            Some(format!("{address}:\t{}", through_got(rest.trim_end(), got)))
        })
        .collect();
    let counts = Counts::of(
        instructions
            .iter()
            .map(|line| line.split_once('\t').map_or("", |(_, text)| text)),
    );
    let mut demangled: Vec<String> = names.iter().map(|s| demangle(&s.name)).collect();
    demangled.sort();
    demangled.dedup();
    // The lesson's own name first, where the code has several.
    if let Some(at) = demangled.iter().position(|n| n.contains("::lessons::")) {
        demangled.swap(0, at);
    }
    let symbol = demangled.remove(0);
    Ok(Listing {
        symbol,
        aliases: demangled,
        address: value,
        size,
        instructions,
        counts,
        callees: Vec::new(),
    })
}

/// The target of a direct call to one of the lessons' functions: `call
/// 739e52 <mizan::lessons::zakat::inlining::total_dyn>`, or the same
/// through the global offset table (`call *0x…(%rip)  # a72dd8 → …`).
fn lesson_call(
    line: &str,
    got: &std::collections::HashMap<u64, (String, Option<u64>)>,
) -> Option<u64> {
    let text = line.split_once('\t')?.1;
    let rest = text.strip_prefix("call")?.trim_start();
    if rest.starts_with('*') {
        let slot = rest.split_once("# ")?.1.split_whitespace().next()?;
        let (name, address) = got.get(&u64::from_str_radix(slot, 16).ok()?)?;
        return (*address).filter(|_| name.contains("::lessons::"));
    }
    let (target, name) = rest.split_once(' ')?;
    (name.contains("::lessons::") || drives_a_closure(name))
        .then(|| u64::from_str_radix(target, 16).ok())
        .flatten()
}

/// Whether a function is one of the standard library's iterator drivers
/// (`collect`'s `from_iter`, `fold`, `for_each`, `try_fold`, `extend`): a
/// copy of it made for the caller's closure holds the caller's loop, and
/// its name (without its generic arguments) does not say whose it is.
/// Called from a lesson's function, it is that lesson's loop.
fn drives_a_closure(name: &str) -> bool {
    let name = name.trim_start_matches('<').trim_end_matches('>');
    [
        "::from_iter",
        "::fold",
        "::for_each",
        "::try_fold",
        "::spec_extend",
        "::extend",
    ]
    .iter()
    .any(|driver| name.ends_with(driver))
}

impl Listing {
    /// The listing as `mizan asm` prints it: a heading, the code, the
    /// counts.
    pub fn render(&self, title: &str) -> String {
        let mut out = format!(
            "{title}: {} ({:#x}, {} bytes)\n",
            self.symbol, self.address, self.size
        );
        for alias in &self.aliases {
            let _ = writeln!(out, "  (the same code as {alias})");
        }
        for line in &self.instructions {
            let _ = writeln!(out, "  {line}");
        }
        let _ = writeln!(out, "{}", self.counts.describe());
        for callee in &self.callees {
            out.push('\n');
            out.push_str(&callee.render("which calls"));
        }
        if !self.callees.is_empty() {
            let _ = writeln!(out, "\nin all: {}", self.total().describe());
        }
        out
    }

    /// The counts of the function and its lesson callees together.
    pub fn total(&self) -> Counts {
        self.callees.iter().fold(self.counts, |mut sum, c| {
            sum.instructions += c.counts.instructions;
            sum.vector += c.counts.vector;
            sum.wide += c.counts.wide;
            sum.conditional_jumps += c.counts.conditional_jumps;
            sum.selects += c.counts.selects;
            sum.calls += c.counts.calls;
            sum.indirect_calls += c.counts.indirect_calls;
            sum
        })
    }
}

/// A loop of a listing: the instructions from a backward jump's target to
/// the jump, inclusive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loop {
    /// The function it is in.
    pub symbol: String,
    /// Its instructions, as in [`Listing::instructions`].
    pub instructions: Vec<String>,
    /// What they count.
    pub counts: Counts,
}

/// The most lines a loop excerpt shows before it prefers a smaller loop.
pub const LOOP_LINES: usize = 80;

impl Listing {
    /// The loops of this function: each backward jump (conditional or
    /// not) to an address inside the function, with what lies between.
    pub fn loops(&self) -> Vec<Loop> {
        let address = |line: &String| {
            line.split_once(':')
                .and_then(|(a, _)| u64::from_str_radix(a.trim(), 16).ok())
        };
        let addresses: Vec<Option<u64>> = self.instructions.iter().map(address).collect();
        let mut loops = Vec::new();
        for (at, line) in self.instructions.iter().enumerate() {
            let Some(text) = line.split_once('\t').map(|(_, t)| t.trim()) else {
                continue;
            };
            let (mnemonic, operands) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
            if !mnemonic.starts_with('j') {
                continue;
            }
            let Some(target) =
                (operands.split_whitespace().next()).and_then(|t| u64::from_str_radix(t, 16).ok())
            else {
                continue;
            };
            let Some(here) = addresses[at] else { continue };
            if target > here {
                continue;
            }
            let Some(start) = addresses.iter().position(|a| *a == Some(target)) else {
                continue;
            };
            let instructions = self.instructions[start..=at].to_vec();
            let counts = Counts::of(
                instructions
                    .iter()
                    .map(|line| line.split_once('\t').map_or("", |(_, text)| text)),
            );
            loops.push(Loop {
                symbol: self.symbol.clone(),
                instructions,
                counts,
            });
        }
        loops
    }

    /// The loop a reader should see first, in this function or the
    /// lessons' functions it calls: the one with the most vector
    /// instructions; among those, the largest of at most [`LOOP_LINES`]
    /// lines (the loop body, not a small inner step of it), or the
    /// smallest if none is that short.
    pub fn hot_loop(&self) -> Option<Loop> {
        let mut loops = self.loops();
        for callee in &self.callees {
            loops.extend(callee.loops());
        }
        let most_vector = loops.iter().map(|l| l.counts.vector).max()?;
        loops.retain(|l| l.counts.vector == most_vector);
        let fits = |l: &Loop| l.instructions.len() <= LOOP_LINES;
        if loops.iter().any(fits) {
            loops.retain(fits);
            loops.into_iter().max_by_key(|l| l.instructions.len())
        } else {
            loops.into_iter().min_by_key(|l| l.instructions.len())
        }
    }

    /// The book's page of a form's machine code: the hot loop (or, with
    /// no loop, the function's first [`LOOP_LINES`] lines), the counts of
    /// the loop and of the whole, under `heading` (the page's first line,
    /// its stamp).
    pub fn page(&self, lesson: &str, form: &str, heading: &str) -> String {
        let mut out = format!(
            "{heading}

"
        );
        let command = format!("mizan asm {lesson} {form}");
        let total = self.total();
        match self.hot_loop() {
            Some(hot) => {
                let _ = writeln!(
                    out,
                    "**Machine code of `{form}`**, its loop (`{command}` prints the whole; the \
                     loop is in `{}`): {} instructions, {} vector, {} conditional jumps, {} \
                     selects, {} calls ({} indirect).\n",
                    hot.symbol,
                    hot.counts.instructions,
                    hot.counts.vector,
                    hot.counts.conditional_jumps,
                    hot.counts.selects,
                    hot.counts.calls,
                    hot.counts.indirect_calls
                );
                out.push_str("```text\n");
                for line in &hot.instructions {
                    let _ = writeln!(out, "{line}");
                }
                out.push_str("```\n\n");
            }
            None => {
                let shown = self.instructions.len().min(LOOP_LINES);
                let _ = writeln!(
                    out,
                    "**Machine code of `{form}`**, which has no loop of its own or in the \
                     lessons' functions it calls: its first {shown} of {} instructions \
                     (`{command}` prints the whole).\n",
                    self.instructions.len()
                );
                out.push_str("```text\n");
                for line in &self.instructions[..shown] {
                    let _ = writeln!(out, "{line}");
                }
                out.push_str("```\n\n");
            }
        }
        let _ = writeln!(
            out,
            "The whole form (`{}`{}): {}.",
            self.symbol,
            if self.callees.is_empty() {
                String::new()
            } else {
                format!(
                    " and the lessons' functions it calls, {}",
                    (self.callees.iter())
                        .map(|c| format!("`{}`", c.symbol))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            },
            total.describe()
        );
        out
    }
}

/// A call through the global offset table with the function it reaches
/// named: `call *0x…(%rip)  # a3faf8 <_DYNAMIC+0x340>` becomes `call
/// *0x…(%rip)  # a3faf8 → __rust_alloc`.
fn through_got(text: &str, got: &std::collections::HashMap<u64, (String, Option<u64>)>) -> String {
    let named = text.split_once("(%rip)").and_then(|(head, comment)| {
        let slot = comment
            .trim_start()
            .strip_prefix('#')?
            .split_whitespace()
            .next()?;
        let (target, _) = got.get(&u64::from_str_radix(slot, 16).ok()?)?;
        Some(format!("{head}(%rip)        # {slot} → {target}"))
    });
    match named {
        Some(named) if text.starts_with("call") || text.starts_with("jmp") => named,
        _ => text.to_owned(),
    }
}

/// The global offset table's slots and the functions they hold (`objdump
/// -R`: a slot relocated to an address of the binary is named by the
/// symbol there; one bound by name, by its name). Empty if it cannot be
/// read: the calls are then shown as `objdump` prints them.
fn got_targets(
    exe: &Path,
    symbols: &[Symbol],
) -> std::collections::HashMap<u64, (String, Option<u64>)> {
    let Ok(output) = Command::new("objdump").arg("-R").arg(exe).output() else {
        return Default::default();
    };
    let at: std::collections::HashMap<u64, &str> =
        symbols.iter().map(|s| (s.value, s.name.as_str())).collect();
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let slot = u64::from_str_radix(fields.next()?, 16).ok()?;
            let kind = fields.next()?;
            let value = fields.next()?;
            let target = if kind == "R_X86_64_RELATIVE" {
                let address = u64::from_str_radix(value.strip_prefix("*ABS*+0x")?, 16).ok()?;
                (demangle(at.get(&address)?), Some(address))
            } else {
                (demangle(value.split('@').next()?), None)
            };
            Some((slot, target))
        })
        .collect()
}

/// A symbol of the binary's table.
struct Symbol {
    value: u64,
    size: u64,
    name: String,
}

/// The binary's defined functions with their sizes (`nm -S`).
fn symbols(exe: &Path) -> Result<Vec<Symbol>, String> {
    let output = Command::new("nm")
        .args(["-S", "-C", "--defined-only"])
        .arg(exe)
        .output()
        .map_err(|e| format!("cannot run nm (binutils; `apt-get install binutils`): {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "nm failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| {
            let mut fields = line.splitn(4, ' ');
            let value = u64::from_str_radix(fields.next()?, 16).ok()?;
            let size = u64::from_str_radix(fields.next()?, 16).ok()?;
            let kind = fields.next()?;
            let name = fields.next()?.to_owned();
            matches!(kind, "t" | "T" | "W" | "w").then_some(Symbol { value, size, name })
        })
        .collect())
}

/// Where this process's copy of `exe` begins: the lowest address it is
/// mapped at (the mapping of its first bytes).
fn load_base(exe: &Path) -> Result<u64, String> {
    let maps = std::fs::read_to_string("/proc/self/maps")
        .map_err(|e| format!("cannot read /proc/self/maps: {e}"))?;
    let exe = exe.canonicalize().unwrap_or_else(|_| exe.to_owned());
    maps.lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let path = fields.get(5)?;
            if Path::new(path) != exe || u64::from_str_radix(fields.get(2)?, 16).ok()? != 0 {
                return None;
            }
            let start = fields[0].split('-').next()?;
            u64::from_str_radix(start, 16).ok()
        })
        .min()
        .ok_or_else(|| format!("{} is not mapped in this process", exe.display()))
}

/// A demangled symbol's name as a reader writes it (the hash suffix
/// dropped).
fn demangle(name: &str) -> String {
    match name.rsplit_once("::h") {
        Some((head, hash)) if hash.len() == 16 && hash.chars().all(|c| c.is_ascii_hexdigit()) => {
            head.to_owned()
        }
        _ => name.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vector_arithmetic_counts_and_moves_and_clears_do_not() {
        let counts = Counts::of([
            "pcmpgtd %xmm1,%xmm0",
            "vpaddq %ymm1,%ymm2,%ymm3",
            "movdqu (%rax),%xmm0",
            "vmovdqu %ymm0,(%rdi)",
            "pxor   %xmm0,%xmm0",
            "pxor   %xmm1,%xmm0",
            "addsd  %xmm1,%xmm0",
            "cvtsi2sd %rax,%xmm0",
            "cvttsd2si %xmm0,%rax",
            "pminsd %xmm1,%xmm0",
            "add    $0x1,%rax",
        ]);
        assert_eq!(counts.instructions, 11);
        // pcmpgtd, vpaddq, the pxor of two registers and pminsd.
        assert_eq!(counts.vector, 4);
        assert_eq!(counts.wide, 1);
    }

    #[test]
    fn branches_selects_and_calls() {
        let counts = Counts::of([
            "jae    1234 <f+0x10>",
            "jmp    1240 <f+0x20>",
            "jmpq   *%rax",
            "cmovl  %rcx,%rax",
            "setge  %al",
            "call   5678 <alloc::raw_vec::grow>",
            "call   *0x18(%rax)",
            "call   *0x2b7279(%rip)",
            "ret",
        ]);
        assert_eq!(counts.conditional_jumps, 1);
        assert_eq!(counts.selects, 2);
        assert_eq!(counts.calls, 3);
        assert_eq!(counts.instructions, 9);
        assert_eq!(counts.indirect_calls, 1);
        assert_eq!(counts.vector, 0);
    }

    /// A listing of `lines` (`address: instruction`), named `f`.
    fn listing_of(lines: &[&str]) -> Listing {
        let instructions: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
        let counts = Counts::of(instructions.iter().map(|l| l.split_once('\t').unwrap().1));
        Listing {
            symbol: "f".to_owned(),
            aliases: Vec::new(),
            address: 0x100,
            size: 0x40,
            instructions,
            counts,
            callees: Vec::new(),
        }
    }

    #[test]
    fn the_hot_loop_is_the_one_with_the_most_vector_instructions() {
        let f = listing_of(&[
            "100:\tmov    %rdi,%rax",
            // A scalar loop of three instructions.
            "103:\tinc    %rax",
            "106:\tcmp    %rax,%rsi",
            "109:\tjne    103 <f+0x3>",
            // A vector loop of four.
            "10b:\tpaddq  %xmm1,%xmm0",
            "10f:\tadd    $0x2,%rax",
            "113:\tcmp    %rax,%rsi",
            "116:\tjne    10b <f+0xb>",
            // A forward jump is no loop.
            "118:\tje     120 <f+0x20>",
            "11a:\tret",
        ]);
        let loops = f.loops();
        assert_eq!(loops.len(), 2);
        assert_eq!(loops[0].instructions.len(), 3);
        let hot = f.hot_loop().unwrap();
        assert_eq!(
            hot.instructions.first().unwrap(),
            "10b:\tpaddq  %xmm1,%xmm0"
        );
        assert_eq!((hot.counts.vector, hot.counts.conditional_jumps), (1, 1));
        // With no vector loop, the largest (the body, not an inner step).
        let g = listing_of(&[
            "100:\tinc    %rax",
            "103:\tinc    %rcx",
            "106:\tjne    103 <f+0x3>",
            "108:\tjmp    100 <f>",
        ]);
        assert_eq!(g.hot_loop().unwrap().instructions.len(), 4);
        let page = g.page("zakat/x", "naive", "<!-- stamp -->");
        assert!(page.starts_with("<!-- stamp -->\n\n**Machine code of `naive`**, its loop"));
        assert!(page.contains("```text\n100:\tinc    %rax\n"), "{page}");
        assert!(
            page.contains("The whole form (`f`): 4 instructions"),
            "{page}"
        );
        let none = listing_of(&["100:\tret"]);
        assert!(none.hot_loop().is_none());
        assert!(none.page("zakat/x", "naive", "").contains("has no loop"));
    }

    #[test]
    fn the_iterator_drivers_of_a_lessons_closure_are_followed() {
        let got = std::collections::HashMap::new();
        let call = |name: &str| lesson_call(&format!("a:\tcall   1f0 {name}"), &got);
        assert_eq!(call("<mizan::lessons::zakat::x::total>"), Some(0x1f0));
        assert_eq!(
            call(
                "<<alloc::vec::Vec<T> as alloc::vec::spec_from_iter::SpecFromIter<T,I>>::from_iter>"
            ),
            Some(0x1f0)
        );
        assert_eq!(
            call(
                "<<core::iter::adapters::map::Map<I,F> as core::iter::traits::iterator::Iterator>::fold>"
            ),
            Some(0x1f0)
        );
        assert_eq!(call("<alloc::raw_vec::RawVec<T,A>::grow_one>"), None);
        assert_eq!(call("<core::panicking::panic_bounds_check>"), None);
    }

    #[test]
    fn a_call_through_the_got_is_named() {
        let got = std::collections::HashMap::from([(0xa3faf8, ("__rust_alloc".to_owned(), None))]);
        assert_eq!(
            through_got(
                "call   *0x2b7279(%rip)        # a3faf8 <_DYNAMIC+0x340>",
                &got
            ),
            "call   *0x2b7279(%rip)        # a3faf8 → __rust_alloc"
        );
        let other = "mov    0x2b7279(%rip),%rax        # a3faf8 <_DYNAMIC+0x340>";
        assert_eq!(through_got(other, &got), other);
        let unknown = "call   *0x10(%rip)        # 123 <x>";
        assert_eq!(through_got(unknown, &got), unknown);
    }

    #[test]
    fn a_direct_call_to_a_lesson_function_is_followed() {
        let got = std::collections::HashMap::from([
            (0xa40830, ("mizan::lessons::x".to_owned(), Some(0x5000))),
            (0xa40838, ("__rust_alloc".to_owned(), Some(0x6000))),
        ]);
        let call = "739c51:\tcall   739e52 <mizan::lessons::zakat::inlining::total_dyn>";
        assert_eq!(lesson_call(call, &got), Some(0x739e52));
        let other = "739c51:\tcall   739e52 <alloc::raw_vec::grow>";
        assert_eq!(lesson_call(other, &got), None);
        let through = "739c51:\tcall   *0x306bd9(%rip)        # a40830 → mizan::lessons::x";
        assert_eq!(lesson_call(through, &got), Some(0x5000));
        let alloc = "739c51:\tcall   *0x306bd9(%rip)        # a40838 → __rust_alloc";
        assert_eq!(lesson_call(alloc, &got), None);
    }

    #[test]
    fn a_hash_suffix_is_dropped_and_a_plain_name_kept() {
        assert_eq!(demangle("main"), "main");
        assert_eq!(demangle("mizan::main::h0123456789abcdef"), "mizan::main");
        assert_eq!(demangle("mizan::hash::h12"), "mizan::hash::h12");
    }
}
