/**
 * `miodesk yunhu send --image PATH | --file PATH` against the reference server: the file is uploaded to
 * the Qiniu stand-in and the message reaches the other side with its key; usage errors in words.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServer, type RunningServer } from '../../server/app'
import { demoPng } from '../../server/yunhu/cdn'
import { main } from '../../src/cli/index'
import type { Io } from '../../src/cli/mio'
import { YunhuApi } from '../../src/core/protocols/yunhu/api'
import { YunhuHttp } from '../../src/core/protocols/yunhu/http'
import { YunhuChatType } from '../../src/shared/yunhu'

const EMAIL = 'demo@miodesk.local'
const PASSWORD = 'cli-send-pw'
let dir: string
let server: RunningServer

function io(): Io & { text: () => string; errText: () => string } {
  let out = ''
  let err = ''
  return { out: (s) => (out += s), err: (s) => (err += s), interrupted: new Promise<void>(() => {}), text: () => out, errText: () => err }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'miodesk-yh-cli-send-'))
  process.env.MIODESK_CLI_CONFIG = join(dir, 'cli.json')
  server = await startServer({ port: 0, dataDir: dir, yunhu: { dataDir: dir, email: EMAIL, password: PASSWORD } })
  const a = io()
  expect(await main(['yunhu', 'login', '--api', `http://127.0.0.1:${server.port}`, '--email', EMAIL, '--password', PASSWORD], a)).toBe(0)
})

afterAll(async () => {
  delete process.env.MIODESK_CLI_CONFIG
  await server.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('miodesk yunhu send', () => {
  it('--image and --file upload and send; the other side gets both', async () => {
    const png = demoPng('cli-picture')
    writeFileSync(join(dir, 'pic.png'), png)
    writeFileSync(join(dir, 'notes.txt'), 'hello from the CLI\n')
    const a = io()
    expect(await main(['yunhu', 'send', '--user', '1000002', '--image', join(dir, 'pic.png')], a)).toBe(0)
    const img = JSON.parse(a.text()) as { msgId: string; key: string }
    expect(img.key).toBe(`${createHash('md5').update(png).digest('hex')}.png`)
    expect(a.errText()).toMatch(/uploading pic\.png: 100%/)
    const b = io()
    expect(await main(['yunhu', 'send', '--user', '1000002', '--file', join(dir, 'notes.txt')], b)).toBe(0)
    const file = JSON.parse(b.text()) as { msgId: string; key: string }
    const friend = new YunhuApi(new YunhuHttp({ baseUrl: `http://127.0.0.1:${server.port}`, token: server.yunhu!.tokenFor('1000002') }))
    const seen = (await friend.listMessages({ chatId: '1000001', chatType: YunhuChatType.User, count: 20 })).data
    expect(seen.find((m) => m.msg_id === img.msgId)).toMatchObject({ content_type: 2, content: { image_url: `https://chat-img.jwznb.com/${img.key}` } })
    expect(seen.find((m) => m.msg_id === file.msgId)).toMatchObject({ content_type: 4, content: { file_name: 'notes.txt', file_url: file.key } })
  }, 30_000)

  it('usage errors: no target, two kinds at once, a missing file', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['yunhu', 'send', '--image', 'x.png'], /Missing --user U, --group G/],
      [['yunhu', 'send', '--user', '1000002', '--image', 'a', '--file', 'b'], /Give one of --image PATH, --file PATH or --text T/],
      [['yunhu', 'send', '--user', '1000002', '--file', join(dir, 'nope.bin')], /Cannot read .*nope\.bin/]
    ]
    for (const [argv, re] of cases) {
      const a = io()
      expect(await main(argv, a)).toBe(1)
      expect(a.errText()).toMatch(re)
    }
  })
})
