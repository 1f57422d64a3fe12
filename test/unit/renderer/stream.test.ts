import { describe, expect, it } from 'vitest'
import type { StreamDelta } from '@shared/api'
import type { ChatMessage } from '@shared/mio'
import { applyDelta, coalesceDeltas, createFrameBatcher, mergeDeltas, reconcileMessage } from '@renderer/lib/stream'

const base = { accountId: 'a', contactId: 'llm:1', messageId: 'm1' }
const d = (p: Partial<StreamDelta>): StreamDelta => ({ ...base, status: 'streaming', textAppend: '', reasoningAppend: '', ...p })
const msg = (): ChatMessage => ({
  id: 'm1',
  contactId: 'llm:1',
  self: false,
  time: 1,
  segments: [],
  status: 'sent',
  ai: { requestId: 1, status: 'pending', text: '', reasoning: '', toolCalls: [] }
})

describe('stream deltas', () => {
  it('merges text and keeps the latest status and tool calls', () => {
    const tc = [{ key: 'k', name: 'clock', state: 'running' as const, params: '{}' }]
    const m = mergeDeltas(d({ textAppend: 'a', toolCalls: tc }), d({ textAppend: 'b', reasoningAppend: 'r', status: 'completed' }))
    expect(m.textAppend).toBe('ab')
    expect(m.reasoningAppend).toBe('r')
    expect(m.status).toBe('completed')
    expect(m.toolCalls).toBe(tc)
  })
  it('applies deltas immutably and ignores deltas after a terminal state', () => {
    const m0 = msg()
    const m1 = applyDelta(m0, d({ textAppend: 'Hel' }))
    const m2 = applyDelta(m1, d({ textAppend: 'lo', status: 'completed' }))
    expect(m0.ai!.text).toBe('')
    expect(m2.ai!.text).toBe('Hello')
    expect(applyDelta(m2, d({ textAppend: '!!' }))).toBe(m2)
  })
  it('grows the body part of a message that streams without being a model reply (Yunhu), keeping its quote', () => {
    const m0: ChatMessage = { id: 'y1', contactId: 'g', self: false, time: 1, status: 'sent', segments: [{ type: 'reply', data: { id: 'q' } }, { type: 'markdown', data: { text: '**Hel' } }] }
    const m1 = applyDelta(m0, d({ messageId: 'y1', textAppend: 'lo**' }))
    expect(m1.segments).toEqual([{ type: 'reply', data: { id: 'q' } }, { type: 'markdown', data: { text: '**Hello**' } }])
    expect(m1.ai).toBeUndefined()
    expect(m0.segments[1]!.data.text).toBe('**Hel')
    const html: ChatMessage = { ...m0, segments: [{ type: 'html', data: { html: '<b>a' } }] }
    expect(applyDelta(html, d({ text: '<b>ab</b>' })).segments[0]!.data.html).toBe('<b>ab</b>')
  })
  it('coalesces per message in arrival order', () => {
    const out = coalesceDeltas([d({ textAppend: '1' }), d({ messageId: 'm2', textAppend: 'x' }), d({ textAppend: '2' })])
    expect(out.map((o) => [o.messageId, o.textAppend])).toEqual([
      ['m1', '12'],
      ['m2', 'x']
    ])
  })
  it('does not roll back streamed text when a stale full message arrives', () => {
    const streamed = applyDelta(msg(), d({ textAppend: 'Hello' }))
    const kept = reconcileMessage(streamed, msg())
    expect(kept.ai!.text).toBe('Hello')
    const final = { ...msg(), ai: { ...msg().ai!, status: 'completed' as const, text: 'Hello world' } }
    expect(reconcileMessage(streamed, final).ai!.text).toBe('Hello world')
  })
  it('batches items into one flush per frame', () => {
    const flushed: number[][] = []
    let cb: (() => void) | undefined
    const push = createFrameBatcher<number>((items) => flushed.push(items), (f) => (cb = f))
    push(1)
    push(2)
    push(3)
    expect(flushed).toEqual([])
    cb!()
    expect(flushed).toEqual([[1, 2, 3]])
  })
})

describe('whole-text replacement deltas', () => {
  it('a delta with `text` replaces the reply text, and later appends build on it', async () => {
    const { applyDelta, mergeDeltas } = await import('@renderer/lib/stream')
    const base = { accountId: 'a', contactId: 'c', messageId: 'm', status: 'streaming' as const, reasoningAppend: '' }
    const msg = { id: 'm', contactId: 'c', self: false, time: 1, segments: [], status: 'sent' as const, ai: { requestId: 'r', status: 'streaming' as const, text: 'ac', reasoning: '', toolCalls: [] } }
    const merged = mergeDeltas({ ...base, textAppend: '', text: 'abc' }, { ...base, textAppend: 'd' })
    expect(merged.text).toBe('abcd')
    expect(applyDelta(msg, merged).ai!.text).toBe('abcd')
    expect(applyDelta(msg, { ...base, textAppend: 'x' }).ai!.text).toBe('acx')
  })
})
