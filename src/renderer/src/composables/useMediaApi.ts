/**
 * API: media of accounts whose media hosts need what a page cannot send (Yunhu's Referer). Such an
 * account (`capabilities.media`) has its images, avatars and stickers shown through the app's media URL
 * (src/shared/media.ts: miodesk-media:// in Electron, the bridge's /media/ path in the browser), and
 * after a failed load the renderer asks why, to show the reason.
 */
import type { AccountInfo } from '@shared/api'
import { appMediaUrl, type MediaHost } from '@shared/media'
import { apiHost, bridgeToken, getApi } from '../api'

function mediaHost(): MediaHost | null {
  const h = apiHost()
  if (h === 'electron') return { kind: 'electron' }
  if (h === 'bridge') return { kind: 'browser', token: bridgeToken() }
  return null
}

/** Values that are already local to the page (never fetched from a platform host). */
const LOCAL = /^(data:|blob:|base64:\/\/)/i

const mediaApi = {
  /**
   * The address to show a media value of `account` with: the app's media URL where the account's media
   * need it, else undefined (show the value as it is).
   */
  url(account: Pick<AccountInfo, 'id' | 'capabilities'> | undefined, value: unknown): string | undefined {
    const v = typeof value === 'string' ? value.trim() : ''
    if (!account?.capabilities.media || !v || LOCAL.test(v)) return undefined
    const host = mediaHost()
    return host ? appMediaUrl(host, account.id, v) : undefined
  },
  /** Why an account's media value does not load (null: it loads now). */
  status: (accountId: string, value: string) => getApi().call('media:status', accountId, value)
}

export function useMediaApi(): typeof mediaApi {
  return mediaApi
}
