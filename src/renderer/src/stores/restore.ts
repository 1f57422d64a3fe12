/**
 * Reopens, after a restart, the conversation the user left (lib/last-place.ts keeps it): once the accounts
 * are loaded the saved account is selected, and once its contacts are in, the saved conversation opened.
 * From then on every change of the open conversation is saved. The scroll anchor of each conversation is
 * kept by the message list (MessageList.vue) through the same module.
 */
import { defineStore } from 'pinia'
import { watch } from 'vue'
import { loadPlace, savePlace } from '../lib/last-place'
import { useAccountsStore } from './accounts'
import { useContactsStore } from './contacts'
import { useConversationsStore } from './conversations'

export const useRestoreStore = defineStore('restore', () => {
  const accounts = useAccountsStore()
  const contacts = useContactsStore()
  const conversations = useConversationsStore()
  let started = false

  function follow(): void {
    watch(
      () => [accounts.active?.id, conversations.activeContactId] as const,
      ([accountId, contactId]) => {
        if (accountId && contactId) savePlace({ accountId, contactId })
      }
    )
  }

  /** Restores the saved place (after `accounts.load()`), then keeps it up to date. Once. */
  function start(): void {
    if (started) return
    started = true
    const place = loadPlace()
    if (!place || !accounts.accounts.some((a) => a.id === place.accountId)) return follow()
    accounts.select(place.accountId)
    let done = false
    const stop = watch(
      () => contacts.contactsByAccount[place.accountId],
      (list) => {
        if (!list || done) return
        done = true
        queueMicrotask(() => stop())
        // The user may have opened another conversation meanwhile: theirs wins.
        if (list.some((c) => c.id === place.contactId) && !conversations.activeByAccount[place.accountId]) conversations.open(place.accountId, place.contactId)
        follow()
      },
      { immediate: true }
    )
  }

  return { start }
})
