//! The frontiers of the omniscient search: per tick and state, the points `(loss, cost)` that no
//! smaller loss undercuts, kept as lists in increasing loss; a move of a whole state shifts a
//! list, and the next tick's frontiers are merges of shifted lists (see [`super`]).

/// One point of a frontier: a state reached with `loss` grid units of loss for `cost` USD.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Point {
    pub(super) loss: usize,
    pub(super) cost: f64,
}

/// A frontier under construction: points arrive in increasing loss, and one that a point of
/// smaller loss undercuts by more than `slack` USD is dropped (see the documentation of [`super`]).
pub(super) struct Frontier<'a> {
    out: &'a mut Vec<Point>,
    least: f64,
    slack: f64,
    /// `least + slack`: a point dearer than this is dropped.
    bar: f64,
}

impl<'a> Frontier<'a> {
    pub(super) fn new(out: &'a mut Vec<Point>, slack: f64) -> Self {
        out.clear();
        Self {
            out,
            least: f64::INFINITY,
            slack,
            bar: f64::INFINITY,
        }
    }

    #[inline(always)]
    pub(super) fn push(&mut self, loss: usize, cost: f64) {
        if cost <= self.bar {
            self.out.push(Point { loss, cost });
            if cost < self.least {
                self.least = cost;
                self.bar = cost + self.slack;
            }
        }
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

/// The cheaper of two moved frontiers at every loss, into `out`.
pub(super) fn merge(a: Moved<'_>, b: Moved<'_>, out: &mut Frontier<'_>) {
    out.out.reserve(a.points.len() + b.points.len());
    let (mut xs, mut ys) = (a.points, b.points);
    while let (Some(pa), Some(pb)) = (xs.first(), ys.first()) {
        let (la, lb) = (pa.loss + a.shift, pb.loss + b.shift);
        if la <= lb {
            let mut cost = pa.cost + a.add;
            if la == lb {
                cost = cost.min(pb.cost + b.add);
                ys = &ys[1..];
            }
            out.push(la, cost);
            xs = &xs[1..];
        } else {
            out.push(lb, pb.cost + b.add);
            ys = &ys[1..];
        }
    }
    for p in xs {
        out.push(p.loss + a.shift, p.cost + a.add);
    }
    for p in ys {
        out.push(p.loss + b.shift, p.cost + b.add);
    }
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
