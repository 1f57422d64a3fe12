/**
 * Remote images inside sanitised HTML (Markdown, Yunhu HTML, boards): the sanitiser's hook
 * (`deferRemoteMedia`) takes every remote address off the element, so nothing is fetched while the HTML
 * is parsed, cached or shown; `resolveRemoteImages` then runs over the live DOM and gives back the
 * address of each image the rule allows (src/shared/remote-media.ts), or puts a placeholder with a
 * "load" button beside one it does not. The rule depends on the conversation, the sanitised HTML does not
 * (it is cached and shared), which is why the decision is made on the DOM.
 */
import { isRemoteMediaUrl, remoteMediaHost } from '@shared/remote-media'

/** Where a held-back image keeps its address. */
export const DEFERRED_ATTR = 'data-remote-src'
/** The placeholder's class; it is found by its data-testid (a message's markup has no data-* attributes: DOMPurify refuses them). */
const PLACEHOLDER_CLASS = 'remote-media'

/** Elements other than <img> that load an address by themselves (SVG names upper-cased). */
const FETCHING_TAGS = new Set(['SOURCE', 'VIDEO', 'AUDIO', 'TRACK', 'INPUT', 'IMAGE', 'USE', 'FEIMAGE', 'TABLE', 'TD', 'TH', 'TR', 'BODY', 'EMBED', 'OBJECT', 'IFRAME'])

/** DOMPurify hook (afterSanitizeAttributes): no remote address survives on an element. */
export function deferRemoteMedia(node: Element): void {
  const tag = node.nodeName.toUpperCase()
  if (tag === 'IMG') {
    const src = node.getAttribute('src') ?? ''
    if (node.hasAttribute(DEFERRED_ATTR)) node.removeAttribute(DEFERRED_ATTR)
    node.removeAttribute('srcset')
    if (isRemoteMediaUrl(src)) {
      node.removeAttribute('src')
      node.setAttribute(DEFERRED_ATTR, src)
    }
    return
  }
  // Anything else that could fetch by itself: never from a remote address (a short tag list: this runs for
  // every element of every sanitised block, streamed ones too).
  if (!FETCHING_TAGS.has(tag) || !node.hasAttributes()) return
  for (const attr of ['src', 'srcset', 'poster', 'href', 'xlink:href', 'background']) {
    const v = node.getAttribute(attr)
    if (v && (attr === 'srcset' || isRemoteMediaUrl(v))) node.removeAttribute(attr)
  }
}

export interface RemoteImageWords {
  /** The placeholder's text, given the host ("Image from example.com"). */
  blocked(host: string): string
  /** The button's text. */
  load: string
  /** The button's tooltip. */
  loadHint: string
}

/** The held-back images under `root` (and `root` itself). */
function deferred(root: ParentNode | Element): HTMLImageElement[] {
  const out = [...root.querySelectorAll<HTMLImageElement>(`img[${DEFERRED_ATTR}]`)]
  if (root instanceof Element && root.matches(`img[${DEFERRED_ATTR}]`)) out.unshift(root as HTMLImageElement)
  return out
}

/**
 * Shows each held-back image under `root` whose address `allows`, and puts a placeholder beside each other
 * one (once). `onLoad` runs when the user presses a placeholder's button. Returns how many stay held back.
 */
export function resolveRemoteImages(root: ParentNode, allows: (url: string) => boolean, words: RemoteImageWords, onLoad: () => void): number {
  let held = 0
  for (const img of deferred(root)) {
    const url = img.getAttribute(DEFERRED_ATTR) ?? ''
    const prev = img.previousElementSibling
    const placeholder = prev?.getAttribute('data-testid') === 'remote-media-blocked' ? prev : null
    if (allows(url)) {
      placeholder?.remove()
      img.hidden = false
      img.removeAttribute(DEFERRED_ATTR)
      img.setAttribute('referrerpolicy', 'no-referrer')
      img.src = url
      continue
    }
    held++
    img.hidden = true
    if (placeholder) continue
    img.before(placeholderFor(url, img.getAttribute('alt') ?? '', words, onLoad))
  }
  return held
}

function placeholderFor(url: string, alt: string, words: RemoteImageWords, onLoad: () => void): HTMLElement {
  const box = document.createElement('span')
  box.className = PLACEHOLDER_CLASS
  box.dataset.testid = 'remote-media-blocked'
  box.dataset.host = remoteMediaHost(url)
  const label = document.createElement('span')
  label.className = 'remote-media__label'
  label.textContent = alt.trim() ? `${alt.trim().slice(0, 80)} · ${words.blocked(remoteMediaHost(url))}` : words.blocked(remoteMediaHost(url))
  label.title = url.slice(0, 300)
  const button = document.createElement('button')
  button.type = 'button'
  button.className = 'link-btn remote-media__load'
  button.dataset.testid = 'remote-media-load'
  button.textContent = words.load
  button.title = words.loadHint
  button.addEventListener('click', (e) => {
    e.preventDefault()
    e.stopPropagation()
    onLoad()
  })
  box.append(label, button)
  return box
}

/** The held-back images (and their placeholders) of a subtree that were added: any at all? */
export function hasDeferred(node: Node): boolean {
  return node instanceof Element && (node.matches(`img[${DEFERRED_ATTR}]`) || !!node.querySelector(`img[${DEFERRED_ATTR}]`))
}
