/** Small browser helpers: clipboard, saving files, reading images. */
import { useAppApi } from '../composables/useAppApi'

export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text)
    return true
  } catch {
    const ta = document.createElement('textarea')
    ta.value = text
    ta.style.position = 'fixed'
    ta.style.opacity = '0'
    document.body.appendChild(ta)
    ta.select()
    const ok = document.execCommand('copy')
    ta.remove()
    return ok
  }
}

/**
 * Anchors the app itself made (e.g. saveUrl's): only these may skip the link click handler. An attribute
 * (`download`, `data-internal`) would not do: a stranger's HTML can carry it.
 */
const ownAnchors = new WeakSet<HTMLAnchorElement>()
export function isOwnAnchor(a: HTMLAnchorElement): boolean {
  return ownAnchors.has(a)
}

/**
 * Saves a file. One of this page's own (data:, blob:, same origin) is saved as a download with its name; a
 * remote one goes through the main process (a save dialog, progress as `download` events), or — where the
 * host cannot (the browser build) — opens in a new tab for the browser to save: never by navigating the
 * app itself away (a cross-origin `download` link is followed, not downloaded).
 */
export function saveUrl(url: string, name: string): void {
  let remote = false
  try {
    const u = new URL(url, location.href)
    remote = (u.protocol === 'http:' || u.protocol === 'https:') && u.origin !== location.origin
  } catch {
    return
  }
  if (remote) {
    void useAppApi()
      .saveUrl(url)
      .catch(() => window.open(url, '_blank', 'noopener,noreferrer'))
    return
  }
  const a = document.createElement('a')
  ownAnchors.add(a)
  a.href = url
  a.download = name || 'download'
  a.rel = 'noopener'
  document.body.appendChild(a)
  a.click()
  a.remove()
}

export function openExternal(url: string): void {
  if (!/^https?:\/\//i.test(url)) return
  void useAppApi()
    .openExternal(url)
    .catch(() => {})
}

export function readAsDataUrl(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader()
    r.onload = () => resolve(String(r.result))
    r.onerror = () => reject(r.error ?? new Error('Could not read the file'))
    r.readAsDataURL(file)
  })
}

export const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent)
