/**
 * The application menu of an installed build: only what a chat app needs (edit for the shortcuts, quit,
 * and on macOS the app menu), no View menu with reload or DevTools. A development run keeps Electron's
 * default menu.
 */
import type { MenuItemConstructorOptions } from 'electron'
import type { MainStrings } from './strings'

export function appMenuTemplate(s: MainStrings, platform: NodeJS.Platform = process.platform): MenuItemConstructorOptions[] {
  const edit: MenuItemConstructorOptions = {
    role: 'editMenu',
    submenu: [
      { role: 'undo' },
      { role: 'redo' },
      { type: 'separator' },
      { role: 'cut', label: s.cut },
      { role: 'copy', label: s.copy },
      { role: 'paste', label: s.paste },
      { role: 'selectAll', label: s.selectAll }
    ]
  }
  if (platform === 'darwin') return [{ role: 'appMenu', submenu: [{ role: 'hide' }, { role: 'hideOthers' }, { role: 'unhide' }, { type: 'separator' }, { role: 'quit', label: s.quitApp }] }, edit]
  return [{ label: s.appName, submenu: [{ role: 'quit', label: s.quitApp }] }, edit]
}
