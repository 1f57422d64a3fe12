/** `window.api`, exposed by the Electron preload (src/preload/index.ts) or the browser bridge. */
import type { MioDeskApi } from './api'

declare global {
  interface Window {
    api: MioDeskApi
  }
}

export {}
