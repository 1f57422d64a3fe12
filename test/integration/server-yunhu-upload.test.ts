/**
 * The reference server's upload side on its own: token endpoints (auth as misc.md says), the limits, the
 * Qiniu stand-in refusing a wrong region (naming the right one), a bad token, a form with other fields or
 * a bad key; a good upload served back by the CDN stand-in only with the Referer, with Range.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServer, type RunningServer } from '../../server/app'

let dir: string
let server: RunningServer
let base: string
let token: string

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'miodesk-yh-upload-'))
  server = await startServer({ port: 0, dataDir: dir, yunhu: { dataDir: dir, email: 'demo@miodesk.local', password: 'pw-upload-1', uploadLimitsMb: { image: 1 } } })
  base = `http://127.0.0.1:${server.port}`
  token = server.yunhu!.tokenFor('1000001')
})
afterAll(async () => {
  await server.close()
  rmSync(dir, { recursive: true, force: true })
})

const get = async (path: string, withToken = true) => (await fetch(base + path, withToken ? { headers: { token } } : {})).json() as Promise<{ code: number; msg?: string; data?: Record<string, unknown> }>

async function post(region: string, fields: Record<string, string | Blob>) {
  const form = new FormData()
  for (const [k, v] of Object.entries(fields)) {
    if (typeof v === 'string') form.append(k, v)
    else form.append(k, v, 'x.png')
  }
  const res = await fetch(`${base}/qiniu-up/${region}/`, { method: 'POST', body: form })
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

describe('reference server: uploads', () => {
  it('tokens per kind need the account token (the audio one does not, as misc.md says); limits need none', async () => {
    expect((await get('/v1/misc/qiniu-token', false)).code).toBe(-101)
    const img = await get('/v1/misc/qiniu-token')
    const policy = JSON.parse(Buffer.from(String(img.data!.token).split(':')[2]!, 'base64url').toString()) as { scope: string }
    expect(policy.scope).toBe('chat-68')
    expect((await get('/v1/misc/qiniu-token-audio', false)).code).toBe(1)
    expect((await get('/v1/misc/setting', false)).data).toMatchObject({ imageSizeLimitNormal: 1, fileSizeLimitNormal: 40, fileeSizeLimitVip: 1024 })
  })

  it('the Qiniu stand-in: wrong region named, bad token, other fields, bad key, over the limit', async () => {
    const t = String((await get('/v1/misc/qiniu-token')).data!.token)
    const file = new Blob([new Uint8Array([1, 2, 3])], { type: 'image/png' })
    expect(await post('z0', { token: t, key: 'a.png', file })).toEqual({ status: 400, body: { error: `incorrect region, please use 127.0.0.1:${server.port}/qiniu-up/z2` } })
    expect((await post('z2', { token: `${t}x`, key: 'a.png', file })).status).toBe(401)
    expect((await post('z2', { token: t, key: 'a.png', file, 'x:extra': '1' })).body.error).toMatch(/exactly token, key and file/)
    expect((await post('z2', { token: t, key: '../a.png', file })).body.error).toBe('invalid key')
    expect((await post('z2', { token: t, key: 'big.png', file: new Blob([new Uint8Array(1.5 * 1024 * 1024)]) })).status).toBe(413)
  })

  it('a good upload is served by the CDN stand-in on its bucket host, only with the Referer, with Range', async () => {
    const t = String((await get('/v1/misc/qiniu-token2')).data!.token)
    const bytes = new TextEncoder().encode('0123456789')
    expect(await post('z2', { token: t, key: 'n.txt', file: new Blob([bytes]) })).toMatchObject({ status: 200, body: { key: 'n.txt', fsize: 10 } })
    expect((await fetch(`${base}/cdn/chat-file.jwznb.com/n.txt`)).status).toBe(403)
    const ok = await fetch(`${base}/cdn/chat-file.jwznb.com/n.txt`, { headers: { referer: 'http://myapp.jwznb.com' } })
    expect(await ok.text()).toBe('0123456789')
    const part = await fetch(`${base}/cdn/chat-file.jwznb.com/n.txt`, { headers: { referer: 'http://myapp.jwznb.com', range: 'bytes=2-4' } })
    expect(part.status).toBe(206)
    expect(part.headers.get('content-range')).toBe('bytes 2-4/10')
    expect(await part.text()).toBe('234')
    // Not on another bucket's host.
    expect((await fetch(`${base}/cdn/chat-video1.jwznb.com/n.txt`, { headers: { referer: 'http://myapp.jwznb.com' } })).status).toBe(404)
  })
})
