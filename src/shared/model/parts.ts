/**
 * The one message model of MioDesk: a message's parts read as a discriminated union. Parts are stored and
 * carried as onebot-style segments (`{ type, data }`, Mio-Chat's wire form, which every platform's mapping
 * produces), and read through `partOf`, which names every kind a message can hold and keeps anything
 * unknown intact. Previews and plain text are made here, once, for the core (notifications, quotes) and
 * the renderer (with localised labels).
 *
 * Segment type → part kind: text, markdown, html, image, file, record → audio, video, reply → quote,
 * at → mention, buttons, forward/nodes → forward, face → sticker; anything else → unknown (kept as is).
 */
import type { AppLocale } from '../locale'
import { a2uiPreview } from './a2ui'
import type { ChatMessage, ForwardNode, Segment } from '../mio'

export type Part =
  | { kind: 'text'; text: string }
  | { kind: 'markdown'; text: string }
  | { kind: 'html'; html: string }
  | { kind: 'image'; src: string; width?: number; height?: number }
  | { kind: 'file'; name: string; src: string; size?: number }
  | { kind: 'audio'; src: string; seconds?: number }
  | { kind: 'video'; src: string; seconds?: number }
  | { kind: 'quote'; id: string; text?: string }
  | { kind: 'mention'; id: string; name?: string }
  | { kind: 'buttons'; rows: MessageButton[][] }
  | { kind: 'forward'; nodes: ForwardNode[] }
  | { kind: 'sticker'; id: string }
  | { kind: 'unknown'; type: string; data: Record<string, unknown> }

export type PartKind = Part['kind']

/** What a click on a message button does: open a link, copy a value, or report the click to the bot. */
export type ButtonAction = { kind: 'open'; url: string } | { kind: 'copy'; value: string } | { kind: 'report'; value: string }

export interface MessageButton {
  text: string
  action: ButtonAction
  /** The platform's own action number, kept as sent (Yunhu: 1 link, 2 copy, 3 report). */
  actionType: number
}

/** A button as a `buttons` segment stores it (Yunhu's wire fields). */
export interface WireButton {
  text: string
  actionType: number
  url?: string
  value?: string
}

export function str(v: unknown): string {
  if (typeof v === 'string') return v
  if (typeof v === 'number' || typeof v === 'bigint') return String(v)
  return ''
}

function num(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() ? Number(v) : NaN
  return Number.isFinite(n) ? n : undefined
}

/** The best source field of a media segment. */
export function mediaSource(seg: Segment): unknown {
  const d = seg.data ?? {}
  return d.url || d.file || d.image || d.src || d.path
}

/** A segment read as a typed part. */
export function partOf(seg: Segment): Part {
  const d = seg.data ?? {}
  switch (seg.type) {
    case 'text':
      return { kind: 'text', text: str(d.text) }
    case 'markdown':
      return { kind: 'markdown', text: str(d.text) }
    case 'html':
      return { kind: 'html', html: str(d.html) }
    case 'image':
      return { kind: 'image', src: str(mediaSource(seg)), width: num(d.width), height: num(d.height) }
    case 'file':
      return { kind: 'file', name: str(d.name), src: str(mediaSource(seg)), size: num(d.size) }
    case 'record':
      return { kind: 'audio', src: str(mediaSource(seg)), seconds: num(d.seconds) }
    case 'video':
      return { kind: 'video', src: str(mediaSource(seg)), seconds: num(d.seconds) }
    case 'reply':
      return { kind: 'quote', id: str(d.id), text: typeof d.text === 'string' ? d.text : undefined }
    case 'at':
      return { kind: 'mention', id: str(d.qq) || str(d.id), name: str(d.name) || undefined }
    case 'buttons':
      return { kind: 'buttons', rows: buttonRows(d).map((row) => row.map((b) => ({ text: b.text, action: buttonAction(b), actionType: b.actionType }))) }
    case 'forward':
    case 'nodes':
      return { kind: 'forward', nodes: forwardNodes(seg) }
    case 'face':
      return { kind: 'sticker', id: str(d.id) }
    default:
      return { kind: 'unknown', type: seg.type, data: d }
  }
}

export function partsOf(segments: Segment[]): Part[] {
  return segments.map(partOf)
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const optText = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined)

/** The rows of a `buttons` segment's data, whatever was stored: a lone button is a row, empty rows are dropped. */
export function buttonRows(data: unknown): WireButton[][] {
  const rows = isObj(data) ? data.rows : undefined
  if (!Array.isArray(rows)) return []
  return rows
    .map((r) => (Array.isArray(r) ? r : [r]))
    .map((r) => r.filter(isObj).map((b) => ({ text: optText(b.text) ?? '', actionType: Number(b.actionType) || 0, url: optText(b.url), value: optText(b.value) })))
    .filter((r) => r.length > 0)
}

/**
 * What a click on a button does, per the Yunhu facts file: actionType 1 opens `url`, 2 copies `value`,
 * 3 reports the click (button-report with `value`). Other values: a URL opens, else the click is reported.
 */
export function buttonAction(b: WireButton): ButtonAction {
  if (b.actionType === 1 && b.url) return { kind: 'open', url: b.url }
  if (b.actionType === 2) return { kind: 'copy', value: b.value ?? b.text }
  if (b.actionType === 3) return { kind: 'report', value: b.value ?? '' }
  if (b.url) return { kind: 'open', url: b.url }
  return { kind: 'report', value: b.value ?? '' }
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

/** A forwarded node's sender as the data names it: `name`/`nickname`, a onebot `sender` object's card or nickname. */
function senderOf(d: Record<string, unknown>): string | undefined {
  const sender = d.sender && typeof d.sender === 'object' ? (d.sender as Record<string, unknown>) : {}
  return str(d.name) || str(d.nickname) || str(sender.card) || str(sender.nickname) || undefined
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
      return { senderName: senderOf(nd), messageId: (nd.id as string | number | undefined) ?? undefined, segments: toSegments(nd.content ?? nd.message) }
    }
    if (item && typeof item === 'object') {
      const o = item as Record<string, unknown>
      return {
        senderName: str(o.senderName) || senderOf(o),
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
  /** Before the text of a model reply the connection cut off (absent: the English word). */
  interrupted?: string
  unknown: (type: string) => string
}

/** The worded labels of a preview, per language (the renderer's i18n `preview` messages are these). */
export type PreviewWords = Omit<PreviewLabels, 'unknown'>

export const PREVIEW_WORDS: Record<AppLocale, PreviewWords> = {
  en: {
    image: '[Image]',
    file: '[File]',
    face: '[Sticker]',
    record: '[Voice]',
    video: '[Video]',
    forward: '[Forwarded messages]',
    recalled: 'Message recalled',
    interrupted: '[Interrupted]'
  },
  'zh-CN': {
    image: '[图片]',
    file: '[文件]',
    face: '[表情]',
    record: '[语音]',
    video: '[视频]',
    forward: '[聊天记录]',
    recalled: '消息已撤回',
    interrupted: '[已中断]'
  }
}

/** Preview labels in one language; a part of an unknown kind shows its type in brackets. */
export function previewLabels(locale: AppLocale): PreviewLabels {
  return { ...PREVIEW_WORDS[locale], unknown: (t) => `[${t}]` }
}

export const EN_PREVIEW: PreviewLabels = previewLabels('en')

/** The preview text of one part ('' for parts a preview leaves out: quotes, buttons). */
function previewPart(p: Part, labels: PreviewLabels): string {
  switch (p.kind) {
    case 'text':
    case 'markdown':
      return p.text
    case 'html':
      return htmlToText(p.html)
    case 'mention':
      return `@${p.name || p.id} `
    case 'quote':
    case 'buttons':
      return ''
    case 'image':
      return labels.image
    case 'file':
      return `${labels.file} ${p.name}`.trim()
    case 'sticker':
      return labels.face
    case 'audio':
      return labels.record
    case 'video':
      return labels.video
    case 'forward':
      return labels.forward
    case 'unknown':
      // A Yunhu A2UI form previews as its own first text.
      return (p.type === 'a2ui' ? a2uiPreview(p.data.text) : undefined) ?? labels.unknown(p.type)
  }
}

/** One-line preview text of segments (for the conversation list, reply quotes, the switcher). */
export function previewSegments(segs: Segment[], labels: PreviewLabels = EN_PREVIEW): string {
  return segs
    .map((s) => previewPart(partOf(s), labels))
    .join('')
    .replace(/\s+/g, ' ')
    .trim()
}

/**
 * A preview before it is worded: text, or a label the reader words in its own language. The core sends
 * these with a conversation's last message (`Contact.lastMessage.tokens`) instead of the message itself.
 */
export type PreviewToken = string | { label: Exclude<keyof PreviewLabels, 'unknown'>; text?: string } | { unknown: string }

const MAX_PREVIEW_SOURCE = 400

function partToken(p: Part): PreviewToken {
  switch (p.kind) {
    case 'image':
      return { label: 'image' }
    case 'file':
      return { label: 'file', text: p.name }
    case 'sticker':
      return { label: 'face' }
    case 'audio':
      return { label: 'record' }
    case 'video':
      return { label: 'video' }
    case 'forward':
      return { label: 'forward' }
    case 'unknown':
      return { unknown: p.type }
    default:
      return previewPart(p, EN_PREVIEW).replace(/\s+/g, ' ')
  }
}

/** The preview of a message as tokens (text capped; the labels are worded by `renderPreview`). */
export function previewTokens(m: ChatMessage): PreviewToken[] {
  if (m.status === 'recalled') return [{ label: 'recalled' }]
  // A reply the connection cut off says so before what it got to (the list shows it was not finished).
  if (m.ai) return m.ai.status === 'interrupted' ? [{ label: 'interrupted' }, ` ${stripMarkdown(m.ai.text.slice(0, MAX_PREVIEW_SOURCE))}`] : [m.ai.text.slice(0, MAX_PREVIEW_SOURCE)]
  const out: PreviewToken[] = []
  let room = MAX_PREVIEW_SOURCE
  for (const seg of m.segments) {
    if (room <= 0) break
    const t = partToken(partOf(seg))
    if (t === '') continue
    if (typeof t === 'string') {
      out.push(t.slice(0, room))
      room -= t.length
    } else out.push(t)
  }
  return out
}

/** Words preview tokens with the reader's labels: one line, Markdown reduced to text. */
export function renderPreview(tokens: PreviewToken[], labels: PreviewLabels = EN_PREVIEW): string {
  const first = tokens[0]
  if (tokens.length === 1 && typeof first === 'object' && 'label' in first && first.label === 'recalled') return labels.recalled
  const text = tokens
    .map((t) => (typeof t === 'string' ? t : 'unknown' in t ? labels.unknown(t.unknown) : t.label === 'file' ? `${labels.file} ${t.text ?? ''}`.trim() : (labels[t.label] ?? EN_PREVIEW[t.label] ?? '')))
    .join('')
  return stripMarkdown(text.slice(0, MAX_PREVIEW_SOURCE)).trim().slice(0, 200)
}

export function previewMessage(m: ChatMessage, labels: PreviewLabels = EN_PREVIEW): string {
  return renderPreview(previewTokens(m), labels)
}

/** Plain text of a message for copying. */
export function messagePlainText(m: ChatMessage): string {
  if (m.ai) return m.ai.text
  return m.segments.map((s) => previewPart(partOf(s), EN_PREVIEW)).join('')
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
