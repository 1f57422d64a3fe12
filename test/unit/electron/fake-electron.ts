/**
 * A fake of the `electron` module for the shell's unit tests (the Electron binary is not available in
 * CI). Use with: vi.mock('electron', () => import('./fake-electron')).
 */
import { EventEmitter } from 'node:events'
import { vi } from 'vitest'

export type FakeEvent = { preventDefault: ReturnType<typeof vi.fn>; url?: string }
export function fakeEvent(extra: Record<string, unknown> = {}): FakeEvent {
  return { preventDefault: vi.fn(), ...extra }
}

export class FakeWebContents extends EventEmitter {
  url = ''
  destroyed = false
  readonly sent: [string, unknown[]][] = []
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null
  send(channel: string, ...args: unknown[]): void {
    this.sent.push([channel, args])
  }
  isDestroyed(): boolean {
    return this.destroyed
  }
  getURL(): string {
    return this.url
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler
  }
}

export class BrowserWindow extends EventEmitter {
  static instances: BrowserWindow[] = []
  readonly webContents = new FakeWebContents()
  visible = false
  focused = false
  minimized = false
  loadedUrl: string | null = null
  readonly setOverlayIcon = vi.fn()
  constructor(readonly options: Record<string, any>) {
    super()
    BrowserWindow.instances.push(this)
  }
  loadURL(url: string): Promise<void> {
    this.loadedUrl = url
    this.webContents.url = url
    return Promise.resolve()
  }
  show(): void {
    this.visible = true
    this.emit('show')
  }
  hide(): void {
    this.visible = false
    this.focused = false
    this.emit('hide')
  }
  focus(): void {
    this.focused = true
  }
  restore(): void {
    this.minimized = false
  }
  isVisible(): boolean {
    return this.visible
  }
  isFocused(): boolean {
    return this.focused
  }
  isMinimized(): boolean {
    return this.minimized
  }
  isDestroyed(): boolean {
    return false
  }
  /** Simulates the user closing the window; returns whether the close was prevented. */
  userClose(): boolean {
    const e = fakeEvent()
    this.emit('close', e)
    return e.preventDefault.mock.calls.length > 0
  }
}

type InvokeHandler = (event: unknown, ...args: unknown[]) => unknown
export const ipcMain = {
  handlers: new Map<string, InvokeHandler>(),
  handle: vi.fn((channel: string, handler: InvokeHandler) => {
    // Like Electron: a second handler for the same channel is an error.
    if (ipcMain.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`)
    ipcMain.handlers.set(channel, handler)
  }),
  removeHandler: vi.fn((channel: string) => {
    ipcMain.handlers.delete(channel)
  })
}

export const shell = { openExternal: vi.fn(async (_url: string) => undefined) }

export const protocol = { registerSchemesAsPrivileged: vi.fn(), handle: vi.fn() }

export class FakeSession extends EventEmitter {
  permissionRequestHandler: ((...args: any[]) => void) | null = null
  permissionCheckHandler: ((...args: any[]) => boolean) | null = null
  headersListener: ((details: any, callback: (r: any) => void) => void) | null = null
  readonly webRequest = {
    onHeadersReceived: (listener: (details: any, callback: (r: any) => void) => void) => {
      this.headersListener = listener
    }
  }
  setPermissionRequestHandler(h: (...args: any[]) => void): void {
    this.permissionRequestHandler = h
  }
  setPermissionCheckHandler(h: (...args: any[]) => boolean): void {
    this.permissionCheckHandler = h
  }
}
export const session = { defaultSession: new FakeSession() }

/** A reversible fake cipher, so tests can see the plaintext is not stored as is. */
export const safeStorage = {
  available: true,
  backend: 'gnome_libsecret' as string,
  isEncryptionAvailable: vi.fn(() => safeStorage.available),
  getSelectedStorageBackend: vi.fn(() => safeStorage.backend),
  encryptString: vi.fn((plain: string) => Buffer.from(`enc(${[...plain].reverse().join('')})`, 'utf8')),
  decryptString: vi.fn((buf: Buffer) => {
    const s = buf.toString('utf8')
    if (!s.startsWith('enc(') || !s.endsWith(')')) throw new Error('bad ciphertext')
    return [...s.slice(4, -1)].reverse().join('')
  })
}

export const dialog = { showMessageBoxSync: vi.fn((_opts: Record<string, unknown>) => 0), showErrorBox: vi.fn((_title: string, _content: string) => {}) }

export class Notification extends EventEmitter {
  static shown: Notification[] = []
  static supported = true
  static isSupported(): boolean {
    return Notification.supported
  }
  constructor(readonly options: { title: string; body: string; actions?: { type: 'button'; text?: string }[] }) {
    super()
  }
  show(): void {
    Notification.shown.push(this)
  }
  closed = false
  close(): void {
    this.closed = true
    this.emit('close')
  }
}

export class Tray extends EventEmitter {
  static instances: Tray[] = []
  tooltip = ''
  title = ''
  menu: { template: any[] } | null = null
  destroyed = false
  constructor(readonly image: unknown) {
    super()
    Tray.instances.push(this)
  }
  setToolTip(t: string): void {
    this.tooltip = t
  }
  setTitle(t: string): void {
    this.title = t
  }
  setContextMenu(m: { template: any[] }): void {
    this.menu = m
  }
  isDestroyed(): boolean {
    return this.destroyed
  }
  destroy(): void {
    this.destroyed = true
  }
}

export const Menu = {
  popups: [] as any[][],
  buildFromTemplate: (template: any[]) => ({
    template,
    popup: () => {
      Menu.popups.push(template)
    }
  })
}

export const clipboard = { writeText: vi.fn() }

function fakeImage(path: string): { path: string; isEmpty(): boolean } {
  return { path, isEmpty: () => path === '' }
}
export const nativeImage = { createFromPath: (p: string) => fakeImage(p), createEmpty: () => fakeImage('') }

class FakeApp extends EventEmitter {
  isPackaged = false
  lockResult = true
  readonly setBadgeCount = vi.fn((_n: number) => true)
  readonly requestSingleInstanceLock = vi.fn(() => this.lockResult)
  readonly enableSandbox = vi.fn()
  readonly setAppUserModelId = vi.fn()
  readonly quit = vi.fn()
  readonly whenReady = vi.fn(() => Promise.resolve())
  readonly exit = vi.fn((_code?: number) => {})
  /** Where getPath('userData') points (tests set a temp dir). */
  userData = '/dev/null/no-user-data'
  getPath(name: string): string {
    if (name !== 'userData') throw new Error(`unexpected getPath(${name})`)
    return this.userData
  }
  getVersion(): string {
    return '0.0.0-test'
  }
  getAppPath(): string {
    return '/app'
  }
  /** What getLocale() / getPreferredSystemLanguages() answer (tests set them). */
  locale = 'en-US'
  preferredLanguages: string[] = ['en-US']
  getLocale(): string {
    return this.locale
  }
  getPreferredSystemLanguages(): string[] {
    return [...this.preferredLanguages]
  }
}
export const app = new FakeApp()

export const contextBridge = {
  exposed: {} as Record<string, any>,
  exposeInMainWorld: vi.fn((key: string, value: unknown) => {
    contextBridge.exposed[key] = value
  })
}

class FakeIpcRenderer extends EventEmitter {
  invoke = vi.fn(async (_channel: string, ..._args: unknown[]): Promise<unknown> => ({ ok: true, value: undefined }))
}
export const ipcRenderer = new FakeIpcRenderer()

/** Clears recorded state between tests (module-level singletons survive across tests). */
export function resetFakes(): void {
  BrowserWindow.instances = []
  Notification.shown = []
  Notification.supported = true
  Tray.instances = []
  Menu.popups = []
  clipboard.writeText.mockClear()
  ipcMain.handlers.clear()
  ipcMain.handle.mockClear()
  ipcMain.removeHandler.mockClear()
  shell.openExternal.mockClear()
  protocol.registerSchemesAsPrivileged.mockClear()
  protocol.handle.mockClear()
  session.defaultSession = new FakeSession()
  safeStorage.available = true
  safeStorage.backend = 'gnome_libsecret'
  safeStorage.encryptString.mockClear()
  safeStorage.decryptString.mockClear()
  dialog.showErrorBox.mockClear()
  app.exit.mockClear()
  dialog.showMessageBoxSync.mockReset()
  dialog.showMessageBoxSync.mockImplementation(() => 0)
  app.setBadgeCount.mockClear()
  app.locale = 'en-US'
  app.preferredLanguages = ['en-US']
  ipcRenderer.invoke.mockReset()
  ipcRenderer.invoke.mockImplementation(async () => ({ ok: true, value: undefined }))
  ipcRenderer.removeAllListeners()
}
