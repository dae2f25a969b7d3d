//! The document algebra: text, spacings that merge, groups that render flat or expanded, nesting.
//!
//! A document is a flat list of [`Elem`]s. Text carries the nesting level and the extra column
//! offset it was built at, so indentation needs no separate markers. [`Spacing`]s are ordered
//! (`Softbreak < Break < Hardspace < Softspace < Space < Hardline < Emptyline < Newlines`) and two
//! adjacent spacings merge into one. A [`GroupKind::Regular`] group renders flat when it fits in
//! the remaining width, otherwise expanded; [`GroupKind::Priority`] groups are the parts of their
//! parent that may expand alone while the rest stays flat; [`GroupKind::Transparent`] groups hand
//! their priority children to their parent. [`TextKind::Trailing`] text only appears when its
//! group is expanded.
//!
//! [`Doc`] builds documents; [`crate::layout`] renders them.

use std::borrow::Cow;

/// A break opportunity between two pieces of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Spacing {
    /// Nothing, or a line break when the rest of the line does not fit.
    Softbreak,
    /// Nothing when the group is flat, a line break when expanded.
    Break,
    /// Always one space.
    Hardspace,
    /// A space, or a line break when the rest of the line does not fit.
    Softspace,
    /// A space when the group is flat, a line break when expanded.
    Space,
    /// Always a line break.
    Hardline,
    /// Always a blank line. Nothing the AST holds prints one yet (nixfmt keeps the user's blank
    /// lines; the AST has none), but it takes part in merging like the others.
    #[allow(dead_code)]
    Emptyline,
    /// Always this many line breaks.
    Newlines(u32),
}

impl Spacing {
    /// The single spacing that two adjacent spacings stand for.
    pub(crate) fn merge(self, other: Spacing) -> Spacing {
        use Spacing::*;
        let (lo, hi) = if self <= other { (self, other) } else { (other, self) };
        match (lo, hi) {
            (Break, Softspace | Hardspace) => Space,
            (Softbreak, Hardspace) => Softspace,
            (Newlines(a), Newlines(b)) => Newlines(a + b),
            (Emptyline, Newlines(n)) => Newlines(n + 2),
            (Hardspace, Newlines(n)) => Newlines(n),
            (_, Newlines(n)) => Newlines(n + 1),
            _ => hi,
        }
    }

    /// Whether the spacing renders the same in flat and expanded groups.
    fn is_hard(self) -> bool {
        matches!(self, Spacing::Hardspace | Spacing::Hardline | Spacing::Emptyline | Spacing::Newlines(_))
    }
}

/// How a group takes part in layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GroupKind {
    /// Flat if it fits, expanded otherwise.
    Regular,
    /// May expand on its own while the rest of its parent stays flat.
    Priority,
    /// Lets its priority children count as children of its parent.
    Transparent,
}

/// How text takes part in width measurement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TextKind {
    /// Ordinary text.
    Regular,
    /// A comment: printed, but never counted against the width.
    Comment,
    /// Text that only appears when its group is expanded (a trailing comma).
    Trailing,
}

/// A piece of text with the indentation it was built at.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Text<'a> {
    /// The nesting level.
    pub(crate) nest: u32,
    /// Extra columns added to the indentation of a line starting with this text.
    pub(crate) offset: u32,
    /// How the text is measured.
    pub(crate) kind: TextKind,
    /// The text itself; never contains a newline except in string literals.
    pub(crate) text: Cow<'a, str>,
    /// Non-zero when the renderer should report the line this text lands on.
    pub(crate) mark: u32,
    /// Set by [`fixup`] on a text that directly follows a text of the same kind: the two are laid
    /// out as one text (at the indentation of the first), without copying them into one string.
    pub(crate) joined: bool,
}

/// One element of a document.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Elem<'a> {
    /// Text.
    Text(Text<'a>),
    /// A break opportunity.
    Spacing(Spacing),
    /// A group of elements laid out together.
    Group(GroupKind, Vec<Elem<'a>>),
}

/// Columns taken by `s`: one per Unicode scalar value, as nixfmt counts.
pub(crate) fn width(s: &str) -> usize {
    if s.is_ascii() { s.len() } else { s.chars().count() }
}

/// A document under construction, with the current nesting level and column offset.
#[derive(Debug, Default)]
pub(crate) struct Doc<'a> {
    pub(crate) elems: Vec<Elem<'a>>,
    nest: u32,
    offset: u32,
    /// The expression whose first token carries the file's leading comments, if any.
    pub(crate) commented: Option<&'a crate::ast::Expr>,
}

impl<'a> Doc<'a> {
    /// An empty document at nesting level zero.
    pub(crate) fn new() -> Doc<'a> {
        Doc { elems: Vec::new(), nest: 0, offset: 0, commented: None }
    }

    /// An empty document that continues at this document's nesting level and offset.
    pub(crate) fn sub(&self) -> Doc<'a> {
        Doc { elems: Vec::new(), nest: self.nest, offset: self.offset, commented: self.commented }
    }

    fn push_text(&mut self, kind: TextKind, text: Cow<'a, str>) {
        self.push_marked(kind, text, 0);
    }

    fn push_marked(&mut self, kind: TextKind, text: Cow<'a, str>, mark: u32) {
        if !text.is_empty() {
            self.elems.push(Elem::Text(Text { nest: self.nest, offset: self.offset, kind, text, mark, joined: false }));
        }
    }

    /// Ordinary text whose output line the renderer reports under `mark`.
    pub(crate) fn marked_text(&mut self, text: &'static str, mark: u32) {
        self.push_marked(TextKind::Regular, Cow::Borrowed(text), mark);
    }

    /// Ordinary text.
    pub(crate) fn text(&mut self, text: impl Into<Cow<'a, str>>) {
        self.push_text(TextKind::Regular, text.into());
    }

    /// Comment text.
    pub(crate) fn comment(&mut self, text: impl Into<Cow<'a, str>>) {
        self.push_text(TextKind::Comment, text.into());
    }

    /// Text that appears only when the enclosing group is expanded.
    pub(crate) fn trailing(&mut self, text: &'static str) {
        self.push_text(TextKind::Trailing, Cow::Borrowed(text));
    }

    /// A spacing.
    pub(crate) fn spacing(&mut self, spacing: Spacing) {
        self.elems.push(Elem::Spacing(spacing));
    }

    /// `line`: a space, or a line break when expanded.
    pub(crate) fn line(&mut self) {
        self.spacing(Spacing::Space);
    }

    /// `line'`: nothing, or a line break when expanded.
    pub(crate) fn linebreak(&mut self) {
        self.spacing(Spacing::Break);
    }

    /// `softline`: a space, or a line break when the rest does not fit.
    pub(crate) fn softline(&mut self) {
        self.spacing(Spacing::Softspace);
    }

    /// `softline'`: nothing, or a line break when the rest does not fit.
    pub(crate) fn softbreak(&mut self) {
        self.spacing(Spacing::Softbreak);
    }

    /// Always a space.
    pub(crate) fn hardspace(&mut self) {
        self.spacing(Spacing::Hardspace);
    }

    /// Always a line break.
    pub(crate) fn hardline(&mut self) {
        self.spacing(Spacing::Hardline);
    }

    /// A group of the given kind around what `f` builds.
    pub(crate) fn group_of(&mut self, kind: GroupKind, f: impl FnOnce(&mut Doc<'a>)) {
        let start = self.elems.len();
        f(self);
        let body = self.elems.split_off(start);
        self.elems.push(Elem::Group(kind, body));
    }

    /// A regular group.
    pub(crate) fn group(&mut self, f: impl FnOnce(&mut Doc<'a>)) {
        self.group_of(GroupKind::Regular, f);
    }

    /// A priority group.
    pub(crate) fn priority_group(&mut self, f: impl FnOnce(&mut Doc<'a>)) {
        self.group_of(GroupKind::Priority, f);
    }

    /// A transparent group.
    pub(crate) fn transparent_group(&mut self, f: impl FnOnce(&mut Doc<'a>)) {
        self.group_of(GroupKind::Transparent, f);
    }

    /// What `f` builds, one nesting level deeper.
    pub(crate) fn nested(&mut self, f: impl FnOnce(&mut Doc<'a>)) {
        self.nest += 1;
        f(self);
        self.nest -= 1;
    }

    /// What `f` builds, with `columns` more offset.
    pub(crate) fn offset(&mut self, columns: usize, f: impl FnOnce(&mut Doc<'a>)) {
        let columns = u32::try_from(columns).unwrap_or(u32::MAX);
        self.offset += columns;
        f(self);
        self.offset -= columns;
    }

    /// Appends already built elements.
    pub(crate) fn extend(&mut self, elems: Vec<Elem<'a>>) {
        self.elems.extend(elems);
    }
}

/// The flat rendering of `elems`: soft spacings become spaces or nothing, groups dissolve.
/// `None` when it holds a hard line break or exceeds `limit` columns.
pub(crate) fn try_compact<'a>(elems: &[Elem<'a>], limit: Option<usize>) -> Option<Vec<Elem<'a>>> {
    fn walk<'a>(elems: &[Elem<'a>], used: &mut usize, limit: Option<usize>, out: &mut Vec<Elem<'a>>) -> Option<()> {
        for elem in elems {
            match elem {
                Elem::Text(t) => {
                    *used += width(&t.text);
                    out.push(elem.clone());
                }
                Elem::Spacing(Spacing::Hardspace | Spacing::Space | Spacing::Softspace) => {
                    *used += 1;
                    out.push(Elem::Spacing(Spacing::Hardspace));
                }
                Elem::Spacing(Spacing::Break | Spacing::Softbreak) => {}
                Elem::Spacing(_) => return None,
                Elem::Group(_, body) => walk(body, used, limit, out)?,
            }
            if limit.is_some_and(|l| *used > l) {
                return None;
            }
        }
        Some(())
    }
    let mut out = Vec::with_capacity(elems.len());
    walk(elems, &mut 0, limit, &mut out)?;
    Some(out)
}

fn is_comment(elem: &Elem<'_>) -> bool {
    match elem {
        Elem::Text(t) => t.kind == TextKind::Comment,
        Elem::Group(_, body) => body.iter().all(|e| is_comment(e) || is_hard(e)),
        Elem::Spacing(_) => false,
    }
}

fn is_hard(elem: &Elem<'_>) -> bool {
    matches!(elem, Elem::Spacing(s) if s.is_hard())
}

/// Normalises a built document for layout: merges adjacent spacings, joins adjacent texts, lifts
/// hard spacings and leading comments out of groups (so a group's flat test sees only what it can
/// lay out), drops empty groups and unwraps a group whose only child is a group of the same kind.
pub(crate) fn fixup(elems: Vec<Elem<'_>>) -> Vec<Elem<'_>> {
    fixup_group(elems, false).0
}

/// Normalises a group body. With `lead`, a hard space stands just before `elems` and merges
/// into their first spacing (looking into a leading group); the flag returned says whether it
/// did, otherwise the caller keeps it.
fn fixup_group(elems: Vec<Elem<'_>>, mut lead: bool) -> (Vec<Elem<'_>>, bool) {
    let mut input = elems;
    input.reverse();
    let mut out = Vec::with_capacity(input.len());
    let mut consumed = false;
    while let Some(elem) = input.pop() {
        match elem {
            Elem::Spacing(mut a) => {
                if lead && out.is_empty() {
                    a = Spacing::Hardspace.merge(a);
                    lead = false;
                    consumed = true;
                }
                if let Some(Elem::Spacing(b)) = input.last_mut() {
                    *b = a.merge(*b);
                } else if let Some(Elem::Spacing(b)) = out.last_mut() {
                    *b = b.merge(a);
                } else {
                    out.push(Elem::Spacing(a));
                }
            }
            Elem::Text(mut t) => {
                lead = false;
                t.joined = matches!(out.last(), Some(Elem::Text(prev)) if prev.kind == t.kind);
                if t.joined && run_is_marked(&out) {
                    // A merged text reports only its first mark.
                    t.mark = 0;
                }
                out.push(Elem::Text(t));
            }
            Elem::Group(kind, body) => {
                let from_out = matches!(out.last(), Some(Elem::Spacing(Spacing::Hardspace)));
                let from_lead = lead && out.is_empty();
                let (mut body, took) = fixup_group(body, from_out || from_lead);
                if from_lead {
                    lead = false;
                    consumed = took;
                } else if took {
                    out.pop();
                }
                let pre_end = body.iter().position(|e| !is_hard(e) && !is_comment(e)).unwrap_or(body.len());
                let post_start = body.iter().rposition(|e| !is_hard(e)).map_or(0, |p| p + 1).max(pre_end);
                if pre_end == 0 && post_start == body.len() && !body.is_empty() {
                    let body = simplify(kind, body);
                    out.push(Elem::Group(kind, body));
                    continue;
                }
                // What follows the group's content is processed again with what follows it.
                input.extend(body.drain(post_start..).rev());
                if pre_end == body.len() {
                    input.extend(body.drain(..).rev());
                    continue;
                }
                let mut pre = body.drain(..pre_end);
                if let Some(first) = pre.next() {
                    match (out.last_mut(), first) {
                        (Some(Elem::Spacing(prev)), Elem::Spacing(s)) => *prev = prev.merge(s),
                        (_, first) => out.push(first),
                    }
                }
                out.extend(pre);
                let body = simplify(kind, body);
                out.push(Elem::Group(kind, body));
            }
        }
    }
    (out, consumed)
}

/// The body of a group of `kind`, without a lone inner group of the same kind around it.
fn simplify(kind: GroupKind, mut body: Vec<Elem<'_>>) -> Vec<Elem<'_>> {
    if body.len() == 1
        && matches!(&body[0], Elem::Group(k, _) if *k == kind)
        && let Some(Elem::Group(_, inner)) = body.pop()
    {
        return inner;
    }
    body
}

/// Whether the run of joined texts that ends `out` already carries a mark.
fn run_is_marked(out: &[Elem<'_>]) -> bool {
    for e in out.iter().rev() {
        match e {
            Elem::Text(t) if t.mark != 0 => return true,
            Elem::Text(t) if t.joined => {}
            _ => return false,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::Spacing::*;

    #[test]
    fn spacings_merge_to_the_stronger() {
        assert_eq!(Break.merge(Hardspace), Space);
        assert_eq!(Hardspace.merge(Softbreak), Softspace);
        assert_eq!(Space.merge(Hardline), Hardline);
        assert_eq!(Emptyline.merge(Newlines(1)), Newlines(3));
        assert_eq!(Hardline.merge(Newlines(1)), Newlines(2));
    }
}
