/**
 * The renderer's only door to main: `window.api` in Electron, otherwise a WebSocket bridge client
 * (`?bridge=ws://127.0.0.1:PORT/bridge&token=T`; `npm run dev:web` runs the real core against the
 * reference server behind one).
 *
 * Only the API layer (composables/) calls getApi(); components and stores go through it.
 */
import type { MioDeskApi } from '@shared/api'
import { createBridgeApi, readBridgeParams } from './bridge-client'

let cached: MioDeskApi | undefined

export type ApiHost = 'electron' | 'bridge' | 'none'
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

export function apiHost(): ApiHost {
  getApi()
  return host
}

/** The bridge's token (the browser build's media URLs carry it like its WebSocket), '' in Electron. */
export function bridgeToken(): string {
  return apiHost() === 'bridge' ? (readBridgeParams(locationParam)?.token ?? '') : ''
}
