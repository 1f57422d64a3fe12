/**
 * `window.api`, exposed by the Electron preload (src/preload/index.ts, `PreloadApi`). Optional because
 * the browser build has no preload and talks to main over the WebSocket bridge instead. Must stay
 * identical to the declaration in src/renderer/src/env.d.ts (declarations merge).
 */
import type { MioDeskApi } from './api'

declare global {
  interface Window {
    api?: MioDeskApi
  }
}

export {}
