import { EventEmitter } from 'node:events'
import { existsSync, mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeEach, describe, expect, it, vi } from 'vitest'

vi.mock('electron', () => import('./fake-electron'))

import * as fake from './fake-electron'
import { CONTENT_SECURITY_POLICY, CSP_DIRECTIVES } from '../../../src/shared/csp'
import { APP_ENTRY_URL, createAppProtocolHandler, registerAppSchemePrivileged, resolveAppPath } from '../../../src/main/app-protocol'
import { createMainWindow, showWindow } from '../../../src/main/window'
import {
  createAppUrlCheck,
  hardenSession,
  hardenWebContents,
  isPermissionAllowed,
  parseExternalUrl,
  safeOpenURL,
  withCspHeader
} from '../../../src/main/webcontents-handler'

const isAppUrl = createAppUrlCheck()

beforeEach(() => fake.resetFakes())

describe('window webPreferences', () => {
  it('locks the renderer down', () => {
    createMainWindow({ preloadPath: '/x/preload/index.cjs', closeToTray: () => true, isQuitting: () => false, hasTray: () => true })
    const prefs = fake.BrowserWindow.instances[0]!.options.webPreferences
    expect(prefs.contextIsolation).toBe(true)
    expect(prefs.sandbox).toBe(true)
    expect(prefs.nodeIntegration).toBe(false)
    expect(prefs.nodeIntegrationInSubFrames).toBe(false)
    expect(prefs.nodeIntegrationInWorker).toBe(false)
    expect(prefs.webviewTag).toBe(false)
    expect(prefs.webSecurity).toBe(true)
    expect(prefs.allowRunningInsecureContent).toBe(false)
    expect(prefs.experimentalFeatures).toBe(false)
    expect(prefs.spellcheck).toBe(true)
    expect(prefs.navigateOnDragDrop).toBe(false)
    expect(prefs.disableBlinkFeatures).toBe('Auxclick')
    expect(prefs.preload).toBe('/x/preload/index.cjs')
    expect(prefs.devTools).toBe(true)
  })

  it('an installed build has no DevTools and a minimal menu (no reload, no DevTools), in the user\'s language', async () => {
    createMainWindow({ preloadPath: '/p.cjs', closeToTray: () => true, isQuitting: () => false, hasTray: () => true, packaged: true })
    expect(fake.BrowserWindow.instances.at(-1)!.options.webPreferences.devTools).toBe(false)
    const { appMenuTemplate } = await import('../../../src/main/app-menu')
    const { mainStrings } = await import('../../../src/main/strings')
    for (const platform of ['linux', 'win32', 'darwin'] as const) {
      const roles = JSON.stringify(appMenuTemplate(mainStrings('zh-CN'), platform))
      expect(roles).not.toMatch(/toggleDevTools|reload|forceReload|viewMenu/)
      expect(roles).toContain('"quit"')
    }
    expect(JSON.stringify(appMenuTemplate(mainStrings('zh-CN'), 'linux'))).toContain(mainStrings('zh-CN').quitApp)
  })

  it('the created BrowserWindow really uses them and loads app://, not file:// or a remote URL', () => {
    createMainWindow({ preloadPath: '/p.cjs', closeToTray: () => true, isQuitting: () => false, hasTray: () => true })
    expect(fake.BrowserWindow.instances).toHaveLength(1)
    const win = fake.BrowserWindow.instances[0]!
    expect(win.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webviewTag: false,
      webSecurity: true,
      preload: '/p.cjs'
    })
    expect(win.loadedUrl).toBe(APP_ENTRY_URL)
    expect(win.loadedUrl!.startsWith('app://miodesk/')).toBe(true)
  })

  it('loads the dev server URL in development', () => {
    createMainWindow({ preloadPath: '/p.cjs', devServerUrl: 'http://localhost:5173', closeToTray: () => true, isQuitting: () => false, hasTray: () => true })
    expect(fake.BrowserWindow.instances[0]!.loadedUrl).toBe('http://localhost:5173')
  })

  it('close hides to the tray only when closeToTray is on, a tray exists and the app is not quitting', () => {
    const state = { closeToTray: true, quitting: false, tray: true }
    createMainWindow({ preloadPath: '/p.cjs', closeToTray: () => state.closeToTray, isQuitting: () => state.quitting, hasTray: () => state.tray })
    const win = fake.BrowserWindow.instances[0]!
    win.show()
    expect(win.userClose()).toBe(true)
    expect(win.isVisible()).toBe(false)

    state.closeToTray = false
    expect(win.userClose()).toBe(false)
    state.closeToTray = true
    state.quitting = true
    expect(win.userClose()).toBe(false)
    state.quitting = false
    state.tray = false
    expect(win.userClose()).toBe(false)
  })

  it('showWindow restores, shows and focuses', () => {
    const win = new fake.BrowserWindow({})
    win.minimized = true
    showWindow(win as never)
    expect(win.isMinimized()).toBe(false)
    expect(win.isVisible()).toBe(true)
    expect(win.isFocused()).toBe(true)
  })
})

describe('Content Security Policy', () => {
  it('is strict: no unsafe-eval, self-only scripts, no objects, frames, base or forms', () => {
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval/)
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/wasm-unsafe-eval|\*/)
    expect(CSP_DIRECTIVES['script-src']).toEqual(["'self'"])
    for (const d of [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data: blob: https: http: miodesk-media:",
      "media-src 'self' data: blob: https: http: miodesk-media:",
      "connect-src 'self'",
      "object-src 'none'",
      "base-uri 'none'",
      "frame-src 'none'",
      "form-action 'none'"
    ]) {
      expect(CONTENT_SECURITY_POLICY.split('; ')).toContain(d)
    }
  })

  it('is set as a response header on app documents, replacing any CSP the response had', () => {
    hardenSession(fake.session.defaultSession as never, isAppUrl)
    const listener = fake.session.defaultSession.headersListener
    expect(listener).toBeTypeOf('function')
    const callback = vi.fn()
    listener!({ url: 'app://miodesk/index.html', responseHeaders: { 'content-security-policy': ["script-src *"], 'X-Other': ['1'] } }, callback)
    const headers = callback.mock.calls[0]![0].responseHeaders as Record<string, string[]>
    expect(headers['Content-Security-Policy']).toEqual([CONTENT_SECURITY_POLICY])
    expect(headers['content-security-policy']).toBeUndefined()
    expect(headers['X-Other']).toEqual(['1'])
  })

  it("the renderer's index.html carries a strict CSP meta tag too (no unsafe-eval, self-only scripts)", () => {
    const file = join(__dirname, '../../../src/renderer/index.html')
    expect(existsSync(file)).toBe(true)
    const html = readFileSync(file, 'utf8')
    const m = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]+)"/i.exec(html)
    expect(m, 'CSP meta tag').not.toBeNull()
    const meta = m![1]!
    // One policy: the meta tag carries exactly the string main sends as a header.
    expect(meta).toBe(CONTENT_SECURITY_POLICY)
    expect(meta).not.toMatch(/unsafe-eval/)
    const directives = new Map(meta.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k!, v]))
    expect(directives.get('script-src')).toEqual(["'self'"])
    expect(directives.get('object-src')).toEqual(["'none'"])
    expect(directives.get('base-uri')).toEqual(["'none'"])
  })

  it('withCspHeader keeps other headers and wraps single values', () => {
    const h = withCspHeader({ 'Content-Type': 'text/html', 'Content-Security-Policy': 'default-src *' })
    expect(h).toEqual({ 'Content-Type': ['text/html'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] })
  })

  it('the app:// protocol sends the CSP header with every file', async () => {
    const root = mkdtempSync(join(tmpdir(), 'miodesk-renderer-'))
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>x</title>')
    const res = await createAppProtocolHandler(root)(new Request('app://miodesk/index.html'))
    expect(res.status).toBe(200)
    expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY)
    expect(res.headers.get('content-type')).toMatch(/^text\/html/)
    expect(await res.text()).toContain('<title>x</title>')
  })
})

describe('app:// protocol', () => {
  it('is registered as standard + secure and does not bypass CSP', () => {
    registerAppSchemePrivileged()
    const [schemes] = fake.protocol.registerSchemesAsPrivileged.mock.calls[0]! as [{ scheme: string; privileges: Record<string, boolean> }[]]
    expect(schemes[0]!.scheme).toBe('app')
    expect(schemes[0]!.privileges).toMatchObject({ standard: true, secure: true })
    expect(schemes[0]!.privileges.bypassCSP).not.toBe(true)
  })

  it('maps URLs into the renderer directory and refuses traversal', () => {
    const root = '/srv/renderer'
    expect(resolveAppPath(root, 'app://miodesk/index.html')).toBe('/srv/renderer/index.html')
    expect(resolveAppPath(root, 'app://miodesk/')).toBe('/srv/renderer/index.html')
    expect(resolveAppPath(root, 'app://miodesk/assets/a%20b.js')).toBe('/srv/renderer/assets/a b.js')
    for (const bad of [
      'app://miodesk/..%2f..%2fetc%2fpasswd',
      'app://miodesk/assets/..%2F..%2F..%2Fetc/passwd',
      'app://miodesk/%2e%2e%2fsecret',
      'app://miodesk/..%5c..%5cwin.ini',
      'app://miodesk/a%00.js',
      'app://miodesk/%E0%A4%A',
      'app://other/index.html',
      'https://miodesk/index.html',
      'file:///etc/passwd',
      'not a url'
    ]) {
      expect(resolveAppPath(root, bad), bad).toBeNull()
    }
  })

  it('answers 403 for traversal and 404 for missing files', async () => {
    const base = mkdtempSync(join(tmpdir(), 'miodesk-proto-'))
    const root = join(base, 'renderer')
    mkdirSync(root)
    writeFileSync(join(base, 'secret.txt'), 'top secret')
    const handler = createAppProtocolHandler(root)
    const traversal = await handler(new Request('app://miodesk/..%2fsecret.txt'))
    expect(traversal.status).toBe(403)
    expect(await traversal.text()).not.toContain('top secret')
    expect((await handler(new Request('app://miodesk/nope.js'))).status).toBe(404)
  })

  it('a symlink inside the renderer folder does not serve a file outside it', async () => {
    const { symlinkSync } = await import('node:fs')
    const base = mkdtempSync(join(tmpdir(), 'miodesk-proto-'))
    const root = join(base, 'renderer')
    mkdirSync(join(root, 'assets'), { recursive: true })
    writeFileSync(join(base, 'secret.txt'), 'top secret')
    writeFileSync(join(root, 'assets', 'ok.js'), 'ok')
    symlinkSync(join(base, 'secret.txt'), join(root, 'assets', 'link.js'))
    symlinkSync(join(root, 'assets', 'ok.js'), join(root, 'assets', 'inside.js'))
    const handler = createAppProtocolHandler(root)
    const out = await handler(new Request('app://miodesk/assets/link.js'))
    expect(out.status).toBe(404)
    expect(await out.text()).not.toContain('top secret')
    // A link that stays inside is fine.
    expect(await (await handler(new Request('app://miodesk/assets/inside.js'))).text()).toBe('ok')
  })
})

describe('navigation, new windows and webviews', () => {
  function hardened(): fake.FakeWebContents {
    const wc = new fake.FakeWebContents()
    hardenWebContents(wc as never, isAppUrl)
    return wc
  }

  it('denies navigation off the app and opens web links externally instead', async () => {
    const wc = hardened()
    const e = fake.fakeEvent()
    wc.emit('will-navigate', e, 'https://evil.example/phish')
    expect(e.preventDefault).toHaveBeenCalled()
    await vi.waitFor(() => expect(fake.shell.openExternal).toHaveBeenCalledWith('https://evil.example/phish'))

    const js = fake.fakeEvent()
    wc.emit('will-navigate', js, 'javascript:alert(1)')
    expect(js.preventDefault).toHaveBeenCalled()
    const file = fake.fakeEvent()
    wc.emit('will-navigate', file, 'file:///etc/passwd')
    expect(file.preventDefault).toHaveBeenCalled()
    expect(fake.shell.openExternal).toHaveBeenCalledTimes(1)
  })

  it('allows navigation within the app', () => {
    const wc = hardened()
    const e = fake.fakeEvent()
    wc.emit('will-navigate', e, 'app://miodesk/index.html#/chat')
    expect(e.preventDefault).not.toHaveBeenCalled()
  })

  it('denies off-app redirects and subframe navigations', () => {
    const wc = hardened()
    const r = fake.fakeEvent()
    wc.emit('will-redirect', r, 'https://evil.example/')
    expect(r.preventDefault).toHaveBeenCalled()
    const f = fake.fakeEvent({ url: 'https://evil.example/frame' })
    wc.emit('will-frame-navigate', f)
    expect(f.preventDefault).toHaveBeenCalled()
    const ok = fake.fakeEvent({ url: 'app://miodesk/index.html' })
    wc.emit('will-frame-navigate', ok)
    expect(ok.preventDefault).not.toHaveBeenCalled()
  })

  it('window.open is always denied; http(s) targets open in the system browser, others nowhere', async () => {
    const wc = hardened()
    expect(wc.windowOpenHandler).toBeTypeOf('function')
    expect(wc.windowOpenHandler!({ url: 'https://example.com/a' })).toEqual({ action: 'deny' })
    await vi.waitFor(() => expect(fake.shell.openExternal).toHaveBeenCalledWith('https://example.com/a'))
    for (const url of ['app://miodesk/index.html', 'file:///etc/passwd', 'javascript:alert(1)', 'data:text/html,<b>x</b>']) {
      expect(wc.windowOpenHandler!({ url })).toEqual({ action: 'deny' })
    }
    await new Promise((r) => setTimeout(r, 0))
    expect(fake.shell.openExternal).toHaveBeenCalledTimes(1)
  })

  it('denies attaching a <webview>', () => {
    const wc = hardened()
    const e = fake.fakeEvent()
    wc.emit('will-attach-webview', e, {}, {})
    expect(e.preventDefault).toHaveBeenCalled()
  })
})

describe('permissions', () => {
  it('the request handler denies by default (camera, mic, location, notifications, openExternal, unknown)', () => {
    hardenSession(fake.session.defaultSession as never, isAppUrl)
    const handler = fake.session.defaultSession.permissionRequestHandler!
    expect(handler).toBeTypeOf('function')
    const wc = { getURL: () => 'app://miodesk/index.html' }
    for (const perm of ['media', 'geolocation', 'notifications', 'openExternal', 'midiSysex', 'display-capture', 'clipboard-read', 'unknown']) {
      const cb = vi.fn()
      handler(wc, perm, cb, { requestingUrl: 'app://miodesk/index.html' })
      expect(cb, perm).toHaveBeenCalledWith(false)
    }
  })

  it('even harmless permissions are denied to foreign origins', () => {
    hardenSession(fake.session.defaultSession as never, isAppUrl)
    const handler = fake.session.defaultSession.permissionRequestHandler!
    const cb = vi.fn()
    handler({ getURL: () => 'https://evil.example/' }, 'clipboard-sanitized-write', cb, { requestingUrl: 'https://evil.example/' })
    expect(cb).toHaveBeenCalledWith(false)
    const ok = vi.fn()
    handler({ getURL: () => 'app://miodesk/index.html' }, 'clipboard-sanitized-write', ok, { requestingUrl: 'app://miodesk/index.html' })
    expect(ok).toHaveBeenCalledWith(true)
  })

  it('the check handler denies by default too', () => {
    hardenSession(fake.session.defaultSession as never, isAppUrl)
    const check = fake.session.defaultSession.permissionCheckHandler!
    expect(check).toBeTypeOf('function')
    expect(check(null, 'media', 'app://miodesk')).toBe(false)
    expect(check(null, 'geolocation', 'app://miodesk')).toBe(false)
    expect(check(null, 'notifications', 'app://miodesk')).toBe(false)
    expect(check(null, 'clipboard-sanitized-write', 'https://evil.example')).toBe(false)
    expect(isPermissionAllowed('fullscreen', 'app://miodesk/index.html', isAppUrl)).toBe(true)
  })
})

describe('saving files (will-download)', () => {
  class Item extends EventEmitter {
    constructor(readonly url: string) {
      super()
    }
    getURL(): string {
      return this.url
    }
    getFilename(): string {
      return 'photo.jpg'
    }
    getReceivedBytes(): number {
      return 512
    }
    getTotalBytes(): number {
      return 2048
    }
  }
  const appPage = { getURL: () => 'app://miodesk/index.html' }

  it('only an app page may save, only http(s)/data:/blob:, through the save dialog with its progress reported', () => {
    const ses = new fake.FakeSession()
    const progress: unknown[] = []
    hardenSession(ses as never, isAppUrl, (p) => progress.push(p))
    const attempt = (url: string, from: { getURL(): string }): { prevented: boolean; item: Item } => {
      const e = fake.fakeEvent()
      const item = new Item(url)
      ses.emit('will-download', e, item, from)
      return { prevented: vi.mocked(e.preventDefault).mock.calls.length > 0, item }
    }
    expect(attempt('https://cdn.example/photo.jpg', { getURL: () => 'https://evil.example/' }).prevented).toBe(true)
    expect(attempt('file:///etc/passwd', appPage).prevented).toBe(true)
    expect(attempt('javascript:alert(1)', appPage).prevented).toBe(true)
    const ok = attempt('https://cdn.example/photo.jpg', appPage)
    expect(ok.prevented).toBe(false)
    ok.item.emit('updated', {}, 'progressing')
    ok.item.emit('done', {}, 'completed')
    expect(progress).toEqual([
      { id: 'dl-1', name: 'photo.jpg', received: 512, total: 2048, state: 'progressing' },
      { id: 'dl-1', name: 'photo.jpg', received: 512, total: 2048, state: 'completed' }
    ])
    expect(attempt('data:image/png;base64,AAAA', appPage).prevented).toBe(false)
  })
})

describe('safeOpenURL', () => {
  it('opens only parsed http/https URLs without credentials', async () => {
    await safeOpenURL('https://example.com/path?q=1')
    await safeOpenURL('http://example.com')
    expect(fake.shell.openExternal.mock.calls.map((c) => c[0])).toEqual(['https://example.com/path?q=1', 'http://example.com/'])
  })

  it.each([
    'javascript:alert(1)',
    'JAVASCRIPT:alert(1)',
    'file:///etc/passwd',
    'data:text/html,<script>alert(1)</script>',
    'http://user:pw@example.com/',
    'https://user@example.com/',
    'smb://server/share',
    'vbscript:msgbox',
    'app://miodesk/index.html',
    'http//missing-colon',
    'not a url',
    '',
    ' https://',
    'mailto:a@b.c'
  ])('refuses %s', async (url) => {
    await expect(safeOpenURL(url)).rejects.toThrow(/http and https/)
    expect(fake.shell.openExternal).not.toHaveBeenCalled()
  })

  it('normalises what it passes on (no raw string reaches the shell)', () => {
    expect(parseExternalUrl('HTTPS://Example.COM/a b')).toBe('https://example.com/a%20b')
    expect(parseExternalUrl(42)).toBeNull()
  })
})

describe('app URL check', () => {
  it('accepts only app://miodesk, or the exact dev server origin', () => {
    expect(isAppUrl('app://miodesk/index.html')).toBe(true)
    expect(isAppUrl('app://evil/index.html')).toBe(false)
    expect(isAppUrl('http://localhost:5173/')).toBe(false)
    const dev = createAppUrlCheck('http://localhost:5173')
    expect(dev('http://localhost:5173/src/main.ts')).toBe(true)
    expect(dev('http://localhost:5174/')).toBe(false)
    expect(dev('http://evil.localhost:5173/')).toBe(false)
    expect(dev('https://localhost:5173/')).toBe(false)
  })
})
