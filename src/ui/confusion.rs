//! The confusion chart, as MATLAB's `confusionchart` draws it: rows are the true class,
//! columns the predicted class; counts or one of the normalizations ('absolute',
//! 'row-normalized', 'column-normalized', 'total-normalized'); a row summary (per-class recall)
//! and a column summary (per-class precision); class sorting. The numbers are worked out by
//! plain functions (tested below); [`confusion_ui`] only draws them and reports a clicked cell.

use egui::{Align2, Color32, FontId, Rect, Sense, Stroke, StrokeKind, pos2, vec2};

use crate::engine::ConfusionMatrix;

/// confusionchart's Normalization.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Normalization {
    #[default]
    Absolute,
    RowNormalized,
    ColumnNormalized,
    TotalNormalized,
}

impl Normalization {
    pub const ALL: [Normalization; 4] = [
        Self::Absolute,
        Self::RowNormalized,
        Self::ColumnNormalized,
        Self::TotalNormalized,
    ];

    /// MATLAB's name.
    pub fn matlab_name(self) -> &'static str {
        match self {
            Self::Absolute => "absolute",
            Self::RowNormalized => "row-normalized",
            Self::ColumnNormalized => "column-normalized",
            Self::TotalNormalized => "total-normalized",
        }
    }
}

/// sortClasses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ClassSort {
    /// The training data's class order.
    #[default]
    Auto,
    /// Alphabetical (natural order: "2" before "10").
    Name,
    /// By the diagonal of the normalized matrix, smallest first.
    AscendingDiagonal,
    /// By the diagonal of the normalized matrix, largest first.
    DescendingDiagonal,
}

impl ClassSort {
    pub const ALL: [ClassSort; 4] = [
        Self::Auto,
        Self::Name,
        Self::AscendingDiagonal,
        Self::DescendingDiagonal,
    ];

    /// MATLAB's name (the studio adds "name").
    pub fn matlab_name(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::Name => "name",
            Self::AscendingDiagonal => "ascending-diagonal",
            Self::DescendingDiagonal => "descending-diagonal",
        }
    }
}

/// The matrix's values under a normalization: counts; each row divided by its total; each
/// column by its total; or everything by the grand total. An empty row or column gives 0.
pub fn normalized(cm: &ConfusionMatrix, norm: Normalization) -> Vec<Vec<f64>> {
    let k = cm.classes.len();
    let row_sum: Vec<u64> = cm.counts.iter().map(|r| r.iter().sum()).collect();
    let col_sum: Vec<u64> = (0..k)
        .map(|j| {
            cm.counts
                .iter()
                .map(|r| r.get(j).copied().unwrap_or(0))
                .sum()
        })
        .collect();
    let total = cm.total();
    let div = |a: u64, b: u64| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    cm.counts
        .iter()
        .enumerate()
        .map(|(i, row)| {
            row.iter()
                .enumerate()
                .map(|(j, &c)| match norm {
                    Normalization::Absolute => c as f64,
                    Normalization::RowNormalized => div(c, row_sum[i]),
                    Normalization::ColumnNormalized => div(c, col_sum.get(j).copied().unwrap_or(0)),
                    Normalization::TotalNormalized => div(c, total),
                })
                .collect()
        })
        .collect()
}

/// The order in which the classes are shown (indices into `cm.classes`).
pub fn class_order(cm: &ConfusionMatrix, sort: ClassSort, norm: Normalization) -> Vec<usize> {
    let mut order: Vec<usize> = (0..cm.classes.len()).collect();
    let values = normalized(cm, norm);
    let diag = |i: usize| values.get(i).and_then(|r| r.get(i)).copied().unwrap_or(0.0);
    match sort {
        ClassSort::Auto => {}
        ClassSort::Name => {
            order.sort_by(|&a, &b| crate::data::natural_cmp(&cm.classes[a], &cm.classes[b]))
        }
        ClassSort::AscendingDiagonal => order.sort_by(|&a, &b| diag(a).total_cmp(&diag(b))),
        ClassSort::DescendingDiagonal => order.sort_by(|&a, &b| diag(b).total_cmp(&diag(a))),
    }
    order
}

/// The sequences whose true class is `truth` and whose predicted class is `predicted`.
pub fn members(
    true_labels: &[usize],
    predicted: &[usize],
    truth: usize,
    predicted_class: usize,
) -> Vec<usize> {
    true_labels
        .iter()
        .zip(predicted)
        .enumerate()
        .filter(|(_, (t, p))| **t == truth && **p == predicted_class)
        .map(|(i, _)| i)
        .collect()
}

/// How a value reads in a cell.
pub fn cell_text(value: f64, norm: Normalization) -> String {
    match norm {
        Normalization::Absolute => format!("{value:.0}"),
        _ if value == 0.0 => "0".into(),
        _ => format!("{:.1}%", value * 100.0),
    }
}

/// The chart's display state.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ConfusionView {
    pub normalization: Normalization,
    pub sort: ClassSort,
    /// The selected cell (true class, predicted class), class indices.
    pub selected: Option<(usize, usize)>,
}

fn mix(a: Color32, b: Color32, t: f32) -> Color32 {
    let t = t.clamp(0.0, 1.0);
    let l = |x: u8, y: u8| (x as f32 + (y as f32 - x as f32) * t).round() as u8;
    Color32::from_rgb(l(a.r(), b.r()), l(a.g(), b.g()), l(a.b(), b.b()))
}

/// Draws the chart; returns the cell clicked this frame (true class, predicted class).
pub fn confusion_ui(
    ui: &mut egui::Ui,
    cm: &ConfusionMatrix,
    view: &ConfusionView,
) -> Option<(usize, usize)> {
    let k = cm.classes.len();
    if k == 0 {
        ui.label("The confusion matrix is empty.");
        return None;
    }
    let values = normalized(cm, view.normalization);
    let order = class_order(cm, view.sort, view.normalization);
    let recall = cm.recall();
    let precision = cm.precision();
    let max_off = values
        .iter()
        .enumerate()
        .flat_map(|(i, r)| {
            r.iter()
                .enumerate()
                .filter(move |(j, _)| *j != i)
                .map(|(_, v)| *v)
        })
        .fold(0.0f64, f64::max);
    let max_diag = (0..k).map(|i| values[i][i]).fold(0.0f64, f64::max);

    let label_w = 90.0;
    let title_h = 20.0;
    let avail = ui.available_size();
    let cell = ((avail.x - label_w - 30.0) / (k as f32 + 1.6))
        .min((avail.y - 80.0) / (k as f32 + 2.2))
        .clamp(22.0, 64.0);
    let summary_w = cell * 1.4;
    let size = vec2(
        label_w + 24.0 + cell * k as f32 + 8.0 + summary_w,
        title_h + cell * k as f32 + 8.0 + cell + 50.0,
    );
    let (rect, response) = ui.allocate_exact_size(size, Sense::click());
    let painter = ui.painter_at(rect);
    let visuals = ui.visuals().clone();
    let text_color = visuals.text_color();
    let bg = visuals.extreme_bg_color;
    let blue = Color32::from_rgb(0, 114, 189);
    let red = Color32::from_rgb(217, 83, 25);
    let grid = Rect::from_min_size(
        pos2(rect.min.x + label_w + 24.0, rect.min.y + title_h),
        vec2(cell * k as f32, cell * k as f32),
    );
    let font = FontId::proportional((cell * 0.32).clamp(10.0, 14.0));
    let small = FontId::proportional(11.0);

    painter.text(
        pos2(grid.center().x, rect.min.y + 2.0),
        Align2::CENTER_TOP,
        "Predicted class   (column summary: precision)",
        small.clone(),
        text_color,
    );
    painter.text(
        pos2(rect.min.x + 2.0, grid.center().y),
        Align2::LEFT_CENTER,
        "True\nclass",
        small.clone(),
        text_color,
    );

    let mut clicked = None;
    let pointer = response.hover_pos();
    for (r, &i) in order.iter().enumerate() {
        let y = grid.min.y + r as f32 * cell;
        painter.text(
            pos2(grid.min.x - 4.0, y + cell / 2.0),
            Align2::RIGHT_CENTER,
            &cm.classes[i],
            font.clone(),
            text_color,
        );
        for (c, &j) in order.iter().enumerate() {
            let x = grid.min.x + c as f32 * cell;
            let cr = Rect::from_min_size(pos2(x, y), vec2(cell, cell));
            let v = values[i][j];
            let (fill, strength) = if i == j {
                (
                    blue,
                    if max_diag > 0.0 {
                        (v / max_diag) as f32
                    } else {
                        0.0
                    },
                )
            } else {
                (
                    red,
                    if max_off > 0.0 {
                        (v / max_off) as f32
                    } else {
                        0.0
                    },
                )
            };
            let color = if v == 0.0 {
                bg
            } else {
                mix(bg, fill, 0.15 + 0.85 * strength)
            };
            painter.rect_filled(cr.shrink(0.5), 0.0, color);
            if view.selected == Some((i, j)) {
                painter.rect_stroke(
                    cr.shrink(1.5),
                    0.0,
                    Stroke::new(2.5, visuals.selection.stroke.color),
                    StrokeKind::Inside,
                );
            }
            if v != 0.0 {
                let tc = if strength > 0.55 {
                    Color32::WHITE
                } else {
                    text_color
                };
                painter.text(
                    cr.center(),
                    Align2::CENTER_CENTER,
                    cell_text(v, view.normalization),
                    font.clone(),
                    tc,
                );
            }
            if let Some(p) = pointer
                && cr.contains(p)
            {
                if response.clicked() {
                    clicked = Some((i, j));
                }
                painter.rect_stroke(cr, 0.0, Stroke::new(1.0, text_color), StrokeKind::Inside);
            }
        }
        // Row summary: recall.
        let sr = Rect::from_min_size(pos2(grid.max.x + 8.0, y), vec2(summary_w, cell));
        if let Some(rc) = recall[i] {
            painter.rect_filled(sr.shrink(0.5), 0.0, mix(bg, blue, 0.15 + 0.85 * rc as f32));
            painter.text(
                sr.center(),
                Align2::CENTER_CENTER,
                format!("{:.1}%", rc * 100.0),
                font.clone(),
                if rc > 0.55 {
                    Color32::WHITE
                } else {
                    text_color
                },
            );
        }
    }
    painter.text(
        pos2(grid.max.x + 8.0 + summary_w / 2.0, grid.min.y - 2.0),
        Align2::CENTER_BOTTOM,
        "recall",
        small.clone(),
        text_color,
    );
    // Column labels and the column summary: precision.
    for (c, &j) in order.iter().enumerate() {
        let x = grid.min.x + c as f32 * cell;
        let sr = Rect::from_min_size(pos2(x, grid.max.y + 8.0), vec2(cell, cell));
        if let Some(p) = precision[j] {
            painter.rect_filled(sr.shrink(0.5), 0.0, mix(bg, blue, 0.15 + 0.85 * p as f32));
            painter.text(
                sr.center(),
                Align2::CENTER_CENTER,
                format!("{:.0}%", p * 100.0),
                font.clone(),
                if p > 0.55 { Color32::WHITE } else { text_color },
            );
        }
        painter.text(
            pos2(x + cell / 2.0, sr.max.y + 4.0),
            Align2::CENTER_TOP,
            &cm.classes[j],
            font.clone(),
            text_color,
        );
    }
    painter.text(
        pos2(grid.min.x - 4.0, grid.max.y + 8.0 + cell / 2.0),
        Align2::RIGHT_CENTER,
        "precision",
        small,
        text_color,
    );
    if let Some(p) = pointer {
        for (r, &i) in order.iter().enumerate() {
            for (c, &j) in order.iter().enumerate() {
                let cr = Rect::from_min_size(
                    pos2(grid.min.x + c as f32 * cell, grid.min.y + r as f32 * cell),
                    vec2(cell, cell),
                );
                if cr.contains(p) {
                    response.clone().on_hover_text(format!(
                        "true {} -> predicted {}: {} sequences ({})",
                        cm.classes[i],
                        cm.classes[j],
                        cm.counts[i][j],
                        cell_text(values[i][j], view.normalization)
                    ));
                }
            }
        }
    }
    clicked
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn cm() -> ConfusionMatrix {
        ConfusionMatrix {
            classes: vec!["b".into(), "a".into()],
            counts: vec![vec![3, 1], vec![2, 4]],
        }
    }

    #[test]
    fn the_four_normalizations() {
        let c = cm();
        assert_eq!(
            normalized(&c, Normalization::Absolute),
            vec![vec![3.0, 1.0], vec![2.0, 4.0]]
        );
        assert_eq!(
            normalized(&c, Normalization::RowNormalized),
            vec![vec![0.75, 0.25], vec![2.0 / 6.0, 4.0 / 6.0]]
        );
        assert_eq!(
            normalized(&c, Normalization::ColumnNormalized),
            vec![vec![0.6, 0.2], vec![0.4, 0.8]]
        );
        assert_eq!(
            normalized(&c, Normalization::TotalNormalized),
            vec![vec![0.3, 0.1], vec![0.2, 0.4]]
        );
        let empty = ConfusionMatrix {
            classes: vec!["x".into(), "y".into()],
            counts: vec![vec![0, 0], vec![0, 1]],
        };
        assert_eq!(
            normalized(&empty, Normalization::RowNormalized)[0],
            vec![0.0, 0.0]
        );
    }

    #[test]
    fn sorting_by_name_and_diagonal() {
        let c = cm();
        assert_eq!(
            class_order(&c, ClassSort::Auto, Normalization::Absolute),
            vec![0, 1]
        );
        assert_eq!(
            class_order(&c, ClassSort::Name, Normalization::Absolute),
            vec![1, 0]
        );
        // Row-normalized diagonal: b 0.75, a 0.667.
        assert_eq!(
            class_order(
                &c,
                ClassSort::AscendingDiagonal,
                Normalization::RowNormalized
            ),
            vec![1, 0]
        );
        assert_eq!(
            class_order(
                &c,
                ClassSort::DescendingDiagonal,
                Normalization::RowNormalized
            ),
            vec![0, 1]
        );
    }

    #[test]
    fn members_are_exactly_the_matching_pairs() {
        let t = [0, 1, 1, 0, 1];
        let p = [0, 0, 1, 1, 0];
        assert_eq!(members(&t, &p, 1, 0), vec![1, 4]);
        assert_eq!(members(&t, &p, 0, 0), vec![0]);
        assert!(members(&t, &p, 2, 2).is_empty());
    }

    #[test]
    fn cell_text_reads_counts_and_percentages() {
        assert_eq!(cell_text(12.0, Normalization::Absolute), "12");
        assert_eq!(cell_text(0.125, Normalization::RowNormalized), "12.5%");
    }
}
