/**
 * The composer's attachment tray state (stores/attachments.ts) over a fake `window.api`: kinds by type
 * and by what the conversation takes, one message per attachment with the staged ref (the quote on the
 * first), progress from `upload` events matched by ref, and cancel.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import type { ChatMessage, Segment } from '@shared/mio'
import { calls, emit, installFakeApi, replies, resetFakeApi } from './fake-api'

let uninstall: () => void
beforeAll(() => {
  uninstall = installFakeApi()
  ;(globalThis as unknown as { URL: { createObjectURL: () => string; revokeObjectURL: () => void } }).URL.createObjectURL = () => 'blob:x'
  ;(globalThis as unknown as { URL: { revokeObjectURL: () => void } }).URL.revokeObjectURL = () => {}
})
afterAll(() => uninstall())
beforeEach(() => {
  resetFakeApi()
  setActivePinia(createPinia())
})

const ALL = ['text', 'image', 'file', 'audio', 'video', 'sticker', 'quote'] as const

describe('attachments', () => {
  it('kinds: pictures the platforms show, audio, video, else a file; what the chat does not take is a file', async () => {
    const { kindOf } = await import('@renderer/stores/attachments')
    expect(kindOf('image/png', ALL)).toBe('image')
    expect(kindOf('image/svg+xml', ALL)).toBe('file')
    expect(kindOf('audio/webm', ALL)).toBe('audio')
    expect(kindOf('video/mp4', ALL)).toBe('video')
    expect(kindOf('application/pdf', ALL)).toBe('file')
    expect(kindOf('video/mp4', ['text', 'file'])).toBe('file')
  })

  it('sends one message per attachment with its staged ref, the quote on the first; progress by ref', async () => {
    const { useAttachmentsStore } = await import('@renderer/stores/attachments')
    const store = useAttachmentsStore()
    let n = 0
    replies.set('media:stage', (f: unknown) => ({ ref: `${String(++n).padStart(64, '0')}`, name: (f as { name: string }).name, size: 3 }))
    let release: (m: ChatMessage) => void = () => {}
    replies.set('messages:send', (_a: unknown, c: unknown, segs: unknown) => new Promise<ChatMessage>((r) => (release = () => r({ id: `m${n}`, contactId: String(c), self: true, time: 1, segments: segs as Segment[], status: 'sent' }))))
    await store.add('acc', 'c1', [{ blob: new Blob(['abc'], { type: 'application/pdf' }), name: 'a.pdf' }, { blob: new Blob(['xyz']), name: 'b.bin' }], ALL)
    expect(store.list('acc', 'c1').map((a) => [a.kind, a.name, a.size])).toEqual([['file', 'a.pdf', 3], ['file', 'b.bin', 3]])
    const done = store.send('acc', 'c1', { id: 'q1', text: 'me: hi' })
    await new Promise((r) => setTimeout(r, 10))
    // Progress of the first upload, matched by its ref before the send answered.
    emit('upload', { accountId: 'acc', contactId: 'c1', messageId: 'm1', ref: '1'.padStart(64, '0'), sent: 50, total: 100 })
    expect(store.list('acc', 'c1')[0]).toMatchObject({ state: 'uploading', sent: 50, total: 100, messageId: 'm1' })
    release({} as ChatMessage)
    await new Promise((r) => setTimeout(r, 10))
    release({} as ChatMessage)
    await done
    const sends = calls.filter((c) => c.channel === 'messages:send').map((c) => c.args[2] as Segment[])
    expect(sends).toEqual([
      [{ type: 'reply', data: { id: 'q1', text: 'me: hi' } }, { type: 'file', data: { staged: '1'.padStart(64, '0'), name: 'a.pdf', size: 3, mime: 'application/pdf' } }],
      [{ type: 'file', data: { staged: '2'.padStart(64, '0'), name: 'b.bin', size: 3 } }]
    ])
    expect(store.list('acc', 'c1')).toEqual([])
  })

  it('a voice recording keeps its seconds (at least 1); cancel of one being sent recalls its message', async () => {
    const { useAttachmentsStore } = await import('@renderer/stores/attachments')
    const store = useAttachmentsStore()
    replies.set('media:stage', () => ({ ref: 'f'.repeat(64), name: 'voice.webm', size: 3 }))
    replies.set('messages:send', () => new Promise(() => {}))
    await store.add('acc', 'c1', [{ blob: new Blob(['abc'], { type: 'audio/webm' }), name: 'voice.webm', kind: 'audio', seconds: 0.4 }], ALL)
    void store.send('acc', 'c1')
    await new Promise((r) => setTimeout(r, 10))
    const sent = calls.find((c) => c.channel === 'messages:send')!.args[2] as Segment[]
    expect(sent).toEqual([{ type: 'record', data: { staged: 'f'.repeat(64), name: 'voice.webm', size: 3, mime: 'audio/webm', seconds: 1 } }])
    emit('upload', { accountId: 'acc', contactId: 'c1', messageId: 'mv', ref: 'f'.repeat(64), sent: 1, total: 10 })
    await store.cancel('acc', 'c1', store.list('acc', 'c1')[0]!)
    expect(calls.find((c) => c.channel === 'messages:recall')?.args).toEqual(['acc', 'c1', 'mv'])
    expect(store.list('acc', 'c1')).toEqual([])
  })
})
