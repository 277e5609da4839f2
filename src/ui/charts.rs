//! Chart data structures kept apart from drawing: a growing series that hands the plot a
//! min/max envelope of at most two points per pixel column (so a 100k-point history draws as
//! fast as a 1k-point one), and de-biased exponential smoothing as in MATLAB's
//! training-progress plot.

use std::ops::RangeInclusive;

/// A series of `(x, y)` points with non-decreasing x, appended one at a time.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Series {
    points: Vec<[f64; 2]>,
}

impl Series {
    /// An empty series.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a point. Non-finite y values are kept out (a NaN loss must not break the plot).
    pub fn push(&mut self, x: f64, y: f64) {
        if x.is_finite() && y.is_finite() {
            self.points.push([x, y]);
        }
    }

    /// Number of points.
    pub fn len(&self) -> usize {
        self.points.len()
    }

    /// True when there are no points.
    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    /// Removes every point.
    pub fn clear(&mut self) {
        self.points.clear();
    }

    /// All points.
    pub fn points(&self) -> &[[f64; 2]] {
        &self.points
    }

    /// The points whose x lies in `range`, thinned to a min/max envelope of `buckets` columns:
    /// each column contributes its first, lowest, highest and last point (in x order, without
    /// repeats), so every peak and dip stays visible and lines join up across columns. With
    /// no more points than `2 × buckets` they are returned as they are.
    pub fn envelope(&self, range: RangeInclusive<f64>, buckets: usize) -> Vec<[f64; 2]> {
        let (lo, hi) = (*range.start(), *range.end());
        let start = self.points.partition_point(|p| p[0] < lo).saturating_sub(1);
        let end = (self.points.partition_point(|p| p[0] <= hi) + 1).min(self.points.len());
        if start >= end {
            return Vec::new();
        }
        let visible = &self.points[start..end];
        let buckets = buckets.max(1);
        if visible.len() <= 2 * buckets {
            return visible.to_vec();
        }
        let (x0, x1) = (visible[0][0], visible[visible.len() - 1][0]);
        let width = (x1 - x0).max(f64::MIN_POSITIVE);
        let mut out = Vec::with_capacity(4 * buckets);
        let column_of =
            |x: f64| ((((x - x0) / width) * buckets as f64).floor() as usize).min(buckets - 1);
        let mut i = 0;
        while i < visible.len() {
            let column = column_of(visible[i][0]);
            let mut j = i;
            let (mut min_at, mut max_at) = (i, i);
            while j < visible.len() && column_of(visible[j][0]) == column {
                if visible[j][1] < visible[min_at][1] {
                    min_at = j;
                }
                if visible[j][1] > visible[max_at][1] {
                    max_at = j;
                }
                j += 1;
            }
            let mut picks = [i, min_at, max_at, j - 1];
            picks.sort_unstable();
            let mut last = usize::MAX;
            for p in picks {
                if p != last {
                    out.push(visible[p]);
                    last = p;
                }
            }
            i = j;
        }
        out
    }
}

/// De-biased exponential smoothing (as Adam de-biases its moments): `s_t = β s_{t−1} +
/// (1 − β) y_t`, reported as `s_t / (1 − β^t)`, so the first values are not pulled towards
/// zero. `beta` = 0 leaves the values as they are. Appends one value at a time.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Smoother {
    beta: f64,
    state: f64,
    weight: f64,
}

impl Smoother {
    /// A smoother with factor `beta` in [0, 1) (clamped).
    pub fn new(beta: f64) -> Self {
        Self {
            beta: if beta.is_finite() {
                beta.clamp(0.0, 0.999)
            } else {
                0.0
            },
            state: 0.0,
            weight: 0.0,
        }
    }

    /// Takes the next value and returns the smoothed one.
    pub fn next(&mut self, y: f64) -> f64 {
        self.state = self.beta * self.state + (1.0 - self.beta) * y;
        self.weight = self.beta * self.weight + (1.0 - self.beta);
        self.state / self.weight
    }
}

/// A raw series with its smoothed twin, kept in step as points arrive.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SmoothedSeries {
    pub raw: Series,
    pub smooth: Series,
    smoother: Smoother,
}

impl SmoothedSeries {
    /// Empty series smoothed with `beta`.
    pub fn new(beta: f64) -> Self {
        Self {
            raw: Series::new(),
            smooth: Series::new(),
            smoother: Smoother::new(beta),
        }
    }

    /// Appends a point to both.
    pub fn push(&mut self, x: f64, y: f64) {
        if x.is_finite() && y.is_finite() {
            self.raw.push(x, y);
            let s = self.smoother.next(y);
            self.smooth.push(x, s);
        }
    }

    /// Recomputes the smoothed twin with another factor.
    pub fn set_beta(&mut self, beta: f64) {
        self.smoother = Smoother::new(beta);
        self.smooth.clear();
        for &[x, y] in self.raw.points() {
            let s = self.smoother.next(y);
            self.smooth.push(x, s);
        }
    }

    /// Removes everything (keeps the factor).
    pub fn clear(&mut self) {
        let beta = self.smoother.beta;
        *self = Self::new(beta);
    }
}

/// A fixed plot (no drag, zoom or scroll) for bars at x = 0, 1, …, whose axis names each bar
/// by its class.
pub fn class_bar_plot(id: impl egui::AsIdSalt, classes: Vec<String>) -> egui_plot::Plot<'static> {
    egui_plot::Plot::new(id)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .x_grid_spacer(egui_plot::uniform_grid_spacer(|_| [1.0, 5.0, 10.0]))
        .x_axis_formatter(move |m, _| {
            if m.value.fract() == 0.0 {
                classes.get(m.value as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn noisy(n: usize) -> Series {
        let mut s = Series::new();
        for i in 0..n {
            let x = i as f64;
            s.push(
                x,
                (x * 0.01).sin() + if i % 97 == 0 { 5.0 } else { 0.0 }
                    - if i == 54_321 { 9.0 } else { 0.0 },
            );
        }
        s
    }

    #[test]
    fn envelope_of_100k_points_is_bounded_and_keeps_extremes() {
        let s = noisy(100_000);
        let e = s.envelope(0.0..=99_999.0, 800);
        assert!(e.len() <= 4 * 800, "{} points", e.len());
        assert!(e.len() >= 800);
        let max = e.iter().map(|p| p[1]).fold(f64::MIN, f64::max);
        let min = e.iter().map(|p| p[1]).fold(f64::MAX, f64::min);
        assert_eq!(
            max,
            s.points().iter().map(|p| p[1]).fold(f64::MIN, f64::max)
        );
        assert_eq!(
            min,
            s.points().iter().map(|p| p[1]).fold(f64::MAX, f64::min)
        );
        assert!(e.contains(&[54_321.0, (54_321.0f64 * 0.01).sin() - 9.0]));
        assert!(e.windows(2).all(|w| w[0][0] <= w[1][0]), "x order kept");
    }

    #[test]
    fn envelope_returns_small_ranges_unchanged_with_one_point_either_side() {
        let s = noisy(1000);
        let e = s.envelope(10.0..=20.0, 100);
        assert_eq!(e.first().unwrap()[0], 9.0);
        assert_eq!(e.last().unwrap()[0], 21.0);
        assert_eq!(e.len(), 13);
        assert!(Series::new().envelope(0.0..=1.0, 10).is_empty());
    }

    #[test]
    fn non_finite_values_are_skipped() {
        let mut s = Series::new();
        s.push(1.0, f64::NAN);
        s.push(2.0, 1.0);
        assert_eq!(s.len(), 1);
    }

    #[test]
    fn debiased_smoothing_starts_at_the_first_value() {
        let mut sm = Smoother::new(0.9);
        assert!((sm.next(2.0) - 2.0).abs() < 1e-12);
        // second: (0.9·0.2 + 0.1·4) / (1 − 0.81) = 0.58 / 0.19
        assert!((sm.next(4.0) - 0.58 / 0.19).abs() < 1e-12);
        let mut none = Smoother::new(0.0);
        assert_eq!(none.next(3.0), 3.0);
        assert_eq!(none.next(7.0), 7.0);
    }

    #[test]
    fn changing_the_factor_recomputes_the_smoothed_series() {
        let mut s = SmoothedSeries::new(0.0);
        for i in 0..10 {
            s.push(i as f64, i as f64);
        }
        assert_eq!(s.smooth.points()[9][1], 9.0);
        s.set_beta(0.9);
        assert!(s.smooth.points()[9][1] < 9.0);
        assert_eq!(s.smooth.len(), 10);
    }
}
