import { describe, expect, it } from 'vitest'
import { restartTimer } from '../../../src/core/protocols/mio/timer'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('restartTimer (the per-frame idle timeout)', () => {
  it('re-arms the same timer from now: it fires once, ms after the last restart', async () => {
    let fired = 0
    const fn = () => fired++
    let t = restartTimer(undefined, fn, 60)
    const first = t
    for (let i = 0; i < 4; i++) {
      await sleep(30)
      t = restartTimer(t, fn, 60)
      expect(t).toBe(first)
    }
    expect(fired).toBe(0)
    await sleep(120)
    expect(fired).toBe(1)
  })

  it('replaces a timer that was cleared or has fired (refresh would not revive it)', async () => {
    let fired = 0
    const fn = () => fired++
    const cleared = restartTimer(undefined, fn, 20)
    clearTimeout(cleared)
    const t = restartTimer(cleared, fn, 20)
    expect(t).not.toBe(cleared)
    await sleep(60)
    expect(fired).toBe(1)
    const again = restartTimer(t, fn, 20)
    expect(again).not.toBe(t)
    await sleep(60)
    expect(fired).toBe(2)
  })

  it('clears and sets when the timer has no refresh()', async () => {
    let fired = 0
    const fake = 12345 as unknown as ReturnType<typeof setTimeout>
    const t = restartTimer(fake, () => fired++, 10)
    expect(t).not.toBe(fake)
    await sleep(40)
    expect(fired).toBe(1)
  })
})
