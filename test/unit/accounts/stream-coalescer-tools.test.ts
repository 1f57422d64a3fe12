/** The coalescer lets no tool-call state go unseen: running then finished within one interval are two events. */
import { describe, expect, it } from 'vitest'
import { StreamCoalescer, type StreamTarget } from '../../../src/core/accounts/stream-coalescer'
import type { StreamDelta } from '../../../src/shared/api'
import type { ToolCall } from '../../../src/shared/mio'

const T: StreamTarget = { accountId: 'a', contactId: 'c', messageId: 'm' }
const call = (state: ToolCall['state']): ToolCall[] => [{ key: 'k1', name: 'clock', state, params: '{}' }]
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

describe('StreamCoalescer and tool-call states', () => {
  it('sends a pending state before the next one replaces it', async () => {
    const out: StreamDelta[] = []
    const s = new StreamCoalescer((d) => out.push(d), { flushMs: 50 })
    s.change(T, { status: 'streaming', textAppend: 'a' })
    s.change(T, { status: 'streaming', toolCalls: call('started') })
    s.change(T, { status: 'streaming', toolCalls: call('running') })
    s.change(T, { status: 'streaming', toolCalls: call('finished') })
    await sleep(80)
    const seen = out.flatMap((d) => (d.toolCalls ?? []).map((c) => c.state))
    expect(seen).toEqual(['started', 'running', 'finished'])
  })
  it('still merges changes that only grow a call’s arguments', async () => {
    const out: StreamDelta[] = []
    const s = new StreamCoalescer((d) => out.push(d), { flushMs: 30 })
    s.change(T, { status: 'streaming', textAppend: 'a' })
    s.change(T, { status: 'streaming', toolCalls: [{ key: 'k1', name: 'clock', state: 'pending', params: '{' }] })
    s.change(T, { status: 'streaming', toolCalls: [{ key: 'k1', name: 'clock', state: 'pending', params: '{}' }] })
    await sleep(60)
    expect(out.length).toBe(2)
    expect(out[1]!.toolCalls![0]!.params).toBe('{}')
  })
})
