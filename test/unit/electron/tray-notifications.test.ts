import { EventEmitter } from 'node:events'
import { beforeEach, describe, expect, it, vi } from 'vitest'

vi.mock('electron', () => import('./fake-electron'))

import * as fake from './fake-electron'
import { ACTION_MAX_TEXT, MessageNotifier, messagePreview, notificationContent, type NotificationSettings } from '../../../src/main/notifications'
import { TrayController, trayMenuTemplate } from '../../../src/main/tray'
import { mainStrings } from '../../../src/main/strings'
import type { AppLocale } from '../../../src/shared/locale'
import type { ChatMessage } from '../../../src/shared/mio'

beforeEach(() => fake.resetFakes())

const NOW = 1_700_000_000_000
let seq = 0
function msg(over: Partial<ChatMessage> = {}): ChatMessage {
  return {
    id: `m${++seq}`,
    contactId: 'bot',
    self: false,
    time: NOW,
    segments: [{ type: 'text', data: { text: 'hello there' } }],
    status: 'sent',
    ...over
  }
}

function setup(over: { settings?: Partial<NotificationSettings>; active?: boolean; locale?: AppLocale; platform?: NodeJS.Platform; noAnswer?: boolean } = {}) {
  const events = new EventEmitter()
  const state = {
    settings: { notifications: true, privacyMode: false, ...over.settings } as NotificationSettings,
    active: over.active ?? false,
    locale: over.locale ?? ('en' as AppLocale)
  }
  const openConversation = vi.fn()
  const answer = vi.fn()
  const onUnreadChange = vi.fn()
  const notifier = new MessageNotifier({
    events,
    getSettings: () => state.settings,
    getLocale: () => state.locale,
    isWindowActive: () => state.active,
    openConversation,
    answer: over.noAnswer ? undefined : answer,
    onUnreadChange,
    now: () => NOW,
    platform: over.platform ?? 'linux'
  })
  events.emit('contacts', { accountId: 'acc', contacts: [{ id: 'bot', kind: 'bot', name: 'Mio Bot' }] })
  const send = (m: ChatMessage, accountId = 'acc') => events.emit('message', { accountId, message: m })
  return { events, state, notifier, openConversation, answer, onUnreadChange, send }
}

describe('a reply that asks before running a tool', () => {
  const ask = (over: Record<string, unknown> = {}) => ({ accountId: 'acc', contactId: 'bot', messageId: 'r1', status: 'streaming', textAppend: '', reasoningAppend: '', approval: { interactionId: 'i1', prompt: '是否授权', command: 'echo hi', state: 'waiting' }, ...over })
  it('notifies once per question while the window is away, and a click opens the conversation', () => {
    const { events, openConversation } = setup()
    events.emit('stream', ask())
    events.emit('stream', ask())
    expect(fake.Notification.shown).toHaveLength(1)
    expect(fake.Notification.shown[0]!.options).toMatchObject({ title: 'Mio Bot wants to run a tool', body: 'Allow it to run: echo hi' })
    fake.Notification.shown[0]!.emit('click')
    expect(openConversation).toHaveBeenCalledWith('acc', 'bot')
  })
  it('not while the window is active, not for a muted conversation, not for an answered question; privacy mode hides the command', () => {
    const a = setup({ active: true })
    a.events.emit('stream', ask())
    const b = setup({ settings: { mutedConversations: ['acc:bot'] } })
    b.events.emit('stream', ask())
    const c = setup()
    c.events.emit('stream', ask({ approval: { interactionId: 'i2', prompt: 'x', state: 'approved' } }))
    c.events.emit('stream', ask({ approval: undefined }))
    expect(fake.Notification.shown).toHaveLength(0)
    const d = setup({ settings: { privacyMode: true } })
    d.events.emit('stream', ask())
    expect(fake.Notification.shown[0]!.options).toMatchObject({ title: 'MioDesk', body: 'A reply is waiting for your answer' })
  })
  it('in Chinese: the title, the command, the privacy-mode text, and a contact not known yet', () => {
    const a = setup({ locale: 'zh-CN' })
    a.events.emit('stream', ask())
    a.events.emit('stream', ask({ contactId: 'stranger', approval: { interactionId: 'i3', prompt: '是否授权读取文件', state: 'waiting' } }))
    const b = setup({ locale: 'zh-CN', settings: { privacyMode: true } })
    b.events.emit('stream', ask())
    expect(fake.Notification.shown.map((n) => [n.options.title, n.options.body])).toEqual([
      ['Mio Bot 请求运行工具', '是否允许执行：echo hi'],
      ['AI 请求运行工具', '是否授权读取文件'],
      ['MioDesk', '有一条回复在等你确认']
    ])
  })
})

describe('Allow / Deny in a question notification (macOS)', () => {
  const ask = (over: Record<string, unknown> = {}) => ({ accountId: 'acc', contactId: 'bot', messageId: 'r1', status: 'streaming', textAppend: '', reasoningAppend: '', approval: { interactionId: 'i1', prompt: '是否授权', command: 'echo hi', state: 'waiting' }, ...over })
  const labels = (n: fake.Notification) => n.options.actions?.map((a) => [a.type, a.text])

  it('offers Allow and Deny; Allow answers yes with the reply ids, Deny answers no; the body still opens the conversation', () => {
    const { events, answer, openConversation } = setup({ platform: 'darwin' })
    events.emit('stream', ask())
    const allow = fake.Notification.shown[0]!
    expect(labels(allow)).toEqual([
      ['button', 'Allow'],
      ['button', 'Deny']
    ])
    allow.emit('action', {}, 0)
    expect(answer).toHaveBeenCalledExactlyOnceWith('acc', 'bot', 'r1', true)
    expect(openConversation).not.toHaveBeenCalled()

    events.emit('stream', ask({ contactId: 'llm:2', messageId: 'r2', approval: { interactionId: 'i2', prompt: 'p', command: 'ls', state: 'waiting' } }))
    fake.Notification.shown[1]!.emit('action', {}, 1)
    expect(answer).toHaveBeenLastCalledWith('acc', 'llm:2', 'r2', false)

    events.emit('stream', ask({ messageId: 'r3', approval: { interactionId: 'i3', prompt: 'p', command: 'pwd', state: 'waiting' } }))
    fake.Notification.shown[2]!.emit('click')
    expect(openConversation).toHaveBeenCalledWith('acc', 'bot')
    expect(answer).toHaveBeenCalledTimes(2)
  })

  it('in Chinese: 允许 / 拒绝', () => {
    const { events } = setup({ platform: 'darwin', locale: 'zh-CN' })
    events.emit('stream', ask())
    expect(labels(fake.Notification.shown[0]!)).toEqual([
      ['button', '允许'],
      ['button', '拒绝']
    ])
  })

  it('elsewhere, no buttons: a click opens the conversation', () => {
    for (const platform of ['linux', 'win32'] as const) {
      const { events, openConversation } = setup({ platform })
      events.emit('stream', ask())
      const n = fake.Notification.shown.at(-1)!
      expect(n.options.actions, platform).toBeUndefined()
      n.emit('click')
      expect(openConversation).toHaveBeenCalledWith('acc', 'bot')
    }
  })

  it('no buttons for what the notification does not show whole: privacy mode, a long or multi-line command; nor without an answer callback', () => {
    const privacy = setup({ platform: 'darwin', settings: { privacyMode: true } })
    privacy.events.emit('stream', ask())
    const long = setup({ platform: 'darwin' })
    long.events.emit('stream', ask({ approval: { interactionId: 'i1', prompt: 'p', command: `echo ${'a'.repeat(100)}; rm -rf ~`, state: 'waiting' } }))
    long.events.emit('stream', ask({ messageId: 'r2', approval: { interactionId: 'i2', prompt: 'p', command: 'echo hi\nrm -rf ~', state: 'waiting' } }))
    const unwired = setup({ platform: 'darwin', noAnswer: true })
    unwired.events.emit('stream', ask())
    expect(fake.Notification.shown).toHaveLength(4)
    for (const n of fake.Notification.shown) expect(n.options.actions).toBeUndefined()
    // Exactly at the limit still fits.
    const edge = setup({ platform: 'darwin' })
    edge.events.emit('stream', ask({ approval: { interactionId: 'i9', prompt: 'p', command: 'x'.repeat(ACTION_MAX_TEXT), state: 'waiting' } }))
    expect(fake.Notification.shown.at(-1)!.options.actions).toHaveLength(2)
  })

  it('answered in the window: the notification goes, and a late press answers nothing but opens the conversation', () => {
    const { events, answer, openConversation } = setup({ platform: 'darwin' })
    events.emit('stream', ask())
    const n = fake.Notification.shown[0]!
    events.emit('stream', ask({ approval: undefined }))
    expect(n.closed).toBe(false)
    events.emit('stream', ask({ approval: { interactionId: 'i1', prompt: '是否授权', command: 'echo hi', state: 'approved' } }))
    expect(n.closed).toBe(true)
    n.emit('action', {}, 0)
    expect(answer).not.toHaveBeenCalled()
    expect(openConversation).toHaveBeenCalledWith('acc', 'bot')
  })

  it('a reply that asks something else now: the old notification never answers the new question', () => {
    const { events, answer } = setup({ platform: 'darwin' })
    events.emit('stream', ask())
    const first = fake.Notification.shown[0]!
    events.emit('stream', ask({ approval: { interactionId: 'i2', prompt: 'p', command: 'rm -rf build', state: 'waiting' } }))
    expect(first.closed).toBe(true)
    first.emit('action', {}, 0)
    expect(answer).not.toHaveBeenCalled()
    const second = fake.Notification.shown[1]!
    expect(second.options.body).toBe('Allow it to run: rm -rf build')
    second.emit('action', {}, 0)
    expect(answer).toHaveBeenCalledExactlyOnceWith('acc', 'bot', 'r1', true)
    second.emit('action', {}, 0)
    expect(answer).toHaveBeenCalledTimes(1)
  })

  it('a reply that ends (or the question is dropped) takes its buttons away', () => {
    const { events, answer } = setup({ platform: 'darwin' })
    events.emit('stream', ask())
    events.emit('stream', ask({ messageId: 'r2', approval: { interactionId: 'i2', prompt: 'p', command: 'ls', state: 'waiting' } }))
    const [a, b] = fake.Notification.shown
    events.emit('stream', ask({ status: 'failed', approval: undefined }))
    events.emit('stream', ask({ messageId: 'r2', approval: null }))
    expect([a!.closed, b!.closed]).toEqual([true, true])
    a!.emit('action', {}, 0)
    b!.emit('action', {}, 1)
    expect(answer).not.toHaveBeenCalled()
  })
})

describe('notifications', () => {
  it('notifies for a new incoming message while the window is inactive, with sender and text', () => {
    const { send, notifier } = setup()
    send(msg())
    expect(fake.Notification.shown).toHaveLength(1)
    expect(fake.Notification.shown[0]!.options).toMatchObject({ title: 'Mio Bot', body: 'hello there' })
    expect(notifier.unreadCount).toBe(1)
  })

  it('never for own messages', () => {
    const { send, notifier } = setup()
    send(msg({ self: true }))
    expect(fake.Notification.shown).toHaveLength(0)
    expect(notifier.unreadCount).toBe(0)
  })

  it('never for a muted conversation', () => {
    const { send } = setup({ settings: { mutedConversations: ['acc:bot'] } })
    send(msg())
    send(msg({ contactId: 'other' }))
    expect(fake.Notification.shown).toHaveLength(1)
    expect(fake.Notification.shown[0]!.options.title).not.toBe('Mio Bot')
  })

  it('never for a conversation the platform mutes (Contact.muted), again once it is unmuted', () => {
    const { events, send } = setup()
    events.emit('contacts', { accountId: 'acc', contacts: [{ id: 'bot', kind: 'bot', name: 'Mio Bot', muted: true }] })
    send(msg({ id: 'q1' }))
    expect(fake.Notification.shown).toHaveLength(0)
    events.emit('contacts', { accountId: 'acc', contacts: [{ id: 'bot', kind: 'bot', name: 'Mio Bot' }] })
    send(msg({ id: 'q2' }))
    expect(fake.Notification.shown).toHaveLength(1)
  })

  it('never when notifications are muted (tray) — but the unread count still grows', () => {
    const { send, notifier } = setup({ settings: { notifications: false } })
    send(msg())
    expect(fake.Notification.shown).toHaveLength(0)
    expect(notifier.unreadCount).toBe(1)
  })

  it('never while the window is focused and visible', () => {
    const { send, state, notifier } = setup({ active: true })
    send(msg())
    expect(fake.Notification.shown).toHaveLength(0)
    expect(notifier.unreadCount).toBe(0)
    state.active = false
    send(msg())
    expect(fake.Notification.shown).toHaveLength(1)
  })

  it('privacy mode hides sender and content', () => {
    const { send } = setup({ settings: { privacyMode: true } })
    send(msg({ segments: [{ type: 'text', data: { text: 'my bank PIN is 1234' } }] }))
    const n = fake.Notification.shown[0]!
    expect(n.options).toEqual({ title: 'MioDesk', body: 'New message', silent: false })
    expect(JSON.stringify(n.options)).not.toMatch(/1234|Mio Bot/)
  })

  it('notifies once per message id (updates of the same message do not repeat)', () => {
    const { send } = setup()
    const m = msg()
    send(m)
    send({ ...m, status: 'sent' })
    expect(fake.Notification.shown).toHaveLength(1)
  })

  it('ignores recalled and old (history) messages', () => {
    const { send } = setup()
    send(msg({ status: 'recalled' }))
    send(msg({ time: NOW - 60 * 60 * 1000 }))
    expect(fake.Notification.shown).toHaveLength(0)
  })

  it('an AI reply notifies once, when it completes, not while streaming', () => {
    const { send } = setup()
    const base = msg({ segments: [] })
    const ai = { requestId: 1, reasoning: '', toolCalls: [] }
    send({ ...base, ai: { ...ai, status: 'pending', text: '' } })
    send({ ...base, ai: { ...ai, status: 'streaming', text: 'The ti' } })
    expect(fake.Notification.shown).toHaveLength(0)
    send({ ...base, ai: { ...ai, status: 'completed', text: 'The time is 12:00' } })
    send({ ...base, ai: { ...ai, status: 'completed', text: 'The time is 12:00' } })
    expect(fake.Notification.shown).toHaveLength(1)
    expect(fake.Notification.shown[0]!.options.body).toBe('The time is 12:00')
  })

  it('a click opens that conversation', () => {
    const { send, openConversation } = setup()
    send(msg({ contactId: 'llm:1' }), 'acc-2')
    fake.Notification.shown[0]!.emit('click')
    expect(openConversation).toHaveBeenCalledWith('acc-2', 'llm:1')
  })

  it('clearUnread resets the count and reports it', () => {
    const { send, notifier, onUnreadChange } = setup()
    send(msg())
    send(msg())
    expect(onUnreadChange).toHaveBeenLastCalledWith(2)
    notifier.clearUnread()
    expect(notifier.unreadCount).toBe(0)
    expect(onUnreadChange).toHaveBeenLastCalledWith(0)
  })

  it('previews non-text segments in words', () => {
    expect(messagePreview(msg({ segments: [{ type: 'image', data: {} }, { type: 'text', data: { text: ' look ' } }] }), 'en')).toBe('[Image] look')
    expect(messagePreview(msg({ segments: [{ type: 'mystery', data: {} }] }), 'en')).toBe('New message')
    expect(notificationContent(msg(), undefined, false, 'en').title).toBe('New message')
    expect(messagePreview(msg({ segments: [{ type: 'text', data: { text: 'x'.repeat(500) } }] }), 'en').length).toBe(200)
  })

  it('in Chinese: previews with the renderer\'s words, the fallback title and body, privacy mode', () => {
    expect(messagePreview(msg({ segments: [{ type: 'image', data: {} }, { type: 'text', data: { text: ' 看看 ' } }] }), 'zh-CN')).toBe('[图片] 看看')
    expect(messagePreview(msg({ segments: [{ type: 'file', data: { name: 'a.pdf' } }, { type: 'record', data: {} }, { type: 'video', data: {} }, { type: 'face', data: {} }, { type: 'forward', data: {} }] }), 'zh-CN')).toBe(
      '[文件] a.pdf[语音][视频][表情][聊天记录]'
    )
    expect(messagePreview(msg({ segments: [{ type: 'mystery', data: {} }] }), 'zh-CN')).toBe('新消息')
    expect(notificationContent(msg(), undefined, false, 'zh-CN')).toEqual({ title: '新消息', body: 'hello there' })
    expect(notificationContent(msg(), 'Mio Bot', true, 'zh-CN')).toEqual({ title: 'MioDesk', body: '新消息' })
  })

  it('follows the language at the time of each notification', () => {
    const { send, state } = setup({ settings: { privacyMode: true } })
    send(msg())
    state.locale = 'zh-CN'
    send(msg())
    expect(fake.Notification.shown.map((n) => n.options.body)).toEqual(['New message', '新消息'])
  })
})

describe('tray', () => {
  function makeTray(platform: NodeJS.Platform = 'linux') {
    const win = new fake.BrowserWindow({})
    const state = { visible: true, muted: false, locale: 'en' as AppLocale }
    const actions = { toggleWindow: vi.fn(), setMuted: vi.fn(), quit: vi.fn() }
    const tray = new TrayController({
      iconPath: '/icons/tray.png',
      overlayIconPath: '/icons/overlay.png',
      isWindowVisible: () => state.visible,
      isMuted: () => state.muted,
      getWindow: () => win as never,
      getLocale: () => state.locale,
      platform,
      ...actions
    })
    return { tray, win, state, actions, fakeTray: fake.Tray.instances.at(-1)! }
  }

  it('shows the unread count in the tooltip and the badge', () => {
    const { tray, fakeTray } = makeTray()
    expect(fakeTray.tooltip).toBe('MioDesk')
    tray.setUnread(3)
    expect(fakeTray.tooltip).toBe('MioDesk — 3 unread messages')
    expect(fake.app.setBadgeCount).toHaveBeenLastCalledWith(3)
    tray.setUnread(0)
    expect(fakeTray.tooltip).toBe('MioDesk')
    expect(fake.app.setBadgeCount).toHaveBeenLastCalledWith(0)
    expect(mainStrings('en').trayTooltip(1)).toBe('MioDesk — 1 unread message')
  })

  it('sets the title on macOS and the taskbar overlay on Windows', () => {
    const mac = makeTray('darwin')
    mac.tray.setUnread(5)
    expect(mac.fakeTray.title).toBe('5')
    const win = makeTray('win32')
    win.tray.setUnread(2)
    expect(win.win.setOverlayIcon).toHaveBeenLastCalledWith(expect.objectContaining({ path: '/icons/overlay.png' }), expect.stringContaining('2'))
    win.tray.setUnread(0)
    expect(win.win.setOverlayIcon).toHaveBeenLastCalledWith(null, '')
  })

  it('has a menu with show/hide, mute notifications and quit that do what they say', () => {
    const { fakeTray, actions, state, tray } = makeTray()
    const items = fakeTray.menu!.template
    expect(items.map((i) => i.id ?? i.type)).toEqual(['toggle', 'mute', 'separator', 'quit'])
    expect(items[0].label).toBe('Hide MioDesk')
    expect(items[1]).toMatchObject({ type: 'checkbox', checked: false })
    items[0].click()
    expect(actions.toggleWindow).toHaveBeenCalled()
    items[1].click()
    expect(actions.setMuted).toHaveBeenCalledWith(true)
    items[3].click()
    expect(actions.quit).toHaveBeenCalled()

    state.visible = false
    state.muted = true
    tray.refresh()
    const again = fakeTray.menu!.template
    expect(again[0].label).toBe('Show MioDesk')
    expect(again[1].checked).toBe(true)
    again[1].click()
    expect(actions.setMuted).toHaveBeenLastCalledWith(false)
  })

  it('a click on the icon toggles the window (not on macOS)', () => {
    const linux = makeTray('linux')
    linux.fakeTray.emit('click')
    expect(linux.actions.toggleWindow).toHaveBeenCalledTimes(1)
    const mac = makeTray('darwin')
    mac.fakeTray.emit('click')
    expect(mac.actions.toggleWindow).not.toHaveBeenCalled()
  })

  it('trayMenuTemplate is pure', () => {
    const t = trayMenuTemplate({ windowVisible: false, muted: true, unread: 0 }, { toggleWindow: vi.fn(), setMuted: vi.fn(), quit: vi.fn() }, 'en')
    expect(t[0]!.label).toBe('Show MioDesk')
    expect(t[1]!.checked).toBe(true)
    const zh = trayMenuTemplate({ windowVisible: false, muted: true, unread: 0 }, { toggleWindow: vi.fn(), setMuted: vi.fn(), quit: vi.fn() }, 'zh-CN')
    expect(zh.map((i) => i.label ?? i.type)).toEqual(['显示 MioDesk', '通知免打扰', 'separator', '退出 MioDesk'])
  })

  it('re-labels the tooltip and the menu when the language changes', () => {
    const { tray, fakeTray, state, win } = makeTray('win32')
    tray.setUnread(2)
    expect(fakeTray.tooltip).toBe('MioDesk — 2 unread messages')
    state.locale = 'zh-CN'
    tray.refresh()
    expect(fakeTray.tooltip).toBe('MioDesk — 2 条未读消息')
    expect(fakeTray.menu!.template.map((i) => i.label ?? i.type)).toEqual(['隐藏 MioDesk', '通知免打扰', 'separator', '退出 MioDesk'])
    tray.setUnread(3)
    expect(win.setOverlayIcon).toHaveBeenLastCalledWith(expect.anything(), 'MioDesk — 3 条未读消息')
    state.locale = 'en'
    tray.refresh()
    expect(fakeTray.menu!.template[0].label).toBe('Hide MioDesk')
    tray.setUnread(0)
    expect(fakeTray.tooltip).toBe('MioDesk')
    state.locale = 'zh-CN'
    tray.refresh()
    expect(fakeTray.tooltip).toBe('MioDesk')
  })
})
