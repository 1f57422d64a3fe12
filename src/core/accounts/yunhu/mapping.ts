/**
 * Pure mapping between Yunhu (云湖) wire shapes and the app's shapes: a message's content → onebot-like
 * segments, a conversation → a Contact, a board → a YunhuBoard, and the one-line previews.
 *
 * Segments emitted (see src/shared/api.ts):
 *   text      → { type: 'text', data: { text } }
 *   markdown  → { type: 'markdown', data: { text } }
 *   html      → { type: 'html', data: { html } }
 *   image     → { type: 'image', data: { file: url, image: url, width?, height? } }
 *   file      → { type: 'file', data: { name, url, size? } }
 *   (media keys and relative paths become full CDN URLs: media.ts)
 *   quote     → a leading { type: 'reply', data: { id, text } }
 *   mentions  → { type: 'at', data: { qq: id, name } } (in place of "@name" in the text when found)
 *   buttons   → a trailing { type: 'buttons', data: { rows: YunhuButton[][] } }
 */
import type { Contact, ContactKind, YunhuBoard } from '../../../shared/api'
import type { ChatMessage, Segment } from '../../../shared/mio'
import { conversationCapabilities, type ConversationCapabilities } from '../../../shared/model/capabilities'
import { YunhuChatType, YunhuContentType, type YunhuBotBoardMessage, type YunhuCmd, type YunhuConversation, type YunhuMsgContent, type YunhuMsgData, type YunhuPushMessage } from '../../../shared/yunhu'
import { parseYunhuButtons } from '../../protocols/yunhu/codec/yunhu'
import { yunhuMediaUrl } from './media'

/** A Yunhu conversation as a Contact. */
/** A Yunhu conversation as cached (capabilities are added when it is listed, never stored). */
export interface YunhuContact extends Omit<Contact, 'capabilities'> {
  kind: 'user' | 'group' | 'bot'
}

const CHAT_CAPS = { send: ['text', 'markdown', 'html', 'quote', 'image', 'file', 'audio', 'video', 'sticker'], recall: true, edit: true, quote: true, board: true, textFormat: 'plain', forward: true, pin: true, remove: true, mute: true, search: true, draftSync: true } as const

/** What a Yunhu conversation can do, by its kind. */
export function yunhuCapabilities(kind: YunhuContact['kind']): ConversationCapabilities {
  return conversationCapabilities({
    ...CHAT_CAPS,
    send: kind === 'group' ? [...CHAT_CAPS.send, 'mention'] : [...CHAT_CAPS.send],
    botProfile: kind === 'bot',
    groupBotSettings: kind === 'group',
    groupInfo: kind === 'group',
    commands: kind === 'group' || kind === 'bot',
    profile: kind === 'user'
  })
}

export function chatTypeOfKind(kind: ContactKind): number | undefined {
  return kind === 'user' ? YunhuChatType.User : kind === 'group' ? YunhuChatType.Group : kind === 'bot' ? YunhuChatType.Bot : undefined
}

export function kindOfChatType(t: number | undefined): YunhuContact['kind'] | undefined {
  return t === YunhuChatType.User ? 'user' : t === YunhuChatType.Group ? 'group' : t === YunhuChatType.Bot ? 'bot' : undefined
}

/** A decimal (int64) string or number → a finite number, else undefined. */
export function toNum(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined
  if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v)) {
    const n = Number(v)
    return Number.isFinite(n) ? n : undefined
  }
  return undefined
}

/** Resolves a user id to a display name (the account itself, a known contact), if known. */
export type NameOf = (id: string) => string | undefined

/** Splits `text` around "@name" for each mention; unmatched mentions follow the text. */
function textWithMentions(text: string, mentioned: string[], nameOf: NameOf): Segment[] {
  const ids = [...new Set(mentioned.filter((id) => typeof id === 'string' && id !== ''))]
  if (ids.length === 0) return text ? [{ type: 'text', data: { text } }] : []
  const out: Segment[] = []
  let rest = text
  const trailing: Segment[] = []
  for (const id of ids) {
    const name = nameOf(id)
    const at: Segment = { type: 'at', data: { qq: id, name: name ?? id } }
    const needle = name ? `@${name}` : undefined
    const i = needle ? rest.indexOf(needle) : -1
    if (needle && i >= 0) {
      if (i > 0) out.push({ type: 'text', data: { text: rest.slice(0, i) } })
      out.push(at)
      rest = rest.slice(i + needle.length)
    } else trailing.push(at)
  }
  if (rest) out.push({ type: 'text', data: { text: rest } })
  return [...out, ...trailing]
}

/** The segments of one message's content (without the quote). */
export function contentSegments(contentType: number | undefined, content: YunhuMsgContent | undefined, nameOf: NameOf = () => undefined): Segment[] {
  const c = content ?? {}
  const segs: Segment[] = []
  const text = typeof c.text === 'string' ? c.text : ''
  switch (contentType) {
    case YunhuContentType.Markdown:
      segs.push({ type: 'markdown', data: { text } })
      break
    case YunhuContentType.Html:
      segs.push({ type: 'html', data: { html: text } })
      break
    case YunhuContentType.Image:
    case YunhuContentType.Sticker: {
      // A sticker carries its relative path in `image`; a key or relative path gets its CDN host.
      const url = yunhuMediaUrl(c.image_url || c.image, 'image')
      const data: Record<string, unknown> = { file: url, image: url }
      if (c.width) data.width = c.width
      if (c.height) data.height = c.height
      if (url) segs.push({ type: 'image', data })
      else segs.push({ type: 'text', data: { text: text || '[sticker]' } })
      if (text && url) segs.push({ type: 'text', data: { text } })
      break
    }
    case YunhuContentType.File: {
      const data: Record<string, unknown> = { name: c.file_name ?? '', url: yunhuMediaUrl(c.file_url, 'file') }
      const size = toNum(c.file_size)
      if (size !== undefined) data.size = size
      segs.push({ type: 'file', data })
      break
    }
    case YunhuContentType.Voice:
      if (c.audio_url) segs.push({ type: 'record', data: { file: yunhuMediaUrl(c.audio_url, 'audio'), url: yunhuMediaUrl(c.audio_url, 'audio'), seconds: c.audio_time ?? 0 } })
      else segs.push({ type: 'text', data: { text: '[voice]' } })
      break
    case YunhuContentType.Post:
      segs.push({ type: c.post_content_type === '2' ? 'markdown' : 'text', data: { text: [c.post_title, c.post_content].filter(Boolean).join('\n\n') || text || '[post]' } })
      break
    case YunhuContentType.Text:
    case undefined:
      segs.push(...textWithMentions(text, c.mentioned_id ?? [], nameOf))
      break
    case YunhuContentType.A2UI:
      // The A2UI JSON as sent; the renderer reads the known component kinds (shared/model/a2ui.ts).
      segs.push({ type: 'a2ui', data: { text } })
      break
    default:
      if (c.video_url) segs.push({ type: 'video', data: { file: yunhuMediaUrl(c.video_url, 'video'), url: yunhuMediaUrl(c.video_url, 'video'), seconds: c.video_time ?? 0 } })
      else if (text) segs.push({ type: 'text', data: { text } })
      else segs.push({ type: 'text', data: { text: c.tip || c.call_status_text || `[unsupported message type ${contentType}]` } })
  }
  // Mentions on non-text content still show as @ segments.
  if (contentType !== YunhuContentType.Text && contentType !== undefined && c.mentioned_id?.length) {
    for (const id of new Set(c.mentioned_id)) segs.push({ type: 'at', data: { qq: id, name: nameOf(id) ?? id } })
  }
  const rows = parseYunhuButtons(c.buttons)
  if (rows.length) segs.push({ type: 'buttons', data: { rows } })
  return segs
}

/** The full segment list: an optional leading `reply`, then the content. */
export function messageSegments(contentType: number | undefined, content: YunhuMsgContent | undefined, quoteMsgId: string | undefined, nameOf?: NameOf): Segment[] {
  const segs = contentSegments(contentType, content, nameOf)
  const quoteText = content?.quote_msg_text
  if (quoteMsgId || quoteText) segs.unshift({ type: 'reply', data: { id: quoteMsgId ?? '', text: quoteText ?? '' } })
  return segs
}

/** Common fields of a pushed message (PushMessage) and a listed one (MsgData). */
interface WireMessage {
  msg_id?: string
  sender?: { chat_id?: string; name?: string; avatar_url?: string }
  content_type?: number
  content?: YunhuMsgContent
  quote_msg_id?: string
  edit_time?: string
  cmd?: YunhuCmd
}

/** A command message reads "/name" before what went with it (a direct command carries nothing else). */
function withCommand(segs: Segment[], name: string | undefined): Segment[] {
  if (!name) return segs
  const at = segs[0]?.type === 'reply' ? 1 : 0
  const first = segs[at]
  if (first?.type === 'text' && typeof first.data.text === 'string') {
    const out = [...segs]
    out[at] = { type: 'text', data: { ...first.data, text: `/${name} ${first.data.text}` } }
    return out
  }
  return [...segs.slice(0, at), { type: 'text', data: { text: `/${name}` } }, ...segs.slice(at)]
}

function toChatMessage(w: WireMessage, contactId: string, selfId: string, time: number, recalled: boolean, nameOf?: NameOf, self?: boolean): ChatMessage {
  const senderId = w.sender?.chat_id
  const m: ChatMessage = {
    id: w.msg_id ?? '',
    contactId,
    self: self ?? (senderId !== undefined && senderId === selfId),
    time,
    segments: withCommand(messageSegments(w.content_type, w.content, w.quote_msg_id, nameOf), w.cmd?.name),
    status: recalled ? 'recalled' : 'sent'
  }
  if (senderId) m.senderId = senderId
  if (w.sender?.name) m.senderName = w.sender.name
  if (w.sender?.avatar_url) m.senderAvatar = yunhuMediaUrl(w.sender.avatar_url)
  if (w.quote_msg_id) m.replyTo = w.quote_msg_id
  const edited = toNum(w.edit_time)
  if (edited) m.editedAt = edited
  return m
}

/** A message from list-message. */
export function msgDataToMessage(d: YunhuMsgData, contactId: string, selfId: string, nameOf?: NameOf): ChatMessage {
  const self = d.direction === 'right' ? true : d.direction === 'left' ? false : undefined
  return toChatMessage(d, contactId, selfId, toNum(d.send_time) ?? Date.now(), !!toNum(d.recall_time), nameOf, self)
}

/** A pushed message (push_message, or a stream's assembled message). */
export function pushToMessage(p: YunhuPushMessage, contactId: string, selfId: string, nameOf?: NameOf): ChatMessage {
  return toChatMessage(p, contactId, selfId, toNum(p.timestamp) ?? Date.now(), !!toNum(p.delete_timestamp), nameOf)
}

/** The text of a message's text-like segment (the one a stream grows), '' when there is none. */
export function textOf(segments: Segment[]): string {
  const s = segments.find((x) => x.type === 'text' || x.type === 'markdown' || x.type === 'html')
  const v = s ? (s.type === 'html' ? s.data.html : s.data.text) : undefined
  return typeof v === 'string' ? v : ''
}

/** Replaces the text of a message's text-like segment (a stream grew); adds one when there is none. */
export function withText(segments: Segment[], text: string): Segment[] {
  const out = segments.map((s) => ({ ...s, data: { ...s.data } }))
  const i = out.findIndex((s) => s.type === 'text' || s.type === 'markdown' || s.type === 'html')
  if (i < 0) return [...out, { type: 'text', data: { text } }]
  if (out[i]!.type === 'html') out[i]!.data.html = text
  else out[i]!.data.text = text
  return out
}

/** A conversation of the conversation list as a Contact. */
export function conversationToContact(c: YunhuConversation): YunhuContact | undefined {
  const kind = kindOfChatType(c.chat_type)
  if (!c.chat_id || !kind) return undefined
  const contact: YunhuContact = { id: c.chat_id, kind, name: c.name || c.remark || c.chat_id }
  if (c.avatar_url) contact.avatar = yunhuMediaUrl(c.avatar_url)
  const time = toNum(c.timestamp_ms) ?? (toNum(c.send_timestamp) !== undefined ? toNum(c.send_timestamp)! * 1000 : undefined)
  if (c.chat_content !== undefined || time !== undefined) contact.lastMessage = { preview: (c.chat_content ?? '').replace(/\s+/g, ' ').slice(0, 80), time: time ?? 0 }
  contact.unread = c.unread_msg ?? 0
  if (c.do_not_disturb) contact.muted = true
  return contact
}

const BOARD_TYPES: Record<number, YunhuBoard['contentType']> = { 1: 'text', 2: 'markdown', 3: 'html' }

/** A board as shown in a chat; null when the board is empty (cleared). */
export function boardOf(b: YunhuBotBoardMessage | undefined, chatId: string): YunhuBoard | null {
  if (!b || !b.content) return null
  const board: YunhuBoard = { chatId, botId: b.bot_id ?? '', contentType: BOARD_TYPES[b.content_type ?? 1] ?? 'text', content: b.content }
  if (b.bot_name) board.botName = b.bot_name
  const t = toNum(b.last_update_time)
  // Seconds in practice; tolerate milliseconds.
  if (t) board.updatedAt = t < 1e12 ? t * 1000 : t
  return board
}
