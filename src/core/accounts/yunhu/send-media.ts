/**
 * Sending pictures, files, voice, video and stickers as Yunhu messages (facts:
 * docs/protocol/yunhu-client-facts.md §2.2, §3.3, §5), through the account's one outbox:
 *
 * - the composer's part names a file the core holds (`data.staged`, see src/core/media/outgoing.ts), so a
 *   message written offline keeps its file and is uploaded and sent when the link is back;
 * - on each attempt the file is uploaded (src/core/protocols/yunhu/upload.ts; the key is the md5 of the
 *   bytes, so a retry uploads to the same key) and the message is sent under the same client msg_id, so
 *   the server takes it once;
 * - progress goes out as `upload` events; recalling a message still being sent cancels it (and its upload).
 *
 * What goes into MsgContent (fixtures c_http_send_req_*): image → `image_url` = chat-img URL of the key,
 * `width`/`height`/`file_size`; file → `file_name`, `file_url` = the key, `file_size`; voice → `audio_url`
 * = the key, `audio_time` (s, at least 1); video (content type 10) → `video_url` = the key, `video_time`;
 * saved sticker → `image` + `expression_id`; pack sticker → `image` + `sticker_item_id` + `sticker_pack_id`.
 * Quote: `quote_msg_id` + `quote_msg_text` (+ `quote_image_url`/`quote_image_name` for a quoted image);
 * mentions: `mentioned_id`.
 */
import type { ChatMessage, Segment } from '../../../shared/mio'
import type { StickerCatalog, StickerItem } from '../../../shared/media'
import { YunhuContentType, type YunhuMsgContent } from '../../../shared/yunhu'
import { coreText } from '../../../shared/core-text'
import type { Logger } from '../../log'
import { isStagedRef, type OutgoingFiles } from '../../media/outgoing'
import type { YunhuApi, YunhuSendInput } from '../../protocols/yunhu/api'
import { YunhuUploader, YunhuUploadError, type YunhuUploadKind } from '../../protocols/yunhu/upload'
import { requireId } from '../../validate'
import type { SendFailure } from '../outbox'
import type { Emit } from '../provider'
import { messageSegments, type NameOf } from './mapping'
import { YUNHU_CDN, yunhuMediaUrl } from './media'

/** Video's content type: not in FP's enum; group.md, MX and VUE use 10 (§2.2). */
export const YUNHU_VIDEO_CONTENT_TYPE = 10

const KIND_OF_SEGMENT: Record<string, YunhuUploadKind> = { image: 'image', file: 'file', record: 'audio', video: 'video' }
const CONTENT_TYPE_OF: Record<YunhuUploadKind, number> = { image: YunhuContentType.Image, file: YunhuContentType.File, audio: YunhuContentType.Voice, video: YUNHU_VIDEO_CONTENT_TYPE }

/** A sticker as a message part: `{type:'sticker', data:{path, expressionId} | {path, itemId, packId}}`. */
export interface StickerRef {
  path: string
  expressionId?: string
  itemId?: string
  packId?: string
}

export type MediaBody =
  | { kind: YunhuUploadKind; staged: string; name: string; size: number; mime?: string; width?: number; height?: number; seconds?: number }
  | { kind: 'sticker'; sticker: StickerRef }

/** A media message's parts, read: one media body, an optional quote, mentions. */
export interface MediaDraft {
  body: MediaBody
  quoteId?: string
  quoteText?: string
  mentions: { id: string; name: string }[]
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined)
const idText = (v: unknown): string | undefined => (typeof v === 'string' && /^\d{1,20}$/.test(v) ? v : typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? String(v) : undefined)

function stickerOf(v: unknown): StickerRef | undefined {
  if (!v || typeof v !== 'object') return undefined
  const s = v as Record<string, unknown>
  const path = typeof s.path === 'string' ? s.path.trim() : ''
  if (!path || path.length > 500 || /\s/.test(path)) return undefined
  const out: StickerRef = { path }
  const e = idText(s.expressionId)
  const item = idText(s.itemId)
  const pack = idText(s.packId)
  if (e) out.expressionId = e
  else if (item) {
    out.itemId = item
    out.packId = pack ?? '0'
  } else return undefined
  return out
}

/** True when the parts hold a picture, file, voice, video or sticker (they go through this module). */
export function hasMediaPart(segments: unknown): boolean {
  if (!Array.isArray(segments)) return false
  return segments.some((s: Segment) => s && typeof s === 'object' && (s.type === 'sticker' || (s.type in KIND_OF_SEGMENT && s.data && typeof s.data === 'object' && ('staged' in s.data || 'sticker' in s.data))))
}

/** Reads a media message's parts; throws a sentence for anything it cannot send. */
export function mediaDraftOf(segments: unknown): MediaDraft {
  if (!Array.isArray(segments) || segments.length === 0) throw new Error('The message is empty')
  let body: MediaBody | undefined
  let quoteId: string | undefined
  let quoteText: string | undefined
  const mentions: { id: string; name: string }[] = []
  const once = (b: MediaBody): void => {
    if (body) throw new Error('A Yunhu message carries one picture, file, voice message, video or sticker')
    body = b
  }
  for (const s of segments as Segment[]) {
    const type = s && typeof s === 'object' ? s.type : undefined
    const data = s && typeof s === 'object' && s.data && typeof s.data === 'object' ? s.data : {}
    if (type === 'reply') {
      if (typeof data.id === 'string' || typeof data.id === 'number') quoteId = String(data.id)
      if (typeof data.text === 'string') quoteText = data.text
    } else if (type === 'at') {
      const id = typeof data.qq === 'string' || typeof data.qq === 'number' ? String(data.qq) : ''
      if (id) mentions.push({ id, name: typeof data.name === 'string' ? data.name : id })
    } else if (type === 'sticker' || (type === 'image' && data.sticker)) {
      const st = stickerOf(type === 'sticker' ? data : data.sticker)
      if (!st) throw new Error('The sticker is missing its path or id')
      once({ kind: 'sticker', sticker: st })
    } else if (type && type in KIND_OF_SEGMENT) {
      const kind = KIND_OF_SEGMENT[type]!
      if (!isStagedRef(data.staged)) throw new Error('The file to send is missing: pick it again')
      const name = typeof data.name === 'string' && data.name.trim() ? data.name.trim().slice(0, 200) : (data.staged as string)
      const size = num(data.size) ?? 0
      const b: MediaBody = { kind, staged: data.staged as string, name, size }
      if (typeof data.mime === 'string') b.mime = data.mime
      const w = num(data.width)
      const h = num(data.height)
      if (kind === 'image' && w && h) {
        b.width = Math.round(w)
        b.height = Math.round(h)
      }
      const secs = num(data.seconds)
      if (kind === 'audio' || kind === 'video') b.seconds = Math.max(kind === 'audio' ? 1 : 0, Math.round(secs ?? 0))
      once(b)
    } else if ((type === 'text' || type === 'markdown' || type === 'html') && !String(type === 'html' ? (data.html ?? '') : (data.text ?? '')).trim()) {
      // an empty body beside the media: nothing to send
    } else {
      throw new Error('A Yunhu picture, file, voice message, video or sticker carries no text: send the text as its own message')
    }
  }
  if (!body) throw new Error('The message is empty')
  const d: MediaDraft = { body, mentions }
  if (quoteId) d.quoteId = requireId(quoteId, 'quoted message id')
  if (quoteText !== undefined) d.quoteText = quoteText.slice(0, 500)
  return d
}

/** The content type and MsgContent of a draft, once its file is at `key` (stickers need no key). */
export function mediaContent(d: MediaDraft, key?: string, quoted?: ChatMessage): { contentType: number; content: YunhuMsgContent } {
  const c: YunhuMsgContent = {}
  const b = d.body
  let contentType: number
  if (b.kind === 'sticker') {
    contentType = YunhuContentType.Sticker
    c.image = b.sticker.path
    if (b.sticker.expressionId) c.expression_id = b.sticker.expressionId
    else {
      c.sticker_item_id = b.sticker.itemId
      c.sticker_pack_id = b.sticker.packId ?? '0'
    }
  } else {
    if (!key) throw new Error('The file was not uploaded')
    contentType = CONTENT_TYPE_OF[b.kind]
    if (b.kind === 'image') {
      c.image_url = YUNHU_CDN.image + key
      c.file_size = String(b.size)
      if (b.width && b.height) {
        c.width = b.width
        c.height = b.height
      }
    } else if (b.kind === 'file') {
      c.file_name = b.name
      c.file_url = key
      c.file_size = String(b.size)
    } else if (b.kind === 'audio') {
      c.audio_url = key
      c.audio_time = b.seconds ?? 1
    } else {
      c.video_url = key
      if (b.seconds) c.video_time = b.seconds
    }
  }
  if (d.mentions.length) c.mentioned_id = [...new Set(d.mentions.map((m) => m.id))]
  if (d.quoteId && d.quoteText) {
    c.quote_msg_text = d.quoteText
    const img = quoted?.segments.find((s) => s.type === 'image')
    const url = typeof img?.data.image === 'string' ? img.data.image : typeof img?.data.file === 'string' ? img.data.file : ''
    if (/^https?:\/\//.test(url)) {
      c.quote_image_url = url
      c.quote_image_name = url.split('?')[0]!.split('/').pop() ?? ''
    }
  }
  return { contentType, content: c }
}

/** The parts of a media message while it waits to be sent: what the draft holds, shown as a pending copy. */
export function pendingSegments(d: MediaDraft): Segment[] {
  const out: Segment[] = []
  if (d.quoteId) out.push({ type: 'reply', data: { id: d.quoteId, text: d.quoteText ?? '' } })
  const b = d.body
  if (b.kind === 'sticker') {
    const url = yunhuMediaUrl(b.sticker.path, 'image')
    out.push({ type: 'image', data: { file: url, image: url, sticker: { ...b.sticker } } })
  } else {
    const type = b.kind === 'audio' ? 'record' : b.kind
    const data: Record<string, unknown> = { staged: b.staged, name: b.name, size: b.size }
    if (b.mime) data.mime = b.mime
    if (b.width) data.width = b.width
    if (b.height) data.height = b.height
    if (b.seconds !== undefined) data.seconds = b.seconds
    out.push({ type, data })
  }
  for (const m of d.mentions) out.push({ type: 'at', data: { qq: m.id, name: m.name } })
  return out
}

export interface MediaSenderDeps {
  files: OutgoingFiles
  emit: Emit
  logger: Logger
  fetch?: typeof fetch
  /** The upload host for an API base (default: the reference server's stand-in for a plain-http base, else Qiniu's lookup). */
  uploadBase?: (api: string) => string | undefined
}

/**
 * The upload host for an API base: a plain-http base is a local reference server (as for the push socket
 * and the CDN), whose Qiniu stand-in is at `<base>/qiniu-up/<region>`; it is asked in region z0 first, so
 * the region-retry rule is exercised. Otherwise none: ask Qiniu (v4/query), with MX's fallbacks.
 */
export function defaultUploadBase(api: string): string | undefined {
  try {
    const u = new URL(api)
    return u.protocol === 'http:' ? new URL('/qiniu-up/z0', u).toString() : undefined
  } catch {
    return undefined
  }
}

export interface MediaAccount {
  accountId: string
  api: YunhuApi
  /** The account's API base URL. */
  apiBase: string
  isOnline: () => boolean
  nameOf?: NameOf
}

export class YunhuMediaSender {
  /** One uploader per API client (a new login makes a new client, with its own token). */
  private readonly uploaders = new WeakMap<YunhuApi, YunhuUploader>()
  private readonly inflight = new Map<string, AbortController>()
  /** Messages the user cancelled: removed once the outbox lets go of them. */
  private readonly cancelled = new Set<string>()

  constructor(private readonly d: MediaSenderDeps) {}

  get files(): OutgoingFiles {
    return this.d.files
  }

  private uploader(a: MediaAccount): YunhuUploader {
    let u = this.uploaders.get(a.api)
    if (!u) {
      const base = (this.d.uploadBase ?? defaultUploadBase)(a.apiBase)
      u = new YunhuUploader({ http: a.api.http, ...(base ? { uploadBase: base } : {}), fetch: this.d.fetch, logger: this.d.logger })
      this.uploaders.set(a.api, u)
    }
    return u
  }

  /** The pending copy of a media message to queue (its segments; the caller adds id, time …). */
  compose(segments: unknown, quoteTextOf: (quoteId: string) => string | undefined): { draft: MediaDraft; segments: Segment[] } {
    const draft = mediaDraftOf(segments)
    if (draft.quoteId && draft.quoteText === undefined) {
      const t = quoteTextOf(draft.quoteId)
      if (t !== undefined) draft.quoteText = t.slice(0, 500)
    }
    return { draft, segments: pendingSegments(draft) }
  }

  /**
   * One outbox attempt at a media message: upload its file (progress as `upload` events), then
   * send-message under the entry's client id. Resolves with the message as sent (CDN URLs in its parts).
   */
  async transmit(a: MediaAccount, msg: ChatMessage, clientId: string, chatType: number, quoted?: ChatMessage): Promise<ChatMessage> {
    const draft = mediaDraftOf(msg.segments)
    const ac = new AbortController()
    this.inflight.set(msg.id, ac)
    const ref = draft.body.kind === 'sticker' ? undefined : draft.body.staged
    const progress = (sent: number, total: number, done?: boolean): void =>
      this.d.emit('upload', { accountId: a.accountId, contactId: msg.contactId, messageId: msg.id, ...(ref ? { ref } : {}), sent, total, ...(done ? { done } : {}) })
    try {
      let key: string | undefined
      const b = draft.body
      if (b.kind !== 'sticker') {
        const bytes = await this.d.files.read(b.staged, b.name)
        const up = await this.uploader(a).upload({ kind: b.kind, bytes, name: b.name, ...(b.mime ? { mime: b.mime } : {}) }, { signal: ac.signal, onProgress: (p) => progress(p.sent, p.total) })
        key = up.key
      }
      if (ac.signal.aborted) throw new YunhuUploadError('cancelled', coreText('uploadCancelled'))
      const { contentType, content } = mediaContent(draft, key, quoted)
      const input: YunhuSendInput = { msg_id: clientId, chat_id: msg.contactId, chat_type: chatType, content_type: contentType, content }
      if (draft.quoteId) input.quote_msg_id = draft.quoteId
      await a.api.sendMessage(input, { signal: ac.signal })
      const sent: ChatMessage = { ...msg, segments: messageSegments(contentType, content, draft.quoteId, a.nameOf), status: 'sent', error: undefined }
      if (b.kind !== 'sticker') {
        const size = b.size || 0
        progress(size, size, true)
      }
      return sent
    } catch (e) {
      if (draft.body.kind !== 'sticker') progress(0, 0, true)
      if (ac.signal.aborted && !(e instanceof YunhuUploadError)) throw new YunhuUploadError('cancelled', coreText('uploadCancelled'))
      throw e
    } finally {
      this.inflight.delete(msg.id)
    }
  }

  /** How an upload failure counts for the outbox (undefined: not an upload failure, the caller decides). */
  classify(err: unknown, online: boolean): SendFailure | undefined {
    if (!(err instanceof YunhuUploadError)) return undefined
    // Nothing was sent yet: while the link is down, wait for it; else tell the user (retry is safe).
    if (err.reason === 'network' && !online) return { kind: 'offline' }
    return { kind: 'refused', message: err.message }
  }

  /** Cancels a media message being sent: aborts its upload; true when one was in flight. */
  cancel(messageId: string): boolean {
    this.cancelled.add(messageId)
    const ac = this.inflight.get(messageId)
    ac?.abort()
    return !!ac
  }

  /** After the outbox let go of a message: true when the user cancelled it (the caller removes it). */
  takeCancelled(messageId: string): boolean {
    return this.cancelled.delete(messageId)
  }

  /** The staged file of a sent media message is no longer needed unless another queued message names it. */
  async release(before: ChatMessage, stillNeeded: (ref: string) => boolean): Promise<void> {
    for (const s of before.segments) {
      const ref = s.data?.staged
      if (isStagedRef(ref) && !stillNeeded(ref)) await this.d.files.remove(ref).catch((e: unknown) => this.d.logger.warn(`outgoing file ${ref}: ${String(e)}`))
    }
  }

  /** The saved stickers (expression/list) and the packs (sticker/list), for the picker. */
  async stickers(api: YunhuApi): Promise<StickerCatalog> {
    const [saved, packs] = await Promise.all([api.http.json('/v1/expression/list', {}), api.http.json('/v1/sticker/list', {})])
    return parseStickerCatalog(saved.data, packs.data)
  }

  /** expression/create: adds an image (a received sticker or picture) to the saved stickers, by its full URL. */
  async saveSticker(api: YunhuApi, url: string): Promise<void> {
    const full = yunhuMediaUrl(url, 'image')
    if (!/^https?:\/\/[^/]+\/.+/.test(full)) throw new Error('This picture has no address that Yunhu can save')
    await api.http.json('/v1/expression/create', { url: full })
  }
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined)

/** expression/list `data.expression[]` and sticker/list `data.stickerPacks[]` → the picker's catalog (deleted ones left out). */
export function parseStickerCatalog(saved: unknown, packs: unknown): StickerCatalog {
  const out: StickerCatalog = { saved: [], packs: [] }
  const exprs = isObj(saved) && Array.isArray(saved.expression) ? saved.expression : []
  for (const e of exprs) {
    if (!isObj(e) || Number(e.delFlag ?? 0) !== 0) continue
    const id = idText(e.id)
    const path = str(e.url)
    if (!id || !path) continue
    out.saved.push({ path, url: yunhuMediaUrl(path, 'image'), expressionId: id })
  }
  const list = isObj(packs) && Array.isArray(packs.stickerPacks) ? packs.stickerPacks : []
  for (const p of list) {
    if (!isObj(p) || Number(p.delFlag ?? 0) !== 0) continue
    const id = idText(p.id)
    if (!id) continue
    const items: StickerItem[] = []
    for (const it of Array.isArray(p.stickerItems) ? p.stickerItems : []) {
      if (!isObj(it) || Number(it.delFlag ?? 0) !== 0) continue
      const itemId = idText(it.id)
      const path = str(it.url)
      if (!itemId || !path) continue
      const item: StickerItem = { path, url: yunhuMediaUrl(path, 'image'), itemId, packId: id }
      if (typeof it.name === 'string' && it.name) item.name = it.name
      items.push(item)
    }
    out.packs.push({ id, name: str(p.name) ?? id, items })
  }
  return out
}
