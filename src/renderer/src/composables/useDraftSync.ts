/**
 * The composer's draft shared with the account's other devices (where `capabilities.draftSync`): what is
 * typed goes out a moment after typing stops (and '' once sent), and a draft typed elsewhere fills the
 * composer when it is empty. A switch of conversation is not typing: nothing is sent for it.
 */
import { onScopeDispose, watch, type Ref } from 'vue'
import type { Contact } from '@shared/api'
import { useSocialApi } from './useSocialApi'

export const DRAFT_SYNC_DELAY_MS = 800

export function useDraftSync(accountId: () => string | undefined, contact: () => Contact, text: Ref<string>): void {
  const api = useSocialApi()
  let timer: ReturnType<typeof setTimeout> | undefined
  /** The text last sent or received per conversation (so an echo or an unchanged text is not sent again). */
  const known = new Map<string, string>()

  watch([() => contact().id, text], ([id, value], [oldId]) => {
    clearTimeout(timer)
    const acc = accountId()
    if (!acc || id !== oldId || !contact().capabilities.draftSync) return
    timer = setTimeout(() => {
      if ((known.get(id) ?? '') === value) return
      known.set(id, value)
      void api.syncDraft(acc, id, value).catch(() => {
        // Best effort: the next change tries again.
        known.delete(id)
      })
    }, DRAFT_SYNC_DELAY_MS)
  })

  const off = api.onDraft((d) => {
    known.set(d.contactId, d.text)
    if (d.accountId === accountId() && d.contactId === contact().id && text.value.trim() === '' && d.text) text.value = d.text
  })

  onScopeDispose(() => {
    clearTimeout(timer)
    off()
  })
}
