// The extension's icon, drawn here rather than checked in as a binary: a rounded blue tile with a
// white person and a green check badge ("this identity was provisioned"), antialiased by 4×4
// supersampling, encoded as an RGBA PNG with node:zlib.
import { crc32, deflateSync } from 'node:zlib';

type Rgba = readonly [number, number, number, number];

const TILE: Rgba = [31, 78, 121, 255];
const PERSON: Rgba = [255, 255, 255, 255];
const BADGE: Rgba = [46, 160, 67, 255];
const TICK: Rgba = [255, 255, 255, 255];

/** Signed distance to a rounded box centred at (cx, cy) with half-sizes (hx, hy) and corner radius r. */
function roundedBox(x: number, y: number, cx: number, cy: number, hx: number, hy: number, r: number): number {
  const qx = Math.abs(x - cx) - hx + r;
  const qy = Math.abs(y - cy) - hy + r;
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
}
const circle = (x: number, y: number, cx: number, cy: number, r: number) => Math.hypot(x - cx, y - cy) - r;
/** Distance to the segment (ax, ay)–(bx, by), minus half a stroke width. */
function segment(x: number, y: number, ax: number, ay: number, bx: number, by: number, half: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(x - ax - t * dx, y - ay - t * dy) - half;
}

/** The colour at a point of the unit square (0..1), or undefined for transparent. */
function paint(x: number, y: number): Rgba | undefined {
  const tick = Math.min(segment(x, y, 0.66, 0.74, 0.72, 0.8, 0.022), segment(x, y, 0.72, 0.8, 0.84, 0.66, 0.022));
  if (tick <= 0) return TICK;
  if (circle(x, y, 0.75, 0.73, 0.17) <= 0) return BADGE;
  if (circle(x, y, 0.75, 0.73, 0.2) <= 0) return TILE; // a ring of tile colour sets the badge off the person
  const head = circle(x, y, 0.44, 0.36, 0.14);
  const shoulders = Math.max(roundedBox(x, y, 0.44, 0.78, 0.26, 0.22, 0.2), y - 0.84);
  if (Math.min(head, shoulders) <= 0) return PERSON;
  if (roundedBox(x, y, 0.5, 0.5, 0.46, 0.46, 0.14) <= 0) return TILE;
  return undefined;
}

/** RGBA pixels of the icon at size × size. */
export function drawIcon(size: number): Uint8Array {
  const pixels = new Uint8Array(size * size * 4);
  const samples = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0,
        g = 0,
        b = 0,
        a = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const color = paint((px + (sx + 0.5) / samples) / size, (py + (sy + 0.5) / samples) / size);
          if (!color) continue;
          r += color[0] * color[3];
          g += color[1] * color[3];
          b += color[2] * color[3];
          a += color[3];
        }
      }
      const i = (py * size + px) * 4;
      if (a > 0) {
        pixels[i] = Math.round(r / a);
        pixels[i + 1] = Math.round(g / a);
        pixels[i + 2] = Math.round(b / a);
        pixels[i + 3] = Math.round(a / (samples * samples));
      }
    }
  }
  return pixels;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** Encodes RGBA pixels as a PNG (8 bits per channel, no interlace, filter 0 on every row). */
export function encodePng(width: number, height: number, rgba: Uint8Array): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 6, 0, 0, 0], 8); // bit depth 8, colour type 6 (RGBA), deflate, filter method 0, no interlace
  const rows = Buffer.alloc(height * (1 + width * 4));
  for (let y = 0; y < height; y++) rows.set(rgba.subarray(y * width * 4, (y + 1) * width * 4), y * (1 + width * 4) + 1);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

export function iconPng(size = 128): Buffer {
  return encodePng(size, size, drawIcon(size));
}
