/** What lets a row skip re-rendering while a streamed text grows (MessageRow + lib/stream's onlyTextChanged). */
import { describe, expect, it } from 'vitest'
import { applyDelta, onlyTextChanged, streamedText, textShownLive } from '@renderer/lib/stream'
import type { StreamDelta } from '@shared/api'
import type { ChatMessage } from '@shared/mio'

const reply: ChatMessage = { id: 'r1', contactId: 'c', self: false, time: 1, segments: [], status: 'sent', ai: { requestId: 'q', status: 'streaming', text: 'Hello', reasoning: '', toolCalls: [] } }
const bot: ChatMessage = { id: 'b1', contactId: 'c', self: false, time: 1, segments: [{ type: 'reply', data: { id: 'x' } }, { type: 'markdown', data: { text: 'Hi' } }], status: 'sent' }
const delta = (over: Partial<StreamDelta>): StreamDelta => ({ accountId: 'a', contactId: 'c', messageId: 'r1', status: 'streaming', textAppend: '', reasoningAppend: '', ...over })

describe('onlyTextChanged', () => {
  it('a reply whose text grew: only the text changed', () => {
    const next = applyDelta(reply, delta({ textAppend: ' world' }))
    expect(streamedText(next)).toBe('Hello world')
    expect(onlyTextChanged(reply, next)).toBe(true)
  })
  it('a status, reasoning or tool-call change, or the first text, is more than the text', () => {
    expect(onlyTextChanged(reply, applyDelta(reply, delta({ status: 'completed', textAppend: '!' })))).toBe(false)
    expect(onlyTextChanged(reply, applyDelta(reply, delta({ reasoningAppend: 'hmm' })))).toBe(false)
    expect(onlyTextChanged(reply, applyDelta(reply, delta({ toolCalls: [{ key: 'k', name: 'calc', state: 'started', params: '' }] })))).toBe(false)
    const empty = { ...reply, ai: { ...reply.ai!, text: '' } }
    expect(onlyTextChanged(empty, applyDelta(empty, delta({ textAppend: 'A' })))).toBe(false)
    expect(onlyTextChanged(reply, { ...reply, id: 'other' })).toBe(false)
  })
  it('a bot message whose Markdown part grew; any other part or field changing is more', () => {
    const next = applyDelta(bot, delta({ messageId: 'b1', textAppend: ' there' }))
    expect(streamedText(next)).toBe('Hi there')
    expect(onlyTextChanged(bot, next)).toBe(true)
    expect(textShownLive(next)).toBe(true)
    expect(onlyTextChanged(bot, { ...next, status: 'failed' })).toBe(false)
    expect(onlyTextChanged(bot, { ...next, segments: [{ type: 'reply', data: { id: 'y' } }, next.segments[1]!] })).toBe(false)
    expect(onlyTextChanged(bot, { ...next, segments: [...next.segments, { type: 'image', data: {} }] })).toBe(false)
  })
  it('a plain-text or HTML bot message is not shown live (its row must re-render to show the text)', () => {
    expect(textShownLive({ ...bot, segments: [{ type: 'text', data: { text: 'a' } }] })).toBe(false)
    expect(textShownLive({ ...bot, segments: [{ type: 'html', data: { html: '<b>a</b>' } }] })).toBe(false)
    expect(textShownLive(reply)).toBe(true)
  })
})
