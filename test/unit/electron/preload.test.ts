import { beforeEach, describe, expect, it, vi } from 'vitest'

vi.mock('electron', () => import('./fake-electron'))

import * as fake from './fake-electron'
import { carrier, unwrapReply } from '../../../src/preload/index'
import { EVENT_PREFIX, type MioDeskApi } from '../../../src/shared/api'

// Captured before resetFakes clears call records.
const exposeCalls = fake.contextBridge.exposeInMainWorld.mock.calls.map((c) => c[0])
const api = fake.contextBridge.exposed['api'] as MioDeskApi

beforeEach(() => fake.resetFakes())

describe('preload surface', () => {
  it('exposes exactly one object, `api`, with only call and on', () => {
    expect(exposeCalls).toEqual(['api'])
    expect(Object.keys(fake.contextBridge.exposed)).toEqual(['api'])
    expect(Object.keys(api).sort()).toEqual(['call', 'on'])
    expect(JSON.stringify(Object.keys(api))).not.toMatch(/ipcRenderer|invoke|send/)
  })

  it('call → ipcRenderer.invoke(channel, ...args) and resolves with the unwrapped value', async () => {
    fake.ipcRenderer.invoke.mockImplementation(async () => ({ ok: true, value: 42 }))
    await expect(api.call('mio:ping', 'acc-1')).resolves.toBe(42)
    expect(fake.ipcRenderer.invoke).toHaveBeenCalledWith('mio:ping', 'acc-1')
  })

  it('error replies become a plain Error with the readable message', async () => {
    fake.ipcRenderer.invoke.mockImplementation(async () => ({ ok: false, error: 'Invalid credentials' }))
    const err = await api.call('accounts:list').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(Error)
    expect((err as Error).message).toBe('Invalid credentials')
  })

  it("strips Electron's 'Error invoking remote method' prefix from rejected invokes", async () => {
    fake.ipcRenderer.invoke.mockImplementation(async () => {
      throw new Error("Error invoking remote method 'accounts:list': Error: IPC rejected: the sender is not the MioDesk app.")
    })
    await expect(api.call('accounts:list')).rejects.toThrow(/^IPC rejected: the sender is not the MioDesk app\.$/)
  })

  it('unknown channels are rejected before reaching ipcRenderer', async () => {
    await expect((api.call as (c: string) => Promise<unknown>)('shell:exec')).rejects.toThrow(/Unknown API channel/)
    await expect(carrier.invoke('fs:read', [])).rejects.toThrow(/Unknown API channel/)
    expect(fake.ipcRenderer.invoke).not.toHaveBeenCalled()
  })

  it('unknown events are refused', () => {
    expect(() => api.on('ipc-raw' as never, () => undefined)).toThrow(/Unknown event/)
    expect(() => carrier.subscribe('ipc-raw', () => undefined)).toThrow(/Unknown event/)
    expect(fake.ipcRenderer.listenerCount(EVENT_PREFIX + 'ipc-raw')).toBe(0)
  })

  it('event listeners get only the payload, never the IPC event object', () => {
    const listener = vi.fn()
    api.on('message', listener)
    const ipcEvent = { sender: { send: () => undefined }, senderId: 0, ports: [] }
    fake.ipcRenderer.emit(EVENT_PREFIX + 'message', ipcEvent, { accountId: 'a' })
    expect(listener).toHaveBeenCalledTimes(1)
    expect(listener.mock.calls[0]).toEqual([{ accountId: 'a' }])
  })

  it('the unsubscribe function removes the IPC listener', () => {
    const listener = vi.fn()
    const off = api.on('settings', listener)
    expect(fake.ipcRenderer.listenerCount(EVENT_PREFIX + 'settings')).toBe(1)
    off()
    expect(fake.ipcRenderer.listenerCount(EVENT_PREFIX + 'settings')).toBe(0)
    fake.ipcRenderer.emit(EVENT_PREFIX + 'settings', {}, { theme: 'dark' })
    expect(listener).not.toHaveBeenCalled()
  })

  it('malformed replies are errors, not values', () => {
    expect(() => unwrapReply(undefined)).toThrow(/Malformed/)
    expect(() => unwrapReply({ value: 1 })).toThrow(/Malformed/)
    expect(() => unwrapReply({ ok: false })).toThrow(/Request failed/)
    expect(unwrapReply({ ok: true, value: 'v' })).toBe('v')
  })
})
