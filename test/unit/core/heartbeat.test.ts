import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { HeartbeatLoop } from '../../../src/core/transport/heartbeat'

describe('HeartbeatLoop', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  function loop(answer: () => Promise<unknown>) {
    const dead = vi.fn()
    const answered = vi.fn()
    const beat = vi.fn(answer)
    const l = new HeartbeatLoop({ intervalMs: 1000, maxMissed: 2, beat, onAnswer: answered, onDead: dead })
    return { l, dead, answered, beat }
  }

  it('beats at once and every interval; answered beats never count as missed', async () => {
    const { l, dead, answered, beat } = loop(() => Promise.resolve())
    l.start()
    expect(beat).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(5000)
    expect(beat).toHaveBeenCalledTimes(6)
    expect(answered).toHaveBeenCalledTimes(6)
    expect(dead).not.toHaveBeenCalled()
    l.stop()
  })

  it('two unanswered beats in a row: dead once, and the loop stops', async () => {
    const { l, dead, beat } = loop(() => new Promise(() => {}))
    l.start()
    await vi.advanceTimersByTimeAsync(1000)
    expect(dead).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(1000)
    expect(dead).toHaveBeenCalledWith(2)
    expect(l.running).toBe(false)
    await vi.advanceTimersByTimeAsync(5000)
    expect(dead).toHaveBeenCalledTimes(1)
    expect(beat).toHaveBeenCalledTimes(2)
  })

  it('any frame from the server (alive) clears the count', async () => {
    const { l, dead } = loop(() => new Promise(() => {}))
    l.start()
    for (let i = 0; i < 10; i++) {
      await vi.advanceTimersByTimeAsync(1000)
      l.alive()
    }
    expect(dead).not.toHaveBeenCalled()
    l.stop()
  })

  it('an answer from before a restart is ignored', async () => {
    let resolveFirst!: () => void
    const answers = [new Promise<void>((r) => (resolveFirst = r)), new Promise<void>(() => {})]
    let n = 0
    const { l, answered } = loop(() => answers[Math.min(n++, 1)])
    l.start()
    l.start()
    resolveFirst()
    await vi.advanceTimersByTimeAsync(0)
    expect(answered).not.toHaveBeenCalled()
    l.stop()
  })
})
