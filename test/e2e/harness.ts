/**
 * E2E harness: per test file, a reference server and a browser bridge on random ports with a fresh data
 * dir, one Chromium and a page opened on the bridge URL. Helpers for the flows every test needs.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core'
import { startBridge, type RunningBridge } from '../../src/bridge/host'
import { REPO_ROOT } from '../../src/bridge/build'
import { startServer, type RunningServer } from '../../server/app'
import { launchChromium } from './browser'

export const SCREENSHOT_DIR = join(REPO_ROOT, 'screenshots')

export interface HarnessOptions {
  /** Reference server delay between streamed chunks (ms). */
  chunkDelayMs?: number
  locale?: string
  colorScheme?: 'light' | 'dark'
  viewport?: { width: number; height: number }
  /** Also mount the Yunhu reference API (`/v1/`, `/ws`) with its demo data in a fresh data dir. */
  yunhu?: boolean
  /** Also mount today's Mio-Chat generation (Socket.IO at /socket.io/): the app then detects and speaks it. */
  mioV2?: boolean
  /** Extra Chromium flags (e.g. a fake microphone playing a file). */
  chromiumArgs?: string[]
  /** Permissions granted to the page (e.g. 'microphone'). */
  permissions?: string[]
}

/** The Yunhu demo account of the reference server (when `yunhu` is set). */
export const YUNHU_EMAIL = 'demo@miodesk.local'
export const YUNHU_PASSWORD = 'e2e-yunhu-password'

export interface Harness {
  server: RunningServer
  bridge: RunningBridge
  browser: Browser
  context: BrowserContext
  page: Page
  serverPort: number
  /** ws://127.0.0.1:PORT of the reference server. */
  serverWs: string
  /** http://127.0.0.1:PORT, the Yunhu API base of the reference server (with `yunhu`). */
  serverHttp: string
  adminCode: string
  userCode: string
  /** Uncaught page errors and console errors seen so far. */
  pageErrors: string[]
  /** URLs the app asked to open in the system browser (app:open-external), in order. */
  opened: string[]
  consoleErrors: string[]
  /** Kills the reference server (every connection dropped). */
  killServer(): Promise<void>
  /** Starts it again on the same port with the same codes. */
  restartServer(): Promise<void>
  /** Opens a fresh page on the bridge URL (the old one is closed). */
  reload(): Promise<Page>
  screenshot(name: string): Promise<string>
  close(): Promise<void>
}

/**
 * Injected before any page script: records every `data-state` a tool-call chip goes through and every
 * CSP violation, so tests can assert on sequences a polling check could miss.
 */
function pageProbe(): void {
  const w = window as unknown as {
    __toolStates: Record<string, string[]>
    __cspViolations: string[]
    __toolSeq: number
  }
  w.__toolStates = {}
  w.__cspViolations = []
  w.__toolSeq = 0
  const keyOf = (el: Element): string => {
    const k = el.getAttribute('data-name') || el.getAttribute('data-tool-id') || (el as HTMLElement).dataset.e2eKey
    if (k) return k
    const n = `chip-${++w.__toolSeq}`
    ;(el as HTMLElement).dataset.e2eKey = n
    return n
  }
  const record = (el: Element): void => {
    if (el.getAttribute('data-testid') !== 'tool-call') return
    const state = el.getAttribute('data-state')
    if (!state) return
    const list = (w.__toolStates[keyOf(el)] ??= [])
    if (list[list.length - 1] !== state) list.push(state)
  }
  const scan = (n: Node): void => {
    if (!(n instanceof Element)) return
    record(n)
    n.querySelectorAll('[data-testid="tool-call"]').forEach(record)
  }
  const obs = new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === 'attributes') record(r.target as Element)
      else r.addedNodes.forEach(scan)
    }
  })
  const start = (): void => {
    obs.observe(document.documentElement, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state', 'data-testid'] })
  }
  if (document.documentElement) start()
  else document.addEventListener('DOMContentLoaded', start)
  document.addEventListener('securitypolicyviolation', (e) => {
    w.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`)
  })
}

const BACKOFF = { baseMs: 300, maxMs: 2000, factor: 1.6, jitter: 0.2 }

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const adminCode = 'e2e-admin-code'
  const userCode = 'e2e-user-code'
  const chunkDelayMs = opts.chunkDelayMs ?? 20
  const dataDir = mkdtempSync(join(tmpdir(), 'miodesk-e2e-'))
  const yunhu = opts.yunhu ? { dataDir: join(dataDir, 'yunhu-server'), email: YUNHU_EMAIL, password: YUNHU_PASSWORD, followUpMs: 300 } : undefined
  let server = await startServer({ port: 0, adminCode, userCode, chunkDelayMs, recallDelayMs: 300, yunhu, mioV2: opts.mioV2 })
  const serverPort = server.port
  const opened: string[] = []
  const bridge = await startBridge({
    dataDir,
    openExternal: async (url) => void opened.push(url),
    // Reconnect quickly after the server comes back (the default backoff grows to 30 s).
    core: { clientOptions: { backoff: BACKOFF }, v2Options: { backoff: BACKOFF } }
  })
  const browser = await launchChromium(opts.chromiumArgs)
  const context = await browser.newContext({
    viewport: opts.viewport ?? { width: 1280, height: 800 },
    deviceScaleFactor: 1,
    locale: opts.locale ?? 'en-US',
    colorScheme: opts.colorScheme ?? 'light'
  })
  if (opts.permissions?.length) await context.grantPermissions(opts.permissions, { origin: bridge.origin })
  await context.addInitScript(pageProbe)
  const pageErrors: string[] = []
  const consoleErrors: string[] = []
  let page: Page

  async function open(): Promise<Page> {
    const p = await context.newPage()
    p.on('pageerror', (e) => pageErrors.push(String(e?.stack ?? e)))
    p.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text())
    })
    await p.goto(bridge.url)
    return p
  }
  page = await open()

  const h: Harness = {
    server,
    bridge,
    browser,
    context,
    get page() {
      return page
    },
    serverPort,
    serverWs: `ws://127.0.0.1:${serverPort}`,
    serverHttp: `http://127.0.0.1:${serverPort}`,
    adminCode,
    userCode,
    pageErrors,
    opened,
    consoleErrors,
    async killServer() {
      await server.close()
    },
    async restartServer() {
      // The port was just released; retry briefly in case the OS still holds it.
      for (let i = 0; ; i++) {
        try {
          server = await startServer({ port: serverPort, adminCode, userCode, chunkDelayMs, recallDelayMs: 300, yunhu, mioV2: opts.mioV2 })
          h.server = server
          return
        } catch (e) {
          if (i >= 20) throw e
          await new Promise((r) => setTimeout(r, 100))
        }
      }
    },
    async reload() {
      await page.close()
      page = await open()
      return page
    },
    async screenshot(name) {
      mkdirSync(SCREENSHOT_DIR, { recursive: true })
      const file = join(SCREENSHOT_DIR, `${name}.png`)
      await page.screenshot({ path: file, animations: 'disabled' })
      return file
    },
    async close() {
      await browser.close().catch(() => {})
      await bridge.close().catch(() => {})
      await server.close().catch(() => {})
      rmSync(dataDir, { recursive: true, force: true })
    }
  }
  return h
}

// ------------------------------------------------------------------ flows

export const byTestId = (page: Page, id: string): Locator => page.locator(`[data-testid="${id}"]`)

/** Logs in through the form; waits until the connection indicator says online. */
export async function login(h: Harness, id = 'alice', code = h.userCode): Promise<void> {
  const page = h.page
  await byTestId(page, 'login-server').fill(h.serverWs)
  await byTestId(page, 'login-id').fill(id)
  await byTestId(page, 'login-token').fill(code)
  await byTestId(page, 'login-submit').click()
  await page.locator('[data-testid="connection-state"][data-state="online"]').first().waitFor({ timeout: 15_000 })
}

/** Signs in to the reference server's Yunhu demo account; waits until it is online. */
export async function yunhuSignIn(h: Harness): Promise<void> {
  const page = h.page
  await byTestId(page, 'account-kind-yunhu').click()
  await byTestId(page, 'yunhu-email').fill(YUNHU_EMAIL)
  await byTestId(page, 'yunhu-password').fill(YUNHU_PASSWORD)
  await byTestId(page, 'yunhu-api').fill(h.serverHttp)
  await byTestId(page, 'yunhu-login-submit').click()
  await page.locator('[data-testid="connection-state"][data-state="online"]').first().waitFor({ timeout: 20_000 })
}

/** Switches the language and the theme in the settings dialog (for screenshots). */
export async function setLook(page: Page, locale: 'en' | 'zh-CN', theme: 'light' | 'dark'): Promise<void> {
  await byTestId(page, 'open-settings').first().click()
  await byTestId(page, 'settings-locale').selectOption(locale)
  await byTestId(page, 'settings-theme').selectOption(theme)
  await page.waitForFunction((t) => document.documentElement.dataset.theme === t, theme)
  await page.keyboard.press('Escape')
  await byTestId(page, 'settings-theme').waitFor({ state: 'detached' })
}

export function conversationItem(page: Page, contactId: string): Locator {
  return page.locator(`[data-testid="conversation-item"][data-contact-id="${contactId}"]`)
}

/**
 * Resizes the window and waits for the shell to follow (one pane at a time below 900 px, stores/layout.ts:
 * the app hears of the new size a moment after the window has it).
 */
export async function resizeWindow(page: Page, width: number, height: number): Promise<void> {
  await page.setViewportSize({ width, height })
  await page.waitForFunction(() => {
    const shell = document.querySelector<HTMLElement>('[data-testid="shell"]')
    return !shell || (shell.dataset.layout === 'wide') === window.innerWidth >= 900
  })
}

/**
 * Back from the open pane to the conversation list, as a user does in a narrow window (one pane at a time,
 * stores/layout.ts): presses the pane's back button when there is one on screen; nothing in a wide window.
 * After a resize, call it once the shell has followed (`resizeWindow`).
 */
export async function backToList(page: Page): Promise<void> {
  const back = page.locator('[data-testid="narrow-back"]:visible')
  if (!(await back.count())) return
  await back.first().click()
  await page.locator('[data-testid="shell"][data-layout="list"]').waitFor()
}

export function llmItem(page: Page): Locator {
  return page.locator('[data-testid="conversation-item"][data-contact-id^="llm:"]').first()
}

export async function openBot(page: Page): Promise<void> {
  await conversationItem(page, 'bot').click()
  await byTestId(page, 'composer').waitFor()
}

export async function openAi(page: Page): Promise<void> {
  await llmItem(page).click()
  await byTestId(page, 'composer').waitFor()
}

/** Types into the composer and presses the send button. */
export async function sendText(page: Page, text: string): Promise<void> {
  const composer = byTestId(page, 'composer')
  await composer.fill(text)
  await byTestId(page, 'send').click()
}

export function messages(page: Page): Locator {
  return byTestId(page, 'message')
}

export function messageWithText(page: Page, text: string | RegExp): Locator {
  return messages(page).filter({ hasText: text })
}

/** Pastes an image file into the composer (a real ClipboardEvent with a File in its DataTransfer). */
export async function pasteImage(page: Page, pngBase64: string, name = 'pixel.png'): Promise<void> {
  await byTestId(page, 'composer').evaluate(
    (el, { b64, name }) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))
      const dt = new DataTransfer()
      dt.items.add(new File([bytes], name, { type: 'image/png' }))
      const ev = new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true })
      ;(el as HTMLElement).focus()
      el.dispatchEvent(ev)
    },
    { b64: pngBase64, name }
  )
}

/** Opens the context menu of a message and clicks one of its actions. */
export async function messageAction(page: Page, message: Locator, action: 'copy' | 'reply' | 'forward' | 'recall'): Promise<void> {
  await message.scrollIntoViewIfNeeded()
  await message.click({ button: 'right' })
  await byTestId(page, `action-${action}`).click()
}

/** Tool-call states recorded by the in-page MutationObserver, per chip. */
export async function recordedToolStates(page: Page): Promise<Record<string, string[]>> {
  return page.evaluate(() => (window as unknown as { __toolStates: Record<string, string[]> }).__toolStates)
}

export async function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations)
}

/** A 48×32 opaque PNG (purple), base64. */
export const TEST_PNG =
  'iVBORw0KGgoAAAANSUhEUgAAADAAAAAgCAIAAADbtmxLAAAAN0lEQVR4nO3OMREAMAgEMIwiAf9Lh7rgGXIXAanpd0rFB0JCQkLpgZCQkFB6ICQkJJQeCAkJLfuesKSX3RghOgAAAABJRU5ErkJggg=='
