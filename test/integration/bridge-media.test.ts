/**
 * The browser bridge's media route (`/media/<account>/<url>?token=…`, src/bridge/host.ts): a Yunhu
 * account's images load through it from the reference server's CDN stand-in, which — like Yunhu's real
 * hosts — refuses requests without the Referer; the route needs the bridge token and answers its
 * failures with a status and the reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtemp, rm } from 'node:fs/promises'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startBridge, type RunningBridge } from '../../src/bridge/host'
import { startServer, type RunningServer } from '../../server/app'
import { appMediaUrl } from '../../src/shared/media'
import type { AccountInfo } from '../../src/shared/api'

const EMAIL = 'media@miodesk.local'
const PASSWORD = 'media-password'
let dir: string
let server: RunningServer
let bridge: RunningBridge
let account: AccountInfo

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'miodesk-bridge-media-'))
  server = await startServer({ port: 0, dataDir: dir, yunhu: { dataDir: join(dir, 'yunhu'), email: EMAIL, password: PASSWORD } })
  bridge = await startBridge({ staticDir: join(dir, 'no-renderer'), dataDir: join(dir, 'bridge') })
  account = await bridge.core.accounts.add('yunhu', { api: server.url, email: EMAIL, password: PASSWORD })
})

afterAll(async () => {
  await bridge?.close()
  await server?.close()
  await rm(dir, { recursive: true, force: true })
})

function get(path: string, headers: Record<string, string> = {}, port = bridge.port): Promise<{ status: number; type: string; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks) }))
    })
    req.on('error', reject)
    req.end()
  })
}

const IMAGE = 'https://chat-img.jwznb.com/miodesk-demo/sunset.jpg'
const media = (url: string, token = bridge.token, accountId = account.id): string => appMediaUrl({ kind: 'browser', token }, accountId, url)

describe('bridge /media/', () => {
  it('serves a Yunhu image the CDN refuses without its Referer', async () => {
    const direct = await get('/cdn/chat-img.jwznb.com/miodesk-demo/sunset.jpg', {}, server.port)
    expect(direct.status).toBe(403)
    const r = await get(media(IMAGE), { 'sec-fetch-site': 'same-origin' })
    expect(r.status).toBe(200)
    expect(r.type).toBe('image/png')
    expect(r.body.subarray(1, 4).toString()).toBe('PNG')
    // From the cache the second time.
    expect((await get(media(IMAGE))).status).toBe(200)
    expect(server.yunhu!.cdn.hits.get('chat-img.jwznb.com/miodesk-demo/sunset.jpg')).toBe(1)
  })

  it('needs the bridge token, and refuses other sites', async () => {
    const path = media(IMAGE)
    expect((await get(path.replace(/\?token=.*$/, ''))).status).toBe(403)
    expect((await get(media(IMAGE, 'wrong-token'))).status).toBe(403)
    const cross = await get(path, { 'sec-fetch-site': 'cross-site' })
    expect(cross.status).toBe(403)
    expect(cross.body.toString()).not.toContain('PNG')
    // A foreign Host (DNS rebinding) is refused before anything else.
    expect((await get(path, { host: 'evil.example' })).status).toBe(403)
  })

  it('answers 403 for foreign hosts and unknown accounts, 404 for what the CDN lacks or is no media path', async () => {
    const foreign = await get(media('https://evil.example/x.png'))
    expect(foreign.status).toBe(403)
    expect(JSON.parse(foreign.body.toString())).toEqual({ error: { code: 'not-allowed', message: 'evil.example is not a Yunhu media host, so it is not loaded' } })
    const unknown = await get(media(IMAGE, bridge.token, 'no-such-account'))
    expect(unknown.status).toBe(403)
    expect(JSON.parse(unknown.body.toString()).error.code).toBe('no-media')
    const missing = await get(media('https://chat-img.jwznb.com/missing/x.png'))
    expect(missing.status).toBe(404)
    expect(JSON.parse(missing.body.toString()).error).toEqual({ code: 'not-found', message: 'The Yunhu media host does not have it (HTTP 404)' })
    expect((await get(`/media/only-one-part?token=${bridge.token}`)).status).toBe(404)
    // The reason, as the renderer asks for it after an image failed.
    expect(await bridge.core.mediaStatus(account.id, 'https://chat-img.jwznb.com/missing/x.png')).toEqual({ code: 'not-found', message: 'The Yunhu media host does not have it (HTTP 404)' })
    expect(await bridge.core.mediaStatus(account.id, IMAGE)).toBeNull()
  })
})
