/**
 * The renderer's chat state split by concern (conversations cache, contacts, stream deltas, message
 * actions) over the API layer (composables/), against a fake `window.api` that records every call.
 */
import { conversationCapabilities } from '@shared/model/capabilities'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { effect } from 'vue'
import type { Contact, StreamDelta } from '@shared/api'
import type { ChatMessage } from '@shared/mio'
import { calls, emit, installFakeApi, listeners, replies, resetFakeApi } from './fake-api'

let uninstall: () => void
beforeAll(() => {
  uninstall = installFakeApi()
})
afterAll(() => uninstall())

const frame = (): Promise<void> => new Promise((r) => setTimeout(r, 40))
const ACC = 'acc'
const LLM = 'llm:1'
const reply = (id: string, time: number, status: 'pending' | 'streaming' | 'completed' = 'pending'): ChatMessage => ({
  id,
  contactId: LLM,
  self: false,
  time,
  segments: [],
  status: 'sent',
  ai: { requestId: 1, status, text: '', reasoning: '', toolCalls: [] }
})
const delta = (p: Partial<StreamDelta>): StreamDelta => ({ accountId: ACC, contactId: LLM, messageId: 'r1', status: 'streaming', textAppend: '', reasoningAppend: '', ...p })

async function stores() {
  const { useAccountsStore } = await import('@renderer/stores/accounts')
  const { useConversationsStore } = await import('@renderer/stores/conversations')
  const { useContactsStore } = await import('@renderer/stores/contacts')
  const { useChatStore } = await import('@renderer/stores/chat')
  const accounts = useAccountsStore()
  accounts.accounts = [{ id: ACC, kind: 'mio', label: 'A', server: 'ws://x', userId: 'u', status: { state: 'online', delayMs: 1 }, capabilities: { modelContacts: true, botConsole: false, relogin: false, ping: true } }]
  const chat = useChatStore()
  chat.wire()
  return { accounts, conversations: useConversationsStore(), contacts: useContactsStore(), chat }
}

beforeEach(() => {
  setActivePinia(createPinia())
  resetFakeApi()
  replies.set('history:list', () => [])
})

describe('conversations, contacts and stream stores', () => {
  it('wires each event once, whoever asks', async () => {
    const { chat, contacts } = await stores()
    chat.wire()
    await contacts.loadContacts(ACC)
    expect([...listeners.keys()].sort()).toEqual(['contacts', 'message', 'message-deleted', 'stream'])
    for (const set of listeners.values()) expect(set.size).toBe(1)
  })

  it('applies a frame of text-only deltas to the row alone, and a status change to the whole conversation', async () => {
    const { conversations } = await stores()
    emit('message', { accountId: ACC, message: reply('r1', 1) })
    const c = conversations.conv(ACC, LLM)
    emit('stream', delta({ textAppend: 'He' }))
    await frame()
    // pending → streaming: a status change re-triggers the conversation.
    const v1 = c.state.version
    expect(c.messages.value[0]!.ai!.text).toBe('He')
    let listRenders = 0
    const stop = effect(() => {
      void c.messages.value
      listRenders++
    })
    listRenders = 0
    for (const ch of ['l', 'l', 'o']) emit('stream', delta({ textAppend: ch }))
    await frame()
    // Text only: the conversation is not re-triggered; the row reads the newest copy.
    expect(listRenders).toBe(0)
    expect(c.state.version).toBe(v1)
    expect(conversations.current(c.key, c.messages.value[0]!).ai!.text).toBe('Hello')
    emit('stream', delta({ textAppend: '!', status: 'completed' }))
    await frame()
    expect(listRenders).toBe(1)
    expect(c.messages.value[0]!.ai!.status).toBe('completed')
    expect(c.messages.value[0]!.ai!.text).toBe('Hello!')
    stop()
  })

  it('coalesces a frame of deltas into one change per reply', async () => {
    const { conversations } = await stores()
    emit('message', { accountId: ACC, message: reply('r1', 1, 'streaming') })
    const c = conversations.conv(ACC, LLM)
    const before = c.messages.value[0]
    for (let i = 0; i < 50; i++) emit('stream', delta({ textAppend: 'x' }))
    // Nothing is applied before the frame.
    expect(c.messages.value[0]).toBe(before)
    await frame()
    expect(c.messages.value[0]!.ai!.text).toBe('x'.repeat(50))
  })

  it('keeps deltas that arrive before their message and applies them when it does', async () => {
    const { conversations } = await stores()
    emit('stream', delta({ messageId: 'r2', textAppend: 'early ' }))
    emit('stream', delta({ messageId: 'r2', textAppend: 'bird' }))
    await frame()
    expect(conversations.findMessage(ACC, LLM, 'r2')).toBeUndefined()
    emit('message', { accountId: ACC, message: reply('r2', 5) })
    expect(conversations.findMessage(ACC, LLM, 'r2')!.ai!.text).toBe('early bird')
    expect(conversations.findMessage(ACC, LLM, 'r2')!.ai!.status).toBe('streaming')
  })

  it('counts unread messages outside the open conversation and orders contacts by the newest one', async () => {
    const { conversations, contacts } = await stores()
    const list: Contact[] = [
      { id: 'bot', kind: 'bot', name: 'Bot', lastMessage: { preview: 'old', time: 10 }, capabilities: conversationCapabilities({ send: ['text'] }) },
      { id: LLM, kind: 'llm', name: 'AI', capabilities: conversationCapabilities({ send: ['text'], prompt: true }) }
    ]
    emit('contacts', { accountId: ACC, contacts: list })
    expect(contacts.sortedContacts(ACC).map((c) => c.id)).toEqual(['bot', LLM])
    emit('message', { accountId: ACC, message: { id: 'm1', contactId: LLM, self: false, time: 20, segments: [{ type: 'text', data: { text: '**hi**' } }], status: 'sent' } })
    expect(conversations.unread(ACC, LLM)).toBe(1)
    expect(contacts.sortedContacts(ACC).map((c) => c.id)).toEqual([LLM, 'bot'])
    expect(contacts.lastOf(ACC, list[1]!)).toEqual({ preview: 'hi', time: 20 })
    conversations.open(ACC, LLM)
    expect(conversations.unread(ACC, LLM)).toBe(0)
    expect(contacts.activeContact?.id).toBe(LLM)
  })

  it('message actions go through the same API channels as before', async () => {
    const { chat, contacts, conversations } = await stores()
    const sent: ChatMessage = { id: 's1', contactId: 'bot', self: true, time: 30, segments: [], status: 'sent' }
    replies.set('messages:send', (_a, c) => (c === 'g' ? { ...sent, id: 'y1', contactId: 'g' } : sent))
    replies.set('messages:retry', () => sent)
    replies.set('mio:complete', () => ({ userMessage: { ...sent, id: 'u1', contactId: LLM }, replyMessage: reply('r9', 31) }))
    replies.set('mio:complete-retry', () => ({ replyMessage: reply('r9', 31) }))
    replies.set('messages:forward', () => ({ ...sent, id: 'f1' }))
    replies.set('contacts:list', () => [])
    replies.set('mio:models', () => [{ owner: 'o', models: ['m'] }])
    replies.set('contacts:save-llm', (_a, c) => c)
    await chat.send(ACC, 'bot', [{ type: 'text', data: { text: 'hi' } }])
    await chat.prompt(ACC, LLM, 'q')
    await chat.retry(ACC, sent)
    await chat.retryReply(ACC, conversations.findMessage(ACC, LLM, 'r9')!)
    await chat.abort(ACC, reply('r9', 31))
    await chat.recall(ACC, sent)
    await chat.forward(ACC, 'bot', ['s1'], LLM)
    await chat.share(ACC, 'bot')
    await chat.pressButton(ACC, 'bot', 's1', 'v')
    await chat.sendDraft(ACC, 'g', { format: 'text', text: 'x' })
    await contacts.loadModels(ACC)
    await contacts.saveLlm(ACC, { id: LLM, name: 'AI', model: 'm' } as never)
    await contacts.deleteLlm(ACC, LLM)
    conversations.open(ACC, 'bot')
    await frame()
    expect(calls.map((c) => c.channel)).toEqual([
      'messages:send',
      'mio:complete',
      'messages:retry',
      'mio:complete-retry',
      'mio:abort',
      'messages:recall',
      'messages:forward',
      'mio:share',
      'yunhu:button',
      'messages:send',
      'mio:models',
      'contacts:save-llm',
      'contacts:list',
      'contacts:delete-llm',
      'contacts:list',
      'history:list'
    ])
    expect(calls.find((c) => c.channel === 'history:list')!.args).toEqual([ACC, 'bot', undefined, 60])
    expect(conversations.findMessage(ACC, 'bot', 's1')!.status).toBe('recalled')
  })
})

