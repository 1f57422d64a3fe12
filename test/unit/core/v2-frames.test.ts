/**
 * v2 frames: the builders make exactly what the web client sent in the recordings; the parsers read
 * what the server sent; the gate refuses the five crash shapes (recorded and fuzzed) and nothing it
 * lets through is crash-shaped by an oracle written apart from it.
 */
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import {
  classifyV2,
  decodeV2Message,
  parseBaseInfo,
  parsePresets,
  parseV2Login,
  v2AbortFrame,
  v2AckFrame,
  v2Auth,
  v2CompletionFrame,
  v2EnterChatFrame,
  v2HeartbeatFrame,
  v2HttpBase,
  v2InteractArg,
  v2InterruptArg,
  v2PresetsFrame,
  v2Segments,
  v2SendMessageFrame,
  v2SocketTarget,
  v2UnsafeReason,
  v2WireValue
} from '../../../src/core/protocols/mio/v2/frames'
import { isObject, type Json } from '../../../src/core/protocols/mio/frames'
import { TransportError } from '../../../src/core/transport/errors'
import { v2CrashShape } from '../../helpers/v2-replay'
import { completions, listV2Transcripts, loadV2Transcript, recvFrames, sentEvents, sentFrames } from '../../helpers/v2-transcripts'

const first = <T>(xs: T[]): T => xs[0]!

describe('v2 addresses', () => {
  it('host:port, http(s)://, ws(s):// all mean the same server; the path is always /socket.io/', () => {
    const cases: [string, string][] = [
      ['127.0.0.1:3000', 'http://127.0.0.1:3000'],
      ['http://127.0.0.1:3000', 'http://127.0.0.1:3000'],
      ['ws://127.0.0.1:3000/api/gateway?mio-chat-id=1', 'http://127.0.0.1:3000'],
      ['wss://chat.example.com', 'https://chat.example.com'],
      ['https://chat.example.com:8443/some/path#x', 'https://chat.example.com:8443'],
      ['  chat.example.com  ', 'http://chat.example.com']
    ]
    for (const [typed, origin] of cases) expect(v2SocketTarget(typed), typed).toEqual({ origin, path: '/socket.io/' })
    expect(v2HttpBase('wss://u:p@h:1/x').toString()).toBe('https://h:1/')
    expect(() => v2HttpBase('ftp://h')).toThrow(TransportError)
    expect(() => v2HttpBase('http://')).toThrow(TransportError)
  })
})

describe('v2 client frames: as the recording client sent them', () => {
  it('the CONNECT payload has exactly id, token, firstLogin:false', () => {
    const rec = loadV2Transcript('v2-a_connect_user').entries.find((e) => e.packet === 'sio-connect' && e.dir === 'send')!.frame
    expect(v2Auth('15432', 'dummy-user-code')).toEqual(rec)
  })

  it('heartbeat', () => {
    const rec = first(sentFrames(loadV2Transcript('v2-d_heartbeat'), 'user'))
    expect(v2HeartbeatFrame(rec.request_id as string, (rec.data as Json).timestamp as number)).toEqual(rec)
  })

  it('completions: every recorded one, from a CompletionRequest (provider, base, chatParams, tools, yolo from autoApprove, metaData)', () => {
    let n = 0
    for (const name of listV2Transcripts()) {
      for (const rec of completions(loadV2Transcript(name))) {
        const d = rec.data as { settings: Json; messages: { role: 'user'; content: string }[] }
        const s = d.settings as { provider: string; base: { model: string; stream: boolean }; chatParams: Record<string, number>; toolCallSettings: { tools: string[] }; yolo?: boolean }
        if (!s || !s.base) continue // the k probes
        const m = rec.metaData as { contactorId: string; messageId: string }
        const ours = v2CompletionFrame(
          {
            model: s.base.model,
            provider: s.provider,
            stream: s.base.stream,
            messages: d.messages,
            temperature: s.chatParams.temperature,
            top_p: s.chatParams.top_p,
            presence_penalty: s.chatParams.presence_penalty,
            frequency_penalty: s.chatParams.frequency_penalty,
            tools: s.toolCallSettings.tools,
            autoApprove: s.yolo === true,
            contactorId: m.contactorId,
            messageId: m.messageId
          },
          { fallbackMessageId: 'unused' }
        )
        const expected = structuredClone(rec)
        delete ((expected.data as Json).settings as Json).shWhitelist
        delete (expected.metaData as Json).namePolicy
        expect(ours, `${name} ${String(rec.request_id)}`).toEqual(expected)
        n++
      }
    }
    expect(n).toBeGreaterThanOrEqual(20)
  })

  it('completions: the provider listing the model when none is named; defaults; no yolo unless asked; bad input refused in words', () => {
    const providers = [
      { name: 'A', models: [{ owner: 'x', models: ['m1'] }] },
      { name: 'B', models: [{ owner: 'y', models: ['m2'] }] }
    ]
    const f = v2CompletionFrame({ model: 'm2', messages: [{ role: 'user', content: 'hi' }] }, { providers, fallbackMessageId: 'gen1' })
    expect(f).toEqual({
      request_id: 'gen1',
      protocol: 'llm',
      type: 'completions',
      data: {
        settings: {
          provider: 'B',
          base: { model: 'm2', stream: true },
          chatParams: { temperature: 1, top_p: 1, frequency_penalty: 0, presence_penalty: 0 },
          toolCallSettings: { mode: 'AUTO', tools: [] },
          presetSettings: { history: [] },
          extraSettings: {}
        },
        messages: [{ role: 'user', content: 'hi' }]
      },
      metaData: { messageId: 'gen1' }
    })
    expect(((v2CompletionFrame({ model: 'zz', messages: [{ role: 'user', content: 'hi' }] }, { providers, fallbackMessageId: 'g' }).data as Json).settings as Json).provider).toBe('A')
    for (const bad of [undefined, {}, { model: 'm', messages: 'x' }, { model: 'm', messages: [] }, { model: '', messages: [{ role: 'user', content: 'x' }] }, { model: 'm', messages: [{ role: 'user' }] }]) {
      expect(() => v2CompletionFrame(bad as never, { fallbackMessageId: 'g' }), JSON.stringify(bad)).toThrow(TransportError)
    }
  })

  it('send to the bot, abort, enter_chat, ack, interruptGeneration, tool:interact', () => {
    const i = loadV2Transcript('v2-i_onebot')
    const send = first(sentFrames(i, 'user'))
    expect(v2SendMessageFrame(send.request_id as string, '10000', send.data, '15432')).toEqual(send)
    const h1 = sentFrames(loadV2Transcript('v2-h1_abort_frame'), 'user').filter((f) => f.type === 'abort')[1]!
    expect(v2AbortFrame('mmx8fbyzhz')).toEqual(h1)
    const g5 = sentFrames(loadV2Transcript('v2-g5_disconnect_resume'), 'user-4')
    const enter = g5.find((f) => f.type === 'enter_chat')!
    const ack = g5.find((f) => f.type === 'ack_message')!
    expect(v2EnterChatFrame(enter.request_id as string, 'c-g5b')).toEqual(enter)
    expect(v2AckFrame(ack.request_id as string, 'c-g5b', 'mmx8fbodsu')).toEqual(ack)
    const ev = sentEvents(loadV2Transcript('v2-h2_abort_interrupt')).find((e) => e.event === 'interruptGeneration')!
    expect(v2InterruptArg('mmx8ffywo1', 'c-h2')).toEqual(ev.args[0])
    const f4 = sentEvents(loadV2Transcript('v2-f4_tool_approval')).filter((e) => e.event === 'tool:interact')
    expect(v2InteractArg('interact_1796354840407_ggowxe1', 'mmx8fahkge', true)).toEqual(f4[0]!.args[0])
    expect(v2InteractArg('interact_1796354841636_4mjiwug', 'mmx8faiiwf', false, 'not now')).toEqual(f4[1]!.args[0])
  })

  it('segments are always an array of {type, data:{…}}; images get data.file', () => {
    expect(v2Segments([{ type: 'text' }, null, 3, { type: '' }, { type: 'image', data: { image: 'u' } }, { type: 'x', data: [1] }])).toEqual([
      { type: 'text', data: {} },
      { type: 'image', data: { image: 'u', file: 'u' } },
      { type: 'x', data: {} }
    ])
    for (const v of [undefined, null, {}, 'x', 1]) expect(v2Segments(v)).toEqual([])
  })
})

describe('v2 server frames', () => {
  it('the login push → providers (meta, flattened models), rights, onebot, pendingTasks, bootId; default model: the first one', () => {
    const push = first(recvFrames(loadV2Transcript('v2-b_connect_admin'), 'admin'))
    const l = parseV2Login(push.data as Json)
    expect(l).toMatchObject({
      isAdmin: true,
      onebotEnabled: true,
      pendingTasks: [],
      bootId: 'mx8f6rvt-491f7d20',
      defaultModel: 'gpt-4o-mini',
      models: [
        { owner: 'OpenAI', models: ['gpt-4o-mini', 'gpt-4o'] },
        { owner: 'DeepSeek', models: ['deepseek-chat'] },
        { owner: 'Anthropic', models: ['claude-3-5-sonnet'] },
        { owner: 'Custom', models: ['my-custom-model'] }
      ]
    })
    expect(l.providers).toHaveLength(1)
    expect(l.providers![0]!.name).toBe('Stub')
    expect(l.providers![0]!.meta!['claude-3-5-sonnet']).toEqual({ maxInput: 200000, vision: true, fc: true, reasoning: false })
    // several providers: owners carry the provider
    const two = parseV2Login({ models: { A: [{ owner: 'o', models: ['a'] }], B: [{ owner: 'o', models: ['b'] }] }, default_model: { B: 'b' } })
    expect(two.models).toEqual([
      { owner: 'A · o', models: ['a'] },
      { owner: 'B · o', models: ['b'] }
    ])
    expect(two.defaultModel).toBe('b')
    expect(parseV2Login({})).toEqual({ isAdmin: false, providers: [], models: [], onebotEnabled: false, pendingTasks: [] })
  })

  it('/api/base_info → the QQs, the providers’ default models and the server’s title', () => {
    const body = loadV2Transcript('v2-l_http').entries.find((e) => e.dir === 'http-response' && e.path === '/api/base_info')!.body
    expect(parseBaseInfo(body)).toEqual({ adminQq: '10000001', botQq: '20000001', defaults: {}, title: 'MioChat' })
    expect(parseBaseInfo({ data: { llm_providers: [{ displayName: 'S', default_model: 'm' }] } })).toEqual({ adminQq: '', botQq: '', defaults: { S: 'm' }, title: '' })
    expect(parseBaseInfo('x')).toBeUndefined()
  })

  it('recommended_presets (the first-login push): names, system prompts from history, tools by base name; the updates ask again', () => {
    const push = recvFrames(loadV2Transcript('v2-a_connect_user')).find((f) => f.type === 'recommended_presets')!
    const c = classifyV2(push)
    expect(c.kind).toBe('presets')
    const presets = (c as Extract<typeof c, { kind: 'presets' }>).presets
    expect(presets.length).toBeGreaterThan(0)
    const raw = (push.data as { presets: { name: string; tools: string[]; history: { role: string; content: string }[] }[] }).presets
    expect(presets.map((p) => p.name)).toEqual(raw.map((p) => p.name))
    expect(presets[0]!.systemPrompt).toBe(raw[0]!.history.filter((t) => t.role === 'system').map((t) => t.content).join('\n\n'))
    for (const p of presets) for (const t of p.tools) expect(t).not.toMatch(/_mid_[0-9a-f]{6}$/)
    const kinds = recvFrames(loadV2Transcript('v2-m_pushes'))
      .filter((f) => f.type === 'plugins_updated' || f.type === 'presets_updated')
      .map((f) => classifyV2(f))
    expect(kinds).toContainEqual({ kind: 'catalog', what: 'tools' })
    expect(kinds).toContainEqual({ kind: 'catalog', what: 'presets' })
    // Bad entries are left out, not fatal.
    expect(parsePresets({ presets: [null, { name: '' }, { name: 'ok', tools: ['bash_mid_3fcaad', 'bash', 7] }] })).toEqual([{ name: 'ok', systemPrompt: '', tools: ['bash'], recommended: false }])
    expect(parsePresets('x')).toEqual([])
    expect(v2PresetsFrame(5)).toEqual({ data: {}, protocol: 'system', request_id: 5, type: 'get_presets' })
  })

  it('every frame the real server sent is understood (nothing classified as bad)', () => {
    const kinds = new Set<string>()
    for (const name of listV2Transcripts()) {
      for (const f of recvFrames(loadV2Transcript(name))) {
        const c = classifyV2(f)
        expect(c.kind, `${name}: ${JSON.stringify(f).slice(0, 200)}`).not.toBe('bad')
        kinds.add(c.kind)
      }
    }
    expect([...kinds].sort()).toEqual(['catalog', 'interact-error', 'login-push', 'models-updated', 'onebot-delete', 'onebot-message', 'presets', 'reply', 'response', 'title'])
  })

  it('decoding never throws', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.anything()), (v) => {
        const d = decodeV2Message(v)
        if (d.ok) classifyV2(d.frame)
      }),
      { numRuns: 500 }
    )
  })
})

// ------------------------------------------------------------------------------ the gate

const CRASHES: [string, string, unknown][] = [
  ['k2 onebot data an object', 'message', JSON.stringify({ request_id: 'crash-1', protocol: 'onebot', data: { id: '10000', type: 'message', data: { message: [{ type: 'text', data: { text: 'hi' } }], message_id: 1 } } })],
  ['k2 onebot data a string', 'message', JSON.stringify({ request_id: 'x', protocol: 'onebot', type: 'message', data: 'hi' })],
  ['k2 onebot data a number', 'message', JSON.stringify({ request_id: 'x', protocol: 'onebot', type: 'message', data: 3 })],
  ['k3 text segment without data', 'message', JSON.stringify({ request_id: 'crash-2', protocol: 'onebot', type: 'message', id: '10000', data: [{ type: 'text' }] })],
  ['k3 a null segment', 'message', JSON.stringify({ request_id: 'x', protocol: 'onebot', type: 'message', data: [null] })],
  ['k3 data undefined (vanishes on the wire)', 'message', { toJSON: () => JSON.stringify({ request_id: 'x', protocol: 'onebot', type: 'message', data: [{ type: 'text', data: undefined }] }) }],
  ['k4 interrupt without argument', 'interruptGeneration', undefined],
  ['k4 interrupt null', 'interruptGeneration', null],
  ['k4 interrupt with a function (taken for an ack: no argument)', 'interruptGeneration', () => {}],
  ['k5 tool:interact without argument', 'tool:interact', undefined],
  ['k5 tool:interact null', 'tool:interact', null],
  ['k6 tool:interact without payload', 'tool:interact', { interactionId: 'interact_1', requestId: 'm' }],
  ['k6 payload undefined', 'tool:interact', { interactionId: 'i', requestId: 'm', payload: undefined }],
  ['k6 payload null', 'tool:interact', { interactionId: 'i', requestId: 'm', payload: null }]
]

describe('v2UnsafeReason: the five crashes', () => {
  it('refuses every recorded crash probe', () => {
    for (const name of ['v2-k2_crash_onebot_object_data', 'v2-k3_crash_onebot_bad_segment', 'v2-k4_crash_interrupt_no_payload', 'v2-k5_crash_tool_interact_no_payload', 'v2-k6_crash_approval_without_payload']) {
      const probes = sentEvents(loadV2Transcript(name)).filter((e) => v2CrashShape(e.event, e.args))
      expect(probes, name).toHaveLength(1)
      const p = probes[0]!
      expect(v2UnsafeReason(p.event, p.args[0]), name).toMatch(/onebot|interruptGeneration|tool:interact/)
    }
  })

  it('refuses each crash shape, also when it only appears on the wire', () => {
    for (const [what, event, arg] of CRASHES) {
      expect(v2UnsafeReason(event, arg), what).toBeTruthy()
      // and what would reach the server is crash-shaped indeed (the oracle agrees it is a crash)
      if (arg !== null && typeof arg === 'object' && 'toJSON' in arg) continue
      expect(v2CrashShape(event, [v2WireValue(arg)]), what).toBeTruthy()
    }
  })

  it('lets the client’s own frames through, and every recorded non-crash send too', () => {
    const ok: [string, unknown][] = [
      ['message', JSON.stringify(v2SendMessageFrame('r', '10000', [{ type: 'text', data: { text: 'x' } }], '1'))],
      ['message', JSON.stringify(v2SendMessageFrame('r', '10000', [], '1'))],
      ['message', JSON.stringify(v2HeartbeatFrame('r'))],
      ['message', JSON.stringify(v2AbortFrame('r'))],
      ['interruptGeneration', v2InterruptArg('m', 'c')],
      ['tool:interact', v2InteractArg('i', 'm', false, 'no')]
    ]
    for (const [e, a] of ok) expect(v2UnsafeReason(e, a), `${e} ${String(a)}`).toBeUndefined()
    for (const name of listV2Transcripts()) {
      for (const e of sentEvents(loadV2Transcript(name))) {
        if (v2CrashShape(e.event, e.args)) continue
        const r = v2UnsafeReason(e.event, e.args[0])
        // harmless probes the gate also refuses: unknown events, non-JSON text, an empty interrupt
        if (r) expect(r, `${name} ${e.event}`).toMatch(/does not know|not JSON|not a JSON object|without a messageId|without an object argument|without a payload/)
      }
    }
  })

  it('also refuses what would be misread: unknown events, non-text message arguments, an interrupt without a messageId', () => {
    expect(v2UnsafeReason('whatever', {})).toMatch(/does not know/)
    expect(v2UnsafeReason(undefined, {})).toMatch(/without a name/)
    expect(v2UnsafeReason('message', { a: 1 })).toMatch(/not JSON text/)
    expect(v2UnsafeReason('message', 'nope')).toMatch(/not JSON/)
    expect(v2UnsafeReason('message', '[1]')).toMatch(/not a JSON object/)
    expect(v2UnsafeReason('interruptGeneration', { messageId: '' })).toMatch(/messageId/)
    expect(v2UnsafeReason('interruptGeneration', {})).toMatch(/messageId/)
    expect(v2UnsafeReason('tool:interact', { payload: Buffer.from('x') })).toBeTruthy()
  })
})

// ------------------------------------------------------------------------------ fuzz

const eventName = fc.oneof(fc.constantFrom('message', 'interruptGeneration', 'tool:interact'), fc.string())

const segmentish = fc.oneof(
  fc.constant(null),
  fc.anything(),
  fc.record({ type: fc.oneof(fc.string(), fc.constant(undefined), fc.integer()), data: fc.oneof(fc.anything(), fc.constant(undefined), fc.constant(null)) }, { requiredKeys: [] })
)

const onebotish = fc.record(
  {
    request_id: fc.oneof(fc.string(), fc.integer()),
    protocol: fc.oneof(fc.constant('onebot'), fc.string()),
    type: fc.oneof(fc.constant('message'), fc.string()),
    id: fc.string(),
    data: fc.oneof(fc.array(segmentish), fc.anything(), fc.dictionary(fc.string(), segmentish))
  },
  { requiredKeys: [] }
)

const argish = fc.oneof(
  fc.anything(),
  fc.constant(undefined),
  fc.constant(null),
  fc.func(fc.anything()),
  onebotish.map((f) => JSON.stringify(f) ?? ''),
  fc.record({ interactionId: fc.anything(), requestId: fc.anything(), payload: fc.oneof(fc.anything(), fc.constant(undefined), fc.constant(null)), messageId: fc.anything() }, { requiredKeys: [] })
)

/** Recorded client sends, mutated: a key deleted or replaced, the argument dropped or replaced. */
function mutatedRecorded(): fc.Arbitrary<[string, unknown]> {
  const seeds: [string, unknown][] = []
  for (const name of listV2Transcripts()) for (const e of sentEvents(loadV2Transcript(name))) seeds.push([e.event, e.args[0]])
  return fc.tuple(fc.constantFrom(...seeds), fc.nat(), fc.anything(), fc.constantFrom('delete', 'replace', 'drop', 'keep')).map(([[event, arg], n, value, how]) => {
    if (how === 'drop') return [event, undefined] as [string, unknown]
    let target: unknown = arg
    let asText = false
    if (typeof arg === 'string') {
      try {
        target = JSON.parse(arg)
        asText = true
      } catch {
        return [event, arg] as [string, unknown]
      }
    }
    const paths: { parent: Json | unknown[]; key: string | number }[] = []
    const walk = (v: unknown, depth: number): void => {
      if (depth > 5 || v === null || typeof v !== 'object') return
      const keys: (string | number)[] = Array.isArray(v) ? v.map((_, i) => i) : Object.keys(v)
      for (const k of keys) {
        paths.push({ parent: v as Json, key: k })
        walk((v as Record<string | number, unknown>)[k], depth + 1)
      }
    }
    walk(target, 0)
    if (paths.length && how !== 'keep') {
      const p = paths[n % paths.length]!
      if (how === 'delete' && !Array.isArray(p.parent)) delete (p.parent as Json)[p.key as string]
      else (p.parent as Record<string | number, unknown>)[p.key] = value
    }
    return [event, asText ? JSON.stringify(target) : target] as [string, unknown]
  })
}

describe('v2UnsafeReason: fuzzed', () => {
  it('random events and arguments: never throws; whatever it lets through is not crash-shaped on the wire', () => {
    fc.assert(
      fc.property(eventName, argish, (event, arg) => {
        const r = v2UnsafeReason(event, arg)
        if (r === undefined) expect(v2CrashShape(event, [v2WireValue(arg)])).toBeUndefined()
        else expect(typeof r).toBe('string')
      }),
      { numRuns: 3000 }
    )
  })

  it('mutated recorded sends: the same', () => {
    fc.assert(
      fc.property(mutatedRecorded(), ([event, arg]) => {
        const r = v2UnsafeReason(event, arg)
        if (r === undefined) expect(v2CrashShape(event, [v2WireValue(arg)])).toBeUndefined()
      }),
      { numRuns: 3000 }
    )
  })

  it('the builders never make anything the gate refuses, whatever they are given', () => {
    fc.assert(
      fc.property(fc.anything(), fc.string(), fc.string(), fc.boolean(), fc.option(fc.string()), (segments, a, b, approved, reason) => {
        expect(v2UnsafeReason('message', JSON.stringify(v2SendMessageFrame(a, b, segments, a)))).toBeUndefined()
        expect(v2UnsafeReason('tool:interact', v2InteractArg(a, b, approved, reason ?? undefined))).toBeUndefined()
        if (a) expect(v2UnsafeReason('interruptGeneration', v2InterruptArg(a, b))).toBeUndefined()
        expect(v2UnsafeReason('message', JSON.stringify(v2EnterChatFrame(a, b)))).toBeUndefined()
        expect(v2UnsafeReason('message', JSON.stringify(v2AckFrame(a, b, a)))).toBeUndefined()
      }),
      { numRuns: 1000 }
    )
  })

  it('random completion requests: a frame or a TransportError, never anything else', () => {
    fc.assert(
      fc.property(fc.anything(), (req) => {
        try {
          const f = v2CompletionFrame(req as never, { fallbackMessageId: 'g' })
          expect(isObject(f.data)).toBe(true)
          expect(v2UnsafeReason('message', JSON.stringify(f))).toBeUndefined()
        } catch (e) {
          expect(e).toBeInstanceOf(TransportError)
        }
      }),
      { numRuns: 1000 }
    )
  })
})
