/**
 * detectMioGeneration: the credential-free probe `GET /socket.io/?EIO=4&transport=polling` against a
 * real Socket.IO server (v2), a plain HTTP server answering its web page as the v1 server does
 * (recorded in v2-n2), a server answering 404, a closed port, and a server that never answers.
 */
import http from 'node:http'
import net from 'node:net'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { Server } from 'socket.io'
import { detectMioGeneration, isEngineIoOpen } from '../../src/core/protocols/mio/detect'
import { freePort } from '../helpers/fake-server'
import { loadV2Transcript } from '../helpers/v2-transcripts'

const closers: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of closers.splice(0)) await c()
})

async function listen(s: http.Server | net.Server): Promise<number> {
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
  return (s.address() as AddressInfo).port
}

/** The v1 server's answer to the probe, as recorded: its web page. */
function v1Page(): { type: string; body: string } {
  const e = loadV2Transcript('v2-n2_probes_on_old_server').entries.find((x) => x.dir === 'http-response' && String(x.path).startsWith('/socket.io/'))!
  return { type: (e.headers as Record<string, string>)['content-type']!, body: String(e.body) }
}

describe('detectMioGeneration', () => {
  it('a Socket.IO server → v2, whatever form the address takes', async () => {
    const h = http.createServer()
    const io = new Server(h, { path: '/socket.io/' })
    const port = await listen(h)
    closers.push(() => new Promise<void>((r) => io.close(() => r())))
    for (const a of [`127.0.0.1:${port}`, `http://127.0.0.1:${port}`, `ws://127.0.0.1:${port}/api/gateway`]) await expect(detectMioGeneration(a), a).resolves.toBe('v2')
  })

  it('the v1 server’s web page (200 text/html) → v1; a 404 → v1 too (the caller tries the raw-WebSocket client)', async () => {
    const page = v1Page()
    const seen: string[] = []
    const h = http.createServer((req, res) => {
      seen.push(req.url ?? '')
      if (req.url?.startsWith('/socket.io/') && !req.url.includes('missing')) {
        res.setHeader('content-type', page.type)
        return res.end(page.body)
      }
      res.statusCode = 404
      res.end('not found')
    })
    const port = await listen(h)
    closers.push(() => new Promise<void>((r) => h.close(() => r())))
    await expect(detectMioGeneration(`http://127.0.0.1:${port}`)).resolves.toBe('v1')
    expect(seen).toEqual(['/socket.io/?EIO=4&transport=polling'])
    const h404 = http.createServer((_req, res) => {
      res.statusCode = 404
      res.end()
    })
    const p404 = await listen(h404)
    closers.push(() => new Promise<void>((r) => h404.close(() => r())))
    await expect(detectMioGeneration(`ws://127.0.0.1:${p404}`)).resolves.toBe('v1')
    // text/plain that is not an engine.io open packet is not v2 either
    const plain = http.createServer((_req, res) => {
      res.setHeader('content-type', 'text/plain')
      res.end('hello')
    })
    const pp = await listen(plain)
    closers.push(() => new Promise<void>((r) => plain.close(() => r())))
    await expect(detectMioGeneration(`127.0.0.1:${pp}`)).resolves.toBe('v1')
  })

  it('a closed port → none, fast; a server that never answers → none after the timeout; a bad address → none', async () => {
    const port = await freePort()
    const t0 = Date.now()
    await expect(detectMioGeneration(`127.0.0.1:${port}`)).resolves.toBe('none')
    expect(Date.now() - t0).toBeLessThan(1000)
    const sockets = new Set<net.Socket>()
    const mute = net.createServer((s) => sockets.add(s))
    const mp = await listen(mute)
    closers.push(async () => {
      for (const s of sockets) s.destroy()
      await new Promise<void>((r) => mute.close(() => r()))
    })
    const t1 = Date.now()
    await expect(detectMioGeneration(`127.0.0.1:${mp}`, fetch, { timeoutMs: 300 })).resolves.toBe('none')
    expect(Date.now() - t1).toBeGreaterThanOrEqual(250)
    expect(Date.now() - t1).toBeLessThan(2000)
    await expect(detectMioGeneration('ftp://x')).resolves.toBe('none')
    await expect(detectMioGeneration('http://')).resolves.toBe('none')
  })

  it('the engine.io open packet, as recorded on v2 and not on v1', () => {
    const v2 = loadV2Transcript('v2-n_old_url').entries.find((x) => x.dir === 'http-response' && String(x.path).startsWith('/socket.io/'))!
    expect(isEngineIoOpen(String(v2.body))).toBe(true)
    expect(isEngineIoOpen(v1Page().body)).toBe(false)
    expect(isEngineIoOpen('0{"sid":"a"}\x1e40')).toBe(true)
    for (const b of ['', '0', '0{', '0{"nosid":1}', '4{"sid":"x"}', '0{"sid":1}']) expect(isEngineIoOpen(b), b).toBe(false)
  })
})
