/**
 * What a media message puts into SendMsgRequest, against the fixtures c_http_send_req_{image_url,file,
 * audio,video,expression,sticker_pack}: the request built from the composer's parts and the uploaded key
 * encodes to the fixture's exact bytes. Plus the parts the sender refuses, and the sticker catalog.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { hasMediaPart, mediaContent, mediaDraftOf, parseStickerCatalog, pendingSegments } from '../../../src/core/accounts/yunhu/send-media'
import { encodeSendMsgRequest } from '../../../src/core/protocols/yunhu/codec/yunhu'
import type { ChatMessage, Segment } from '../../../src/shared/mio'

const DIR = join(__dirname, '../../fixtures/yunhu-fixtures')
const fixture = (name: string) => ({
  json: JSON.parse(readFileSync(join(DIR, `${name}.json`), 'utf8')) as { msg_id: string; chat_id: string; chat_type: number; content_type: number; content: Record<string, unknown> },
  bin: new Uint8Array(readFileSync(join(DIR, `${name}.bin`)))
})
const REF = 'a'.repeat(64)

function request(name: string, segments: Segment[], key?: string): Uint8Array {
  const f = fixture(name).json
  const { contentType, content } = mediaContent(mediaDraftOf(segments), key)
  return new Uint8Array(encodeSendMsgRequest({ msg_id: f.msg_id, chat_id: f.chat_id, chat_type: f.chat_type, content_type: contentType, content }))
}

describe('Yunhu media messages', () => {
  it('an image: image_url = chat-img URL of the key, file_size, width, height (c_http_send_req_image_url)', () => {
    const segs: Segment[] = [{ type: 'image', data: { staged: REF, name: 'x.jpg', size: 482133, width: 1920, height: 1080 } }]
    expect(request('c_http_send_req_image_url', segs, '3b9f2e7c5a1d4f60b8e2c7a9d1f3e5b7.jpg')).toEqual(fixture('c_http_send_req_image_url').bin)
  })

  it('a file: file_name, file_url = the bare key, file_size (c_http_send_req_file)', () => {
    const segs: Segment[] = [{ type: 'file', data: { staged: REF, name: '2026Q3 路线图.xlsx', size: 1048576 } }]
    expect(request('c_http_send_req_file', segs, '8f14e45fceea167a5a36dedd4bea2543.xlsx')).toEqual(fixture('c_http_send_req_file').bin)
  })

  it('a voice message: audio_url = key, audio_time in whole seconds (c_http_send_req_audio)', () => {
    const segs: Segment[] = [{ type: 'record', data: { staged: REF, name: 'v.m4a', size: 10, seconds: 6.6 } }]
    expect(request('c_http_send_req_audio', segs, '1787190260123_k3x9qa.m4a')).toEqual(fixture('c_http_send_req_audio').bin)
    // At least one second, as VUE sends.
    expect(mediaContent(mediaDraftOf([{ type: 'record', data: { staged: REF, seconds: 0.2 } }]), 'k.m4a').content.audio_time).toBe(1)
  })

  it('a video: content type 10, video_url = key, video_time (c_http_send_req_video)', () => {
    const segs: Segment[] = [{ type: 'video', data: { staged: REF, name: 'c.mp4', size: 10, seconds: 15 } }]
    expect(request('c_http_send_req_video', segs, 'c4ca4238a0b923820dcc509a6f75849b.mp4')).toEqual(fixture('c_http_send_req_video').bin)
  })

  it('a saved sticker: image + expression_id as a string; a pack sticker: image + item and pack ids', () => {
    expect(request('c_http_send_req_expression', [{ type: 'sticker', data: { path: 'expression/0f1e2d3c4b5a69788796a5b4c3d2e1f0.gif', expressionId: '553201' } }])).toEqual(fixture('c_http_send_req_expression').bin)
    expect(request('c_http_send_req_sticker_pack', [{ type: 'sticker', data: { path: 'sticker/7e2d9c41b05a4f3c8d6e1b2a9f0c7d35.webp', itemId: '20417', packId: 903 } }])).toEqual(fixture('c_http_send_req_sticker_pack').bin)
  })

  it('a quote of an image adds quote_image_url and quote_image_name; mentions go into mentioned_id', () => {
    const d = mediaDraftOf([
      { type: 'reply', data: { id: '843bb3c146f0e08366074785b14b241e', text: '林晓雨: [图片]' } },
      { type: 'image', data: { staged: REF, size: 5 } },
      { type: 'at', data: { qq: '1000002', name: '小云' } },
      { type: 'at', data: { qq: '1000002', name: '小云' } }
    ])
    const quoted: ChatMessage = { id: 'q', contactId: 'c', self: false, time: 0, status: 'sent', segments: [{ type: 'image', data: { image: 'https://chat-img.jwznb.com/2b6f0c9e1d4a4f7c8e3b5a6d7c8e9f01.jpg' } }] }
    const { content } = mediaContent(d, 'k.png', quoted)
    expect(content).toMatchObject({
      quote_msg_text: '林晓雨: [图片]',
      quote_image_url: 'https://chat-img.jwznb.com/2b6f0c9e1d4a4f7c8e3b5a6d7c8e9f01.jpg',
      quote_image_name: '2b6f0c9e1d4a4f7c8e3b5a6d7c8e9f01.jpg',
      mentioned_id: ['1000002']
    })
    expect(pendingSegments(d).map((s) => s.type)).toEqual(['reply', 'image', 'at', 'at'])
  })

  it('refuses what Yunhu cannot carry, in words', () => {
    expect(() => mediaDraftOf([{ type: 'image', data: { staged: '../../etc/passwd' } }])).toThrow('The file to send is missing: pick it again')
    expect(() => mediaDraftOf([{ type: 'image', data: { staged: REF } }, { type: 'file', data: { staged: REF } }])).toThrow(/one picture, file/)
    expect(() => mediaDraftOf([{ type: 'image', data: { staged: REF } }, { type: 'text', data: { text: 'caption' } }])).toThrow(/carries no text/)
    expect(() => mediaDraftOf([{ type: 'sticker', data: { path: 'sticker/a.webp' } }])).toThrow('The sticker is missing its path or id')
    expect(hasMediaPart([{ type: 'text', data: { text: 'hi' } }])).toBe(false)
    expect(hasMediaPart([{ type: 'image', data: { file: 'https://x/y.png' } }])).toBe(false)
    expect(hasMediaPart([{ type: 'image', data: { staged: REF } }])).toBe(true)
  })

  it('reads the sticker lists, leaving deleted ones out', () => {
    const cat = parseStickerCatalog(
      { expression: [{ id: 1, url: 'expression/a.gif', delFlag: 0 }, { id: 2, url: 'expression/b.gif', delFlag: 1 }, { url: 'x' }] },
      { stickerPacks: [{ id: '903', name: '喵', stickerItems: [{ id: 5, name: '开心', url: 'sticker/c.webp' }, { id: 6, url: 'sticker/d.webp', delFlag: 1 }] }, { id: 9, delFlag: 1 }] }
    )
    expect(cat).toEqual({
      saved: [{ path: 'expression/a.gif', url: 'https://chat-img.jwznb.com/expression/a.gif', expressionId: '1' }],
      packs: [{ id: '903', name: '喵', items: [{ path: 'sticker/c.webp', url: 'https://chat-img.jwznb.com/sticker/c.webp', itemId: '5', packId: '903', name: '开心' }] }]
    })
  })
})
