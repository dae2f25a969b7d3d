//! Plain constructors, so that generator code reads like the Nix it produces.
//!
//! ```
//! use homeflake_nix::make::*;
//! let module = lambda_pattern(&["config", "pkgs"], true, attrs([
//!     bind("boot.loader.grub.enable", false),
//!     bind("boot.kernelModules", list(["ceph", "rbd"])),
//! ]));
//! # let _ = module;
//! ```

use crate::ast::*;

/// An identifier reference: `ident("pkgs")` is `pkgs`.
pub fn ident(name: &str) -> Expr {
    Expr::Ident(name.to_string())
}

/// A string literal with exactly this value: quoted when it has no newline, indented otherwise.
pub fn string(value: &str) -> Expr {
    let kind = if value.contains('\n') { StrKind::Indented } else { StrKind::Quoted };
    Expr::Str(Str { kind, parts: vec![StrPart::Text(value.to_string())] })
}

/// A `"…"` string made of literal text and interpolations.
pub fn quoted(parts: impl IntoIterator<Item = StrPart>) -> Expr {
    Expr::Str(Str { kind: StrKind::Quoted, parts: parts.into_iter().collect() })
}

/// A `''…''` string made of literal text and interpolations.
pub fn indented(parts: impl IntoIterator<Item = StrPart>) -> Expr {
    Expr::Str(Str { kind: StrKind::Indented, parts: parts.into_iter().collect() })
}

/// Literal text inside a string.
pub fn text(value: &str) -> StrPart {
    StrPart::Text(value.to_string())
}

/// `${expr}` inside a string.
pub fn interp(expr: impl Into<Expr>) -> StrPart {
    StrPart::Interp(expr.into())
}

/// A path literal, kept verbatim: `path("./hosts/yomogi")`.
pub fn path(source: &str) -> Expr {
    Expr::Path(source.to_string())
}

/// An attribute path from a dotted string: `"boot.loader.grub"` is three keys. Use [`keys`] when a key contains a dot.
pub fn dotted(source: &str) -> AttrPath {
    source.split('.').map(|k| Key::Name(k.to_string())).collect()
}

/// An attribute path from separate keys, each one a single name even if it contains dots.
pub fn keys<S: AsRef<str>>(names: impl IntoIterator<Item = S>) -> AttrPath {
    names.into_iter().map(|k| Key::Name(k.as_ref().to_string())).collect()
}

/// `a.b.c = value;` with a dotted path.
pub fn bind(dotted_path: &str, value: impl Into<Expr>) -> Binding {
    bind_path(dotted(dotted_path), value)
}

/// `path = value;` with an explicit attribute path.
pub fn bind_path(path: AttrPath, value: impl Into<Expr>) -> Binding {
    Binding { comments: Vec::new(), kind: BindingKind::Assign { path, value: value.into() }, tag: 0 }
}

/// `inherit a b;`.
pub fn inherit<S: AsRef<str>>(names: impl IntoIterator<Item = S>) -> Binding {
    Binding { comments: Vec::new(), kind: BindingKind::Inherit { from: None, names: keys(names) }, tag: 0 }
}

/// `inherit (from) a b;`.
pub fn inherit_from<S: AsRef<str>>(from: impl Into<Expr>, names: impl IntoIterator<Item = S>) -> Binding {
    Binding { comments: Vec::new(), kind: BindingKind::Inherit { from: Some(from.into()), names: keys(names) }, tag: 0 }
}

/// `{ … }`.
pub fn attrs(bindings: impl IntoIterator<Item = Binding>) -> Expr {
    Expr::AttrSet { rec: false, bindings: bindings.into_iter().collect() }
}

/// `rec { … }`.
pub fn rec_attrs(bindings: impl IntoIterator<Item = Binding>) -> Expr {
    Expr::AttrSet { rec: true, bindings: bindings.into_iter().collect() }
}

/// `[ … ]`.
pub fn list<E: Into<Expr>>(items: impl IntoIterator<Item = E>) -> Expr {
    Expr::List(items.into_iter().map(|value| ListItem { comments: Vec::new(), value: value.into(), tag: 0 }).collect())
}

/// `expr.a.b` with a dotted path.
pub fn select(expr: impl Into<Expr>, dotted_path: &str) -> Expr {
    Expr::Select { expr: Box::new(expr.into()), path: dotted(dotted_path), default: None }
}

/// `expr.a.b or default`.
pub fn select_or(expr: impl Into<Expr>, dotted_path: &str, default: impl Into<Expr>) -> Expr {
    Expr::Select { expr: Box::new(expr.into()), path: dotted(dotted_path), default: Some(Box::new(default.into())) }
}

/// `func arg1 arg2 …`, applied left to right.
pub fn apply<E: Into<Expr>>(func: impl Into<Expr>, args: impl IntoIterator<Item = E>) -> Expr {
    args.into_iter().fold(func.into(), |func, arg| Expr::Apply { func: Box::new(func), arg: Box::new(arg.into()) })
}

/// `name: body`.
pub fn lambda(name: &str, body: impl Into<Expr>) -> Expr {
    Expr::Lambda { param: Param::Ident(name.to_string()), body: Box::new(body.into()) }
}

/// `{ a, b, ... }: body`; `ellipsis` adds the trailing `...`.
pub fn lambda_pattern(names: &[&str], ellipsis: bool, body: impl Into<Expr>) -> Expr {
    let entries = names.iter().map(|name| PatternEntry { name: name.to_string(), default: None }).collect();
    Expr::Lambda { param: Param::Pattern(Pattern { entries, ellipsis, bind: None }), body: Box::new(body.into()) }
}

/// `let … in body`.
pub fn let_in(bindings: impl IntoIterator<Item = Binding>, body: impl Into<Expr>) -> Expr {
    Expr::Let { bindings: bindings.into_iter().collect(), body: Box::new(body.into()) }
}

/// `with scope; body`.
pub fn with(scope: impl Into<Expr>, body: impl Into<Expr>) -> Expr {
    Expr::With { scope: Box::new(scope.into()), body: Box::new(body.into()) }
}

/// `if cond then a else b`.
pub fn if_then_else(cond: impl Into<Expr>, then: impl Into<Expr>, else_: impl Into<Expr>) -> Expr {
    Expr::If { cond: Box::new(cond.into()), then: Box::new(then.into()), else_: Box::new(else_.into()) }
}

/// `lhs op rhs`.
pub fn binary(lhs: impl Into<Expr>, op: BinaryOp, rhs: impl Into<Expr>) -> Expr {
    Expr::Binary { op, lhs: Box::new(lhs.into()), rhs: Box::new(rhs.into()) }
}

/// `!expr`.
pub fn not(expr: impl Into<Expr>) -> Expr {
    Expr::Unary { op: UnaryOp::Not, expr: Box::new(expr.into()) }
}

/// A file: comment lines (without `#`) above one expression.
pub fn file<S: AsRef<str>>(comments: impl IntoIterator<Item = S>, expr: impl Into<Expr>) -> File {
    File { comments: comments.into_iter().map(|c| c.as_ref().to_string()).collect(), expr: expr.into() }
}

/// `[ … ]` whose items carry tags (see [`ListItem::tag`]).
pub fn tagged_list<E: Into<Expr>>(items: impl IntoIterator<Item = (E, u32)>) -> Expr {
    Expr::List(
        items.into_iter().map(|(value, tag)| ListItem { comments: Vec::new(), value: value.into(), tag }).collect(),
    )
}

impl Binding {
    /// The same binding with a comment line above it.
    pub fn commented(mut self, comment: &str) -> Binding {
        self.comments.push(comment.to_string());
        self
    }

    /// The same binding with a tag (see [`Binding::tag`]).
    pub fn tagged(mut self, tag: u32) -> Binding {
        self.tag = tag;
        self
    }
}

impl From<bool> for Expr {
    fn from(value: bool) -> Expr {
        Expr::Bool(value)
    }
}

impl From<i64> for Expr {
    fn from(value: i64) -> Expr {
        Expr::Int(value)
    }
}

impl From<u16> for Expr {
    fn from(value: u16) -> Expr {
        Expr::Int(value.into())
    }
}

impl From<u32> for Expr {
    fn from(value: u32) -> Expr {
        Expr::Int(value.into())
    }
}

impl From<u8> for Expr {
    fn from(value: u8) -> Expr {
        Expr::Int(value.into())
    }
}

impl From<&str> for Expr {
    fn from(value: &str) -> Expr {
        string(value)
    }
}

impl From<String> for Expr {
    fn from(value: String) -> Expr {
        string(&value)
    }
}

impl From<&String> for Expr {
    fn from(value: &String) -> Expr {
        string(value)
    }
}

impl From<Str> for Expr {
    fn from(value: Str) -> Expr {
        Expr::Str(value)
    }
}
