/** The renderer's API layer (composables/): every method calls the same channel as before, events subscribe and unsubscribe. */
import { describe, expect, it } from 'vitest'
import { calls, listeners, useFakeApi } from './fake-api'

useFakeApi()

const ACC = 'acc'

describe('API composables', () => {
  it('map every method to its channel', async () => {
    const { useYunhuApi } = await import('@renderer/composables/useYunhuApi')
    const { useAccountsApi } = await import('@renderer/composables/useAccountsApi')
    const { useSettingsApi } = await import('@renderer/composables/useSettingsApi')
    const { useAppApi } = await import('@renderer/composables/useAppApi')
    const y = useYunhuApi()
    await y.banners(ACC)
    await y.store(ACC)
    await y.botDetail(ACC, 'b')
    await y.myBots(ACC)
    await y.createBot(ACC, { name: 'n', introduction: '', avatarUrl: '', private: false })
    await y.editBot(ACC, { botId: 'b', nickname: 'n', introduction: '', avatarUrl: '', private: 0 })
    await y.resetToken(ACC, 'b')
    await y.setLink(ACC, 'b', 'https://x')
    await y.removeFollower(ACC, 'b', 'u')
    await y.removeGroup(ACC, 'b', 'g')
    await y.llmModels(ACC)
    await y.llmSettings(ACC, 'b')
    await y.editSettingForm(ACC, 'b', { fields: [] })
    await y.groupSettings(ACC, 'b', 'g')
    await y.saveGroupSettings(ACC, 'b', 'g', {})
    await y.board(ACC, 'c')
    const a = useAccountsApi()
    await a.list()
    await a.addMio({ server: 's', id: 'i', token: 't' })
    await a.addYunhu({ token: 't' })
    await a.relogin(ACC, { token: 't' })
    await a.remove(ACC)
    await a.reconnect(ACC)
    const s = useSettingsApi()
    await s.get()
    await s.set({ theme: 'dark' })
    await useAppApi().info()
    await useAppApi().openExternal('https://example.com')
    expect(calls.map((c) => c.channel)).toEqual([
      'yunhu:banners',
      'yunhu:store',
      'yunhu:bot-detail',
      'yunhu:my-bots',
      'yunhu:create-bot',
      'yunhu:edit-bot',
      'yunhu:reset-token',
      'yunhu:set-link',
      'yunhu:remove-follower',
      'yunhu:remove-group',
      'yunhu:llm-models',
      'yunhu:llm-settings',
      'yunhu:edit-setting-form',
      'yunhu:group-settings',
      'yunhu:save-group-settings',
      'yunhu:board',
      'accounts:list',
      'accounts:add',
      'accounts:add',
      'accounts:relogin',
      'accounts:remove',
      'accounts:reconnect',
      'settings:get',
      'settings:set',
      'app:info',
      'app:open-external'
    ])
    expect(calls[5]!.args).toEqual([ACC, { botId: 'b', nickname: 'n', introduction: '', avatarUrl: '', private: 0 }])
    const off = [a.onAccounts(() => {}), a.onConnection(() => {}), a.onReloginRequired(() => {}), s.onChange(() => {}), y.onBoard(() => {})]
    expect([...listeners.keys()].sort()).toEqual(['accounts', 'board', 'connection', 'relogin-required', 'settings'])
    for (const f of off) f()
    for (const set of listeners.values()) expect(set.size).toBe(0)
  })

  it('conversations, messages and completions keep their channels and argument order', async () => {
    const { useConversationsApi } = await import('@renderer/composables/useConversationsApi')
    const { useMessagesApi } = await import('@renderer/composables/useMessagesApi')
    const { useCompletionsApi } = await import('@renderer/composables/useCompletionsApi')
    const c = useConversationsApi()
    const m = useMessagesApi()
    const ai = useCompletionsApi()
    await c.contacts(ACC)
    await c.saveLlm(ACC, { id: 'llm:1' } as never)
    await c.deleteLlm(ACC, 'llm:1')
    await c.history(ACC, 'bot', 123, 60)
    await m.send(ACC, 'bot', [])
    await m.retry(ACC, 'bot', 'm1')
    await m.recall(ACC, 'bot', 'm1')
    await m.forward(ACC, 'bot', ['m1', 'm2'], 'llm:1')
    await m.share(ACC, 'bot')
    await m.send(ACC, 'g', [{ type: 'markdown', data: { text: '**x**' } }])
    await m.recall(ACC, 'g', 'y1')
    await m.edit(ACC, 'g', 'y1', [{ type: 'text', data: { text: 'fixed' } }])
    await m.pressButton(ACC, 'g', 'y1', 'v')
    await ai.complete(ACC, 'llm:1', 'q')
    await ai.retry(ACC, 'llm:1', 'r1')
    await ai.abort(ACC, 'llm:1', 'r1')
    await ai.models(ACC)
    expect(calls).toEqual([
      { channel: 'contacts:list', args: [ACC] },
      { channel: 'contacts:save-llm', args: [ACC, { id: 'llm:1' }] },
      { channel: 'contacts:delete-llm', args: [ACC, 'llm:1'] },
      { channel: 'history:list', args: [ACC, 'bot', 123, 60] },
      { channel: 'messages:send', args: [ACC, 'bot', [], undefined] },
      { channel: 'messages:retry', args: [ACC, 'bot', 'm1'] },
      { channel: 'messages:recall', args: [ACC, 'bot', 'm1'] },
      { channel: 'messages:forward', args: [ACC, 'bot', ['m1', 'm2'], 'llm:1'] },
      { channel: 'mio:share', args: [ACC, 'bot'] },
      { channel: 'messages:send', args: [ACC, 'g', [{ type: 'markdown', data: { text: '**x**' } }], undefined] },
      { channel: 'messages:recall', args: [ACC, 'g', 'y1'] },
      { channel: 'messages:edit', args: [ACC, 'g', 'y1', [{ type: 'text', data: { text: 'fixed' } }]] },
      { channel: 'yunhu:button', args: [ACC, 'g', 'y1', 'v'] },
      { channel: 'mio:complete', args: [ACC, 'llm:1', 'q'] },
      { channel: 'mio:complete-retry', args: [ACC, 'llm:1', 'r1'] },
      { channel: 'mio:abort', args: [ACC, 'llm:1', 'r1'] },
      { channel: 'mio:models', args: [ACC] }
    ])
    const off = [c.onMessage(() => {}), c.onMessageDeleted(() => {}), c.onContacts(() => {}), c.onOpenConversation(() => {}), ai.onStream(() => {})]
    expect([...listeners.keys()].sort()).toEqual(['contacts', 'message', 'message-deleted', 'open-conversation', 'stream'])
    for (const f of off) f()
    for (const set of listeners.values()) expect(set.size).toBe(0)
  })
})
