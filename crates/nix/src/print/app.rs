//! Function application: the arguments absorbed onto the function's line where they fit.

use crate::ast::{Expr, Param};
use crate::doc::{Doc, Elem, GroupKind, try_compact};

use super::prec::{Node, app_is_simple};
use super::starts_with_comment;
use super::stmt::expr;
use super::term::{item_is_simple, list_with, term_bare, term_wide};

/// Where an application is printed (nixfmt's `prettyApp` flags).
#[derive(Clone, Copy)]
pub(super) struct Ctx {
    /// Indent the function under an opening parenthesis.
    indent_function: bool,
    /// Starts with a line, so that the call may move to the next line.
    leading_line: bool,
    /// Ends with a line break, before a closing parenthesis.
    trailing_break: bool,
}

impl Ctx {
    pub(super) const TOP: Ctx = Ctx { indent_function: false, leading_line: false, trailing_break: false };
    pub(super) const PAREN: Ctx = Ctx { indent_function: true, leading_line: false, trailing_break: true };
    pub(super) const RHS: Ctx = Ctx { indent_function: false, leading_line: true, trailing_break: false };
}

fn parts(node: Node<'_>) -> (Node<'_>, Node<'_>) {
    match node {
        Node::Plain(Expr::Apply { func, arg }) => (Node::func(func), Node::term(arg)),
        _ => unreachable!("parts of an application"),
    }
}

fn is_list(node: Node<'_>) -> bool {
    matches!(node, Node::Plain(Expr::List(_)))
}

/// Two list arguments in a row: `(function before them, first list)`.
fn list_pair<'a>(func: Node<'a>, arg: Node<'a>) -> Option<(Node<'a>, Node<'a>)> {
    if !is_list(arg) {
        return None;
    }
    if let Node::Plain(Expr::Apply { .. }) = func {
        let (f2, l1) = parts(func);
        if is_list(l1) {
            return Some((f2, l1));
        }
    }
    None
}

/// A short list of simple items may stay on one line as an argument.
fn absorb_inner<'a>(d: &mut Doc<'a>, node: Node<'a>) {
    if let Node::Plain(Expr::List(items)) = node
        && items.len() <= 6
        && items.iter().all(item_is_simple)
    {
        return list_with(d, items, true);
    }
    expr(d, node);
}

fn absorb_arg<'a>(d: &mut Doc<'a>, arg: Node<'a>) {
    d.line();
    let kind = if matches!(arg, Node::Plain(Expr::Select { .. })) { GroupKind::Regular } else { GroupKind::Priority };
    d.nested(|d| d.group_of(kind, |d| absorb_inner(d, arg)));
}

/// The function and all arguments but the last.
fn absorb_app<'a>(d: &mut Doc<'a>, node: Node<'a>, indent_function: bool) {
    let Node::Plain(Expr::Apply { .. }) = node else {
        if indent_function {
            d.nested(|d| {
                d.group(|d| {
                    d.linebreak();
                    expr(d, node);
                })
            });
        } else {
            expr(d, node);
        }
        return;
    };
    let (func, arg) = parts(node);
    if let Some((f2, l1)) = list_pair(func, arg) {
        d.transparent_group(|d| {
            d.transparent_group(|d| absorb_app(d, f2, indent_function));
            d.nested(|d| {
                d.group(|d| {
                    d.line();
                    d.group(|d| absorb_inner(d, l1));
                    d.line();
                    d.group(|d| absorb_inner(d, arg));
                });
            });
        });
        return;
    }
    d.transparent_group(|d| absorb_app(d, func, indent_function));
    absorb_arg(d, arg);
}

fn priority_nest<'a>(d: &mut Doc<'a>, f: impl FnOnce(&mut Doc<'a>)) {
    d.priority_group(|d| d.nested(f));
}

/// The last argument, which may expand on its own.
fn absorb_last<'a>(d: &mut Doc<'a>, arg: Node<'a>) {
    if arg.is_absorbable_term() {
        return priority_nest(d, |d| term_bare(d, arg));
    }
    if let Node::Paren(inner) = arg {
        if let Expr::Lambda { param: Param::Ident(name), body } = inner {
            let body = Node::top(body);
            if body.is_absorbable_term() {
                return priority_nest(d, |d| {
                    d.text("(");
                    d.text(name.as_str());
                    d.text(":");
                    d.hardspace();
                    term_wide(d, body);
                    d.text(")");
                });
            }
        }
        if let Expr::Apply { func, arg: a } = inner {
            let a = Node::term(a);
            if let Some(name) = Node::func(func).identifier()
                && a.is_absorbable_term()
            {
                return priority_nest(d, |d| {
                    d.text("(");
                    d.text(name);
                    d.hardspace();
                    term_wide(d, a);
                    d.text(")");
                });
            }
        }
        return absorb_paren(d, inner);
    }
    d.group(|d| d.nested(|d| expr(d, arg)));
}

/// A parenthesised expression that may expand inside its parentheses.
pub(super) fn absorb_paren<'a>(d: &mut Doc<'a>, inner: &'a Expr) {
    d.priority_group(|d| {
        d.nested(|d| {
            d.text("(");
            d.linebreak();
            d.group(|d| d.nested(|d| expr(d, Node::Plain(inner))));
            d.linebreak();
            d.text(")");
        });
    });
}

/// `func arg …`.
pub(super) fn app<'a>(d: &mut Doc<'a>, ctx: Ctx, node: Node<'a>) {
    let (func, arg) = parts(node);
    if let Some((f2, l1)) = list_pair(func, arg) {
        d.group(|d| {
            if ctx.leading_line {
                d.line();
            }
            d.transparent_group(|d| absorb_app(d, f2, ctx.indent_function));
            d.line();
            d.nested(|d| d.group(|d| absorb_inner(d, l1)));
            d.line();
            d.nested(|d| d.group(|d| absorb_inner(d, arg)));
            if ctx.trailing_break {
                d.linebreak();
            }
        });
        return;
    }
    let mut head = d.sub();
    if ctx.leading_line {
        head.line();
    }
    head.transparent_group(|d| absorb_app(d, func, ctx.indent_function));
    let head: Vec<Elem<'a>> = head.into_raw();
    if app_is_simple(func, arg)
        && !starts_with_comment(d, func.expr(), true)
        && let Some(flat) = try_compact(&head, None)
    {
        d.group(|d| {
            d.extend(flat);
            d.hardspace();
            absorb_last(d, arg);
        });
        return;
    }
    d.group(|d| {
        d.extend(head);
        d.line();
        absorb_last(d, arg);
        if ctx.trailing_break {
            d.linebreak();
        }
    });
}
