//! The Network area: the layer library (left), the layer stack (centre) and the property
//! inspector (right). The panels draw the document and return [`NetworkAction`]s; the area
//! applies them in one place ([`NetworkArea::apply`]), each as one undoable edit. Drag and
//! drop, double-clicks, buttons, keys and the UI tests all go through that same path.

use crate::app::Studio;
use crate::spec::{LayerSpec, LayerType, NetworkAnalysis, analyze};
use crate::ui::{inspector, layer_stack, library};

/// What the user asked of the network.
#[derive(Clone, Debug, PartialEq)]
pub enum NetworkAction {
    /// Insert a new layer of type `ty`, with MATLAB's defaults, so that it becomes layer `at`
    /// (0 = first; the number of layers = append).
    InsertLayer { ty: LayerType, at: usize },
    /// Move layer `from` so that it becomes layer `to` (both counted in the array as it is).
    MoveLayer { from: usize, to: usize },
    /// Select a layer (or nothing).
    Select(Option<usize>),
    /// Delete a layer.
    DeleteLayer(usize),
    /// Insert a copy of a layer right after it.
    DuplicateLayer(usize),
    /// Replace layer `index` with an edited copy (from the inspector). Edits with the same
    /// `merge_key` in a row (typing into one field) form one undo step.
    EditLayer {
        index: usize,
        layer: Box<LayerSpec>,
        merge_key: Option<String>,
    },
}

/// What is being dragged in the Network area.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DragPayload {
    /// A layer type from the library.
    NewLayer(LayerType),
    /// A layer of the stack, by index.
    Layer(usize),
}

/// The Network area's state.
#[derive(Default)]
pub struct NetworkArea {
    /// The selected layer.
    pub selected: Option<usize>,
    /// The inspector's text buffers and open sections.
    pub inspector: inspector::InspectorState,
    /// Panel layout generation (View ▸ Reset layout), set by the app.
    pub layout_generation: u32,
}

impl NetworkArea {
    /// Draws the area and applies what the user did.
    pub fn ui(&mut self, ui: &mut egui::Ui, studio: &mut Studio) {
        let layers = studio.document.project.layers.clone();
        let analysis = analyze(&layers);
        if self.selected.is_some_and(|i| i >= layers.len()) {
            self.selected = None;
        }
        self.inspector.sync(studio.document.revision);
        let mut actions = Vec::new();
        let generation = self.layout_generation;
        let gen_id = |name: &'static str| (name, generation);

        egui::Panel::left(gen_id("network-library"))
            .resizable(true)
            .default_size(240.0)
            .size_range(180.0..=420.0)
            .show(ui, |ui| library::library_ui(ui, layers.len(), &mut actions));
        egui::Panel::right(gen_id("network-inspector"))
            .resizable(true)
            .default_size(420.0)
            .size_range(300.0..=720.0)
            .show(ui, |ui| {
                inspector::inspector_ui(
                    ui,
                    &mut self.inspector,
                    &layers,
                    &analysis,
                    self.selected,
                    studio.model.as_ref(),
                    &mut actions,
                )
            });
        egui::CentralPanel::default().show(ui, |ui| {
            layer_stack::stack_ui(ui, &layers, &analysis, self.selected, &mut actions);
        });
        drag_preview_ui(ui, &analysis);

        if !ui.ctx().egui_wants_keyboard_input()
            && let Some(i) = self.selected
        {
            if ui.input_mut(|inp| inp.consume_key(egui::Modifiers::NONE, egui::Key::Delete)) {
                actions.push(NetworkAction::DeleteLayer(i));
            }
            if ui.input_mut(|inp| inp.consume_key(egui::Modifiers::COMMAND, egui::Key::D)) {
                actions.push(NetworkAction::DuplicateLayer(i));
            }
            if ui.input_mut(|inp| inp.consume_key(egui::Modifiers::NONE, egui::Key::ArrowUp))
                && i > 0
            {
                actions.push(NetworkAction::Select(Some(i - 1)));
            }
            if ui.input_mut(|inp| inp.consume_key(egui::Modifiers::NONE, egui::Key::ArrowDown))
                && i + 1 < layers.len()
            {
                actions.push(NetworkAction::Select(Some(i + 1)));
            }
        }
        for a in actions {
            self.apply(a, studio);
        }
    }

    /// Applies one action to the document (as one undoable edit) and the selection.
    pub fn apply(&mut self, action: NetworkAction, studio: &mut Studio) {
        let doc = &mut studio.document;
        let n = doc.project.layers.len();
        match action {
            NetworkAction::InsertLayer { ty, at } => {
                let at = at.min(n);
                doc.edit(|p| p.layers.insert(at, ty.default_layer()));
                self.selected = Some(at);
            }
            NetworkAction::MoveLayer { from, to } => {
                if from >= n {
                    return;
                }
                let to = to.min(n - 1);
                doc.edit(|p| {
                    let l = p.layers.remove(from);
                    p.layers.insert(to, l);
                });
                self.selected = Some(to);
            }
            NetworkAction::Select(s) => {
                self.selected = s.filter(|&i| i < n);
                doc.end_merge();
            }
            NetworkAction::DeleteLayer(i) => {
                if i >= n {
                    return;
                }
                doc.edit(|p| {
                    p.layers.remove(i);
                });
                self.selected = if n <= 1 { None } else { Some(i.min(n - 2)) };
            }
            NetworkAction::DuplicateLayer(i) => {
                let Some(layer) = doc.project.layers.get(i).cloned() else {
                    return;
                };
                let copy = LayerSpec {
                    name: String::new(),
                    ..layer
                };
                doc.edit(|p| p.layers.insert(i + 1, copy));
                self.selected = Some(i + 1);
            }
            NetworkAction::EditLayer {
                index,
                layer,
                merge_key,
            } => {
                if index >= n {
                    return;
                }
                let f = |p: &mut crate::spec::Project| p.layers[index] = *layer;
                match merge_key {
                    Some(k) => doc.edit_merging(&format!("{index}/{k}"), f),
                    None => doc.edit(f),
                }
            }
        }
        self.inspector.clear_buffers();
    }
}

/// A chip that follows the pointer while a layer is being dragged.
fn drag_preview_ui(ui: &egui::Ui, analysis: &NetworkAnalysis) {
    let Some(payload) = egui::DragAndDrop::payload::<DragPayload>(ui.ctx()) else {
        return;
    };
    let Some(pos) = ui.ctx().pointer_interact_pos() else {
        return;
    };
    let (text, color) = match *payload {
        DragPayload::NewLayer(ty) => (format!("+ {}", ty.display_name()), library::layer_color(ty)),
        DragPayload::Layer(i) => match analysis.layers.get(i) {
            Some(l) => (
                format!("{}  ({})", l.name, l.type_name),
                egui::Color32::GRAY,
            ),
            None => return,
        },
    };
    let painter = ui.ctx().layer_painter(egui::LayerId::new(
        egui::Order::Tooltip,
        egui::Id::unique("network-drag-preview"),
    ));
    let galley = painter.layout_no_wrap(
        text,
        egui::FontId::proportional(13.0),
        ui.visuals().strong_text_color(),
    );
    let rect = egui::Rect::from_min_size(
        pos + egui::vec2(14.0, 6.0),
        galley.size() + egui::vec2(18.0, 10.0),
    );
    painter.rect(
        rect,
        5.0,
        ui.visuals().window_fill,
        egui::Stroke::new(1.5, color),
        egui::StrokeKind::Inside,
    );
    painter.galley(
        rect.min + egui::vec2(9.0, 5.0),
        galley,
        ui.visuals().text_color(),
    );
}

/// `46109` → `46,109`.
pub fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(909), "909");
        assert_eq!(thousands(46109), "46,109");
        assert_eq!(thousands(1234567), "1,234,567");
    }
}
