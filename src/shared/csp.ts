/**
 * The renderer's Content Security Policy. Main sends it as a response header (src/main/webcontents-handler.ts
 * and the app:// protocol) and the renderer's index.html carries the same string in a meta tag, so both
 * layers enforce one policy. No 'unsafe-eval', no remote scripts, no frames, no plugins.
 */
export const CSP_DIRECTIVES: Readonly<Record<string, readonly string[]>> = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'", "'unsafe-inline'"],
  // miodesk-media: the app's media URL in Electron (src/shared/media.ts); in the browser build it is 'self'.
  'img-src': ["'self'", 'data:', 'blob:', 'https:', 'http:', 'miodesk-media:'],
  'media-src': ["'self'", 'data:', 'blob:', 'https:', 'http:', 'miodesk-media:'],
  // Bundled fonts (KaTeX) may be inlined by Vite as data: URIs.
  'font-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'frame-src': ["'none'"],
  'form-action': ["'none'"]
}

export const CONTENT_SECURITY_POLICY: string = Object.entries(CSP_DIRECTIVES)
  .map(([name, values]) => `${name} ${values.join(' ')}`)
  .join('; ')
