/**
 * The local search over every stored message (Ctrl/Cmd+Shift+F everywhere, Ctrl/Cmd+F in a chat for that
 * chat): the query and filters, the hits page by page (newest first), and opening a hit in its conversation
 * with the messages around it (history:around), scrolled there and flashed.
 */
import { defineStore } from 'pinia'
import { reactive, ref } from 'vue'
import type { HistorySearchHit, SearchKindFilter } from '@shared/search'
import { useHistoryApi } from '../composables/useHistoryApi'
import { cleanError } from '../lib/format'
import { useConversationsStore } from './conversations'
import { usePeopleStore } from './people'

export const SEARCH_PAGE = 50

export const useHistorySearchStore = defineStore('historySearch', () => {
  const api = useHistoryApi()
  const open = ref(false)
  const text = ref('')
  /** The conversation the search is limited to (Ctrl/Cmd+F in a chat), or null for all. */
  const scope = ref<{ accountId: string; contactId: string } | null>(null)
  const filters = reactive({ accountId: '', sender: '', from: '', to: '', kinds: [] as SearchKindFilter[] })
  const hits = ref<HistorySearchHit[]>([])
  const busy = ref(false)
  const error = ref('')
  const searched = ref(false)
  /** More (older) hits may be there: the last page was full. */
  const more = ref(false)
  let seq = 0

  function show(here: { accountId: string; contactId: string } | null): void {
    scope.value = here
    open.value = true
  }

  const day = (s: string, end: boolean): number | undefined => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return undefined
    const d = new Date(`${s}T00:00:00`)
    return Number.isFinite(d.getTime()) ? d.getTime() + (end ? 86_400_000 - 1 : 0) : undefined
  }

  /** Runs the query (from the start, or the next older page); a newer query makes an older answer stale. */
  async function run(older = false): Promise<void> {
    const words = text.value.trim()
    const mine = ++seq
    if (!words) {
      hits.value = []
      searched.value = false
      more.value = false
      error.value = ''
      return
    }
    busy.value = true
    try {
      const accountIds = scope.value ? [scope.value.accountId] : filters.accountId ? [filters.accountId] : undefined
      const before = older && hits.value.length ? hits.value[hits.value.length - 1]!.time : undefined
      const page = await api.search({
        text: words,
        accountIds,
        contactId: scope.value?.contactId,
        sender: filters.sender.trim() || undefined,
        from: day(filters.from, false),
        to: day(filters.to, true),
        kinds: filters.kinds.length ? [...filters.kinds] : undefined,
        before,
        limit: SEARCH_PAGE
      })
      if (mine !== seq) return
      hits.value = older ? [...hits.value, ...page] : page
      more.value = page.length === SEARCH_PAGE
      searched.value = true
      error.value = ''
    } catch (e) {
      if (mine === seq) error.value = cleanError(e)
    } finally {
      if (mine === seq) busy.value = false
    }
  }

  /** Opens the hit's conversation with the messages around it, and asks the list to show it. */
  async function openHit(hit: HistorySearchHit): Promise<void> {
    const conversations = useConversationsStore()
    const people = usePeopleStore()
    conversations.open(hit.accountId, hit.contactId)
    if (!conversations.findMessage(hit.accountId, hit.contactId, hit.messageId)) {
      const around = await api.around(hit.accountId, hit.contactId, hit.messageId)
      for (const m of around) conversations.upsert(hit.accountId, m)
    }
    open.value = false
    people.focus = { accountId: hit.accountId, contactId: hit.contactId, messageId: hit.messageId, at: Date.now() }
  }

  return { open, text, scope, filters, hits, busy, error, searched, more, show, run, openHit }
})
