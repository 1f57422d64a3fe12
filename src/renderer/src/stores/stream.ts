/**
 * Streamed AI replies: `stream` deltas are queued and applied to the conversations cache at most once
 * per animation frame, coalesced per reply. A frame that only grows a reply's text (no status change)
 * does not re-trigger the conversation: the new copy is published to that message's row only
 * (conversations.publish), so neither the list nor any other row re-renders. A status change (start,
 * end) re-renders the conversation. Deltas that arrive before their message wait in the cache
 * (conversations.holdEarlyDelta) and are applied when the message does.
 *
 * Nothing here is reactive per chunk: the queue is a plain array and the work happens in the frame.
 */
import { defineStore } from 'pinia'
import type { MainEvents, StreamDelta } from '@shared/api'
import { useCompletionsApi } from '../composables/useCompletionsApi'
import { applyDelta, coalesceDeltas, createFrameBatcher, isTerminal } from '../lib/stream'
import { holdToolStates } from '../lib/tool-hold'
import { useConversationsStore, type Conversation } from './conversations'

export const useStreamStore = defineStore('stream', () => {
  const api = useCompletionsApi()
  const conversations = useConversationsStore()

  const replyKey = (accountId: string, contactId: string, messageId: string): string => `${accountId}\u0000${contactId}\u0000${messageId}`
  /** Deltas queued and not applied yet, per reply. */
  const queued = new Map<string, number>()
  /** A reply's whole message that came while deltas of it were still queued: applied after them. */
  const finals = new Map<string, MainEvents['message']>()

  /** Applies one frame's deltas. */
  function applyBatch(all: StreamDelta[]): void {
    // A tool call changes state at most once a frame (each state is seen); the rest waits for the next frame.
    const { now: batch, later } = holdToolStates(all, (d) => {
      const c = conversations.conv(d.accountId, d.contactId)
      const at = c.index.get(d.messageId)
      return at === undefined ? undefined : c.messages.value[at]?.ai?.toolCalls
    })
    for (const d of batch) {
      const k = replyKey(d.accountId, d.contactId, d.messageId)
      const n = (queued.get(k) ?? 1) - 1
      if (n > 0) queued.set(k, n)
      else queued.delete(k)
    }
    const touched = new Set<Conversation>()
    for (const d of coalesceDeltas(batch)) {
      const c = conversations.conv(d.accountId, d.contactId)
      const at = c.index.get(d.messageId)
      if (at === undefined) {
        conversations.holdEarlyDelta(d)
        continue
      }
      const arr = c.messages.value
      const prev = arr[at]!
      const next = applyDelta(prev, d)
      if (next !== prev) {
        arr[at] = next
        // Only text grew: publish to the row; a status change (start, end) re-renders the list.
        if (next.ai?.status === prev.ai?.status && !touched.has(c)) conversations.publish(c, next)
        else touched.add(c)
        if (isTerminal(d.status) && at === arr.length - 1) conversations.noteLast(d.accountId, next)
      }
    }
    for (const c of touched) conversations.touch(c)
    // Still counted as queued: back into the queue for the next frame.
    for (const d of later) batcher(d)
    for (const [k, p] of finals) {
      if (queued.has(k)) continue
      finals.delete(k)
      conversations.upsert(p.accountId, p.message)
    }
  }

  const batcher = createFrameBatcher<StreamDelta>(applyBatch)
  function push(d: StreamDelta): void {
    const k = replyKey(d.accountId, d.contactId, d.messageId)
    queued.set(k, (queued.get(k) ?? 0) + 1)
    batcher(d)
  }

  /**
   * A message event for a reply whose deltas are still queued (its end came within the frame): kept, and
   * applied after them, so that the states they carry are each shown (a tool call's `running`). False: apply it now.
   */
  function holdFinal(p: MainEvents['message']): boolean {
    const k = replyKey(p.accountId, p.message.contactId, p.message.id)
    if (!queued.has(k)) return false
    finals.set(k, p)
    return true
  }

  let wired = false
  /** Subscribes to the `stream` event (once). */
  function wire(): void {
    if (wired) return
    wired = true
    api.onStream(push)
  }

  return { push, wire, holdFinal }
})
