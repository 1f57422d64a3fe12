/**
 * Exports a conversation (or a selection of its messages) as Markdown, one self-contained HTML file, or
 * JSON (the message model, versioned). Streamed: messages are read in batches from the history and written
 * as they are rendered, so a 100,000-message conversation never sits in memory as one string.
 *
 * The HTML is safe to open anywhere: every text is escaped, Markdown is rendered with raw HTML off, HTML
 * messages go through an allowlist sanitiser, links are http/https/mailto only, images are embedded as
 * data: URLs (what cannot be fetched becomes a labelled placeholder), and a Content-Security-Policy in the
 * file forbids scripts and any network load, so it opens offline and tells no one it was opened.
 */
import MarkdownIt from 'markdown-it'
import sanitizeHtml from 'sanitize-html'
import type { AppLocale } from '../../shared/locale'
import type { ChatMessage, Segment } from '../../shared/mio'
import { formatBytes, resolveMediaUrl } from '../../shared/model/media-values'
import { htmlToText, mediaSource, partOf } from '../../shared/model/parts'
import { promptPosition, replyPosition } from '../../shared/versions'
import { exportLabels, fill, type ExportLabels } from './labels'

export const EXPORT_FORMATS = ['markdown', 'html', 'json'] as const
export type ExportFormat = (typeof EXPORT_FORMATS)[number]

/** The JSON export's format name and version (bumped when the layout changes). */
export const EXPORT_JSON_FORMAT = 'miodesk-conversation'
export const EXPORT_JSON_VERSION = 1

export interface ExportMeta {
  accountId: string
  accountName: string
  platform: string
  contactId: string
  contactName: string
  locale: AppLocale
  now: Date
  /** http(s) base of the account's server, for relative media paths. */
  serverBase?: string
}

/** Where the export goes: `write` resolves once the chunk is taken (back-pressure of a file stream). */
export interface ExportSink {
  write(chunk: string): Promise<void>
}

export interface ExportOptions {
  /** Only these messages (a selection), in conversation order. */
  messageIds?: string[]
  /** Fetches an image for embedding (HTML); undefined when it cannot be had. */
  fetchImage?: (url: string) => Promise<{ mime: string; bytes: Uint8Array } | undefined>
  /** Largest image embedded, bytes (default 8 MiB). */
  maxImageBytes?: number
}

export interface ExportResult {
  messages: number
}

const MAX_DEPTH = 4

/** One markdown-it for exports: raw HTML off, links http/https/mailto only (images: data: too). */
const md = new MarkdownIt({ html: false, linkify: true, breaks: true })
md.validateLink = (url: string): boolean => /^(https?:|mailto:)/i.test(url.trim()) || /^data:image\/(png|jpeg|gif|webp);/i.test(url.trim())
// An image in Markdown from elsewhere becomes a link: the file loads nothing from the network.
md.renderer.rules.image = (tokens, idx) => {
  const t = tokens[idx]!
  const src = String(t.attrGet('src') ?? '')
  const alt = t.content || 'image'
  if (/^data:image\//i.test(src)) return `<img src="${escapeHtml(src)}" alt="${escapeHtml(alt)}">`
  return /^https?:\/\//i.test(src) ? `<a href="${escapeHtml(src)}">${escapeHtml(alt)}</a>` : escapeHtml(alt)
}

const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: ['b', 'i', 'em', 'strong', 'u', 's', 'del', 'p', 'br', 'div', 'span', 'ul', 'ol', 'li', 'a', 'code', 'pre', 'blockquote', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'hr', 'img', 'sub', 'sup'],
  allowedAttributes: { a: ['href', 'title'], img: ['src', 'alt', 'width', 'height'], td: ['colspan', 'rowspan'], th: ['colspan', 'rowspan'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['data'] },
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard'
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)
}

const safeHref = (url: string): string => (/^https?:\/\//i.test(url) ? url : '')

/** Collects small writes into ~64 KB chunks before they reach the sink. */
class Buffered {
  private parts: string[] = []
  private size = 0
  constructor(private readonly sink: ExportSink) {}
  async add(s: string): Promise<void> {
    this.parts.push(s)
    this.size += s.length
    if (this.size >= 65536) await this.flush()
  }
  async flush(): Promise<void> {
    if (!this.parts.length) return
    const chunk = this.parts.join('')
    this.parts = []
    this.size = 0
    await this.sink.write(chunk)
  }
}

function senderOf(m: ChatMessage, meta: ExportMeta, l: ExportLabels): string {
  if (m.self) return l.me
  return m.senderName || (m.ai ? meta.contactName : '') || meta.contactName || m.senderId || ''
}

// ------------------------------------------------------------------------------------------- Markdown

function markdownOfSegments(segments: Segment[], l: ExportLabels, meta: ExportMeta, depth: number): string {
  const out: string[] = []
  for (const seg of segments) {
    const p = partOf(seg)
    switch (p.kind) {
      case 'text':
      case 'markdown':
        out.push(p.text)
        break
      case 'html':
        out.push(htmlToText(p.html))
        break
      case 'image': {
        const url = resolveMediaUrl(mediaSource(seg), meta.serverBase ?? '', 'image/png')
        out.push(/^https?:/i.test(url) ? `![${l.image}](${url})` : `[${l.image}]`)
        break
      }
      case 'file': {
        const url = safeHref(resolveMediaUrl(p.src, meta.serverBase ?? ''))
        const label = `${l.file}: ${p.name}${p.size ? ` (${formatBytes(p.size)})` : ''}`
        out.push(url ? `[${label}](${url})` : `[${label}]`)
        break
      }
      case 'audio':
        out.push(`[${l.audio}${p.seconds ? ` ${p.seconds}″` : ''}]`)
        break
      case 'video':
        out.push(`[${l.video}]`)
        break
      case 'sticker':
        out.push(`[${l.sticker}]`)
        break
      case 'mention':
        out.push(`@${p.name || p.id} `)
        break
      case 'quote':
        out.push(`> ${l.quote}${p.text ? `: ${p.text.replace(/\n/g, ' ')}` : ''}\n\n`)
        break
      case 'forward': {
        if (depth >= MAX_DEPTH) break
        const lines = [`**${l.forwarded}**`]
        for (const n of p.nodes) lines.push(`${n.senderName ? `**${n.senderName}**: ` : ''}${markdownOfSegments(n.segments, l, meta, depth + 1)}`)
        out.push(lines.join('\n\n').replace(/^/gm, '> '))
        break
      }
      case 'buttons':
        break
      default:
        out.push(`[${l.unknown}]`)
    }
  }
  return out.join('')
}

/** "Version 2 of 3" under a reply or an edited prompt that has several (the shown one is exported). */
function versionNote(m: ChatMessage, l: ExportLabels): string {
  const pos = m.ai ? replyPosition(m.ai) : promptPosition(m)
  return pos.of > 1 ? fill(l.version, { n: pos.at, m: pos.of }) : ''
}

function markdownOf(m: ChatMessage, meta: ExportMeta, l: ExportLabels, time: string): string {
  let body: string
  const v = versionNote(m, l)
  const version = v ? `_${v}_` : ''
  if (m.status === 'recalled') body = `_${l.recalled}_`
  else if (m.ai) {
    const tools = m.ai.toolCalls.map((t) => `- ${l.tool} \`${t.name}\`: ${t.state}`).join('\n')
    body = [tools, m.ai.text, m.ai.status === 'interrupted' ? `_${l.interrupted}_` : '', version].filter(Boolean).join('\n\n')
  } else body = [markdownOfSegments(m.segments, l, meta, 0), version].filter(Boolean).join('\n\n')
  if (m.status === 'failed') body += `\n\n_${l.failed}_`
  return `### ${senderOf(m, meta, l)} · ${time}\n\n${body}\n\n`
}

// ------------------------------------------------------------------------------------------- HTML

const CSS = `
:root{color-scheme:light dark;--bg:#f6f7f9;--fg:#1d2129;--muted:#6b7280;--bubble:#fff;--self:#dbeafe;--line:#e5e7eb}
@media (prefers-color-scheme:dark){:root{--bg:#16181d;--fg:#e6e8eb;--muted:#9aa0a8;--bubble:#22252b;--self:#1e3a5f;--line:#30343b}}
*{box-sizing:border-box}body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.55 system-ui,-apple-system,"Segoe UI","PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif}
header{padding:20px 24px;border-bottom:1px solid var(--line)}h1{margin:0 0 4px;font-size:20px}header p{margin:0;color:var(--muted);font-size:13px}
main{max-width:860px;margin:0 auto;padding:16px 24px 48px}
article{margin:10px 0;display:flex;flex-direction:column;align-items:flex-start}article.self{align-items:flex-end}
.meta{font-size:12px;color:var(--muted);margin:0 4px 2px}.bubble{background:var(--bubble);border:1px solid var(--line);border-radius:12px;padding:8px 12px;max-width:min(640px,100%);overflow-wrap:anywhere}
article.self .bubble{background:var(--self)}.bubble img{max-width:100%;height:auto;border-radius:8px;display:block}
.bubble pre{overflow:auto;padding:8px;border-radius:6px;background:rgba(127,127,127,.12)}.bubble table{border-collapse:collapse}.bubble td,.bubble th{border:1px solid var(--line);padding:2px 6px}
.note{color:var(--muted);font-style:italic}.media{display:inline-block;padding:6px 10px;border:1px dashed var(--line);border-radius:8px;color:var(--muted)}
blockquote{margin:4px 0;padding:2px 10px;border-left:3px solid var(--line);color:var(--muted)}details{margin:4px 0}.tool{font-size:12px;color:var(--muted)}
`

async function imageHtml(seg: Segment, meta: ExportMeta, l: ExportLabels, o: ExportOptions): Promise<string> {
  const url = resolveMediaUrl(mediaSource(seg), meta.serverBase ?? '', 'image/png')
  const max = o.maxImageBytes ?? 8 * 1024 * 1024
  if (/^data:image\/(png|jpeg|gif|webp);base64,/i.test(url) && url.length <= max * 1.4) return `<img src="${escapeHtml(url)}" alt="${escapeHtml(l.image)}">`
  if (/^https?:\/\//i.test(url) && o.fetchImage) {
    try {
      const got = await o.fetchImage(url)
      if (got && /^image\/(png|jpeg|gif|webp)$/i.test(got.mime) && got.bytes.length <= max) {
        return `<img src="data:${got.mime};base64,${Buffer.from(got.bytes).toString('base64')}" alt="${escapeHtml(l.image)}">`
      }
    } catch {
      /* the placeholder below */
    }
  }
  const href = safeHref(url)
  return `<span class="media">${escapeHtml(l.imageMissing)}${href ? ` · <a href="${escapeHtml(href)}">${escapeHtml(href)}</a>` : ''}</span>`
}

async function htmlOfSegments(segments: Segment[], l: ExportLabels, meta: ExportMeta, o: ExportOptions, depth: number): Promise<string> {
  const out: string[] = []
  for (const seg of segments) {
    const p = partOf(seg)
    switch (p.kind) {
      case 'text':
        out.push(escapeHtml(p.text).replace(/\n/g, '<br>'))
        break
      case 'markdown':
        out.push(md.render(p.text))
        break
      case 'html':
        out.push(sanitizeHtml(p.html, SANITIZE))
        break
      case 'image':
        out.push(await imageHtml(seg, meta, l, o))
        break
      case 'file': {
        const href = safeHref(resolveMediaUrl(p.src, meta.serverBase ?? ''))
        const label = escapeHtml(`${l.file}: ${p.name}${p.size ? ` (${formatBytes(p.size)})` : ''}`)
        out.push(`<span class="media">${href ? `<a href="${escapeHtml(href)}">${label}</a>` : label}</span>`)
        break
      }
      case 'audio':
        out.push(`<span class="media">${escapeHtml(l.audio)}${p.seconds ? ` ${p.seconds}″` : ''}</span>`)
        break
      case 'video':
        out.push(`<span class="media">${escapeHtml(l.video)}</span>`)
        break
      case 'sticker':
        out.push(`<span class="media">${escapeHtml(l.sticker)}</span>`)
        break
      case 'mention':
        out.push(`<b>@${escapeHtml(p.name || p.id)}</b> `)
        break
      case 'quote':
        out.push(`<blockquote>${escapeHtml(l.quote)}${p.text ? `: ${escapeHtml(p.text)}` : ''}</blockquote>`)
        break
      case 'forward': {
        if (depth >= MAX_DEPTH) break
        const nodes: string[] = []
        for (const n of p.nodes) nodes.push(`<div>${n.senderName ? `<b>${escapeHtml(n.senderName)}</b>: ` : ''}${await htmlOfSegments(n.segments, l, meta, o, depth + 1)}</div>`)
        out.push(`<details open><summary>${escapeHtml(l.forwarded)}</summary><blockquote>${nodes.join('')}</blockquote></details>`)
        break
      }
      case 'buttons':
        break
      default:
        out.push(`<span class="note">${escapeHtml(l.unknown)}</span>`)
    }
  }
  return out.join('')
}

async function htmlOf(m: ChatMessage, meta: ExportMeta, l: ExportLabels, o: ExportOptions, time: string): Promise<string> {
  let body: string
  if (m.status === 'recalled') body = `<span class="note">${escapeHtml(l.recalled)}</span>`
  else if (m.ai) {
    const tools = m.ai.toolCalls.map((t) => `<div class="tool">${escapeHtml(l.tool)} <code>${escapeHtml(t.name)}</code> · ${escapeHtml(t.state)}</div>`).join('')
    const reasoning = m.ai.reasoning ? `<details><summary>${escapeHtml(l.reasoning)}</summary>${md.render(m.ai.reasoning)}</details>` : ''
    body = reasoning + tools + md.render(m.ai.text) + (m.ai.status === 'interrupted' ? `<p class="note">${escapeHtml(l.interrupted)}</p>` : '')
  } else body = await htmlOfSegments(m.segments, l, meta, o, 0)
  const version = versionNote(m, l)
  if (version) body += `<p class="note version">${escapeHtml(version)}</p>`
  if (m.status === 'failed') body += `<p class="note">${escapeHtml(l.failed)}</p>`
  return `<article${m.self ? ' class="self"' : ''}><div class="meta">${escapeHtml(senderOf(m, meta, l))} · <time datetime="${new Date(m.time).toISOString()}">${escapeHtml(time)}</time></div><div class="bubble">${body}</div></article>\n`
}

// ------------------------------------------------------------------------------------------- the stream

async function* selected(batches: Iterable<ChatMessage[]> | AsyncIterable<ChatMessage[]>, ids: Set<string> | undefined): AsyncGenerator<ChatMessage> {
  for await (const batch of batches) for (const m of batch) if (!ids || ids.has(m.id)) yield m
}

/** Writes the export of `batches` (the conversation oldest first) to `sink`. */
export async function exportConversation(
  batches: Iterable<ChatMessage[]> | AsyncIterable<ChatMessage[]>,
  meta: ExportMeta,
  format: ExportFormat,
  sink: ExportSink,
  o: ExportOptions = {}
): Promise<ExportResult> {
  const l = exportLabels(meta.locale)
  const out = new Buffered(sink)
  const ids = o.messageIds ? new Set(o.messageIds) : undefined
  const when = new Intl.DateTimeFormat(meta.locale, { dateStyle: 'medium', timeStyle: 'short' })
  const date = (t: number): string => (Number.isFinite(t) ? when.format(new Date(t)) : '')
  const title = `${meta.contactName} — ${meta.accountName}`
  let n = 0
  if (format === 'json') {
    const head = {
      format: EXPORT_JSON_FORMAT,
      version: EXPORT_JSON_VERSION,
      exportedAt: meta.now.toISOString(),
      account: { id: meta.accountId, name: meta.accountName, platform: meta.platform },
      conversation: { id: meta.contactId, name: meta.contactName }
    }
    await out.add(JSON.stringify(head).slice(0, -1) + ',"messages":[\n')
    for await (const m of selected(batches, ids)) await out.add((n++ ? ',\n' : '') + JSON.stringify(m))
    await out.add('\n]}\n')
  } else if (format === 'markdown') {
    await out.add(`# ${title}\n\n_${fill(l.exportedOn, { date: date(meta.now.getTime()) })}_\n\n`)
    for await (const m of selected(batches, ids)) {
      n++
      await out.add(markdownOf(m, meta, l, date(m.time)))
    }
  } else {
    await out.add(
      `<!doctype html>\n<html lang="${meta.locale === 'zh-CN' ? 'zh-CN' : 'en'}"><head><meta charset="utf-8">` +
        `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'">` +
        `<meta name="referrer" content="no-referrer"><meta name="viewport" content="width=device-width, initial-scale=1">` +
        `<title>${escapeHtml(title)}</title><style>${CSS}</style></head><body>\n<header><h1>${escapeHtml(title)}</h1><p>${escapeHtml(fill(l.exportedOn, { date: date(meta.now.getTime()) }))}</p></header>\n<main>\n`
    )
    for await (const m of selected(batches, ids)) {
      n++
      await out.add(await htmlOf(m, meta, l, o, date(m.time)))
    }
    await out.add(`</main>\n<footer><p style="text-align:center;color:var(--muted);font-size:12px">${escapeHtml(fill(l.messages, { n: n.toLocaleString(meta.locale) }))}</p></footer>\n</body></html>\n`)
  }
  await out.flush()
  return { messages: n }
}

/** A file name for an export: the conversation's name without characters file systems refuse. */
export function exportFileName(contactName: string, format: ExportFormat, now: Date): string {
  const base = contactName.replace(/[\\/:*?"<>|\u0000-\u001f]+/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 80) || 'conversation'
  const stamp = now.toISOString().slice(0, 10)
  return `${base} ${stamp}.${format === 'markdown' ? 'md' : format}`
}
