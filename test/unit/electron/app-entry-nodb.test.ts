/** The entry when the message database cannot be opened: it says so and exits, never runs without history. */
import { describe, expect, it, vi } from 'vitest'

const h = vi.hoisted(() => ({ cores: 0 }))

vi.mock('electron', () => import('./fake-electron'))
vi.mock('electron-store', () => ({
  default: class {
    get() {
      return undefined
    }
    set() {}
    delete() {}
  }
}))
vi.mock('../../../src/core/app-core', () => ({
  AppCore: class {
    constructor() {
      h.cores++
    }
  }
}))

import * as fake from './fake-electron'

describe('main entry without a usable message database', () => {
  it('shows an error dialog and exits with 1', async () => {
    fake.app.userData = '/dev/null/not-a-directory' // mkdir fails at once (ENOTDIR)
    await import('../../../src/main/index')
    await vi.waitFor(() => expect(fake.dialog.showErrorBox).toHaveBeenCalledTimes(1))
    expect(fake.dialog.showErrorBox.mock.calls[0]![0]).toMatch(/message database/)
    expect(fake.app.exit).toHaveBeenCalledWith(1)
    expect(h.cores).toBe(0)
  })
})
