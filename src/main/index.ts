/**
 * Electron main entry: the thin shell around the core (src/core). It owns the single-instance
 * lock, the app:// protocol, security hardening, IPC, the window, the tray and notifications; all chat
 * logic lives in AppCore.
 */
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { app, BrowserWindow, clipboard, dialog, Menu, session } from 'electron'
import { DEFAULT_SETTINGS, EVENT_PREFIX, type MainEvents, type Settings } from '../shared/api'
import type { AppLocale } from '../shared/locale'
import { AppCore } from '../core/app-core'
import { KEYS } from '../core/storage/keys'
import { createHandlers } from '../core/handlers'
import { createConsoleLogger } from '../core/log'
import { registerAppProtocol, registerAppSchemePrivileged } from './app-protocol'
import { registerMediaProtocol } from './media-protocol'
import { forwardCoreEvents, registerIpcHandlers } from './ipc'
import { MessageNotifier, type NotificationSettings } from './notifications'
import { installContextMenu } from './context-menu'
import { askPlaintextConsent, createElectronStore, SafeStorageSecretBox } from './store'
import { mainLocale, mainStrings } from './strings'
import { openHistoryOrAsk } from './history-open'
import { appMenuTemplate } from './app-menu'
import { TrayController } from './tray'
import { createAppUrlCheck, hardenSession, hardenWebContents, safeOpenURL } from './webcontents-handler'
import { createMainWindow, showWindow } from './window'
import { parseSuggestedAccount } from './suggested-account'

const APP_ID = 'dev.miodesk.app'
const STOP_TIMEOUT_MS = 3000

const here = dirname(fileURLToPath(import.meta.url))
const log = createConsoleLogger('miodesk')

// Before `ready`: the privileged scheme and the sandbox for every renderer.
registerAppSchemePrivileged()
app.enableSandbox()

if (!app.requestSingleInstanceLock()) {
  // Another MioDesk is running; it gets `second-instance` and shows its window.
  app.quit()
} else {
  void main()
}

async function main(): Promise<void> {
  let mainWindow: BrowserWindow | null = null
  let tray: TrayController | null = null
  let quitting = false
  let stopped = false
  let stopping = false
  let settings: Settings = { ...DEFAULT_SETTINGS }
  /** The language of everything main shows: the user's setting, 'system' resolved (read at each use). */
  const locale = (): AppLocale => mainLocale(settings.locale)

  const devServerUrl = !app.isPackaged ? process.env['ELECTRON_RENDERER_URL'] : undefined
  const isAppUrl = createAppUrlCheck(devServerUrl)

  app.on('second-instance', () => showWindow(mainWindow))
  app.on('web-contents-created', (_event, contents) => {
    hardenWebContents(contents, isAppUrl)
    installContextMenu(contents, locale)
  })
  if (process.platform === 'win32') app.setAppUserModelId(APP_ID)

  await app.whenReady()
  // An installed build: a minimal menu (no reload, no DevTools); development keeps Electron's.
  if (app.isPackaged) Menu.setApplicationMenu(Menu.buildFromTemplate(appMenuTemplate(mainStrings(locale()))))

  hardenSession(session.defaultSession, isAppUrl, (p) => {
    const wc = mainWindow?.webContents
    if (wc && !wc.isDestroyed()) wc.send(EVENT_PREFIX + 'download', p)
  })
  registerAppProtocol(join(here, '../renderer'))

  const { store, damaged } = createElectronStore()
  if (damaged) log.error('The settings file was damaged; it was moved aside', damaged)
  const secrets = new SafeStorageSecretBox({ store, askPlaintext: () => askPlaintextConsent(locale()) })
  // The only copy of the message history and the outbox (docs/STORAGE.md). Without it the app must not run.
  const hasAccounts = [KEYS.mioAccounts, KEYS.yunhuAccounts].some((k) => (store.get<unknown[]>(k)?.length ?? 0) > 0)
  const opened = openHistoryOrAsk(join(app.getPath('userData'), 'history.sqlite'), { expectExisting: hasAccounts, strings: mainStrings(locale()), dialog, clipboard, log })
  if (!opened) {
    app.exit(1)
    return
  }
  const history = opened.history
  const core = new AppCore({
    store,
    secrets,
    history,
    damagedFiles: [damaged, opened.movedAside].filter((f): f is string => !!f),
    logger: log,
    mediaDir: join(app.getPath('userData'), 'media-cache'),
    suggestedAccount: parseSuggestedAccount(process.env['MIODESK_SUGGESTED_ACCOUNT']),
    host: 'electron',
    version: app.getVersion(),
    openExternal: safeOpenURL,
    exportTarget: async (fileName) => {
      const win = mainWindow && !mainWindow.isDestroyed() ? mainWindow : undefined
      const ext = fileName.slice(fileName.lastIndexOf('.') + 1)
      const options = { defaultPath: join(app.getPath('downloads'), fileName), filters: [{ name: ext.toUpperCase(), extensions: [ext] }] }
      const r = win ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options)
      return r.canceled || !r.filePath ? undefined : { path: r.filePath }
    },
    profileDir: app.getPath('userData'),
    backupTarget: async (fileName) => {
      const win = mainWindow && !mainWindow.isDestroyed() ? mainWindow : undefined
      const options = { defaultPath: join(app.getPath('documents'), fileName), filters: [{ name: 'MioDesk backup', extensions: ['miodesk-backup'] }] }
      const r = win ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options)
      return r.canceled || !r.filePath ? undefined : { path: r.filePath }
    },
    backupSource: async () => {
      const win = mainWindow && !mainWindow.isDestroyed() ? mainWindow : undefined
      const options = { properties: ['openFile' as const], filters: [{ name: 'MioDesk backup', extensions: ['miodesk-backup'] }] }
      const r = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options)
      return r.canceled ? undefined : r.filePaths[0]
    },
    systemLanguages: () => app.getPreferredSystemLanguages(),
    // The session's will-download (hardenSession) asks where to save and reports progress.
    saveUrl: async (url) => {
      const wc = mainWindow?.webContents
      if (!wc || wc.isDestroyed()) throw new Error('The window is closed')
      wc.downloadURL(url)
    }
  })
  const handlers = createHandlers(core)
  registerMediaProtocol(() => core.media)

  registerIpcHandlers({
    handlers,
    isAppUrl,
    onError: (channel, err) => log.debug(`IPC ${channel} failed`, err instanceof Error ? err.message : String(err))
  })
  forwardCoreEvents(core.events, () => mainWindow?.webContents)

  // Every settings change re-labels the tray (mute, and the language when it changed).
  core.events.on('settings', (s: MainEvents['settings']) => {
    settings = s
    tray?.refresh()
  })
  handlers['settings:get']().then(
    (s) => {
      settings = s
      tray?.refresh()
    },
    (err: unknown) => log.warn('Could not read settings', err instanceof Error ? err.message : String(err))
  )

  const buildDir = join(app.getAppPath(), 'build')
  const createWindow = (): BrowserWindow => {
    const win = createMainWindow({
      preloadPath: join(here, '../preload/index.cjs'),
      devServerUrl,
      icon: join(buildDir, 'icon.png'),
      closeToTray: () => settings.closeToTray,
      isQuitting: () => quitting,
      hasTray: () => tray !== null,
      packaged: app.isPackaged
    })
    win.on('focus', () => notifier.clearUnread())
    win.on('show', () => tray?.refresh())
    win.on('hide', () => tray?.refresh())
    win.on('closed', () => {
      if (mainWindow === win) mainWindow = null
      tray?.refresh()
    })
    return win
  }

  const ensureWindow = (): BrowserWindow => {
    if (!mainWindow || mainWindow.isDestroyed()) mainWindow = createWindow()
    return mainWindow
  }

  const openConversation = (accountId: string, contactId: string): void => {
    const win = ensureWindow()
    showWindow(win)
    const payload: MainEvents['open-conversation'] = { accountId, contactId }
    win.webContents.send(EVENT_PREFIX + 'open-conversation', payload)
  }

  const notifier = new MessageNotifier({
    events: core.events,
    getSettings: (): NotificationSettings => settings,
    getLocale: locale,
    isWindowActive: () => !!mainWindow && !mainWindow.isDestroyed() && mainWindow.isVisible() && !mainWindow.isMinimized() && mainWindow.isFocused(),
    openConversation,
    // Allow / Deny pressed in a question's notification (macOS): answered like the buttons in the window.
    // If the question is gone meanwhile, the conversation opens to show where it stands.
    answer: (accountId, contactId, messageId, approved) => {
      core.mio.answer(accountId, contactId, messageId, approved).catch((err: unknown) => {
        log.warn('Could not answer from the notification', err instanceof Error ? err.message : String(err))
        openConversation(accountId, contactId)
      })
    },
    onUnreadChange: (count) => tray?.setUnread(count)
  })

  mainWindow = createWindow()

  try {
    tray = new TrayController({
      iconPath: join(buildDir, process.platform === 'darwin' ? 'trayTemplate.png' : 'tray.png'),
      overlayIconPath: join(buildDir, 'overlay.png'),
      isWindowVisible: () => !!mainWindow && !mainWindow.isDestroyed() && mainWindow.isVisible(),
      isMuted: () => !settings.notifications,
      getWindow: () => mainWindow,
      getLocale: locale,
      toggleWindow: () => {
        if (mainWindow && !mainWindow.isDestroyed() && mainWindow.isVisible() && mainWindow.isFocused()) mainWindow.hide()
        else showWindow(ensureWindow())
      },
      setMuted: (muted) => {
        handlers['settings:set']({ notifications: !muted }).catch((err: unknown) =>
          log.warn('Could not change the notification setting', err instanceof Error ? err.message : String(err))
        )
      },
      quit: () => app.quit()
    })
  } catch (err) {
    log.warn('No tray icon on this system', err instanceof Error ? err.message : String(err))
    tray = null
  }

  app.on('activate', () => showWindow(ensureWindow()))

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })

  app.on('before-quit', (event) => {
    quitting = true
    if (stopped) return
    event.preventDefault()
    if (stopping) return
    stopping = true
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, STOP_TIMEOUT_MS).unref())
    Promise.race([core.stop(), timeout])
      .catch((err: unknown) => log.warn('Core did not stop cleanly', err instanceof Error ? err.message : String(err)))
      .finally(() => {
        stopped = true
        history.close()
        tray?.destroy()
        tray = null
        app.quit()
      })
  })

  core.start().catch((err: unknown) => log.error('Core start failed', err instanceof Error ? err.message : String(err)))
}
