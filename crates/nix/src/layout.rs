//! The renderer: a greedy Wadler/Leijen layout of a normalised document, as nixfmt's `Predoc` does it.
//!
//! Each group is first tried flat: it fits when its flat text plus the first line of whatever
//! follows it stays within the width. When it does not, and it has priority children, each of
//! them (last first) is tried expanded while the text before and after it stays flat. Otherwise
//! the group is expanded and its children are laid out one by one. Soft spacings look ahead at
//! the first line of the rest of the document to decide between a space and a line break.

use crate::doc::{Elem, GroupKind, Spacing, TextKind, body, next, top, width};

/// Renders a document at the given width with two-space indentation: exactly one final newline,
/// no leading or trailing blank space.
pub(crate) fn render(doc: Vec<Elem<'_>>, target: usize) -> (String, Vec<(u32, usize)>) {
    let mut r = Renderer {
        out: String::with_capacity(doc.len() * 4),
        col: 0,
        indents: vec![Indent { indent: 0, nest: 0 }],
        width: isize::try_from(target).unwrap_or(isize::MAX),
        line: 0,
        marks: Vec::new(),
        saved: Vec::new(),
    };
    r.render_doc(&doc, None);
    let mut out = r.out;
    out.truncate(out.trim_end().len());
    let lead = out.len() - out.trim_start().len();
    out.drain(..lead);
    out.push('\n');
    (out, r.marks)
}

const INDENT: usize = 2;

/// What follows the element being laid out: a chain of slices, then an outer continuation.
#[derive(Clone, Copy)]
struct Look<'s, 'a> {
    chain: &'s [&'s [Elem<'a>]],
    tail: Option<&'s Look<'s, 'a>>,
}

#[derive(Clone, Copy, Debug)]
struct Indent {
    indent: usize,
    nest: u32,
}

struct Renderer {
    out: String,
    col: usize,
    indents: Vec<Indent>,
    width: isize,
    /// Lines rendered so far.
    line: usize,
    /// `(mark, line)` for every marked text rendered.
    marks: Vec<(u32, usize)>,
    /// Indentation stacks saved by the open checkpoints, one after the other.
    saved: Vec<Indent>,
}

struct Checkpoint {
    len: usize,
    col: usize,
    /// Where the indentation stack was saved in [`Renderer::saved`].
    saved: usize,
    line: usize,
    marks: usize,
}

/// Where `fits` reports marked texts: the list and the current line.
type MarkSink<'m> = Option<(&'m mut Vec<(u32, usize)>, usize)>;

fn signed(n: usize) -> isize {
    isize::try_from(n).unwrap_or(isize::MAX)
}

/// Walks a look-ahead element by element, giving each as its slice and index.
fn for_each_in_look<'s, 'a>(look: Option<&Look<'s, 'a>>, f: &mut dyn FnMut(&'s [Elem<'a>], usize) -> bool) -> bool {
    let mut cur = look;
    while let Some(l) = cur {
        for slice in l.chain {
            for (i, _) in top(slice) {
                if f(slice, i) {
                    return true;
                }
            }
        }
        cur = l.tail;
    }
    false
}

/// Width of the first line of `look` when everything on it stays flat.
fn first_line_width(look: Option<&Look<'_, '_>>) -> usize {
    struct St {
        width: usize,
        pending: Option<Spacing>,
    }
    fn visit(elems: &[Elem<'_>], i: usize, st: &mut St) -> bool {
        match &elems[i] {
            Elem::Group { .. } => {
                let body = body(elems, i);
                top(body).any(|(j, _)| visit(body, j, st))
            }
            Elem::Spacing(s) => {
                st.pending = Some(st.pending.map_or(*s, |p| p.merge(*s)));
                false
            }
            Elem::Text(t) => {
                if let Some(p) = st.pending.take() {
                    if p == Spacing::Hardspace {
                        st.width += 1;
                    } else {
                        return true;
                    }
                }
                if t.kind != TextKind::Comment {
                    st.width += width(&t.text);
                }
                false
            }
        }
    }
    let mut st = St { width: 0, pending: None };
    if !for_each_in_look(look, &mut |s, i| visit(s, i, &mut st)) && st.pending == Some(Spacing::Hardspace) {
        st.width += 1;
    }
    st.width
}

/// The flat rendering of `chain`, appended to `out` when given (nothing appended on failure),
/// and its width; `None` when it holds a hard line break or is wider than `budget`.
fn fits<'s, 'a: 's>(
    budget: isize,
    chain: impl IntoIterator<Item = &'s [Elem<'a>]>,
    out: Option<&mut String>,
    mut marks: MarkSink<'_>,
) -> Option<usize> {
    struct St<'o, 'm> {
        budget: isize,
        width: usize,
        pending: Option<Spacing>,
        out: Option<&'o mut String>,
        marks: &'o mut MarkSink<'m>,
    }
    impl St<'_, '_> {
        fn push(&mut self, s: &str) {
            if let Some(out) = self.out.as_mut() {
                out.push_str(s);
            }
        }
        fn settle(&mut self) -> Option<()> {
            match self.pending.take() {
                None | Some(Spacing::Softbreak | Spacing::Break) => Some(()),
                Some(Spacing::Softspace | Spacing::Space | Spacing::Hardspace) => {
                    self.push(" ");
                    self.width += 1;
                    self.budget -= 1;
                    (self.budget >= 0).then_some(())
                }
                Some(_) => None,
            }
        }
        fn walk(&mut self, elems: &[Elem<'_>]) -> Option<()> {
            for (i, e) in top(elems) {
                match e {
                    Elem::Group { .. } => self.walk(body(elems, i))?,
                    Elem::Spacing(s) => self.pending = Some(self.pending.map_or(*s, |p| p.merge(*s))),
                    Elem::Text(t) => {
                        self.settle()?;
                        if t.mark != 0
                            && let Some((marks, line)) = self.marks.as_mut()
                        {
                            marks.push((t.mark, *line));
                        }
                        match t.kind {
                            TextKind::Regular => {
                                let w = width(&t.text);
                                self.push(&t.text);
                                self.width += w;
                                self.budget -= signed(w);
                                if self.budget < 0 {
                                    return None;
                                }
                            }
                            TextKind::Comment => {
                                self.push(&t.text);
                                self.width += width(&t.text);
                            }
                            TextKind::Trailing => {}
                        }
                    }
                }
            }
            Some(())
        }
    }
    if budget < 0 {
        return None;
    }
    let mark = out.as_ref().map_or(0, |o| o.len());
    let marks_len = marks.as_ref().map_or(0, |(m, _)| m.len());
    let mut st = St { budget, width: 0, pending: None, out, marks: &mut marks };
    let ok = chain.into_iter().try_for_each(|s| st.walk(s)).and_then(|()| st.settle());
    let w = st.width;
    match ok {
        Some(()) => Some(w),
        None => {
            if let Some(out) = st.out {
                out.truncate(mark);
            }
            if let Some((m, _)) = marks {
                m.truncate(marks_len);
            }
            None
        }
    }
}

/// Whether the first line of `look` fits in `target` columns, letting groups on it stay flat
/// when they fit and looking inside those that do not.
fn first_line_fits(target: isize, max: isize, look: Option<&Look<'_, '_>>) -> bool {
    struct St {
        budget: isize,
        pending: Option<Spacing>,
    }
    enum Flow {
        Go,
        Done(bool),
    }
    fn scan(st: &mut St, look: &Look<'_, '_>, target: isize, max: isize) -> Flow {
        for (i, slice) in look.chain.iter().enumerate() {
            for (j, e) in top(slice) {
                if st.budget < 0 {
                    return Flow::Done(false);
                }
                if let Elem::Spacing(s) = e {
                    st.pending = Some(st.pending.map_or(*s, |p| p.merge(*s)));
                    continue;
                }
                if let Some(p) = st.pending.take() {
                    if p == Spacing::Hardspace {
                        st.budget -= 1;
                        if st.budget < 0 {
                            return Flow::Done(false);
                        }
                    } else {
                        return Flow::Done(max - st.budget <= target);
                    }
                }
                match e {
                    Elem::Text(t) if t.kind == TextKind::Regular => st.budget -= signed(width(&t.text)),
                    Elem::Text(_) | Elem::Spacing(_) => {}
                    Elem::Group { .. } => {
                        let body = body(slice, j);
                        let here = [&slice[next(slice, j)..]];
                        let after_slice = Look { chain: &look.chain[i + 1..], tail: look.tail };
                        let rest = Look { chain: &here, tail: Some(&after_slice) };
                        let rest_width = signed(first_line_width(Some(&rest)));
                        match fits(st.budget - rest_width, [body], None, None) {
                            Some(w) => st.budget -= signed(w),
                            None => {
                                let inner = [body];
                                return scan(st, &Look { chain: &inner, tail: Some(&rest) }, target, max);
                            }
                        }
                    }
                }
            }
        }
        match look.tail {
            Some(t) => scan(st, t, target, max),
            None => {
                if st.budget < 0 {
                    return Flow::Done(false);
                }
                if st.pending.take() == Some(Spacing::Hardspace) {
                    st.budget -= 1;
                    if st.budget < 0 {
                        return Flow::Done(false);
                    }
                }
                Flow::Go
            }
        }
    }
    let mut st = St { budget: max, pending: None };
    match look {
        None => true,
        Some(l) => match scan(&mut st, l, target, max) {
            Flow::Done(b) => b,
            Flow::Go => max - st.budget <= target,
        },
    }
}

/// Nesting level and offset of the first text in `elems`; a group decides even without text.
fn first_indent(elems: &[Elem<'_>]) -> Option<(u32, u32)> {
    top(elems).find_map(|(i, e)| match e {
        Elem::Text(t) => Some((t.nest, t.offset)),
        Elem::Group { .. } => Some(first_indent(body(elems, i)).unwrap_or((0, 0))),
        Elem::Spacing(_) => None,
    })
}

/// Nesting level and offset of the first text in `chain`.
fn next_indent<'s, 'a: 's>(chain: impl IntoIterator<Item = &'s [Elem<'a>]>) -> (u32, u32) {
    chain.into_iter().find_map(first_indent).unwrap_or((0, 0))
}

fn has_priority(elems: &[Elem<'_>]) -> bool {
    top(elems).any(|(i, e)| match e {
        Elem::Group { kind: GroupKind::Priority, .. } => true,
        Elem::Group { kind: GroupKind::Transparent, .. } => has_priority(body(elems, i)),
        _ => false,
    })
}

/// The body of a group cut around each priority child: `(before, child, after)`.
type Cut<'s, 'a> = (Vec<&'s [Elem<'a>]>, &'s [Elem<'a>], Vec<&'s [Elem<'a>]>);

fn priority_cuts<'s, 'a>(body: &'s [Elem<'a>]) -> Vec<Cut<'s, 'a>> {
    fn segments<'s, 'a>(elems: &'s [Elem<'a>], out: &mut Vec<(bool, &'s [Elem<'a>])>) {
        let mut start = 0;
        for (i, e) in top(elems) {
            match e {
                Elem::Group { kind: GroupKind::Priority, .. } => {
                    if start < i {
                        out.push((false, &elems[start..i]));
                    }
                    out.push((true, crate::doc::body(elems, i)));
                    start = next(elems, i);
                }
                Elem::Group { kind: GroupKind::Transparent, .. } => {
                    if start < i {
                        out.push((false, &elems[start..i]));
                    }
                    segments(crate::doc::body(elems, i), out);
                    start = next(elems, i);
                }
                _ => {}
            }
        }
        if start < elems.len() {
            out.push((false, &elems[start..]));
        }
    }
    let mut segs = Vec::new();
    segments(body, &mut segs);
    segs.iter()
        .enumerate()
        .filter(|(_, (prio, _))| *prio)
        .map(|(i, (_, b))| (segs[..i].iter().map(|s| s.1).collect(), *b, segs[i + 1..].iter().map(|s| s.1).collect()))
        .collect()
}

/// `chain` with soft spacings made flat (inner groups untouched).
fn unexpand<'a>(chain: &[&[Elem<'a>]]) -> Vec<Elem<'a>> {
    let mut out = Vec::new();
    for slice in chain {
        for (i, e) in top(slice) {
            match e {
                Elem::Spacing(Spacing::Space | Spacing::Softspace) => out.push(Elem::Spacing(Spacing::Hardspace)),
                Elem::Spacing(Spacing::Break | Spacing::Softbreak) => {}
                // Copied with its body, so relative offsets stay valid.
                Elem::Group { .. } => out.extend_from_slice(&slice[i..next(slice, i)]),
                other => out.push(other.clone()),
            }
        }
    }
    out
}

impl Renderer {
    /// Saves the state; every checkpoint must be [`Renderer::release`]d, innermost first.
    fn checkpoint(&mut self) -> Checkpoint {
        let saved = self.saved.len();
        self.saved.extend_from_slice(&self.indents);
        Checkpoint { len: self.out.len(), col: self.col, saved, line: self.line, marks: self.marks.len() }
    }

    fn restore(&mut self, cp: &Checkpoint) {
        self.out.truncate(cp.len);
        self.line = cp.line;
        self.marks.truncate(cp.marks);
        self.col = cp.col;
        self.indents.clear();
        self.indents.extend_from_slice(&self.saved[cp.saved..]);
    }

    fn release(&mut self, cp: Checkpoint) {
        self.saved.truncate(cp.saved);
    }

    fn newline(&mut self) {
        self.out.push('\n');
        self.col = 0;
        self.line += 1;
    }

    fn render_doc<'s, 'a>(&mut self, elems: &'s [Elem<'a>], look: Option<&Look<'s, 'a>>) {
        for (i, e) in top(elems) {
            match e {
                Elem::Text(t) => {
                    if t.mark != 0 {
                        self.marks.push((t.mark, self.line));
                    }
                    if t.joined {
                        self.col += width(&t.text);
                        self.out.push_str(&t.text);
                    } else {
                        self.render_text(t.nest, t.offset, &t.text);
                    }
                }
                Elem::Spacing(_) if self.col == 0 => {}
                Elem::Spacing(s) => match s {
                    Spacing::Break | Spacing::Space | Spacing::Hardline => self.newline(),
                    Spacing::Hardspace => {
                        self.out.push(' ');
                        self.col += 1;
                    }
                    Spacing::Emptyline => {
                        self.newline();
                        self.newline();
                    }
                    Spacing::Newlines(n) => {
                        for _ in 0..*n {
                            self.newline();
                        }
                    }
                    Spacing::Softbreak => {
                        let rest = [&elems[next(elems, i)..]];
                        let look = Look { chain: &rest, tail: look };
                        if !first_line_fits(self.width - signed(self.col), self.width, Some(&look)) {
                            self.newline();
                        }
                    }
                    Spacing::Softspace => {
                        let rest = [&elems[next(elems, i)..]];
                        let look = Look { chain: &rest, tail: look };
                        let avail = (self.width - signed(self.col) - 1).max(0);
                        if first_line_fits(avail, self.width, Some(&look)) {
                            self.out.push(' ');
                            self.col += 1;
                        } else {
                            self.newline();
                        }
                    }
                },
                Elem::Group { kind, .. } => {
                    let rest = [&elems[next(elems, i)..]];
                    let look = Look { chain: &rest, tail: look };
                    self.render_group(*kind, body(elems, i), Some(&look));
                }
            }
        }
    }

    fn indent_for(&self, nest: u32) -> usize {
        let mut top = self.indents.len();
        while top > 0 && nest < self.indents[top - 1].nest {
            top -= 1;
        }
        match self.indents[..top].last() {
            Some(i) if nest > i.nest => i.indent + INDENT,
            Some(i) => i.indent,
            None => 0,
        }
    }

    fn enter(&mut self, nest: u32) {
        while let Some(&top) = self.indents.last() {
            if nest > top.nest {
                let indent = if self.col == 0 { top.indent + INDENT } else { top.indent };
                self.indents.push(Indent { indent, nest });
                return;
            }
            if nest < top.nest {
                self.indents.pop();
            } else {
                return;
            }
        }
    }

    fn render_text(&mut self, nest: u32, offset: u32, text: &str) {
        self.enter(nest);
        if self.col == 0 {
            let indent = self.indents.last().map_or(0, |i| i.indent) + offset as usize;
            self.out.extend(std::iter::repeat_n(' ', indent));
        }
        self.col += width(text);
        self.out.push_str(text);
    }

    fn render_chain<'s, 'a>(&mut self, chain: &'s [&'s [Elem<'a>]], look: Option<&Look<'s, 'a>>) {
        for (i, slice) in chain.iter().enumerate() {
            let rest = Look { chain: &chain[i + 1..], tail: look };
            self.render_doc(slice, Some(&rest));
        }
    }

    /// Lays `chain` out flat if it fits; leaves everything untouched otherwise.
    fn try_flat<'s, 'a>(&mut self, chain: &[&'s [Elem<'a>]], look: Option<&Look<'s, 'a>>) -> bool {
        let Some(k) = chain.iter().position(|s| !s.is_empty()) else { return true };
        if self.col > 0 {
            let budget = self.width - signed(self.col) - signed(first_line_width(look));
            return match fits(budget, chain.iter().copied(), Some(&mut self.out), Some((&mut self.marks, self.line))) {
                Some(w) => {
                    self.col += w;
                    true
                }
                None => false,
            };
        }
        // At the start of a line a leading spacing means nothing: drop it, looking through a
        // leading group (whose flat rendering is the same as that of its body).
        let (first, rest) = (chain[k], &chain[k + 1..]);
        match first.first() {
            Some(Elem::Spacing(_)) => {
                let chain = std::iter::once(&first[1..]).chain(rest.iter().copied());
                self.try_flat_at_line_start(next_indent(chain.clone()), chain, look)
            }
            Some(Elem::Group { .. }) if matches!(body(first, 0).first(), Some(Elem::Spacing(_))) => {
                let inner = body(first, 0);
                let indent = first_indent(&inner[1..]).unwrap_or((0, 0));
                let chain = [&inner[1..], &first[next(first, 0)..]].into_iter().chain(rest.iter().copied());
                self.try_flat_at_line_start(indent, chain, look)
            }
            _ => self.try_flat_at_line_start(next_indent(chain.iter().copied()), chain.iter().copied(), look),
        }
    }

    /// [`Renderer::try_flat`] at the start of a line, where the first text lands at `indent`.
    fn try_flat_at_line_start<'s, 'a: 's>(
        &mut self,
        (nest, offset): (u32, u32),
        chain: impl IntoIterator<Item = &'s [Elem<'a>]>,
        look: Option<&Look<'_, 'a>>,
    ) -> bool {
        let budget = self.width - signed(first_line_width(look));
        let mark = self.out.len();
        let indent = self.indent_for(nest) + offset as usize;
        self.out.extend(std::iter::repeat_n(' ', indent));
        match fits(budget, chain, Some(&mut self.out), Some((&mut self.marks, self.line))) {
            Some(w) => {
                self.enter(nest);
                self.col += w;
                true
            }
            None => {
                self.out.truncate(mark);
                false
            }
        }
    }

    fn render_group<'s, 'a>(&mut self, kind: GroupKind, body: &'s [Elem<'a>], look: Option<&Look<'s, 'a>>) {
        if self.try_flat(&[body], look) {
            return;
        }
        if kind != GroupKind::Transparent && has_priority(body) {
            let cp = self.checkpoint();
            for (pre, prio, post) in priority_cuts(body).into_iter().rev() {
                let mut after: Vec<&[Elem<'a>]> = Vec::with_capacity(post.len() + 1);
                after.push(prio);
                after.extend_from_slice(&post);
                let pre_look = Look { chain: &after, tail: look };
                if self.try_flat(&pre, Some(&pre_look)) {
                    let flat_post = unexpand(&post);
                    let flat_post_chain = [flat_post.as_slice()];
                    let prio_look = Look { chain: &flat_post_chain, tail: look };
                    let prio_chain = [prio];
                    self.render_chain(&prio_chain, Some(&prio_look));
                    if self.try_flat(&post, look) {
                        self.release(cp);
                        return;
                    }
                }
                self.restore(&cp);
            }
            self.release(cp);
        }
        self.render_doc(body, look);
    }
}
