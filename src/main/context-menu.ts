/**
 * The right-click menu of the window: spelling suggestions, cut/copy/paste where they apply, and
 * "Copy link" / "Open link" for http(s) links (opened through safeOpenURL).
 */
import { clipboard, Menu, type ContextMenuParams, type MenuItemConstructorOptions, type WebContents } from 'electron'
import { parseExternalUrl, safeOpenURL } from './webcontents-handler'

type Params = Pick<ContextMenuParams, 'isEditable' | 'misspelledWord' | 'dictionarySuggestions' | 'editFlags' | 'linkURL' | 'selectionText'>

export function contextMenuTemplate(params: Params, contents: Pick<WebContents, 'replaceMisspelling' | 'session'>): MenuItemConstructorOptions[] {
  const items: MenuItemConstructorOptions[] = []
  if (params.isEditable && params.misspelledWord) {
    for (const word of params.dictionarySuggestions.slice(0, 5)) {
      items.push({ label: word, click: () => contents.replaceMisspelling(word) })
    }
    items.push({
      label: 'Add to dictionary',
      click: () => contents.session.addWordToSpellCheckerDictionary(params.misspelledWord)
    })
    items.push({ type: 'separator' })
  }
  const link = parseExternalUrl(params.linkURL)
  if (link) {
    items.push({ label: 'Open link in browser', click: () => void safeOpenURL(link).catch(() => undefined) })
    items.push({ label: 'Copy link', click: () => clipboard.writeText(link) })
    items.push({ type: 'separator' })
  }
  if (params.isEditable) {
    items.push({ role: 'cut', enabled: params.editFlags.canCut })
    items.push({ role: 'copy', enabled: params.editFlags.canCopy })
    items.push({ role: 'paste', enabled: params.editFlags.canPaste })
    items.push({ role: 'selectAll', enabled: params.editFlags.canSelectAll })
  } else if (params.selectionText) {
    items.push({ role: 'copy', enabled: params.editFlags.canCopy })
  }
  while (items.length > 0 && items[items.length - 1]!.type === 'separator') items.pop()
  return items
}

export function installContextMenu(contents: WebContents): void {
  contents.on('context-menu', (_event, params) => {
    const template = contextMenuTemplate(params, contents)
    if (template.length > 0) Menu.buildFromTemplate(template).popup()
  })
}
