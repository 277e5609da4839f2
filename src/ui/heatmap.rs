//! Heatmaps of units × time (gates, hidden and cell states) drawn from a texture, with a
//! hover read-out and click-to-pick a row, plus the colour maps and the unit orderings
//! (by activity, by variance, by correlation with a score trace) used by "Inside the LSTM".

use egui::{Color32, ColorImage, Rect, Sense, Stroke, TextureHandle, TextureOptions, pos2, vec2};

/// How values map to colours.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ColorScale {
    /// Values in [0, 1] (gate activations): dark to bright.
    Unit,
    /// Values in [−m, m] (states, the cell candidate): blue – neutral – red.
    Diverging(f32),
}

impl ColorScale {
    /// A diverging scale wide enough for every finite value.
    pub fn diverging_for(values: &[f32]) -> Self {
        let m = values
            .iter()
            .filter(|v| v.is_finite())
            .fold(0.0f32, |a, v| a.max(v.abs()));
        ColorScale::Diverging(if m > 0.0 { m } else { 1.0 })
    }

    /// The colour of a value.
    pub fn color(self, v: f32) -> Color32 {
        if !v.is_finite() {
            return Color32::from_gray(80);
        }
        match self {
            ColorScale::Unit => viridis(v.clamp(0.0, 1.0)),
            ColorScale::Diverging(m) => {
                let t = (v / m).clamp(-1.0, 1.0);
                let neutral = (245.0, 245.0, 245.0);
                let end = if t < 0.0 {
                    (33.0, 102.0, 172.0)
                } else {
                    (178.0, 24.0, 43.0)
                };
                let a = t.abs();
                let l = |x: f32, y: f32| (x + (y - x) * a).round() as u8;
                Color32::from_rgb(
                    l(neutral.0, end.0),
                    l(neutral.1, end.1),
                    l(neutral.2, end.2),
                )
            }
        }
    }
}

/// A compact viridis approximation (t in [0, 1]).
pub fn viridis(t: f32) -> Color32 {
    const STOPS: [(f32, f32, f32); 5] = [
        (68.0, 1.0, 84.0),
        (59.0, 82.0, 139.0),
        (33.0, 145.0, 140.0),
        (94.0, 201.0, 98.0),
        (253.0, 231.0, 37.0),
    ];
    let x = t.clamp(0.0, 1.0) * 4.0;
    let i = (x.floor() as usize).min(3);
    let f = x - i as f32;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    let l = |p: f32, q: f32| (p + (q - p) * f).round() as u8;
    Color32::from_rgb(l(a.0, b.0), l(a.1, b.1), l(a.2, b.2))
}

/// How units (rows) are ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum UnitOrder {
    /// Unit 1, 2, 3, …
    #[default]
    Index,
    /// By mean |value| over time, most active first.
    Activity,
    /// By variance over time, most varying first.
    Variance,
    /// By |Pearson correlation| with the predicted class's score over time, strongest first.
    Correlation,
}

impl UnitOrder {
    pub const ALL: [UnitOrder; 4] = [
        Self::Index,
        Self::Activity,
        Self::Variance,
        Self::Correlation,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Self::Index => "unit number",
            Self::Activity => "activity (mean |h|)",
            Self::Variance => "variance over time",
            Self::Correlation => "correlation with predicted class",
        }
    }
}

/// The value of unit `u` at step `t` of a time-major `steps × units` trace.
fn at(values: &[f32], units: usize, t: usize, u: usize) -> f32 {
    values.get(t * units + u).copied().unwrap_or(0.0)
}

/// Pearson correlation of two equally long series (0 when either is constant).
pub fn correlation(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    if n < 2 {
        return 0.0;
    }
    let ma = a[..n].iter().sum::<f64>() / n as f64;
    let mb = b[..n].iter().sum::<f64>() / n as f64;
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for i in 0..n {
        let (x, y) = (a[i] - ma, b[i] - mb);
        sab += x * y;
        saa += x * x;
        sbb += y * y;
    }
    if saa <= 0.0 || sbb <= 0.0 {
        0.0
    } else {
        sab / (saa * sbb).sqrt()
    }
}

/// The order of the units of a time-major `steps × units` trace. `reference` (one value per
/// step) is the series correlated against for [`UnitOrder::Correlation`].
pub fn unit_order(
    values: &[f32],
    steps: usize,
    units: usize,
    order: UnitOrder,
    reference: &[f64],
) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..units).collect();
    if steps == 0 {
        return idx;
    }
    let series =
        |u: usize| -> Vec<f64> { (0..steps).map(|t| at(values, units, t, u) as f64).collect() };
    let key: Vec<f64> = match order {
        UnitOrder::Index => return idx,
        UnitOrder::Activity => (0..units)
            .map(|u| series(u).iter().map(|v| v.abs()).sum::<f64>() / steps as f64)
            .collect(),
        UnitOrder::Variance => (0..units)
            .map(|u| {
                let s = series(u);
                let m = s.iter().sum::<f64>() / steps as f64;
                s.iter().map(|v| (v - m).powi(2)).sum::<f64>() / steps as f64
            })
            .collect(),
        UnitOrder::Correlation => (0..units)
            .map(|u| correlation(&series(u), reference).abs())
            .collect(),
    };
    idx.sort_by(|&a, &b| key[b].total_cmp(&key[a]).then(a.cmp(&b)));
    idx
}

/// The image of a `steps × units` trace with units as rows (in `order`) and time as columns.
pub fn trace_image(
    values: &[f32],
    steps: usize,
    units: usize,
    order: &[usize],
    scale: ColorScale,
) -> ColorImage {
    let rows = order.len().max(1);
    let cols = steps.max(1);
    let mut pixels = Vec::with_capacity(rows * cols);
    for &u in order {
        for t in 0..cols {
            pixels.push(scale.color(at(values, units, t, u)));
        }
    }
    pixels.resize(rows * cols, Color32::from_gray(80));
    ColorImage::new([cols, rows], pixels)
}

/// What happened on a heatmap this frame.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct HeatmapResponse {
    /// (unit, step, value) under the pointer.
    pub hovered: Option<(usize, usize, f32)>,
    /// The unit whose row was clicked.
    pub clicked_unit: Option<usize>,
}

/// A heatmap with a texture cache: rebuilt only when `key` changes.
#[derive(Default)]
pub struct HeatmapTexture {
    key: Option<u64>,
    texture: Option<TextureHandle>,
}

impl HeatmapTexture {
    /// Draws the trace (`steps × units`, time-major) with units in `order` as rows, `height`
    /// points tall and as wide as the space allows. `marked` units get a tick on the left.
    #[allow(clippy::too_many_arguments)]
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        key: u64,
        values: &[f32],
        steps: usize,
        units: usize,
        order: &[usize],
        scale: ColorScale,
        height: f32,
        marked: &[usize],
    ) -> HeatmapResponse {
        if self.key != Some(key) || self.texture.is_none() {
            let image = trace_image(values, steps, units, order, scale);
            self.texture = Some(ui.ctx().load_texture(
                format!("heatmap-{key}"),
                image,
                TextureOptions::NEAREST,
            ));
            self.key = Some(key);
        }
        let width = ui.available_width().max(60.0);
        let (rect, response) = ui.allocate_exact_size(vec2(width, height), Sense::click());
        let inner = Rect::from_min_max(pos2(rect.min.x + 6.0, rect.min.y), rect.max);
        if let Some(tex) = &self.texture {
            ui.painter().image(
                tex.id(),
                inner,
                Rect::from_min_max(pos2(0.0, 0.0), pos2(1.0, 1.0)),
                Color32::WHITE,
            );
        }
        ui.painter().rect_stroke(
            inner,
            0.0,
            Stroke::new(1.0, ui.visuals().widgets.noninteractive.bg_stroke.color),
            egui::StrokeKind::Outside,
        );
        let rows = order.len().max(1) as f32;
        for (r, u) in order.iter().enumerate() {
            if marked.contains(u) {
                let y = inner.min.y + (r as f32 + 0.5) * inner.height() / rows;
                ui.painter().line_segment(
                    [pos2(rect.min.x, y), pos2(inner.min.x - 1.0, y)],
                    Stroke::new(2.0, ui.visuals().selection.stroke.color),
                );
            }
        }
        let mut out = HeatmapResponse::default();
        if let Some(p) = response.hover_pos()
            && inner.contains(p)
            && steps > 0
            && !order.is_empty()
        {
            let t = (((p.x - inner.min.x) / inner.width()) * steps as f32).floor() as usize;
            let r = (((p.y - inner.min.y) / inner.height()) * rows).floor() as usize;
            let t = t.min(steps - 1);
            let r = r.min(order.len() - 1);
            let u = order[r];
            let v = at(values, units, t, u);
            out.hovered = Some((u, t, v));
            if response.clicked() {
                out.clicked_unit = Some(u);
            }
            let cell = Rect::from_min_size(
                pos2(
                    inner.min.x + t as f32 * inner.width() / steps as f32,
                    inner.min.y + r as f32 * inner.height() / rows,
                ),
                vec2(inner.width() / steps as f32, inner.height() / rows),
            );
            ui.painter().rect_stroke(
                cell,
                0.0,
                Stroke::new(1.0, Color32::BLACK),
                egui::StrokeKind::Outside,
            );
        }
        out
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    // 3 steps × 3 units, time-major.
    const V: [f32; 9] = [
        0.0, 1.0, -0.5, //
        0.0, 1.0, 0.5, //
        0.0, 1.0, -0.5,
    ];

    #[test]
    fn units_sort_by_activity_and_variance() {
        assert_eq!(unit_order(&V, 3, 3, UnitOrder::Index, &[]), vec![0, 1, 2]);
        assert_eq!(
            unit_order(&V, 3, 3, UnitOrder::Activity, &[]),
            vec![1, 2, 0]
        );
        assert_eq!(
            unit_order(&V, 3, 3, UnitOrder::Variance, &[]),
            vec![2, 0, 1]
        );
    }

    #[test]
    fn units_sort_by_correlation_with_the_reference() {
        // Unit 2 follows the reference exactly (up to sign); units 0 and 1 are constant.
        assert_eq!(
            unit_order(&V, 3, 3, UnitOrder::Correlation, &[0.1, 0.9, 0.1]),
            vec![2, 0, 1]
        );
        assert!((correlation(&[1.0, 2.0, 3.0], &[2.0, 4.0, 6.0]) - 1.0).abs() < 1e-12);
        assert_eq!(correlation(&[1.0, 1.0], &[1.0, 2.0]), 0.0);
    }

    #[test]
    fn the_image_has_units_as_rows_and_steps_as_columns() {
        let img = trace_image(&V, 3, 3, &[2, 1], ColorScale::Diverging(1.0));
        assert_eq!(img.size, [3, 2]);
        assert_eq!(img.pixels[1], ColorScale::Diverging(1.0).color(0.5));
        assert_eq!(img.pixels[3], ColorScale::Diverging(1.0).color(1.0));
    }

    #[test]
    fn colour_scales_reach_their_ends() {
        assert_eq!(
            ColorScale::Diverging(2.0).color(0.0),
            Color32::from_rgb(245, 245, 245)
        );
        assert_eq!(
            ColorScale::Diverging(2.0).color(-2.0),
            Color32::from_rgb(33, 102, 172)
        );
        assert_eq!(ColorScale::Unit.color(1.0), Color32::from_rgb(253, 231, 37));
        assert_eq!(
            ColorScale::diverging_for(&[0.5, -3.0, f32::NAN]),
            ColorScale::Diverging(3.0)
        );
    }
}
