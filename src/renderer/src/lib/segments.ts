/** Pure helpers around message parts for the renderer: media URLs, sizes, composing. The message model itself
 * (parts, previews, plain text, forward nodes) is shared with the core: src/shared/model/parts.ts. */
import type { Segment } from '@shared/mio'
import { str } from '@shared/model/parts'

export { EN_PREVIEW, forwardNodes, htmlToText, mediaSource, messagePlainText, partOf, partsOf, previewMessage, previewSegments, previewTokens, renderPreview, str, stripMarkdown, type Part, type PreviewLabels, type PreviewToken } from '@shared/model/parts'

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

/** Initials for an avatar: first letter of up to two words, or first CJK character. */
const CJK = /[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]/

/**
 * An avatar's letters for a name: a Chinese/Japanese/Korean name's first character (also in a mixed name such
 * as "MioDesk 演示用户": 演, not M演); two words' first letters; one word's first letter. An address
 * ("alice@127.0.0.1:41677") counts by the part before "@", never by the host's digits.
 */
export function initials(name: string): string {
  let n = name.trim()
  if (!n) return '?'
  const at = n.indexOf('@')
  if (at > 0) n = n.slice(0, at)
  const words = n.split(/[\s_\-.]+/).filter(Boolean)
  const cjk = words.find((w) => CJK.test([...w][0]!))
  if (cjk) return [...cjk][0]!
  if (words.length >= 2 && /\p{L}/u.test(words[0]![0]!) && /\p{L}/u.test(words[1]![0]!)) return (words[0]![0]! + words[1]![0]!).toUpperCase()
  return [...n][0]!.toUpperCase()
}

/** A stable hue (0..359) for a name, for avatar colours. */
export function hueOf(key: string): number {
  let h = 0
  for (let i = 0; i < key.length; i++) h = (h * 31 + key.charCodeAt(i)) >>> 0
  return h % 360
}

/** Segments from a composer: optional reply, text, images. */
export function composeSegments(text: string, images: string[], replyTo?: string): Segment[] {
  const segs: Segment[] = []
  if (replyTo) segs.push({ type: 'reply', data: { id: replyTo } })
  if (text.trim()) segs.push({ type: 'text', data: { text } })
  for (const img of images) segs.push({ type: 'image', data: { file: img, image: img } })
  return segs
}

/** `data:image/png;base64,XXX` → `base64://XXX`. */
export function dataUrlToBase64Uri(dataUrl: string): string {
  const i = dataUrl.indexOf(',')
  return `base64://${i >= 0 ? dataUrl.slice(i + 1) : dataUrl}`
}
