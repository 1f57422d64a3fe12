/**
 * The renderer's only door to main: `window.api` in Electron, otherwise a WebSocket bridge client
 * (`?bridge=ws://127.0.0.1:PORT/bridge&token=T`), or — in development builds only — an in-memory
 * fake with `?mock=1` (see loadDevMock).
 *
 * Only the API layer (composables/) calls getApi(); components and stores go through it.
 */
import type { MioDeskApi } from '@shared/api'
import { createBridgeApi, readBridgeParams } from './bridge-client'

let cached: MioDeskApi | undefined

export type ApiHost = 'electron' | 'bridge' | 'mock' | 'none'
let host: ApiHost = 'none'

/** Reads a parameter from `location.search` or `location.hash` (`#a=b` or `#/path?a=b`). */
export function locationParam(name: string): string | null {
  const fromSearch = new URLSearchParams(location.search).get(name)
  if (fromSearch !== null) return fromSearch
  const hash = location.hash.replace(/^#/, '')
  const q = hash.includes('?') ? hash.slice(hash.indexOf('?') + 1) : hash
  return new URLSearchParams(q).get(name)
}

/** An API whose calls all fail with a readable sentence, used when no backend is reachable. */
function missingApi(): MioDeskApi {
  return {
    call: (() => Promise.reject(new Error('No backend: open MioDesk in the app, or add ?bridge=… to the address.'))) as MioDeskApi['call'],
    on: () => () => {}
  }
}

export function getApi(): MioDeskApi {
  if (cached) return cached
  if (typeof window !== 'undefined' && window.api) {
    host = 'electron'
    cached = window.api
  } else {
    const params = readBridgeParams(locationParam)
    if (params) {
      host = 'bridge'
      cached = createBridgeApi(params)
    } else {
      host = 'none'
      cached = missingApi()
    }
  }
  return cached
}

/**
 * Development only (`electron-vite dev`): with `?mock=1` (`&login=1`, `&count=N`, `&yunhu=1`) loads the
 * in-memory fake API (mock-api.ts) and installs it; resolves once it is in place. Returns null otherwise.
 * The import sits behind `import.meta.env.DEV`, so production builds leave the fake out entirely.
 */
export function loadDevMock(): Promise<void> | null {
  if (!import.meta.env.DEV || cached || (typeof window !== 'undefined' && window.api) || !locationParam('mock')) return null
  return import('./mock-api').then(({ createMockApi }) => {
    host = 'mock'
    cached = createMockApi({ loggedIn: locationParam('login') === '1', count: Number(locationParam('count') ?? 0) || 0, yunhu: locationParam('yunhu') === '1' })
  })
}

export function apiHost(): ApiHost {
  getApi()
  return host
}
