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
import { compareRates } from './measure'

const FIXTURES = fileURLToPath(new URL('../test/fixtures/yunhu-fixtures/', import.meta.url))

export interface YunhuDecodeBenchResult {
  name: string
  frames: number
  rounds: number
  frames_per_s: number
  baseline_frames_per_s: number
  /** baseline rate / codec rate, median of the rounds' (1 = as fast as bare protobuf.js; goal: <= 1.2). */
  ratio: number
  goal: 'within 1.2x'
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

export async function benchYunhuDecode(opts: { rounds?: number } = {}): Promise<YunhuDecodeBenchResult> {
  const rounds = opts.rounds ?? 21
  const frames = loadPushFrames()
  if (frames.length === 0) throw new Error('no push frames in test/fixtures/yunhu-fixtures')
  // rounds of ~25 ms a side, interleaved; the ratio is the median of the rounds' own ratios (see measure.ts)
  const r = compareRates(frames.length, () => codecPass(frames), () => baselinePass(frames), {
    rounds,
    warmup: () => {
      for (let i = 0; i < 3000; i++) {
        codecPass(frames)
        baselinePass(frames)
      }
    }
  })
  if (sink === -1) console.log(sink)
  return {
    name: 'yunhu-decode',
    frames: frames.length,
    rounds,
    frames_per_s: r.subject.perSecond,
    baseline_frames_per_s: r.baseline.perSecond,
    ratio: r.ratio,
    goal: 'within 1.2x',
    ok: r.ratio <= 1.2
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
