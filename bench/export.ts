/**
 * Export of a 100,000-message conversation to self-contained HTML (issue #13): wall time and peak memory
 * through the app's path (SqliteHistory.iterate → exportConversation → a file, streamed), beside a
 * baseline from the same run that renders the same messages into one string and writes it at the end.
 * Run: `tsx bench/export.ts`, or as part of `npm run bench`.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { exportConversation, writeExportFile, type ExportMeta } from '../src/core/export'
import { SqliteHistory } from '../src/core/storage/sqlite-history'
import type { ChatMessage } from '../src/shared/mio'

const N = 100_000
const T0 = Date.UTC(2025, 0, 1)
const r2 = (x: number): number => Math.round(x * 100) / 100
const MB = 1024 * 1024

function message(i: number): ChatMessage {
  const kind = i % 10
  const segments: ChatMessage['segments'] =
    kind === 0
      ? [{ type: 'markdown', data: { text: `**第 ${i} 条** 部署完成，见 [日志](https://ci.example/run/${i})\n\n- 步骤一\n- 步骤二` } }]
      : kind === 1
        ? [{ type: 'file', data: { name: `report-${i}.pdf`, url: `https://files.example/${i}.pdf`, size: 10_000 + i } }]
        : [{ type: 'text', data: { text: `Message ${i}: 今天的会议改到下午三点 <not html> ${'lorem ipsum '.repeat(1 + (i % 5))}` } }]
  return { id: `m${i}`, contactId: 'c1', self: i % 3 === 0, senderId: i % 3 ? 'u1' : undefined, senderName: i % 3 ? '林晓雨' : undefined, time: T0 + i * 1000, segments, status: 'sent' }
}

/** Peak RSS and heap while `fn` runs, sampled every 20 ms, above what was in use before. */
async function peak<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number; rssMb: number; heapMb: number }> {
  global.gc?.()
  const base = process.memoryUsage()
  let rss = base.rss
  let heap = base.heapUsed
  const timer = setInterval(() => {
    const m = process.memoryUsage()
    rss = Math.max(rss, m.rss)
    heap = Math.max(heap, m.heapUsed)
  }, 20)
  const t = performance.now()
  const value = await fn()
  const ms = performance.now() - t
  clearInterval(timer)
  const m = process.memoryUsage()
  rss = Math.max(rss, m.rss)
  heap = Math.max(heap, m.heapUsed)
  return { value, ms, rssMb: (rss - base.rss) / MB, heapMb: (heap - base.heapUsed) / MB }
}

export async function benchExport(): Promise<object[]> {
  const dir = mkdtempSync(join(tmpdir(), 'miodesk-bench-export-'))
  try {
    const h = new SqliteHistory(join(dir, 'h.sqlite'), { indexDelayMs: -1 })
    for (let i = 0; i < N; i += 1000) h.putMany('acc', Array.from({ length: 1000 }, (_, j) => message(i + j)))
    const meta: ExportMeta = { accountId: 'acc', accountName: 'Work', platform: 'mio', contactId: 'c1', contactName: '开发群', locale: 'zh-CN', now: new Date() }
    // ours first: the baseline's big string is still being collected afterwards
    const ours = await peak(() => writeExportFile(join(dir, 'out.html'), (sink) => exportConversation(h.iterate('acc', 'c1'), meta, 'html', sink)))
    const naive = await peak(async () => {
      let all = ''
      await exportConversation(h.iterate('acc', 'c1'), meta, 'html', { write: async (c) => void (all += c) })
      writeFileSync(join(dir, 'naive.html'), all)
      return all.length
    })
    const size = statSync(join(dir, 'out.html')).size
    h.close()
    if (ours.value.messages !== N) throw new Error(`exported ${ours.value.messages} of ${N}`)
    return [
      {
        name: 'export_html_100k',
        unit: 's for 100,000 messages to one HTML file (streamed from the database)',
        value: r2(ours.ms / 1000),
        peak_rss_mb: r2(ours.rssMb),
        peak_heap_mb: r2(ours.heapMb),
        file_mb: r2(size / MB),
        baseline: 'the same rendering into one string, written at the end',
        baseline_value: r2(naive.ms / 1000),
        baseline_peak_rss_mb: r2(naive.rssMb),
        baseline_peak_heap_mb: r2(naive.heapMb),
        ratio: r2(ours.ms / naive.ms),
        goal: '<= 5 s, memory bounded (peak heap well below the file size)',
        met: ours.ms <= 5000 && ours.heapMb < size / MB
      }
    ]
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchExport().then((r) => console.log(JSON.stringify(r, null, 2)))
}
