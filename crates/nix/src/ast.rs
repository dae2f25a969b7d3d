//! The typed Nix syntax tree: what NixOS flakes and modules are made of, and nothing the printer must guess.

/// A whole `.nix` file: leading comment lines, then one expression.
#[derive(Debug, Clone, PartialEq)]
pub struct File {
    /// Line comments printed above the expression, without the leading `#`.
    pub comments: Vec<String>,
    /// The file's single expression.
    pub expr: Expr,
}

/// A Nix expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// An integer literal; negative values print as a negation of the literal.
    Int(i64),
    /// A float literal; always printed with a decimal point or exponent.
    Float(f64),
    /// A double-quoted (`"…"`) or indented (`''…''`) string.
    Str(Str),
    /// A path literal such as `./hosts/yomogi` or `<nixpkgs>`, kept verbatim.
    Path(String),
    /// A variable reference such as `pkgs`.
    Ident(String),
    /// `expr.a.b` or `expr.a.b or default`.
    Select {
        /// The expression selected from.
        expr: Box<Expr>,
        /// The attribute path after the dot.
        path: AttrPath,
        /// The value after `or`, if any.
        default: Option<Box<Expr>>,
    },
    /// `expr ? a.b`.
    HasAttr {
        /// The expression tested.
        expr: Box<Expr>,
        /// The attribute path tested for.
        path: AttrPath,
    },
    /// Function application `func arg`.
    Apply {
        /// The function.
        func: Box<Expr>,
        /// The argument.
        arg: Box<Expr>,
    },
    /// `param: body`.
    Lambda {
        /// The parameter: a name or a pattern.
        param: Param,
        /// The function body.
        body: Box<Expr>,
    },
    /// `{ … }` or `rec { … }`.
    AttrSet {
        /// Whether the set is recursive.
        rec: bool,
        /// The bindings in source order.
        bindings: Vec<Binding>,
    },
    /// `[ … ]`.
    List(Vec<ListItem>),
    /// `let … in body`.
    Let {
        /// The bindings of the `let`.
        bindings: Vec<Binding>,
        /// The expression after `in`.
        body: Box<Expr>,
    },
    /// `with scope; body`.
    With {
        /// The attribute set brought into scope.
        scope: Box<Expr>,
        /// The expression evaluated in it.
        body: Box<Expr>,
    },
    /// `if cond then then_ else else_`.
    If {
        /// The condition.
        cond: Box<Expr>,
        /// The value when true.
        then: Box<Expr>,
        /// The value when false.
        else_: Box<Expr>,
    },
    /// A prefix operator applied to an operand.
    Unary {
        /// The operator.
        op: UnaryOp,
        /// The operand.
        expr: Box<Expr>,
    },
    /// An infix operator between two operands.
    Binary {
        /// The operator.
        op: BinaryOp,
        /// The left operand.
        lhs: Box<Expr>,
        /// The right operand.
        rhs: Box<Expr>,
    },
}

/// Which literal syntax a string uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StrKind {
    /// `"…"`.
    Quoted,
    /// `''…''`, for multi-line text.
    Indented,
}

/// A string literal: literal text and interpolations, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Str {
    /// The literal syntax to print.
    pub kind: StrKind,
    /// The parts; literal text is stored unescaped, exactly as the string's value.
    pub parts: Vec<StrPart>,
}

/// One part of a string literal.
#[derive(Debug, Clone, PartialEq)]
pub enum StrPart {
    /// Literal text, exactly as it should evaluate; the printer escapes it.
    Text(String),
    /// `${expr}`.
    Interp(Expr),
}

/// An attribute path `a.b."c.d".${e}`: one or more keys.
pub type AttrPath = Vec<Key>;

/// One key of an attribute path.
#[derive(Debug, Clone, PartialEq)]
pub enum Key {
    /// A static name; printed bare when it is a valid identifier and not a keyword, quoted otherwise.
    Name(String),
    /// A dynamic key: `${expr}`, or a string with interpolations.
    Dynamic(Expr),
}

/// One entry of an attribute set or `let`.
#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    /// Line comments printed above the binding, without the leading `#`.
    pub comments: Vec<String>,
    /// The binding itself.
    pub kind: BindingKind,
    /// An opaque number the printer ignores (0: none). Tools that trace output back to their
    /// input set it, and [`crate::tagged_lines`] tells which lines the binding landed on.
    pub tag: u32,
}

/// What a binding binds.
#[derive(Debug, Clone, PartialEq)]
pub enum BindingKind {
    /// `path = value;`.
    Assign {
        /// The attribute path on the left.
        path: AttrPath,
        /// The value on the right.
        value: Expr,
    },
    /// `inherit a b;` or `inherit (from) a b;`.
    Inherit {
        /// The source set in parentheses, if any.
        from: Option<Expr>,
        /// The inherited names.
        names: Vec<Key>,
    },
}

/// One element of a list.
#[derive(Debug, Clone, PartialEq)]
pub struct ListItem {
    /// Line comments printed above the item, without the leading `#`.
    pub comments: Vec<String>,
    /// The element.
    pub value: Expr,
    /// An opaque number the printer ignores (0: none); see [`Binding::tag`].
    pub tag: u32,
}

/// A lambda's parameter.
#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    /// `x: …`.
    Ident(String),
    /// `{ a, b ? default, ... }@name: …`.
    Pattern(Pattern),
}

/// A destructuring argument pattern.
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    /// The named entries in order.
    pub entries: Vec<PatternEntry>,
    /// Whether `...` ends the pattern.
    pub ellipsis: bool,
    /// The `@name` binding of the whole argument, printed after the pattern.
    pub bind: Option<String>,
}

/// One name of a pattern, with an optional default.
#[derive(Debug, Clone, PartialEq)]
pub struct PatternEntry {
    /// The bound name.
    pub name: String,
    /// The value after `?`, if any.
    pub default: Option<Expr>,
}

/// Prefix operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    /// `!x`.
    Not,
    /// `-x`.
    Negate,
}

/// Infix operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    /// `++`.
    Concat,
    /// `*`.
    Mul,
    /// `/`.
    Div,
    /// `+`.
    Add,
    /// `-`.
    Sub,
    /// `//`.
    Update,
    /// `<`.
    Less,
    /// `<=`.
    LessEq,
    /// `>`.
    Greater,
    /// `>=`.
    GreaterEq,
    /// `==`.
    Equal,
    /// `!=`.
    NotEqual,
    /// `&&`.
    And,
    /// `||`.
    Or,
    /// `->`.
    Implies,
}

impl BinaryOp {
    /// The operator as written in Nix source.
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Concat => "++",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Update => "//",
            BinaryOp::Less => "<",
            BinaryOp::LessEq => "<=",
            BinaryOp::Greater => ">",
            BinaryOp::GreaterEq => ">=",
            BinaryOp::Equal => "==",
            BinaryOp::NotEqual => "!=",
            BinaryOp::And => "&&",
            BinaryOp::Or => "||",
            BinaryOp::Implies => "->",
        }
    }
}

impl Expr {
    /// Calls `on_expr` on this expression and on every expression inside it (selection paths,
    /// string interpolations, list items, binding values, pattern defaults), parents first, and
    /// `on_binding` on every binding inside it: one traversal for every analysis of the tree.
    pub fn walk<'a>(&'a self, on_expr: &mut dyn FnMut(&'a Expr), on_binding: &mut dyn FnMut(&'a Binding)) {
        on_expr(self);
        let keys = |path: &'a [Key], on_expr: &mut dyn FnMut(&'a Expr), on_binding: &mut dyn FnMut(&'a Binding)| {
            for key in path {
                if let Key::Dynamic(e) = key {
                    e.walk(on_expr, on_binding);
                }
            }
        };
        match self {
            Expr::Null | Expr::Bool(_) | Expr::Int(_) | Expr::Float(_) | Expr::Path(_) | Expr::Ident(_) => {}
            Expr::Str(s) => {
                for part in &s.parts {
                    if let StrPart::Interp(e) = part {
                        e.walk(on_expr, on_binding);
                    }
                }
            }
            Expr::Select { expr, path, default } => {
                expr.walk(on_expr, on_binding);
                keys(path, on_expr, on_binding);
                if let Some(d) = default {
                    d.walk(on_expr, on_binding);
                }
            }
            Expr::HasAttr { expr, path } => {
                expr.walk(on_expr, on_binding);
                keys(path, on_expr, on_binding);
            }
            Expr::Apply { func, arg } => {
                func.walk(on_expr, on_binding);
                arg.walk(on_expr, on_binding);
            }
            Expr::Lambda { param, body } => {
                if let Param::Pattern(p) = param {
                    for default in p.entries.iter().filter_map(|e| e.default.as_ref()) {
                        default.walk(on_expr, on_binding);
                    }
                }
                body.walk(on_expr, on_binding);
            }
            Expr::AttrSet { bindings, .. } => walk_bindings(bindings, on_expr, on_binding),
            Expr::Let { bindings, body } => {
                walk_bindings(bindings, on_expr, on_binding);
                body.walk(on_expr, on_binding);
            }
            Expr::List(items) => items.iter().for_each(|item| item.value.walk(on_expr, on_binding)),
            Expr::With { scope, body } => {
                scope.walk(on_expr, on_binding);
                body.walk(on_expr, on_binding);
            }
            Expr::If { cond, then, else_ } => {
                cond.walk(on_expr, on_binding);
                then.walk(on_expr, on_binding);
                else_.walk(on_expr, on_binding);
            }
            Expr::Unary { expr, .. } => expr.walk(on_expr, on_binding),
            Expr::Binary { lhs, rhs, .. } => {
                lhs.walk(on_expr, on_binding);
                rhs.walk(on_expr, on_binding);
            }
        }
    }
}

fn walk_bindings<'a>(
    bindings: &'a [Binding],
    on_expr: &mut dyn FnMut(&'a Expr),
    on_binding: &mut dyn FnMut(&'a Binding),
) {
    for binding in bindings {
        on_binding(binding);
        match &binding.kind {
            BindingKind::Assign { path, value } => {
                for key in path {
                    if let Key::Dynamic(e) = key {
                        e.walk(on_expr, on_binding);
                    }
                }
                value.walk(on_expr, on_binding);
            }
            BindingKind::Inherit { from, .. } => {
                if let Some(from) = from {
                    from.walk(on_expr, on_binding);
                }
            }
        }
    }
}
