/**
 * Replays every recording of the Socket.IO Mio-Chat server (test/fixtures/mio-v2-transcripts) to a
 * real MioV2Client over a real Socket.IO server (test/helpers/v2-replay.ts), drives the client with
 * the operations the recording client performed, and checks the end state the recording implies.
 * The scripted server checks every event our client emits against the five crash shapes.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { MioV2Client } from '../../../src/core/protocols/mio/v2/client'
import { isEngineIoOpen, detectMioGeneration } from '../../../src/core/protocols/mio/detect'
import { isObject, type Json } from '../../../src/core/protocols/mio/frames'
import { TransportError } from '../../../src/core/transport/errors'
import type { ResumedReply } from '../../../src/core/protocols/mio/connection'
import type { AiReply, CompletionRequest, ChatTurn, LoginInfo, Segment } from '../../../src/shared/mio'
import type { ConnectionStatus } from '../../../src/shared/connection'
import { waitFor } from '../../helpers/fake-server'
import type { Transcript } from '../../helpers/transcripts'
import { V2Replay, v2SocketIoConns, type V2ConnScript } from '../../helpers/v2-replay'
import { completions, listV2Transcripts, loadV2Transcript } from '../../helpers/v2-transcripts'

const COVERED = new Set<string>()
let current: V2Replay | undefined

afterEach(async () => {
  if (current) {
    const r = current
    current = undefined
    expect(r.unsafe, 'events in a shape that crashes the real server').toEqual([])
    await r.close()
  }
})

async function replay(t: string | Transcript): Promise<V2Replay> {
  COVERED.add(typeof t === 'string' ? t : t.name)
  current = await V2Replay.start(t)
  return current
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms))
}

function expectNoUnexpected(r: V2Replay, ...conns: string[]): void {
  for (const c of conns) expect(r.script(c).unexpected, `${r.transcript.name}/${c}: our events without a recorded counterpart`).toEqual([])
}

/** The LoginInfo the recorded login push of `s` (+ the recorded /api/base_info) implies. */
function recordedLogin(s: V2ConnScript): LoginInfo {
  const d = s.recordedRecv.find((f) => f.protocol === 'system' && f.type === 'login')!.data as {
    bootId: string
    is_admin: boolean
    models: Record<string, { owner: string; models: string[] }[]>
    models_meta: Record<string, Record<string, { maxInput: number; vision: boolean; fc: boolean; reasoning: boolean }>>
    onebot_enabled: boolean
    pendingTasks: string[]
  }
  const providers = Object.entries(d.models).map(([name, models]) => ({
    name,
    models,
    meta: Object.fromEntries(Object.entries(d.models_meta[name]!).map(([m, x]) => [m, { maxInput: x.maxInput, vision: x.vision, fc: x.fc, reasoning: x.reasoning }]))
  }))
  return {
    isAdmin: d.is_admin,
    adminQq: '10000001',
    botQq: '20000001',
    dialect: 'v2',
    providers,
    models: providers.flatMap((p) => p.models),
    defaultModel: providers[0]!.models[0]!.models[0],
    onebotEnabled: d.onebot_enabled,
    pendingTasks: d.pendingTasks,
    bootId: d.bootId,
    // /api/base_info's title: the account's name when the user gave it none.
    serverName: 'MioChat'
  }
}

async function connectLikeRecorded(r: V2Replay, conn: string, o: Parameters<V2Replay['client']>[1] = {}, before?: (c: MioV2Client) => void): Promise<MioV2Client> {
  const c = r.client(conn, o)
  before?.(c)
  const login = await c.connect()
  expect(login).toEqual(recordedLogin(r.script(conn)))
  expect(c.dialect).toBe('v2')
  expect(r.script(conn).ourAuth).toEqual({ id: String(r.script(conn).auth.id), token: r.script(conn).auth.token, firstLogin: false })
  return c
}

/** The CompletionRequest that makes our client send the recorded completion frame `f`. */
function requestOf(f: Json): CompletionRequest {
  const d = f.data as { settings: Json; messages: ChatTurn[] }
  const s = d.settings as { provider: string; base: { model: string; stream: boolean }; chatParams: Record<string, number>; toolCallSettings: { tools: string[] }; yolo?: boolean }
  const m = f.metaData as { contactorId: string; messageId: string }
  return {
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
  }
}

/** Our frame for a recorded completion: the same, except what MioDesk does not send (shWhitelist, namePolicy). */
function expectSameCompletion(ours: Json | undefined, recorded: Json): void {
  const rec = structuredClone(recorded)
  delete ((rec.data as Json).settings as Json).shWhitelist
  delete (rec.metaData as Json).namePolicy
  expect(ours).toEqual(rec)
}

const TOOL_TEXT = (result: unknown): string => `The tool returned: ${typeof result === 'string' ? result : JSON.stringify(result)}`
const BASH = { key: 'call_stub_1', id: 'call_stub_1', name: 'bash_mid_3fcaad', params: '{"command": "echo mio-tool-ok"}', displayName: 'echo mio-tool-ok' }

function toolResult(s: V2ConnScript, requestId: string): unknown {
  const f = s.recordedRecv.find((x) => x.request_id === requestId && isObject(x.data) && isObject(x.data.content) && x.data.content.action === 'finished')!
  return ((f.data as Json).content as Json).result
}

/** Runs the recorded completion `index` of `conn` and returns the handle and its final reply. */
async function completeLikeRecorded(r: V2Replay, c: MioV2Client, conn: string, index = 0): Promise<{ reply: AiReply; requestId: string }> {
  const rec = completions(r.transcript, conn)[index]!
  const h = c.complete(requestOf(rec))
  const reply = await h.done
  expectSameCompletion(r.script(conn).ourFrames.find((f) => f.type === 'completions' && f.request_id === rec.request_id), rec)
  return { reply, requestId: h.requestId as string }
}

// ------------------------------------------------------------------------------ connecting

describe('v2 replay: connecting (a, b, c, d)', () => {
  it('a: the login push → LoginInfo (providers with meta, flattened models, bootId, QQs from /api/base_info); a first login changes nothing', async () => {
    const r = await replay('v2-a_connect_user')
    const c = await connectLikeRecorded(r, 'user')
    expect(c.status).toMatchObject({ state: 'online' })
    expect(r.httpRequests.map((h) => `${h.method} ${h.url}`)).toContain('GET /api/base_info')
    // the recording's second conn is another id's first login: our client always says firstLogin:false
    const first = await connectLikeRecorded(r, 'user-first-login')
    await waitFor(() => r.script('user-first-login').finished, 2000, 'the recorded presets push')
    expect(first.isOnline).toBe(true)
    expectNoUnexpected(r, 'user', 'user-first-login')
  })

  it('b: admin rights and every model; a second device of the same id gets its own login and nothing of the first one’s reply', async () => {
    const r = await replay('v2-b_connect_admin')
    const admin = await connectLikeRecorded(r, 'admin')
    const second = await connectLikeRecorded(r, 'admin-2nd-device')
    expect(admin.login?.isAdmin).toBe(true)
    expect(admin.login?.models?.map((g) => g.owner)).toEqual(['OpenAI', 'DeepSeek', 'Anthropic', 'Custom'])
    const seen: string[] = []
    second.on('resumed', (x) => seen.push(x.messageId))
    const { reply } = await completeLikeRecorded(r, admin, 'admin')
    expect(reply).toMatchObject({ status: 'completed', text: 'Hello from the stub.' })
    await sleep(30)
    expect(seen).toEqual([])
    expect(second.isOnline).toBe(true)
    expectNoUnexpected(r, 'admin', 'admin-2nd-device')
  })

  it('c: 无效token / 缺少ID are final and said in words within a second, the code never echoed, no retry', async () => {
    const r = await replay('v2-c_auth_failures')
    const cases: [string, string][] = [
      ['wrong-token', 'Invalid credentials: the server refused the access code'],
      ['empty-token', 'Invalid credentials: the server refused the access code'],
      ['id-string-undefined', 'Invalid credentials: the server refused the user id (it needs a real id)']
    ]
    for (const [conn, words] of cases) {
      const c = r.client(conn)
      const statuses: ConnectionStatus[] = []
      c.on('status', (s) => statuses.push(s))
      const before = r.connects
      const t0 = Date.now()
      // failFast or not: a refusal is final either way
      const e = (await c.connect({ failFast: conn === 'empty-token' }).catch((x: unknown) => x)) as TransportError
      expect(Date.now() - t0).toBeLessThan(1000)
      expect(e).toBeInstanceOf(TransportError)
      expect([e.kind, e.message]).toEqual(['auth', words])
      expect(e.message).not.toContain(String(r.script(conn).auth.token || 'dummy'))
      await sleep(150)
      expect(r.connects - before, `${conn}: no reconnect loop`).toBe(1)
      expect(c.status).toEqual({ state: 'failed', error: words, errorKind: 'auth' })
      expect(statuses.map((s) => s.state)).not.toContain('reconnecting')
    }
    // a numeric id is sent as a string and works; the admin code makes anyone an admin
    await connectLikeRecorded(r, 'numeric-id')
    const adminCode = await connectLikeRecorded(r, 'user-id-with-admin-code')
    expect(adminCode.login?.isAdmin).toBe(true)
    // our client never connects without an id (the server would accept it, as one shared user)
    const noId = new MioV2Client({ server: r.url, id: ' ', token: 'dummy-user-code' })
    r.clients.push(noId)
    await expect(noId.connect()).rejects.toMatchObject({ kind: 'auth', message: 'A user id is needed to sign in' })
    // the recorded probes our client cannot make (no auth object, {}, no id, a raw session) stay unused
    expect(v2SocketIoConns(r.transcript).filter((n) => !r.script(n).assigned)).toEqual(['no-auth-object', 'empty-auth-object', 'missing-id', 'admin-code-missing-id'])
  })

  it('d: app heartbeats in the recorded shape, their round trip as delay events and delayMs; ping()', async () => {
    const r = await replay('v2-d_heartbeat')
    const c = r.client('user', { heartbeatIntervalMs: 40 })
    const delays: number[] = []
    c.on('delay', (d) => delays.push(d))
    await c.connect()
    await waitFor(() => delays.length >= 3, 2000, 'three heartbeat answers')
    const ours = r.script('user').ourFrames.filter((f) => f.type === 'heartbeat')
    const recorded = r.script('user').sends.find((s) => s.frame?.type === 'heartbeat')!.frame!
    for (const f of ours.slice(0, 3)) {
      expect(Object.keys(f).sort()).toEqual(Object.keys(recorded).sort())
      expect(f).toMatchObject({ protocol: 'system', type: 'heartbeat', data: { timestamp: expect.any(Number) } })
      expect(typeof f.request_id).toBe('string')
    }
    expect(delays.every((d) => d >= 0 && d < 1000)).toBe(true)
    expect(c.delayMs).toBeGreaterThanOrEqual(0)
    expect(c.status.delayMs).toBeGreaterThanOrEqual(0)
    await expect(c.ping()).resolves.toBeGreaterThanOrEqual(0)
    expectNoUnexpected(r, 'user')
  })
})

// ------------------------------------------------------------------------------ completions

describe('v2 replay: completions (e, f, g)', () => {
  it('e1: streamed text; our completion frame is the web client’s', async () => {
    const r = await replay('v2-e1_stream_text')
    const c = await connectLikeRecorded(r, 'user')
    const { reply } = await completeLikeRecorded(r, c, 'user')
    expect(reply).toEqual({ requestId: 'mmx8f9ds97', status: 'completed', text: 'Hello from the stub.', reasoning: '', toolCalls: [] })
    expect(r.script('user').finished).toBe(true)
    expectNoUnexpected(r, 'user')
  })

  it('e2: reasoning with its start time and duration', async () => {
    const r = await replay('v2-e2_stream_reasoning')
    const c = await connectLikeRecorded(r, 'user')
    const { reply } = await completeLikeRecorded(r, c, 'user')
    expect(reply).toMatchObject({ status: 'completed', text: 'Thought done.', reasoning: 'Let me think...', reasoningStartedAt: 1796354796435 })
    expect(reply.reasoningMs).toBeGreaterThanOrEqual(0)
  })

  it('e3: stream:false', async () => {
    const r = await replay('v2-e3_nonstream')
    const c = await connectLikeRecorded(r, 'user')
    const { reply } = await completeLikeRecorded(r, c, 'user')
    expect(reply).toMatchObject({ status: 'completed', text: 'Stub summary title' })
  })

  it('f1: a tool call (yolo from autoApprove), states in order, parameters accumulated, the result, the follow-up text', async () => {
    const r = await replay('v2-f1_tool_admin')
    const c = await connectLikeRecorded(r, 'admin')
    const states: string[] = []
    const rec = completions(r.transcript, 'admin')[0]!
    const h = c.complete(requestOf(rec), (rep, ch) => {
      if (ch.toolCallsChanged) states.push(rep.toolCalls[0]!.state)
    })
    const reply = await h.done
    expectSameCompletion(r.script('admin').ourFrames.find((f) => f.type === 'completions'), rec)
    expect(((rec.data as Json).settings as Json).yolo).toBe(true)
    expect(states).toEqual(['started', 'pending', 'pending', 'pending', 'running', 'running', 'finished'])
    const result = toolResult(r.script('admin'), h.requestId as string)
    expect(reply.toolCalls).toEqual([{ ...BASH, state: 'finished', result }])
    expect(reply).toMatchObject({ status: 'completed', text: TOOL_TEXT(result) })
  })

  it('f2: a plain user’s admin-only tool is a failed call in words', async () => {
    const r = await replay('v2-f2_tool_user')
    const c = await connectLikeRecorded(r, 'user')
    const { reply } = await completeLikeRecorded(r, c, 'user')
    expect(reply.toolCalls[0]).toMatchObject({ state: 'failed', error: 'Only administrators can execute this function.' })
    expect(reply.status).toBe('completed')
  })

  it('f3: a throwing tool and an unknown tool, two replies in a row', async () => {
    const r = await replay('v2-f3_tool_throws')
    const c = await connectLikeRecorded(r, 'admin')
    const one = await completeLikeRecorded(r, c, 'admin', 0)
    expect(one.reply.toolCalls[0]).toMatchObject({ name: 'cron_mid_f876af', state: 'failed', error: '需要 taskId' })
    const two = await completeLikeRecorded(r, c, 'admin', 1)
    expect(two.reply.toolCalls[0]).toMatchObject({ name: 'drawPainting', state: 'failed', error: '[System Error] 未找到工具: drawPainting' })
    expect(r.script('admin').finished).toBe(true)
    expectNoUnexpected(r, 'admin')
  })

  it('f4: approve, deny, stale answers refused locally, a whitelisted command, an unanswered question interrupted', async () => {
    const r = await replay('v2-f4_tool_approval')
    const s = r.script('admin')
    const c = await connectLikeRecorded(r, 'admin')
    const recs = completions(r.transcript, 'admin')
    const interacts = s.sends.filter((x) => x.key === 'tool:interact').map((x) => (x.entry.args as unknown[])[0] as Json)

    // round 1: approve
    const h1 = c.complete(requestOf(recs[0]!))
    await waitFor(() => h1.reply.approval?.state === 'waiting', 2000, 'the question')
    // The question names the call that asks (its base name: "always allow" keeps it per contact).
    expect(h1.reply.approval).toEqual({ interactionId: 'interact_1796354840407_ggowxe1', prompt: '是否授权 LLM 执行命令：', command: 'echo mio-tool-ok', state: 'waiting', tool: 'bash' })
    await h1.answer!('interact_1796354840407_ggowxe1', true)
    const r1 = await h1.done
    expect(r1).toMatchObject({ status: 'completed', toolCalls: [{ state: 'finished' }] })
    expect(r1.approval).toBeUndefined()

    // round 2: deny with a reason
    const h2 = c.complete(requestOf(recs[1]!))
    await waitFor(() => h2.reply.approval?.state === 'waiting', 2000, 'the second question')
    await h2.answer!('interact_1796354841636_4mjiwug', false, 'not now')
    const r2 = await h2.done
    expect(r2.toolCalls[0]).toMatchObject({ state: 'failed', error: '[执行终止] 用户拒绝授权此 Shell 命令 "echo mio-tool-ok" 的执行。 原因: not now' })
    const ourInteracts = s.ours.filter((e) => e.event === 'tool:interact').map((e) => e.args[0])
    expect(ourInteracts).toEqual(interacts.slice(0, 2))

    // round 3: answering again, or a request that does not exist: refused here, nothing sent
    await expect(h2.answer!('interact_1796354841636_4mjiwug', true)).rejects.toMatchObject({ kind: 'protocol' })
    const before = s.ours.length
    await expect(h1.answer!('interact_0_nope', true)).rejects.toBeInstanceOf(TransportError)
    expect(s.ours.length).toBe(before)

    // round 4: whitelisted (MioDesk does not send shWhitelist: the stub's recorded answer asks nothing)
    const r4 = await c.complete(requestOf(recs[2]!)).done
    expect(r4).toMatchObject({ status: 'completed', toolCalls: [{ state: 'finished' }] })

    // round 5: never answered; no idle timeout while the question waits; interrupted by the event
    const h5 = c.complete(requestOf(recs[3]!))
    await waitFor(() => h5.reply.approval?.state === 'waiting', 2000, 'the last question')
    c.interrupt('mmx8fak4oh', 'c-f4')
    const r5 = await h5.done
    expect(r5).toEqual({ requestId: 'mmx8fak4oh', status: 'completed', text: '', reasoning: '', toolCalls: [{ ...BASH, state: 'running' }] })
    await waitFor(() => s.finished, 2000, 'the late USER_ABORT')
    await sleep(20)
    expect(h5.reply).toEqual(r5)
    expect(s.ours.find((e) => e.event === 'interruptGeneration')?.args).toEqual((s.sends.find((x) => x.key === 'interruptGeneration')!.entry.args as unknown[]))
    expectNoUnexpected(r, 'admin')
  })

  it('f5: the link drops while a question waits; after the reconnect the snapshot brings it back, it is answered there, the reply completes; ack', async () => {
    const r = await replay('v2-f5_approval_resume')
    const c = await connectLikeRecorded(r, 'admin')
    const states: string[] = []
    c.on('status', (st) => states.push(st.state))
    const h = c.complete(requestOf(completions(r.transcript, 'admin')[0]!))
    await waitFor(() => states.includes('reconnecting'), 2000, 'the dropped link')
    expect(h.reply).toMatchObject({ status: 'streaming', approval: { state: 'waiting' } })
    await waitFor(() => c.isOnline && r.script('admin-reconnected').socket !== undefined, 2000, 'the reconnect')
    expect(c.login?.pendingTasks).toEqual(['c-f5'])
    // our client asked for the reply by itself, as the recording client did
    await waitFor(() => r.script('admin-reconnected').ourFrames.some((f) => f.type === 'enter_chat'), 2000, 'enter_chat')
    expect(r.script('admin-reconnected').ourFrames.find((f) => f.type === 'enter_chat')!.data).toEqual({ contactorId: 'c-f5' })
    await waitFor(() => h.reply.approval?.interactionId === 'interact_1796354854659_9ku3mit', 2000, 'the question from the snapshot')
    await h.answer!('interact_1796354854659_9ku3mit', true)
    const reply = await h.done
    const result = toolResult(r.script('admin-reconnected'), 'mmx8fask4i')
    expect(reply).toEqual({ requestId: 'mmx8fask4i', status: 'completed', text: TOOL_TEXT(result), reasoning: '', toolCalls: [{ ...BASH, state: 'finished', result }] })
    // asking again: the finished reply comes back as a resumed one; then it is acked
    const resumed: ResumedReply[] = []
    c.on('resumed', (x) => resumed.push(x))
    c.resume('c-f5')
    await waitFor(() => resumed.length === 1, 2000, 'the resumed reply')
    expect(resumed[0]).toMatchObject({ contactorId: 'c-f5', messageId: 'mmx8fask4i', reply: { status: 'completed', text: reply.text } })
    expect(resumed[0]!.reply).toBe(resumed[0]!.handle.reply)
    await expect(resumed[0]!.handle.done).resolves.toEqual(reply)
    c.ack('c-f5', 'mmx8fask4i')
    await waitFor(() => r.script('admin-reconnected').ourFrames.some((f) => f.type === 'ack_message'), 2000, 'the ack')
    expect(r.script('admin-reconnected').ourFrames.find((f) => f.type === 'ack_message')!.data).toEqual({ contactorId: 'c-f5', messageId: 'mmx8fask4i' })
    expectNoUnexpected(r, 'admin', 'admin-reconnected')
  })

  it('g1: unknown model (code, status), a guest asking an admin model, an unknown provider (+ models_updated re-emits the login)', async () => {
    const r = await replay('v2-g1_invalid_model')
    const admin = await connectLikeRecorded(r, 'admin')
    const user = await connectLikeRecorded(r, 'user')
    const logins: LoginInfo[] = []
    user.on('login', (l) => logins.push(l))
    const a = await completeLikeRecorded(r, admin, 'admin')
    expect(a.reply).toMatchObject({ status: 'failed', errorCode: 'model_not_found', errorStatus: 404, error: '404 The model `no-such-model` does not exist or you do not have access to it.' })
    const b = await completeLikeRecorded(r, user, 'user', 0)
    expect(b.reply).toMatchObject({ status: 'failed', error: '模型 "gpt-4o" 不在游客可用范围内，请登录或切换模型。' })
    const c = await completeLikeRecorded(r, user, 'user', 1)
    expect(c.reply).toMatchObject({ status: 'failed', error: '您选择的模型或渠道 "NoSuchProvider" 已失效，请重新选择模型。' })
    await waitFor(() => logins.length === 1, 2000, 'models_updated')
    expect(logins[0]!.providers?.map((p) => p.name)).toEqual(['Stub'])
    expect(logins[0]!.providers?.[0]?.meta?.['gpt-4o-mini']).toMatchObject({ fc: true })
  })

  it('g2: upstream 500 → failed with the status', async () => {
    const r = await replay('v2-g2_upstream_500')
    const c = await connectLikeRecorded(r, 'user')
    expect((await completeLikeRecorded(r, c, 'user')).reply).toMatchObject({ status: 'failed', error: '500 stub internal error', errorStatus: 500 })
  })

  it('g3: upstream dropped → failed "terminated", the text so far kept', async () => {
    const r = await replay('v2-g3_midstream_drop')
    const c = await connectLikeRecorded(r, 'user')
    expect((await completeLikeRecorded(r, c, 'user')).reply).toMatchObject({ status: 'failed', error: 'terminated', text: 'Hello from the' })
  })

  it('g3 with the server gone instead: a reply without a contactorId ends interrupted at once, the text kept', async () => {
    COVERED.add('v2-g3_midstream_drop')
    const t = loadV2Transcript('v2-g3_midstream_drop')
    const cut: Transcript = { ...t, entries: t.entries.filter((e) => !(e.dir === 'recv' && isObject(e.frame) && e.frame.message === 'failed')) }
    current = await V2Replay.start(cut)
    const r = current
    const c = await connectLikeRecorded(r, 'user', { connectTimeoutMs: 300 })
    const req = { ...requestOf(completions(t, 'user')[0]!), contactorId: undefined }
    const h = c.complete(req)
    await waitFor(() => h.reply.text === 'Hello from the', 2000, 'the text so far')
    await r.kill()
    await expect(h.done).resolves.toMatchObject({ status: 'interrupted', text: 'Hello from the', error: 'The connection was lost before the reply finished' })
    await waitFor(() => c.status.state === 'reconnecting', 2000, 'reconnecting')
    expect(c.status).toMatchObject({ state: 'reconnecting', retryInMs: expect.any(Number), retryAt: expect.any(Number), error: expect.any(String), errorKind: expect.any(String) })
  })

  it('g4: the follow-up after a tool fails → failed alone', async () => {
    const r = await replay('v2-g4_fail_after_tool')
    const c = await connectLikeRecorded(r, 'admin')
    const { reply } = await completeLikeRecorded(r, c, 'admin')
    expect(reply).toMatchObject({ status: 'failed', errorStatus: 400, toolCalls: [{ state: 'finished' }] })
  })

  it('g5: dropped mid-stream → resumed after the reconnect (nothing repeated); a reply that finished while away comes back complete; ack; enter_chat then answers nothing', async () => {
    const r = await replay('v2-g5_disconnect_resume')
    const c = await connectLikeRecorded(r, 'user')
    const recs = completions(r.transcript)
    const texts: string[] = []
    const h1 = c.complete(requestOf(recs[0]!), (rep) => texts.push(rep.text))
    const one = await h1.done
    expect(one).toEqual({ requestId: 'mmx8fbmcss', status: 'completed', text: 'Hello from the stub.', reasoning: '', toolCalls: [] })
    expect(texts).toEqual(['Hello', 'Hello', 'Hello from', 'Hello from the', 'Hello from the stub', 'Hello from the stub.', 'Hello from the stub.'])
    expect(r.script('user-reconnected').ourFrames.filter((f) => f.type === 'enter_chat').map((f) => f.data)).toEqual([{ contactorId: 'c-g5' }])
    // part 2: the link drops after the first piece and the reply finishes meanwhile
    await waitFor(() => c.isOnline && r.script('user-3').socket !== undefined, 2000, 'the third connection')
    const h2 = c.complete(requestOf(recs[1]!))
    const two = await h2.done
    expect(two).toEqual({ requestId: 'mmx8fbodsu', status: 'completed', text: 'Hello from the stub.', reasoning: '', toolCalls: [] })
    expect(c.login?.pendingTasks).toEqual(['c-g5', 'c-g5b'])
    const u4 = r.script('user-4')
    expect(u4.ourFrames.filter((f) => f.type === 'enter_chat').map((f) => f.data)).toEqual([{ contactorId: 'c-g5b' }])
    // the provider asks again (e.g. after storing it), acks, and then the server has nothing
    const resumed: ResumedReply[] = []
    c.on('resumed', (x) => resumed.push(x))
    c.resume('c-g5b')
    await waitFor(() => resumed.length === 1, 2000, 'the second snapshot')
    await expect(resumed[0]!.handle.done).resolves.toEqual(two)
    c.ack('c-g5b', 'mmx8fbodsu')
    c.resume('c-g5b')
    await waitFor(() => u4.finished, 2000, 'the end of the recording')
    await sleep(30)
    expect(resumed).toHaveLength(1)
    expect(u4.ourFrames.filter((f) => f.protocol === 'llm').map((f) => [f.type, f.data])).toEqual([
      ['enter_chat', { contactorId: 'c-g5b' }],
      ['enter_chat', { contactorId: 'c-g5b' }],
      ['ack_message', { contactorId: 'c-g5b', messageId: 'mmx8fbodsu' }],
      ['enter_chat', { contactorId: 'c-g5b' }]
    ])
    expectNoUnexpected(r, 'user', 'user-reconnected', 'user-3', 'user-4')
  })
})

// ------------------------------------------------------------------------------ abort, ack

describe('v2 replay: abort and ack (h1, h2, j)', () => {
  it('h1: abort() sends the abort frame with data:{} and ends the reply as aborted with the text so far', async () => {
    const r = await replay('v2-h1_abort_frame')
    const s = r.script('user')
    const c = await connectLikeRecorded(r, 'user')
    const h = c.complete(requestOf(completions(r.transcript, 'user')[0]!))
    await waitFor(() => h.reply.text === 'Hello from the', 2000, 'three pieces')
    h.abort()
    await expect(h.done).resolves.toMatchObject({ status: 'aborted', text: 'Hello from the', error: 'Stopped' })
    await waitFor(() => s.ourFrames.some((f) => f.type === 'abort'), 2000, 'our abort frame')
    const ours = s.ourFrames.find((f) => f.type === 'abort')!
    expect(ours).toEqual({ request_id: 'mmx8fbyzhz', protocol: 'llm', type: 'abort', data: {} })
    await waitFor(() => s.finished, 2000, 'the server’s complete')
    expect(h.reply.status).toBe('aborted')
    expectNoUnexpected(r, 'user')
  })

  it('h2: interrupt() with the event; an unknown id harmless; an empty messageId refused here; interrupted before any text', async () => {
    const r = await replay('v2-h2_abort_interrupt')
    const s = r.script('user')
    const c = await connectLikeRecorded(r, 'user')
    const recs = completions(r.transcript, 'user')
    const h1 = c.complete(requestOf(recs[0]!))
    await waitFor(() => h1.reply.text === 'Hello', 2000, 'the first piece')
    c.interrupt('mmx8ffywo1', 'c-h2')
    await expect(h1.done).resolves.toMatchObject({ status: 'completed', text: 'Hello' })
    c.interrupt('no-such-message', 'c-h2')
    await expect(c.ping()).resolves.toBeGreaterThanOrEqual(0)
    const h2 = c.complete(requestOf(recs[1]!))
    await waitFor(() => h2.reply.text === 'Hello', 2000, 'the second reply')
    expect(() => c.interrupt('', 'c-h2')).toThrow(expect.objectContaining({ kind: 'unsupported' }))
    await expect(h2.done).resolves.toMatchObject({ status: 'completed', text: 'Hello' })
    const h3 = c.complete(requestOf(recs[2]!))
    c.interrupt('mmx8fg1dj4', 'c-h2')
    await expect(h3.done).resolves.toMatchObject({ status: 'completed', text: '模型无响应，请检查输入是否合法！' })
    expect(s.ours.filter((e) => e.event === 'interruptGeneration').map((e) => e.args[0])).toEqual([
      { messageId: 'mmx8ffywo1', contactorId: 'c-h2' },
      { messageId: 'no-such-message', contactorId: 'c-h2' },
      { messageId: 'mmx8fg1dj4', contactorId: 'c-h2' }
    ])
    expectNoUnexpected(r, 'user')
  })

  it('j: a finished reply is listed in pendingTasks until acked; resume → resumed; ack → gone', async () => {
    const r = await replay('v2-j_ack_message')
    const c = await connectLikeRecorded(r, 'user')
    const { reply } = await completeLikeRecorded(r, c, 'user')
    expect(reply.text).toBe('Hello from the stub.')
    await waitFor(() => c.isOnline && r.script('user-2').socket !== undefined, 2000, 'the second connection')
    expect(c.login?.pendingTasks).toEqual(['c-j'])
    expect(r.script('user-2').ourFrames.filter((f) => f.type === 'enter_chat')).toEqual([]) // ended streams are the provider's to resume
    const resumed: ResumedReply[] = []
    c.on('resumed', (x) => resumed.push(x))
    c.resume('c-j')
    await waitFor(() => resumed.length === 1, 2000, 'the snapshot')
    const got = await resumed[0]!.handle.done
    expect(got).toEqual(reply)
    c.ack(resumed[0]!.contactorId, resumed[0]!.messageId)
    c.ack('c-nope', 'nope') // as the recording client did: harmless
    await waitFor(() => c.isOnline && r.script('user-3').socket !== undefined, 2000, 'the third connection')
    expect(c.login?.pendingTasks).toEqual([])
    c.resume('c-j')
    await sleep(50)
    expect(resumed).toHaveLength(1)
    expect(r.script('user-2').ourFrames.find((f) => f.type === 'ack_message')!.data).toEqual({ contactorId: 'c-j', messageId: 'mmx8fcn1k15' })
    expectNoUnexpected(r, 'user', 'user-2', 'user-3')
  })
})

// ------------------------------------------------------------------------------ onebot

describe('v2 replay: onebot (i)', () => {
  it('i: sends with data always an array (ack → message id); pushes per recipient; images, deletions, forwards as nodes; nothing after a reconnect', async () => {
    const r = await replay('v2-i_onebot')
    const names = ['user', 'admin', 'other-user-99999']
    const got = new Map<string, { contactId: string; messageId: string; segments: Segment[] }[]>()
    const deleted = new Map<string, string[]>()
    const clients = new Map<string, MioV2Client>()
    for (const n of names) {
      got.set(n, [])
      deleted.set(n, [])
      // listening before the login: a push without a cause in the recording comes right after it
      const c = await connectLikeRecorded(r, n, {}, (x) => {
        x.on('message', (m) => got.get(n)!.push(m))
        x.on('deleted', (id) => deleted.get(n)!.push(id))
      })
      clients.set(n, c)
    }
    for (const n of ['user', 'admin']) {
      const rec = r.script(n).sends.find((s) => s.key === 'onebot/message')!.frame!
      const id = await clients.get(n)!.sendMessage(rec.id as string, rec.data as Segment[])
      const ours = r.script(n).ourFrames.find((f) => f.protocol === 'onebot')!
      expect({ ...ours, request_id: rec.request_id }).toEqual(rec)
      expect(id).toBe(String(((r.script(n).recordedRecv.find((f) => f.request_id === rec.request_id)!.data as Json).message_id)))
    }
    await waitFor(() => names.every((n) => r.script(n).finished), 2000, 'every push')
    await waitFor(() => got.get('user')!.length === 3 && deleted.get('other-user-99999')!.length === 1, 2000, 'the pushes')
    const user = got.get('user')!
    expect(user[0]).toEqual({ contactId: '15432', messageId: '3549276860233', segments: [{ type: 'text', data: { text: 'private reply from stub' } }] })
    expect(user[1]!.segments).toEqual([
      { type: 'reply', data: { id: '123' } },
      { type: 'text', data: { text: 'group reply from stub' } },
      { type: 'image', data: { file: '/f/up/image/2cd8bde4.png' } }
    ])
    // the forward push has no id: it is ours; its node objects stay as they are (the renderer reads them)
    expect(user[2]!.contactId).toBe('15432')
    expect(user[2]!.segments[0]!.type).toBe('nodes')
    expect((user[2]!.segments[0]!.data.messages as Json[]).map((n) => ((n.data as Json).name))).toEqual(['Alice', 'Bob'])
    expect(got.get('admin')).toEqual([{ contactId: '10000001', messageId: '3549287070071', segments: [{ type: 'text', data: { text: 'to the admin qq' } }] }])
    expect(got.get('other-user-99999')).toEqual([])
    for (const n of names) expect(deleted.get(n)).toEqual(['123456'])
    // the user's link drops (the recording client left and came back): nothing is delivered later
    await waitFor(() => clients.get('user')!.isOnline && r.script('user-back').socket !== undefined, 2000, 'the reconnect')
    await sleep(50)
    expect(got.get('user')).toHaveLength(3)
    await expect(clients.get('user')!.recall('15432', '1')).rejects.toMatchObject({ kind: 'unsupported' })
    await expect(clients.get('user')!.forward('15432', [{ message_id: 1, message: [] }])).rejects.toMatchObject({ kind: 'unsupported' })
    expectNoUnexpected(r, ...names, 'user-back')
  })
})

// ------------------------------------------------------------------------------ crashes and malformed input

/** The recording with its crash and what followed cut: our client sends the safe shape, so none of that happens. */
function withoutCrash(name: string, fix: (e: Transcript['entries'][number]) => Transcript['entries'][number] | undefined): Transcript {
  const t = loadV2Transcript(name)
  return { ...t, entries: t.entries.flatMap((e) => (e.dir === 'recv' && e.packet === 'sio-disconnect' ? [] : [fix(e) ?? e])) }
}

describe('v2 replay: the five crashes (k2..k6) — nothing crash-shaped ever leaves', () => {
  it('k2: the spec message shape (data an object) goes out as an array of segments', async () => {
    const t = withoutCrash('v2-k2_crash_onebot_object_data', (e) => {
      if (e.dir === 'send' && isObject(e.frame) && e.frame.request_id === 'crash-1') {
        const frame = { request_id: 'crash-1', protocol: 'onebot', type: 'message', id: '10000', data: [{ type: 'text', data: { text: 'hi' } }], metaData: { contactorId: '15432' } }
        return { ...e, frame, raw: undefined }
      }
      return undefined
    })
    const r = await replay(t)
    const c = await connectLikeRecorded(r, 'user')
    await connectLikeRecorded(r, 'bystander-99999')
    const spec = (loadV2Transcript('v2-k2_crash_onebot_object_data').entries.find((e) => isObject(e.frame) && e.frame.request_id === 'crash-1')!.frame as Json).data as Json
    const segments = ((spec.data as Json).message as Segment[])
    await expect(c.sendMessage((spec.id as string), segments)).resolves.toBe('6354973491')
    expect(r.script('user').ourFrames.find((f) => f.protocol === 'onebot')!.data).toEqual([{ type: 'text', data: { text: 'hi' } }])
    // an object where segments belong: an empty list, never the object
    await expect(c.sendMessage('10000', { text: 'x' } as unknown as Segment[])).rejects.toMatchObject({ kind: 'protocol', message: 'A message needs a list of segments' })
    expect(r.script('user').ourFrames.filter((f) => f.protocol === 'onebot').every((f) => Array.isArray(f.data))).toBe(true)
    expect(c.isOnline).toBe(true)
  })

  it('k3: a text segment without data (or null) goes out with data:{} (or not at all)', async () => {
    const t = withoutCrash('v2-k3_crash_onebot_bad_segment', (e) =>
      e.dir === 'send' && isObject(e.frame) && e.frame.request_id === 'crash-2'
        ? { ...e, frame: { ...e.frame, data: [{ type: 'text', data: {} }, { type: 'text', data: { text: 'x' } }], metaData: { contactorId: '15432' } }, raw: undefined }
        : undefined
    )
    const r = await replay(t)
    const c = await connectLikeRecorded(r, 'user')
    await expect(c.sendMessage('10000', [{ type: 'text' } as Segment, null as unknown as Segment, { type: 'text', data: { text: 'x' } }])).resolves.toBe('6354987357')
    expect(r.script('user').ourFrames.find((f) => f.protocol === 'onebot')!.data).toEqual([
      { type: 'text', data: {} },
      { type: 'text', data: { text: 'x' } }
    ])
  })

  it('k4, k5: interruptGeneration / tool:interact without an argument are refused before they leave', async () => {
    for (const name of ['v2-k4_crash_interrupt_no_payload', 'v2-k5_crash_tool_interact_no_payload']) {
      const r = await replay(withoutCrash(name, () => undefined))
      const c = await connectLikeRecorded(r, 'user')
      const emit = (c as unknown as { emitSafe(e: string, a: unknown): void }).emitSafe.bind(c)
      for (const [event, arg] of [
        ['interruptGeneration', undefined],
        ['interruptGeneration', null],
        ['interruptGeneration', () => {}],
        ['tool:interact', undefined],
        ['tool:interact', null],
        ['tool:interact', { interactionId: 'x', requestId: 'y' }],
        ['tool:interact', { interactionId: 'x', requestId: 'y', payload: undefined }],
        ['tool:interact', { interactionId: 'x', requestId: 'y', payload: null }]
      ] as [string, unknown][]) {
        expect(() => emit(event, arg), `${event} ${String(arg)}`).toThrow(expect.objectContaining({ kind: 'unsupported' }))
      }
      expect(() => c.interrupt(undefined as unknown as string)).toThrow(TransportError)
      await sleep(30)
      expect(r.script('user').ours.filter((e) => e.event !== 'message')).toEqual([])
      expect(c.isOnline).toBe(true)
      current = undefined
      expect(r.unsafe).toEqual([])
      await r.close()
    }
  })

  it('k6: a waiting question is answered only with a payload', async () => {
    const t = loadV2Transcript('v2-k6_crash_approval_without_payload')
    const probe = t.entries.findIndex((e) => e.dir === 'send' && e.event === 'tool:interact')
    const cut: Transcript = { ...t, entries: t.entries.filter((e, i) => i < probe || !(e.dir === 'recv' && e.conn === 'admin')) }
    const r = await replay(cut)
    const s = r.script('admin')
    const c = await connectLikeRecorded(r, 'admin', { answerTimeoutMs: 50 })
    const h = c.complete(requestOf(completions(t, 'admin')[0]!))
    await waitFor(() => h.reply.approval?.state === 'waiting', 2000, 'the question')
    const emit = (c as unknown as { emitSafe(e: string, a: unknown): void }).emitSafe.bind(c)
    expect(() => emit('tool:interact', { interactionId: h.reply.approval!.interactionId, requestId: h.requestId })).toThrow(expect.objectContaining({ kind: 'unsupported' }))
    await h.answer!(h.reply.approval!.interactionId, true)
    const sent = s.ours.filter((e) => e.event === 'tool:interact').map((e) => e.args[0])
    expect(sent).toEqual([{ interactionId: 'interact_1796355027358_eeppdku', requestId: 'mmx8fehte26', payload: { approved: true } }])
    expect(h.reply.approval?.state).toBe('approved')
    h.abort()
  })
})

describe('v2 replay: malformed input (k)', () => {
  it('k: heartbeats and onebot sends work; none of the recorded probes is something our client sends', async () => {
    const r = await replay('v2-k_malformed')
    const s = r.script('user')
    const c = r.client('user', { heartbeatIntervalMs: 40 })
    const delays: number[] = []
    c.on('delay', (d) => delays.push(d))
    await c.connect()
    await waitFor(() => delays.length >= 2, 2000, 'two heartbeats')
    await expect(c.sendMessage('10000', [])).resolves.toBe('6354956961')
    await expect(c.sendMessage('10000', [{ type: 'weird', data: {} }])).resolves.toBe('6354957364')
    await waitFor(() => delays.length >= 4, 2000, 'heartbeats after the sends')
    expect(c.droppedFrames).toBe(0)
    expect(new Set(s.ourFrames.map((f) => `${String(f.protocol)}/${String(f.type)}`))).toEqual(new Set(['system/heartbeat', 'onebot/message']))
    expect(s.ours.every((e) => e.event === 'message' && typeof e.args[0] === 'string')).toBe(true)
    expect(s.unexpected.filter((e) => e.frame?.type !== 'heartbeat')).toEqual([])
  })
})

// ------------------------------------------------------------------------------ HTTP, pushes, detection

describe('v2 replay: HTTP (l), pushes (m), the old URL and the probes (n, n2)', () => {
  it('l: share posts {contactor} to /api/share/set → the absolute link; the recorded 500 page is a sentence', async () => {
    COVERED.add('v2-l_http')
    const r = await replay('v2-a_connect_user')
    const c = await connectLikeRecorded(r, 'user')
    const t = loadV2Transcript('v2-l_http')
    const contactor = (t.entries.find((e) => e.dir === 'http-request' && e.path === '/api/share/set')!.body as { contactor: Record<string, unknown> }).contactor
    await expect(c.share(contactor)).resolves.toEqual({ shareUrl: `http://127.0.0.1:${r.port}/s/838564`, previewImage: '' })
    expect(JSON.parse(r.httpRequests.find((h) => h.url === '/api/share/set')!.body)).toEqual({ contactor })
    await expect(c.share(undefined as unknown as Record<string, unknown>)).rejects.toMatchObject({ kind: 'protocol', message: 'The server answered the share request with HTTP 500 and no JSON' })
    await expect(c.models()).resolves.toEqual(recordedLogin(r.script('user')).models)
  })

  it('m: models_updated re-emits the login; chat_title_updated → a title event (the catalog notices: v2-frames.test.ts)', async () => {
    const r = await replay('v2-m_pushes')
    const user = await connectLikeRecorded(r, 'user')
    const admin = await connectLikeRecorded(r, 'admin')
    const logins: LoginInfo[] = []
    const titles: { contactorId: string; title: string }[] = []
    user.on('login', (l) => logins.push(l))
    user.on('title', (x) => titles.push(x))
    const recs = completions(r.transcript, 'user')
    expect((await completeLikeRecorded(r, user, 'user', 0)).reply).toMatchObject({ status: 'failed' })
    const named = (await completeLikeRecorded(r, user, 'user', 1)).reply
    expect(named).toMatchObject({ status: 'completed', text: 'Hello from the stub.' })
    await waitFor(() => titles.length === 1, 2000, 'the title')
    expect(titles).toEqual([{ contactorId: 'c-m2', title: 'Stub summary title' }])
    expect(logins.length).toBeGreaterThanOrEqual(1)
    expect(logins.at(-1)!.models).toEqual(recordedLogin(r.script('user')).models)
    expect(user.droppedFrames + admin.droppedFrames).toBe(0)
    expect(recs).toHaveLength(2)
  })

  it('n, n2: the detection probe tells a v2 server (engine.io open packet) from the v1 page', async () => {
    COVERED.add('v2-n_old_url')
    COVERED.add('v2-n2_probes_on_old_server')
    const probe = (name: string) => loadV2Transcript(name).entries.find((e) => e.dir === 'http-response' && String(e.path).startsWith('/socket.io/?EIO=4'))!
    const v2 = probe('v2-n_old_url')
    const v1 = probe('v2-n2_probes_on_old_server')
    expect([(v2.headers as Json)['content-type'], isEngineIoOpen(v2.body as string)]).toEqual(['text/plain; charset=UTF-8', true])
    expect([(v1.headers as Json)['content-type'], isEngineIoOpen(v1.body as string)]).toEqual(['text/html; charset=UTF-8', false])
    // and against a live Socket.IO server
    const r = await replay('v2-a_connect_user')
    await expect(detectMioGeneration(r.url)).resolves.toBe('v2')
    await expect(detectMioGeneration(`ws://127.0.0.1:${r.port}/api/gateway`)).resolves.toBe('v2')
  })
})

describe('v2 replay coverage', () => {
  it('every v2 transcript in the fixtures was replayed above', () => {
    expect(listV2Transcripts().filter((n) => !COVERED.has(n))).toEqual([])
    expect(listV2Transcripts().length).toBe(31)
  })
})
