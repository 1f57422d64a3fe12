// Fuzzing every Yunhu decoder with random and mutated inputs: only a CodecError or a valid,
// re-encodable result may come out, and quickly.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CodecError, decodeWsFrame, decodeWsPayload, decodeYunhuBody, encodeWsFrame, encodeYunhuBody, yunhuBodyNames } from '../../../src/core/protocols/yunhu/codec/yunhu'
import type { YunhuBodyName, YunhuPushEvent } from '../../../src/shared/yunhu'
import { checkPlain, loadFixtures } from './yunhu-helpers'

const RUNS = 10_000
const SLOW_MS = 250
const fixtures = loadFixtures().map((f) => f.bin)

const PAYLOAD_TYPE: Record<string, string> = {
  push_message: 'PushMessage',
  edit_message: 'PushMessage',
  blocked_message: 'PushMessage',
  stream_message: 'StreamMessage',
  bot_board_message: 'BotBoardMessage',
  draft_input: 'MsgInput',
  live_video_user_hang_up: 'LiveMessage'
}
const KINDS = new Set(['heartbeat_ack', 'invite_apply', 'push_message', 'recall', 'edit_message', 'blocked_message', 'stream_message', 'bot_board_message', 'draft_input', 'live_video_user_hang_up', 'unknown'])

let stats = { ok: 0, errors: 0 }

/** Runs `fn`; returns its result, or undefined when it threw a CodecError. Anything else fails. */
function attempt<T>(label: string, fn: () => T): T | undefined {
  const t0 = performance.now()
  try {
    const r = fn()
    stats.ok++
    return r
  } catch (e) {
    if (!(e instanceof CodecError)) throw new Error(`${label}: threw a non-CodecError: ${String(e)}`)
    if (!e.message || !['truncated', 'invalid'].includes(e.code)) throw new Error(`${label}: bad CodecError ${e.code} ${e.message}`)
    stats.errors++
    return undefined
  } finally {
    const dt = performance.now() - t0
    if (dt > SLOW_MS) {
      // A pathological input is slow every time; a pause of the shared machine (GC, another process) is not:
      // time it once more before calling it slow.
      const t1 = performance.now()
      try {
        fn()
      } catch {
        /* the outcome was checked above */
      }
      const again = performance.now() - t1
      if (again > SLOW_MS) throw new Error(`${label}: took ${dt.toFixed(0)} ms, then ${again.toFixed(0)} ms`)
    }
  }
}

function checkEvent(ev: YunhuPushEvent): void {
  if (!KINDS.has(ev.kind) || typeof ev.seq !== 'string' || typeof ev.cmd !== 'string') throw new Error(`bad event ${JSON.stringify(ev)}`)
  if ('message' in ev) {
    const err = checkPlain(PAYLOAD_TYPE[ev.cmd], ev.message)
    if (err) throw new Error(err)
    if (ev.cmd === 'push_message' && (ev.kind === 'recall') !== ((ev.message as { delete_timestamp?: string }).delete_timestamp !== undefined)) {
      throw new Error('recall kind mismatch')
    }
  }
  // a decoded event re-encodes and decodes back to the same event (type_url aside: it gets a default)
  const again = decodeWsFrame(encodeWsFrame(ev))
  const strip = (e: YunhuPushEvent) => ({ ...e, type_url: undefined })
  expect(strip(again)).toStrictEqual(strip(ev))
}

/** A decoded body with the empty nested messages removed (what the WS fast path gives). */
function withoutEmptyNested(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutEmptyNested)
  if (typeof v !== 'object' || v === null || v instanceof Uint8Array) return v
  const out: Record<string, unknown> = {}
  for (const [k, e] of Object.entries(v)) {
    const w = withoutEmptyNested(e)
    if (typeof w === 'object' && w !== null && !Array.isArray(w) && !(w instanceof Uint8Array) && Object.keys(w).length === 0) continue
    out[k] = w
  }
  return out
}

/** Feeds one input to every decoder. */
function decodeEverything(bytes: Uint8Array): void {
  const ev = attempt('decodeWsFrame', () => decodeWsFrame(bytes))
  if (ev) checkEvent(ev)
  for (const cmd of Object.keys(PAYLOAD_TYPE)) {
    const p = attempt(`decodeWsPayload(${cmd})`, () => decodeWsPayload(cmd, bytes))
    if (p) {
      const err = checkPlain(PAYLOAD_TYPE[cmd], p)
      if (err) throw new Error(err)
      // the specialized WS converters agree with the generic one used for bodies
      // (the WS path drops empty nested messages, which a body keeps as {})
      expect(p).toStrictEqual(withoutEmptyNested(decodeYunhuBody(PAYLOAD_TYPE[cmd] as YunhuBodyName, bytes)))
    }
  }
  for (const name of yunhuBodyNames) {
    const m = attempt(`decodeYunhuBody(${name})`, () => decodeYunhuBody(name, bytes))
    if (m) {
      const err = checkPlain(name, m)
      if (err) throw new Error(err)
      expect(decodeYunhuBody(name, encodeYunhuBody(name as YunhuBodyName, m as never))).toStrictEqual(m)
    }
  }
}

// Mutations of the fixtures: bit flips, byte overwrites, truncation, insertion, deletion, splicing.
type Mutation =
  | { op: 'flip'; at: number; bit: number }
  | { op: 'set'; at: number; value: number }
  | { op: 'truncate'; at: number }
  | { op: 'insert'; at: number; bytes: Uint8Array }
  | { op: 'delete'; at: number; len: number }
  | { op: 'splice'; at: number; other: number; from: number }

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ op: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ op: fc.constant('splice' as const), at: fc.nat(), other: fc.nat(), from: fc.nat() })
)

function mutate(base: Uint8Array, ms: Mutation[]): Uint8Array {
  let b = Uint8Array.from(base)
  for (const m of ms) {
    const at = b.length === 0 ? 0 : m.at % (b.length + 1)
    switch (m.op) {
      case 'flip':
        if (b.length) b[at % b.length] ^= 1 << m.bit
        break
      case 'set':
        if (b.length) b[at % b.length] = m.value
        break
      case 'truncate':
        b = b.slice(0, at)
        break
      case 'insert':
        b = Uint8Array.from([...b.slice(0, at), ...m.bytes, ...b.slice(at)])
        break
      case 'delete':
        b = Uint8Array.from([...b.slice(0, at), ...b.slice(at + m.len)])
        break
      case 'splice': {
        const o = fixtures[m.other % fixtures.length]
        b = Uint8Array.from([...b.slice(0, at), ...o.slice(o.length ? m.from % o.length : 0)])
        break
      }
    }
  }
  return b
}

const mutated = fc
  .tuple(fc.integer({ min: 0, max: fixtures.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 }))
  .map(([i, ms]) => mutate(fixtures[i], ms))

describe('yunhu decoders under fuzzing', () => {
  it(`${RUNS} random byte strings: only CodecError or valid results`, () => {
    stats = { ok: 0, errors: 0 }
    const t0 = performance.now()
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => decodeEverything(bytes)), { numRuns: RUNS, seed: 20260820 })
    const dt = performance.now() - t0
    // both outcomes really happened, so the property is not vacuous
    expect(stats.errors).toBeGreaterThan(RUNS)
    expect(stats.ok).toBeGreaterThan(RUNS)
    expect(dt).toBeLessThan(60_000)
  }, 120_000)

  it(`${RUNS} mutated fixtures (bit flips, truncation, splicing...): only CodecError or valid results`, () => {
    stats = { ok: 0, errors: 0 }
    const t0 = performance.now()
    fc.assert(fc.property(mutated, (bytes) => decodeEverything(bytes)), { numRuns: RUNS, seed: 4242 })
    const dt = performance.now() - t0
    expect(stats.errors).toBeGreaterThan(RUNS)
    expect(stats.ok).toBeGreaterThan(RUNS)
    expect(dt).toBeLessThan(60_000)
  }, 120_000)

  it('mutated WS frames still decode to real events often enough to exercise dispatch', () => {
    const kinds = new Set<string>()
    fc.assert(
      fc.property(mutated, (bytes) => {
        try {
          kinds.add(decodeWsFrame(bytes).kind)
        } catch (e) {
          if (!(e instanceof CodecError)) throw e
        }
      }),
      { numRuns: 2000, seed: 7 }
    )
    for (const k of ['push_message', 'unknown', 'heartbeat_ack', 'stream_message', 'draft_input']) expect(kinds).toContain(k)
  })
})
