import { describe, expect, it, vi } from 'vitest'

vi.mock('electron', () => import('./fake-electron'))
vi.mock('electron-store', () => ({ default: class {} }))
vi.mock('../../../src/core/app-core', () => ({
  AppCore: vi.fn(function () {
    throw new Error('the core must not start in a second instance')
  })
}))
vi.mock('../../../src/core/handlers', () => ({ createHandlers: vi.fn() }))

import * as fake from './fake-electron'
import { parseSuggestedAccount } from '../../../src/main/suggested-account'

describe('single instance', () => {
  it('a second launch quits at once without a window or a core', async () => {
    fake.app.lockResult = false
    await import('../../../src/main/index')
    await new Promise((r) => setTimeout(r, 10))
    expect(fake.app.quit).toHaveBeenCalled()
    expect(fake.app.whenReady).not.toHaveBeenCalled()
    expect(fake.BrowserWindow.instances).toHaveLength(0)
    expect(fake.ipcMain.handlers.size).toBe(0)
  })
})

describe('MIODESK_SUGGESTED_ACCOUNT', () => {
  it('is parsed strictly', () => {
    expect(parseSuggestedAccount(JSON.stringify({ server: 'ws://h:1', id: 'me', token: 't' }))).toEqual({ server: 'ws://h:1', id: 'me', token: 't', label: 'Local server' })
    expect(parseSuggestedAccount(undefined)).toBeUndefined()
    expect(parseSuggestedAccount('{not json')).toBeUndefined()
    expect(parseSuggestedAccount(JSON.stringify({ server: 'ws://h:1', id: 'me' }))).toBeUndefined()
    expect(parseSuggestedAccount(JSON.stringify({ server: 'ws://h:1', id: 'me', token: 5 }))).toBeUndefined()
    expect(parseSuggestedAccount('null')).toBeUndefined()
  })
})
