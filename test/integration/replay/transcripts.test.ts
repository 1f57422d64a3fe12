/**
 * Replays every recording of the real Mio-Chat server (test/fixtures/mio-transcripts) to a real
 * MioClient, drives the client with the operation the recording client performed, and checks the end
 * state the recording implies. The scripted server also checks that our client never sends a frame
 * in one of the three shapes that crash the real server.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { MioClient } from '../../../src/core/protocols/mio/client'
import { modelsFrame, isObject, type Json } from '../../../src/core/protocols/mio/frames'
import { TransportError } from '../../../src/core/transport/errors'
import { createMemoryLogger } from '../../../src/core/log'
import type { AiReply, ChatTurn, LoginInfo, Segment, ToolCallState } from '../../../src/shared/mio'
import { Replay, type ConnScript } from '../../helpers/replay'
import { fieldServer, startFakeServer, waitFor, type FakeServer } from '../../helpers/fake-server'
import { listTranscripts, loadTranscript, wsConns, type Transcript } from '../../helpers/transcripts'

const COVERED = new Set<string>()
let current: Replay | undefined
const extraServers: FakeServer[] = []

afterEach(async () => {
  if (current) {
    const r = current
    current = undefined
    for (const s of r.scripts) expect(s.unexpected, `${r.transcript.name}/${s.name}: frames the recording has no counterpart for`).toEqual([])
    expect(r.server.unsafe, 'frames in a shape that crashes the real server').toEqual([])
    await r.close()
  }
  for (const s of extraServers.splice(0)) {
    expect(s.unsafe).toEqual([])
    await s.close()
  }
})

async function replay(name: string): Promise<Replay> {
  COVERED.add(name)
  current = await Replay.start(loadTranscript(name))
  return current
}

/** The LoginInfo the recorded login push of `s` implies. */
function recordedLogin(s: ConnScript): LoginInfo {
  const push = s.recordedRecv.find((f) => f.protocol === 'system' && f.type === 'login')!
  const d = push.data as { is_admin: boolean; admin_qq: string; bot_qq: string; default_model: string; models: { owner: string; models: string[] }[] }
  return { isAdmin: d.is_admin, adminQq: d.admin_qq, botQq: d.bot_qq, dialect: 'field', defaultModel: d.default_model, models: d.models }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms))
}

async function connectLikeRecorded(r: Replay, conn: string, o: Parameters<Replay['client']>[1] = {}): Promise<MioClient> {
  const c = r.client(conn, o)
  const login = await c.connect()
  expect(login).toEqual(recordedLogin(r.script(conn)))
  expect(c.dialect).toBe('field')
  return c
}

async function expectRefusedCleanly(c: MioClient, s: ConnScript): Promise<void> {
  await waitFor(() => s.ours.some((f) => f.type === 'login'), 1000, 'our login request')
  const before = s.ours.length
  const attempts: [string, () => Promise<unknown>][] = [
    ['recall', () => c.recall('154321234', '5304407930')],
    ['forward', () => c.forward('154321234', [{ message_id: 1, message: [{ type: 'text', data: { text: 'x' } }] }])],
    [
      'models request',
      async () => (c as unknown as { sendFrame(f: Json): void }).sendFrame(modelsFrame('mwr2b5os1vdqz'))
    ]
  ]
  for (const [what, op] of attempts) {
    const e = await op().then(
      () => undefined,
      (x: unknown) => x
    )
    expect(e, what).toBeInstanceOf(TransportError)
    expect((e as TransportError).kind, what).toBe('unsupported')
    expect((e as TransportError).message, what).toMatch(/^[A-Z][^\n]+ (is not supported by this server|to this server: it would crash it)/)
  }
  // models() answers from the login push without asking the server
  await expect(c.models()).resolves.toEqual(recordedLogin(s).models)
  await sleep(30)
  expect(s.ours.slice(before).filter((f) => f.type !== 'heartbeat')).toEqual([])
}

// ------------------------------------------------------------------------------ completions

interface CompletionRun {
  reply: AiReply
  toolStates: ToolCallState[]
  script: ConnScript
  client: MioClient
  ours: Json
  recorded: Json
}

function recordedChunks(s: ConnScript, key: 'chunk' | 'reasoning_content'): string {
  return s.recordedRecv
    .filter((f) => f.message === 'update' && isObject(f.data) && typeof f.data[key] === 'string')
    .map((f) => (f.data as Record<string, string>)[key])
    .join('')
}

async function replayCompletion(name: string, conn: string, o: { logger?: ReturnType<typeof createMemoryLogger> } = {}): Promise<CompletionRun> {
  const r = await replay(name)
  const s = r.script(conn)
  const c = await connectLikeRecorded(r, conn, { logger: o.logger })
  const recorded = s.sends.find((x) => x.protocol === 'openai')!.frame
  const d = recorded.data as { model: string; messages: ChatTurn[]; tools?: string[]; stream?: boolean; temperature?: number; top_p?: number }
  const toolStates: ToolCallState[] = []
  const h = c.complete({ model: d.model, messages: d.messages, tools: d.tools, stream: d.stream ?? false, temperature: d.temperature, top_p: d.top_p }, (reply, ch) => {
    if (ch.toolCallsChanged) toolStates.push(reply.toolCalls.at(-1)!.state)
  })
  const reply = await h.done
  await waitFor(() => s.finished, 2000, 'the whole recording to be replayed')
  const ours = s.ours.find((f) => f.protocol === 'openai')!
  expect(ours).toMatchObject({ protocol: 'openai', type: 'completions', request_id: h.requestId, data: d })
  expect(s.sent.filter((f) => f.protocol === 'openai').every((f) => f.request_id === h.requestId)).toBe(true)
  return { reply, toolStates, script: s, client: c, ours, recorded }
}

const STUB_TOOL_TEXT = (result: string): string => `The tool returned: ${result}`

// ------------------------------------------------------------------------------ the tests

describe('replay: connecting (a, b, c2)', () => {
  it('a_connect_user: the pushed login gives dialect field, user rights and the guest models', async () => {
    const r = await replay('a_connect_user')
    const c = await connectLikeRecorded(r, 'user')
    expect(c.login).toMatchObject({ isAdmin: false, defaultModel: 'gpt-4o-mini', models: [{ owner: 'OpenAI', models: ['gpt-4o-mini'] }, { owner: 'DeepSeek', models: ['deepseek-chat'] }] })
    expect(r.script('user').finished).toBe(true)
    // our spec login request went out (harmless on a field server) and got no answer
    await waitFor(() => r.script('user').ours.length > 0, 1000, 'our login request')
    expect(r.script('user').ours[0]).toMatchObject({ protocol: 'system', type: 'login', data: { 'mio-chat-id': '15432', 'mio-chat-token': 'dummy-user-code' } })
  })

  it('b_connect_admin: admin rights and every model group', async () => {
    const r = await replay('b_connect_admin')
    const c = await connectLikeRecorded(r, 'admin')
    expect(c.login?.isAdmin).toBe(true)
    expect(c.login?.models?.map((g) => g.owner)).toEqual(['OpenAI', 'DeepSeek', 'Anthropic', 'Custom'])
  })

  it('c2_upgrade_any_path: a gateway on another path works the same', async () => {
    const r = await replay('c2_upgrade_any_path')
    await connectLikeRecorded(r, 'other-path')
    expect(r.server.upgrades[0]!.pathname).toBe('/anything/else')
  })
})

describe('replay: wrong credentials (c)', () => {
  async function expectHungUpgrade(r: Replay, conn: string): Promise<void> {
    const s = r.script(conn)
    expect(s.outcome).toBe('hung')
    const c = r.client(conn, { connectTimeoutMs: 250 })
    const t0 = Date.now()
    const e = (await c.connect().catch((x: unknown) => x)) as TransportError
    expect(Date.now() - t0).toBeLessThan(2000)
    expect(e).toBeInstanceOf(TransportError)
    expect(e.kind).toBe('auth')
    expect(e.message).toBe('No answer from the server within 0.25 s (on a Mio-Chat server of the real/field kind this usually means a wrong access code)')
    expect(s.upgradeSeen).toBe(true)
    expect(s.conn).toBeUndefined()
    const upgrades = r.server.upgrades.length
    await sleep(120)
    expect(r.server.upgrades.length).toBe(upgrades) // no reconnect loop
    expect(c.status.state).toBe('failed')
  }

  it('c_wrong_token: no 101 ever → connect() rejects with invalid credentials', async () => {
    const r = await replay('c_wrong_token')
    await expectHungUpgrade(r, 'wrong-token')
    expect(r.server.conns.length).toBe(0)
  })

  it('c_wrong_token_long: the same, however long the server would keep silent', async () => {
    const r = await replay('c_wrong_token_long')
    await expectHungUpgrade(r, 'wrong-token')
  })

  it('c_auth_edge_cases: no token / id "undefined" hang; a missing or empty id logs in', async () => {
    const r = await replay('c_auth_edge_cases')
    expect(wsConns(r.transcript)).toEqual(['no-token-param', 'id-missing', 'id-literal-undefined', 'id-empty'])
    await expectHungUpgrade(r, 'no-token-param')
    await connectLikeRecorded(r, 'id-missing')
    await expectHungUpgrade(r, 'id-literal-undefined')
    await connectLikeRecorded(r, 'id-empty')
    expect(r.server.upgrades.map((u) => u.searchParams.get('mio-chat-id'))).toEqual(['15432', '', 'undefined', ''])
  })
})

describe('replay: heartbeat (d)', () => {
  it('d_heartbeat: three heartbeats answered in the field shape, the delay is measured', async () => {
    const r = await replay('d_heartbeat')
    const s = r.script('user')
    const c = r.client('user')
    const delays: number[] = []
    c.on('delay', (d) => delays.push(d))
    await c.connect()
    await waitFor(() => delays.length >= 3, 2000, 'three heartbeat answers')
    c.stop()
    expect(s.finished).toBe(true)
    const ours = s.ours.filter((f) => f.type === 'heartbeat').slice(0, 3)
    for (const f of ours) {
      expect(f).toMatchObject({ protocol: 'system', type: 'heartbeat', data: { timestamp: expect.any(Number) } })
      expect(typeof f.request_id).toBe('string')
    }
    const replies = s.sent.filter((f) => f.type === 'heartbeat')
    expect(replies.map((f) => f.request_id)).toEqual(ours.map((f) => f.request_id))
    expect(delays.slice(0, 3).every((d) => d >= 0 && d < 1000)).toBe(true)
    expect(c.socket.delayMs).toBeGreaterThanOrEqual(0)
  })
})

describe('replay: completions (e, f, g)', () => {
  it('e_openai_stream_text: the text is the concatenation of the recorded chunks', async () => {
    const { reply, toolStates } = await replayCompletion('e_openai_stream_text', 'user')
    expect(reply).toMatchObject({ status: 'completed', text: 'Hello from the stub.', reasoning: '', toolCalls: [] })
    expect(reply.text).toBe(recordedChunks(current!.script('user'), 'chunk'))
    expect(toolStates).toEqual([])
  })

  it('e2_openai_stream_reasoning: reasoning and text kept apart', async () => {
    const { reply, script } = await replayCompletion('e2_openai_stream_reasoning', 'user')
    expect(reply).toMatchObject({ status: 'completed', text: 'Thought done.', reasoning: 'Let me think...' })
    expect(reply.reasoning).toBe(recordedChunks(script, 'reasoning_content'))
  })

  it('e3_openai_nonstream: no pending, one update, completed', async () => {
    const { reply, ours } = await replayCompletion('e3_openai_nonstream', 'user')
    expect(reply).toMatchObject({ status: 'completed', text: 'Stub summary title' })
    expect((ours.data as Json).stream).toBe(false)
  })

  it('f_openai_tool_call: tool states in order, params accumulated, result, then the text', async () => {
    const { reply, toolStates, script } = await replayCompletion('f_openai_tool_call', 'admin')
    expect(toolStates).toEqual(['started', 'pending', 'pending', 'pending', 'running', 'finished'])
    expect(reply.toolCalls).toEqual([
      {
        key: 'call_stub_1',
        id: 'call_stub_1',
        name: 'executeCommand',
        state: 'finished',
        params: '{"command": "echo mio-tool-ok"}',
        result: { stdout: 'mio-tool-ok', stderr: '' }
      }
    ])
    const pendingParams = script.recordedRecv
      .filter((f) => isObject(f.data) && isObject(f.data.tool_call) && f.data.tool_call.action === 'pending')
      .map((f) => ((f.data as Json).tool_call as Json).params)
      .join('')
    expect(pendingParams).toBe(reply.toolCalls[0]!.params)
    expect(reply).toMatchObject({ status: 'completed', text: STUB_TOOL_TEXT('{"error":null,"result":{"stdout":"mio-tool-ok","stderr":""}}') })
  })

  it('f2_openai_tool_call_user: a tool refusing a non-admin is a failed call with the refusal in words', async () => {
    const { reply, toolStates } = await replayCompletion('f2_openai_tool_call_user', 'user')
    expect(toolStates).toEqual(['started', 'pending', 'pending', 'pending', 'running', 'failed'])
    expect(reply.toolCalls[0]).toMatchObject({ state: 'failed', error: 'Only administrators can execute commands.', params: '{"command": "echo mio-tool-ok"}', result: { error: 'Only administrators can execute commands.' } })
    expect(reply).toMatchObject({ status: 'completed', text: STUB_TOOL_TEXT('{"error":null,"result":{"error":"Only administrators can execute commands."}}') })
  })

  it('f3_openai_tool_throws: {error:{}} → a failed tool call with words; the reply completes', async () => {
    const { reply, toolStates } = await replayCompletion('f3_openai_tool_throws', 'user')
    expect(toolStates).toEqual(['started', 'pending', 'running', 'failed'])
    const t = reply.toolCalls[0]!
    expect(t).toMatchObject({ key: 'call_stub_2', name: 'drawPainting', state: 'failed', params: '{"prompt":"a cat"}' })
    expect(t.error).toMatch(/^The tool failed/)
    expect(reply).toMatchObject({ status: 'completed', text: STUB_TOOL_TEXT('{"error":{}}') })
  })

  const stackOf = (s: ConnScript): string => ((s.recordedRecv.find((f) => f.message === 'failed')!.data as Json).error as string)

  it('g_openai_invalid_model: failed with a short reason, the stack kept in errorDetail', async () => {
    const { reply, script } = await replayCompletion('g_openai_invalid_model', 'user')
    expect(reply).toMatchObject({ status: 'failed', text: '', error: '404 The model `no-such-model` does not exist or you do not have access to it.' })
    expect(reply.errorDetail).toBe(stackOf(script))
    expect(reply.errorDetail).toContain('\n    at APIError.generate')
  })

  it('g2_openai_upstream_500: failed "500 stub internal error"', async () => {
    const { reply, script } = await replayCompletion('g2_openai_upstream_500', 'user')
    expect(reply).toMatchObject({ status: 'failed', error: '500 stub internal error', errorDetail: stackOf(script) })
  })

  it('g3_openai_midstream_drop: the upstream dropped → failed, the partial text kept', async () => {
    const { reply } = await replayCompletion('g3_openai_midstream_drop', 'user')
    expect(reply).toMatchObject({ status: 'failed', text: 'Hello from the', error: 'Premature close' })
    expect(reply.errorDetail).toMatch(/^Error: Premature close\n/)
  })

  it('g3 with the link dropped instead at the same point → interrupted, the partial text kept', async () => {
    COVERED.add('g3_openai_midstream_drop')
    const t = loadTranscript('g3_openai_midstream_drop')
    const cut: Transcript = { ...t, entries: t.entries.filter((e) => !(e.dir === 'recv' && isObject(e.frame) && e.frame.message === 'failed')) }
    current = await Replay.start(cut)
    const r = current
    const s = r.script('user')
    const c = await connectLikeRecorded(r, 'user')
    const h = c.complete({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'midstream drop please' }], tools: [], stream: true })
    await waitFor(() => s.finished, 2000, 'the three chunks')
    await waitFor(() => h.reply.text === 'Hello from the', 2000, 'the text so far')
    await r.server.kill()
    await expect(h.done).resolves.toMatchObject({ status: 'interrupted', text: 'Hello from the', error: 'The connection was lost before the reply finished' })
  })

  it('g4_openai_fail_after_tool: failed then completed stays failed', async () => {
    const log = createMemoryLogger()
    const { reply, toolStates, script } = await replayCompletion('g4_openai_fail_after_tool', 'admin', { logger: log })
    expect(toolStates).toEqual(['started', 'pending', 'pending', 'pending', 'running', 'finished'])
    expect(script.sent.at(-1)).toMatchObject({ message: 'completed' })
    await waitFor(() => log.entries.some((e) => e.msg.startsWith('late or unknown reply')), 2000, 'the trailing completed to be ignored')
    expect(reply).toMatchObject({ status: 'failed', error: '400 stub: rejected follow-up request after tool result', text: '' })
    expect(reply.errorDetail).toBe(stackOf(script))
    expect(reply.toolCalls[0]).toMatchObject({ state: 'finished', result: { stdout: 'mio-tool-ok', stderr: '' } })
  })

  it('g5_openai_client_disconnect_midstream: leaving mid-stream → interrupted with the partial text; reconnecting does not resume it', async () => {
    const r = await replay('g5_openai_client_disconnect_midstream')
    const c = await connectLikeRecorded(r, 'user', { heartbeatIntervalMs: 150 })
    const h = c.complete({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello there' }], tools: [], stream: true, temperature: 1, top_p: 1 }, (rep) => {
      if (rep.text) c.stop()
    })
    const reply = await h.done
    expect(reply).toMatchObject({ status: 'interrupted', text: 'Hello', error: 'Disconnected' })
    expect(r.script('user').finished).toBe(true)
    const delays: number[] = []
    c.on('delay', (d) => delays.push(d))
    const again = await c.connect()
    expect(again).toEqual(recordedLogin(r.script('user-reconnect')))
    await waitFor(() => delays.length >= 1, 2000, 'the heartbeat on the new connection')
    expect(r.script('user-reconnect').finished).toBe(true)
    expect(h.reply).toMatchObject({ status: 'interrupted', text: 'Hello' })
    expect(r.script('user-reconnect').ours.filter((f) => f.request_id === h.requestId)).toEqual([])
  })
})

describe('replay: onebot (h, i, j)', () => {
  it('h_onebot_message: acks give message ids; pushes arrive per recipient; duplicates are dropped', async () => {
    const r = await replay('h_onebot_message')
    const names = ['user', 'admin', 'other-99999', 'empty-id']
    const got = new Map<string, { contactId: string; messageId: string; segments: Segment[] }[]>()
    const clients = new Map<string, MioClient>()
    for (const n of names) {
      const c = r.client(n)
      got.set(n, [])
      c.on('message', (m) => got.get(n)!.push(m))
      expect(await c.connect()).toEqual(recordedLogin(r.script(n)))
      clients.set(n, c)
    }
    const send = async (n: string): Promise<string> => {
      const rec = r.script(n).sends.find((s) => s.protocol === 'onebot')!.frame
      const id = await clients.get(n)!.sendMessage(rec.id as string, rec.data as Segment[])
      const ours = r.script(n).ours.find((f) => f.protocol === 'onebot')!
      expect({ ...ours, request_id: rec.request_id }).toEqual(rec)
      return id
    }
    expect(await send('user')).toBe('5304399624')
    await waitFor(() => got.get('user')!.length === 1, 2000, 'the group reply to the user')
    expect(await send('admin')).toBe('5304400944')
    await waitFor(() => names.every((n) => r.script(n).finished), 2000, 'every push')
    await waitFor(() => got.get('empty-id')!.length === 2 && got.get('admin')!.length === 2, 2000, 'observer pushes')
    const groupReply = {
      contactId: '154321234',
      messageId: '3044001320217',
      segments: [
        { type: 'reply', data: { id: '5304399624' } },
        { type: 'text', data: { text: 'reply from stub (group)' } },
        { type: 'image', data: { file: '/f/gen/image/2cd8bde4.png' } }
      ]
    }
    const privateReply = { contactId: '10000001', messageId: '3044014490706', segments: [{ type: 'text', data: { text: 'reply from stub (private to admin_qq)' } }] }
    expect(got.get('user')).toEqual([groupReply])
    expect(got.get('admin')).toEqual([groupReply, privateReply])
    expect(got.get('empty-id')).toEqual([groupReply, privateReply])
    expect(got.get('other-99999')).toEqual([])
    // the admin's copy of the same message (another request_id) pushed to the user again: dropped
    const adminCopy = r.transcript.entries.find((e) => e.conn === 'admin' && e.dir === 'recv' && (e.frame as Json).request_id === 5304400141)!
    r.script('user').conn!.send(adminCopy.raw as string)
    clients.get('user')!.socket.send(JSON.stringify({ request_id: 'x', protocol: 'system', type: 'heartbeat', data: { timestamp: 0 } }))
    await sleep(50)
    expect(got.get('user')).toEqual([groupReply])
  })

  it('i_onebot_delete_msg: del_msg pushes reach every client, for the bot message and our own', async () => {
    const r = await replay('i_onebot_delete_msg')
    const names = ['user', 'admin', 'other-99999']
    const deleted = new Map<string, string[]>()
    const messages = new Map<string, string[]>()
    const clients = new Map<string, MioClient>()
    for (const n of names) {
      const c = r.client(n)
      deleted.set(n, [])
      messages.set(n, [])
      c.on('deleted', (id) => deleted.get(n)!.push(id))
      c.on('message', (m) => messages.get(n)!.push(m.messageId))
      await c.connect()
      clients.set(n, c)
    }
    const id = await clients.get('user')!.sendMessage('154321234', [{ type: 'text', data: { text: 'message to be recalled by the bot' } }])
    expect(id).toBe('5304407930')
    await waitFor(() => names.every((n) => r.script(n).finished && deleted.get(n)!.length === 2), 2000, 'every deletion')
    for (const n of names) expect(deleted.get(n)).toEqual(['3044082350805', '5304407930'])
    expect(messages.get('user')).toEqual(['3044082350805'])
    expect(messages.get('admin')).toEqual(['3044082350805'])
    expect(messages.get('other-99999')).toEqual([])
  })

  it('j_onebot_forward_msg: a forward arrives as one nodes segment, its node arrays kept nested', async () => {
    const r = await replay('j_onebot_forward_msg')
    for (const n of ['user', 'admin']) {
      const c = r.client(n)
      const got: Segment[][] = []
      c.on('message', (m) => got.push(m.segments))
      await c.connect()
      await waitFor(() => got.length === 1, 2000, `the forward for ${n}`)
      const recorded = ((r.script(n).recordedRecv.find((f) => f.protocol === 'onebot')!.data as Json).content as Json).message
      expect(got[0]).toEqual(recorded)
      const nodes = got[0]![0]!
      expect(nodes.type).toBe('nodes')
      const msgs = nodes.data.messages as Segment[][]
      expect(msgs).toHaveLength(2)
      expect(msgs[0]).toEqual([{ type: 'text', data: { text: 'forward node 1' } }])
      expect(msgs[1]![1]).toMatchObject({ type: 'image', data: { file: expect.stringMatching(/^base64:\/\//) } })
    }
  })
})

describe('replay: the crash scenarios (k2, k3, k4) — our client never crashes the server', () => {
  it('k2_crash_onebot_apimd_shape: the same message goes out in the field shape; recall/forward/models refused', async () => {
    const r = await replay('k2_crash_onebot_apimd_shape')
    const user = await connectLikeRecorded(r, 'user')
    const observer = await connectLikeRecorded(r, 'admin-observer')
    const s = r.script('user')
    await expectRefusedCleanly(user, s)
    const rec = s.recordedSends[0]!
    const inner = (rec.data as Json).data as { message: Segment[] }
    const id = await user.sendMessage((rec.data as Json).id as string, inner.message)
    expect(id).toBe('5305090563')
    const ours = s.ours.find((f) => f.protocol === 'onebot')!
    expect(Array.isArray(ours.data)).toBe(true)
    expect(ours.data).toEqual([
      { type: 'text', data: { text: 'Hello, world!' } },
      { type: 'image', data: { image: 'https://example.com/image.jpg', file: 'https://example.com/image.jpg' } }
    ])
    await sleep(50)
    expect(user.status.state).toBe('online')
    expect(observer.status.state).toBe('online')
  })

  it('k3_crash_openai_no_messages: a completion without messages never leaves; spec-only operations refused', async () => {
    const r = await replay('k3_crash_openai_no_messages')
    const c = await connectLikeRecorded(r, 'user')
    const s = r.script('user')
    await expectRefusedCleanly(c, s)
    const rec = s.recordedSends[0]!
    expect(() => c.complete(rec.data as unknown as Parameters<MioClient['complete']>[0])).toThrow(TransportError)
    expect(() => (c as unknown as { sendFrame(f: Json): void }).sendFrame(rec)).toThrow(/openai frame without data.messages/)
    await sleep(30)
    expect(s.ours.filter((f) => f.protocol === 'openai')).toEqual([])
    expect(c.status.state).toBe('online')
  })

  it('k4_crash_openai_models_apimd: models come from the login push, never from a models request', async () => {
    const r = await replay('k4_crash_openai_models_apimd')
    const c = await connectLikeRecorded(r, 'user')
    const s = r.script('user')
    await expectRefusedCleanly(c, s)
    expect(() => (c as unknown as { sendFrame(f: Json): void }).sendFrame(s.recordedSends[0]!)).toThrow(/openai models request/)
    await sleep(30)
    expect(s.ours.filter((f) => f.protocol === 'openai')).toEqual([])
  })
})

describe('replay: malformed frames (k)', () => {
  it('k_malformed: our client sends none of the probes; heartbeats and onebot sends work in between', async () => {
    const r = await replay('k_malformed')
    const s = r.script('user')
    const c = r.client('user')
    const delays: number[] = []
    c.on('delay', (d) => delays.push(d))
    await c.connect()
    await waitFor(() => delays.length >= 2, 2000, 'two heartbeats')
    expect(await c.sendMessage('154321234', [])).toBe('5304455923')
    const n = delays.length
    await waitFor(() => delays.length >= n + 1, 2000, 'a heartbeat after the send')
    expect(await c.sendMessage('154321234', [{ type: 'text', data: { text: 'no id field' } }])).toBe('5304457328')
    const m = delays.length
    await waitFor(() => delays.length >= m + 1, 2000, 'a heartbeat after the second send')
    c.stop()
    expect(c.droppedFrames).toBe(0)
    // the answer to the recording's binary heartbeat probe is never sent to us: we made no such request
    expect(s.droppedReplies.map((f) => f.request_id)).toContain('mwr1x5ioa483e')
    for (const f of s.ours) {
      expect(typeof f.protocol).toBe('string')
      expect(typeof f.type).toBe('string')
      expect(['string', 'number']).toContain(typeof f.request_id)
    }
    // every heartbeat of ours that the server answered got its own id back
    const answered = s.sent.filter((f) => f.type === 'heartbeat').map((f) => f.request_id)
    expect(answered.length).toBeGreaterThanOrEqual(3)
    for (const id of answered) expect(s.ours.some((f) => f.request_id === id && f.type === 'heartbeat'), `${String(id)} in ${JSON.stringify(s.ours)}`).toBe(true)
  })
})

describe('replay: HTTP (l) and the OneBot side (m)', () => {
  it('l_http: sharing posts {contactor} to /api/share/set and resolves the relative share link', async () => {
    COVERED.add('l_http')
    const t = loadTranscript('l_http')
    const pairs = t.entries
      .filter((e) => e.dir === 'http-request' && e.path === '/api/share/set')
      .map((req) => ({ req, res: t.entries.find((e) => e.dir === 'http-response' && e.t_ms >= req.t_ms && e.path === '/api/share/set')! }))
    expect(pairs).toHaveLength(2)
    const bodies: unknown[] = []
    let next = 0
    const srv = await startFakeServer({
      ...fieldServer(),
      onHttp: (req, res, body) => {
        if (req.method !== 'POST' || req.url !== '/api/share/set') {
          res.statusCode = 404
          return res.end()
        }
        bodies.push(JSON.parse(body))
        const rec = pairs[next++]!.res
        res.statusCode = rec.status as number
        const h = rec.headers as Record<string, string>
        res.setHeader('content-type', h['content-type']!)
        res.end(rec.body !== undefined ? JSON.stringify(rec.body) : (rec.text as string))
      }
    })
    extraServers.push(srv)
    const c = new MioClient({ server: srv.url, id: '15432', token: 'dummy-user-code', heartbeatIntervalMs: 60_000 })
    current = undefined
    try {
      await c.connect()
      const contactor = (pairs[0]!.req.body as { contactor: Record<string, unknown> }).contactor
      await expect(c.share(contactor)).resolves.toEqual({ shareUrl: `http://127.0.0.1:${srv.port}/chat/0?shareId=154325678`, previewImage: '等等！' })
      expect(bodies[0]).toEqual(pairs[0]!.req.body)
      // the recorded 500 (an HTML error page) is a sentence, not a crash
      await expect(c.share(undefined as unknown as Record<string, unknown>)).rejects.toMatchObject({
        kind: 'protocol',
        message: 'The server answered the share request with HTTP 500 and no JSON'
      })
    } finally {
      c.stop()
    }
  })

  it('m_onebot_handshake: only the server and its OneBot peer talk; there is no client side to replay', () => {
    COVERED.add('m_onebot_handshake')
    const t = loadTranscript('m_onebot_handshake')
    expect(wsConns(t)).toEqual([])
    expect(t.entries.filter((e) => e.dir === 'send' || e.dir === 'recv')).toEqual([])
    expect(new Set(t.entries.map((e) => e.conn))).toEqual(new Set(['onebot']))
  })
})

describe('replay coverage', () => {
  it('every transcript in the fixtures was replayed above', () => {
    expect(listTranscripts().filter((n) => !COVERED.has(n))).toEqual([])
    expect(listTranscripts().length).toBe(27)
  })
})
