/**
 * Conversation actions and people, per account: reading a conversation on the server while it is open
 * (its unread count drops, here and on the account's other devices), pin / mute / remove, the history
 * search of the open conversation and the jump to a hit, and — where the account has them (Yunhu) —
 * the address book, friend requests (their count live through the `requests` event) and the profile card.
 */
import { defineStore } from 'pinia'
import { reactive, ref, shallowRef, watch } from 'vue'
import type { Contact, SearchHit } from '@shared/api'
import type { YunhuAddressBook, YunhuRequests } from '@shared/yunhu-social'
import { useSocialApi } from '../composables/useSocialApi'
import { cleanError } from '../lib/format'
import { i18n } from '../i18n'
import { useAccountsStore } from './accounts'
import { useContactsStore } from './contacts'
import { useConversationsStore } from './conversations'
import { useUiStore } from './ui'
import { useYunhuStore } from './yunhu'

export interface ProfileTarget {
  accountId: string
  id: string
  kind?: 'user' | 'bot'
}

export const usePeopleStore = defineStore('people', () => {
  const api = useSocialApi()
  const accounts = useAccountsStore()
  const contacts = useContactsStore()
  const conversations = useConversationsStore()
  const ui = useUiStore()
  const yunhu = useYunhuStore()
  const t = i18n.global.t

  const pending = reactive<Record<string, number>>({})
  const requests = reactive<Record<string, YunhuRequests | undefined>>({})
  const books = reactive<Record<string, YunhuAddressBook | undefined>>({})
  const bookError = reactive<Record<string, string | undefined>>({})
  const profile = shallowRef<ProfileTarget | null>(null)
  /** The open conversation's search: its words, hits, state. */
  const search = reactive({ open: false, word: '', hits: [] as SearchHit[], busy: false, searched: false, error: '', more: false })
  /** A message to bring into view and mark (a search hit), by conversation. */
  const focus = ref<{ accountId: string; contactId: string; messageId: string; at: number } | null>(null)

  const reading = new Set<string>()
  /** Reads the open conversation on the server while it has unread messages and the window is visible. */
  function readIfNeeded(): void {
    const acc = accounts.active
    const c = contacts.activeContact
    // Only while the chat itself is on screen (not the store, the console or the contacts page).
    if (!acc || !c || !c.unread || document.hidden || yunhu.section(acc.id) !== 'chats') return
    const key = `${acc.id}\u0000${c.id}`
    if (reading.has(key)) return
    reading.add(key)
    void api
      .markRead(acc.id, c.id)
      .catch(() => {
        // Offline or refused: the badge stays; the next open or message tries again.
      })
      .finally(() => reading.delete(key))
  }

  async function loadRequests(accountId: string): Promise<void> {
    try {
      const r = await api.requests(accountId)
      requests[accountId] = r
      pending[accountId] = r.pending
    } catch (e) {
      if (requests[accountId] === undefined) pending[accountId] ??= 0
      throw e
    }
  }

  async function answer(accountId: string, requestId: string, accept: boolean): Promise<void> {
    try {
      const r = await api.answerRequest(accountId, requestId, accept)
      requests[accountId] = r
      pending[accountId] = r.pending
      ui.toast(accept ? t('people.acceptedToast') : t('people.declinedToast'))
      if (accept) void loadBook(accountId)
    } catch (e) {
      ui.toast(cleanError(e), 'error')
    }
  }

  async function loadBook(accountId: string): Promise<void> {
    try {
      books[accountId] = await api.addressBook(accountId)
      bookError[accountId] = undefined
    } catch (e) {
      bookError[accountId] = cleanError(e)
    }
  }

  /** Runs an action; its failure is a toast in words, its success an optional one. */
  async function act(fn: () => Promise<void>, done?: string): Promise<void> {
    try {
      await fn()
      if (done) ui.toast(done)
    } catch (e) {
      ui.toast(cleanError(e), 'error')
    }
  }
  const pin = (accountId: string, c: Contact, on: boolean) => act(() => api.pin(accountId, c.id, on))
  const mute = (accountId: string, c: Contact, on: boolean) => act(() => api.mute(accountId, c.id, on))
  const remove = (accountId: string, c: Contact) =>
    act(async () => {
      await api.remove(accountId, c.id)
      conversations.close(accountId, c.id)
    }, t('people.conv.removed', { name: c.name }))

  /** Opens (or brings to the front) the chat with a person, group or bot of the address book. */
  function openChat(accountId: string, id: string): boolean {
    if (!(contacts.contactsByAccount[accountId] ?? []).some((c) => c.id === id)) return false
    conversations.open(accountId, id)
    return true
  }

  function openSearch(): void {
    search.open = true
    search.hits = []
    search.word = ''
    search.searched = false
    search.error = ''
    search.more = false
  }

  async function runSearch(older = false): Promise<void> {
    const acc = accounts.active
    const c = contacts.activeContact
    const word = search.word.trim()
    if (!acc || !c || !word || search.busy) return
    search.busy = true
    search.error = ''
    try {
      const before = older ? search.hits[search.hits.length - 1]?.time : undefined
      const hits = await api.search(acc.id, c.id, word, before)
      search.hits = older ? [...search.hits, ...hits.filter((h) => !search.hits.some((x) => x.messageId === h.messageId))] : hits
      search.more = hits.length >= 30
      search.searched = true
    } catch (e) {
      search.error = cleanError(e)
    } finally {
      search.busy = false
    }
  }

  /** Brings a hit into the conversation (with the messages around it) and asks the list to show it. */
  async function jump(hit: SearchHit): Promise<void> {
    const acc = accounts.active
    const c = contacts.activeContact
    if (!acc || !c) return
    try {
      if (!conversations.findMessage(acc.id, c.id, hit.messageId)) {
        const around = await api.around(acc.id, c.id, hit.messageId)
        for (const m of around) conversations.upsert(acc.id, m)
      }
      focus.value = { accountId: acc.id, contactId: c.id, messageId: hit.messageId, at: Date.now() }
    } catch (e) {
      ui.toast(cleanError(e), 'error')
    }
  }

  let wired = false
  function wire(): void {
    if (wired) return
    wired = true
    api.onRequests((p) => {
      pending[p.accountId] = p.pending
      if (requests[p.accountId] !== undefined) void loadRequests(p.accountId).catch(() => {})
    })
    // The open conversation is read on the server: when it is opened, and when a message comes in while it is open.
    watch(() => [accounts.active?.id, contacts.activeContact?.id, contacts.activeContact?.unread, yunhu.section(accounts.active?.id)], readIfNeeded)
    document.addEventListener('visibilitychange', readIfNeeded)
    // A new conversation closes the search of the previous one.
    watch(
      () => contacts.activeContact?.id,
      () => {
        search.open = false
      }
    )
    // Requests waiting since before the app started: counted once per account that has them.
    watch(
      () => accounts.accounts.filter((a) => a.capabilities.botConsole).map((a) => a.id),
      (ids) => {
        for (const id of ids) if (pending[id] === undefined) void loadRequests(id).catch(() => {})
      },
      { immediate: true }
    )
  }

  return { pending, requests, books, bookError, profile, search, focus, act, loadRequests, answer, loadBook, pin, mute, remove, openChat, openSearch, runSearch, jump, wire }
})
