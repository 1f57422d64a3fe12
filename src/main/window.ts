/**
 * The main window: locked-down webPreferences, the renderer loaded from `app://miodesk` (or the dev
 * server in development), and close → hide to the tray when the `closeToTray` setting is on.
 */
import { BrowserWindow } from 'electron'
import { APP_ENTRY_URL } from './app-protocol'

export interface MainWindowOptions {
  preloadPath: string
  /** The dev server URL (development only); otherwise the app:// entry is loaded. */
  devServerUrl?: string
  icon?: string
  /** Current value of the closeToTray setting. */
  closeToTray: () => boolean
  /** True once the app is quitting (then close really closes). */
  isQuitting: () => boolean
  /** Whether a tray icon exists to bring the window back. */
  hasTray: () => boolean
  /** A packaged (installed) build: no DevTools. */
  packaged?: boolean
}

export function rendererEntryUrl(devServerUrl?: string): string {
  return devServerUrl || APP_ENTRY_URL
}

/** Whether closing the window should hide it instead (tray mode). */
export function shouldHideOnClose(opts: Pick<MainWindowOptions, 'closeToTray' | 'isQuitting' | 'hasTray'>): boolean {
  return !opts.isQuitting() && opts.closeToTray() && opts.hasTray()
}

export function createMainWindow(opts: MainWindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    width: 1100,
    height: 740,
    minWidth: 640,
    minHeight: 480,
    show: false,
    title: 'MioDesk',
    backgroundColor: '#1e1f29',
    autoHideMenuBar: true,
    icon: opts.icon,
    // Written out here (not built elsewhere) so static scanners such as electronegativity see them;
    // test/unit/electron/security.test.ts reads them back from the created window.
    webPreferences: {
      preload: opts.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: true,
      // Middle-click "open in new window" is a navigation vector we do not need.
      disableBlinkFeatures: 'Auxclick',
      // An installed app has no DevTools (a development run keeps them).
      devTools: opts.packaged !== true
    }
  })

  win.once('ready-to-show', () => win.show())

  win.on('close', (event) => {
    if (shouldHideOnClose(opts)) {
      event.preventDefault()
      win.hide()
    }
  })

  void win.loadURL(rendererEntryUrl(opts.devServerUrl))
  return win
}

/** Brings the window back from the tray / minimised state and focuses it. */
export function showWindow(win: BrowserWindow | null | undefined): void {
  if (!win || win.isDestroyed()) return
  if (win.isMinimized()) win.restore()
  if (!win.isVisible()) win.show()
  win.focus()
}
