/**
 * Pure helpers for the values media segments carry, shared by the renderer (what an <img> or <a> can load)
 * and the core (exports): the server's http base, base64 MIME sniffing, media URLs, sizes in words.
 */
import { str } from './parts'

/** http(s) origin of an account's server (`ws://h:p/api/gateway` → `http://h:p`). */
export function serverHttpBase(server: string | undefined): string {
  if (!server) return ''
  let s = server.trim()
  if (!/^[a-z]+:\/\//i.test(s)) s = `http://${s}`
  try {
    const u = new URL(s)
    const proto = u.protocol === 'wss:' ? 'https:' : u.protocol === 'ws:' ? 'http:' : u.protocol
    return `${proto}//${u.host}`
  } catch {
    return ''
  }
}

const MAGIC: Array<[string, string]> = [
  ['iVBORw0KGgo', 'image/png'],
  ['/9j/', 'image/jpeg'],
  ['R0lGOD', 'image/gif'],
  ['PHN2Zy', 'image/svg+xml'],
  ['PD94bWwg', 'image/svg+xml'],
  ['SUQz', 'audio/mpeg'],
  ['//s', 'audio/mpeg'],
  ['//u', 'audio/mpeg'],
  ['T2dnUw', 'audio/ogg'],
  ['AAAAIGZ0eXA', 'video/mp4'],
  ['AAAAGGZ0eXA', 'video/mp4'],
  ['AAAAHGZ0eXA', 'video/mp4'],
  ['GkXfo', 'video/webm'],
  ['JVBERi0', 'application/pdf']
]

/** Guesses a MIME type from base64 data. */
export function sniffBase64Mime(b64: string, fallback = 'application/octet-stream'): string {
  for (const [p, m] of MAGIC) if (b64.startsWith(p)) return m
  if (b64.startsWith('UklGR')) {
    // RIFF….WEBP / RIFF….WAVE: bytes 8..11 are chars 10.. in base64 (approximately)
    const tag = b64.slice(10, 16)
    if (tag.startsWith('dFQlA') || tag.includes('XRUJQ') || b64.slice(8, 16).includes('V0VCU')) return 'image/webp'
    return 'audio/wav'
  }
  return fallback
}

/**
 * Turns a segment's file/url value into something an <img>/<audio>/<video>/<a> can load,
 * or '' when it cannot be shown (unknown scheme, local path).
 */
export function resolveMediaUrl(value: unknown, serverBase: string, fallbackMime = 'application/octet-stream'): string {
  const v = str(value).trim()
  if (!v) return ''
  if (v.startsWith('base64://')) {
    const b64 = v.slice(9)
    return `data:${sniffBase64Mime(b64, fallbackMime)};base64,${b64}`
  }
  if (/^data:/i.test(v) || /^blob:/i.test(v)) return v
  if (/^https?:\/\//i.test(v)) return v
  if (v.startsWith('//')) return `${serverBase.split(':')[0] || 'http'}:${v}`
  if (v.startsWith('/') && serverBase) return serverBase + v
  return ''
}

export function formatBytes(n: unknown): string {
  const v = typeof n === 'number' ? n : Number(n)
  if (!Number.isFinite(v) || v < 0) return ''
  if (v < 1024) return `${v} B`
  const units = ['KB', 'MB', 'GB', 'TB']
  let x = v / 1024
  let i = 0
  while (x >= 1024 && i < units.length - 1) {
    x /= 1024
    i++
  }
  return `${x < 10 ? x.toFixed(1) : Math.round(x)} ${units[i]}`
}

/** Size of the decoded data of a `base64://` value. */
export function base64Size(v: string): number {
  const b64 = v.replace(/^base64:\/\//, '').replace(/^data:[^,]*,/, '')
  const pad = b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0
  return Math.floor((b64.length * 3) / 4) - pad
}
