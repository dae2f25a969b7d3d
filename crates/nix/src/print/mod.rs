//! The printer: AST to exactly the text nixfmt (RFC 166) writes, at width 100 and indent 2.
//!
//! Printing happens in two steps. First the AST is viewed the way nixfmt's parser would see the
//! printed text (`Node`): parentheses come from the precedence table in `prec`, nested
//! selections merge, negative literals are negations. Then each kind of node builds its part of
//! a document following nixfmt's `Pretty` rules (one module per kind of syntax), and the layout
//! engine renders it. Lambdas whose argument pattern had to break across lines are laid out
//! again, the way nixfmt lays them out when it reads such output back, so that the result is a
//! fixed point of nixfmt.

mod app;
mod binding;
mod op;
mod prec;
mod stmt;
mod string;
mod term;

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};

use crate::ast::{Expr, File, Pattern};
use crate::doc::Doc;
use crate::layout;

pub(crate) use prec::Node;

/// The line width nixfmt formats to.
const WIDTH: usize = 100;

/// How many times a file may be laid out again because a pattern broke across lines.
const MAX_PASSES: usize = 4;

/// What nixfmt would learn from reading our output back: patterns that ended up on several lines
/// are no longer "flat" (nixfmt checks that `{` and `}` sit on one source line), which changes the
/// layout of their lambda. Printing repeats until the output agrees with these facts, so that it
/// is a fixed point of nixfmt.
#[derive(Default)]
struct Facts {
    /// Addresses of patterns known to span several lines.
    multiline: HashSet<usize>,
    /// The pattern behind each mark (mark `n` is `marked[n - 1]`).
    marked: Vec<usize>,
}

thread_local! {
    static FACTS: RefCell<Facts> = RefCell::new(Facts::default());
    /// Elements of the last document built on this thread: files printed one after the other
    /// tend to be alike, and growing a large buffer step by step copies it several times.
    static LAST_LEN: Cell<usize> = const { Cell::new(0) };
}

/// A new document sized like the last one.
fn new_doc<'a>() -> Doc<'a> {
    Doc::with_capacity(LAST_LEN.get())
}

/// Whether a pattern is known to span several lines.
pub(crate) fn known_multiline(p: &Pattern) -> bool {
    FACTS.with(|f| f.borrow().multiline.contains(&(p as *const Pattern as usize)))
}

/// A mark for the braces of a pattern that may stay flat.
pub(crate) fn mark_pattern(p: &Pattern) -> u32 {
    FACTS.with(|f| {
        let mut f = f.borrow_mut();
        f.marked.push(p as *const Pattern as usize);
        u32::try_from(f.marked.len()).unwrap_or(0)
    })
}

fn layout_to_fixed_point<'a>(build: impl Fn() -> Doc<'a>) -> String {
    FACTS.with(|f| *f.borrow_mut() = Facts::default());
    let mut pass = 0;
    loop {
        pass += 1;
        FACTS.with(|f| f.borrow_mut().marked.clear());
        let elems = build().finish();
        LAST_LEN.set(elems.len());
        let (out, marks) = layout::render(elems, WIDTH);
        let mut lines: HashMap<u32, (usize, usize)> = HashMap::new();
        for (mark, line) in marks {
            let e = lines.entry(mark).or_insert((line, line));
            e.0 = e.0.min(line);
            e.1 = e.1.max(line);
        }
        let broke = FACTS.with(|f| {
            let mut f = f.borrow_mut();
            let mut broke = false;
            for (mark, (first, last)) in lines {
                if first != last {
                    let p = f.marked[mark as usize - 1];
                    broke |= f.multiline.insert(p);
                }
            }
            broke
        });
        if !broke || pass == MAX_PASSES {
            FACTS.with(|f| *f.borrow_mut() = Facts::default());
            return out;
        }
    }
}

/// Whether the file's leading comments sit on the first token of `node` (nixfmt then never
/// counts it as simple, and an empty set with a comment is no longer empty to it). The head of
/// an application prints without them, so `through_apply` says whether to look past one.
pub(super) fn starts_with_comment(d: &Doc<'_>, target: &Expr, through_apply: bool) -> bool {
    let Some(mut cur) = d.commented else { return false };
    loop {
        if std::ptr::eq(cur, target) {
            return true;
        }
        cur = match cur {
            Expr::Apply { func, .. } if through_apply => func,
            Expr::Binary { op, lhs, .. } => match Node::lhs(*op, lhs) {
                Node::Plain(e) => e,
                Node::Paren(_) => return false,
            },
            Expr::HasAttr { expr, .. } => match Node::has_attr_lhs(expr) {
                Node::Plain(e) => e,
                Node::Paren(_) => return false,
            },
            Expr::Select { expr, .. } => match Node::select_base(expr) {
                Node::Plain(e) => e,
                Node::Paren(_) => return false,
            },
            _ => return false,
        };
    }
}

/// Prints a whole file: its comments, its expression, and exactly one final newline.
pub fn print_file(file: &File) -> String {
    layout_to_fixed_point(|| {
        let mut d = new_doc();
        if !file.comments.is_empty() {
            d.commented = Some(&file.expr);
        }
        d.group(|d| {
            binding::comments(d, &file.comments);
            d.group(|d| stmt::expr(d, Node::top(&file.expr)));
        });
        d
    })
}

/// Prints one expression at the top level, without a final newline.
pub fn print_expr(expr: &Expr) -> String {
    let mut out = layout_to_fixed_point(|| {
        let mut d = new_doc();
        d.group(|d| stmt::expr(d, Node::top(expr)));
        d
    });
    out.pop();
    out
}
