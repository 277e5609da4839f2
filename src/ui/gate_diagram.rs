//! A small diagram of one LSTM step showing the activations in use: the gates (σg) and the
//! cell candidate and output (σc), with the cell state running along the top.

use egui::{Color32, FontId, Pos2, Rect, Stroke, StrokeKind, pos2, vec2};

use crate::spec::{GateActivation, StateActivation};

/// Draws the LSTM cell with σc = `state` and σg = `gate`.
pub fn lstm_diagram_ui(ui: &mut egui::Ui, state: StateActivation, gate: GateActivation) {
    let width = ui.available_width().clamp(300.0, 460.0);
    let (rect, response) = ui.allocate_exact_size(vec2(width, 168.0), egui::Sense::hover());
    response.widget_info(|| {
        egui::WidgetInfo::labeled(
            egui::Role::Image,
            true,
            format!(
                "LSTM gate diagram: gates {}, state {}",
                gate.matlab_name(),
                state.matlab_name()
            ),
        )
    });
    let v = ui.visuals();
    let painter = ui.painter_at(rect);
    let line = Stroke::new(1.4, v.text_color());
    let weak = v.weak_text_color();
    let gate_fill =
        Color32::from_rgb(0xe0, 0x7a, 0x1f).gamma_multiply(if v.dark_mode { 0.55 } else { 0.3 });
    let state_fill =
        Color32::from_rgb(0x3d, 0x8e, 0xd8).gamma_multiply(if v.dark_mode { 0.55 } else { 0.3 });
    painter.rect(
        rect,
        6.0,
        v.extreme_bg_color,
        Stroke::new(1.0, v.widgets.noninteractive.bg_stroke.color),
        StrokeKind::Inside,
    );

    let x = |f: f32| rect.left() + f * rect.width();
    let y = |px: f32| rect.top() + px;
    let cell_y = y(24.0);
    let gate_y = y(112.0);
    let input_y = y(150.0);
    let text = |p: Pos2, s: &str, size: f32, color: Color32, align: egui::Align2| {
        painter.text(p, align, s, FontId::proportional(size), color);
    };
    let arrow = |a: Pos2, b: Pos2| {
        painter.line_segment([a, b], line);
        let dir = (b - a).normalized();
        let n = vec2(-dir.y, dir.x);
        painter.add(egui::Shape::convex_polygon(
            vec![b, b - dir * 7.0 + n * 3.5, b - dir * 7.0 - n * 3.5],
            line.color,
            Stroke::NONE,
        ));
    };
    let op = |c: Pos2, s: &str| {
        painter.circle(c, 9.0, v.extreme_bg_color, line);
        painter.text(
            c,
            egui::Align2::CENTER_CENTER,
            s,
            FontId::proportional(13.0),
            line.color,
        );
    };
    let block = |c: Pos2, title: &str, func: &str, fill: Color32| {
        let r = Rect::from_center_size(c, vec2(60.0, 32.0));
        painter.rect(r, 4.0, fill, line, StrokeKind::Inside);
        painter.text(
            r.center_top() + vec2(0.0, 9.0),
            egui::Align2::CENTER_CENTER,
            title,
            FontId::proportional(11.0),
            v.strong_text_color(),
        );
        painter.text(
            r.center_bottom() - vec2(0.0, 9.0),
            egui::Align2::CENTER_CENTER,
            func,
            FontId::monospace(10.5),
            v.text_color(),
        );
        r
    };

    // The cell state along the top: c_{t-1} → ⊙ f → ⊕ (i ⊙ g) → c_t.
    let (fx, ix, gx, ox, hx) = (x(0.16), x(0.33), x(0.50), x(0.67), x(0.87));
    let mul_f = pos2(fx, cell_y);
    let add = pos2((ix + gx) / 2.0, cell_y);
    text(
        pos2(rect.left() + 6.0, cell_y - 12.0),
        "c(t-1)",
        11.0,
        weak,
        egui::Align2::LEFT_CENTER,
    );
    arrow(pos2(rect.left() + 6.0, cell_y), pos2(mul_f.x - 9.0, cell_y));
    arrow(pos2(mul_f.x + 9.0, cell_y), pos2(add.x - 9.0, cell_y));
    arrow(pos2(add.x + 9.0, cell_y), pos2(rect.right() - 6.0, cell_y));
    text(
        pos2(rect.right() - 6.0, cell_y - 12.0),
        "c(t)",
        11.0,
        weak,
        egui::Align2::RIGHT_CENTER,
    );
    op(mul_f, "×");
    op(add, "+");

    // The four gate blocks.
    let (g, s) = ("σg", "σc");
    let f_r = block(pos2(fx, gate_y), "forget", g, gate_fill);
    let i_r = block(pos2(ix, gate_y), "input", g, gate_fill);
    let g_r = block(pos2(gx, gate_y), "cell cand.", s, state_fill);
    let o_r = block(pos2(ox, gate_y), "output", g, gate_fill);

    // f → ⊙ on the cell line; i ⊙ g → ⊕.
    arrow(f_r.center_top(), pos2(fx, cell_y + 9.0));
    let mul_ig = pos2(add.x, y(64.0));
    arrow(pos2(ix, i_r.top()), pos2(mul_ig.x - 7.0, mul_ig.y + 6.0));
    arrow(pos2(gx, g_r.top()), pos2(mul_ig.x + 7.0, mul_ig.y + 6.0));
    op(mul_ig, "×");
    arrow(pos2(mul_ig.x, mul_ig.y - 9.0), pos2(add.x, cell_y + 9.0));

    // Output: c_t → σc → ⊙ o → h_t.
    let out_act = block(pos2(hx, y(60.0)), "state", s, state_fill);
    arrow(pos2(hx, cell_y), out_act.center_top());
    let mul_o = pos2(hx, gate_y);
    arrow(out_act.center_bottom(), pos2(hx, mul_o.y - 9.0));
    arrow(o_r.right_center(), pos2(mul_o.x - 9.0, mul_o.y));
    op(mul_o, "×");
    arrow(pos2(hx + 9.0, mul_o.y), pos2(rect.right() - 6.0, mul_o.y));
    text(
        pos2(rect.right() - 6.0, mul_o.y - 12.0),
        "h(t)",
        11.0,
        weak,
        egui::Align2::RIGHT_CENTER,
    );

    // Inputs along the bottom: x_t and h_{t-1} feed every gate.
    painter.line_segment([pos2(rect.left() + 6.0, input_y), pos2(ox, input_y)], line);
    for gx in [fx, ix, gx, ox] {
        arrow(pos2(gx, input_y), pos2(gx, gate_y + 16.0));
    }
    text(
        pos2(rect.right() - 6.0, input_y + 9.0),
        &format!(
            "σg = {}    σc = {}",
            gate.matlab_name(),
            state.matlab_name()
        ),
        11.5,
        v.strong_text_color(),
        egui::Align2::RIGHT_CENTER,
    );
    text(
        pos2(rect.left() + 6.0, input_y + 9.0),
        "x(t), h(t-1)",
        11.0,
        weak,
        egui::Align2::LEFT_CENTER,
    );
}
