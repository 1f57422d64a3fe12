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
import type { StreamDelta } from '@shared/api'
import { useCompletionsApi } from '../composables/useCompletionsApi'
import { applyDelta, coalesceDeltas, createFrameBatcher, isTerminal } from '../lib/stream'
import { holdToolStates } from '../lib/tool-hold'
import { useConversationsStore, type Conversation } from './conversations'

export const useStreamStore = defineStore('stream', () => {
  const api = useCompletionsApi()
  const conversations = useConversationsStore()

  /** Applies one frame's deltas. */
  function applyBatch(all: StreamDelta[]): void {
    // A tool call changes state at most once a frame (each state is seen); the rest waits for the next frame.
    const { now: batch, later } = holdToolStates(all, (d) => {
      const c = conversations.conv(d.accountId, d.contactId)
      const at = c.index.get(d.messageId)
      return at === undefined ? undefined : c.messages.value[at]?.ai?.toolCalls
    })
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
    for (const d of later) push(d)
  }

  const push = createFrameBatcher<StreamDelta>(applyBatch)

  let wired = false
  /** Subscribes to the `stream` event (once). */
  function wire(): void {
    if (wired) return
    wired = true
    api.onStream(push)
  }

  return { push, wire }
})
