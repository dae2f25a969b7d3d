//! Terms: literals, names, paths, lists, attribute sets, selections and parentheses.

use crate::ast::{Binding, Expr, Key, ListItem};
use crate::doc::Doc;
use crate::escape;

use super::binding;
use super::prec::{Node, select_chain};
use super::stmt::{absorb, expr};
use super::string;

/// Whether a set is laid out flat when it fits (`Regular`) or always expanded (`Wide`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Width {
    Regular,
    Wide,
}

/// A term, as nixfmt's `prettyTerm` prints it.
pub(super) fn term<'a>(d: &mut Doc<'a>, node: Node<'a>) {
    let e = match node {
        Node::Paren(e) => return paren(d, e),
        Node::Plain(e) => e,
    };
    match e {
        Expr::Null => d.text("null"),
        Expr::Bool(true) => d.text("true"),
        Expr::Bool(false) => d.text("false"),
        Expr::Int(n) => d.text(n.to_string()),
        Expr::Float(f) => d.text(escape::float(*f)),
        Expr::Ident(name) => d.text(name.as_str()),
        Expr::Path(p) => d.text(p.as_str()),
        Expr::Str(s) => string::string(d, s),
        Expr::List(items) => d.group(|d| list(d, items)),
        Expr::AttrSet { rec: false, bindings } if bindings.is_empty() && super::starts_with_comment(d, e, false) => {
            d.text("{");
            d.line();
            d.line();
            d.text("}");
        }
        Expr::AttrSet { rec, bindings } => set(d, Width::Regular, *rec, bindings),
        Expr::Select { .. } => select(d, e),
        _ => paren(d, e),
    }
}

/// A term with lists left without their own group (the caller provides one).
pub(super) fn term_bare<'a>(d: &mut Doc<'a>, node: Node<'a>) {
    match node {
        Node::Plain(Expr::List(items)) => list(d, items),
        node => term(d, node),
    }
}

/// A term with sets expanded, as when absorbed onto the end of a line.
pub(super) fn term_wide<'a>(d: &mut Doc<'a>, node: Node<'a>) {
    match node {
        Node::Plain(Expr::AttrSet { rec, bindings }) => set(d, Width::Wide, *rec, bindings),
        Node::Plain(Expr::List(items)) => list(d, items),
        node => term(d, node),
    }
}

/// `[ … ]` with items one per line (they always are: items are separated by hard lines).
pub(super) fn list<'a>(d: &mut Doc<'a>, items: &'a [ListItem]) {
    if items.is_empty() {
        d.text("[");
        d.hardspace();
        d.text("]");
    } else {
        list_with(d, items, false);
    }
}

/// `renderList`: items separated by hard lines, or by soft lines when `soft`.
pub(super) fn list_with<'a>(d: &mut Doc<'a>, items: &'a [ListItem], soft: bool) {
    d.text("[");
    d.line();
    d.nested(|d| {
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                if soft {
                    d.line();
                } else {
                    d.hardline();
                }
            }
            d.group(|d| {
                binding::comments(d, &item.comments);
                term(d, Node::term(&item.value));
            });
        }
    });
    d.line();
    d.text("]");
}

/// Whether a list item is simple (no comments, simple value).
pub(super) fn item_is_simple(item: &ListItem) -> bool {
    item.comments.is_empty() && Node::term(&item.value).is_simple()
}

/// `{ … }` or `rec { … }`.
pub(super) fn set<'a>(d: &mut Doc<'a>, width: Width, rec: bool, bindings: &'a [Binding]) {
    if rec {
        d.text("rec");
        d.hardspace();
    }
    if bindings.is_empty() {
        d.text("{");
        d.hardspace();
        d.text("}");
        return;
    }
    d.text("{");
    let sep = |d: &mut Doc<'a>| if width == Width::Wide { d.hardline() } else { d.line() };
    sep(d);
    d.nested(|d| binding::bindings(d, bindings));
    sep(d);
    d.text("}");
}

/// `.key` parts of a path: a name, a quoted name, or an interpolation.
pub(super) fn key<'a>(d: &mut Doc<'a>, key: &'a Key) {
    match key {
        Key::Name(n) if escape::is_identifier(n) => d.text(n.as_str()),
        Key::Name(n) => string::quoted_text(d, n),
        Key::Dynamic(Expr::Str(s)) => string::quoted(d, &s.parts),
        Key::Dynamic(e) => string::interpolation(d, e),
    }
}

/// Keys separated by dots.
pub(super) fn keys<'a>(d: &mut Doc<'a>, keys: impl IntoIterator<Item = &'a Key>) {
    for (i, k) in keys.into_iter().enumerate() {
        if i > 0 {
            d.text(".");
        }
        key(d, k);
    }
}

/// Whether every key is a bare name.
pub(super) fn keys_are_simple<'a>(keys: impl IntoIterator<Item = &'a Key>) -> bool {
    keys.into_iter().all(|k| matches!(k, Key::Name(n) if escape::is_identifier(n)))
}

/// `base.a.b` or `base.a.b or default`.
fn select<'a>(d: &mut Doc<'a>, e: &'a Expr) {
    let (base, path, default) = select_chain(e);
    term(d, base);
    match base {
        Node::Paren(_) => d.softbreak(),
        Node::Plain(Expr::Ident(_) | Expr::Null | Expr::Bool(_) | Expr::Int(_) | Expr::Float(_)) => {}
        Node::Plain(Expr::Path(p)) if p.starts_with('<') => {}
        Node::Plain(_) => d.linebreak(),
    }
    for k in path {
        d.text(".");
        key(d, k);
    }
    if let Some(default) = default {
        d.softline();
        d.nested(|d| {
            d.text("or");
            d.hardspace();
            term(d, Node::term(default));
        });
    }
}

/// `( expr )`.
pub(super) fn paren<'a>(d: &mut Doc<'a>, e: &'a Expr) {
    d.group(|d| {
        d.text("(");
        d.nested(|d| paren_body(d, Node::Plain(e)));
        d.text(")");
    });
}

/// What goes between parentheses (and in a lone interpolation).
pub(super) fn paren_body<'a>(d: &mut Doc<'a>, node: Node<'a>) {
    match node {
        _ if node.is_absorbable() => d.group(|d| absorb(d, node, Width::Regular)),
        Node::Plain(Expr::Apply { .. }) => super::app::app(d, super::app::Ctx::PAREN, node),
        Node::Plain(e @ Expr::Select { .. }) => {
            let (base, _, _) = select_chain(e);
            let absorbable_base = base.is_absorbable_term();
            if absorbable_base {
                d.linebreak();
            }
            d.group(|d| expr(d, node));
            d.linebreak();
        }
        _ => {
            d.linebreak();
            d.group(|d| expr(d, node));
            d.linebreak();
        }
    }
}
