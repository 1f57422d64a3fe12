import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { exportConversation, exportFileName, writeExportFile, EXPORT_JSON_FORMAT, type ExportMeta, type ExportSink } from '../../../src/core/export'
import type { ChatMessage } from '../../../src/shared/mio'

const meta = (locale: ExportMeta['locale'] = 'en'): ExportMeta => ({
  accountId: 'acc1',
  accountName: 'Work',
  platform: 'mio',
  contactId: 'bot',
  contactName: 'Helper <bot>',
  locale,
  now: new Date(Date.UTC(2026, 11, 6, 12, 0))
})

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=='
let n = 0
function m(segments: ChatMessage['segments'], extra: Partial<ChatMessage> = {}): ChatMessage {
  n++
  return { id: `m${n}`, contactId: 'bot', self: n % 2 === 0, time: Date.UTC(2026, 0, 1) + n * 60_000, segments, status: 'sent', ...extra }
}

function collect(): ExportSink & { text: () => string; chunks: number; largest: number } {
  const parts: string[] = []
  let largest = 0
  return {
    async write(c: string) {
      parts.push(c)
      largest = Math.max(largest, c.length)
    },
    text: () => parts.join(''),
    get chunks() {
      return parts.length
    },
    get largest() {
      return largest
    }
  }
}

const hostile = [
  m([{ type: 'html', data: { html: '<p>ok <b>bold</b></p><script>alert(1)</script><img src=x onerror="alert(2)"><a href="javascript:alert(3)">j</a><iframe src="https://evil"></iframe><a href="https://example.com/x">safe link</a>' } }]),
  m([{ type: 'markdown', data: { text: '**md** <script>alert(4)</script> [bad](javascript:alert(5)) ![remote](https://tracker.example/pixel.png)' } }]),
  m([{ type: 'text', data: { text: '<img src=x onerror=alert(6)> & "quotes"\nsecond line' } }])
]

describe('conversation export', () => {
  it('HTML: escaped, sanitised, scripts and network loads forbidden by its own CSP', async () => {
    const sink = collect()
    const r = await exportConversation([hostile], meta(), 'html', sink)
    const html = sink.text()
    expect(r.messages).toBe(3)
    expect(html).toContain(`Content-Security-Policy" content="default-src 'none'; img-src data:`)
    expect(html).not.toMatch(/<script/i)
    expect(html).not.toMatch(/<[^>]*\son[a-z]+=/i) // no event handler attribute (escaped text may say onerror)
    expect(html).not.toMatch(/(href|src)="\s*javascript:/i)
    expect(html).not.toMatch(/<img src="https?:/i) // a remote image in Markdown is a link, never loaded
    expect(html).toContain('<a href="https://tracker.example/pixel.png">remote</a>')
    expect(html).not.toMatch(/<iframe/i)
    expect(html).toContain('<b>bold</b>')
    expect(html).toContain('<a href="https://example.com/x">safe link</a>')
    expect(html).toContain('<strong>md</strong>')
    expect(html).toContain('&lt;img src=x onerror=alert(6)&gt; &amp; &quot;quotes&quot;<br>second line')
    expect(html).toContain('<title>Helper &lt;bot&gt; — Work</title>')
  })

  it('HTML: images embedded as data: URLs; what cannot be fetched is a labelled placeholder', async () => {
    const msgs = [
      m([{ type: 'image', data: { file: `base64://${PNG}` } }]),
      m([{ type: 'image', data: { url: 'https://cdn.example/a.png' } }]),
      m([{ type: 'image', data: { url: 'https://cdn.example/gone.png' } }])
    ]
    const sink = collect()
    const fetched: string[] = []
    await exportConversation([msgs], meta('zh-CN'), 'html', sink, {
      fetchImage: async (url) => {
        fetched.push(url)
        return url.endsWith('a.png') ? { mime: 'image/png', bytes: Buffer.from(PNG, 'base64') } : undefined
      }
    })
    const html = sink.text()
    expect(fetched).toEqual(['https://cdn.example/a.png', 'https://cdn.example/gone.png'])
    expect(html.match(/<img src="data:image\/png;base64,/g)).toHaveLength(2)
    expect(html).toContain('图片（离线不可用）')
    expect(html).not.toMatch(/<img src="https:/)
  })

  it('Markdown and JSON: every message, in order; JSON is the message model, versioned', async () => {
    const msgs = [m([{ type: 'text', data: { text: '你好' } }]), m([{ type: 'file', data: { name: 'a.pdf', url: 'https://x/a.pdf', size: 2048 } }]), m([], { status: 'recalled' })]
    const mdSink = collect()
    await exportConversation([msgs.slice(0, 2), msgs.slice(2)], meta(), 'markdown', mdSink)
    const md = mdSink.text()
    expect(md.startsWith('# Helper <bot> — Work')).toBe(true)
    expect(md.indexOf('你好')).toBeLessThan(md.indexOf('a.pdf'))
    expect(md).toContain('[File: a.pdf (2.0 KB)](https://x/a.pdf)')
    expect(md).toContain('_This message was recalled_')
    const jsonSink = collect()
    await exportConversation([msgs], meta(), 'json', jsonSink)
    const doc = JSON.parse(jsonSink.text()) as { format: string; version: number; messages: ChatMessage[]; conversation: { id: string } }
    expect(doc.format).toBe(EXPORT_JSON_FORMAT)
    expect(doc.version).toBe(1)
    expect(doc.conversation.id).toBe('bot')
    expect(doc.messages).toEqual(msgs)
  })

  it('a selection exports only the chosen messages, in conversation order', async () => {
    const msgs = [m([{ type: 'text', data: { text: 'one' } }]), m([{ type: 'text', data: { text: 'two' } }]), m([{ type: 'text', data: { text: 'three' } }])]
    const sink = collect()
    const r = await exportConversation([msgs], meta(), 'json', sink, { messageIds: [msgs[2]!.id, msgs[0]!.id] })
    expect(r.messages).toBe(2)
    expect((JSON.parse(sink.text()) as { messages: ChatMessage[] }).messages.map((x) => x.id)).toEqual([msgs[0]!.id, msgs[2]!.id])
  })

  it('streams: a long conversation reaches the sink in bounded chunks, never as one string', async () => {
    const many = Array.from({ length: 5000 }, (_, i) => m([{ type: 'text', data: { text: `message ${i} ${'x'.repeat(50)}` } }]))
    const batches = Array.from({ length: 10 }, (_, i) => many.slice(i * 500, (i + 1) * 500))
    const sink = collect()
    await exportConversation(batches, meta(), 'html', sink)
    expect(sink.chunks).toBeGreaterThan(10)
    expect(sink.largest).toBeLessThan(70_000)
    expect(sink.text()).toContain('5,000 messages')
  })

  it('file names drop what file systems refuse', () => {
    expect(exportFileName('a/b:c*?"<>|d', 'markdown', new Date(Date.UTC(2026, 0, 2)))).toBe('a b c d 2026-01-02.md')
    expect(exportFileName('   ', 'html', new Date(Date.UTC(2026, 0, 2)))).toBe('conversation 2026-01-02.html')
  })
})

describe('export files', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'miodesk-export-'))
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it('appear under their name only when complete; a failed export leaves nothing behind', async () => {
    const file = join(dir, 'out.html')
    const r = await writeExportFile(file, (sink) => exportConversation([hostile], meta(), 'html', sink))
    expect(r.messages).toBe(3)
    expect(readFileSync(file, 'utf8')).toContain('</html>')
    expect(r.bytes).toBe(readFileSync(file).length)
    const bad = join(dir, 'bad.html')
    async function* failing(): AsyncGenerator<ChatMessage[]> {
      yield hostile
      throw new Error('disk went away')
    }
    await expect(writeExportFile(bad, (sink) => exportConversation(failing(), meta(), 'html', sink))).rejects.toThrow('disk went away')
    expect(existsSync(bad)).toBe(false)
    expect(existsSync(`${bad}.part`)).toBe(false)
  })
})
