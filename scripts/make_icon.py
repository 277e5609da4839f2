#!/usr/bin/env python3
"""Draws the LSTM Studio icon (no downloads, no libraries): assets/icon.png (256x256) and
assets/icon.svg. The picture: an LSTM cell — the cell state running along the top (orange),
three gates (blue) feeding it, and a short input sequence underneath.

Run from the repository root: python3 scripts/make_icon.py
"""
import math
import struct
import zlib

SIZE = 256
BG_TOP = (0x26, 0x3f, 0x6e)
BG_BOTTOM = (0x12, 0x1d, 0x36)
ORANGE = (0xf2, 0xa5, 0x41)
BLUE = (0x4c, 0x9b, 0xe8)
LIGHT = (0xe8, 0xee, 0xf8)
BARS = (0x9a, 0xd1, 0xff)

GATES = [(80, 150), (128, 150), (176, 150)]
BAR_XS = [60, 84, 108, 132, 156, 180, 204]
BAR_HS = [14, 26, 20, 34, 24, 30, 16]


def rounded_rect_sd(x, y, x0, y0, x1, y1, r):
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    hx, hy = (x1 - x0) / 2 - r, (y1 - y0) / 2 - r
    dx, dy = abs(x - cx) - hx, abs(y - cy) - hy
    outside = math.hypot(max(dx, 0), max(dy, 0))
    inside = min(max(dx, dy), 0)
    return outside + inside - r


def segment_sd(x, y, ax, ay, bx, by, w):
    px, py, vx, vy = x - ax, y - ay, bx - ax, by - ay
    t = max(0.0, min(1.0, (px * vx + py * vy) / (vx * vx + vy * vy)))
    return math.hypot(px - vx * t, py - vy * t) - w / 2


def shapes():
    """(signed distance function, colour) in painting order."""
    out = []
    out.append((lambda x, y: rounded_rect_sd(x, y, 8, 8, 248, 248, 52), None))  # background (gradient)
    for gx, gy in GATES:
        out.append((lambda x, y, gx=gx: segment_sd(x, y, gx, 132, gx, 84, 7), LIGHT))
    out.append((lambda x, y: segment_sd(x, y, 38, 80, 218, 80, 14), ORANGE))
    out.append((lambda x, y: math.hypot(x - 218, y - 80) - 13, ORANGE))
    for gx, gy in GATES:
        out.append((lambda x, y, gx=gx, gy=gy: math.hypot(x - gx, y - gy) - 22, LIGHT))
        out.append((lambda x, y, gx=gx, gy=gy: math.hypot(x - gx, y - gy) - 17, BLUE))
    for bx, bh in zip(BAR_XS, BAR_HS):
        out.append((lambda x, y, bx=bx, bh=bh: rounded_rect_sd(x, y, bx - 6, 222 - bh, bx + 6, 222, 4), BARS))
    return out


def render():
    rows = []
    layers = shapes()
    for j in range(SIZE):
        row = bytearray()
        y = j + 0.5
        for i in range(SIZE):
            x = i + 0.5
            r = g = b = a = 0.0
            for k, (sd, color) in enumerate(layers):
                cov = max(0.0, min(1.0, 0.5 - sd(x, y)))
                if cov == 0.0:
                    continue
                if color is None:
                    t = j / (SIZE - 1)
                    color = tuple(BG_TOP[c] * (1 - t) + BG_BOTTOM[c] * t for c in range(3))
                r = color[0] * cov + r * (1 - cov)
                g = color[1] * cov + g * (1 - cov)
                b = color[2] * cov + b * (1 - cov)
                a = cov + a * (1 - cov)
            if a > 0:
                # un-premultiply against the (transparent) outside for edge pixels
                bg_cov = max(0.0, min(1.0, 0.5 - layers[0][0](x, y)))
                k = 1.0 / bg_cov if bg_cov > 0 else 1.0
                r, g, b = min(255, r * k), min(255, g * k), min(255, b * k)
            row += bytes((int(r + 0.5), int(g + 0.5), int(b + 0.5), int(a * 255 + 0.5)))
        rows.append(bytes(row))
    return rows


def write_png(path, rows):
    raw = b"".join(b"\x00" + r for r in rows)

    def chunk(kind, data):
        c = struct.pack(">I", len(data)) + kind + data
        return c + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(png)


def hexc(c):
    return "#%02x%02x%02x" % c


def write_svg(path):
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{SIZE}" height="{SIZE}" viewBox="0 0 {SIZE} {SIZE}">',
        '<defs><linearGradient id="bg" x1="0" y1="0" x2="0" y2="1">'
        f'<stop offset="0" stop-color="{hexc(BG_TOP)}"/><stop offset="1" stop-color="{hexc(BG_BOTTOM)}"/></linearGradient></defs>',
        '<rect x="8" y="8" width="240" height="240" rx="52" fill="url(#bg)"/>',
    ]
    for gx, _ in GATES:
        parts.append(f'<line x1="{gx}" y1="132" x2="{gx}" y2="84" stroke="{hexc(LIGHT)}" stroke-width="7" stroke-linecap="round"/>')
    parts.append(f'<line x1="38" y1="80" x2="218" y2="80" stroke="{hexc(ORANGE)}" stroke-width="14" stroke-linecap="round"/>')
    parts.append(f'<circle cx="218" cy="80" r="13" fill="{hexc(ORANGE)}"/>')
    for gx, gy in GATES:
        parts.append(f'<circle cx="{gx}" cy="{gy}" r="22" fill="{hexc(LIGHT)}"/><circle cx="{gx}" cy="{gy}" r="17" fill="{hexc(BLUE)}"/>')
    for bx, bh in zip(BAR_XS, BAR_HS):
        parts.append(f'<rect x="{bx - 6}" y="{222 - bh}" width="12" height="{bh}" rx="4" fill="{hexc(BARS)}"/>')
    parts.append("</svg>\n")
    with open(path, "w") as f:
        f.write("\n".join(parts))


if __name__ == "__main__":
    write_png("assets/icon.png", render())
    write_svg("assets/icon.svg")
    print("wrote assets/icon.png and assets/icon.svg")
