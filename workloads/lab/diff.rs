//! The first difference between two outputs, shown the way a learner needs
//! it: the record that differs and, in it, each field that differs, the
//! expected value beside the one that was got.
//!
//! Any output the lab compares is `Debug`; its pretty form (`{:#?}`) is a
//! tree, one field or element a line, which [`first_difference`] reads back
//! and walks. A text output (a `String` or UTF-8 bytes, at the top or as a
//! field) is compared line by line instead.

use std::any::Any;
use std::fmt::{self, Debug};

/// Fields listed of a differing record, at most.
const MAX_FIELDS: usize = 12;

/// Where two outputs first differ.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Difference {
    /// The differing record's place in the output: `[17]`,
    /// `Ok.assessments[3]`, `line 412`; empty for the whole output.
    pub at: String,
    /// The record's `id` field, if it has one.
    pub id: Option<String>,
    /// Each differing field of the record, in order (at most
    /// [`MAX_FIELDS`]).
    pub fields: Vec<Field>,
}

/// One field that differs.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Field {
    /// The field inside the record: `net_wealth`, `crops[0].kg`; empty for
    /// the record itself.
    pub path: String,
    /// The expected value, as `Debug` prints it.
    pub expected: String,
    /// The attempt's value.
    pub got: String,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = if self.at.is_empty() {
            "the output"
        } else {
            &self.at
        };
        write!(f, "first difference at {at}")?;
        if let Some(id) = &self.id {
            write!(f, " (id {id})")?;
        }
        for field in &self.fields {
            if field.path.is_empty() {
                write!(
                    f,
                    "\n  expected {}\n  got      {}",
                    field.expected, field.got
                )?;
            } else {
                write!(
                    f,
                    "\n  {}:\n    expected {}\n    got      {}",
                    field.path, field.expected, field.got
                )?;
            }
        }
        Ok(())
    }
}

impl Difference {
    /// On one line: `at [3] (id "P3"): due: expected 300, got 301; …`.
    pub fn one_line(&self) -> String {
        let fields: Vec<String> = self
            .fields
            .iter()
            .map(|f| {
                let name = if f.path.is_empty() {
                    String::new()
                } else {
                    format!("{}: ", f.path)
                };
                format!("{name}expected {}, got {}", f.expected, f.got)
            })
            .collect();
        let id = self
            .id
            .as_ref()
            .map(|id| format!(" (id {id})"))
            .unwrap_or_default();
        let at = if self.at.is_empty() {
            String::new()
        } else {
            format!("at {}{id}: ", self.at)
        };
        format!("{at}{}", fields.join("; "))
    }
}

/// Where `got` first differs from `expected`; `None` if they print the
/// same ([`super::lesson::printed`]: `0` and `0.00` differ).
pub fn first_difference<O: Debug + serde::Serialize + 'static>(
    expected: &O,
    got: &O,
) -> Option<Difference> {
    if super::printed::printed(expected) == super::printed::printed(got) {
        return None;
    }
    if let Some(text) = as_text(expected)
        && let Some(other) = as_text(got)
    {
        return Some(text_difference(&text, &other, String::new()));
    }
    let (e, g) = (
        parse(&format!("{expected:#?}")),
        parse(&format!("{got:#?}")),
    );
    Some(
        tree_difference(&e, &g, String::new()).unwrap_or_else(|| Difference {
            // Alike as `Debug` shows them, different as they print.
            at: String::new(),
            id: None,
            fields: vec![Field {
                path: String::new(),
                expected: format!("{expected:?}"),
                got: format!("{got:?}"),
            }],
        }),
    )
}

/// An output that is text: a `String`, or bytes that are UTF-8.
fn as_text<O: 'static>(value: &O) -> Option<String> {
    let any = value as &dyn Any;
    if let Some(s) = any.downcast_ref::<String>() {
        return Some(s.clone());
    }
    any.downcast_ref::<Vec<u8>>()
        .and_then(|bytes| std::str::from_utf8(bytes).ok())
        .map(str::to_owned)
}

/// The first differing line of two texts.
fn text_difference(expected: &str, got: &str, at: String) -> Difference {
    let (mut e, mut g) = (expected.split('\n'), got.split('\n'));
    let mut line = 1;
    loop {
        match (e.next(), g.next()) {
            (Some(a), Some(b)) if a == b => line += 1,
            (a, b) => {
                let show = |l: Option<&str>| {
                    l.map_or("(the text has ended)".to_owned(), |l| format!("{l:?}"))
                };
                let place = if at.is_empty() {
                    format!("line {line}")
                } else {
                    format!("{at}, line {line}")
                };
                return Difference {
                    at: place,
                    id: None,
                    fields: vec![Field {
                        path: String::new(),
                        expected: show(a),
                        got: show(b),
                    }],
                };
            }
        }
    }
}

/// A node of a pretty-printed `Debug` value.
#[derive(Debug, Default)]
struct Node {
    /// A struct field's or map entry's name; `None` for a sequence's
    /// element.
    label: Option<String>,
    /// The value's text: a leaf's whole value, or an opener's head
    /// (`Assessment {`, `[`, `Ok(`).
    head: String,
    /// The children of an opener.
    children: Vec<Node>,
}

impl Node {
    fn is_sequence(&self) -> bool {
        self.head.ends_with('[')
    }

    /// A sequence, or a map (`{` with no type before it): its elements
    /// or entries are the output's records.
    fn is_collection(&self) -> bool {
        self.is_sequence() || self.head == "{"
    }
}

/// Reads `{:#?}` output back into a tree.
fn parse(text: &str) -> Node {
    let mut root = Node::default();
    parse_into(&mut root, &mut text.lines());
    // The whole value is the root's one child.
    if root.children.len() == 1 {
        root.children.pop().expect("one child")
    } else {
        root
    }
}

/// Reads the children of `parent` up to its closing line; returns what
/// follows the closer on that line (`): Total {` closes a map's key, whose
/// value follows).
fn parse_into<'a>(parent: &mut Node, lines: &mut impl Iterator<Item = &'a str>) -> Option<String> {
    while let Some(line) = lines.next() {
        let line = line.trim();
        let line = line.strip_suffix(',').unwrap_or(line);
        if line.starts_with(['}', ']', ')']) {
            let rest = line[1..].strip_prefix(": ")?;
            return Some(rest.to_owned());
        }
        let (label, head) = split_label(line);
        // An empty collection is an opener without children.
        let head = head
            .strip_suffix("[]")
            .map(|h| format!("{h}["))
            .or_else(|| head.strip_suffix("{}").map(|h| format!("{h}{{")))
            .unwrap_or_else(|| head.to_owned());
        let mut node = Node {
            label,
            head: head.clone(),
            children: Vec::new(),
        };
        if head.ends_with(['{', '[', '(']) && !line.ends_with("[]") && !line.ends_with("{}") {
            let mut tail = parse_into(&mut node, lines);
            // A key printed over several lines, then its value.
            while let Some(value) = tail.take() {
                let key = one_line(&node);
                node = Node {
                    label: Some(key),
                    head: value.clone(),
                    children: Vec::new(),
                };
                if value.ends_with(['{', '[', '(']) {
                    tail = parse_into(&mut node, lines);
                }
            }
        }
        parent.children.push(node);
    }
    None
}

/// A node on one line, as `{:?}` would print it, near enough to name it.
fn one_line(node: &Node) -> String {
    if node.children.is_empty() {
        return node.head.clone();
    }
    let (open, close) = match node.head.chars().last() {
        Some('{') => (" { ", " }"),
        Some('[') => ("", "]"),
        _ => ("", ")"),
    };
    let head = node.head.trim_end_matches('{').trim_end();
    let inner: Vec<String> = node
        .children
        .iter()
        .map(|c| match &c.label {
            Some(l) => format!("{l}: {}", one_line(c)),
            None => one_line(c),
        })
        .collect();
    format!("{head}{open}{}{close}", inner.join(", "))
}

/// `name: value` into its name and value; a line with no name as itself.
fn split_label(line: &str) -> (Option<String>, &str) {
    // A string leaf (`"a: b"`) has no name.
    if line.starts_with('"') {
        return (None, line);
    }
    match line.find(": ") {
        Some(at) if line[..at].chars().all(|c| c.is_alphanumeric() || c == '_') => {
            (Some(line[..at].to_owned()), &line[at + 2..])
        }
        // A map's key that is not a name: up to the last `: ` outside
        // quotes is as good a split as any reader needs.
        Some(_) => match line.rfind(": ") {
            Some(at) => (Some(line[..at].to_owned()), &line[at + 2..]),
            None => (None, line),
        },
        None => (None, line),
    }
}

/// The path segment of a child: `.name`, `[i]`, or an enum variant's name.
fn segment(parent: &Node, idx: usize, child: &Node) -> String {
    if parent.is_sequence() {
        return format!("[{idx}]");
    }
    match &child.label {
        Some(label) => format!(".{label}"),
        None if parent.head.ends_with('(') => {
            let name = parent.head.trim_end_matches('(');
            if parent.children.len() == 1 {
                String::new()
            } else {
                format!("{name}.{idx}")
            }
        }
        None => format!(".{idx}"),
    }
}

/// The place of a node under `path`, for reading: without a leading dot.
fn place(path: &str) -> String {
    path.strip_prefix('.').unwrap_or(path).to_owned()
}

/// Walks down to the first difference; the first element of a sequence on
/// the way is the record.
fn tree_difference(e: &Node, g: &Node, path: String) -> Option<Difference> {
    if e.head != g.head || e.label != g.label {
        return Some(leaf_difference(e, g, path));
    }
    // Two maps whose keys differ: the first key one has and the other
    // lacks (entries compared in order would name the wrong one). An empty
    // map is described by its count, below.
    if e.head == "{" && !e.children.is_empty() && !g.children.is_empty() {
        let has = |n: &Node, label: &Option<String>| n.children.iter().any(|c| &c.label == label);
        let entry = |parent: &Node, idx: usize, child: &Node| {
            (
                place(&format!("{path}{}", segment(parent, idx, child))),
                cut(&one_line_value(child), LINE),
            )
        };
        if let Some((idx, missing)) = e
            .children
            .iter()
            .enumerate()
            .find(|(_, c)| !has(g, &c.label))
        {
            let (at, value) = entry(e, idx, missing);
            return Some(Difference {
                at,
                id: None,
                fields: vec![Field {
                    path: String::new(),
                    expected: value,
                    got: "no such entry".to_owned(),
                }],
            });
        }
        if let Some((idx, extra)) = g
            .children
            .iter()
            .enumerate()
            .find(|(_, c)| !has(e, &c.label))
        {
            let (at, value) = entry(g, idx, extra);
            return Some(Difference {
                at,
                id: None,
                fields: vec![Field {
                    path: String::new(),
                    expected: "no such entry".to_owned(),
                    got: value,
                }],
            });
        }
    }
    let variant = |n: &Node| n.head.strip_suffix('(').map(str::to_owned);
    for (idx, (ce, cg)) in e.children.iter().zip(&g.children).enumerate() {
        if !equal(ce, cg) {
            let mut segment = segment(e, idx, ce);
            if let Some(name) = variant(e)
                && e.children.len() == 1
            {
                segment = format!(".{name}");
            }
            let child_path = format!("{path}{segment}");
            if e.is_collection() {
                // This element is the record: list its differing fields.
                let mut fields = Vec::new();
                collect_fields(ce, cg, String::new(), &mut fields);
                return Some(Difference {
                    at: place(&child_path),
                    id: id_of(ce),
                    fields,
                });
            }
            return tree_difference(ce, cg, child_path);
        }
    }
    // A common prefix, and one has more children.
    let (ne, ng) = (e.children.len(), g.children.len());
    let describe = |n: usize, extra: Option<&Node>| {
        let first = extra
            .map(|c| format!(", the first more {}", short(c)))
            .unwrap_or_default();
        format!(
            "{n} {}{first}",
            if e.is_sequence() {
                "elements"
            } else {
                "entries"
            }
        )
    };
    Some(Difference {
        at: place(&path),
        id: None,
        fields: vec![Field {
            path: String::new(),
            expected: describe(ne, e.children.get(ng)),
            got: describe(ng, g.children.get(ne)),
        }],
    })
}

/// A node's one-line summary: a leaf's value, a variant with its one
/// value (`Some("late")`), or an opener's head.
fn short(node: &Node) -> String {
    if let [only] = node.children.as_slice()
        && only.children.is_empty()
        && node.head.ends_with('(')
    {
        return format!("{}{})", node.head, only.head);
    }
    let id = id_of(node)
        .map(|id| format!(" id {id}"))
        .unwrap_or_default();
    format!("{}{id}", node.head.trim_end_matches(['{', '[', '(']).trim())
}

/// Two leaves (or openers of different kinds) that differ, outside any
/// record: the field is named by its whole path.
fn leaf_difference(e: &Node, g: &Node, path: String) -> Difference {
    let mut fields = Vec::new();
    collect_fields(e, g, path, &mut fields);
    Difference {
        at: String::new(),
        id: None,
        fields,
    }
}

fn equal(a: &Node, b: &Node) -> bool {
    a.label == b.label
        && a.head == b.head
        && a.children.len() == b.children.len()
        && a.children.iter().zip(&b.children).all(|(x, y)| equal(x, y))
}

/// Every differing leaf under two nodes, by its path inside them.
fn collect_fields(e: &Node, g: &Node, path: String, out: &mut Vec<Field>) {
    if out.len() >= MAX_FIELDS || equal(e, g) {
        return;
    }
    if e.children.is_empty() || g.children.is_empty() || e.head != g.head {
        out.push(leaf_field(e, g, path));
        return;
    }
    for (idx, (ce, cg)) in e.children.iter().zip(&g.children).enumerate() {
        collect_fields(ce, cg, format!("{path}{}", segment(e, idx, ce)), out);
    }
    let (ne, ng) = (e.children.len(), g.children.len());
    if ne != ng && out.len() < MAX_FIELDS {
        out.push(Field {
            path: place(&path),
            expected: format!("{ne} elements"),
            got: format!("{ng} elements"),
        });
    }
}

/// A leaf's two values; a long text's first differing line.
fn leaf_field(e: &Node, g: &Node, path: String) -> Field {
    let text = |n: &Node| n.head.starts_with('"').then(|| unescape(&n.head)).flatten();
    if let (Some(a), Some(b)) = (text(e), text(g))
        && (a.contains('\n') || b.contains('\n'))
    {
        let d = text_difference(&a, &b, String::new());
        let field = d.fields.into_iter().next().expect("one field");
        return Field {
            path: format!("{}, {}", place(&path), d.at),
            ..field
        };
    }
    let value = |n: &Node| {
        if n.children.is_empty() {
            n.head.clone()
        } else {
            // A whole value where one was expected and another came (an
            // error where a result was due): shown on one line, cut.
            cut(&one_line(n), LINE)
        }
    };
    Field {
        path: place(&path),
        expected: value(e),
        got: value(g),
    }
}

/// A node's value on one line, without its label.
fn one_line_value(node: &Node) -> String {
    if node.children.is_empty() {
        node.head.clone()
    } else {
        one_line(node)
    }
}

/// The longest a value is shown on one line.
const LINE: usize = 240;

/// `text` cut to about `max` bytes, at a character boundary, with the
/// length it had.
fn cut(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} characters in all)", &text[..end], text.len())
}

/// A record's `id` field.
fn id_of(node: &Node) -> Option<String> {
    node.children
        .iter()
        .find(|c| c.label.as_deref() == Some("id") && c.children.is_empty())
        .map(|c| c.head.clone())
}

/// A `Debug`-quoted string's text (`"a\nb"` to `a`, newline, `b`).
fn unescape(quoted: &str) -> Option<String> {
    let inner = quoted.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            '0' => out.push('\0'),
            'u' => {
                let hex: String = chars.by_ref().skip(1).take_while(|&c| c != '}').collect();
                out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
            }
            other => out.push(other),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::{Field, first_difference};

    #[derive(Debug, Clone, PartialEq, serde::Serialize)]
    struct Line {
        kg: u32,
    }

    #[derive(Debug, Clone, PartialEq, serde::Serialize)]
    struct Record {
        id: String,
        due: i64,
        lines: Vec<Line>,
        note: Option<String>,
    }

    fn records() -> Vec<Record> {
        (0..5)
            .map(|n| Record {
                id: format!("P{n}"),
                due: n * 100,
                lines: vec![Line { kg: 1 }, Line { kg: 2 }],
                note: None,
            })
            .collect()
    }

    #[test]
    fn equal_outputs_have_no_difference() {
        assert_eq!(first_difference(&records(), &records()), None);
    }

    #[test]
    fn the_record_and_each_of_its_differing_fields() {
        let mut got = records();
        got[3].due += 1;
        got[3].lines[1].kg = 7;
        got[4].due = 0;
        let d = first_difference(&records(), &got).unwrap();
        assert_eq!(d.at, "[3]");
        assert_eq!(d.id.as_deref(), Some("\"P3\""));
        assert_eq!(
            d.fields,
            vec![
                Field {
                    path: "due".into(),
                    expected: "300".into(),
                    got: "301".into()
                },
                Field {
                    path: "lines[1].kg".into(),
                    expected: "2".into(),
                    got: "7".into()
                },
            ]
        );
        assert_eq!(
            d.to_string(),
            "first difference at [3] (id \"P3\")\n  due:\n    expected 300\n    got      301\
             \n  lines[1].kg:\n    expected 2\n    got      7"
        );
        assert_eq!(
            d.one_line(),
            "at [3] (id \"P3\"): due: expected 300, got 301; lines[1].kg: expected 2, got 7"
        );
    }

    #[test]
    fn a_dropped_record_is_a_count() {
        let mut got = records();
        got.pop();
        let d = first_difference(&records(), &got).unwrap();
        assert_eq!(d.at, "");
        assert_eq!(
            d.fields[0].expected,
            "5 elements, the first more Record id \"P4\""
        );
        assert_eq!(d.fields[0].got, "4 elements");
        // Dropped from the middle: the records after it differ from there.
        let mut got = records();
        got.remove(1);
        assert_eq!(first_difference(&records(), &got).unwrap().at, "[1]");
    }

    #[test]
    fn an_option_and_a_result_are_walked_into() {
        let mut got = records();
        got[2].note = Some("late".into());
        let d = first_difference(&Ok::<_, String>(records()), &Ok(got)).unwrap();
        assert_eq!(d.at, "Ok[2]");
        assert_eq!(d.fields[0].path, "note");
        assert_eq!(d.fields[0].expected, "None");
        assert_eq!(d.fields[0].got, "Some(\"late\")");
        let d = first_difference(&Ok::<_, String>(records()), &Err("bad".into())).unwrap();
        // The whole of each side on one line, cut: an error with its
        // message, a result with its first records.
        assert_eq!(d.fields[0].got, "Err(\"bad\")");
        assert!(
            d.fields[0].expected.starts_with(
                "Ok([Record { id: \"P0\", due: 0, lines: [Line { kg: 1 }, Line { kg: 2 }], \
                 note: None }, Record { id: \"P1\""
            ),
            "{}",
            d.fields[0].expected
        );
        assert!(d.fields[0].expected.ends_with(" characters in all)"));
        #[derive(Debug, serde::Serialize)]
        struct InputError {
            at: String,
            message: String,
        }
        let error = Err::<Vec<Record>, _>(InputError {
            at: "payers[3].id".into(),
            message: "a second payer P3".into(),
        });
        let d = first_difference(&error, &Ok(records())).unwrap();
        assert_eq!(
            d.fields[0].expected,
            "Err(InputError { at: \"payers[3].id\", message: \"a second payer P3\" })"
        );
    }

    #[test]
    fn a_key_one_map_lacks_is_named_not_the_entry_beside_it() {
        use std::collections::BTreeMap;
        let e: BTreeMap<Option<&str>, Line> =
            [(None, Line { kg: 1 }), (Some("north"), Line { kg: 2 })].into();
        let mut g = e.clone();
        g.remove(&None);
        g.insert(Some(""), Line { kg: 1 });
        let d = first_difference(&e, &g).unwrap();
        assert_eq!(d.at, "None");
        assert_eq!(d.fields[0].expected, "Line { kg: 1 }");
        assert_eq!(d.fields[0].got, "no such entry");
        let d = first_difference(&g, &e).unwrap();
        assert_eq!(d.at, "Some(\"\")");
        assert_eq!(d.fields[0].got, "no such entry");
    }

    #[test]
    fn a_map_keyed_by_tuples_names_the_entry() {
        use std::collections::BTreeMap;
        let e: BTreeMap<(u8, &str), Line> =
            [((1, "SAR"), Line { kg: 1 }), ((2, "USD"), Line { kg: 2 })].into();
        let mut g = e.clone();
        g.insert((2, "USD"), Line { kg: 3 });
        let d = first_difference(&e, &g).unwrap();
        assert_eq!(d.at, "(2, \"USD\")");
        assert_eq!(d.fields[0].path, "kg");
        assert_eq!((&*d.fields[0].expected, &*d.fields[0].got), ("2", "3"));
    }

    #[test]
    fn text_is_compared_by_line() {
        let expected = "RECEIPT P1\nDue 12.34\n\nRECEIPT P2\nDue 5.00\n".to_owned();
        let got = expected.replace("5.00", "5.01");
        let d = first_difference(&expected, &got).unwrap();
        assert_eq!(d.at, "line 5");
        assert_eq!(d.fields[0].expected, "\"Due 5.00\"");
        assert_eq!(d.fields[0].got, "\"Due 5.01\"");
        let d = first_difference(&expected.clone().into_bytes(), &got.into_bytes()).unwrap();
        assert_eq!(d.at, "line 5");
        // Shorter text: the line where it ended.
        let d = first_difference(&expected, &"RECEIPT P1".to_owned()).unwrap();
        assert_eq!(d.at, "line 2");
        assert_eq!(d.fields[0].got, "(the text has ended)");
    }

    #[test]
    fn a_text_field_is_compared_by_line_too() {
        #[derive(Debug, PartialEq, serde::Serialize)]
        struct Run {
            receipts: String,
            total: u32,
        }
        let e = Run {
            receipts: "A\nB ✓\nC\n".into(),
            total: 3,
        };
        let g = Run {
            receipts: "A\nB ✓\nD\n".into(),
            total: 3,
        };
        let d = first_difference(&e, &g).unwrap();
        assert_eq!(d.fields[0].path, "receipts, line 3");
        assert_eq!(d.fields[0].expected, "\"C\"");
        assert_eq!(d.fields[0].got, "\"D\"");
    }
}
