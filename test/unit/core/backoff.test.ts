import { describe, expect, it } from 'vitest'
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from '../../../src/core/transport/backoff'

const O: BackoffOptions = { baseMs: 100, maxMs: 5000, factor: 2, jitter: 0.5 }

describe('backoffDelay', () => {
  it('grows exponentially without jitter', () => {
    const o = { ...O, jitter: 0 }
    expect([0, 1, 2, 3, 4].map((a) => backoffDelay(a, o))).toEqual([100, 200, 400, 800, 1600])
  })

  it('is capped at maxMs, also for huge attempt numbers', () => {
    const o = { ...O, jitter: 0 }
    expect(backoffDelay(6, o)).toBe(5000)
    expect(backoffDelay(50, o)).toBe(5000)
    expect(backoffDelay(100_000, o)).toBe(5000)
    for (let a = 0; a < 200; a++) expect(backoffDelay(a, O)).toBeLessThanOrEqual(5000)
  })

  it('treats a negative attempt as the first', () => {
    expect(backoffDelay(-3, { ...O, jitter: 0 })).toBe(100)
  })

  it('keeps the jitter within [exp·(1−jitter), exp]', () => {
    for (let a = 0; a < 10; a++) {
      const exp = Math.min(O.maxMs, O.baseMs * 2 ** a)
      expect(backoffDelay(a, O, () => 0)).toBe(Math.round(exp * 0.5))
      expect(backoffDelay(a, O, () => 0.999999)).toBe(Math.round(exp * 0.5 + 0.999999 * exp * 0.5))
      for (let i = 0; i < 50; i++) {
        const d = backoffDelay(a, O)
        expect(d).toBeGreaterThanOrEqual(Math.floor(exp * 0.5))
        expect(d).toBeLessThanOrEqual(exp)
      }
    }
  })

  it('is deterministic with an injected random source', () => {
    const seq = (): (() => number) => {
      let s = 0.1
      return () => (s = (s * 7.3) % 1)
    }
    const r1 = seq()
    const r2 = seq()
    const a = [0, 1, 2, 3, 4, 5].map((n) => backoffDelay(n, O, r1))
    const b = [0, 1, 2, 3, 4, 5].map((n) => backoffDelay(n, O, r2))
    expect(a).toEqual(b)
    expect(backoffDelay(2, O, () => 0.25)).toBe(Math.round(400 * 0.5 + 0.25 * 400 * 0.5))
  })

  it('has sane defaults (0.5 s first, 30 s cap)', () => {
    expect(backoffDelay(0, DEFAULT_BACKOFF, () => 1)).toBe(500)
    expect(backoffDelay(40, DEFAULT_BACKOFF, () => 1)).toBe(30_000)
    expect(backoffDelay(40, DEFAULT_BACKOFF, () => 0)).toBe(15_000)
  })
})
