/** The miodesk-media:// protocol (src/main/media-protocol.ts) with electron mocked: registration and answers. */
import { createServer, type Server } from 'node:http'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'

vi.mock('electron', () => import('./fake-electron'))
import * as fake from './fake-electron'
import { createMediaProtocolHandler, registerMediaProtocol } from '../../../src/main/media-protocol'
import { registerAppSchemePrivileged } from '../../../src/main/app-protocol'
import { isAllowedDownload } from '../../../src/main/webcontents-handler'
import { MediaService } from '../../../src/core/media/service'
import { yunhuMediaPolicy } from '../../../src/core/accounts/yunhu/media'
import { appMediaUrl } from '../../../src/shared/media'

let server: Server
let base: string
let dir: string
let hits = 0

beforeAll(async () => {
  server = createServer((req, res) => {
    hits++
    if (req.headers.referer !== 'http://myapp.jwznb.com') {
      res.writeHead(403)
      return res.end()
    }
    res.writeHead(200, { 'content-type': 'image/gif' })
    res.end(Buffer.from('GIF89a-demo'))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const a = server.address()
  base = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`
  dir = mkdtempSync(join(tmpdir(), 'miodesk-media-proto-'))
})
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()))
  rmSync(dir, { recursive: true, force: true })
})
beforeEach(() => fake.resetFakes())

let service: MediaService | undefined
function svc(): MediaService {
  return (service ??= new MediaService({ dir, policyOf: (id) => (id === 'yh-1' ? yunhuMediaPolicy(base) : undefined) }))
}

describe('miodesk-media:// protocol', () => {
  it('is registered privileged next to app://, standard and secure, without bypassing CSP', () => {
    registerAppSchemePrivileged()
    expect(fake.protocol.registerSchemesAsPrivileged).toHaveBeenCalledTimes(1)
    const [schemes] = fake.protocol.registerSchemesAsPrivileged.mock.calls[0]! as [{ scheme: string; privileges: Record<string, boolean> }[]]
    const m = schemes.find((s) => s.scheme === 'miodesk-media')!
    expect(m.privileges).toMatchObject({ standard: true, secure: true, stream: true })
    expect(m.privileges.bypassCSP).not.toBe(true)
    registerMediaProtocol(() => svc())
    expect(fake.protocol.handle).toHaveBeenCalledWith('miodesk-media', expect.any(Function))
  })

  it("serves an account's Yunhu image from the core's cache, with the Referer sent upstream", async () => {
    const handler = createMediaProtocolHandler(() => svc())
    const url = appMediaUrl({ kind: 'electron' }, 'yh-1', 'https://chat-img.jwznb.com/p/cat.gif')
    expect(url).toMatch(/^miodesk-media:\/\/media\/yh-1\/https%3A%2F%2Fchat-img\.jwznb\.com%2Fp%2Fcat\.gif$/)
    const res = await handler(new Request(url))
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('image/gif')
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(await res.text()).toBe('GIF89a-demo')
    const again = await handler(new Request(url))
    expect(await again.text()).toBe('GIF89a-demo')
    expect(hits).toBe(1)
    // Saved from the lightbox: a download of this scheme is allowed.
    expect(isAllowedDownload(url)).toBe(true)
  })

  it('answers foreign hosts, unknown accounts and other URLs with a status and the reason', async () => {
    const handler = createMediaProtocolHandler(() => svc())
    const foreign = await handler(new Request(appMediaUrl({ kind: 'electron' }, 'yh-1', 'https://evil.example/x.png')))
    expect(foreign.status).toBe(403)
    expect(await foreign.json()).toEqual({ error: { code: 'not-allowed', message: 'evil.example is not a Yunhu media host, so it is not loaded' } })
    const mio = await handler(new Request(appMediaUrl({ kind: 'electron' }, 'mio-1', 'https://chat-img.jwznb.com/x.png')))
    expect(mio.status).toBe(403)
    expect((await mio.json()).error.code).toBe('no-media')
    expect((await handler(new Request('miodesk-media://other/yh-1/x'))).status).toBe(404)
    expect((await handler(new Request('miodesk-media://media/just-one'))).status).toBe(404)
  })
})
