/** The one stream coalescer: deltas merged per reply, ends flushed at once, bounded checkpoints. */
import { describe, expect, it } from 'vitest'
import { StreamCoalescer, type StreamTarget } from '../../../src/core/accounts/stream-coalescer'
import type { StreamDelta } from '../../../src/shared/api'

const T: StreamTarget = { accountId: 'a', contactId: 'c', messageId: 'm' }
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

describe('StreamCoalescer', () => {
  it('merges the changes of one flush interval into one delta, and flushes the end at once', async () => {
    const out: StreamDelta[] = []
    const s = new StreamCoalescer((d) => out.push(d), { flushMs: 20 })
    s.change(T, { status: 'streaming', textAppend: 'Hel' })
    s.change(T, { status: 'streaming', textAppend: 'lo', reasoningAppend: 'hm' })
    expect(out).toEqual([])
    await sleep(40)
    expect(out).toEqual([{ ...T, status: 'streaming', textAppend: 'Hello', reasoningAppend: 'hm' }])
    s.change(T, { status: 'completed', textAppend: '!', ended: true })
    expect(out[1]).toMatchObject({ status: 'completed', textAppend: '!' })
  })

  it('a replaced text wins over earlier appends and later appends go onto it', async () => {
    const out: StreamDelta[] = []
    const s = new StreamCoalescer((d) => out.push(d), { flushMs: 5 })
    s.change(T, { status: 'streaming', textAppend: 'ab' })
    s.change(T, { status: 'streaming', text: 'xyz' })
    s.change(T, { status: 'streaming', textAppend: '!' })
    await sleep(20)
    expect(out).toEqual([{ ...T, status: 'streaming', textAppend: '', text: 'xyz!', reasoningAppend: '' }])
  })

  it('keeps replies apart and checkpoints a growing reply at most once per interval, never at its end', async () => {
    const out: StreamDelta[] = []
    const checkpoints: string[] = []
    const s = new StreamCoalescer((d) => out.push(d), { flushMs: 2, checkpointMs: 30, checkpoint: (t) => checkpoints.push(t.messageId) })
    const U = { ...T, messageId: 'n' }
    for (let i = 0; i < 20; i++) {
      s.change(T, { status: 'streaming', textAppend: `${i}` })
      s.change(U, { status: 'streaming', textAppend: 'u' })
      await sleep(5)
    }
    s.change(T, { status: 'completed', ended: true })
    const n = checkpoints.filter((x) => x === 'm').length
    expect(n).toBeGreaterThanOrEqual(1)
    expect(n).toBeLessThanOrEqual(5) // ~100 ms of streaming / 30 ms
    expect(out.filter((d) => d.messageId === 'm').map((d) => d.textAppend).join('')).toBe(Array.from({ length: 20 }, (_, i) => i).join(''))
    expect(out.filter((d) => d.messageId === 'n').map((d) => d.textAppend).join('')).toBe('u'.repeat(20))
    const before = checkpoints.length
    s.change(T, { status: 'completed', ended: true })
    expect(checkpoints.length).toBe(before)
  })

  it('forget() drops what is pending without emitting it', async () => {
    const out: StreamDelta[] = []
    const s = new StreamCoalescer((d) => out.push(d), { flushMs: 5 })
    s.change(T, { status: 'streaming', textAppend: 'x' })
    s.forget(T)
    await sleep(20)
    expect(out).toEqual([])
  })
})
