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
///
/// A document is one flat buffer: a group is a marker followed, `skip` elements later, by the
/// `len` elements of its body. The skipped elements are leftovers of [`fixup`] moving things
/// out of the group; nothing reads them. Builders always produce `skip == 0`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Elem<'a> {
    /// Text.
    Text(Text<'a>),
    /// A break opportunity.
    Spacing(Spacing),
    /// A group of elements laid out together.
    Group { kind: GroupKind, skip: u32, len: u32 },
}

/// The index just past the element at `i` of `elems` (past the body of a group).
pub(crate) fn next(elems: &[Elem<'_>], i: usize) -> usize {
    match elems[i] {
        Elem::Group { skip, len, .. } => i + 1 + skip as usize + len as usize,
        _ => i + 1,
    }
}

/// The body of the group at `i` of `elems`.
pub(crate) fn body<'s, 'a>(elems: &'s [Elem<'a>], i: usize) -> &'s [Elem<'a>] {
    match elems[i] {
        Elem::Group { skip, len, .. } => &elems[i + 1 + skip as usize..][..len as usize],
        _ => &[],
    }
}

/// The elements of `elems` at its own level (group bodies skipped), with their indices.
pub(crate) fn top<'s, 'a>(elems: &'s [Elem<'a>]) -> impl Iterator<Item = (usize, &'s Elem<'a>)> + 's {
    let mut i = 0;
    std::iter::from_fn(move || {
        let e = elems.get(i)?;
        let at = i;
        i = next(elems, i);
        Some((at, e))
    })
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).expect("documents have fewer than 2^32 elements")
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
        let at = self.elems.len();
        self.elems.push(Elem::Group { kind, skip: 0, len: 0 });
        f(self);
        let n = to_u32(self.elems.len() - at - 1);
        if let Elem::Group { len, .. } = &mut self.elems[at] {
            *len = n;
        }
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

    /// Appends already built elements (of another builder, so without skipped elements).
    pub(crate) fn extend(&mut self, elems: Vec<Elem<'a>>) {
        self.elems.extend(elems);
    }
}

/// The flat rendering of built `elems`: soft spacings become spaces or nothing, groups dissolve.
/// `None` when it holds a hard line break or exceeds `limit` columns.
pub(crate) fn try_compact<'a>(elems: &[Elem<'a>], limit: Option<usize>) -> Option<Vec<Elem<'a>>> {
    let mut used = 0;
    let mut out = Vec::with_capacity(elems.len());
    // Built documents skip nothing, so groups dissolve by dropping their markers.
    for elem in elems {
        match elem {
            Elem::Text(t) => {
                used += width(&t.text);
                out.push(elem.clone());
            }
            Elem::Spacing(Spacing::Hardspace | Spacing::Space | Spacing::Softspace) => {
                used += 1;
                out.push(Elem::Spacing(Spacing::Hardspace));
            }
            Elem::Spacing(Spacing::Break | Spacing::Softbreak) | Elem::Group { .. } => {}
            Elem::Spacing(_) => return None,
        }
        if limit.is_some_and(|l| used > l) {
            return None;
        }
    }
    Some(out)
}

/// Whether the element at `i` is a comment, or a group of nothing but comments and hard spacings.
fn is_comment(elems: &[Elem<'_>], i: usize) -> bool {
    match &elems[i] {
        Elem::Text(t) => t.kind == TextKind::Comment,
        Elem::Group { .. } => {
            let body = body(elems, i);
            top(body).all(|(j, e)| is_hard(e) || is_comment(body, j))
        }
        Elem::Spacing(_) => false,
    }
}

fn is_hard(elem: &Elem<'_>) -> bool {
    matches!(elem, Elem::Spacing(s) if s.is_hard())
}

/// Normalises a built document for layout: merges adjacent spacings, joins adjacent texts, lifts
/// hard spacings and leading comments out of groups (so a group's flat test sees only what it can
/// lay out), drops empty groups and unwraps a group whose only child is a group of the same kind.
/// The result is wrapped in one regular group, the root of the layout.
pub(crate) fn fixup(elems: Vec<Elem<'_>>) -> Vec<Elem<'_>> {
    let mut out = Vec::with_capacity(elems.len() + 1);
    out.push(Elem::Group { kind: GroupKind::Regular, skip: 0, len: 0 });
    let end = elems.len();
    fixup_group(&mut Source { elems: elems.into_iter().peekable(), pos: 0 }, end, false, &mut out);
    let n = to_u32(out.len() - 1);
    if let Elem::Group { len, .. } = &mut out[0] {
        *len = n;
    }
    out
}

/// A built document, consumed in order by [`fixup_group`].
struct Source<'a> {
    elems: std::iter::Peekable<std::vec::IntoIter<Elem<'a>>>,
    /// How many elements were taken.
    pos: usize,
}

/// Normalises a group body (built, so without skipped elements: the source elements up to
/// `end`) onto the end of `out`. With
/// `lead`, a hard space stands just before `elems` and merges into their first spacing (looking
/// into a leading group); the flag returned says whether it did, otherwise the caller keeps it.
///
/// Elements moved out of a nested group are either placed before its marker (leading hard
/// spacings and comments; the marker moves behind them and the body starts `skip` later) or
/// processed again with what follows it (trailing hard spacings, or the whole body when it holds
/// nothing else). Those are never groups: a normalised group always holds something else.
fn fixup_group<'a>(src: &mut Source<'a>, end: usize, mut lead: bool, out: &mut Vec<Elem<'a>>) -> bool {
    let base = out.len();
    // Indices in `out` of the last element at this level and of the one before it.
    let (mut prev, mut last): (Option<usize>, Option<usize>) = (None, None);
    // Elements to process before the rest of the source, the next one last.
    let mut again: Vec<Elem<'a>> = Vec::new();
    let mut consumed = false;
    loop {
        let elem = match again.pop() {
            Some(e) => e,
            None if src.pos < end => {
                src.pos += 1;
                src.elems.next().expect("the source holds `end` elements")
            }
            None => break,
        };
        match elem {
            Elem::Spacing(mut a) => {
                if lead && out.len() == base {
                    a = Spacing::Hardspace.merge(a);
                    lead = false;
                    consumed = true;
                }
                let upcoming = match again.last_mut() {
                    Some(e) => Some(e),
                    None if src.pos < end => src.elems.peek_mut(),
                    None => None,
                };
                if let Some(Elem::Spacing(b)) = upcoming {
                    *b = a.merge(*b);
                } else if let Some(Elem::Spacing(b)) = last.map(|l| &mut out[l]) {
                    *b = b.merge(a);
                } else {
                    (prev, last) = (last, Some(out.len()));
                    out.push(Elem::Spacing(a));
                }
            }
            Elem::Text(mut t) => {
                lead = false;
                t.joined = matches!(last.map(|l| &out[l]), Some(Elem::Text(prev)) if prev.kind == t.kind);
                if t.joined && run_is_marked(&out[base..]) {
                    // A merged text reports only its first mark.
                    t.mark = 0;
                }
                (prev, last) = (last, Some(out.len()));
                out.push(Elem::Text(t));
            }
            Elem::Group { kind, len, .. } => {
                let from_out = matches!(last.map(|l| &out[l]), Some(Elem::Spacing(Spacing::Hardspace)));
                let from_lead = lead && out.len() == base;
                let g = out.len();
                out.push(Elem::Group { kind, skip: 0, len: 0 });
                let took = fixup_group(src, src.pos + len as usize, from_out || from_lead, out);
                // Free slots before the body: the marker's, and the hard space's if it was taken.
                let mut free = g;
                if from_lead {
                    lead = false;
                    consumed = took;
                } else if took {
                    // The hard space was `last`; what came before it is not a spacing, so nothing
                    // asks for the element before that until the next push.
                    free -= 1;
                    (prev, last) = (None, prev);
                }
                let b = g + 1;
                let body = &out[b..];
                let pre_end =
                    top(body).find(|&(j, e)| !is_hard(e) && !is_comment(body, j)).map_or(body.len(), |(j, _)| j);
                if pre_end == body.len() {
                    // Nothing but hard spacings and comments: all of it is processed again.
                    again.extend(out.drain(b..).rev());
                    out.truncate(free);
                    continue;
                }
                // Trailing hard spacings are processed again with what follows.
                while out.last().is_some_and(is_hard) {
                    again.push(out.pop().expect("not empty"));
                }
                let mut pre = b;
                if pre < b + pre_end
                    && let Elem::Spacing(s) = out[pre]
                    && let Some(Elem::Spacing(prev)) = last.map(|l| &mut out[l])
                {
                    *prev = prev.merge(s);
                    pre += 1;
                }
                for j in pre..b + pre_end {
                    out.swap(free, j);
                    last = Some(free);
                    free += 1;
                }
                let (mut skip, mut len) = (b + pre_end - free - 1, out.len() - b - pre_end);
                // A lone inner group of the same kind gives the outer one its body.
                if let Elem::Group { kind: k, skip: s, len: l } = out[b + pre_end]
                    && k == kind
                    && 1 + s as usize + l as usize == len
                {
                    skip += 1 + s as usize;
                    len = l as usize;
                }
                out[free] = Elem::Group { kind, skip: to_u32(skip), len: to_u32(len) };
                (prev, last) = (last, Some(free));
            }
        }
    }
    consumed
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
