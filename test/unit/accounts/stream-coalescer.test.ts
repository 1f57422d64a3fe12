/** The one stream coalescer: deltas merged per reply, ends flushed at once, bounded checkpoints. */
import { describe, expect, it } from 'vitest'
import { StreamCoalescer, type StreamTarget } from '../../../src/core/accounts/stream-coalescer'
import type { StreamDelta } from '../../../src/shared/api'

const T: StreamTarget = { accountId: 'a', contactId: 'c', messageId: 'm' }
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

describe('StreamCoalescer', () => {
  it('sends a change after a quiet interval at once, merges the rest of the interval into one delta, and flushes the end at once', async () => {
    const out: StreamDelta[] = []
    const s = new StreamCoalescer((d) => out.push(d), { flushMs: 20 })
    s.change(T, { status: 'streaming', textAppend: 'He' })
    // Leading edge: the first words are not held back.
    expect(out).toEqual([{ ...T, status: 'streaming', textAppend: 'He', reasoningAppend: '' }])
    s.change(T, { status: 'streaming', textAppend: 'l' })
    s.change(T, { status: 'streaming', textAppend: 'lo', reasoningAppend: 'hm' })
    expect(out.length).toBe(1)
    while (out.length < 2) await sleep(2)
    expect(out[1]).toEqual({ ...T, status: 'streaming', textAppend: 'llo', reasoningAppend: 'hm' })
    // A whole interval went by: the next change goes at once again.
    await sleep(25)
    s.change(T, { status: 'streaming', textAppend: ' w' })
    expect(out[2]).toMatchObject({ textAppend: ' w' })
    s.change(T, { status: 'streaming', textAppend: 'orld' })
    s.change(T, { status: 'completed', textAppend: '!', ended: true })
    expect(out[3]).toMatchObject({ status: 'completed', textAppend: 'orld!' })
    expect(out.length).toBe(4)
  })

  it('never sends two events of one reply less than an interval apart while it grows', async () => {
    const times: number[] = []
    const s = new StreamCoalescer(() => times.push(performance.now()), { flushMs: 10 })
    for (let i = 0; i < 60; i++) {
      s.change(T, { status: 'streaming', textAppend: 'x' })
      await sleep(2)
    }
    await sleep(30)
    // Node's timer clock has whole milliseconds: a timer may fire up to one early by performance.now().
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(9)
    expect(times.length).toBeGreaterThan(3)
  })

  it('a replaced text wins over earlier appends and later appends go onto it', async () => {
    const out: StreamDelta[] = []
    const s = new StreamCoalescer((d) => out.push(d), { flushMs: 5 })
    s.change(T, { status: 'streaming', textAppend: '>' })
    s.change(T, { status: 'streaming', textAppend: 'ab' })
    s.change(T, { status: 'streaming', text: 'xyz' })
    s.change(T, { status: 'streaming', textAppend: '!' })
    await sleep(20)
    expect(out).toEqual([
      { ...T, status: 'streaming', textAppend: '>', reasoningAppend: '' },
      { ...T, status: 'streaming', textAppend: '', text: 'xyz!', reasoningAppend: '' }
    ])
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
    s.change(T, { status: 'streaming', textAppend: 'y' })
    s.forget(T)
    await sleep(20)
    expect(out.map((d) => d.textAppend)).toEqual(['x'])
  })
})
