/**
 * Each tool-call state is on screen for at least one frame: the stream store, driven by a fake
 * requestAnimationFrame, shows `running` in one frame and `finished` in the next even when both deltas
 * arrive before the same frame.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import type { StreamDelta } from '@shared/api'
import type { ChatMessage, ToolCall } from '@shared/mio'
import { holdToolStates } from '@renderer/lib/tool-hold'
import { emit, installFakeApi, replies, resetFakeApi } from './fake-api'

const ACC = 'acc'
const LLM = 'llm:1'
const tc = (state: ToolCall['state'], key = 'k1'): ToolCall => ({ key, name: 'clock', state, params: '{}' })
const delta = (p: Partial<StreamDelta>): StreamDelta => ({ accountId: ACC, contactId: LLM, messageId: 'r1', status: 'streaming', textAppend: '', reasoningAppend: '', ...p })
const reply = (toolCalls: ToolCall[]): ChatMessage => ({ id: 'r1', contactId: LLM, self: false, time: 1, segments: [], status: 'sent', ai: { requestId: 1, status: 'streaming', text: '', reasoning: '', toolCalls } })

describe('holdToolStates', () => {
  it('lets a call change state once per frame and keeps the order of what waits', () => {
    const batch = [delta({ toolCalls: [tc('running')] }), delta({ textAppend: 'x' }), delta({ toolCalls: [tc('finished')] }), delta({ textAppend: 'y' }), delta({ messageId: 'r2', textAppend: 'other' })]
    const { now, later } = holdToolStates(batch, () => [tc('started')])
    expect(now.map((d) => d.textAppend || d.toolCalls?.[0]?.state)).toEqual(['running', 'x', 'other'])
    expect(later.map((d) => d.textAppend || d.toolCalls?.[0]?.state)).toEqual(['finished', 'y'])
  })
  it('holds nothing when each call moves once', () => {
    const batch = [delta({ toolCalls: [tc('running'), tc('started', 'k2')] }), delta({ toolCalls: [tc('running'), tc('started', 'k2')] })]
    expect(holdToolStates(batch, () => [tc('started')]).later).toEqual([])
  })
})

describe('the stream store with a fake requestAnimationFrame', () => {
  let uninstall: () => void
  let frames: (() => void)[] = []
  const g = globalThis as Record<string, unknown>
  const saved = { raf: g.requestAnimationFrame, doc: g.document }
  beforeAll(() => {
    uninstall = installFakeApi()
  })
  afterAll(() => uninstall())
  beforeEach(() => {
    setActivePinia(createPinia())
    resetFakeApi()
    replies.set('history:list', () => [])
    frames = []
    g.requestAnimationFrame = (cb: () => void) => frames.push(cb)
    g.document ??= { visibilityState: 'visible' }
  })
  afterEach(() => {
    g.requestAnimationFrame = saved.raf
    if (saved.doc === undefined) delete g.document
  })
  const runFrame = (): void => {
    const due = frames
    frames = []
    for (const f of due) f()
  }

  it('shows running for a frame when running and finished arrive together', async () => {
    const { useChatStore } = await import('@renderer/stores/chat')
    const { useConversationsStore } = await import('@renderer/stores/conversations')
    useChatStore().wire()
    const conversations = useConversationsStore()
    emit('message', { accountId: ACC, message: reply([tc('started')]) })
    emit('stream', delta({ toolCalls: [tc('running')] }))
    emit('stream', delta({ toolCalls: [tc('finished')], textAppend: 'It is noon' }))
    const state = (): string | undefined => conversations.findMessage(ACC, LLM, 'r1')!.ai!.toolCalls[0]!.state
    expect(state()).toBe('started')
    runFrame()
    expect(state()).toBe('running')
    expect(conversations.findMessage(ACC, LLM, 'r1')!.ai!.text).toBe('')
    runFrame()
    expect(state()).toBe('finished')
    expect(conversations.findMessage(ACC, LLM, 'r1')!.ai!.text).toBe('It is noon')
    expect(frames.length).toBe(0)
  })

  it('a reply’s final message that comes within the same frame waits for its deltas', async () => {
    const { useChatStore } = await import('@renderer/stores/chat')
    const { useConversationsStore } = await import('@renderer/stores/conversations')
    useChatStore().wire()
    const conversations = useConversationsStore()
    emit('message', { accountId: ACC, message: reply([tc('pending')]) })
    emit('stream', delta({ toolCalls: [tc('running')] }))
    emit('stream', delta({ toolCalls: [tc('finished')] }))
    const done = reply([tc('finished')])
    emit('message', { accountId: ACC, message: { ...done, ai: { ...done.ai!, status: 'completed', text: 'Noon.' } } })
    const ai = () => conversations.findMessage(ACC, LLM, 'r1')!.ai!
    expect(ai().toolCalls[0]!.state).toBe('pending')
    runFrame()
    expect(ai().toolCalls[0]!.state).toBe('running')
    expect(ai().status).toBe('streaming')
    runFrame()
    expect(ai().toolCalls[0]!.state).toBe('finished')
    expect(ai().status).toBe('completed')
    expect(ai().text).toBe('Noon.')
    // Nothing queued: a message comes through at once again.
    emit('message', { accountId: ACC, message: { ...done, id: 'r2', ai: { ...done.ai!, status: 'completed', text: 'x' } } })
    expect(conversations.findMessage(ACC, LLM, 'r2')).toBeDefined()
  })
})
