import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { YunhuPush, YunhuStreamAssembler, defaultYunhuPlatform, isInvalidDataFrame } from '../../../src/core/protocols/yunhu/push'
import { encodeWsFrame } from '../../../src/core/protocols/yunhu/codec/yunhu'
import { createMemoryLogger } from '../../../src/core/log'
import { TransportError } from '../../../src/core/transport/errors'
import type { ConnectionStatus } from '../../../src/shared/connection'
import type { YunhuPushUpdate } from '../../../src/shared/yunhu-api'
import { FIXTURE_DIR, YunhuWsServer, fixture, waitFor } from './helpers'

const TOKEN = 'push-secret-token'
const FAST_BACKOFF = { baseMs: 20, maxMs: 60, factor: 2, jitter: 0 }

let server: YunhuWsServer | undefined
let client: YunhuPush | undefined

afterEach(async () => {
  client?.stop()
  client = undefined
  await server?.close()
  server = undefined
})

interface Harness {
  server: YunhuWsServer
  push: YunhuPush
  updates: YunhuPushUpdate[]
  statuses: ConnectionStatus[]
  dropped: string[]
  log: ReturnType<typeof createMemoryLogger>
}

/** A server that acks heartbeats (echoing seq unless told not to) and a client for it. */
async function harness(
  opts: Partial<ConstructorParameters<typeof YunhuPush>[0]> & { ack?: 'seq' | 'noseq' | 'none' } = {}
): Promise<Harness> {
  server = await YunhuWsServer.start()
  const ack = opts.ack ?? 'seq'
  server.onFrame = (conn, f) => {
    if (f.cmd === 'heartbeat' && ack !== 'none') conn.ws.send(encodeWsFrame({ kind: 'heartbeat_ack', seq: ack === 'seq' ? f.seq : '' }))
  }
  const log = createMemoryLogger()
  const push = new YunhuPush({
    url: server.url,
    userId: '5184731',
    token: TOKEN,
    deviceId: 'device-abc',
    platform: 'linux',
    loginSettleMs: 50,
    heartbeatIntervalMs: 10_000,
    backoff: FAST_BACKOFF,
    logger: log,
    ...opts
  })
  client = push
  const h: Harness = { server, push, updates: [], statuses: [], dropped: [], log }
  push.on('update', (u) => h.updates.push(u))
  push.on('status', (s) => h.statuses.push(s))
  push.on('dropped', (r) => h.dropped.push(r))
  return h
}

const fixtureJson = (name: string): any => JSON.parse(readFileSync(`${FIXTURE_DIR}${name}.json`, 'utf8'))

describe('YunhuPush: login and heartbeat', () => {
  it('sends the JSON login frame first and goes online after the settle time', async () => {
    const h = await harness()
    await h.push.connect()
    const first = h.server.last.frames[0]
    expect(first.cmd).toBe('login')
    expect(typeof first.seq).toBe('string')
    expect(first.seq.length).toBeGreaterThan(0)
    expect(first.data).toEqual({ userId: '5184731', token: TOKEN, platform: 'linux', deviceId: 'device-abc' })
    expect(Object.keys(first).sort()).toEqual(['cmd', 'data', 'seq'])
    expect(h.statuses.map((s) => s.state)).toEqual(['connecting', 'authenticating', 'online', 'online'].slice(0, h.statuses.length))
    expect(h.push.status.state).toBe('online')
  })

  it('the first frame from the server completes the login without waiting', async () => {
    const h = await harness({ loginSettleMs: 60_000 })
    h.server.onConnection = (conn) => conn.ws.on('message', () => conn.ws.send(fixture('ws_push_text_private_zh')))
    const t0 = Date.now()
    await h.push.connect()
    expect(Date.now() - t0).toBeLessThan(5000)
    await waitFor(() => h.updates.length === 1)
    expect(h.updates[0]!.kind).toBe('push_message')
  })

  it('never logs the token', async () => {
    const h = await harness()
    await h.push.connect()
    expect(h.log.entries.length).toBeGreaterThan(0)
    expect(JSON.stringify(h.log.entries)).not.toContain(TOKEN)
  })

  it('heartbeats {seq, cmd:"heartbeat", data:{}} on a timer, acks settle by seq', async () => {
    const h = await harness({ heartbeatIntervalMs: 80 })
    const delays: number[] = []
    h.push.on('delay', (d) => delays.push(d))
    await h.push.connect()
    await h.server.until(() => h.server.last.frames.filter((f) => f.cmd === 'heartbeat').length >= 3, 5000, '3 heartbeats')
    const hb = h.server.last.frames.filter((f) => f.cmd === 'heartbeat')
    for (const f of hb) expect(f).toEqual({ seq: expect.any(String), cmd: 'heartbeat', data: {} })
    expect(new Set(hb.map((f) => f.seq)).size).toBe(hb.length)
    await waitFor(() => delays.length >= 2)
    expect(h.push.socket.pending.size).toBeLessThanOrEqual(1)
    expect(h.push.status.state).toBe('online')
    expect(await h.push.ping()).toBeGreaterThanOrEqual(0)
  })

  it('an ack without seq settles the oldest outstanding heartbeat', async () => {
    const h = await harness({ ack: 'noseq' })
    await h.push.connect()
    const rtt = await h.push.ping(2000)
    expect(rtt).toBeGreaterThanOrEqual(0)
    await waitFor(() => h.push.socket.pending.size === 0)
  })

  it('a dead link (heartbeats unanswered, nothing received) is dropped and redialled', async () => {
    const h = await harness({ ack: 'none', heartbeatIntervalMs: 60 })
    await h.push.connect()
    await h.server.until(() => h.server.conns.length >= 2, 5000, 'a second connection')
    await h.server.until(() => h.server.last.frames.some((f) => f.cmd === 'login'), 5000, 'a second login')
    expect(h.statuses.some((s) => s.state === 'reconnecting')).toBe(true)
  })

  it('an in-flight heartbeat fails at once when the link drops', async () => {
    const h = await harness({ ack: 'none' })
    await h.push.connect()
    const p = h.push.ping(30_000).catch((e) => e)
    await h.server.until(() => h.server.last.frames.filter((f) => f.cmd === 'heartbeat').length >= 2, 5000, 'the ping heartbeat')
    const t0 = Date.now()
    h.server.last.ws.terminate()
    const err = await p
    expect(Date.now() - t0).toBeLessThan(1000)
    expect(err).toBeInstanceOf(TransportError)
    expect(err.kind).toBe('closed')
  })

  it('reconnects after a server drop and logs in again', async () => {
    const h = await harness()
    await h.push.connect()
    h.server.last.ws.terminate()
    await h.server.until(() => h.server.conns.length === 2 && h.server.last.frames.some((f) => f.cmd === 'login'), 5000, 'relogin')
    await waitFor(() => h.push.status.state === 'online')
    const states = h.statuses.map((s) => s.state)
    expect(states).toContain('reconnecting')
    expect(states.lastIndexOf('online')).toBeGreaterThan(states.indexOf('reconnecting'))
    // still working after the reconnect
    h.server.last.ws.send(fixture('ws_push_text_group_en'))
    await waitFor(() => h.updates.length === 1)
  })

  it('"数据不合法" as text during login is an auth failure: failed, no retry', async () => {
    const h = await harness({ loginSettleMs: 2000 })
    h.server.onFrame = (conn, f) => {
      if (f.cmd === 'login') conn.ws.send('数据不合法')
    }
    const authFailed: TransportError[] = []
    h.push.on('auth-failed', (e) => authFailed.push(e))
    const err = await h.push.connect().catch((e) => e)
    expect(err).toBeInstanceOf(TransportError)
    expect(err.kind).toBe('auth')
    expect(err.message).toMatch(/refused the login \(数据不合法\)/)
    expect(h.push.status.state).toBe('failed')
    expect(authFailed).toHaveLength(1)
    await new Promise((r) => setTimeout(r, 200))
    expect(h.server.conns).toHaveLength(1)
  })

  it('"数据不合法" as binary after going online also stops for good', async () => {
    const h = await harness()
    await h.push.connect()
    h.server.last.ws.send(Buffer.from('数据不合法', 'utf8'), { binary: true })
    await waitFor(() => h.push.status.state === 'failed')
    expect(h.statuses[h.statuses.length - 1]).toMatchObject({ state: 'failed', errorKind: 'auth' })
    await new Promise((r) => setTimeout(r, 200))
    expect(h.server.conns).toHaveLength(1)
  })

  it('refuses a platform outside the allowed set; default platform follows the OS', () => {
    expect(() => new YunhuPush({ userId: 'u', token: 't', deviceId: 'd', platform: 'web' as any })).toThrow(/"web" is not a Yunhu platform/)
    expect(defaultYunhuPlatform('win32')).toBe('windows')
    expect(defaultYunhuPlatform('darwin')).toBe('macos')
    expect(defaultYunhuPlatform('linux')).toBe('linux')
  })
})

describe('YunhuPush: frames', () => {
  it('assembles a streamed reply from the fixtures (push_message, then stream_message chunks)', async () => {
    const h = await harness()
    await h.push.connect()
    for (const n of ['ws_stream_a1_push', 'ws_stream_a2', 'ws_stream_a3']) h.server.last.ws.send(fixture(n))
    await waitFor(() => h.updates.length === 3)
    const [start, s2, s3] = h.updates as any[]
    expect(start.kind).toBe('push_message')
    expect(start.message.content.text).toBe('好的，下面是')
    expect(s2.kind).toBe('stream_message')
    expect(s2.text).toBe('好的，下面是一份 WebSocket 客户端的**重连策略**：\n\n')
    expect(s3.text).toBe(fixtureJson('ws_stream_a3').extra.accumulated_text)
    expect(s3.message.content).toBe('1. 指数退避，从 1s 开始，上限 30s\n2. 每 30s 发送一次心跳')
    // the assembled message is the push_message with the text so far
    expect(s3.assembled).toEqual({ ...start.message, content: { ...start.message.content, text: s3.text } })
  })

  it('recall, edit, board and draft frames come out typed', async () => {
    const h = await harness()
    await h.push.connect()
    for (const n of ['ws_push_recalled_group', 'ws_edit_text_private', 'ws_bot_board_group', 'ws_draft_input_group']) h.server.last.ws.send(fixture(n))
    await waitFor(() => h.updates.length === 4)
    expect(h.updates.map((u) => u.kind)).toEqual(['recall', 'edit_message', 'bot_board_message', 'draft_input'])
    const recall = h.updates[0] as any
    expect(recall.message.delete_timestamp).toBe('1787189630510')
    expect(recall.message.msg_seq).toBe('48213')
    const board = h.updates[2] as any
    expect(board.message).toEqual(fixtureJson('ws_bot_board_group').data.value)
    const draft = h.updates[3] as any
    expect(draft.message).toEqual(fixtureJson('ws_draft_input_group').data.value)
  })

  it('an edit during a stream replaces the text chunks append to; a recall forgets it', () => {
    const a = new YunhuStreamAssembler(2)
    a.start({ msg_id: 'm', chat_id: 'c', content: { text: 'ab' } })
    expect(a.append({ msg_id: 'm', content: 'c' }).text).toBe('abc')
    a.edit({ msg_id: 'm', content: { text: 'X' } })
    expect(a.append({ msg_id: 'm', content: 'y' }).text).toBe('Xy')
    a.forget('m')
    // a chunk whose start was missed begins from itself
    expect(a.append({ msg_id: 'm', chat_id: 'c', recv_id: 'r', content: 'z' })).toEqual({ text: 'z', assembled: { msg_id: 'm', recv_id: 'r', chat_id: 'c', content: { text: 'z' } } })
    a.start({ msg_id: 'n1' })
    a.start({ msg_id: 'n2' })
    expect(a.size).toBe(2) // bounded: the oldest is forgotten
  })

  it('unknown cmds are logged and ignored; garbage frames are dropped with the link up', async () => {
    const h = await harness()
    await h.push.connect()
    for (const n of ['malformed_unknown_cmd', 'malformed_random_bytes', 'malformed_truncated_ws_frame', 'malformed_empty_ws_frame', 'malformed_no_info_with_data']) {
      h.server.last.ws.send(fixture(n))
    }
    h.server.last.ws.send('{"not":"binary"}')
    h.server.last.ws.send(fixture('ws_push_text_group_en'))
    await waitFor(() => h.updates.length === 1)
    expect(h.updates[0]!.kind).toBe('push_message')
    expect(h.dropped.length).toBe(6)
    expect(h.push.droppedFrames).toBe(6)
    expect(h.dropped.some((r) => /unknown cmd/.test(r))).toBe(true)
    expect(h.dropped.some((r) => /cannot decode/.test(r))).toBe(true)
    expect(h.log.entries.filter((e) => e.level === 'warn' && /dropped a Yunhu push frame/.test(e.msg)).length).toBe(6)
    expect(h.push.status.state).toBe('online')
    expect(h.server.conns).toHaveLength(1)
  })

  it('sendDraft sends {seq, cmd:"inputInfo", data:{chatId, input, deviceId}}; offline it throws', async () => {
    const h = await harness()
    expect(() => h.push.sendDraft('c', 'x')).toThrow(/Not connected/)
    await h.push.connect()
    h.push.sendDraft('872440499', '草稿 draft')
    await h.server.until(() => h.server.last.frames.some((f) => f.cmd === 'inputInfo'))
    const f = h.server.last.frames.find((x) => x.cmd === 'inputInfo')
    expect(f).toEqual({ seq: expect.any(String), cmd: 'inputInfo', data: { chatId: '872440499', input: '草稿 draft', deviceId: 'device-abc' } })
  })

  it('isInvalidDataFrame: the whole frame is the refusal, not a frame that contains the words', () => {
    expect(isInvalidDataFrame('数据不合法')).toBe(true)
    expect(isInvalidDataFrame(' "数据不合法"\n')).toBe(true)
    expect(isInvalidDataFrame(new Uint8Array(Buffer.from('数据不合法')))).toBe(true)
    expect(isInvalidDataFrame(fixture('ws_push_text_group_en'))).toBe(false)
    expect(isInvalidDataFrame('有人说：数据不合法？')).toBe(false)
    expect(isInvalidDataFrame(new Uint8Array(Buffer.from('x数据不合法')))).toBe(false)
  })

  it('a refusal once the session has taken frames is one refused frame, not a refused login: the session goes on', async () => {
    const h = await harness()
    await h.push.connect()
    h.server.last.ws.send(fixture('ws_push_text_group_en'), { binary: true })
    await waitFor(() => h.push.decodedFrames > 0)
    h.server.last.ws.send('数据不合法')
    h.server.last.ws.send('他说“数据不合法”')
    await new Promise((r) => setTimeout(r, 100))
    expect(h.push.status.state).toBe('online')
    expect(h.server.conns).toHaveLength(1)
  })
})
