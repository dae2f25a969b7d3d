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
//! [`Doc`] builds documents (normalising them on the way, as nixfmt's `fixup` does);
//! [`crate::layout`] renders them.

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
    /// Set on a text that directly follows a text of the same kind: the two are laid
    /// out as one text (at the indentation of the first), without copying them into one string.
    pub(crate) joined: bool,
}

/// One element of a document.
///
/// A document is one flat buffer: a group is a marker followed, `skip` elements later, by the
/// `len` elements of its body. The skipped elements are leftovers of normalisation moving
/// things out of the group; nothing reads them. Raw documents ([`Doc::sub`]) have `skip == 0`.
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
///
/// The document of a whole file ([`Doc::with_capacity`]) is normalised while it is built, the way nixfmt's
/// `fixup` normalises a finished one: adjacent spacings merge, adjacent texts of the same kind
/// are joined, and when a group closes its leading hard spacings and comments move in front of
/// it, its trailing hard spacings move behind it, a group of nothing else dissolves, and a lone
/// inner group of the same kind gives it its body. A hard space just before a group merges into
/// the group's first spacing. Every rule depends only on what came before, so nothing is copied
/// twice. A [`Doc::sub`] document is raw (as nixfmt builds it, for [`try_compact`]); it is
/// normalised when [`Doc::extend`] appends it.
#[derive(Debug)]
pub(crate) struct Doc<'a> {
    elems: Vec<Elem<'a>>,
    nest: u32,
    offset: u32,
    /// The open groups, the root first; empty for a raw document.
    levels: Vec<Level>,
    /// The expression whose first token carries the file's leading comments, if any.
    pub(crate) commented: Option<&'a crate::ast::Expr>,
}

/// An open group of a normalised document.
#[derive(Debug, Clone, Copy)]
struct Level {
    /// Index of the group's marker; its body follows it.
    marker: usize,
    /// Indices of the last element at this level and of the one before it.
    prev: Option<usize>,
    last: Option<usize>,
    /// A hard space offered to the group's first element (see [`Lead`]).
    lead: Option<Lead>,
}

/// A hard space standing just before a chain of groups opened one inside the other, none of
/// which holds anything yet: the first element of the innermost merges it into its spacing.
#[derive(Debug, Clone, Copy)]
struct Lead {
    /// Index of the hard space.
    at: usize,
    /// The level whose last element it is.
    owner: usize,
}

impl<'a> Doc<'a> {
    /// An empty document at nesting level zero, normalised as it is built, with room for
    /// `capacity` elements.
    pub(crate) fn with_capacity(capacity: usize) -> Doc<'a> {
        let mut elems = Vec::with_capacity(capacity.max(1));
        elems.push(Elem::Group { kind: GroupKind::Regular, skip: 0, len: 0 });
        Doc {
            elems,
            nest: 0,
            offset: 0,
            levels: vec![Level { marker: 0, prev: None, last: None, lead: None }],
            commented: None,
        }
    }

    /// An empty raw document that continues at this document's nesting level and offset.
    pub(crate) fn sub(&self) -> Doc<'a> {
        Doc { elems: Vec::new(), nest: self.nest, offset: self.offset, levels: Vec::new(), commented: self.commented }
    }

    /// The elements of a raw document.
    pub(crate) fn into_raw(self) -> Vec<Elem<'a>> {
        debug_assert!(self.levels.is_empty(), "a normalised document");
        self.elems
    }

    /// The normalised document, wrapped in one regular group: the root of the layout.
    pub(crate) fn finish(mut self) -> Vec<Elem<'a>> {
        assert_eq!(self.levels.len(), 1, "a raw document, or groups left open");
        let n = to_u32(self.elems.len() - 1);
        self.elems[0] = Elem::Group { kind: GroupKind::Regular, skip: 0, len: n };
        self.elems
    }

    fn push_text(&mut self, kind: TextKind, text: Cow<'a, str>) {
        self.push_marked(kind, text, 0);
    }

    fn push_marked(&mut self, kind: TextKind, text: Cow<'a, str>, mark: u32) {
        if !text.is_empty() {
            self.put_text(Text { nest: self.nest, offset: self.offset, kind, text, mark, joined: false });
        }
    }

    fn put_text(&mut self, mut t: Text<'a>) {
        let Some(lv) = self.levels.last_mut() else { return self.elems.push(Elem::Text(t)) };
        // A text does not take the hard space before its group.
        lv.lead = None;
        t.joined = matches!(lv.last.map(|l| &self.elems[l]), Some(Elem::Text(prev)) if prev.kind == t.kind);
        if t.joined && run_is_marked(&self.elems[lv.marker + 1..]) {
            // A merged text reports only its first mark.
            t.mark = 0;
        }
        (lv.prev, lv.last) = (lv.last, Some(self.elems.len()));
        self.elems.push(Elem::Text(t));
    }

    /// A spacing.
    pub(crate) fn spacing(&mut self, mut spacing: Spacing) {
        let Some(lv) = self.levels.last_mut() else { return self.elems.push(Elem::Spacing(spacing)) };
        if let Some(lead) = lv.lead.take() {
            spacing = Spacing::Hardspace.merge(spacing);
            self.consume(lead);
        }
        let lv = self.levels.last_mut().expect("a normalised document");
        if let Some(Elem::Spacing(b)) = lv.last.map(|l| &mut self.elems[l]) {
            *b = b.merge(spacing);
        } else {
            (lv.prev, lv.last) = (lv.last, Some(self.elems.len()));
            self.elems.push(Elem::Spacing(spacing));
        }
    }

    /// Removes the hard space of `lead`, which a group's first spacing took.
    fn consume(&mut self, lead: Lead) {
        self.elems.remove(lead.at);
        // Only the markers of the (still empty) groups of the chain stand after it.
        for lv in &mut self.levels[lead.owner + 1..] {
            lv.marker -= 1;
        }
        let owner = &mut self.levels[lead.owner];
        (owner.prev, owner.last) = (None, owner.prev);
    }

    fn open(&mut self, kind: GroupKind) {
        let at = self.elems.len();
        self.elems.push(Elem::Group { kind, skip: 0, len: 0 });
        let owner = self.levels.len().wrapping_sub(1);
        let lead = match self.levels.last_mut() {
            None => return,
            // The first element of an empty group is this group: it gets the offer.
            Some(lv) if lv.lead.is_some() => lv.lead.take(),
            Some(lv) => match lv.last {
                Some(l) if self.elems[l] == Elem::Spacing(Spacing::Hardspace) => Some(Lead { at: l, owner }),
                _ => None,
            },
        };
        self.levels.push(Level { marker: at, prev: None, last: None, lead });
    }

    fn close(&mut self, at: usize) {
        let Some(lv) = self.levels.pop() else {
            let n = to_u32(self.elems.len() - at - 1);
            if let Elem::Group { len, .. } = &mut self.elems[at] {
                *len = n;
            }
            return;
        };
        let g = lv.marker;
        let Elem::Group { kind, .. } = self.elems[g] else { unreachable!("a group marker") };
        let b = g + 1;
        let body = &self.elems[b..];
        // A closed group always holds something other than hard spacings and comments.
        let moves_out = |e: &Elem<'_>| is_hard(e) || matches!(e, Elem::Text(t) if t.kind == TextKind::Comment);
        let pre_end = top(body).find(|&(_, e)| !moves_out(e)).map_or(body.len(), |(j, _)| j);
        if pre_end == body.len() {
            // Nothing but hard spacings and comments (never groups: a closed group always holds
            // something else): they take the group's place.
            let moved: Vec<Elem<'a>> = self.elems.drain(b..).collect();
            self.elems.truncate(g);
            for e in moved {
                match e {
                    Elem::Text(t) => self.put_text(t),
                    Elem::Spacing(s) => self.spacing(s),
                    Elem::Group { .. } => unreachable!("closed groups hold more than comments"),
                }
            }
            return;
        }
        // A trailing hard spacing goes behind the group (adjacent spacings have merged: one).
        let mut trailing = None;
        while let Some(&Elem::Spacing(s)) = self.elems.last()
            && s.is_hard()
        {
            self.elems.pop();
            trailing = Some(trailing.map_or(s, |t: Spacing| s.merge(t)));
        }
        let p = self.levels.last_mut().expect("the root is never closed");
        let mut pre = b;
        if pre_end > 0
            && let Elem::Spacing(s) = self.elems[pre]
            && let Some(Elem::Spacing(prev)) = p.last.map(|l| &mut self.elems[l])
        {
            *prev = prev.merge(s);
            pre += 1;
        }
        // Leading hard spacings and comments go in front: the marker moves behind them, and the
        // body starts `skip` later when the first merged into the spacing before the group.
        let mut free = g;
        for j in pre..b + pre_end {
            self.elems.swap(free, j);
            p.last = Some(free);
            free += 1;
        }
        let (mut skip, mut len) = (b + pre_end - free - 1, self.elems.len() - b - pre_end);
        // A lone inner group of the same kind gives the outer one its body.
        if let Elem::Group { kind: k, skip: s, len: l } = self.elems[b + pre_end]
            && k == kind
            && 1 + s as usize + l as usize == len
        {
            skip += 1 + s as usize;
            len = l as usize;
        }
        self.elems[free] = Elem::Group { kind, skip: to_u32(skip), len: to_u32(len) };
        (p.prev, p.last) = (p.last, Some(free));
        if let Some(t) = trailing {
            self.spacing(t);
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
        self.open(kind);
        f(self);
        self.close(at);
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

    /// Appends the elements of a raw document, as if they were built here.
    pub(crate) fn extend(&mut self, elems: Vec<Elem<'a>>) {
        if self.levels.is_empty() {
            return self.elems.extend(elems);
        }
        // Where each open group of `elems` ends, and where it began in `self`.
        let mut open: Vec<(usize, usize)> = Vec::new();
        for (i, e) in elems.into_iter().enumerate() {
            while let Some(&(end, at)) = open.last()
                && end == i
            {
                open.pop();
                self.close(at);
            }
            match e {
                Elem::Text(t) => self.put_text(t),
                Elem::Spacing(s) => self.spacing(s),
                Elem::Group { kind, len, .. } => {
                    open.push((i + 1 + len as usize, self.elems.len()));
                    self.open(kind);
                }
            }
        }
        while let Some((_, at)) = open.pop() {
            self.close(at);
        }
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

fn is_hard(elem: &Elem<'_>) -> bool {
    matches!(elem, Elem::Spacing(s) if s.is_hard())
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
