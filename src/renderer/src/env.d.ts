/// <reference types="vite/client" />
import type { MioDeskApi } from '@shared/api'

declare global {
  interface Window {
    /** Exposed by the Electron preload (contextBridge); absent in a plain browser. */
    api?: MioDeskApi
  }
}

declare module '*.vue' {
  import type { DefineComponent } from 'vue'
  const component: DefineComponent<object, object, unknown>
  export default component
}

export {}
