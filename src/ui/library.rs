//! The layer library: every layer type with a one-line description. Drag one into the layer
//! stack (a marker shows where it will go), or double-click it to append it.

use egui::{Color32, Sense, Stroke, StrokeKind, vec2};

use crate::spec::LayerType;
use crate::ui::network::{DragPayload, NetworkAction};

/// The accent colour of a layer type (input, recurrent, dense, regularization, output).
pub fn layer_color(ty: LayerType) -> Color32 {
    match ty {
        LayerType::SequenceInput => Color32::from_rgb(0x3d, 0x8e, 0xd8),
        LayerType::Lstm | LayerType::Bilstm | LayerType::Gru => Color32::from_rgb(0xe0, 0x7a, 0x1f),
        LayerType::FullyConnected => Color32::from_rgb(0x8a, 0x5c, 0xd6),
        LayerType::Dropout => Color32::from_rgb(0x6f, 0x8f, 0x5a),
        LayerType::Softmax => Color32::from_rgb(0x2f, 0xa7, 0x8f),
        LayerType::Classification | LayerType::Regression => Color32::from_rgb(0xc9, 0x4a, 0x5a),
    }
}

/// The library's group headings, with their layer types.
const GROUPS: [(&str, &[LayerType]); 4] = [
    ("Input", &[LayerType::SequenceInput]),
    (
        "Recurrent",
        &[LayerType::Lstm, LayerType::Bilstm, LayerType::Gru],
    ),
    (
        "Utility",
        &[
            LayerType::FullyConnected,
            LayerType::Dropout,
            LayerType::Softmax,
        ],
    ),
    (
        "Output",
        &[LayerType::Classification, LayerType::Regression],
    ),
];

/// Draws the library; `num_layers` is where a double-click appends.
pub fn library_ui(ui: &mut egui::Ui, num_layers: usize, actions: &mut Vec<NetworkAction>) {
    ui.add_space(4.0);
    ui.heading("Layer library");
    ui.label(
        egui::RichText::new("Drag into the network, or double-click to append")
            .small()
            .weak(),
    );
    ui.add_space(4.0);
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            for (group, types) in GROUPS {
                ui.add_space(6.0);
                ui.label(egui::RichText::new(group.to_uppercase()).small().strong());
                for &ty in types {
                    library_item_ui(ui, ty, num_layers, actions);
                }
            }
            debug_assert_eq!(
                GROUPS.iter().map(|g| g.1.len()).sum::<usize>(),
                LayerType::ALL.len()
            );
        });
}

fn library_item_ui(
    ui: &mut egui::Ui,
    ty: LayerType,
    num_layers: usize,
    actions: &mut Vec<NetworkAction>,
) {
    let width = ui.available_width();
    let pad = vec2(10.0, 6.0);
    let title = ui.painter().layout_no_wrap(
        ty.display_name().to_string(),
        egui::FontId::proportional(14.0),
        ui.visuals().strong_text_color(),
    );
    let ctor = ui.painter().layout_no_wrap(
        ty.constructor().to_string(),
        egui::FontId::monospace(11.0),
        ui.visuals().weak_text_color(),
    );
    let summary = ui.painter().layout(
        ty.summary().to_string(),
        egui::FontId::proportional(11.5),
        ui.visuals().text_color(),
        width - 2.0 * pad.x - 6.0,
    );
    let height = pad.y * 2.0 + title.size().y + 2.0 + summary.size().y;
    let (rect, response) = ui.allocate_exact_size(vec2(width, height), Sense::click_and_drag());
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, ty.display_name()));
    let dragging = response.dragged();
    if response.drag_started() {
        egui::DragAndDrop::set_payload(ui.ctx(), DragPayload::NewLayer(ty));
    }
    if response.double_clicked() {
        actions.push(NetworkAction::InsertLayer { ty, at: num_layers });
    }
    let response = response.on_hover_text(format!(
        "{} — {}\nDrag into the network, or double-click to append.",
        ty.constructor(),
        ty.summary()
    ));
    response.context_menu(|ui| {
        if ui.button("Append to network").clicked() {
            actions.push(NetworkAction::InsertLayer { ty, at: num_layers });
        }
    });

    let visuals = ui.visuals();
    let fill = if dragging {
        visuals.selection.bg_fill.gamma_multiply(0.35)
    } else if response.hovered() {
        visuals.widgets.hovered.weak_bg_fill
    } else {
        visuals.faint_bg_color
    };
    let painter = ui.painter();
    painter.rect(
        rect.shrink2(vec2(0.0, 1.5)),
        5.0,
        fill,
        Stroke::new(1.0, visuals.widgets.noninteractive.bg_stroke.color),
        StrokeKind::Inside,
    );
    let stripe =
        egui::Rect::from_min_size(rect.min + vec2(0.0, 1.5), vec2(4.0, rect.height() - 3.0));
    painter.rect_filled(
        stripe,
        egui::CornerRadius {
            nw: 5,
            sw: 5,
            ne: 0,
            se: 0,
        },
        layer_color(ty),
    );
    let text_min = rect.min + pad + vec2(4.0, 0.0);
    let title_h = title.size().y;
    let title_w = title.size().x;
    painter.galley(text_min, title, Color32::PLACEHOLDER);
    if title_w + 8.0 + ctor.size().x + pad.x + 4.0 < rect.width() - pad.x {
        painter.galley(
            text_min + vec2(title_w + 8.0, 2.0),
            ctor,
            Color32::PLACEHOLDER,
        );
    }
    painter.galley(
        text_min + vec2(0.0, title_h + 2.0),
        summary,
        Color32::PLACEHOLDER,
    );
    ui.add_space(2.0);
}
