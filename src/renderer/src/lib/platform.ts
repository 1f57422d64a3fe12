/**
 * The one place the renderer looks at an account's kind: to name its platform (a label and a badge).
 * What the UI offers is decided from the account's and the conversation's declared capabilities.
 */
import type { AccountKind } from '@shared/api'

const NAMES: Record<AccountKind, { labelKey: string; badge?: string }> = {
  mio: { labelKey: 'yunhu.mio' },
  yunhu: { labelKey: 'yunhu.name', badge: '云' }
}

/** The i18n key of the platform's name. */
export function platformLabelKey(kind: AccountKind): string {
  return NAMES[kind]?.labelKey ?? 'yunhu.mio'
}

/** A one-character badge for the account rail, if the platform has one. */
export function platformBadge(kind: AccountKind): string | undefined {
  return NAMES[kind]?.badge
}
