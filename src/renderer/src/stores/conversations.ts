/**
 * The conversations and messages cache: which conversation is open per account, every loaded
 * conversation's messages, history paging, unread counts and the latest message per conversation.
 *
 * Message arrays are kept raw (not deeply reactive): each conversation holds a `shallowRef` array
 * that is mutated in place and re-triggered (`touch`), and every changed message is replaced by a new
 * object, so a 100,000-message conversation costs no proxies and a change re-renders one row.
 * Between two re-triggers a row may read a newer copy of its message from `live` (see `publish`):
 * the stream store (stream.ts) uses it so that a frame that only grows a reply's text re-renders
 * that reply's row and nothing else.
 */
import { useStreamStore } from './stream'
import { defineStore } from 'pinia'
import { computed, reactive, ref, shallowReactive, shallowRef, triggerRef, type ShallowRef } from 'vue'
import type { StreamDelta } from '@shared/api'
import type { ChatMessage } from '@shared/mio'
import { useConversationsApi } from '../composables/useConversationsApi'
import { applyDelta, mergeDeltas, reconcileMessage } from '../lib/stream'
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

export const useConversationsStore = defineStore('conversations', () => {
  const api = useConversationsApi()
  const accounts = useAccountsStore()
  const activeByAccount = reactive<Record<string, string | null>>({})
  const convs = new Map<string, Conversation>()
  /** Bumped when a conversation is created so computed lookups re-run. */
  const convsVersion = ref(0)
  /** Latest local message per conversation, for list previews and ordering (previews are built when shown). */
  const lastLocal = shallowReactive<Record<string, { message: ChatMessage; time: number }>>({})
  /** Messages' newest copies, between two re-triggers of their conversation (see above). */
  const live = shallowReactive(new Map<string, ChatMessage>())
  /** Stream deltas that arrived before their message; applied when it does. */
  const earlyDeltas = new Map<string, StreamDelta>()

  const activeContactId = computed(() => (accounts.active ? (activeByAccount[accounts.active.id] ?? null) : null))
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

  /** Re-triggers a conversation after its array was changed in place: the list and its rows re-render. */
  function touch(c: Conversation): void {
    c.state.version++
    triggerRef(c.messages)
    // The array now holds the newest copies and rows get them as props again.
    if (live.size) for (const k of [...live.keys()]) if (k.startsWith(`${c.key}\u0001`)) live.delete(k)
  }

  /** Shows a newer copy of a message (already stored in the array) to its row only, without re-triggering the conversation. */
  function publish(c: Conversation, message: ChatMessage): void {
    live.set(liveKey(c.key, message.id), message)
  }

  /** The newest copy of a message shown by a row (`message` is what the list last rendered). */
  function current(conversationKey: string, message: ChatMessage): ChatMessage {
    return live.get(liveKey(conversationKey, message.id)) ?? message
  }

  /** The latest local message of a conversation, if any (for list previews and ordering). */
  function lastLocalOf(accountId: string, contactId: string): { message: ChatMessage; time: number } | undefined {
    return lastLocal[convKey(accountId, contactId)]
  }

  function noteLast(accountId: string, m: ChatMessage): void {
    const key = convKey(accountId, m.contactId)
    const prev = lastLocal[key]
    if (prev && prev.time > m.time) return
    lastLocal[key] = { message: m, time: m.time }
  }

  /** Keeps a stream delta whose message is not here yet (merged with any earlier one). */
  function holdEarlyDelta(d: StreamDelta): void {
    const prev = earlyDeltas.get(d.messageId)
    earlyDeltas.set(d.messageId, prev ? mergeDeltas(prev, d) : d)
  }

  function withEarlyDelta(msg: ChatMessage): ChatMessage {
    const early = earlyDeltas.get(msg.id)
    if (!early) return msg
    earlyDeltas.delete(msg.id)
    return applyDelta(msg, early)
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
    if (at !== undefined) {
      const msg = withEarlyDelta(reconcileMessage(arr[at], incoming))
      arr[at] = msg
      touch(c)
      if (at === arr.length - 1) noteLast(accountId, msg)
      return false
    }
    const msg = withEarlyDelta(incoming)
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

  /** Replaces a stored message by a new copy (same id) and re-renders the conversation. */
  function replace(accountId: string, message: ChatMessage): void {
    const c = conv(accountId, message.contactId)
    const at = c.index.get(message.id)
    if (at === undefined) return
    c.messages.value[at] = message
    touch(c)
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

  /** Closes a conversation if it is the one open in its account (e.g. its contact was deleted). */
  function close(accountId: string, contactId: string): void {
    if (activeByAccount[accountId] === contactId) activeByAccount[accountId] = null
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

  let wired = false
  /** Subscribes to the message events main pushes (once). */
  function wire(): void {
    if (wired) return
    wired = true
    // A reply's message whose stream deltas are still queued waits for them (stores/stream.ts).
    api.onMessage((p) => void (useStreamStore().holdFinal(p) || upsert(p.accountId, p.message)))
    api.onMessageDeleted((p) => markRecalled(p.accountId, p.contactId, p.messageId))
  }

  return {
    activeByAccount,
    activeContactId,
    activeConv,
    conv,
    touch,
    publish,
    current,
    lastLocalOf,
    noteLast,
    holdEarlyDelta,
    upsert,
    replace,
    markRecalled,
    loadHistory,
    loadOlder,
    open,
    close,
    unread,
    findMessage,
    streamingReply,
    wire
  }
})
