import { describe, expect, it } from 'vitest'
import { classifyLoginError, cleanError, secondsUntil } from '@renderer/lib/format'
import { composeSegments, forwardNodes, formatBytes, initials, previewSegments, resolveMediaUrl, serverHttpBase } from '@renderer/lib/segments'
import { bridgeSocketUrl, parseFrame, readBridgeParams } from '@renderer/bridge-client'

describe('segments', () => {
  it('resolves media URLs', () => {
    expect(resolveMediaUrl('base64://iVBORw0KGgoAAA', '')).toBe('data:image/png;base64,iVBORw0KGgoAAA')
    expect(resolveMediaUrl('/f/gen/image/a.png', 'http://h:1')).toBe('http://h:1/f/gen/image/a.png')
    expect(resolveMediaUrl('javascript:alert(1)', 'http://h')).toBe('')
    expect(resolveMediaUrl('file:///etc/passwd', 'http://h')).toBe('')
  })
  it('derives the http origin of a server', () => {
    expect(serverHttpBase('ws://127.0.0.1:3000/api/gateway')).toBe('http://127.0.0.1:3000')
    expect(serverHttpBase('wss://x.org')).toBe('https://x.org')
    expect(serverHttpBase('localhost:8080')).toBe('http://localhost:8080')
  })
  it('reads forward nodes of every shape', () => {
    const nodes = forwardNodes({ type: 'nodes', data: { messages: [[{ type: 'text', data: { text: 'a' } }], [{ type: 'nodes', data: { messages: [] } }]] } })
    expect(nodes).toHaveLength(2)
    expect(nodes[1]!.segments[0]!.type).toBe('nodes')
    const onebot = forwardNodes({ type: 'forward', data: { content: [{ type: 'node', data: { name: 'Bot', content: [{ type: 'text', data: { text: 'x' } }] } }] } })
    expect(onebot[0]!.senderName).toBe('Bot')
    expect(forwardNodes({ type: 'forward', data: { id: '123' } })).toEqual([])
  })
  it('previews segments', () => {
    expect(previewSegments([{ type: 'reply', data: { id: '1' } }, { type: 'text', data: { text: 'hi\nthere' } }, { type: 'image', data: {} }, { type: 'weird', data: {} }])).toBe('hi there[Image][weird]')
  })
  it('composes reply + text + images', () => {
    expect(composeSegments('hi', ['base64://AA'], '42')).toEqual([
      { type: 'reply', data: { id: '42' } },
      { type: 'text', data: { text: 'hi' } },
      { type: 'image', data: { file: 'base64://AA', image: 'base64://AA' } }
    ])
  })
  it('formats sizes and initials', () => {
    expect(formatBytes(512)).toBe('512 B')
    expect(formatBytes(1536)).toBe('1.5 KB')
    expect(initials('Mio Bot')).toBe('MB')
    expect(initials('小米')).toBe('小')
    // A mixed name takes its Chinese part; an address its local part, never the host's digits.
    expect(initials('MioDesk 演示用户')).toBe('演')
    expect(initials('alice@127.0.0.1:41677')).toBe('A')
    expect(initials('15432@127.0.0.1:8787')).toBe('1')
    expect(initials('Bot 20000001')).toBe('B')
    expect(initials('ops')).toBe('O')
  })
})

describe('format', () => {
  it('cleans IPC error wrappers', () => {
    expect(cleanError(new Error("Error invoking remote method 'accounts:add-mio': Error: Invalid credentials.\n at x"))).toBe('Invalid credentials.')
  })
  it('classifies login errors', () => {
    expect(classifyLoginError('Invalid credentials: the access code was refused.')).toBe('auth')
    expect(classifyLoginError('The server could not be reached (ECONNREFUSED).')).toBe('unreachable')
    expect(classifyLoginError('whatever', 'auth')).toBe('auth')
  })
  it('counts down seconds', () => {
    expect(secondsUntil(10_500, 10_000)).toBe(1)
    expect(secondsUntil(9_000, 10_000)).toBe(0)
  })
})

describe('bridge client frames', () => {
  it('reads params and builds the socket URL', () => {
    const q = new URLSearchParams('bridge=ws://127.0.0.1:5000/bridge&token=abc')
    const p = readBridgeParams((n) => q.get(n))!
    expect(p).toEqual({ url: 'ws://127.0.0.1:5000/bridge', token: 'abc' })
    expect(bridgeSocketUrl(p)).toBe('ws://127.0.0.1:5000/bridge?token=abc')
  })
  it('parses responses and events', () => {
    expect(parseFrame('{"id":1,"ok":true,"result":5}')).toEqual({ id: 1, ok: true, result: 5 })
    expect(parseFrame('{"id":2,"ok":false,"error":{"message":"no"}}')).toEqual({ id: 2, ok: false, error: { message: 'no' } })
    expect(parseFrame('{"event":"stream","payload":{"a":1}}')).toEqual({ event: 'stream', payload: { a: 1 } })
    expect(parseFrame('nope')).toBeNull()
  })
})

describe('stripMarkdown', () => {
  it('flattens Markdown for previews', async () => {
    const { stripMarkdown } = await import('@renderer/lib/segments')
    expect(stripMarkdown('Code sample:\n\n```ts\nconst a = 1\n```')).toBe('Code sample: const a = 1')
    expect(stripMarkdown('# Title\n**bold** and [link](https://x.y) `code`')).toBe('Title bold and link code')
  })
  it('removes single emphasis, quotes, rules, tables, autolinks and escapes', async () => {
    const { stripMarkdown } = await import('@renderer/lib/segments')
    expect(stripMarkdown('Sure — here is *another look* at _it_:')).toBe('Sure — here is another look at it:')
    expect(stripMarkdown('## Heading\n\n> quoted ***strong*** ~~gone~~\n\n---\n\n- item')).toBe('Heading quoted strong gone item')
    expect(stripMarkdown('| a | b |\n|---|:-:|\n| 1 | 2 |')).toBe('a b 1 2')
    expect(stripMarkdown('see <https://example.com> and [ref][1], 2 \\* 3')).toBe('see https://example.com and ref, 2 * 3')
    expect(stripMarkdown('~~~py\nprint(1)\n~~~')).toBe('print(1)')
    // Arithmetic and identifiers keep their characters.
    expect(stripMarkdown('2*3*4 = 24, snake_case_name, a * b')).toBe('2*3*4 = 24, snake_case_name, a * b')
  })
  it('copes with text already cut mid-way', async () => {
    const { stripMarkdown } = await import('@renderer/lib/segments')
    expect(stripMarkdown('Sure — here is *another l…')).toBe('Sure — here is another l…')
    expect(stripMarkdown('**bold start and [a link](https://exa')).toBe('bold start and a link')
  })
})

describe('previewMessage', () => {
  it('localises labels and strips Markdown from AI replies', async () => {
    const { previewMessage } = await import('@renderer/lib/segments')
    const labels = { image: '[图片]', file: '[文件]', face: '[表情]', record: '[语音]', video: '[视频]', forward: '[聊天记录]', recalled: '[已撤回]', unknown: (t: string) => `[${t}]` }
    const base = { id: 'm', contactId: 'c', self: false, time: 1, status: 'sent' as const }
    expect(previewMessage({ ...base, segments: [{ type: 'nodes', data: { messages: [] } }] }, labels)).toBe('[聊天记录]')
    expect(previewMessage({ ...base, segments: [{ type: 'image', data: {} }] }, labels)).toBe('[图片]')
    expect(previewMessage({ ...base, status: 'recalled', segments: [] }, labels)).toBe('[已撤回]')
    expect(previewMessage({ ...base, segments: [], ai: { requestId: 'r', status: 'completed', text: '## Plan\n\n*another* **bold** [x](https://x.y)\n\n```js\nf()\n```', reasoning: '', toolCalls: [] } }, labels)).toBe('Plan another bold x f()')
  })
})
