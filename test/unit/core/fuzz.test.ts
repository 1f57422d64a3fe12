/**
 * Property tests: random strings and mutated recorded server frames thrown at the decoder and at a
 * live MioClient's frame handler. Nothing may throw or escape; the client stays online and usable.
 */
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeFrame, type Json } from '../../../src/core/protocols/mio/frames'
import { MioClient } from '../../../src/core/protocols/mio/client'
import { createMemoryLogger } from '../../../src/core/log'
import { allRecvFrames } from '../../helpers/transcripts'
import { fieldServer, startFakeServer, waitFor, type FakeServer } from '../../helpers/fake-server'

const RECORDED = allRecvFrames()
const KINDS = new Set(['login-push', 'onebot-message', 'onebot-delete', 'response', 'bad'])

type Op = 'drop' | 'replace' | 'wrongType' | 'huge' | 'nest' | 'hostile' | 'idType' | 'empty'
interface Mutation {
  path: number[]
  op: Op
  value: unknown
  n: number
}

function deepWrap(v: unknown, depth: number, asArray: boolean): unknown {
  let out = v
  for (let i = 0; i < depth; i++) out = asArray ? [out] : { a: out }
  return out
}

function wrongType(v: unknown): unknown {
  if (typeof v === 'string') return 42
  if (typeof v === 'number') return String(v)
  if (typeof v === 'boolean') return 'true'
  if (v === null) return 'null'
  if (Array.isArray(v)) return { 0: v[0] }
  return [v]
}

function huge(n: number): unknown {
  switch (n % 6) {
    case 0:
      return 'x'.repeat(20_000 + (n % 1000))
    case 1:
      return 1e308
    case 2:
      return Number.MAX_SAFE_INTEGER + 2
    case 3:
      return Array.from({ length: 5000 }, (_, i) => i)
    case 4:
      return -1
    default:
      return Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`k${i}`, i]))
  }
}

/** Applies JSON mutations at pseudo-random paths of a copy of `frame`. */
export function mutate(frame: Json, muts: Mutation[]): Json {
  const root = structuredClone(frame) as Record<string, unknown>
  for (const m of muts) {
    let parent: Record<string, unknown> | unknown[] = root
    let key: string | number | undefined
    for (const step of m.path) {
      const keys: (string | number)[] = Array.isArray(parent) ? parent.map((_, i) => i) : Object.keys(parent)
      if (keys.length === 0) break
      key = keys[step % keys.length]!
      const child: unknown = (parent as Record<string | number, unknown>)[key]
      if (child && typeof child === 'object' && m.path.indexOf(step) < m.path.length - 1) parent = child as Record<string, unknown>
      else break
    }
    if (key === undefined) {
      const keys = Object.keys(root)
      key = keys.length ? keys[m.n % keys.length]! : 'data'
      parent = root
    }
    const p = parent as Record<string | number, unknown>
    const cur = p[key]
    switch (m.op) {
      case 'drop':
        if (Array.isArray(parent) && typeof key === 'number') parent.splice(key, 1)
        else delete p[key]
        break
      case 'replace':
        p[key] = m.value
        break
      case 'wrongType':
        p[key] = wrongType(cur)
        break
      case 'huge':
        p[key] = huge(m.n)
        break
      case 'nest':
        p[key] = deepWrap(cur ?? m.value, 50 + (m.n % 1500), m.n % 2 === 0)
        break
      case 'hostile':
        p[key] = m.n % 2 ? { toString: 1, valueOf: {} } : { toString: {}, valueOf: 2, toJSON: 3 }
        break
      case 'idType':
        p.request_id = typeof p.request_id === 'number' ? String(p.request_id) : m.n % 2 ? 0 : 'x'.repeat(m.n % 400)
        break
      case 'empty':
        p[key] = m.n % 3 === 0 ? {} : m.n % 3 === 1 ? [] : ''
        break
    }
  }
  return root
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  path: fc.array(fc.nat(50), { minLength: 1, maxLength: 5 }),
  op: fc.constantFrom<Op>('drop', 'replace', 'wrongType', 'huge', 'nest', 'hostile', 'idType', 'empty'),
  value: fc.jsonValue({ maxDepth: 3 }),
  n: fc.nat(100_000)
})

const mutatedFrameText: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(...RECORDED), fc.array(mutation, { minLength: 1, maxLength: 4 }))
  .map(([f, ms]) => JSON.stringify(mutate(f, ms)))

const randomText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.string({ unit: 'grapheme-ascii', maxLength: 300 }),
  fc.json({ maxDepth: 4 })
)

describe('decodeFrame under fire', () => {
  it('the transcripts give frames to mutate', () => {
    expect(RECORDED.length).toBeGreaterThan(100)
  })

  it('the mutator really changes frames', () => {
    const f = RECORDED[0]!
    expect(mutate(f, [{ path: [0], op: 'drop', value: null, n: 0 }])).not.toEqual(f)
    expect(JSON.stringify(mutate(f, [{ path: [3], op: 'nest', value: null, n: 10 }])).length).toBeGreaterThan(JSON.stringify(f).length)
  })

  it('10,000 random strings: never throws, always a known kind', () => {
    fc.assert(
      fc.property(randomText, (s) => {
        const d = decodeFrame(s)
        return KINDS.has(d.kind)
      }),
      { numRuns: 10_000 }
    )
  })

  it('10,000 mutated recorded frames: never throws, always a known kind', () => {
    fc.assert(
      fc.property(mutatedFrameText, (s) => {
        const d = decodeFrame(s)
        return KINDS.has(d.kind)
      }),
      { numRuns: 10_000 }
    )
  })
})

describe('a live MioClient under fire', () => {
  let server: FakeServer
  let client: MioClient
  const log = createMemoryLogger()

  beforeAll(async () => {
    server = await startFakeServer(fieldServer())
    client = new MioClient({ server: server.url, id: '15432', token: 'dummy-user-code', heartbeatIntervalMs: 60_000, logger: log })
    await client.connect()
  })

  afterAll(async () => {
    client.stop()
    await server.close()
  })

  const handler = (): ((data: string, isBinary: boolean) => void) => {
    const c = client as unknown as { onFrame(data: string, isBinary: boolean): void }
    return (d, b) => c.onFrame(d, b)
  }

  it('10,000 random strings and 10,000 mutated frames at the frame handler: nothing throws, still online', async () => {
    const onFrame = handler()
    let messages = 0
    client.on('message', () => messages++)
    fc.assert(
      fc.property(randomText, (s) => {
        onFrame(s, false)
      }),
      { numRuns: 10_000 }
    )
    fc.assert(
      fc.property(mutatedFrameText, fc.boolean(), (s, binary) => {
        onFrame(s, binary && s.length % 7 === 0)
      }),
      { numRuns: 10_000 }
    )
    expect(client.droppedFrames).toBeGreaterThan(1000)
    expect(messages).toBeGreaterThan(0)
    expect(client.status.state).toBe('online')
    expect(client.dialect).toBe('field')
    expect(await client.ping()).toBeGreaterThanOrEqual(0)
    await expect(client.sendMessage('15432', [{ type: 'text', data: { text: 'still here' } }])).resolves.toMatch(/^\d+$/)
    expect(server.unsafe).toEqual([])
  })

  it('the same over the wire: 2,000 + 2,000 frames pushed by the server; nothing escapes the socket', async () => {
    const conn = server.conns[0]!
    const before = client.droppedFrames
    const texts = [...fc.sample(randomText, 2000), ...fc.sample(mutatedFrameText, 2000)]
    for (const t of texts) conn.send(t)
    conn.send({ request_id: 'marker', protocol: 'onebot', data: { type: 'del_msg', content: { message_id: 'end-of-fuzz' } } })
    let sawMarker = false
    client.on('deleted', (id) => {
      if (id === 'end-of-fuzz') sawMarker = true
    })
    await waitFor(() => sawMarker, 15_000, 'the marker frame after the fuzz frames')
    expect(client.droppedFrames).toBeGreaterThan(before)
    expect(log.entries.filter((e) => e.level === 'error')).toEqual([])
    expect(client.status.state).toBe('online')
    expect(server.conns.length).toBe(1)
    expect(await client.ping()).toBeGreaterThanOrEqual(0)
    const h = client.complete({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
    await waitFor(() => conn.frames.some((f) => f.request_id === h.requestId), 2000, 'the completion request')
    const cf = conn.frames.find((f) => f.request_id === h.requestId)
    expect(cf).toMatchObject({ protocol: 'openai', type: 'completions', request_id: h.requestId })
    conn.send({ request_id: h.requestId, protocol: 'openai', message: 'update', data: { chunk: 'ok', tool_call: null } })
    conn.send({ request_id: h.requestId, protocol: 'openai', message: 'completed', data: {} })
    await expect(h.done).resolves.toMatchObject({ status: 'completed', text: 'ok' })
  })
})
