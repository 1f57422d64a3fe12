#!/usr/bin/env node
/**
 * Generates the app icons in build/ with nothing but node:zlib (no image tools needed):
 * icon.png (512x512), tray.png (32x32), trayTemplate.png (32x32, macOS template), overlay.png (16x16).
 * The design matches build/icon.svg: a violet rounded square with a white chat bubble and three dots.
 *   node build/gen-icons.mjs
 */
import { writeFileSync } from 'node:fs'
import { deflateSync } from 'node:zlib'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))

const CRC_TABLE = new Uint32Array(256).map((_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})
function crc32(buf) {
  let c = 0xffffffff
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}
function chunk(type, data) {
  const len = Buffer.alloc(4)
  len.writeUInt32BE(data.length)
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(td))
  return Buffer.concat([len, td, crc])
}
/** RGBA float buffer (0..1) → PNG. */
function encodePng(size, rgba) {
  const raw = Buffer.alloc(size * (size * 4 + 1))
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0
    for (let x = 0; x < size * 4; x++) raw[y * (size * 4 + 1) + 1 + x] = Math.round(Math.min(1, Math.max(0, rgba[y * size * 4 + x])) * 255)
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(size, 0)
  ihdr.writeUInt32BE(size, 4)
  ihdr[8] = 8 // bit depth
  ihdr[9] = 6 // RGBA
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))])
}

// Shapes in a 512-unit design space (same as icon.svg).
function inRoundRect(x, y, x0, y0, x1, y1, r) {
  if (x < x0 || x > x1 || y < y0 || y > y1) return false
  const cx = Math.min(Math.max(x, x0 + r), x1 - r)
  const cy = Math.min(Math.max(y, y0 + r), y1 - r)
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r
}
function inTriangle(px, py, [ax, ay], [bx, by], [cx, cy]) {
  const s = (p1x, p1y, p2x, p2y, p3x, p3y) => (p1x - p3x) * (p2y - p3y) - (p2x - p3x) * (p1y - p3y)
  const d1 = s(px, py, ax, ay, bx, by)
  const d2 = s(px, py, bx, by, cx, cy)
  const d3 = s(px, py, cx, cy, ax, ay)
  return !((d1 < 0 || d2 < 0 || d3 < 0) && (d1 > 0 || d2 > 0 || d3 > 0))
}
const inBubble = (x, y) => inRoundRect(x, y, 112, 128, 400, 336, 64) || inTriangle(x, y, [168, 320], [256, 320], [150, 404])
const dots = [176, 256, 336].map((cx) => [cx, 232, 26])
const inDot = (x, y) => dots.some(([cx, cy, r]) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r)

/** Colour at a design-space point, or null for transparent. */
function appIconColor(x, y, full) {
  if (full && !inRoundRect(x, y, 16, 16, 496, 496, 112)) return null
  const t = (x + y) / 1024
  const bg = [0.357 + (0.486 - 0.357) * t, 0.357 + (0.227 - 0.357) * t, 0.839 + (0.929 - 0.839) * t] // #5B5BD6 → #7C3AED
  if (inBubble(x, y)) return inDot(x, y) ? bg : [1, 1, 1]
  return full ? bg : null
}
function templateColor(x, y) {
  // Black with alpha: the bubble with the dots cut out (macOS tints template images).
  return inBubble(x, y) && !inDot(x, y) ? [0, 0, 0] : null
}
function overlayColor(x, y) {
  return (x - 256) ** 2 + (y - 256) ** 2 <= 224 * 224 ? [0.898, 0.224, 0.208] : null // red badge dot
}

function render(size, colorAt, ss = 4) {
  const out = new Float64Array(size * size * 4)
  const scale = 512 / size
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0
      let g = 0
      let b = 0
      let a = 0
      for (let sy = 0; sy < ss; sy++) {
        for (let sx = 0; sx < ss; sx++) {
          const c = colorAt((px + (sx + 0.5) / ss) * scale, (py + (sy + 0.5) / ss) * scale)
          if (!c) continue
          r += c[0]
          g += c[1]
          b += c[2]
          a += 1
        }
      }
      const i = (py * size + px) * 4
      if (a > 0) {
        out[i] = r / a
        out[i + 1] = g / a
        out[i + 2] = b / a
      }
      out[i + 3] = a / (ss * ss)
    }
  }
  return encodePng(size, out)
}

writeFileSync(join(here, 'icon.png'), render(512, (x, y) => appIconColor(x, y, true), 3))
// Tray: the bubble on the violet square reads well on light and dark panels.
writeFileSync(join(here, 'tray.png'), render(32, (x, y) => appIconColor(x, y, true), 8))
writeFileSync(join(here, 'trayTemplate.png'), render(32, templateColor, 8))
writeFileSync(join(here, 'overlay.png'), render(16, overlayColor, 8))
console.log('icons written to', here)
