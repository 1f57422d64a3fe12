/**
 * The right-click menu of the window: spelling suggestions, cut/copy/paste where they apply, and
 * "Copy link" / "Open link" for http(s) links (opened through safeOpenURL); worded in the user's language
 * (the cut/copy/paste role items too: Electron labels roles in English whatever the app locale).
 */
import { clipboard, Menu, type ContextMenuParams, type MenuItemConstructorOptions, type WebContents } from 'electron'
import type { AppLocale } from '../shared/locale'
import { mainStrings } from './strings'
import { parseExternalUrl, safeOpenURL } from './webcontents-handler'

type Params = Pick<ContextMenuParams, 'isEditable' | 'misspelledWord' | 'dictionarySuggestions' | 'editFlags' | 'linkURL' | 'selectionText'>

export function contextMenuTemplate(params: Params, contents: Pick<WebContents, 'replaceMisspelling' | 'session'>, locale: AppLocale): MenuItemConstructorOptions[] {
  const t = mainStrings(locale)
  const items: MenuItemConstructorOptions[] = []
  if (params.isEditable && params.misspelledWord) {
    for (const word of params.dictionarySuggestions.slice(0, 5)) {
      items.push({ label: word, click: () => contents.replaceMisspelling(word) })
    }
    items.push({
      label: t.addToDictionary,
      click: () => contents.session.addWordToSpellCheckerDictionary(params.misspelledWord)
    })
    items.push({ type: 'separator' })
  }
  const link = parseExternalUrl(params.linkURL)
  if (link) {
    items.push({ label: t.openLink, click: () => void safeOpenURL(link).catch(() => undefined) })
    items.push({ label: t.copyLink, click: () => clipboard.writeText(link) })
    items.push({ type: 'separator' })
  }
  if (params.isEditable) {
    items.push({ role: 'cut', label: t.cut, enabled: params.editFlags.canCut })
    items.push({ role: 'copy', label: t.copy, enabled: params.editFlags.canCopy })
    items.push({ role: 'paste', label: t.paste, enabled: params.editFlags.canPaste })
    items.push({ role: 'selectAll', label: t.selectAll, enabled: params.editFlags.canSelectAll })
  } else if (params.selectionText) {
    items.push({ role: 'copy', label: t.copy, enabled: params.editFlags.canCopy })
  }
  while (items.length > 0 && items[items.length - 1]!.type === 'separator') items.pop()
  return items
}

/** `getLocale` is read at each right-click, so the menu follows a language change. */
export function installContextMenu(contents: WebContents, getLocale: () => AppLocale): void {
  contents.on('context-menu', (_event, params) => {
    const template = contextMenuTemplate(params, contents, getLocale())
    if (template.length > 0) Menu.buildFromTemplate(template).popup()
  })
}
