/** Pure helpers around onebot segments: previews, media URLs, forward nodes. */
import type { ChatMessage, ForwardNode, Segment } from '@shared/mio'

export function str(v: unknown): string {
  if (typeof v === 'string') return v
  if (typeof v === 'number' || typeof v === 'bigint') return String(v)
  return ''
}

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

/** The best source field of a media segment. */
export function mediaSource(seg: Segment): unknown {
  const d = seg.data ?? {}
  return d.url || d.file || d.image || d.src || d.path
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

function isSegment(v: unknown): v is Segment {
  return !!v && typeof v === 'object' && typeof (v as Segment).type === 'string'
}

function toSegments(v: unknown): Segment[] {
  if (Array.isArray(v)) return v.filter(isSegment).map((s) => ({ type: s.type, data: s.data && typeof s.data === 'object' ? s.data : {} }))
  if (typeof v === 'string') return [{ type: 'text', data: { text: v } }]
  if (isSegment(v)) return [v]
  return []
}

/** The forwarded messages of a `nodes` or `forward` segment, whatever shape the server used. */
export function forwardNodes(seg: Segment): ForwardNode[] {
  const d = seg.data ?? {}
  const list = (d.messages ?? d.content ?? d.nodes ?? d.message) as unknown
  if (!Array.isArray(list)) return []
  return list.map((item): ForwardNode => {
    if (Array.isArray(item)) return { segments: toSegments(item) }
    if (isSegment(item) && item.type === 'node') {
      const nd = item.data ?? {}
      return { senderName: str(nd.name ?? nd.nickname) || undefined, messageId: (nd.id as string | number | undefined) ?? undefined, segments: toSegments(nd.content ?? nd.message) }
    }
    if (item && typeof item === 'object') {
      const o = item as Record<string, unknown>
      return {
        senderName: str(o.senderName ?? o.name ?? o.nickname) || undefined,
        messageId: (o.message_id ?? o.messageId) as string | number | undefined,
        segments: toSegments(o.segments ?? o.message ?? o.content)
      }
    }
    return { segments: [] }
  })
}

export interface PreviewLabels {
  image: string
  file: string
  face: string
  record: string
  video: string
  forward: string
  recalled: string
  unknown: (type: string) => string
}

export const EN_PREVIEW: PreviewLabels = {
  image: '[Image]',
  file: '[File]',
  face: '[Sticker]',
  record: '[Voice]',
  video: '[Video]',
  forward: '[Forwarded messages]',
  recalled: 'Message recalled',
  unknown: (t) => `[${t}]`
}

/** One-line preview text of segments (for the conversation list, reply quotes, the switcher). */
export function previewSegments(segs: Segment[], labels: PreviewLabels = EN_PREVIEW): string {
  const parts: string[] = []
  for (const s of segs) {
    const d = s.data ?? {}
    switch (s.type) {
      case 'text':
        parts.push(str(d.text))
        break
      case 'at':
        parts.push(`@${str(d.name) || str(d.qq) || str(d.id)} `)
        break
      case 'reply':
        break
      case 'markdown':
        parts.push(str(d.text))
        break
      case 'html':
        parts.push(htmlToText(str(d.html)))
        break
      case 'buttons':
        break
      case 'image':
        parts.push(labels.image)
        break
      case 'file':
        parts.push(`${labels.file} ${str(d.name)}`.trim())
        break
      case 'face':
        parts.push(labels.face)
        break
      case 'record':
        parts.push(labels.record)
        break
      case 'video':
        parts.push(labels.video)
        break
      case 'forward':
      case 'nodes':
        parts.push(labels.forward)
        break
      default:
        parts.push(labels.unknown(s.type))
    }
  }
  return parts.join('').replace(/\s+/g, ' ').trim()
}

export function previewMessage(m: ChatMessage, labels: PreviewLabels = EN_PREVIEW): string {
  if (m.status === 'recalled') return labels.recalled
  if (m.ai) return stripMarkdown(m.ai.text.slice(0, 400)).slice(0, 200)
  return stripMarkdown(previewSegments(m.segments, labels).slice(0, 400)).slice(0, 200)
}

/** Plain text of a message for copying. */
export function messagePlainText(m: ChatMessage): string {
  if (m.ai) return m.ai.text
  return m.segments
    .map((s) => {
      const d = s.data ?? {}
      if (s.type === 'text') return str(d.text)
      if (s.type === 'at') return `@${str(d.name) || str(d.qq)} `
      if (s.type === 'reply' || s.type === 'buttons') return ''
      if (s.type === 'markdown') return str(d.text)
      if (s.type === 'html') return htmlToText(str(d.html))
      return previewSegments([s])
    })
    .join('')
}

/** Visible text of an HTML fragment, without parsing it into a live document (no scripts run, nothing loads). */
export function htmlToText(html: string): string {
  return html
    .replace(/<(script|style)[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<br\s*\/?>|<\/(p|div|li|h[1-6])>/gi, ' ')
    .replace(/<[^>]*>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim()
}

/** Initials for an avatar: first letter of up to two words, or first CJK character. */
export function initials(name: string): string {
  const n = name.trim()
  if (!n) return '?'
  const first = [...n][0]!
  if (/[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]/.test(first)) return first
  const words = n.split(/[\s_\-.]+/).filter(Boolean)
  if (words.length >= 2) return (words[0]![0]! + words[1]![0]!).toUpperCase()
  return n.slice(0, 2).replace(/^./, (c) => c.toUpperCase())
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

/**
 * Rough Markdown-to-text for one-line previews: fences, inline code, images and links (→ their text),
 * emphasis, headings, quotes, list markers, rules, table rules and pipes, math delimiters, escapes. Also
 * tolerates text cut mid-way (a preview truncated elsewhere): a lone `*another l…` or `[a link](https://ex…`.
 */
export function stripMarkdown(s: string): string {
  return s
    .replace(/(```|~~~)[\w+#.-]*/g, ' ')
    .replace(/`([^`]*)`/g, '$1')
    .replace(/!\[([^\]]*)\]\([^)]*\)?/g, '$1')
    .replace(/\[([^\]]*)\]\([^)\s]*(?:\s+"[^"]*")?\)?/g, '$1')
    .replace(/\[([^\]]+)\]\[[^\]]*\]/g, '$1')
    .replace(/<((?:https?|mailto):[^>\s]+)>/gi, '$1')
    .replace(/^\s{0,3}([-*_])(?:\s*\1){2,}\s*$/gm, ' ')
    .replace(/^\s*\|?(?:\s*:?-+:?\s*\|)+\s*(?::?-+:?)?\s*$/gm, ' ')
    .replace(/^\s*\|(.*?)\|?\s*$/gm, (_m, row: string) => row.replace(/\s*\|\s*/g, ' '))
    .replace(/(\*\*|__|~~)(.+?)\1/g, '$2')
    .replace(/(^|[^\w*\\])\*(?![\s*])([^*\n]*?[^\s*\\])\*(?![\w*])/g, '$1$2')
    .replace(/(^|[^\w\\])_(?![\s_])([^_\n]*?[^\s_\\])_(?!\w)/g, '$1$2')
    .replace(/^\s{0,3}(#{1,6}|>|[-*+]|\d+[.)])\s+/gm, '')
    .replace(/^\s{0,3}>\s*/gm, '')
    .replace(/(^|\s)(?:\*{1,3}|_{1,3}|~~)(?=[^\s*_~])/g, '$1')
    .replace(/([^\s*_~\\])(?:\*{1,3}|_{1,3}|~~)(?=[\s.,;:!?…)]|$)/g, '$1')
    .replace(/\$\$?/g, '')
    .replace(/\\([\\`*_{}[\]()#+\-.!|~>$])/g, '$1')
    .replace(/\s+/g, ' ')
    .trim()
}
