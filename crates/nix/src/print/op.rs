//! Binary operators: chains of one operator laid out together, comparisons, `?`.

use crate::ast::{BinaryOp, Expr};
use crate::doc::Doc;

use super::app::{Ctx, app};
use super::prec::{Node, op_level};
use super::stmt::expr;
use super::term::{keys, term, term_wide};

/// The two sides of an operation as nixfmt's parser builds it (`a + b + c` becomes
/// `a + (b + c)` there, so its right side is no term).
pub(super) struct Parts<'a> {
    /// The left side.
    pub(super) lhs: Node<'a>,
    /// The right side, when nixfmt sees it as a single operand.
    pub(super) rhs: Option<Node<'a>>,
}

impl Parts<'_> {
    pub(super) fn rhs_term_absorbable(&self) -> bool {
        self.rhs.is_some_and(|r| r.is_absorbable_term())
    }
}

/// The operands of a chain of `op`, in order.
fn operands<'a>(e: &'a Expr, op: BinaryOp, out: &mut Vec<Node<'a>>) {
    let Expr::Binary { op: o, lhs, rhs } = e else { unreachable!("operands of a binary operation") };
    for side in [Node::lhs(*o, lhs), Node::rhs(*o, rhs)] {
        match side {
            Node::Plain(Expr::Binary { op: inner, .. }) if *inner == op => operands(side.expr(), op, out),
            side => out.push(side),
        }
    }
}

/// The sides of a binary operation as nixfmt sees them.
pub(super) fn operator(e: &Expr) -> Parts<'_> {
    let Expr::Binary { op, lhs, rhs } = e else { unreachable!("operator of a binary operation") };
    if *op == BinaryOp::Add {
        let mut all = Vec::new();
        operands(e, *op, &mut all);
        let rhs = if all.len() == 2 { Some(all[1]) } else { None };
        return Parts { lhs: all[0], rhs };
    }
    Parts { lhs: Node::lhs(*op, lhs), rhs: Some(Node::rhs(*op, rhs)) }
}

fn is_comparison(op: BinaryOp) -> bool {
    op_level(op) == 10 || op_level(op) == 11
}

/// `lhs op rhs`.
pub(super) fn operation<'a>(d: &mut Doc<'a>, e: &'a Expr) {
    let Expr::Binary { op, lhs, rhs } = e else { unreachable!("operation") };
    if is_comparison(*op) {
        expr(d, Node::lhs(*op, lhs));
        d.softline();
        d.text(op.symbol());
        d.hardspace();
        expr(d, Node::rhs(*op, rhs));
        return;
    }
    let parts = operator(e);
    if matches!(op, BinaryOp::Update | BinaryOp::Concat | BinaryOp::Add) && parts.rhs_term_absorbable() {
        let rhs = parts.rhs.expect("checked");
        d.group(|d| {
            expr(d, parts.lhs);
            d.line();
            d.text(op.symbol());
            d.hardspace();
            d.nested(|d| term(d, rhs));
        });
        return;
    }
    operation_chain(d, false, e);
}

/// A chain `a op b op c`: one group, a line before each operator.
pub(super) fn operation_chain<'a>(d: &mut Doc<'a>, first_wide: bool, e: &'a Expr) {
    let Expr::Binary { op, .. } = e else { unreachable!("operation chain") };
    let mut all = Vec::new();
    operands(e, *op, &mut all);
    d.group(|d| {
        for (i, node) in all.into_iter().enumerate() {
            if i == 0 {
                if first_wide && node.is_absorbable_term() {
                    term_wide(d, node);
                } else {
                    expr(d, node);
                }
                continue;
            }
            d.line();
            d.text(op.symbol());
            d.nested(|d| absorb_operand(d, node));
        }
    });
}

fn absorb_operand<'a>(d: &mut Doc<'a>, node: Node<'a>) {
    match node {
        _ if node.is_absorbable_term() => {
            d.hardspace();
            term(d, node);
        }
        Node::Plain(Expr::Binary { .. }) => d.group(|d| {
            d.line();
            expr(d, node);
        }),
        Node::Plain(Expr::Apply { .. }) => d.group(|d| app(d, Ctx::RHS, node)),
        _ => {
            d.hardspace();
            expr(d, node);
        }
    }
}

/// `lhs ? a.b`.
pub(super) fn has_attr<'a>(d: &mut Doc<'a>, e: &'a Expr) {
    let Expr::HasAttr { expr: lhs, path } = e else { unreachable!("has_attr") };
    d.group(|d| {
        expr(d, Node::has_attr_lhs(lhs));
        d.nested(|d| {
            d.line();
            d.text("?");
            d.hardspace();
            keys(d, path);
        });
    });
}
