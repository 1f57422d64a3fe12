/**
 * DOMPurify sanitisers: rendered Markdown (string or DOM nodes) and untrusted Yunhu HTML. No Markdown here:
 * this module is part of the first load (Yunhu HTML segments need it), while markdown-it, highlight.js and
 * KaTeX come with the Markdown chunk (see block-renderer.ts and lazy.ts).
 */
import DOMPurify from 'dompurify'
import { deferRemoteMedia } from './remote-media'

type Purifier = ReturnType<typeof DOMPurify>

function linkHook(node: Element): void {
  // Remote images wait for the user (the rule is applied on the live DOM, see remote-media.ts).
  deferRemoteMedia(node)
  if (node.tagName === 'A') {
    const href = node.getAttribute('href') ?? ''
    if (!/^https?:\/\//i.test(href) && !/^mailto:/i.test(href)) node.removeAttribute('href')
    node.setAttribute('rel', 'noopener noreferrer')
    node.setAttribute('target', '_blank')
  }
}

let hooked = false
/** The shared DOMPurify, with links forced to be inert for navigation (clicks are intercepted anyway). */
function purify(): typeof DOMPurify {
  if (!hooked) {
    hooked = true
    DOMPurify.addHook('afterSanitizeAttributes', linkHook)
  }
  return DOMPurify
}

/** No data-* but the app's own data-action, and no download: a message must not steer the click handler. */
const MARKDOWN_CONFIG = {
  USE_PROFILES: { html: true, mathMl: true, svg: true },
  ALLOW_DATA_ATTR: false,
  ADD_ATTR: ['data-action', 'target'],
  FORBID_TAGS: ['style', 'form', 'input'],
  FORBID_ATTR: ['download']
}

/**
 * Sanitises rendered Markdown to HTML text (for the block cache): parsed once into an inert element and
 * sanitised in place (see sanitizeToFragment), then serialised. DOMPurify's string path builds a new
 * document for every call, and a streamed answer completes a block every few frames.
 */
export function sanitize(html: string): string {
  return sanitizedBox(html).innerHTML
}

let nodePurifier: Purifier | null = null
let inertDoc: Document | null = null

/** `html` parsed into a detached element of an inert document and sanitised there, in place. */
function sanitizedBox(html: string): HTMLElement {
  if (!nodePurifier) {
    nodePurifier = DOMPurify(window)
    nodePurifier.addHook('afterSanitizeAttributes', linkHook)
    nodePurifier.setConfig({ ...MARKDOWN_CONFIG, IN_PLACE: true })
  }
  inertDoc ??= document.implementation.createHTMLDocument('')
  const box = inertDoc.createElement('div')
  box.innerHTML = html
  nodePurifier.sanitize(box)
  return box
}

/**
 * Sanitises rendered Markdown into DOM nodes of this document, parsing the HTML once: it is parsed into a
 * detached element of an inert document (no browsing context: nothing loads or runs there), DOMPurify
 * sanitises that tree in place with exactly the configuration and link hook of `sanitize`, and the
 * remaining nodes are moved into the returned fragment. The string path parses three times (DOMPurify's
 * parse, its serialisation, then `innerHTML` parsing the result again); a streamed tail changes every frame.
 */
export function sanitizeToFragment(html: string): DocumentFragment {
  const box = sanitizedBox(html)
  const frag = document.createDocumentFragment()
  while (box.firstChild) frag.appendChild(box.firstChild)
  return frag
}

/**
 * Untrusted HTML from a Yunhu message or bot board: no scripts, no event handlers, no
 * javascript: URLs (DOMPurify), and additionally no inline styles, forms, frames or media that
 * could cover the window or load content behind the user's back.
 */
export function sanitizeUntrustedHtml(html: string): string {
  return purify().sanitize(html, {
    USE_PROFILES: { html: true },
    FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'iframe', 'frame', 'object', 'embed', 'video', 'audio', 'source', 'link', 'meta', 'base', 'svg', 'math'],
    FORBID_ATTR: ['style', 'srcset', 'action', 'formaction', 'ping', 'background', 'download'],
    ALLOW_DATA_ATTR: false,
    ADD_ATTR: ['target']
  })
}
