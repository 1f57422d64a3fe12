import type { AppInfo } from '../shared/api'

/** `MIODESK_SUGGESTED_ACCOUNT` (set by scripts/start.mjs): a ready account offered on first run. */
export function parseSuggestedAccount(raw: string | undefined): AppInfo['suggestedAccount'] {
  if (!raw) return undefined
  try {
    const v = JSON.parse(raw) as Record<string, unknown>
    const str = (k: string): string | undefined => (typeof v?.[k] === 'string' && (v[k] as string).length > 0 ? (v[k] as string) : undefined)
    const server = str('server')
    const id = str('id')
    const token = str('token')
    if (!server || !id || !token) return undefined
    return { server, id, token, label: str('label') ?? 'Local server' }
  } catch {
    return undefined
  }
}
