import { EventEmitter } from 'node:events'
import { beforeEach, describe, expect, it, vi } from 'vitest'

vi.mock('electron', () => import('./fake-electron'))

import * as fake from './fake-electron'
import { API_CHANNELS, EVENT_PREFIX, MAIN_EVENTS, isApiChannel } from '../../../src/shared/api'
import { errorMessage, forwardCoreEvents, registerIpcHandlers, type ApiHandlerTable } from '../../../src/main/ipc'
import { createAppUrlCheck } from '../../../src/main/webcontents-handler'

beforeEach(() => fake.resetFakes())

function handlerTable(impl: (channel: string, args: unknown[]) => unknown = (c) => `result of ${c}`) {
  const calls: [string, unknown[]][] = []
  const table = Object.fromEntries(
    API_CHANNELS.map((c) => [
      c,
      vi.fn(async (...args: unknown[]) => {
        calls.push([c, args])
        return impl(c, args)
      })
    ])
  ) as unknown as ApiHandlerTable
  return { table, calls }
}

const appFrame = { url: 'app://miodesk/index.html', parent: null }
const invoke = (channel: string, frame: unknown, ...args: unknown[]) => {
  const h = fake.ipcMain.handlers.get(channel)
  if (!h) throw new Error(`no handler for ${channel}`)
  return h({ senderFrame: frame, sender: {} }, ...args) as Promise<unknown>
}

describe('IPC registration', () => {
  it('registers every API channel exactly once and nothing else', () => {
    registerIpcHandlers({ handlers: handlerTable().table, isAppUrl: createAppUrlCheck() })
    const registered = fake.ipcMain.handle.mock.calls.map((c) => c[0])
    expect(registered).toHaveLength(API_CHANNELS.length)
    expect(new Set(registered).size).toBe(registered.length)
    expect([...registered].sort()).toEqual([...API_CHANNELS].sort())
    expect(registered.every((c) => isApiChannel(c))).toBe(true)
  })

  it('has no handler for unknown channels', () => {
    registerIpcHandlers({ handlers: handlerTable().table, isAppUrl: createAppUrlCheck() })
    for (const c of ['shell:exec', 'fs:read', 'app:quit', '', 'evt:message']) expect(fake.ipcMain.handlers.has(c), c).toBe(false)
  })

  it('refuses a handler table with a missing channel', () => {
    const { table } = handlerTable()
    delete (table as Partial<ApiHandlerTable>)['mio:ping']
    expect(() => registerIpcHandlers({ handlers: table, isAppUrl: createAppUrlCheck() })).toThrow(/mio:ping/)
  })

  it('the returned disposer removes every handler', () => {
    const dispose = registerIpcHandlers({ handlers: handlerTable().table, isAppUrl: createAppUrlCheck() })
    dispose()
    expect(fake.ipcMain.handlers.size).toBe(0)
  })
})

describe('IPC sender check', () => {
  it('passes calls from the app frame to the handler table with their arguments', async () => {
    const { table, calls } = handlerTable()
    registerIpcHandlers({ handlers: table, isAppUrl: createAppUrlCheck() })
    await expect(invoke('history:list', appFrame, 'acc', 'bot', 123, 50)).resolves.toEqual({ ok: true, value: 'result of history:list' })
    expect(calls).toEqual([['history:list', ['acc', 'bot', 123, 50]]])
  })

  it.each([
    ['a remote page', { url: 'https://evil.example/', parent: null }],
    ['a file:// page', { url: 'file:///tmp/x.html', parent: null }],
    ['another app:// host', { url: 'app://evil/index.html', parent: null }],
    ['a dev-server look-alike', { url: 'http://localhost:5173/', parent: null }],
    ['a subframe of the app', { url: 'app://miodesk/index.html', parent: { url: 'app://miodesk/index.html' } }],
    ['a destroyed frame', null]
  ])('rejects calls from %s without calling the handler', async (_name, frame) => {
    const { table, calls } = handlerTable()
    registerIpcHandlers({ handlers: table, isAppUrl: createAppUrlCheck() })
    await expect(invoke('accounts:list', frame)).rejects.toThrow(/IPC rejected/)
    await expect(invoke('app:open-external', frame, 'https://x.example')).rejects.toThrow(/IPC rejected/)
    expect(calls).toEqual([])
  })

  it('accepts the dev server origin only when running against it', async () => {
    const { table } = handlerTable()
    registerIpcHandlers({ handlers: table, isAppUrl: createAppUrlCheck('http://localhost:5173') })
    await expect(invoke('accounts:list', { url: 'http://localhost:5173/', parent: null })).resolves.toMatchObject({ ok: true })
    await expect(invoke('accounts:list', { url: 'http://localhost:5999/', parent: null })).rejects.toThrow(/IPC rejected/)
  })
})

describe('IPC errors', () => {
  it('cross as a readable message only (no stack, no extra properties)', async () => {
    const { table } = handlerTable(() => {
      const e = new Error('Invalid credentials: the access code was refused') as Error & { secret?: string }
      e.secret = 'token-123'
      throw e
    })
    registerIpcHandlers({ handlers: table, isAppUrl: createAppUrlCheck() })
    const reply = await invoke('accounts:add', appFrame, 'mio', { server: 'x', id: 'y', token: 'z' })
    expect(reply).toEqual({ ok: false, error: 'Invalid credentials: the access code was refused' })
    expect(JSON.stringify(reply)).not.toMatch(/token-123|at .*\.ts/)
  })

  it('errorMessage handles odd throwables', () => {
    expect(errorMessage('plain string')).toBe('plain string')
    expect(errorMessage({ message: 'object message' })).toBe('object message')
    expect(errorMessage(undefined)).toBe('Something went wrong.')
    expect(errorMessage(new Error('   '))).toBe('Something went wrong.')
    expect(errorMessage(new Error('x'.repeat(5000))).length).toBeLessThanOrEqual(1001)
  })
})

describe('core events → window', () => {
  it('forwards every MainEvents name as evt:<name> with its payload', () => {
    const events = new EventEmitter()
    const wc = new fake.FakeWebContents()
    forwardCoreEvents(events, () => wc as never)
    for (const name of MAIN_EVENTS) events.emit(name, { name })
    expect(wc.sent).toEqual(MAIN_EVENTS.map((name) => [EVENT_PREFIX + name, [{ name }]]))
  })

  it('does not forward other core events, nor to a destroyed or missing window, nor after dispose', () => {
    const events = new EventEmitter()
    const wc = new fake.FakeWebContents()
    let target: fake.FakeWebContents | null = wc
    const dispose = forwardCoreEvents(events, () => target as never)
    events.emit('internal-secret', { token: 'x' })
    wc.destroyed = true
    events.emit('message', { a: 1 })
    wc.destroyed = false
    target = null
    events.emit('message', { a: 2 })
    target = wc
    dispose()
    events.emit('message', { a: 3 })
    expect(wc.sent).toEqual([])
    expect(events.listenerCount('message')).toBe(0)
  })
})
