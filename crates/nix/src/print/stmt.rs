//! Expressions that are not terms: lambdas, `let`, `with`, `if`, negation, and the dispatcher.

use crate::ast::{Expr, Param, Pattern, PatternEntry, UnaryOp};
use crate::doc::Doc;
use crate::escape;

use super::app::{Ctx, app};
use super::binding::{absorb_rhs, bindings};
use super::op::{has_attr, operation};
use super::prec::Node;
use super::term::{Width, term, term_bare, term_wide};

/// Any expression, as nixfmt's `pretty Expression`.
pub(super) fn expr<'a>(d: &mut Doc<'a>, node: Node<'a>) {
    let e = match node {
        Node::Paren(_) => return term(d, node),
        Node::Plain(e) => e,
    };
    match e {
        Expr::Int(n) if *n < 0 => {
            d.text("-");
            d.text(n.unsigned_abs().to_string());
        }
        Expr::Float(f) if f.is_sign_negative() => {
            d.text("-");
            d.text(escape::float(*f));
        }
        Expr::Apply { .. } => app(d, Ctx::TOP, node),
        Expr::Binary { .. } => operation(d, e),
        Expr::HasAttr { .. } => has_attr(d, e),
        Expr::Unary { op: UnaryOp::Negate, expr: inner } => {
            d.text("-");
            expr(d, Node::negated(inner));
        }
        Expr::Unary { op: UnaryOp::Not, expr: inner } => {
            d.text("!");
            expr(d, Node::inverted(inner));
        }
        Expr::Let { bindings: bs, body } => {
            d.group(|d| {
                d.text("let");
                d.hardline();
                d.nested(|d| bindings(d, bs));
            });
            d.hardline();
            d.group(|d| {
                d.text("in");
                d.hardline();
                expr(d, Node::top(body));
            });
        }
        Expr::If { .. } => d.group(|d| if_chain(d, e, false)),
        Expr::With { scope, body } => {
            d.group(|d| {
                d.text("with");
                d.hardspace();
                d.nested(|d| d.group(|d| expr(d, Node::top(scope))));
                d.text(";");
            });
            d.line();
            expr(d, Node::top(body));
        }
        Expr::Lambda { param, body } => lambda(d, param, body),
        _ => term(d, node),
    }
}

/// An expression absorbed onto the end of the previous line.
pub(super) fn absorb<'a>(d: &mut Doc<'a>, node: Node<'a>, width: Width) {
    if node.is_absorbable_term() {
        return match width {
            Width::Wide => term_wide(d, node),
            Width::Regular => term_bare(d, node),
        };
    }
    if let Node::Plain(Expr::With { scope, body }) = node {
        let body = Node::top(body);
        if body.is_absorbable_term() {
            return d.group(|d| {
                d.linebreak();
                d.text("with");
                d.hardspace();
                d.nested(|d| d.group(|d| expr(d, Node::top(scope))));
                d.text(";");
                d.hardspace();
                d.priority_group(|d| term_wide(d, body));
            });
        }
    }
    expr(d, node);
}

fn if_chain<'a>(d: &mut Doc<'a>, e: &'a Expr, nested: bool) {
    let Expr::If { cond, then, else_ } = e else {
        d.line();
        d.nested(|d| d.group(|d| expr(d, Node::top(e))));
        return;
    };
    d.group(|d| {
        d.text("if");
        d.line();
        d.nested(|d| expr(d, Node::top(cond)));
        d.line();
        d.text("then");
    });
    let sep = |d: &mut Doc<'a>| if nested { d.hardline() } else { d.line() };
    sep(d);
    d.nested(|d| d.group(|d| expr(d, Node::top(then))));
    sep(d);
    d.text("else");
    d.hardspace();
    if_chain(d, Node::top(else_).expr(), true);
}

/// Whether a pattern's braces may stay on one line: at most two names, no defaults.
pub(super) fn set_is_flat(p: &Pattern) -> bool {
    p.entries.len() <= 2 && p.entries.iter().all(|e| e.default.is_none()) && !super::known_multiline(p)
}

fn lambda<'a>(d: &mut Doc<'a>, param: &'a Param, body: &'a Expr) {
    let body = Node::top(body);
    let p = match param {
        Param::Ident(name) => {
            return d.group(|d| {
                d.linebreak();
                d.text(name.as_str());
                d.text(":");
                absorb_lambda(d, body, 1);
            });
        }
        Param::Pattern(p) => p,
    };
    pattern(d, p);
    d.text(":");
    // nixfmt 1.3 keeps `{ a, ... }: {` on one line when it finds it so; 1.0 to 1.2 always break
    // there. The layout of 1.0 to 1.2 is the one every release leaves unchanged.
    if body.is_term() && body.is_absorbable_term() {
        d.line();
        d.group(|d| term_wide(d, body));
    } else {
        d.line();
        expr(d, body);
    }
}

fn absorb_lambda<'a>(d: &mut Doc<'a>, body: Node<'a>, depth: usize) {
    match body {
        Node::Plain(Expr::Lambda { param: Param::Ident(name), body: inner }) => {
            d.hardspace();
            d.text(name.as_str());
            d.text(":");
            absorb_lambda(d, Node::top(inner), depth + 1);
        }
        _ if body.is_absorbable() => {
            d.hardspace();
            d.priority_group(|d| absorb(d, body, Width::Regular));
        }
        _ => {
            if depth <= 2 {
                d.line();
            } else {
                d.hardline();
            }
            expr(d, body);
        }
    }
}

/// `{ a, b ? x, ... }` and `{ … }@name`.
fn pattern<'a>(d: &mut Doc<'a>, p: &'a Pattern) {
    if p.entries.is_empty() && !p.ellipsis {
        d.group(|d| {
            d.text("{");
            d.hardspace();
            d.text("}");
        });
    } else {
        let flat = set_is_flat(p);
        let mark = if flat { super::mark_pattern(p) } else { 0 };
        let sep = |d: &mut Doc<'a>| if flat { d.line() } else { d.hardline() };
        d.group(|d| {
            d.marked_text("{", mark);
            sep(d);
            d.nested(|d| {
                let count = p.entries.len();
                for (i, entry) in p.entries.iter().enumerate() {
                    if i > 0 {
                        sep(d);
                    }
                    let last = i + 1 == count && !p.ellipsis;
                    pattern_entry(d, entry, !last);
                    if last {
                        d.trailing(",");
                    }
                }
                if p.ellipsis {
                    if count > 0 {
                        sep(d);
                    }
                    d.text("...");
                }
            });
            sep(d);
            d.marked_text("}", mark);
        });
    }
    if let Some(name) = &p.bind {
        d.text("@");
        d.text(name.as_str());
    }
}

fn pattern_entry<'a>(d: &mut Doc<'a>, entry: &'a PatternEntry, comma: bool) {
    let inner = |d: &mut Doc<'a>| {
        d.text(entry.name.as_str());
        if let Some(default) = &entry.default {
            d.hardspace();
            d.nested(|d| {
                d.text("?");
                absorb_rhs(d, Node::top(default));
            });
        }
        if comma {
            d.text(",");
        }
    };
    if entry.default.is_some() { d.group(inner) } else { inner(d) }
}

impl<'a> Node<'a> {
    /// The expression, whether printed bare or in parentheses.
    pub(super) fn expr(self) -> &'a Expr {
        match self {
            Node::Plain(e) | Node::Paren(e) => e,
        }
    }
}
