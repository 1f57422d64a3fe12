/**
 * The tray icon: unread count in the tooltip (and title on macOS), the dock/launcher badge where the
 * platform has one, a taskbar overlay on Windows, and a menu: show/hide, mute notifications, quit. All of it
 * in the user's language, re-read on every refresh (so a locale change re-labels it).
 */
import { app, Menu, nativeImage, Tray, type BrowserWindow, type MenuItemConstructorOptions, type NativeImage } from 'electron'
import type { AppLocale } from '../shared/locale'
import { mainStrings } from './strings'

export interface TrayActions {
  toggleWindow: () => void
  setMuted: (muted: boolean) => void
  quit: () => void
}

export interface TrayState {
  windowVisible: boolean
  muted: boolean
  unread: number
}

export interface TrayOptions extends TrayActions {
  iconPath: string
  /** A small badge image for the Windows taskbar overlay. */
  overlayIconPath?: string
  isWindowVisible: () => boolean
  isMuted: () => boolean
  getWindow: () => BrowserWindow | null
  /** The user's language now (read at each refresh). */
  getLocale: () => AppLocale
  platform?: NodeJS.Platform
}

export function trayMenuTemplate(state: TrayState, actions: TrayActions, locale: AppLocale): MenuItemConstructorOptions[] {
  const t = mainStrings(locale)
  return [
    { id: 'toggle', label: state.windowVisible ? t.hideApp : t.showApp, click: () => actions.toggleWindow() },
    { id: 'mute', label: t.muteNotifications, type: 'checkbox', checked: state.muted, click: () => actions.setMuted(!state.muted) },
    { type: 'separator' },
    { id: 'quit', label: t.quitApp, click: () => actions.quit() }
  ]
}

function loadImage(path: string | undefined): NativeImage | null {
  if (!path) return null
  try {
    const img = nativeImage.createFromPath(path)
    return img.isEmpty() ? null : img
  } catch {
    return null
  }
}

export class TrayController {
  private readonly tray: Tray
  private readonly platform: NodeJS.Platform
  private readonly overlay: NativeImage | null
  private unread = 0

  constructor(private readonly opts: TrayOptions) {
    this.platform = opts.platform ?? process.platform
    const icon = loadImage(opts.iconPath) ?? nativeImage.createEmpty()
    this.tray = new Tray(icon)
    this.overlay = loadImage(opts.overlayIconPath)
    // Windows/Linux: a click on the icon shows or hides the window (macOS opens the menu).
    this.tray.on('click', () => {
      if (this.platform !== 'darwin') opts.toggleWindow()
    })
    this.refresh()
  }

  get unreadCount(): number {
    return this.unread
  }

  setUnread(count: number): void {
    this.unread = Math.max(0, Math.floor(count) || 0)
    this.refresh()
    try {
      // macOS dock badge; Linux Unity launchers. Returns false where unsupported.
      app.setBadgeCount(this.unread)
    } catch {
      // not supported here
    }
    if (this.platform === 'win32') {
      const win = this.opts.getWindow()
      if (win && !win.isDestroyed()) {
        win.setOverlayIcon(this.unread > 0 ? this.overlay : null, this.unread > 0 ? mainStrings(this.opts.getLocale()).trayTooltip(this.unread) : '')
      }
    }
  }

  /** Rebuilds tooltip, title and menu from the current state (call after show/hide, mute or language changes). */
  refresh(): void {
    if (this.tray.isDestroyed()) return
    const locale = this.opts.getLocale()
    const state: TrayState = { windowVisible: this.opts.isWindowVisible(), muted: this.opts.isMuted(), unread: this.unread }
    this.tray.setToolTip(mainStrings(locale).trayTooltip(this.unread))
    if (this.platform === 'darwin') this.tray.setTitle(this.unread > 0 ? String(this.unread) : '')
    this.tray.setContextMenu(Menu.buildFromTemplate(trayMenuTemplate(state, this.opts, locale)))
  }

  destroy(): void {
    if (!this.tray.isDestroyed()) this.tray.destroy()
  }
}
