//! The precedence table, and the view of an expression as nixfmt's parser sees the printed text.
//!
//! Levels follow the Nix manual, tightest first: 0 atoms, 1 selection, 2 application, 3 negation,
//! 4 `?`, 5 `++` (right), 6 `*` `/`, 7 `+` `-`, 8 `!`, 9 `//` (right), 10 `<` `<=` `>` `>=` (none),
//! 11 `==` `!=` (none), 12 `&&`, 13 `||`, 14 `->` (right), 15 lambdas, `let`, `with`, `if`.
//! A child is parenthesised when its level is looser than its position allows.

use std::sync::LazyLock;

use crate::ast::{BinaryOp, Expr, StrKind, UnaryOp};
use crate::escape;

/// An expression as printed: bare, or inside parentheses.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Node<'a> {
    /// Printed as itself.
    Plain(&'a Expr),
    /// Printed as `( expr )`.
    Paren(&'a Expr),
}

/// Stands in for a float that has no Nix literal.
static NON_FINITE: LazyLock<Expr> = LazyLock::new(|| Expr::Apply {
    func: Box::new(Expr::Ident("throw".into())),
    arg: Box::new(Expr::Str(crate::ast::Str {
        kind: StrKind::Quoted,
        parts: vec![crate::ast::StrPart::Text("homeflake-nix: NaN and infinite floats have no Nix literal".into())],
    })),
});

/// `i64::MIN`, whose absolute value is no Nix integer.
static INT_MIN: LazyLock<Expr> = LazyLock::new(|| Expr::Binary {
    op: BinaryOp::Sub,
    lhs: Box::new(Expr::Int(-i64::MAX)),
    rhs: Box::new(Expr::Int(1)),
});

/// The expression actually printed for `e` (a few values need spelling out).
pub(crate) fn resolve(e: &Expr) -> &Expr {
    match e {
        Expr::Float(f) if !f.is_finite() => &NON_FINITE,
        Expr::Int(i64::MIN) => &INT_MIN,
        e => e,
    }
}

/// The precedence level of a binary operator.
pub(crate) fn op_level(op: BinaryOp) -> u8 {
    use BinaryOp::*;
    match op {
        Concat => 5,
        Mul | Div => 6,
        Add | Sub => 7,
        Update => 9,
        Less | LessEq | Greater | GreaterEq => 10,
        Equal | NotEqual => 11,
        And => 12,
        Or => 13,
        Implies => 14,
    }
}

/// The precedence level of an expression.
pub(crate) fn level(e: &Expr) -> u8 {
    match resolve(e) {
        Expr::Null | Expr::Bool(_) | Expr::Ident(_) | Expr::Str(_) | Expr::Path(_) => 0,
        Expr::AttrSet { .. } | Expr::List(_) => 0,
        Expr::Int(n) => {
            if *n < 0 {
                3
            } else {
                0
            }
        }
        Expr::Float(f) => {
            if f.is_sign_negative() {
                3
            } else {
                0
            }
        }
        Expr::Select { .. } => 1,
        Expr::Apply { .. } => 2,
        Expr::Unary { op: UnaryOp::Negate, .. } => 3,
        Expr::HasAttr { .. } => 4,
        Expr::Unary { op: UnaryOp::Not, .. } => 8,
        Expr::Binary { op, .. } => op_level(*op),
        Expr::Lambda { .. } | Expr::Let { .. } | Expr::With { .. } | Expr::If { .. } => 15,
    }
}

fn within(e: &Expr, max: u8) -> Node<'_> {
    let e = resolve(e);
    if level(e) <= max { Node::Plain(e) } else { Node::Paren(e) }
}

impl<'a> Node<'a> {
    /// In a position that takes any expression.
    pub(crate) fn top(e: &'a Expr) -> Node<'a> {
        Node::Plain(resolve(e))
    }

    /// As a list element or function argument: a selection or tighter.
    pub(crate) fn term(e: &'a Expr) -> Node<'a> {
        within(e, 1)
    }

    /// As the function of an application.
    pub(crate) fn func(e: &'a Expr) -> Node<'a> {
        within(e, 2)
    }

    /// As the base of a selection: an atom, but not a number or path (`1.a`, `./a.b` would lex
    /// differently).
    pub(crate) fn select_base(e: &'a Expr) -> Node<'a> {
        let e = resolve(e);
        match e {
            Expr::Int(_) | Expr::Float(_) | Expr::Path(_) => Node::Paren(e),
            e => within(e, 0),
        }
    }

    /// As the operand of `-`: an application or tighter, not starting with a path (`-./a` lexes as
    /// one path) nor a minus sign (`-(-x)`).
    pub(crate) fn negated(e: &'a Expr) -> Node<'a> {
        fn starts_with_path(e: &Expr) -> bool {
            match resolve(e) {
                Expr::Path(_) => true,
                Expr::Apply { func, .. } => starts_with_path(func),
                _ => false,
            }
        }
        match within(e, 2) {
            Node::Plain(e) if starts_with_path(e) => Node::Paren(e),
            node => node,
        }
    }

    /// As the operand of `!`.
    pub(crate) fn inverted(e: &'a Expr) -> Node<'a> {
        let e = resolve(e);
        match e {
            Expr::Unary { op: UnaryOp::Not, .. } => Node::Plain(e),
            e => within(e, 4),
        }
    }

    /// As the left side of `?` (`(-x) ? a`: nixfmt reads `-x ? a` as `-(x ? a)`).
    pub(crate) fn has_attr_lhs(e: &'a Expr) -> Node<'a> {
        within(e, 2)
    }

    /// As the left operand of `op`.
    pub(crate) fn lhs(op: BinaryOp, e: &'a Expr) -> Node<'a> {
        let l = op_level(op);
        let e = resolve(e);
        let lv = level(e);
        let left_assoc = matches!(l, 6 | 7 | 12 | 13);
        if lv < l || (lv == l && left_assoc) { Node::Plain(e) } else { Node::Paren(e) }
    }

    /// As the right operand of `op`.
    pub(crate) fn rhs(op: BinaryOp, e: &'a Expr) -> Node<'a> {
        let l = op_level(op);
        let e = resolve(e);
        let lv = level(e);
        let right_assoc = matches!(l, 5 | 9 | 14);
        if lv < l || (lv == l && right_assoc) { Node::Plain(e) } else { Node::Paren(e) }
    }

    /// The text of a bare identifier (`true`, `false` and `null` are identifiers too).
    pub(crate) fn identifier(self) -> Option<&'a str> {
        match self {
            Node::Plain(Expr::Ident(n)) => Some(n),
            Node::Plain(Expr::Bool(true)) => Some("true"),
            Node::Plain(Expr::Bool(false)) => Some("false"),
            Node::Plain(Expr::Null) => Some("null"),
            _ => None,
        }
    }

    /// Whether nixfmt sees a term (an atom, selection or parenthesised expression).
    pub(crate) fn is_term(self) -> bool {
        match self {
            Node::Paren(_) => true,
            Node::Plain(e) => level(e) <= 1,
        }
    }

    /// Whether nixfmt's `isSimple` holds: strings, paths, names and numbers, plain selections
    /// of those, and applications of at most two simple arguments.
    pub(crate) fn is_simple(self) -> bool {
        match self {
            Node::Paren(e) => Node::Plain(e).is_simple(),
            Node::Plain(e) => match e {
                Expr::Str(_) | Expr::Path(_) | Expr::Ident(_) | Expr::Null | Expr::Bool(_) => true,
                Expr::Int(_) | Expr::Float(_) => level(e) == 0,
                Expr::Select { .. } => {
                    let (base, keys, default) = select_chain(e);
                    default.is_none()
                        && keys.iter().all(|k| matches!(k, crate::ast::Key::Name(n) if escape::is_identifier(n)))
                        && base.is_simple()
                }
                Expr::Apply { func, arg } => app_is_simple(Node::func(func), Node::term(arg)),
                _ => false,
            },
        }
    }

    /// Whether nixfmt's `isAbsorbable` holds for this term: a non-empty set or list, or a
    /// multi-line indented string.
    pub(crate) fn is_absorbable_term(self) -> bool {
        match self {
            Node::Paren(_) => false,
            Node::Plain(e) => match e {
                Expr::AttrSet { bindings, .. } => !bindings.is_empty(),
                Expr::List(items) => !items.is_empty(),
                Expr::Str(s) => s.kind == StrKind::Indented && escape::is_multiline(&s.parts),
                _ => false,
            },
        }
    }

    /// Whether nixfmt's `isAbsorbableExpr` holds: absorbable terms, `with` around one, and
    /// lambdas whose body is one.
    pub(crate) fn is_absorbable(self) -> bool {
        match self {
            Node::Paren(_) => false,
            Node::Plain(e) => match e {
                Expr::With { body, .. } => Node::top(body).is_absorbable_term(),
                Expr::Lambda { param: crate::ast::Param::Ident(_), body } => {
                    let body = Node::top(body);
                    match body {
                        Node::Plain(Expr::Lambda { .. }) => body.is_absorbable(),
                        _ => body.is_absorbable_term(),
                    }
                }
                // nixfmt 1.3 absorbs a one-line `{ a }: body`; 1.0 to 1.2 never do, and their
                // layout is the one every release keeps.
                Expr::Lambda { param: crate::ast::Param::Pattern(_), .. } => false,
                _ => self.is_absorbable_term(),
            },
        }
    }
}

/// nixfmt's `isSimple` for an application `func arg`.
pub(crate) fn app_is_simple(func: Node<'_>, arg: Node<'_>) -> bool {
    if let Node::Plain(Expr::Apply { func: inner, .. }) = func
        && matches!(Node::func(inner), Node::Plain(Expr::Apply { .. }))
    {
        return false;
    }
    func.is_simple() && arg.is_simple()
}

/// A selection with the selections of its base merged in: `(a.b).c` prints as `a.b.c`.
pub(crate) fn select_chain(e: &Expr) -> (Node<'_>, Vec<&crate::ast::Key>, Option<&Expr>) {
    let Expr::Select { expr, path, default } = e else {
        return (Node::Plain(e), Vec::new(), None);
    };
    let mut keys: Vec<&crate::ast::Key> = path.iter().collect();
    let mut base: &Expr = expr;
    while let Expr::Select { expr: inner, path, default: None } = resolve(base) {
        keys.splice(0..0, path.iter());
        base = inner;
    }
    (Node::select_base(base), keys, default.as_deref())
}
