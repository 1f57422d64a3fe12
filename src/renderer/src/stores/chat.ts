/**
 * Conversations, messages and streamed AI replies.
 *
 * Message arrays are kept raw (not deeply reactive): each conversation holds a `shallowRef` array
 * that is mutated in place and re-triggered, and every changed message is replaced by a new object,
 * so a 100,000-message conversation costs no proxies and a stream frame re-renders one row.
 * Stream deltas are queued and applied at most once per animation frame; a frame that only grows a
 * reply's text (no status change) does not re-trigger the conversation: the new copy is published in
 * `live`, which only that message's row reads, so neither the list nor any other row re-renders.
 */
import { defineStore } from 'pinia'
import { computed, reactive, ref, shallowReactive, shallowRef, triggerRef, type ShallowRef } from 'vue'
import type { Contact, StreamDelta, YunhuOutgoing } from '@shared/api'
import type { ChatMessage, LlmContact, ModelGroup, Segment, ShareResult } from '@shared/mio'
import { useCompletionsApi } from '../composables/useCompletionsApi'
import { useConversationsApi } from '../composables/useConversationsApi'
import { useMessagesApi } from '../composables/useMessagesApi'
import { applyDelta, coalesceDeltas, createFrameBatcher, isTerminal, mergeDeltas, reconcileMessage } from '../lib/stream'
import { previewMessage, stripMarkdown, type PreviewLabels } from '../lib/segments'
import { i18n } from '../i18n'
import { useAccountsStore } from './accounts'

export interface Conversation {
  key: string
  accountId: string
  contactId: string
  messages: ShallowRef<ChatMessage[]>
  /** id → index in `messages`. */
  index: Map<string, number>
  state: { loaded: boolean; loading: boolean; hasMore: boolean; unread: number; version: number }
}

export const PAGE_SIZE = 60

export const convKey = (accountId: string, contactId: string) => `${accountId}\u0000${contactId}`
const liveKey = (conversationKey: string, messageId: string) => `${conversationKey}\u0001${messageId}`

function previewLabels(): PreviewLabels {
  const t = i18n.global.t
  return {
    image: t('preview.image'),
    file: t('preview.file'),
    face: t('preview.face'),
    record: t('preview.record'),
    video: t('preview.video'),
    forward: t('preview.forward'),
    recalled: t('preview.recalled'),
    unknown: (type) => `[${type}]`
  }
}

export const useChatStore = defineStore('chat', () => {
  const api = useConversationsApi()
  const messagesApi = useMessagesApi()
  const completions = useCompletionsApi()
  const accounts = useAccountsStore()
  const contactsByAccount = reactive<Record<string, Contact[]>>({})
  const activeByAccount = reactive<Record<string, string | null>>({})
  const convs = new Map<string, Conversation>()
  /** Bumped when a conversation is created so computed lookups re-run. */
  const convsVersion = ref(0)
  /** Latest local message per conversation, for list previews and ordering (previews are built when shown). */
  const lastLocal = shallowReactive<Record<string, { message: ChatMessage; time: number }>>({})
  const models = shallowRef<Record<string, ModelGroup[]>>({})
  /** Streaming replies' newest copies, between two re-triggers of their conversation (see above). */
  const live = shallowReactive(new Map<string, ChatMessage>())
  /** Deltas that arrived before their message. */
  const orphanDeltas = new Map<string, StreamDelta>()

  const activeContactId = computed(() => (accounts.active ? (activeByAccount[accounts.active.id] ?? null) : null))
  const activeContact = computed(() => {
    const acc = accounts.active
    if (!acc) return null
    return contactsByAccount[acc.id]?.find((c) => c.id === activeContactId.value) ?? null
  })
  const activeConv = computed(() => {
    void convsVersion.value
    const acc = accounts.active
    if (!acc || !activeContactId.value) return null
    return conv(acc.id, activeContactId.value)
  })

  function conv(accountId: string, contactId: string): Conversation {
    const key = convKey(accountId, contactId)
    let c = convs.get(key)
    if (!c) {
      c = { key, accountId, contactId, messages: shallowRef([]), index: new Map(), state: reactive({ loaded: false, loading: false, hasMore: true, unread: 0, version: 0 }) }
      convs.set(key, c)
      convsVersion.value++
    }
    return c
  }

  function reindex(c: Conversation, from = 0): void {
    const arr = c.messages.value
    for (let i = from; i < arr.length; i++) c.index.set(arr[i]!.id, i)
  }

  function touch(c: Conversation): void {
    c.state.version++
    triggerRef(c.messages)
    // The array now holds the newest copies and rows get them as props again.
    if (live.size) for (const k of [...live.keys()]) if (k.startsWith(`${c.key}\u0001`)) live.delete(k)
  }

  /** The newest copy of a message shown by a row (`message` is what the list last rendered). */
  function current(conversationKey: string, message: ChatMessage): ChatMessage {
    return live.get(liveKey(conversationKey, message.id)) ?? message
  }

  /** Sorted contacts of an account: most recent conversation first. */
  function sortedContacts(accountId: string): Contact[] {
    const list = contactsByAccount[accountId] ?? []
    return list
      .map((c) => ({ c, t: lastTime(accountId, c) }))
      .sort((a, b) => b.t - a.t || a.c.name.localeCompare(b.c.name))
      .map((x) => x.c)
  }

  /** The newest message of a conversation: the local one when it is at least as new as the contact's. */
  function lastEntry(accountId: string, c: Contact): { message?: ChatMessage; preview?: string; time: number } | undefined {
    const local = lastLocal[convKey(accountId, c.id)]
    if (local && (!c.lastMessage || local.time >= c.lastMessage.time)) return local
    return c.lastMessage
  }
  /**
   * List preview and time. Built here from the message, so labels ("[Image]", "[Forwarded messages]",
   * "[recalled]") follow the UI language (read in render, so they update when it changes) and Markdown is
   * reduced to its text; the contact's plain-English `preview` is the fallback for a contact without one.
   */
  function lastOf(accountId: string, c: Contact): { preview: string; time: number } | undefined {
    const last = lastEntry(accountId, c)
    if (!last) return undefined
    return { preview: last.message ? previewMessage(last.message, previewLabels()) : stripMarkdown(last.preview ?? ''), time: last.time }
  }
  function lastTime(accountId: string, c: Contact): number {
    return lastEntry(accountId, c)?.time ?? 0
  }

  function noteLast(accountId: string, m: ChatMessage): void {
    const key = convKey(accountId, m.contactId)
    const prev = lastLocal[key]
    if (prev && prev.time > m.time) return
    lastLocal[key] = { message: m, time: m.time }
  }

  /** Inserts or replaces a message. Returns true when it was new. */
  function upsert(accountId: string, incoming: ChatMessage): boolean {
    const c = conv(accountId, incoming.contactId)
    const arr = c.messages.value
    // A sent message that got its server id replaces its temporary copy in place.
    if (incoming.localId && incoming.localId !== incoming.id) {
      const tmp = c.index.get(incoming.localId)
      if (tmp !== undefined) {
        c.index.delete(incoming.localId)
        if (c.index.get(incoming.id) === undefined) c.index.set(incoming.id, tmp)
        else {
          arr.splice(tmp, 1)
          c.index.clear()
          reindex(c)
        }
      }
    }
    const at = c.index.get(incoming.id)
    let msg = incoming
    const orphan = orphanDeltas.get(incoming.id)
    if (at !== undefined) {
      msg = reconcileMessage(arr[at], incoming)
      if (orphan) {
        orphanDeltas.delete(incoming.id)
        msg = applyDelta(msg, orphan)
      }
      arr[at] = msg
      touch(c)
      if (at === arr.length - 1) noteLast(accountId, msg)
      return false
    }
    if (orphan) {
      orphanDeltas.delete(incoming.id)
      msg = applyDelta(msg, orphan)
    }
    const last = arr[arr.length - 1]
    if (!last || last.time <= msg.time) {
      arr.push(msg)
      c.index.set(msg.id, arr.length - 1)
    } else {
      let lo = 0
      let hi = arr.length
      while (lo < hi) {
        const mid = (lo + hi) >> 1
        if (arr[mid]!.time <= msg.time) lo = mid + 1
        else hi = mid
      }
      arr.splice(lo, 0, msg)
      reindex(c, lo)
    }
    touch(c)
    noteLast(accountId, msg)
    const isActive = accounts.active?.id === accountId && activeByAccount[accountId] === msg.contactId
    if (!msg.self && (!isActive || document.hidden)) c.state.unread++
    return true
  }

  function markRecalled(accountId: string, contactId: string, messageId: string): void {
    const c = conv(accountId, contactId)
    const at = c.index.get(messageId)
    if (at === undefined) return
    const arr = c.messages.value
    arr[at] = { ...arr[at]!, status: 'recalled' }
    touch(c)
    if (at === arr.length - 1) noteLast(accountId, arr[at]!)
  }

  const pushDelta = createFrameBatcher<StreamDelta>((batch) => {
    const touched = new Set<Conversation>()
    for (const d of coalesceDeltas(batch)) {
      const c = conv(d.accountId, d.contactId)
      const at = c.index.get(d.messageId)
      if (at === undefined) {
        const prev = orphanDeltas.get(d.messageId)
        orphanDeltas.set(d.messageId, prev ? mergeDeltas(prev, d) : d)
        continue
      }
      const arr = c.messages.value
      const prev = arr[at]!
      const next = applyDelta(prev, d)
      if (next !== prev) {
        arr[at] = next
        // Only text grew: publish to the row; a status change (start, end) re-renders the list.
        if (next.ai?.status === prev.ai?.status && !touched.has(c)) live.set(liveKey(c.key, next.id), next)
        else touched.add(c)
        if (isTerminal(d.status) && at === arr.length - 1) noteLast(d.accountId, next)
      }
    }
    for (const c of touched) touch(c)
  })

  let wired = false
  function wire(): void {
    if (wired) return
    wired = true
    api.onMessage((p) => upsert(p.accountId, p.message))
    api.onMessageDeleted((p) => markRecalled(p.accountId, p.contactId, p.messageId))
    completions.onStream(pushDelta)
    api.onContacts((p) => {
      contactsByAccount[p.accountId] = p.contacts
    })
  }

  async function loadContacts(accountId: string): Promise<void> {
    wire()
    try {
      contactsByAccount[accountId] = await api.contacts(accountId)
    } catch {
      contactsByAccount[accountId] ??= []
    }
  }

  async function loadHistory(c: Conversation): Promise<void> {
    if (c.state.loading) return
    c.state.loading = true
    try {
      const page = await api.history(c.accountId, c.contactId, undefined, PAGE_SIZE)
      mergePage(c, page)
      c.state.hasMore = page.length >= PAGE_SIZE
      c.state.loaded = true
    } finally {
      c.state.loading = false
    }
  }

  /** Loads the page before the oldest loaded message; returns how many were prepended. */
  async function loadOlder(c: Conversation): Promise<number> {
    if (c.state.loading || !c.state.hasMore) return 0
    const first = c.messages.value[0]
    if (!first) return 0
    c.state.loading = true
    try {
      const page = await api.history(c.accountId, c.contactId, first.time, PAGE_SIZE)
      const fresh = page.filter((m) => !c.index.has(m.id) && m.time <= first.time)
      c.state.hasMore = page.length >= PAGE_SIZE && fresh.length > 0
      if (!fresh.length) return 0
      c.messages.value.unshift(...fresh)
      reindex(c)
      touch(c)
      return fresh.length
    } finally {
      c.state.loading = false
    }
  }

  function mergePage(c: Conversation, page: ChatMessage[]): void {
    const byId = new Map<string, ChatMessage>()
    for (const m of page) byId.set(m.id, m)
    for (const m of c.messages.value) byId.set(m.id, reconcileMessage(byId.get(m.id), m))
    const all = [...byId.values()].sort((a, b) => a.time - b.time)
    c.messages.value = all
    c.index.clear()
    reindex(c)
    touch(c)
    const last = all[all.length - 1]
    if (last) noteLast(c.accountId, last)
  }

  function open(accountId: string, contactId: string): void {
    accounts.select(accountId)
    activeByAccount[accountId] = contactId
    const c = conv(accountId, contactId)
    c.state.unread = 0
    if (!c.state.loaded) void loadHistory(c)
  }

  function unread(accountId: string, contactId: string): number {
    void convsVersion.value
    return convs.get(convKey(accountId, contactId))?.state.unread ?? 0
  }

  function findMessage(accountId: string, contactId: string, id: string): ChatMessage | undefined {
    const c = convs.get(convKey(accountId, contactId))
    const i = c?.index.get(id)
    return i === undefined ? undefined : c!.messages.value[i]
  }

  /** The reply currently streaming in a conversation, if any. */
  function streamingReply(c: Conversation | null): ChatMessage | null {
    if (!c) return null
    void c.state.version
    const arr = c.messages.value
    for (let i = arr.length - 1; i >= Math.max(0, arr.length - 30); i--) {
      const a = arr[i]!.ai
      if (a && (a.status === 'pending' || a.status === 'streaming')) return arr[i]!
    }
    return null
  }

  // ---- actions -------------------------------------------------------------------------------

  async function send(accountId: string, contact: Contact, text: string, segments: Segment[]): Promise<void> {
    if (contact.kind === 'llm') {
      const { userMessage, replyMessage } = await completions.complete(accountId, contact.id, text)
      upsert(accountId, userMessage)
      upsert(accountId, replyMessage)
    } else {
      upsert(accountId, await messagesApi.send(accountId, contact.id, segments))
    }
  }

  /** Sends a Yunhu message (text, Markdown or HTML, optionally quoting one). */
  async function sendYunhu(accountId: string, contactId: string, message: YunhuOutgoing): Promise<void> {
    upsert(accountId, await messagesApi.sendYunhu(accountId, contactId, message))
  }

  async function retry(accountId: string, m: ChatMessage): Promise<void> {
    upsert(accountId, await messagesApi.retry(accountId, m.contactId, m.id))
  }

  async function retryReply(accountId: string, m: ChatMessage): Promise<void> {
    // Reset locally first so deltas of the new attempt apply to a fresh reply.
    const c = conv(accountId, m.contactId)
    const at = c.index.get(m.id)
    if (at !== undefined && m.ai) {
      c.messages.value[at] = { ...m, ai: { ...m.ai, status: 'pending', text: '', reasoning: '', toolCalls: [], error: undefined, errorDetail: undefined } }
      touch(c)
    }
    const { replyMessage } = await completions.retry(accountId, m.contactId, m.id)
    upsert(accountId, replyMessage)
  }

  async function abort(accountId: string, m: ChatMessage): Promise<void> {
    await completions.abort(accountId, m.contactId, m.id)
  }

  async function recall(accountId: string, m: ChatMessage): Promise<void> {
    const kind = accounts.accounts.find((a) => a.id === accountId)?.kind
    if (kind === 'yunhu') await messagesApi.recallYunhu(accountId, m.contactId, m.id)
    else await messagesApi.recall(accountId, m.contactId, m.id)
    markRecalled(accountId, m.contactId, m.id)
  }

  async function forward(accountId: string, fromContactId: string, ids: string[], toContactId: string): Promise<void> {
    // Keep the conversation's order, whatever order the messages were picked in.
    const c = conv(accountId, fromContactId)
    const ordered = [...ids].sort((a, b) => (c.index.get(a) ?? 0) - (c.index.get(b) ?? 0))
    upsert(accountId, await messagesApi.forward(accountId, fromContactId, ordered, toContactId))
  }

  async function loadModels(accountId: string): Promise<ModelGroup[]> {
    try {
      const list = await completions.models(accountId)
      models.value = { ...models.value, [accountId]: list }
      return list
    } catch {
      const fallback = accounts.accounts.find((a) => a.id === accountId)?.login?.models ?? []
      models.value = { ...models.value, [accountId]: fallback }
      return fallback
    }
  }

  async function saveLlm(accountId: string, c: LlmContact): Promise<LlmContact> {
    const saved = await api.saveLlm(accountId, c)
    await loadContacts(accountId)
    return saved
  }

  async function deleteLlm(accountId: string, contactId: string): Promise<void> {
    await api.deleteLlm(accountId, contactId)
    if (activeByAccount[accountId] === contactId) activeByAccount[accountId] = null
    await loadContacts(accountId)
  }

  /** Asks main for a share link/card of a bot contact. */
  function share(accountId: string, contactId: string): Promise<ShareResult> {
    return messagesApi.share(accountId, contactId)
  }

  /** A click on a Yunhu message button that reports back to its bot. */
  async function pressButton(accountId: string, contactId: string, messageId: string, value: string): Promise<void> {
    await messagesApi.pressButton(accountId, contactId, messageId, value)
  }

  return {
    contactsByAccount,
    activeByAccount,
    activeContactId,
    activeContact,
    activeConv,
    models,
    conv,
    sortedContacts,
    lastOf,
    current,
    upsert,
    loadContacts,
    loadHistory,
    loadOlder,
    open,
    unread,
    findMessage,
    streamingReply,
    send,
    sendYunhu,
    retry,
    retryReply,
    abort,
    recall,
    forward,
    loadModels,
    saveLlm,
    deleteLlm,
    share,
    pressButton,
    wire
  }
})
