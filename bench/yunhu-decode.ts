/**
 * Yunhu push-frame decode rate: decodeWsFrame (envelope + dispatch + payload + plain objects with
 * 64-bit ints as strings) versus the bare generated protobuf.js decoders (WsWrapper.decode +
 * PushMessage.decode of the same bytes, no conversion), in the same run.
 * Run alone: `npx tsx bench/yunhu-decode.ts` (prints JSON).
 */
import { readFileSync, readdirSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { decodeWsFrame } from '../src/core/protocols/yunhu/codec/yunhu'
import { yunhu } from '../src/core/protocols/yunhu/codec/generated/yunhu.js'

const FIXTURES = fileURLToPath(new URL('../test/fixtures/yunhu-fixtures/', import.meta.url))

export interface YunhuDecodeBenchResult {
  name: string
  frames: number
  rounds: number
  frames_per_s: number
  baseline_frames_per_s: number
  /** baseline rate / codec rate (1 = as fast as bare protobuf.js; goal: <= 1.3). */
  ratio: number
  goal: 'within 1.3x'
  ok: boolean
}

function loadPushFrames(): Uint8Array[] {
  return readdirSync(FIXTURES)
    .filter((f) => /^ws_(push|edit|stream)_.*\.bin$/.test(f))
    .sort()
    .map((f) => new Uint8Array(readFileSync(FIXTURES + f)))
}

let sink = 0

function codecPass(frames: Uint8Array[]): void {
  for (let i = 0; i < frames.length; i++) {
    const ev = decodeWsFrame(frames[i])
    sink += ev.kind.length
  }
}

function baselinePass(frames: Uint8Array[]): void {
  for (let i = 0; i < frames.length; i++) {
    const w = yunhu.WsWrapper.decode(frames[i])
    const value = w.data!.value!
    const m = w.info!.cmd === 'stream_message' ? yunhu.StreamMessage.decode(value) : yunhu.PushMessage.decode(value)
    sink += m.msg_id.length
  }
}

/** Frames per second of `pass` over `frames`, running for about `ms` milliseconds. */
function rate(pass: (f: Uint8Array[]) => void, frames: Uint8Array[], ms: number): number {
  let n = 0
  const t0 = performance.now()
  let t = t0
  do {
    for (let k = 0; k < 20; k++) pass(frames)
    n += 20 * frames.length
    t = performance.now()
  } while (t - t0 < ms)
  return (n * 1000) / (t - t0)
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

export async function benchYunhuDecode(opts: { rounds?: number; roundMs?: number } = {}): Promise<YunhuDecodeBenchResult> {
  const rounds = opts.rounds ?? 7
  const roundMs = opts.roundMs ?? 250
  const frames = loadPushFrames()
  if (frames.length === 0) throw new Error('no push frames in test/fixtures/yunhu-fixtures')
  // warm-up: let both paths reach optimized code
  rate(codecPass, frames, 300)
  rate(baselinePass, frames, 300)
  const codec: number[] = []
  const base: number[] = []
  for (let r = 0; r < rounds; r++) {
    // alternate the order so neither side always runs right after a GC-heavy round
    if (r % 2 === 0) {
      codec.push(rate(codecPass, frames, roundMs))
      base.push(rate(baselinePass, frames, roundMs))
    } else {
      base.push(rate(baselinePass, frames, roundMs))
      codec.push(rate(codecPass, frames, roundMs))
    }
    await new Promise((resolve) => setImmediate(resolve))
  }
  const framesPerS = median(codec)
  const baselineFramesPerS = median(base)
  const ratio = baselineFramesPerS / framesPerS
  if (sink === -1) console.log(sink)
  return {
    name: 'yunhu-decode',
    frames: frames.length,
    rounds,
    frames_per_s: Math.round(framesPerS),
    baseline_frames_per_s: Math.round(baselineFramesPerS),
    ratio: Math.round(ratio * 1000) / 1000,
    goal: 'within 1.3x',
    ok: ratio <= 1.3
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  benchYunhuDecode().then(
    (r) => console.log(JSON.stringify(r, null, 2)),
    (e) => {
      console.error(e)
      process.exitCode = 1
    }
  )
}
