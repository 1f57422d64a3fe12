/** The shared message model: every segment type read as its typed part, unknown ones kept intact. */
import { describe, expect, it } from 'vitest'
import { partOf, previewMessage } from '../../../src/shared/model/parts'

describe('partOf', () => {
  it('names every kind a message can hold', () => {
    expect(partOf({ type: 'text', data: { text: 'hi' } })).toEqual({ kind: 'text', text: 'hi' })
    expect(partOf({ type: 'markdown', data: { text: '**b**' } })).toEqual({ kind: 'markdown', text: '**b**' })
    expect(partOf({ type: 'html', data: { html: '<b>x</b>' } })).toEqual({ kind: 'html', html: '<b>x</b>' })
    expect(partOf({ type: 'image', data: { file: 'https://e/a.png', width: '40', height: 30 } })).toEqual({ kind: 'image', src: 'https://e/a.png', width: 40, height: 30 })
    expect(partOf({ type: 'file', data: { name: 'a.pdf', url: 'https://e/a.pdf', size: 12 } })).toEqual({ kind: 'file', name: 'a.pdf', src: 'https://e/a.pdf', size: 12 })
    expect(partOf({ type: 'record', data: { url: 'https://e/v.mp3', seconds: 3 } })).toEqual({ kind: 'audio', src: 'https://e/v.mp3', seconds: 3 })
    expect(partOf({ type: 'video', data: { file: 'https://e/v.mp4' } })).toEqual({ kind: 'video', src: 'https://e/v.mp4', seconds: undefined })
    expect(partOf({ type: 'reply', data: { id: 12, text: 'q' } })).toEqual({ kind: 'quote', id: '12', text: 'q' })
    expect(partOf({ type: 'at', data: { qq: 10001, name: 'Ann' } })).toEqual({ kind: 'mention', id: '10001', name: 'Ann' })
    expect(partOf({ type: 'buttons', data: { rows: [[{ text: 'Open', actionType: 1, url: 'https://e' }, { text: 'Copy', actionType: 2, value: 'v' }], 'bad', { text: 'Report', actionType: 3, value: 'r' }] } })).toEqual({
      kind: 'buttons',
      rows: [
        [
          { text: 'Open', actionType: 1, action: { kind: 'open', url: 'https://e' } },
          { text: 'Copy', actionType: 2, action: { kind: 'copy', value: 'v' } }
        ],
        [{ text: 'Report', actionType: 3, action: { kind: 'report', value: 'r' } }]
      ]
    })
    expect(partOf({ type: 'face', data: { id: 5 } })).toEqual({ kind: 'sticker', id: '5' })
    expect(partOf({ type: 'nodes', data: { messages: [[{ type: 'text', data: { text: 'a' } }]] } })).toEqual({ kind: 'forward', nodes: [{ segments: [{ type: 'text', data: { text: 'a' } }] }] })
  })

  it('keeps an unknown segment intact and tolerates garbage data', () => {
    const odd = { type: 'poke', data: { strength: 3, nested: { a: [1] } } }
    expect(partOf(odd)).toEqual({ kind: 'unknown', type: 'poke', data: odd.data })
    expect(partOf({ type: 'image', data: { file: 42 } })).toMatchObject({ kind: 'image', src: '42' })
    expect(partOf({ type: 'text', data: null as never })).toEqual({ kind: 'text', text: '' })
  })

  it('one preview for every platform: recalled, AI text, mentions, media labels', () => {
    const base = { id: '1', contactId: 'c', self: false, time: 1, status: 'sent' as const }
    expect(previewMessage({ ...base, status: 'recalled', segments: [] })).toBe('Message recalled')
    expect(previewMessage({ ...base, segments: [{ type: 'at', data: { qq: '1', name: 'Bo' } }, { type: 'text', data: { text: 'look' } }, { type: 'image', data: {} }] })).toBe('@Bo look[Image]')
    expect(previewMessage({ ...base, segments: [{ type: 'html', data: { html: '<p>Hi <b>there</b></p>' } }] })).toBe('Hi there')
  })
})

describe('preview tokens', () => {
  it('are worded by the reader: the same tokens in English and in Chinese', async () => {
    const { previewTokens, renderPreview } = await import('../../../src/shared/model/parts')
    const m = { id: '1', contactId: 'c', self: false, time: 1, status: 'sent' as const, segments: [{ type: 'text', data: { text: '**看** this' } }, { type: 'file', data: { name: 'a.pdf' } }, { type: 'poke', data: {} }] }
    const tokens = previewTokens(m)
    expect(tokens).toEqual(['**看** this', { label: 'file', text: 'a.pdf' }, { unknown: 'poke' }])
    expect(renderPreview(tokens)).toBe('看 this[File] a.pdf[poke]')
    const zh = { image: '[图片]', file: '[文件]', face: '[表情]', record: '[语音]', video: '[视频]', forward: '[合并转发]', recalled: '消息已撤回', unknown: (t: string) => `[${t}]` }
    expect(renderPreview(tokens, zh)).toBe('看 this[文件] a.pdf[poke]')
    expect(renderPreview(previewTokens({ ...m, status: 'recalled' }), zh)).toBe('消息已撤回')
    expect(JSON.stringify(previewTokens({ ...m, segments: [{ type: 'text', data: { text: 'x'.repeat(5000) } }] })).length).toBeLessThan(500)
  })
})
