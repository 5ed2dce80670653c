//! The frontiers of the omniscient search: per tick and state, the points `(loss, cost)` that no
//! smaller loss undercuts, kept as lists in increasing loss; a move of a whole state shifts a
//! list, and the next tick's frontiers are merges of shifted lists (see [`super`]).

/// One point of a frontier: a state reached with `loss` grid units of loss for `cost` USD.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(super) struct Point {
    pub(super) loss: usize,
    pub(super) cost: f64,
}

/// The points of one frontier, in increasing loss: the first `len` of a buffer that only grows,
/// so that a merge writes its points in place without a capacity check per point. (Writing
/// every point and keeping it by counting, without a branch on the outcome, measured no faster:
/// up to 8 % slower over three alternating runs on two V100 zones; the branch predicts well.)
#[derive(Default)]
pub(super) struct Frontier {
    buf: Vec<Point>,
    len: usize,
}

impl Frontier {
    pub(super) fn points(&self) -> &[Point] {
        &self.buf[..self.len]
    }

    pub(super) fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub(super) fn clear(&mut self) {
        self.len = 0;
    }

    /// A frontier of one point.
    pub(super) fn set_single(&mut self, point: Point) {
        self.clear();
        self.room(1)[0] = point;
        self.len = 1;
    }

    /// Drops the first `n` points.
    pub(super) fn drop_front(&mut self, n: usize) {
        if n > 0 {
            self.buf.copy_within(n..self.len, 0);
            self.len -= n;
        }
    }

    /// Keeps the points for which `keep` holds, in order.
    pub(super) fn retain(&mut self, mut keep: impl FnMut(&Point) -> bool) {
        let mut n = 0;
        for i in 0..self.len {
            let q = self.buf[i];
            if keep(&q) {
                self.buf[n] = q;
                n += 1;
            }
        }
        self.len = n;
    }

    /// The buffer, at least `n` points long.
    fn room(&mut self, n: usize) -> &mut [Point] {
        if self.buf.len() < n {
            self.buf.resize(n, Point::default());
        }
        &mut self.buf[..n]
    }
}

/// The points of a frontier moved by one transition: `shift` more loss, `add` more cost.
#[derive(Clone, Copy)]
pub(super) struct Moved<'a> {
    points: &'a [Point],
    shift: usize,
    add: f64,
}

impl<'a> Moved<'a> {
    pub(super) fn new(points: &'a [Point], shift: usize, add: f64) -> Self {
        Self { points, shift, add }
    }

    /// Only the points whose moved loss stays within `0..width`.
    pub(super) fn within(self, width: usize) -> Self {
        let room = width.saturating_sub(self.shift);
        let n = self.points.partition_point(|p| p.loss < room);
        Self {
            points: &self.points[..n],
            ..self
        }
    }
}

/// The cheaper of two moved frontiers at every loss, into `out`, leaving out every point that a
/// point of smaller loss undercuts by more than `slack` USD (see the documentation of [`super`]).
pub(super) fn merge(a: Moved<'_>, b: Moved<'_>, out: &mut Frontier, slack: f64) {
    let (xs, ys) = (a.points, b.points);
    let buf = out.room(xs.len() + ys.len());
    // `bar`: the least cost so far plus `slack`; rounding is monotone, so it is also the least
    // of `cost + slack`.
    let (mut n, mut bar) = (0, f64::INFINITY);
    let mut put = |loss: usize, cost: f64| {
        if cost <= bar {
            buf[n] = Point { loss, cost };
            n += 1;
            let capped = cost + slack;
            if capped < bar {
                bar = capped;
            }
        }
    };
    let (mut i, mut j) = (0, 0);
    while i < xs.len() && j < ys.len() {
        let (p, q) = (xs[i], ys[j]);
        let (la, lb) = (p.loss + a.shift, q.loss + b.shift);
        if la < lb {
            put(la, p.cost + a.add);
            i += 1;
        } else if lb < la {
            put(lb, q.cost + b.add);
            j += 1;
        } else {
            let (ca, cb) = (p.cost + a.add, q.cost + b.add);
            put(la, if cb < ca { cb } else { ca });
            i += 1;
            j += 1;
        }
    }
    for p in &xs[i..] {
        put(p.loss + a.shift, p.cost + a.add);
    }
    for q in &ys[j..] {
        put(q.loss + b.shift, q.cost + b.add);
    }
    out.len = n;
}

/// The cost at `loss` on a frontier (∞ when the state is not on it).
pub(super) fn cost_at(points: &[Point], loss: usize) -> f64 {
    points
        .binary_search_by(|p| p.loss.cmp(&loss))
        .map_or(f64::INFINITY, |i| points[i].cost)
}

/// The frontiers of every tick, kept to rebuild the schedule: per tick, the points of idle,
/// warm spot and warm on-demand that moved on (done and pruned points removed), and the warm
/// spot points lost to a preemption at that tick.
#[derive(Default)]
pub(super) struct History {
    pub(super) points: Vec<Point>,
    /// Per tick, `[idle, spot, on-demand, preempted spot]` as ranges of `points`.
    pub(super) ranges: Vec<[(usize, usize); 4]>,
}

impl History {
    pub(super) fn get(&self, t: usize, which: usize) -> &[Point] {
        let (a, b) = self.ranges[t][which];
        &self.points[a..b]
    }
}
