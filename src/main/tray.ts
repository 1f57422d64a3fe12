/**
 * The tray icon: unread count in the tooltip (and title on macOS), the dock/launcher badge where the
 * platform has one, a taskbar overlay on Windows, and a menu: show/hide, mute notifications, quit.
 */
import { app, Menu, nativeImage, Tray, type BrowserWindow, type MenuItemConstructorOptions, type NativeImage } from 'electron'

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
  platform?: NodeJS.Platform
}

export function trayTooltip(unread: number): string {
  if (unread <= 0) return 'MioDesk'
  return `MioDesk — ${unread} unread message${unread === 1 ? '' : 's'}`
}

export function trayMenuTemplate(state: TrayState, actions: TrayActions): MenuItemConstructorOptions[] {
  return [
    { id: 'toggle', label: state.windowVisible ? 'Hide MioDesk' : 'Show MioDesk', click: () => actions.toggleWindow() },
    { id: 'mute', label: 'Mute notifications', type: 'checkbox', checked: state.muted, click: () => actions.setMuted(!state.muted) },
    { type: 'separator' },
    { id: 'quit', label: 'Quit MioDesk', click: () => actions.quit() }
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
        win.setOverlayIcon(this.unread > 0 ? this.overlay : null, this.unread > 0 ? trayTooltip(this.unread) : '')
      }
    }
  }

  /** Rebuilds tooltip, title and menu from the current state (call after show/hide or mute changes). */
  refresh(): void {
    if (this.tray.isDestroyed()) return
    const state: TrayState = { windowVisible: this.opts.isWindowVisible(), muted: this.opts.isMuted(), unread: this.unread }
    this.tray.setToolTip(trayTooltip(this.unread))
    if (this.platform === 'darwin') this.tray.setTitle(this.unread > 0 ? String(this.unread) : '')
    this.tray.setContextMenu(Menu.buildFromTemplate(trayMenuTemplate(state, this.opts)))
  }

  destroy(): void {
    if (!this.tray.isDestroyed()) this.tray.destroy()
  }
}
