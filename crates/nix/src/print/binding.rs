//! Bindings (`path = value;`, `inherit`), comments above them, and right-hand sides.

use crate::ast::{BinaryOp, Binding, BindingKind, Expr};
use crate::doc::Doc;

use super::app::{Ctx, app};
use super::op::{operation_chain, operator};
use super::prec::Node;
use super::stmt::{absorb, expr};
use super::term::{Width, key, keys, keys_are_simple, paren, term_wide};

/// Comment lines, each on its own line above what follows.
pub(super) fn comments<'a>(d: &mut Doc<'a>, lines: &'a [String]) {
    if lines.is_empty() {
        return;
    }
    d.hardline();
    for line in lines {
        for part in line.split(['\n', '\r']) {
            let part = part.trim_end();
            if part.is_empty() {
                d.comment("#");
            } else {
                d.comment(format!("# {part}"));
            }
            d.hardline();
        }
    }
}

/// Bindings one per line.
pub(super) fn bindings<'a>(d: &mut Doc<'a>, bindings: &'a [Binding]) {
    for (i, b) in bindings.iter().enumerate() {
        if i > 0 {
            d.hardline();
        }
        d.group(|d| binding(d, b));
    }
}

fn binding<'a>(d: &mut Doc<'a>, b: &'a Binding) {
    match &b.kind {
        BindingKind::Assign { path, value } => d.group(|d| {
            comments(d, &b.comments);
            keys(d, path);
            let simple = path.len() <= 4 && keys_are_simple(path);
            d.nested(|d| {
                d.hardspace();
                d.text("=");
                if simple {
                    absorb_rhs(d, Node::top(value));
                } else {
                    d.linebreak();
                    d.priority_group(|d| absorb_rhs(d, Node::top(value)));
                }
            });
            d.text(";");
        }),
        BindingKind::Inherit { from, names } => d.group(|d| {
            comments(d, &b.comments);
            d.text("inherit");
            let few = names.len() < 4;
            let sep = |d: &mut Doc<'a>| if few { d.line() } else { d.hardline() };
            let finish = |d: &mut Doc<'a>| {
                for (i, name) in names.iter().enumerate() {
                    if i > 0 {
                        sep(d);
                    }
                    key(d, name);
                }
                if few {
                    d.linebreak();
                } else {
                    d.hardline();
                }
                d.text(";");
            };
            match from {
                None => {
                    sep(d);
                    d.nested(finish);
                }
                Some(from) => d.nested(|d| {
                    d.group(|d| {
                        d.line();
                        paren(d, from);
                    });
                    sep(d);
                    finish(d);
                }),
            }
        }),
    }
}

fn is_update_concat_plus(op: BinaryOp) -> bool {
    matches!(op, BinaryOp::Update | BinaryOp::Concat | BinaryOp::Add)
}

/// A right-hand side (after `=` or a pattern's `?`), as nixfmt's `absorbRHS`.
pub(super) fn absorb_rhs<'a>(d: &mut Doc<'a>, node: Node<'a>) {
    let e = match node {
        Node::Paren(e) => {
            return d.nested(|d| {
                d.hardspace();
                super::app::absorb_paren(d, e);
            });
        }
        Node::Plain(e) => e,
    };
    match e {
        Expr::AttrSet { bindings, .. }
            if bindings.len() == 1 && matches!(bindings[0].kind, BindingKind::Inherit { .. }) =>
        {
            d.nested(|d| {
                d.hardspace();
                d.group(|d| absorb(d, node, Width::Regular));
            });
        }
        _ if node.is_absorbable() => d.nested(|d| {
            d.hardspace();
            d.group(|d| absorb(d, node, Width::Wide));
        }),
        Expr::Str(_) | Expr::Path(_) if !matches!(e, Expr::Path(p) if p.starts_with('<')) => d.nested(|d| {
            d.hardspace();
            d.group(|d| expr(d, node));
        }),
        _ if node.is_term() => d.nested(|d| {
            d.group(|d| {
                d.line();
                expr(d, node);
            })
        }),
        Expr::Apply { .. } => d.nested(|d| app(d, Ctx::RHS, node)),
        Expr::With { .. } => d.nested(|d| {
            d.group(|d| {
                d.line();
                expr(d, node);
            })
        }),
        Expr::Binary { op, .. } if is_update_concat_plus(*op) && operator(e).lhs.is_absorbable_term() => {
            d.hardspace();
            operation_chain(d, true, e);
        }
        Expr::Binary { op, .. } if is_update_concat_plus(*op) && operator(e).rhs_term_absorbable() => {
            let parts = operator(e);
            let Some(rhs) = parts.rhs else { unreachable!("checked above") };
            d.nested(|d| {
                d.group(|d| {
                    d.line();
                    expr(d, parts.lhs);
                    d.line();
                    d.transparent_group(|d| {
                        d.text(op.symbol());
                        d.hardspace();
                        d.priority_group(|d| term_wide(d, rhs));
                    });
                });
            });
        }
        _ => d.nested(|d| {
            d.line();
            d.group(|d| expr(d, node));
        }),
    }
}
