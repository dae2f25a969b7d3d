//! Reading Nix source through rnix into the AST.
//!
//! Parentheses disappear (the printer puts back the ones the precedence table needs), `-5`
//! becomes `Int(-5)`, `true`/`false`/`null` become their literals, static string keys become
//! `Key::Name`s, and string literals hold their evaluated text. Comments are kept where the AST
//! can hold them: above a binding, above a list item, and at the top of the file; a comment
//! anywhere else is an error rather than silently lost.

use rnix::ast::{self, AstNode, HasEntry};
use rnix::{NodeOrToken, SyntaxKind, SyntaxNode};

use crate::ast::{
    BinaryOp, Binding, BindingKind, Expr, File, Key, ListItem, Param, Pattern, PatternEntry, Str, StrKind, StrPart,
    UnaryOp,
};

/// Why Nix source could not be read into the AST.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FromRnixError {
    /// rnix reported a syntax error.
    #[error("Nix syntax error: {0}")]
    Parse(String),
    /// The source uses syntax the AST does not model (`assert`, URIs, pipes, …).
    #[error("unsupported Nix syntax: {0}")]
    Unsupported(String),
    /// A comment sits where the AST cannot hold one (only above bindings, list items and the file).
    #[error("comment in a place the AST cannot keep: {0}")]
    Comment(String),
}

type Result<T> = std::result::Result<T, FromRnixError>;

fn unsupported(what: impl std::fmt::Display) -> FromRnixError {
    FromRnixError::Unsupported(what.to_string())
}

fn syntax<N: AstNode>(node: &N) -> &SyntaxNode {
    node.syntax()
}

/// Parses a whole file: leading comments, then one expression.
pub fn from_rnix(src: &str) -> Result<File> {
    let parse = rnix::Root::parse(src);
    if let Some(err) = parse.errors().first() {
        return Err(FromRnixError::Parse(err.to_string()));
    }
    let root = parse.tree();
    let expr = root.expr().ok_or_else(|| FromRnixError::Parse("empty file".into()))?;
    let mut reader = Reader { comments_kept: 0 };
    let comments = reader.comments_before(syntax(&expr));
    let expr = reader.expr(expr)?;
    let total = syntax(&root).descendants_with_tokens().filter(|e| e.kind() == SyntaxKind::TOKEN_COMMENT).count();
    if total != reader.comments_kept {
        let stray = syntax(&root)
            .descendants_with_tokens()
            .filter_map(|e| e.into_token())
            .filter(|t| t.kind() == SyntaxKind::TOKEN_COMMENT)
            .map(|t| t.text().to_string())
            .collect::<Vec<_>>();
        return Err(FromRnixError::Comment(stray.join(" ")));
    }
    Ok(File { comments, expr })
}

/// Parses a single expression (comments at its top are dropped).
pub fn from_rnix_expr(src: &str) -> Result<Expr> {
    from_rnix(src).map(|f| f.expr)
}

struct Reader {
    comments_kept: usize,
}

/// The text of one comment token, as lines without `#` and one following space.
fn comment_lines(text: &str) -> Vec<String> {
    if let Some(rest) = text.strip_prefix('#') {
        return vec![rest.strip_prefix(' ').unwrap_or(rest).trim_end().to_string()];
    }
    let inner = text.strip_prefix("/*").and_then(|t| t.strip_suffix("*/")).unwrap_or(text);
    inner.lines().map(|l| l.trim().to_string()).filter(|l| !l.is_empty()).collect()
}

impl Reader {
    /// Comments between the previous sibling node (or the start of the parent) and `node`.
    fn comments_before(&mut self, node: &SyntaxNode) -> Vec<String> {
        let mut found = Vec::new();
        let mut cur = node.prev_sibling_or_token();
        while let Some(el) = cur {
            match &el {
                NodeOrToken::Token(t) if t.kind() == SyntaxKind::TOKEN_COMMENT => found.push(t.text().to_string()),
                NodeOrToken::Token(t) if t.kind() == SyntaxKind::TOKEN_WHITESPACE => {}
                _ => break,
            }
            cur = el.prev_sibling_or_token();
        }
        self.comments_kept += found.len();
        found.reverse();
        found.iter().flat_map(|c| comment_lines(c)).collect()
    }

    fn expr(&mut self, e: ast::Expr) -> Result<Expr> {
        Ok(match e {
            ast::Expr::Paren(p) => self.expr(p.expr().ok_or_else(|| unsupported("empty parentheses"))?)?,
            ast::Expr::Literal(l) => match l.kind() {
                ast::LiteralKind::Integer(i) => Expr::Int(i.value().map_err(unsupported)?),
                ast::LiteralKind::Float(f) => Expr::Float(f.value().map_err(unsupported)?),
                ast::LiteralKind::Uri(u) => {
                    return Err(unsupported(format!("URI literal {}", ast::AstToken::syntax(&u).text())));
                }
            },
            ast::Expr::Ident(i) => match i.to_string().as_str() {
                "true" => Expr::Bool(true),
                "false" => Expr::Bool(false),
                "null" => Expr::Null,
                name => Expr::Ident(name.to_string()),
            },
            ast::Expr::Str(s) => Expr::Str(self.string(&s)?),
            ast::Expr::PathAbs(_) | ast::Expr::PathRel(_) | ast::Expr::PathHome(_) | ast::Expr::PathSearch(_) => {
                Expr::Path(e.to_string())
            }
            ast::Expr::Select(s) => {
                let base = self.expr(s.expr().ok_or_else(|| unsupported("selection without base"))?)?;
                let path = self.attrpath(s.attrpath())?;
                let default = s.default_expr().map(|d| self.expr(d)).transpose()?.map(Box::new);
                match base {
                    Expr::Select { expr, path: mut inner, default: None } => {
                        inner.extend(path);
                        Expr::Select { expr, path: inner, default }
                    }
                    base => Expr::Select { expr: Box::new(base), path, default },
                }
            }
            ast::Expr::HasAttr(h) => Expr::HasAttr {
                expr: Box::new(self.expr(h.expr().ok_or_else(|| unsupported("`?` without operand"))?)?),
                path: self.attrpath(h.attrpath())?,
            },
            ast::Expr::Apply(a) => Expr::Apply {
                func: Box::new(self.expr(a.lambda().ok_or_else(|| unsupported("application"))?)?),
                arg: Box::new(self.expr(a.argument().ok_or_else(|| unsupported("application"))?)?),
            },
            ast::Expr::Lambda(l) => {
                let param = match l.param().ok_or_else(|| unsupported("lambda without parameter"))? {
                    ast::Param::IdentParam(p) => {
                        Param::Ident(p.ident().ok_or_else(|| unsupported("parameter"))?.to_string())
                    }
                    ast::Param::Pattern(p) => Param::Pattern(self.pattern(&p)?),
                };
                let body = self.expr(l.body().ok_or_else(|| unsupported("lambda without body"))?)?;
                Expr::Lambda { param, body: Box::new(body) }
            }
            ast::Expr::AttrSet(s) => {
                Expr::AttrSet { rec: s.rec_token().is_some(), bindings: self.entries(s.entries())? }
            }
            ast::Expr::List(l) => {
                let mut items = Vec::new();
                for item in l.items() {
                    let comments = self.comments_before(syntax(&item));
                    items.push(ListItem { comments, value: self.expr(item)?, tag: 0 });
                }
                Expr::List(items)
            }
            ast::Expr::LetIn(l) => Expr::Let {
                bindings: self.entries(l.entries())?,
                body: Box::new(self.expr(l.body().ok_or_else(|| unsupported("let without body"))?)?),
            },
            ast::Expr::With(w) => Expr::With {
                scope: Box::new(self.expr(w.namespace().ok_or_else(|| unsupported("with"))?)?),
                body: Box::new(self.expr(w.body().ok_or_else(|| unsupported("with"))?)?),
            },
            ast::Expr::IfElse(i) => Expr::If {
                cond: Box::new(self.expr(i.condition().ok_or_else(|| unsupported("if"))?)?),
                then: Box::new(self.expr(i.body().ok_or_else(|| unsupported("if"))?)?),
                else_: Box::new(self.expr(i.else_body().ok_or_else(|| unsupported("if"))?)?),
            },
            ast::Expr::UnaryOp(u) => {
                let inner = self.expr(u.expr().ok_or_else(|| unsupported("unary operator"))?)?;
                match (u.operator(), inner) {
                    (Some(ast::UnaryOpKind::Negate), Expr::Int(n)) if n > 0 => Expr::Int(-n),
                    (Some(ast::UnaryOpKind::Negate), Expr::Float(f)) if f > 0.0 => Expr::Float(-f),
                    (Some(ast::UnaryOpKind::Negate), inner) => {
                        Expr::Unary { op: UnaryOp::Negate, expr: Box::new(inner) }
                    }
                    (Some(ast::UnaryOpKind::Invert), inner) => Expr::Unary { op: UnaryOp::Not, expr: Box::new(inner) },
                    (None, _) => return Err(unsupported("unary operator")),
                }
            }
            ast::Expr::BinOp(b) => {
                use ast::BinOpKind as K;
                let op = match b.operator().ok_or_else(|| unsupported("binary operator"))? {
                    K::Concat => BinaryOp::Concat,
                    K::Update => BinaryOp::Update,
                    K::Add => BinaryOp::Add,
                    K::Sub => BinaryOp::Sub,
                    K::Mul => BinaryOp::Mul,
                    K::Div => BinaryOp::Div,
                    K::And => BinaryOp::And,
                    K::Equal => BinaryOp::Equal,
                    K::Implication => BinaryOp::Implies,
                    K::Less => BinaryOp::Less,
                    K::LessOrEq => BinaryOp::LessEq,
                    K::More => BinaryOp::Greater,
                    K::MoreOrEq => BinaryOp::GreaterEq,
                    K::NotEqual => BinaryOp::NotEqual,
                    K::Or => BinaryOp::Or,
                    K::PipeRight | K::PipeLeft => return Err(unsupported("pipe operators")),
                };
                Expr::Binary {
                    op,
                    lhs: Box::new(self.expr(b.lhs().ok_or_else(|| unsupported("binary operator"))?)?),
                    rhs: Box::new(self.expr(b.rhs().ok_or_else(|| unsupported("binary operator"))?)?),
                }
            }
            ast::Expr::Assert(_) => return Err(unsupported("assert")),
            ast::Expr::LegacyLet(_) => return Err(unsupported("legacy `let { … }`")),
            ast::Expr::CurPos(_) => return Err(unsupported("__curPos")),
            ast::Expr::Error(_) | ast::Expr::Root(_) => return Err(unsupported(e.to_string())),
        })
    }

    fn pattern(&mut self, p: &ast::Pattern) -> Result<Pattern> {
        let mut entries = Vec::new();
        for entry in p.pat_entries() {
            let name = entry.ident().ok_or_else(|| unsupported("pattern entry"))?.to_string();
            let default = entry.default().map(|d| self.expr(d)).transpose()?;
            entries.push(PatternEntry { name, default });
        }
        let bind = p.pat_bind().and_then(|b| b.ident()).map(|i| i.to_string());
        Ok(Pattern { entries, ellipsis: p.ellipsis_token().is_some(), bind })
    }

    fn entries(&mut self, entries: impl Iterator<Item = ast::Entry>) -> Result<Vec<Binding>> {
        let mut out = Vec::new();
        for entry in entries {
            let comments = self.comments_before(syntax(&entry));
            let kind = match entry {
                ast::Entry::AttrpathValue(av) => BindingKind::Assign {
                    path: self.attrpath(av.attrpath())?,
                    value: self.expr(av.value().ok_or_else(|| unsupported("binding without value"))?)?,
                },
                ast::Entry::Inherit(i) => BindingKind::Inherit {
                    from: i
                        .from()
                        .map(|f| f.expr().ok_or_else(|| unsupported("inherit ( )")))
                        .transpose()?
                        .map(|e| self.expr(e))
                        .transpose()?,
                    names: i.attrs().map(|a| self.key(a)).collect::<Result<_>>()?,
                },
            };
            out.push(Binding { comments, kind, tag: 0 });
        }
        Ok(out)
    }

    fn attrpath(&mut self, path: Option<ast::Attrpath>) -> Result<Vec<Key>> {
        let path = path.ok_or_else(|| unsupported("missing attribute path"))?;
        path.attrs().map(|a| self.key(a)).collect()
    }

    fn key(&mut self, attr: ast::Attr) -> Result<Key> {
        Ok(match attr {
            ast::Attr::Ident(i) => Key::Name(i.to_string()),
            ast::Attr::Str(s) => {
                let s = self.string(&s)?;
                match s.parts.as_slice() {
                    [] => Key::Name(String::new()),
                    [StrPart::Text(t)] => Key::Name(t.clone()),
                    _ => Key::Dynamic(Expr::Str(Str { kind: StrKind::Quoted, parts: s.parts })),
                }
            }
            ast::Attr::Dynamic(d) => {
                let e = self.expr(d.expr().ok_or_else(|| unsupported("empty ${ }"))?)?;
                match e {
                    Expr::Str(Str { parts, .. }) => match parts.as_slice() {
                        [] => Key::Name(String::new()),
                        [StrPart::Text(t)] => Key::Name(t.clone()),
                        _ => Key::Dynamic(Expr::Str(Str { kind: StrKind::Quoted, parts })),
                    },
                    e => Key::Dynamic(e),
                }
            }
        })
    }

    fn string(&mut self, s: &ast::Str) -> Result<Str> {
        let indented = s.to_string().starts_with("''");
        let mut parts: Vec<StrPart> = Vec::new();
        for part in s.normalized_parts() {
            match part {
                ast::InterpolPart::Literal(t) => {
                    if t.is_empty() {
                        continue;
                    }
                    match parts.last_mut() {
                        Some(StrPart::Text(prev)) => prev.push_str(&t),
                        _ => parts.push(StrPart::Text(t)),
                    }
                }
                ast::InterpolPart::Interpolation(i) => {
                    let e = i.expr().ok_or_else(|| unsupported("empty ${ }"))?;
                    parts.push(StrPart::Interp(self.expr(e)?));
                }
            }
        }
        Ok(Str { kind: if indented { StrKind::Indented } else { StrKind::Quoted }, parts })
    }
}
