/**
 * Attachments waiting in the composer, per conversation, for accounts whose media the core uploads
 * (`capabilities.uploads`): pictures (with a preview), files, voice messages and videos. On send each one
 * is handed to the core (`media:stage`) and sent as its own message through the outbox; its upload
 * progress comes back as `upload` events, matched by the staged file's ref. An attachment leaves the tray
 * once its message is sent, failed (the message row then offers retry) or queued while offline.
 */
import { defineStore } from 'pinia'
import { reactive } from 'vue'
import type { SendableKind } from '@shared/model/capabilities'
import type { Segment } from '@shared/mio'
import { MAX_ATTACH_BYTES, useUploadsApi } from '../composables/useUploadsApi'
import { useConversationsStore } from './conversations'
import { useMessagesApi } from '../composables/useMessagesApi'

export type AttachKind = 'image' | 'file' | 'audio' | 'video'

export interface Attachment {
  id: string
  kind: AttachKind
  blob: Blob
  name: string
  size: number
  mime: string
  /** An object URL to show a picture or play a voice message / video before sending. */
  preview?: string
  width?: number
  height?: number
  seconds?: number
  state: 'ready' | 'staging' | 'uploading' | 'waiting'
  sent: number
  total: number
  ref?: string
  messageId?: string
}

export interface AttachInput {
  blob: Blob
  name: string
  /** Forced kind (a recording is a voice message whatever its type says). */
  kind?: AttachKind
  seconds?: number
}

/** Picture types the platforms show as pictures (MX refuses others); anything else is sent as a file. */
const PICTURE = /^image\/(jpeg|png|gif|webp|bmp)$/i
export const MAX_ATTACHMENTS = 9

const SENDABLE: Record<AttachKind, SendableKind> = { image: 'image', file: 'file', audio: 'audio', video: 'video' }
const SEGMENT: Record<AttachKind, string> = { image: 'image', file: 'file', audio: 'record', video: 'video' }

export function kindOf(type: string, sendable: readonly SendableKind[]): AttachKind {
  const t = type.toLowerCase()
  const want: AttachKind = PICTURE.test(t) ? 'image' : t.startsWith('audio/') ? 'audio' : t.startsWith('video/') ? 'video' : 'file'
  return sendable.includes(SENDABLE[want]) ? want : 'file'
}

/** Width and height of a picture, duration of audio or video, read in the page (undefined when it cannot tell). */
function measure(kind: AttachKind, url: string): Promise<{ width?: number; height?: number; seconds?: number }> {
  return new Promise((resolve) => {
    const done = (v: { width?: number; height?: number; seconds?: number }): void => resolve(v)
    const timer = setTimeout(() => done({}), 4000)
    if (kind === 'image') {
      const img = new Image()
      img.onload = () => (clearTimeout(timer), done({ width: img.naturalWidth, height: img.naturalHeight }))
      img.onerror = () => (clearTimeout(timer), done({}))
      img.src = url
    } else if (kind === 'audio' || kind === 'video') {
      const el = document.createElement(kind)
      el.preload = 'metadata'
      el.onloadedmetadata = () => (clearTimeout(timer), done(Number.isFinite(el.duration) ? { seconds: el.duration } : {}))
      el.onerror = () => (clearTimeout(timer), done({}))
      el.src = url
    } else {
      clearTimeout(timer)
      done({})
    }
  })
}

let seq = 0

export const useAttachmentsStore = defineStore('attachments', () => {
  const api = useUploadsApi()
  const messages = useMessagesApi()
  const conversations = useConversationsStore()
  const byConv = reactive(new Map<string, Attachment[]>())
  const cancelled = new Set<string>()
  let wired = false

  const key = (accountId: string, contactId: string): string => `${accountId}\u0000${contactId}`

  function wire(): void {
    if (wired) return
    wired = true
    api.onUpload((p) => {
      const list = byConv.get(key(p.accountId, p.contactId))
      const a = list?.find((x) => (p.ref && x.ref === p.ref) || x.messageId === p.messageId)
      if (!a || p.done) return
      a.messageId = p.messageId
      a.state = 'uploading'
      a.sent = p.sent
      a.total = p.total
    })
  }

  function list(accountId: string, contactId: string): Attachment[] {
    wire()
    return byConv.get(key(accountId, contactId)) ?? []
  }

  function put(accountId: string, contactId: string, items: Attachment[]): void {
    if (items.length) byConv.set(key(accountId, contactId), items)
    else byConv.delete(key(accountId, contactId))
  }

  /** Adds files; returns the ones refused, with why (too many, too large). */
  async function add(accountId: string, contactId: string, inputs: AttachInput[], sendable: readonly SendableKind[]): Promise<{ name: string; why: 'tooMany' | 'tooLarge' }[]> {
    wire()
    const refused: { name: string; why: 'tooMany' | 'tooLarge' }[] = []
    for (const input of inputs) {
      const current = list(accountId, contactId)
      if (current.length >= MAX_ATTACHMENTS) {
        refused.push({ name: input.name, why: 'tooMany' })
        continue
      }
      if (input.blob.size > MAX_ATTACH_BYTES) {
        refused.push({ name: input.name, why: 'tooLarge' })
        continue
      }
      const kind = input.kind ?? kindOf(input.blob.type, sendable)
      const a: Attachment = { id: `att${++seq}`, kind, blob: input.blob, name: input.name || 'file', size: input.blob.size, mime: input.blob.type, state: 'ready', sent: 0, total: 0 }
      if (kind !== 'file') a.preview = URL.createObjectURL(input.blob)
      if (input.seconds !== undefined) a.seconds = input.seconds
      else if (a.preview) Object.assign(a, await measure(kind, a.preview))
      put(accountId, contactId, [...current, reactive(a) as Attachment])
    }
    return refused
  }

  function drop(accountId: string, contactId: string, id: string): void {
    const current = list(accountId, contactId)
    const a = current.find((x) => x.id === id)
    if (a?.preview) URL.revokeObjectURL(a.preview)
    put(accountId, contactId, current.filter((x) => x.id !== id))
  }

  /** The parts of an attachment's message once its file is staged. */
  function segmentsOf(a: Attachment, quote?: { id: string; text?: string }): Segment[] {
    const data: Record<string, unknown> = { staged: a.ref, name: a.name, size: a.size }
    if (a.mime) data.mime = a.mime
    if (a.width && a.height) Object.assign(data, { width: a.width, height: a.height })
    if (a.seconds !== undefined) data.seconds = Math.max(a.kind === 'audio' ? 1 : 0, Math.round(a.seconds))
    const segs: Segment[] = [{ type: SEGMENT[a.kind], data }]
    if (quote) segs.unshift({ type: 'reply', data: quote.text !== undefined ? { id: quote.id, text: quote.text } : { id: quote.id } })
    return segs
  }

  /**
   * Sends every waiting attachment, one message each, in order (the first carries the quote). Rejects with
   * the first error; what was not sent stays in the tray.
   */
  async function send(accountId: string, contactId: string, quote?: { id: string; text?: string }): Promise<void> {
    let q = quote
    for (const a of [...list(accountId, contactId)]) {
      if (a.state !== 'ready') continue
      a.state = 'staging'
      try {
        const staged = await api.stage(a.blob, a.name)
        a.ref = staged.ref
        a.state = 'waiting'
        const m = await messages.send(accountId, contactId, segmentsOf(a, q))
        // A cancelled one was removed from the chat meanwhile: do not bring it back.
        if (!cancelled.has(a.id)) conversations.upsert(accountId, m)
        q = undefined
      } catch (e) {
        a.state = 'ready'
        a.ref = undefined
        throw e
      }
      drop(accountId, contactId, a.id)
    }
  }

  /** Removes an attachment; one being sent is cancelled (its message recalled before it leaves). */
  async function cancel(accountId: string, contactId: string, a: Attachment): Promise<void> {
    if (a.state === 'ready') return drop(accountId, contactId, a.id)
    cancelled.add(a.id)
    const id = a.messageId ?? conversations.conv(accountId, contactId).messages.value.find((m) => m.status === 'sending' && m.segments.some((s) => a.ref && s.data?.staged === a.ref))?.id
    if (id) await messages.recall(accountId, contactId, id)
    drop(accountId, contactId, a.id)
  }

  return { list, add, drop, send, cancel, wire }
})
