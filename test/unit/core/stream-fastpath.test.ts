/**
 * ReplyAssembler.apply takes a fast path for the next in-order text chunk and hands every other frame
 * to the general path. Property: for any sequence of frames (both dialects, duplicates, gaps, late
 * chunks, choice-style indices, tool calls, reasoning, refusals, terminal frames), applying them with
 * `apply` gives the same reply and the same change reports as applying every one through the general
 * path alone.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ReplyAssembler, type ApplyResult } from '../../../src/core/protocols/mio/stream'
import type { Json } from '../../../src/core/protocols/mio/frames'

const general = (a: ReplyAssembler, f: Json): ApplyResult => (a as unknown as { applyGeneral(f: Json): ApplyResult }).applyGeneral(f)

const toolCall = fc.record(
  {
    name: fc.constantFrom('calc', 'bash', ''),
    id: fc.constantFrom('c1', 'c2', ''),
    action: fc.constantFrom('started', 'pending', 'running', 'finished', 'failed', 'bogus'),
    params: fc.oneof(fc.constantFrom('{"a":', '1}', ''), fc.constant({ a: 1 })),
    result: fc.oneof(fc.constant(''), fc.constant({ error: null, result: 3 }), fc.constant('Error: no'))
  },
  { requiredKeys: ['action'] }
)

const data = fc.oneof(
  { weight: 8, arbitrary: fc.record(
    {
      chunk: fc.oneof({ weight: 6, arbitrary: fc.constantFrom('a', 'bc', ' d', 'ef\n') }, fc.constant(''), fc.constant(5), fc.constant(null)),
      index: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 8 }) }, fc.constantFrom(-1, 1.5, '2', null)),
      tool_call: fc.oneof({ weight: 4, arbitrary: fc.constant(null) }, toolCall),
      reasoning_content: fc.constantFrom('', 'think', undefined),
      reason: fc.constantFrom('quota', ''),
      error: fc.constantFrom('Error: boom\n  at x', undefined)
    },
    { requiredKeys: ['chunk'] }
  ) },
  fc.constantFrom(null, 'text', [1, 2], undefined)
)

const frame: fc.Arbitrary<Json> = fc
  .record(
    {
      message: fc.oneof({ weight: 10, arbitrary: fc.constant('update') }, fc.constantFrom('pending', 'completed', 'failed', 'other')),
      code: fc.oneof({ weight: 6, arbitrary: fc.constant(0) }, fc.constantFrom(undefined, '0', 1, 500)),
      protocol: fc.constantFrom('openai', undefined),
      data
    },
    { requiredKeys: ['message'] }
  )
  .map((f) => ({ request_id: 'r', ...f }) as Json)

/**
 * Mostly well-formed streams: in-order indices with the odd exact repeat, gap or late chunk, tool
 * calls and reasoning in between (so the reply may be streaming before its first counted chunk).
 */
const counted: fc.Arbitrary<Json[]> = fc
  .array(fc.tuple(fc.constantFrom('a', 'b ', 'cd'), fc.constantFrom('next', 'next', 'next', 'repeat', 'skip', 'late', 'tool', 'think', 'bare')), { maxLength: 60 })
  .map((steps) => {
    const out: Json[] = [{ request_id: 'r', code: 0, message: 'pending', data: {} }]
    let i = 0
    let last: Json | undefined
    for (const [chunk, op] of steps) {
      let d: Json
      if (op === 'repeat' && last) d = { ...last }
      else if (op === 'tool') d = { index: i++, chunk: '', tool_call: { name: 't', id: 'c1', action: 'pending', params: 'p' } }
      else if (op === 'think') d = { chunk: '', reasoning_content: 'hm', tool_call: null }
      else if (op === 'bare') d = { chunk, tool_call: null }
      else {
        if (op === 'skip') i++
        const index = op === 'late' ? Math.max(0, i - 2) : i++
        d = { index, chunk, tool_call: null }
        last = d
      }
      out.push({ request_id: 'r', code: 0, message: 'update', data: d })
    }
    return out
  })

function run(frames: Json[], fast: boolean): { reply: unknown; changes: unknown[] } {
  const a = new ReplyAssembler('r')
  const changes = frames.map((f) => ({ ...(fast ? a.apply(f) : general(a, f)) }))
  return { reply: structuredClone(a.reply), changes }
}

describe('ReplyAssembler fast path', () => {
  it('gives the same reply and changes as the general path, for any frames', () => {
    fc.assert(
      fc.property(fc.array(frame, { maxLength: 40 }), (frames) => {
        expect(run(frames, true)).toEqual(run(frames, false))
      }),
      { numRuns: 2000 }
    )
  })

  it('gives the same reply and changes as the general path, for counted streams with gaps and duplicates', () => {
    fc.assert(
      fc.property(counted, (frames) => {
        expect(run(frames, true)).toEqual(run(frames, false))
      }),
      { numRuns: 1000 }
    )
  })

  it('takes the fast path for in-order chunks of either dialect (the change object is reused)', () => {
    for (const withIndex of [true, false]) {
      const a = new ReplyAssembler('r')
      a.apply({ request_id: 'r', message: 'update', data: withIndex ? { index: 0, chunk: 'a' } : { chunk: 'a' } })
      const first = a.apply({ request_id: 'r', message: 'update', data: withIndex ? { index: 1, chunk: 'b' } : { chunk: 'b' } })
      const second = a.apply({ request_id: 'r', message: 'update', data: withIndex ? { index: 2, chunk: 'c' } : { chunk: 'c' } })
      expect(second).toBe(first)
      expect(second).toEqual({ changed: true, textAppend: 'c', reasoningAppend: '', toolCallsChanged: false, textReplaced: false, ended: false })
      expect(a.reply.text).toBe('abc')
    }
  })
})
