/** Conversation actions and people in the renderer: the API layer's channels, and the draft sync (composables/useDraftSync.ts). */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { effectScope, nextTick, ref } from 'vue'
import type { Contact } from '@shared/api'
import { conversationCapabilities } from '@shared/model/capabilities'
import { calls, emit, useFakeApi } from './fake-api'

useFakeApi()

const ACC = 'acc'
const contact = (id: string, draftSync = true): Contact => ({ id, kind: 'user', name: id, capabilities: conversationCapabilities({ draftSync }) })

describe('useSocialApi', () => {
  it('maps every method to its channel and argument order', async () => {
    const { useSocialApi } = await import('@renderer/composables/useSocialApi')
    const s = useSocialApi()
    await s.markRead(ACC, 'c')
    await s.pin(ACC, 'c', true)
    await s.mute(ACC, 'c', false)
    await s.remove(ACC, 'c')
    await s.search(ACC, 'c', 'w', 5)
    await s.around(ACC, 'c', 'm')
    await s.addressBook(ACC)
    await s.profile(ACC, 'u', 'bot')
    await s.requests(ACC)
    await s.answerRequest(ACC, '9', true)
    await s.syncDraft(ACC, 'c', 'x')
    expect(calls.map((c) => [c.channel, ...c.args])).toEqual([
      ['conversations:read', ACC, 'c'],
      ['conversations:pin', ACC, 'c', true],
      ['conversations:mute', ACC, 'c', false],
      ['conversations:remove', ACC, 'c'],
      ['messages:search', ACC, 'c', 'w', 5],
      ['history:around', ACC, 'c', 'm'],
      ['yunhu:address-book', ACC],
      ['yunhu:profile', ACC, 'u', 'bot'],
      ['yunhu:requests', ACC],
      ['yunhu:answer-request', ACC, '9', true],
      ['conversations:draft', ACC, 'c', 'x']
    ])
  })
})

describe('useDraftSync', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  async function setup(draftSync = true) {
    vi.useFakeTimers()
    const { useDraftSync, DRAFT_SYNC_DELAY_MS } = await import('@renderer/composables/useDraftSync')
    const current = ref(contact('a', draftSync))
    const text = ref('')
    const scope = effectScope()
    scope.run(() => useDraftSync(() => ACC, () => current.value, text))
    const drafts = () => calls.filter((c) => c.channel === 'conversations:draft').map((c) => c.args)
    return { current, text, scope, drafts, delay: DRAFT_SYNC_DELAY_MS }
  }

  it('sends the text once typing stops, the last text only, and not again when unchanged', async () => {
    const { text, drafts, delay, scope } = await setup()
    text.value = 'h'
    await nextTick()
    vi.advanceTimersByTime(delay / 2)
    text.value = 'hello'
    await nextTick()
    vi.advanceTimersByTime(delay - 1)
    expect(drafts()).toEqual([])
    vi.advanceTimersByTime(1)
    expect(drafts()).toEqual([[ACC, 'a', 'hello']])
    text.value = 'hello!'
    await nextTick()
    text.value = 'hello'
    await nextTick()
    vi.advanceTimersByTime(delay)
    expect(drafts()).toHaveLength(1)
    scope.stop()
  })

  it('a switch of conversation sends nothing; a conversation without draftSync neither', async () => {
    const { current, text, drafts, delay, scope } = await setup()
    current.value = contact('b')
    text.value = 'the stored draft of b'
    await nextTick()
    vi.advanceTimersByTime(delay)
    expect(drafts()).toEqual([])
    scope.stop()
    const off = await setup(false)
    off.text.value = 'x'
    await nextTick()
    vi.advanceTimersByTime(delay)
    expect(off.drafts()).toEqual([])
    off.scope.stop()
  })

  it('a draft from another device fills an empty composer of that chat only, and is not sent back', async () => {
    const { text, drafts, delay, scope } = await setup()
    emit('draft', { accountId: ACC, contactId: 'other', text: 'elsewhere' })
    expect(text.value).toBe('')
    emit('draft', { accountId: ACC, contactId: 'a', text: 'from the phone' })
    expect(text.value).toBe('from the phone')
    await nextTick()
    vi.advanceTimersByTime(delay)
    expect(drafts()).toEqual([])
    text.value = 'mine'
    await nextTick()
    emit('draft', { accountId: ACC, contactId: 'a', text: 'not over mine' })
    expect(text.value).toBe('mine')
    scope.stop()
  })
})
