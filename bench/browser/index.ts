/**
 * Browser benchmarks (headless Chromium via playwright-core, the built renderer behind the bridge).
 * Numbers, not assertions: each result carries its goal and whether it was met, and is written as JSON
 * to bench/results/browser.json. Run directly: `tsx bench/browser/index.ts` (builds the renderer if needed).
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ensureRendererBuilt, REPO_ROOT } from '../../src/bridge/build'
import { benchLongChat } from './long-chat'
import { benchStream } from './stream'
import { INITIAL_JS_GOAL_BYTES, benchCodeSplitting, benchStartup } from './startup'
import { benchRealStream, type RealStreamResult } from './real-stream'
import { benchRealStreamYunhu } from './real-stream-yunhu'
import { round } from './session'

export async function runBrowserBenches(): Promise<object[]> {
  ensureRendererBuilt({ quiet: true })
  const results: object[] = []

  // (a) long conversation, baseline = the same with 1,000 messages, measured in the same run.
  const baseline = await benchLongChat(1_000)
  const big = await benchLongChat(100_000)
  results.push(
    {
      name: 'browser-long-chat-first-paint',
      unit: 'ms',
      value: big.firstPaintMs,
      baseline: 'the same conversation with 1,000 messages',
      baseline_value: baseline.firstPaintMs,
      ratio: round(big.firstPaintMs / baseline.firstPaintMs, 2),
      goal: '<= 300 ms',
      met: big.firstPaintMs <= 300,
      messages: big.messages
    },
    {
      name: 'browser-long-chat-dom-messages',
      unit: 'elements',
      value: big.domMessages,
      baseline: 'the same conversation with 1,000 messages',
      baseline_value: baseline.domMessages,
      ratio: round(big.domMessages / Math.max(1, baseline.domMessages), 2),
      goal: '<= 300',
      met: big.domMessages <= 300
    },
    {
      name: 'browser-long-chat-js-heap',
      unit: 'MB',
      value: big.heapMB,
      baseline: 'the same conversation with 1,000 messages',
      baseline_value: baseline.heapMB,
      ratio: round(big.heapMB / baseline.heapMB, 2),
      goal: '<= 200 MB',
      met: big.heapMB <= 200,
      heap_before_open_MB: big.heapBeforeOpenMB
    },
    {
      name: 'browser-long-chat-scroll-fps',
      unit: 'fps',
      value: big.scrollFps,
      baseline: 'the same conversation with 1,000 messages',
      baseline_value: baseline.scrollFps,
      ratio: round(big.scrollFps / baseline.scrollFps, 2),
      goal: '>= 55 fps',
      met: big.scrollFps >= 55,
      frame_p95_ms: big.scrollFrameP95Ms,
      baseline_frame_p95_ms: baseline.scrollFrameP95Ms,
      scroll_ms: big.scrollMs,
      reached_top: big.reachedTop,
      baseline_reached_top: baseline.reachedTop
    }
  )

  // (b) streamed Markdown.
  const st = await benchStream()
  results.push(
    {
      name: 'browser-stream-markdown-script-time',
      unit: 'ms',
      value: st.streamedScriptMs,
      baseline: 'the renderer Markdown pipeline re-rendering the whole text on every chunk (same page, same pace)',
      baseline_value: st.naiveScriptMs,
      ratio: st.ratio,
      goal: '<= 300 ms',
      met: st.streamedScriptMs <= 300,
      bytes: st.bytes,
      chunks: st.chunks,
      stream_wall_ms: st.streamMs,
      baseline_wall_ms: st.naiveMs,
      main_thread_ms: st.streamedMainThread,
      baseline_main_thread_ms: st.naiveMainThread,
      // ScriptDuration leaves out DOM work called from script (innerHTML parsing), so whole tasks compare too.
      task_time_ratio: round(st.streamedMainThread.task / st.naiveMainThread.task, 3)
    },
    {
      name: 'browser-stream-chunk-to-paint-p95',
      unit: 'ms',
      value: st.streamedPaintP95Ms,
      baseline: 'naive whole-text re-render per chunk',
      baseline_value: st.naivePaintP95Ms,
      ratio: round(st.streamedPaintP95Ms / st.naivePaintP95Ms, 3),
      goal: '<= 20 ms',
      met: st.streamedPaintP95Ms <= 20,
      p50_ms: st.streamedPaintP50Ms
    }
  )

  // (c) start-up with a large durable history (SQLite), baseline = an empty start, same run.
  const empty = await benchStartup(1, 0)
  const full = await benchStartup(200, 100_000)
  results.push({
    name: 'browser-startup-first-paint',
    unit: 'ms',
    value: full.firstPaintMs,
    baseline: 'an empty start: one account, no stored messages (same run)',
    baseline_value: empty.firstPaintMs,
    ratio: round(full.firstPaintMs / empty.firstPaintMs, 2),
    goal: '<= 1000 ms',
    met: full.firstPaintMs <= 1000,
    conversations: full.conversations,
    messages: full.messages,
    core_start_ms: full.coreStartMs,
    baseline_core_start_ms: empty.coreStartMs,
    open_conversation_painted_ms: full.conversationPaintMs
  })

  // (d) code splitting: the login screen's JavaScript and the first Markdown render on first use, baseline = the
  // same sources built with everything eager (one chunk), same run.
  const cs = await benchCodeSplitting()
  results.push(
    {
      name: 'browser-initial-js',
      unit: 'B gzip',
      value: cs.split.initial.gzipBytes,
      baseline: 'the same sources built with everything eager (one chunk), same run',
      baseline_value: cs.eager.initial.gzipBytes,
      ratio: round(cs.split.initial.gzipBytes / cs.eager.initial.gzipBytes, 3),
      goal: `<= ${INITIAL_JS_GOAL_BYTES} B gzip (150 KB)`,
      met: cs.split.initial.gzipBytes <= INITIAL_JS_GOAL_BYTES,
      files: cs.split.initial.files,
      raw_bytes: cs.split.initial.rawBytes,
      baseline_raw_bytes: cs.eager.initial.rawBytes,
      from_build_output_bytes: cs.split.initial.fromBuildGzipBytes,
      prefetched_later_bytes: cs.split.initial.laterGzipBytes,
      login_paint_ms: cs.split.initial.loginPaintMs,
      baseline_login_paint_ms: cs.eager.initial.loginPaintMs
    },
    {
      name: 'browser-first-markdown-render',
      unit: 'ms',
      value: cs.split.markdown.firstRenderMs,
      baseline: 'the same sources built with everything eager (one chunk), same run',
      baseline_value: cs.eager.markdown.firstRenderMs,
      ratio: round(cs.split.markdown.firstRenderMs / cs.eager.markdown.firstRenderMs, 2),
      goal: '<= the eager build + 50 ms (no visible delay)',
      met: cs.split.markdown.firstRenderMs <= cs.eager.markdown.firstRenderMs + 50,
      plain_text_first_runs: cs.split.markdown.plainFirstRuns,
      runs: cs.split.markdown.runs.length,
      first_message_ms: cs.split.markdown.firstMessageMs,
      baseline_first_message_ms: cs.eager.markdown.firstMessageMs,
      list_paint_ms: cs.split.markdown.listPaintMs,
      baseline_list_paint_ms: cs.eager.markdown.listPaintMs
    }
  )

  // (b') the same stream as a bot message whose Markdown part grows (the Yunhu path through the same coalescer).
  const sy = await benchStream('message')
  results.push(
    {
      name: 'browser-stream-message-script-time',
      unit: 'ms',
      value: sy.streamedScriptMs,
      baseline: 'the renderer Markdown pipeline re-rendering the whole text on every chunk (same page, same pace)',
      baseline_value: sy.naiveScriptMs,
      ratio: sy.ratio,
      goal: '<= 300 ms',
      met: sy.streamedScriptMs <= 300,
      stream_wall_ms: sy.streamMs,
      main_thread_ms: sy.streamedMainThread,
      baseline_main_thread_ms: sy.naiveMainThread,
      task_time_ratio: round(sy.streamedMainThread.task / sy.naiveMainThread.task, 3)
    },
    {
      name: 'browser-stream-message-chunk-to-paint-p95',
      unit: 'ms',
      value: sy.streamedPaintP95Ms,
      baseline: 'naive whole-text re-render per chunk',
      baseline_value: sy.naivePaintP95Ms,
      ratio: round(sy.streamedPaintP95Ms / sy.naivePaintP95Ms, 3),
      goal: '<= 20 ms',
      met: sy.streamedPaintP95Ms <= 20,
      p50_ms: sy.streamedPaintP50Ms
    }
  )

  // (b'') the real path: a stub server in another process → socket → core (client, assembler, coalescer,
  // SQLite) → bridge → renderer → painted frame; main-thread work from a trace (microtasks included).
  const real = await benchRealStream()
  results.push(...realStreamRows('browser-real-stream', real))
  // The same for a Yunhu stream: push_message + stream_message frames over the protobuf push socket.
  const realYunhu = await benchRealStreamYunhu()
  results.push(...realStreamRows('browser-real-stream-yunhu', realYunhu))

  const dir = join(REPO_ROOT, 'bench', 'results')
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'browser.json'), JSON.stringify({ when: new Date().toISOString(), results, raw: { baseline, big, stream: st, streamMessage: sy, startup: { empty, full }, codeSplitting: cs, realStream: real, realStreamYunhu: realYunhu } }, null, 2))
  return results
}

/** The two rows of a real-path stream: chunk-to-paint and main-thread JavaScript, each beside the naive baseline. */
function realStreamRows(name: string, real: RealStreamResult): object[] {
  return [
    {
      name: `${name}-chunk-to-paint-p95`,
      unit: 'ms',
      value: real.p95,
      baseline: 'the naive pipeline (whole text re-rendered per chunk), paced the same way, same page and run',
      baseline_value: real.naive.p95,
      ratio: round(real.p95 / real.naive.p95, 4),
      goal: 'p95 <= 33 ms and p50 <= 20 ms',
      met: real.p95 <= 33 && real.p50 <= 20,
      p50_ms: real.p50,
      p99_ms: real.p99,
      to_renderer_ms: real.toPage,
      in_renderer_ms: real.inPage,
      stream_events: real.events,
      chunks: real.chunks,
      pace_ms: real.paceMs,
      baseline_wall_ms: real.naive.wallMs,
      wall_ms: real.wallMs,
      clocks: real.clocks
    },
    {
      name: `${name}-main-thread-js`,
      unit: 'ms',
      value: real.main.js,
      baseline: 'the naive pipeline (whole text re-rendered per chunk), paced the same way, same page and run',
      baseline_value: real.naive.main.js,
      ratio: round(real.main.js / real.naive.main.js, 4),
      goal: '<= 400 ms and <= 0.25x the baseline; no forced layout per chunk',
      met: real.main.js <= 400 && real.main.js / real.naive.main.js <= 0.25 && real.main.forcedLayouts < real.chunks,
      main_thread_ms: real.main,
      baseline_main_thread_ms: real.naive.main,
      forced_layouts_per_chunk: round(real.main.forcedLayouts / real.chunks, 3),
      baseline_wall_ms: real.naive.wallMs
    }
  ]
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runBrowserBenches().then(
    (r) => {
      console.log(JSON.stringify(r, null, 2))
      process.exit(0)
    },
    (e: unknown) => {
      console.error(e)
      process.exit(1)
    }
  )
}
