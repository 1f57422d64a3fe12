/** AppCore without a server: the settings validator and the registry's routing. */
import { describe, expect, it } from 'vitest'
import { AppCore } from '../../../src/core/app-core'
import { MemoryStore, plaintextSecretBox } from '../../../src/core/storage/storage'

const core = (): AppCore => new AppCore({ store: new MemoryStore(), secrets: plaintextSecretBox, host: 'browser', version: 't', openExternal: async () => {} })

describe('settings', () => {
  it('takes only its own setting names: inherited names such as toString or __proto__ are refused and nothing is saved', () => {
    const c = core()
    for (const name of ['toString', 'constructor', 'hasOwnProperty', '__proto__', 'valueOf']) {
      expect(() => c.setSettings(JSON.parse(`{"${name}": 1}`))).toThrow(`Unknown setting "${name}"`)
    }
    expect(Object.keys(c.getSettings()).sort()).toEqual(['autoBackupFolder', 'autoBackupKeep', 'closeToTray', 'heartbeatIntervalMs', 'locale', 'mutedConversations', 'notifications', 'privacyMode', 'remoteMedia', 'remoteMediaConversations', 'sendKey', 'theme'])
    expect(() => c.setSettings('dark' as never)).toThrow(/must be an object/)
    expect(c.setSettings({ theme: 'dark' }).theme).toBe('dark')
  })

  it('remote media: ask (the default) or always, and a list of conversations that load them; anything else is refused', () => {
    const c = core()
    expect(c.getSettings().remoteMedia).toBe('ask')
    expect(c.getSettings().remoteMediaConversations).toEqual([])
    expect(c.setSettings({ remoteMedia: 'always', remoteMediaConversations: ['acc:bot'] })).toMatchObject({ remoteMedia: 'always', remoteMediaConversations: ['acc:bot'] })
    for (const bad of [{ remoteMedia: 'never' }, { remoteMedia: true }, { remoteMediaConversations: 'acc:bot' }, { remoteMediaConversations: [1] }]) expect(() => c.setSettings(bad as never), JSON.stringify(bad)).toThrow()
    expect(c.getSettings()).toMatchObject({ remoteMedia: 'always', remoteMediaConversations: ['acc:bot'] })
  })
})

describe('the account registry', () => {
  it('routes by account id and refuses unknown ids and kinds in words', async () => {
    const c = core()
    expect(() => c.accounts.of('nope')).toThrow('Unknown account')
    await expect(c.accounts.add('irc', {})).rejects.toThrow('MioDesk cannot add accounts of the kind "irc"')
    await expect(c.accounts.add('mio', { server: '', id: 'x', token: 't' })).rejects.toThrow('Enter the server address')
    await expect(c.accounts.send('nope', 'bot', [{ type: 'text', data: { text: 'x' } }])).rejects.toThrow('Unknown account')
    expect(c.accounts.providers.map((p) => p.kind)).toEqual(['mio', 'yunhu'])
    expect(c.accounts.list()).toEqual([])
  })
})

describe('the Mio-Chat bot conversation', () => {
  it('is left out when the server says it has no OneBot side (v2 login), and listed otherwise', async () => {
    for (const onebotEnabled of [false, true]) {
      const store = new MemoryStore()
      store.set('accounts', [{ id: 'a1', kind: 'mio', label: 'x', server: 'ws://127.0.0.1:1', userId: 'u', secret: plaintextSecretBox.encrypt('t'), generation: 'v2' }])
      store.set('login:a1', { isAdmin: false, adminQq: '', botQq: '', dialect: 'v2', onebotEnabled })
      const c = new AppCore({ store, secrets: plaintextSecretBox, host: 'browser', version: 't', openExternal: async () => {} })
      await c.start()
      try {
        expect(c.mio.contactList('a1').some((x) => x.kind === 'bot')).toBe(onebotEnabled)
      } finally {
        await c.stop()
      }
    }
  })
})

describe('saving a remote file', () => {
  it('only http(s) goes to the host\'s save dialog; a host without one says so (the page saves it itself)', async () => {
    const saved: string[] = []
    const electronish = new AppCore({ store: new MemoryStore(), secrets: plaintextSecretBox, host: 'electron', version: 't', openExternal: async () => {}, saveUrl: async (u) => void saved.push(u) })
    await electronish.saveUrl('https://cdn.example/a b.jpg')
    expect(saved).toEqual(['https://cdn.example/a%20b.jpg'])
    await expect(electronish.saveUrl('file:///etc/passwd')).rejects.toThrow('Only http and https files can be saved')
    await expect(electronish.saveUrl('::')).rejects.toThrow('not a valid address')
    await expect(core().saveUrl('https://cdn.example/a.jpg')).rejects.toThrow('done by the browser')
  })
})
