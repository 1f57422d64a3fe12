/** The entry (src/main/index.ts) wired with a fake core: lock, hardening, IPC, window, tray, notifications, quit. */
import { EventEmitter } from 'node:events'
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { API_CHANNELS, DEFAULT_SETTINGS, EVENT_PREFIX, type Settings } from '../../../src/shared/api'

const h = vi.hoisted(() => ({ cores: [] as any[], options: [] as any[] }))

vi.mock('electron', () => import('./fake-electron'))
vi.mock('electron-store', () => ({
  default: class {
    private readonly data = new Map<string, unknown>()
    get(k: string) {
      return this.data.get(k)
    }
    set(k: string, v: unknown) {
      this.data.set(k, v)
    }
    delete(k: string) {
      this.data.delete(k)
    }
  }
}))
vi.mock('../../../src/core/app-core', async () => {
  const { EventEmitter: EE } = await import('node:events')
  class AppCore {
    readonly events = new EE()
    settings: Settings = { ...DEFAULT_SETTINGS }
    readonly start = vi.fn(async () => undefined)
    readonly stop = vi.fn(async () => undefined)
    readonly mio = { answer: vi.fn(async (..._args: unknown[]) => undefined) }
    constructor(options: unknown) {
      h.options.push(options)
      h.cores.push(this)
    }
  }
  return { AppCore }
})
vi.mock('../../../src/core/handlers', () => ({
  createHandlers: (core: { settings: Settings; events: EventEmitter }) => {
    const table: Record<string, unknown> = {}
    for (const c of API_CHANNELS) table[c] = vi.fn(async () => undefined)
    table['settings:get'] = vi.fn(async () => core.settings)
    table['settings:set'] = vi.fn(async (patch: Partial<Settings>) => {
      core.settings = { ...core.settings, ...patch }
      core.events.emit('settings', core.settings)
      return core.settings
    })
    return table
  }
}))

import * as fake from './fake-electron'

describe('main entry', () => {
  it('wires the shell around the core', async () => {
    process.env['MIODESK_SUGGESTED_ACCOUNT'] = JSON.stringify({ server: 'ws://127.0.0.1:8787', id: 'me', token: 't0k', label: 'Local' })
    fake.app.userData = mkdtempSync(join(tmpdir(), 'miodesk-userdata-'))
    await import('../../../src/main/index')
    await vi.waitFor(() => expect(fake.Tray.instances).toHaveLength(1))

    // Before ready: privileged scheme, sandbox for all renderers, single-instance lock.
    expect(fake.protocol.registerSchemesAsPrivileged).toHaveBeenCalledTimes(1)
    expect(fake.app.enableSandbox).toHaveBeenCalled()
    expect(fake.app.requestSingleInstanceLock).toHaveBeenCalled()

    // Core built with the Electron seams and the suggested account.
    const core = h.cores[0]
    const opts = h.options[0]
    expect(opts).toMatchObject({ host: 'electron', version: '0.0.0-test', suggestedAccount: { server: 'ws://127.0.0.1:8787', id: 'me', token: 't0k', label: 'Local' } })
    expect(opts.secrets.constructor.name).toBe('SafeStorageSecretBox')
    // The durable history lives in the user data folder.
    expect(opts.history.constructor.name).toBe('SqliteHistory')
    expect(existsSync(join(fake.app.userData, 'history.sqlite'))).toBe(true)
    expect(core.start).toHaveBeenCalled()

    // Session hardening, protocol, IPC.
    expect(fake.session.defaultSession.permissionRequestHandler).toBeTypeOf('function')
    expect(fake.session.defaultSession.headersListener).toBeTypeOf('function')
    expect(fake.protocol.handle).toHaveBeenCalledWith('app', expect.any(Function))
    // Platform media (Yunhu's need a Referer) through the core's cache in the user data folder.
    expect(fake.protocol.handle).toHaveBeenCalledWith('miodesk-media', expect.any(Function))
    expect(opts.mediaDir).toBe(join(fake.app.userData, 'media-cache'))
    expect([...fake.ipcMain.handlers.keys()].sort()).toEqual([...API_CHANNELS].sort())

    // Every webContents created later is hardened too.
    const extra = new fake.FakeWebContents()
    fake.app.emit('web-contents-created', {}, extra)
    expect(extra.windowOpenHandler!({ url: 'https://x.example' })).toEqual({ action: 'deny' })

    // The window.
    expect(fake.BrowserWindow.instances).toHaveLength(1)
    const win = fake.BrowserWindow.instances[0]!
    expect(win.options.webPreferences.preload).toMatch(/preload[\\/]index\.cjs$/)
    expect(win.loadedUrl).toBe('app://miodesk/index.html')

    // Core events reach the window.
    core.events.emit('connection', { accountId: 'a', status: { state: 'online' } })
    expect(win.webContents.sent).toContainEqual([EVENT_PREFIX + 'connection', [{ accountId: 'a', status: { state: 'online' } }]])

    // A second launch focuses the first.
    win.hide()
    fake.app.emit('second-instance')
    expect(win.isVisible()).toBe(true)
    expect(win.isFocused()).toBe(true)

    // Close hides to the tray (default setting).
    expect(win.userClose()).toBe(true)
    expect(win.isVisible()).toBe(false)

    // A message while hidden: notification, unread in the tray; a click opens the conversation.
    core.events.emit('message', {
      accountId: 'a',
      message: { id: 'm1', contactId: 'bot', self: false, time: Date.now(), segments: [{ type: 'text', data: { text: 'hi' } }], status: 'sent' }
    })
    expect(fake.Notification.shown).toHaveLength(1)
    const tray = fake.Tray.instances[0]!
    expect(tray.tooltip).toMatch(/1 unread/)
    fake.Notification.shown[0]!.emit('click')
    expect(win.isVisible()).toBe(true)
    expect(win.webContents.sent).toContainEqual([EVENT_PREFIX + 'open-conversation', [{ accountId: 'a', contactId: 'bot' }]])
    win.emit('focus')
    expect(tray.tooltip).toBe('MioDesk')

    // Tray "mute notifications" goes through settings:set; the menu follows the settings event.
    const mute = tray.menu!.template.find((i) => i.id === 'mute')
    mute.click()
    await vi.waitFor(() => expect(core.settings.notifications).toBe(false))
    expect(tray.menu!.template.find((i) => i.id === 'mute').checked).toBe(true)

    // The language setting reaches every surface of main: the tray re-labels at once, notifications and
    // the context menu follow; 'system' follows Electron's locale.
    expect(tray.menu!.template.find((i) => i.id === 'quit').label).toBe('Quit MioDesk')
    core.events.emit('settings', { ...core.settings, locale: 'zh-CN' })
    expect(tray.menu!.template.map((i) => i.label ?? i.type)).toEqual(['隐藏 MioDesk', '通知免打扰', 'separator', '退出 MioDesk'])
    core.events.emit('settings', { ...core.settings, locale: 'zh-CN', notifications: true, privacyMode: true })
    win.hide()
    core.events.emit('message', {
      accountId: 'a',
      message: { id: 'm2', contactId: 'bot', self: false, time: Date.now(), segments: [{ type: 'text', data: { text: 'hi' } }], status: 'sent' }
    })
    expect(fake.Notification.shown.at(-1)!.options).toMatchObject({ title: 'MioDesk', body: '新消息' })
    expect(tray.tooltip).toBe('MioDesk — 1 条未读消息')
    extra.emit('context-menu', {}, { isEditable: false, misspelledWord: '', dictionarySuggestions: [], editFlags: { canCopy: true }, linkURL: '', selectionText: 'x' })
    expect(fake.Menu.popups.at(-1)!.map((i) => i.label)).toEqual(['复制'])
    fake.app.locale = 'en-US'
    core.events.emit('settings', { ...core.settings, locale: 'system' })
    expect(tray.menu!.template.find((i) => i.id === 'quit').label).toBe('Quit MioDesk')
    fake.app.locale = 'zh-CN'
    core.events.emit('settings', { ...core.settings, locale: 'system' })
    expect(tray.menu!.template.find((i) => i.id === 'quit').label).toBe('退出 MioDesk')

    // Allow / Deny in a question's notification (macOS) answer through the core; when the answer fails
    // (the question is gone), the conversation opens to show where it stands.
    core.events.emit('settings', { ...core.settings, notifications: true, locale: 'en' })
    win.hide()
    const askOnMac = (contactId: string, messageId: string): fake.Notification => {
      const platform = Object.getOwnPropertyDescriptor(process, 'platform')!
      Object.defineProperty(process, 'platform', { ...platform, value: 'darwin' })
      try {
        core.events.emit('stream', { accountId: 'a', contactId, messageId, status: 'streaming', textAppend: '', reasoningAppend: '', approval: { interactionId: `q-${messageId}`, prompt: 'Run?', command: 'date', state: 'waiting' } })
      } finally {
        Object.defineProperty(process, 'platform', platform)
      }
      return fake.Notification.shown.at(-1)!
    }
    const question = askOnMac('llm:1', 'r1')
    expect(question.options.actions?.map((a) => a.text)).toEqual(['Allow', 'Deny'])
    question.emit('action', {}, 0)
    expect(core.mio.answer).toHaveBeenCalledWith('a', 'llm:1', 'r1', true)
    core.mio.answer.mockRejectedValueOnce(new Error('That question is no longer open'))
    askOnMac('llm:2', 'r2').emit('action', {}, 1)
    expect(core.mio.answer).toHaveBeenLastCalledWith('a', 'llm:2', 'r2', false)
    await vi.waitFor(() => expect(win.webContents.sent).toContainEqual([EVENT_PREFIX + 'open-conversation', [{ accountId: 'a', contactId: 'llm:2' }]]))

    // closeToTray off → close really closes.
    core.events.emit('settings', { ...core.settings, closeToTray: false })
    expect(win.userClose()).toBe(false)

    // Quit stops the core first, then quits.
    const e = fake.fakeEvent()
    fake.app.emit('before-quit', e)
    expect(e.preventDefault).toHaveBeenCalled()
    expect(core.stop).toHaveBeenCalledTimes(1)
    await vi.waitFor(() => expect(fake.app.quit).toHaveBeenCalled())
    const again = fake.fakeEvent()
    fake.app.emit('before-quit', again)
    expect(again.preventDefault).not.toHaveBeenCalled()
    expect(core.stop).toHaveBeenCalledTimes(1)
  })
})
