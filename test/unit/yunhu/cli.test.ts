import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { main } from '../../../src/cli/index'
import { cliConfigPath, readYunhuConfig, writeYunhuConfig } from '../../../src/cli/yunhu'
import type { Io } from '../../../src/cli/mio'
import { YunhuWsServer, fixture, waitFor } from './helpers'

function io(): Io & { text: () => string; errText: () => string; interrupt: () => void } {
  let out = ''
  let err = ''
  let interrupt!: () => void
  const interrupted = new Promise<void>((r) => (interrupt = r))
  return { out: (s) => (out += s), err: (s) => (err += s), interrupted, interrupt, text: () => out, errText: () => err }
}

let dir: string
let server: YunhuWsServer | undefined

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'miodesk-yunhu-cli-'))
  process.env.MIODESK_CLI_CONFIG = join(dir, 'sub', 'cli.json')
})

afterEach(async () => {
  delete process.env.MIODESK_CLI_CONFIG
  await server?.close()
  server = undefined
  await rm(dir, { recursive: true, force: true })
})

describe('yunhu CLI', () => {
  it('the config file: MIODESK_CLI_CONFIG path, merged sections, mode 0600', async () => {
    expect(cliConfigPath()).toBe(join(dir, 'sub', 'cli.json'))
    expect(await readYunhuConfig()).toEqual({})
    await writeYunhuConfig({ token: 't1', api: 'http://x' })
    await writeYunhuConfig({ userId: 'u' })
    const file = JSON.parse(await readFile(cliConfigPath(), 'utf8'))
    expect(file).toEqual({ yunhu: { token: 't1', api: 'http://x', userId: 'u' } })
    if (process.platform !== 'win32') expect((await stat(cliConfigPath())).mode & 0o777).toBe(0o600)
  })

  it('a broken config file is a usage error in words', async () => {
    await writeYunhuConfig({})
    await writeFile(cliConfigPath(), '{oops')
    const a = io()
    expect(await main(['yunhu', 'bots'], a)).toBe(1)
    expect(a.errText()).toMatch(/is not valid JSON: fix or delete it/)
  })

  it('usage errors: not logged in, missing options, unknown commands', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['yunhu', 'bots'], /Not logged in/],
      [['yunhu', 'login', '--password', 'x'], /Missing --email/],
      [['yunhu', 'login', '--email', 'a@b'], /Missing --password/],
      [['yunhu', 'bot', 'info', '--token', 't'], /Missing --bot/],
      [['yunhu', 'bot', 'fly', '--token', 't'], /Unknown command "yunhu bot fly"/],
      [['yunhu', 'settings', 'get', '--token', 't', '--bot', 'b'], /Missing --group/],
      [['yunhu', 'watch', '--token', 't'], /Missing --user-id/],
      [['yunhu', 'watch', '--token', 't', '--user-id', 'u', '--platform', 'web'], /--platform must be one of/],
      [['yunhu', 'nope'], /Unknown command "yunhu nope"/]
    ]
    for (const [argv, re] of cases) {
      const a = io()
      expect(await main(argv, a), argv.join(' ')).toBe(1)
      expect(a.errText()).toMatch(re)
      expect(a.errText()).toMatch(/Run "miodesk help" for usage/)
    }
  })

  it('help lists the yunhu commands', async () => {
    const a = io()
    await main(['help'], a)
    for (const c of ['yunhu login', 'yunhu bots', 'yunhu store', 'yunhu bot reset-token', 'yunhu settings get', 'yunhu watch']) expect(a.text()).toContain(c)
  })

  it('watch: one JSON line per event, streams assembled, keeps going past undecodable frames', async () => {
    server = await YunhuWsServer.start()
    const a = io()
    const run = main(['yunhu', 'watch', '--ws', server.url, '--token', 'watch-secret', '--user-id', '5184731'], a)
    await server.until(() => server!.conns.length === 1 && server!.last.frames.some((f) => f.cmd === 'login'), 5000, 'login')
    const login = server.last.frames[0]
    expect(login.data).toMatchObject({ userId: '5184731', token: 'watch-secret', platform: 'windows' })
    expect(login.data.deviceId).toMatch(/^miodesk-cli-/)
    // the device id is stable: stored on first use
    expect((await readYunhuConfig()).deviceId).toBe(login.data.deviceId)
    await waitFor(() => a.text().includes('"state":"online"'))
    for (const n of ['malformed_random_bytes', 'ws_stream_a1_push', 'malformed_truncated_ws_frame', 'ws_stream_a2', 'malformed_unknown_cmd', 'ws_stream_a3', 'ws_push_recalled_group']) {
      server.last.ws.send(fixture(n))
    }
    await waitFor(() => a.text().includes('"event":"recall"'))
    a.interrupt()
    expect(await run).toBe(0)
    const lines = a.text().trim().split('\n').map((l) => JSON.parse(l))
    const events = lines.map((l) => l.event).filter((e) => e !== 'status' && e !== 'delay')
    expect(events).toEqual(['dropped', 'push_message', 'dropped', 'stream_message', 'dropped', 'stream_message', 'recall'])
    const streams = lines.filter((l) => l.event === 'stream_message')
    expect(streams[0].text).toBe('好的，下面是一份 WebSocket 客户端的**重连策略**：\n\n')
    expect(streams[1].text).toBe('好的，下面是一份 WebSocket 客户端的**重连策略**：\n\n1. 指数退避，从 1s 开始，上限 30s\n2. 每 30s 发送一次心跳')
    expect(streams[1].append).toBe('1. 指数退避，从 1s 开始，上限 30s\n2. 每 30s 发送一次心跳')
    expect(streams[1].message.sender.name).toBe('AI 写作助手')
    expect(a.text()).not.toContain('watch-secret')
  })

  it('watch exits 1 when the server refuses the login', async () => {
    server = await YunhuWsServer.start()
    server.onFrame = (conn, f) => {
      if (f.cmd === 'login') conn.ws.send('数据不合法')
    }
    const a = io()
    expect(await main(['yunhu', 'watch', '--ws', server.url, '--token', 't', '--user-id', 'u', '--device-id', 'd'], a)).toBe(1)
    expect(a.text()).toMatch(/"state":"failed"/)
  })
})
