/** The renderer's shared Markdown block renderer, sanitised with DOMPurify. */
import DOMPurify from 'dompurify'
import { createBlockRenderer, type BlockRenderer } from './markdown'

let purifier: typeof DOMPurify | null = null

/** DOMPurify with links forced to be inert for navigation (clicks are intercepted anyway). */
export function sanitize(html: string): string {
  if (!purifier) {
    purifier = DOMPurify
    purifier.addHook('afterSanitizeAttributes', (node) => {
      if (node.tagName === 'A') {
        const href = node.getAttribute('href') ?? ''
        if (!/^https?:\/\//i.test(href) && !/^mailto:/i.test(href)) node.removeAttribute('href')
        node.setAttribute('rel', 'noopener noreferrer')
        node.setAttribute('target', '_blank')
      }
    })
  }
  return purifier.sanitize(html, { USE_PROFILES: { html: true, mathMl: true, svg: true }, ADD_ATTR: ['data-action', 'target'], FORBID_TAGS: ['style', 'form', 'input'] })
}

let shared: BlockRenderer | null = null
export function blockRenderer(): BlockRenderer {
  return (shared ??= createBlockRenderer(sanitize))
}

/**
 * Untrusted HTML from a Yunhu message or bot board: no scripts, no event handlers, no
 * javascript: URLs (DOMPurify), and additionally no inline styles, forms, frames or media that
 * could cover the window or load content behind the user's back.
 */
export function sanitizeUntrustedHtml(html: string): string {
  sanitize('') // installs the link hook once
  return DOMPurify.sanitize(html, {
    USE_PROFILES: { html: true },
    FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'iframe', 'frame', 'object', 'embed', 'video', 'audio', 'source', 'link', 'meta', 'base', 'svg', 'math'],
    FORBID_ATTR: ['style', 'srcset', 'action', 'formaction', 'ping', 'background'],
    ADD_ATTR: ['target']
  })
}
