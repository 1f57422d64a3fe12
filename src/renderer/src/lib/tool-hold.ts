/**
 * Every state of a tool call is shown for at least one frame. A server may send `running` and `finished`
 * within milliseconds (the real one does); applied in the same frame, the chip would jump from `started`
 * to `finished` and the user never sees it run. So one frame's deltas are split: once a call of a reply
 * has changed state in this frame, a delta that changes it again — and every later delta of that reply,
 * to keep their order — waits for the next frame. Each reply thus has a small queue of the states still
 * to show, one step per frame.
 */
import type { StreamDelta } from '@shared/api'
import type { ToolCall, ToolCallState } from '@shared/mio'

const replyKey = (d: StreamDelta): string => `${d.accountId}\u0000${d.contactId}\u0000${d.messageId}`

/**
 * `now`: the deltas to apply in this frame; `later`: those to apply in the next one (in order).
 * `current` gives a reply's tool calls as shown before this frame (undefined: not known yet).
 */
export function holdToolStates(batch: StreamDelta[], current: (d: StreamDelta) => readonly ToolCall[] | undefined): { now: StreamDelta[]; later: StreamDelta[] } {
  const now: StreamDelta[] = []
  const later: StreamDelta[] = []
  const states = new Map<string, Map<string, ToolCallState>>()
  const moved = new Map<string, Set<string>>()
  const waiting = new Set<string>()
  for (const d of batch) {
    const k = replyKey(d)
    if (waiting.has(k)) {
      later.push(d)
      continue
    }
    if (d.toolCalls) {
      let shown = states.get(k)
      if (!shown) states.set(k, (shown = new Map((current(d) ?? []).map((c) => [c.key, c.state]))))
      let changed = moved.get(k)
      if (!changed) moved.set(k, (changed = new Set()))
      const flips = d.toolCalls.filter((c) => shown.get(c.key) !== c.state)
      if (flips.some((c) => changed.has(c.key))) {
        waiting.add(k)
        later.push(d)
        continue
      }
      for (const c of flips) {
        changed.add(c.key)
        shown.set(c.key, c.state)
      }
    }
    now.push(d)
  }
  return { now, later }
}
