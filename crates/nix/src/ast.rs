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
