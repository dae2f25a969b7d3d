//! String literals: `"…"` on one line, `''…''` one source line per line of text, interpolations.

use crate::ast::{Expr, Str, StrKind, StrPart};
use crate::doc::{Doc, Elem, Spacing, try_compact, width};
use crate::escape::{self, Seg};

use super::prec::Node;
use super::stmt::expr;
use super::term::{paren_body, term};

/// A string literal in the syntax nixfmt keeps for it: multi-line indented strings stay
/// indented, everything else is written with double quotes.
pub(super) fn string<'a>(d: &mut Doc<'a>, s: &'a Str) {
    if s.kind == StrKind::Indented && escape::is_multiline(&s.parts) {
        indented(d, &s.parts);
    } else {
        quoted(d, &s.parts);
    }
}

/// `"…"`.
pub(super) fn quoted<'a>(d: &mut Doc<'a>, parts: &'a [StrPart]) {
    let segs = escape::quoted_line(parts);
    d.group(|d| {
        d.text("\"");
        line(d, segs);
        d.text("\"");
    });
}

/// A static name written as a `"…"` string.
pub(super) fn quoted_text<'a>(d: &mut Doc<'a>, text: &str) {
    d.group(|d| d.text(escape::quote(text)));
}

fn indented<'a>(d: &mut Doc<'a>, parts: &'a [StrPart]) {
    let lines = escape::indented_lines(parts);
    d.group(|d| {
        d.text("''");
        if lines.len() > 1 {
            d.linebreak();
        }
        d.nested(|d| {
            for (i, l) in lines.into_iter().enumerate() {
                if i > 0 {
                    d.spacing(Spacing::Newlines(1));
                }
                line(d, l);
            }
        });
        d.text("''");
    });
}

fn is_space(s: &str) -> bool {
    s.chars().all(char::is_whitespace)
}

/// One line of a string.
fn line<'a>(d: &mut Doc<'a>, mut segs: Vec<Seg<'a>>) {
    let lone = match segs.as_slice() {
        [Seg::Interp(e)] => Some(("", *e)),
        [Seg::Raw(pre), Seg::Interp(e)] if is_space(pre) => Some((pre.as_ref(), *e)),
        _ => None,
    };
    if let Some((pre, e)) = lone {
        let pre = pre.to_string();
        let w = width(&pre);
        d.text(pre);
        d.offset(w, |d| {
            d.group(|d| {
                d.text("${");
                d.nested(|d| paren_body(d, Node::top(e)));
                d.text("}");
            });
        });
        return;
    }
    if let Some(Seg::Raw(first)) = segs.first_mut() {
        let first = std::mem::take(first);
        let indentation = first.chars().take_while(|c| c.is_whitespace()).count();
        d.text(first);
        d.offset(indentation, |d| {
            for seg in segs.into_iter().skip(1) {
                part(d, seg);
            }
        });
        return;
    }
    for seg in segs {
        part(d, seg);
    }
}

fn part<'a>(d: &mut Doc<'a>, seg: Seg<'a>) {
    match seg {
        Seg::Raw(t) => d.text(t),
        Seg::Interp(e) => interpolation(d, e),
    }
}

/// `${expr}` inside a string or as a dynamic key.
pub(super) fn interpolation<'a>(d: &mut Doc<'a>, e: &'a Expr) {
    let node = Node::top(e);
    if node.is_absorbable_term() {
        return d.group(|d| {
            d.text("${");
            term(d, node);
            d.text("}");
        });
    }
    if node.is_simple() {
        d.text("${");
        let mut inner = d.sub();
        expr(&mut inner, node);
        let inner = inner.into_raw();
        match try_compact(&inner, None) {
            Some(flat) => d.extend(flat),
            None => d.extend(inner),
        }
        d.text("}");
        return;
    }
    let mut inner = d.sub();
    inner.group(|d| expr(d, node));
    let rendered = inner.into_raw();
    d.group(|d| {
        d.text("${");
        match try_compact(&rendered, Some(30)) {
            Some(flat) => d.extend(flat),
            None => {
                let mut rendered = rendered;
                deepen(&mut rendered);
                d.nested(|d| {
                    d.linebreak();
                    d.extend(rendered);
                    d.linebreak();
                });
            }
        }
        d.text("}");
    });
}

/// One more nesting level for already built elements.
fn deepen(elems: &mut [Elem<'_>]) {
    for e in elems {
        if let Elem::Text(t) = e {
            t.nest += 1;
        }
    }
}
