/**
 * Yunhu push end to end over a loopback WebSocket: a local `ws` server blasts N encoded push frames
 * (the push/edit fixtures, round-robin) at a logged-in YunhuPush (ManagedSocket + codec decode +
 * dispatch + `update` events), beside a baseline of a bare `ws` client receiving the same bytes
 * without decoding, in the same run. Server and client share this process (and its event loop).
 * Run alone: `npx tsx bench/yunhu-e2e.ts` (prints JSON).
 */
import { readFileSync, readdirSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { WebSocket, WebSocketServer } from 'ws'
import { YunhuPush } from '../src/core/protocols/yunhu/push'

const FIXTURES = fileURLToPath(new URL('../test/fixtures/yunhu-fixtures/', import.meta.url))

export interface YunhuPushLoopbackResult {
  name: 'yunhu-push-loopback'
  frames: number
  bytes_per_frame_avg: number
  rounds: number
  /** Decoded frames per second through YunhuPush (median of the rounds). */
  frames_per_s: number
  /** Frames per second a bare ws client receives, without decoding (median). */
  baseline_frames_per_s: number
  /** baseline rate / YunhuPush rate, the median of the rounds' own (1 = decoding costs nothing on top of the socket). */
  ratio: number
  decoded_ms_median: number
  baseline_ms_median: number
}

function loadFrames(): Uint8Array[] {
  return readdirSync(FIXTURES)
    .filter((f) => /^ws_(push|edit)_.*\.bin$/.test(f))
    .sort()
    .map((f) => new Uint8Array(readFileSync(FIXTURES + f)))
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

/** Sends `n` frames round-robin, yielding to the loop every 256 frames so the client can drain. */
async function blast(ws: WebSocket, frames: Uint8Array[], n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    ws.send(frames[i % frames.length]!, { binary: true })
    if ((i & 255) === 255) await new Promise((r) => setImmediate(r))
  }
}

async function startServer(): Promise<{ wss: WebSocketServer; url: string; next: () => Promise<WebSocket> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false })
  await new Promise<void>((r) => wss.once('listening', () => r()))
  const url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/ws`
  const queue: WebSocket[] = []
  let waiting: ((ws: WebSocket) => void) | undefined
  wss.on('connection', (ws) => {
    if (waiting) {
      const w = waiting
      waiting = undefined
      w(ws)
    } else queue.push(ws)
  })
  const next = (): Promise<WebSocket> => (queue.length ? Promise.resolve(queue.shift()!) : new Promise((r) => (waiting = r)))
  return { wss, url, next }
}

/** One YunhuPush round: ms from the first frame sent until the n-th update. */
async function pushRound(url: string, next: () => Promise<WebSocket>, frames: Uint8Array[], n: number): Promise<number> {
  const push = new YunhuPush({ url, userId: 'bench', token: 'bench-token', deviceId: 'bench', platform: 'linux', loginSettleMs: 5, heartbeatIntervalMs: 600_000 })
  const serverSide = next()
  await push.connect()
  const ws = await serverSide
  let got = 0
  const done = new Promise<void>((resolve) => {
    push.on('update', () => {
      if (++got === n) resolve()
    })
  })
  const t0 = performance.now()
  await blast(ws, frames, n)
  await done
  const ms = performance.now() - t0
  push.stop()
  if (push.droppedFrames !== 0) throw new Error(`bench: ${push.droppedFrames} frames dropped`)
  return ms
}

/** One baseline round: a bare ws client counting messages. */
async function baselineRound(url: string, next: () => Promise<WebSocket>, frames: Uint8Array[], n: number): Promise<number> {
  const client = new WebSocket(url, { perMessageDeflate: false })
  const serverSide = next()
  await new Promise<void>((r, j) => {
    client.once('open', () => r())
    client.once('error', j)
  })
  const ws = await serverSide
  let got = 0
  let bytes = 0
  const done = new Promise<void>((resolve) => {
    client.on('message', (data: Buffer) => {
      bytes += data.length
      if (++got === n) resolve()
    })
  })
  const t0 = performance.now()
  await blast(ws, frames, n)
  await done
  const ms = performance.now() - t0
  client.close()
  if (bytes === 0) throw new Error('bench: no bytes')
  return ms
}

export async function benchYunhuPushLoopback(opts: { frames?: number; rounds?: number } = {}): Promise<YunhuPushLoopbackResult> {
  const n = opts.frames ?? 20_000
  const rounds = opts.rounds ?? 9
  const frames = loadFrames()
  if (frames.length === 0) throw new Error('no push frames in test/fixtures/yunhu-fixtures')
  const { wss, url, next } = await startServer()
  try {
    // warm-up
    await pushRound(url, next, frames, 2000)
    await baselineRound(url, next, frames, 2000)
    const decoded: number[] = []
    const base: number[] = []
    for (let r = 0; r < rounds; r++) {
      if (r % 2 === 0) {
        decoded.push(await pushRound(url, next, frames, n))
        base.push(await baselineRound(url, next, frames, n))
      } else {
        base.push(await baselineRound(url, next, frames, n))
        decoded.push(await pushRound(url, next, frames, n))
      }
    }
    const dMs = median(decoded)
    const bMs = median(base)
    const framesPerS = (n * 1000) / dMs
    const baselinePerS = (n * 1000) / bMs
    // per round: the two runs one right after the other see the same machine (other work comes in bursts)
    const ratio = median(decoded.map((d, i) => d / base[i]!))
    return {
      name: 'yunhu-push-loopback',
      frames: n,
      bytes_per_frame_avg: Math.round(frames.reduce((s, f) => s + f.length, 0) / frames.length),
      rounds,
      frames_per_s: Math.round(framesPerS),
      baseline_frames_per_s: Math.round(baselinePerS),
      ratio: Math.round(ratio * 1000) / 1000,
      decoded_ms_median: Math.round(dMs * 10) / 10,
      baseline_ms_median: Math.round(bMs * 10) / 10
    }
  } finally {
    for (const c of wss.clients) c.terminate()
    await new Promise<void>((r) => wss.close(() => r()))
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  benchYunhuPushLoopback().then(
    (r) => console.log(JSON.stringify(r, null, 2)),
    (e) => {
      console.error(e)
      process.exitCode = 1
    }
  )
}
