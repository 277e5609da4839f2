//! The layer stack: one card per layer, in order, with its name, type, MATLAB description,
//! the activation size after it and its learnables; invalid layers are marked with their
//! messages. Cards are dragged to reorder (library entries are dropped in the same way, a
//! marker shows where), clicked to select, duplicated and deleted. Network errors and
//! warnings and the learnables total are listed under the stack.

use egui::{Color32, FontId, Galley, Rect, Sense, Stroke, StrokeKind, pos2, vec2};
use std::sync::Arc;

use crate::spec::{LayerSpec, NetworkAnalysis};
use crate::ui::library::layer_color;
use crate::ui::network::{DragPayload, NetworkAction, thousands};

/// The colour of error text.
pub fn error_color(ui: &egui::Ui) -> Color32 {
    ui.visuals().error_fg_color
}

/// The colour of warning text.
pub fn warning_color(ui: &egui::Ui) -> Color32 {
    ui.visuals().warn_fg_color
}

/// Draws the stack and the network summary.
pub fn stack_ui(
    ui: &mut egui::Ui,
    layers: &[LayerSpec],
    analysis: &NetworkAnalysis,
    selected: Option<usize>,
    actions: &mut Vec<NetworkAction>,
) {
    header_ui(ui, analysis);
    let problems = analysis.errors.len() + analysis.warnings.len();
    if problems > 0 {
        egui::Panel::bottom("network-problems")
            .resizable(true)
            .default_size(90.0)
            .size_range(40.0..=260.0)
            .show(ui, |ui| problems_ui(ui, analysis));
    }
    let scroll = egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            ui.add_space(6.0);
            let mut rects = Vec::with_capacity(layers.len());
            for (i, layer) in layers.iter().enumerate() {
                if i > 0 {
                    connector_ui(ui);
                }
                rects.push(card_ui(
                    ui,
                    i,
                    layer,
                    analysis,
                    selected == Some(i),
                    actions,
                ));
            }
            if layers.is_empty() {
                ui.add_space(30.0);
                ui.vertical_centered(|ui| {
                    ui.label(egui::RichText::new("The network is empty").heading().weak());
                    ui.label(
                        egui::RichText::new(
                            "Drag layers here from the library, or import MATLAB code (File menu)",
                        )
                        .weak(),
                    );
                });
            }
            rects
        });
    let zone = scroll.inner_rect;
    drop_ui(ui, zone, &scroll.inner, layers.len(), actions);
}

fn header_ui(ui: &mut egui::Ui, analysis: &NetworkAnalysis) {
    ui.add_space(4.0);
    ui.horizontal(|ui| {
        ui.heading("Layers");
        ui.add_space(8.0);
        let n = analysis.layers.len();
        ui.label(format!("{n} layer{}", if n == 1 { "" } else { "s" }));
        ui.separator();
        ui.label(format!(
            "Total learnables: {}",
            thousands(analysis.total_learnables())
        ));
        ui.separator();
        if analysis.is_valid() {
            let task = analysis.task.map(|t| t.describe()).unwrap_or("valid");
            status_dot(ui, Color32::from_rgb(0x3c, 0xa0, 0x5a));
            ui.colored_label(
                Color32::from_rgb(0x3c, 0xa0, 0x5a),
                format!("Valid: {task}"),
            );
        } else {
            let e = analysis.errors.len();
            status_dot(ui, error_color(ui));
            ui.colored_label(
                error_color(ui),
                format!("{e} error{}", if e == 1 { "" } else { "s" }),
            );
        }
        if !analysis.warnings.is_empty() {
            let w = analysis.warnings.len();
            status_dot(ui, warning_color(ui));
            ui.colored_label(
                warning_color(ui),
                format!("{w} warning{}", if w == 1 { "" } else { "s" }),
            );
        }
    });
    ui.separator();
}

fn problems_ui(ui: &mut egui::Ui, analysis: &NetworkAnalysis) {
    egui::ScrollArea::vertical()
        .auto_shrink([false, true])
        .show(ui, |ui| {
            ui.add_space(4.0);
            for e in &analysis.errors {
                ui.colored_label(error_color(ui), format!("Error: {e}"));
            }
            for w in &analysis.warnings {
                ui.colored_label(warning_color(ui), format!("Warning: {w}"));
            }
        });
}

/// The arrow between two cards.
fn connector_ui(ui: &mut egui::Ui) {
    let (rect, _) = ui.allocate_exact_size(vec2(ui.available_width(), 14.0), Sense::hover());
    let x = rect.left() + 40.0;
    let color = ui.visuals().weak_text_color();
    ui.painter().line_segment(
        [pos2(x, rect.top()), pos2(x, rect.bottom() - 1.0)],
        Stroke::new(1.5, color),
    );
    ui.painter().add(egui::Shape::convex_polygon(
        vec![
            pos2(x - 4.0, rect.bottom() - 5.0),
            pos2(x + 4.0, rect.bottom() - 5.0),
            pos2(x, rect.bottom()),
        ],
        color,
        Stroke::NONE,
    ));
}

struct CardText {
    title: Arc<Galley>,
    kind: Arc<Galley>,
    description: Arc<Galley>,
    learnables: Option<Arc<Galley>>,
    size_caption: Arc<Galley>,
    size: Arc<Galley>,
    errors: Vec<Arc<Galley>>,
}

fn card_ui(
    ui: &mut egui::Ui,
    i: usize,
    layer: &LayerSpec,
    analysis: &NetworkAnalysis,
    selected: bool,
    actions: &mut Vec<NetworkAction>,
) -> Rect {
    let width = ui.available_width().max(260.0);
    let la = analysis.layers.get(i);
    let name = la.map(|l| l.name.clone()).unwrap_or_default();
    let auto = layer.name.is_empty();
    let visuals = ui.visuals().clone();
    let pad = vec2(14.0, 8.0);
    let right_w = 120.0;
    let text_w = (width - right_w - 2.0 * pad.x - 70.0).max(80.0);
    let painter = ui.painter().clone();
    let size_text = la
        .and_then(|l| l.activation)
        .map(|a| a.display())
        .unwrap_or_else(|| "?".into());
    let count = la.map(|l| l.learnable_count()).unwrap_or(0);
    let text = CardText {
        title: painter.layout_no_wrap(
            format!("{}  {name}", i + 1),
            FontId::proportional(15.0),
            visuals.strong_text_color(),
        ),
        kind: painter.layout_no_wrap(
            format!(
                "{}{}",
                layer.layer_type().display_name(),
                if auto { "  (automatic name)" } else { "" }
            ),
            FontId::proportional(12.0),
            visuals.weak_text_color(),
        ),
        description: painter.layout(
            layer.description(),
            FontId::proportional(13.0),
            visuals.text_color(),
            text_w + 60.0,
        ),
        learnables: (count > 0).then(|| {
            let shapes: Vec<String> = la
                .map(|l| {
                    l.learnables
                        .iter()
                        .map(|p| format!("{} {}", p.name, p.shape_text()))
                        .collect()
                })
                .unwrap_or_default();
            painter.layout(
                format!("{} learnables: {}", thousands(count), shapes.join(", ")),
                FontId::proportional(11.0),
                visuals.weak_text_color(),
                text_w + 60.0,
            )
        }),
        size_caption: painter.layout_no_wrap(
            "Activations".into(),
            FontId::proportional(10.5),
            visuals.weak_text_color(),
        ),
        size: painter.layout_no_wrap(
            size_text.clone(),
            FontId::monospace(16.0),
            visuals.strong_text_color(),
        ),
        errors: la
            .map(|l| {
                l.errors
                    .iter()
                    .map(|e| {
                        painter.layout(
                            e.clone(),
                            FontId::proportional(12.0),
                            visuals.error_fg_color,
                            width - 2.0 * pad.x - 10.0,
                        )
                    })
                    .collect()
            })
            .unwrap_or_default(),
    };
    let mut height = pad.y * 2.0 + text.title.size().y + 2.0 + text.description.size().y;
    if let Some(l) = &text.learnables {
        height += 2.0 + l.size().y;
    }
    for e in &text.errors {
        height += 3.0 + e.size().y;
    }
    height = height.max(64.0);

    let (rect, response) = ui.allocate_exact_size(vec2(width, height), Sense::click_and_drag());
    let label = format!(
        "Layer {}: {name}, {}, {}, activations {size_text}",
        i + 1,
        layer.layer_type().display_name(),
        layer.description()
    );
    response
        .widget_info(|| egui::WidgetInfo::selected(egui::Role::ListItem, true, selected, &label));
    if response.drag_started() {
        egui::DragAndDrop::set_payload(ui.ctx(), DragPayload::Layer(i));
    }
    if response.clicked() || response.drag_started() {
        actions.push(NetworkAction::Select(Some(i)));
    }
    let being_dragged = response.dragged();
    response.context_menu(|ui| {
        if ui.button("Duplicate").clicked() {
            actions.push(NetworkAction::DuplicateLayer(i));
        }
        if ui.button("Delete").clicked() {
            actions.push(NetworkAction::DeleteLayer(i));
        }
        ui.separator();
        if ui
            .add_enabled(i > 0, egui::Button::new("Move up"))
            .clicked()
        {
            actions.push(NetworkAction::MoveLayer { from: i, to: i - 1 });
        }
        if ui.button("Move down").clicked() {
            actions.push(NetworkAction::MoveLayer { from: i, to: i + 1 });
        }
    });

    let invalid = !text.errors.is_empty();
    let fill = if selected {
        visuals.selection.bg_fill.gamma_multiply(0.25)
    } else if response.hovered() {
        visuals.widgets.hovered.weak_bg_fill
    } else {
        visuals.faint_bg_color
    };
    let stroke = if invalid {
        Stroke::new(1.5, visuals.error_fg_color)
    } else if selected {
        Stroke::new(2.0, visuals.selection.stroke.color)
    } else {
        visuals.widgets.noninteractive.bg_stroke
    };
    let alpha = if being_dragged { 0.45 } else { 1.0 };
    painter.rect(
        rect,
        6.0,
        fill.gamma_multiply(alpha),
        stroke,
        StrokeKind::Inside,
    );
    let stripe = Rect::from_min_size(rect.min, vec2(5.0, rect.height()));
    painter.rect_filled(
        stripe,
        egui::CornerRadius {
            nw: 6,
            sw: 6,
            ne: 0,
            se: 0,
        },
        layer_color(layer.layer_type()).gamma_multiply(alpha),
    );

    let mut y = rect.top() + pad.y;
    let x = rect.left() + pad.x;
    let title_w = text.title.size().x;
    let title_h = text.title.size().y;
    painter.galley(pos2(x, y), text.title, Color32::PLACEHOLDER);
    painter.galley(
        pos2(x + title_w + 10.0, y + 3.0),
        text.kind,
        Color32::PLACEHOLDER,
    );
    y += title_h + 2.0;
    let desc_h = text.description.size().y;
    painter.galley(pos2(x, y), text.description, Color32::PLACEHOLDER);
    y += desc_h;
    if let Some(l) = text.learnables {
        y += 2.0;
        let h = l.size().y;
        painter.galley(pos2(x, y), l, Color32::PLACEHOLDER);
        y += h;
    }
    for e in text.errors {
        y += 3.0;
        let h = e.size().y;
        painter.galley(pos2(x, y), e, Color32::PLACEHOLDER);
        y += h;
    }

    // Activation size, right-aligned, left of the buttons.
    let buttons_w = 64.0;
    let size_right = rect.right() - pad.x - buttons_w;
    let cap_w = text.size_caption.size().x;
    let size_w = text.size.size().x;
    painter.galley(
        pos2(size_right - cap_w, rect.top() + pad.y + 2.0),
        text.size_caption,
        Color32::PLACEHOLDER,
    );
    painter.galley(
        pos2(size_right - size_w, rect.top() + pad.y + 16.0),
        text.size,
        Color32::PLACEHOLDER,
    );

    // Duplicate and delete buttons.
    let b = vec2(26.0, 22.0);
    let top = rect.top() + pad.y;
    let dup_rect = Rect::from_min_size(pos2(rect.right() - pad.x - 2.0 * b.x - 4.0, top), b);
    let del_rect = Rect::from_min_size(pos2(rect.right() - pad.x - b.x, top), b);
    if icon_button(ui, dup_rect, Icon::Duplicate, &format!("Duplicate {name}"))
        .on_hover_text("Duplicate (Ctrl+D)")
        .clicked()
    {
        actions.push(NetworkAction::DuplicateLayer(i));
    }
    if icon_button(ui, del_rect, Icon::Delete, &format!("Delete {name}"))
        .on_hover_text("Delete (Del)")
        .clicked()
    {
        actions.push(NetworkAction::DeleteLayer(i));
    }
    rect
}

/// While a layer (new or existing) is dragged over the stack: a marker at the gap it would go
/// to, and on release the insert or move.
fn drop_ui(
    ui: &mut egui::Ui,
    zone: Rect,
    cards: &[Rect],
    num_layers: usize,
    actions: &mut Vec<NetworkAction>,
) {
    let Some(payload) = egui::DragAndDrop::payload::<DragPayload>(ui.ctx()) else {
        return;
    };
    let Some(pointer) = ui.ctx().pointer_interact_pos() else {
        return;
    };
    if !zone.contains(pointer) {
        return;
    }
    let at = cards.iter().filter(|r| r.center().y < pointer.y).count();
    // The marker's y: between the cards around the gap.
    let y = match (at.checked_sub(1).and_then(|j| cards.get(j)), cards.get(at)) {
        (Some(above), Some(below)) => (above.bottom() + below.top()) / 2.0,
        (Some(above), None) => above.bottom() + 7.0,
        (None, Some(below)) => below.top() - 4.0,
        (None, None) => zone.top() + 12.0,
    };
    let useless_move = matches!(*payload, DragPayload::Layer(from) if at == from || at == from + 1);
    if !useless_move {
        let color = ui.visuals().selection.stroke.color;
        let painter = ui.ctx().layer_painter(egui::LayerId::new(
            egui::Order::Foreground,
            egui::Id::unique("stack-drop-marker"),
        ));
        let (l, r) = (zone.left() + 4.0, zone.right() - 16.0);
        painter.line_segment([pos2(l, y), pos2(r, y)], Stroke::new(3.0, color));
        painter.circle_filled(pos2(l, y), 5.0, color);
        painter.circle_filled(pos2(r, y), 5.0, color);
    }
    if ui.input(|i| i.pointer.any_released()) {
        egui::DragAndDrop::clear_payload(ui.ctx());
        match *payload {
            DragPayload::NewLayer(ty) => actions.push(NetworkAction::InsertLayer {
                ty,
                at: at.min(num_layers),
            }),
            DragPayload::Layer(from) if !useless_move => {
                let to = if at > from { at - 1 } else { at };
                actions.push(NetworkAction::MoveLayer { from, to });
            }
            DragPayload::Layer(_) => {}
        }
    }
}

/// A small filled circle, as a status light before a label.
pub fn status_dot(ui: &mut egui::Ui, color: Color32) {
    let (rect, _) = ui.allocate_exact_size(vec2(10.0, 10.0), Sense::hover());
    ui.painter().circle_filled(rect.center(), 4.0, color);
}

/// The icons of the card buttons (painted: the default fonts have no such symbols).
#[derive(Clone, Copy)]
enum Icon {
    Duplicate,
    Delete,
}

/// A small painted icon button named `name` for accessibility.
fn icon_button(ui: &mut egui::Ui, rect: Rect, icon: Icon, name: &str) -> egui::Response {
    let response = ui.interact(
        rect,
        ui.make_persistent_id(("icon-button", name)),
        Sense::click(),
    );
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, name));
    let v = ui.style().interact(&response);
    let painter = ui.painter();
    if response.hovered() {
        painter.rect(rect, 4.0, v.weak_bg_fill, v.bg_stroke, StrokeKind::Inside);
    }
    let c = rect.center();
    let stroke = Stroke::new(1.4, v.fg_stroke.color);
    match icon {
        Icon::Duplicate => {
            let back = Rect::from_center_size(c + vec2(-2.5, -2.5), vec2(9.0, 9.0));
            let front = Rect::from_center_size(c + vec2(2.5, 2.5), vec2(9.0, 9.0));
            painter.rect_stroke(back, 1.5, stroke, StrokeKind::Middle);
            painter.rect(
                front,
                1.5,
                ui.visuals().faint_bg_color,
                stroke,
                StrokeKind::Middle,
            );
        }
        Icon::Delete => {
            // A bin: lid, handle and body with two ribs.
            painter.line_segment([c + vec2(-6.0, -4.0), c + vec2(6.0, -4.0)], stroke);
            painter.line_segment([c + vec2(-2.0, -6.0), c + vec2(2.0, -6.0)], stroke);
            let body = [
                c + vec2(-4.5, -4.0),
                c + vec2(-3.5, 6.0),
                c + vec2(3.5, 6.0),
                c + vec2(4.5, -4.0),
            ];
            painter.add(egui::Shape::line(body.to_vec(), stroke));
            painter.line_segment([c + vec2(-1.2, -1.5), c + vec2(-1.0, 3.5)], stroke);
            painter.line_segment([c + vec2(1.2, -1.5), c + vec2(1.0, 3.5)], stroke);
        }
    }
    response
}
