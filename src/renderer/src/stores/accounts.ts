import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { AccountInfo, AddMioAccountInput, AddYunhuAccountInput, AppInfo } from '@shared/api'
import type { ConnectionStatus } from '@shared/connection'
import { useAccountsApi } from '../composables/useAccountsApi'
import { useAppApi } from '../composables/useAppApi'

export const useAccountsStore = defineStore('accounts', () => {
  const api = useAccountsApi()
  const app = useAppApi()
  const accounts = ref<AccountInfo[]>([])
  const activeId = ref<string | null>(null)
  const appInfo = ref<AppInfo | null>(null)
  const ready = ref(false)
  const loadError = ref<string | null>(null)
  /** Ticks every second so countdowns ("retrying in N s") stay current. */
  const now = ref(Date.now())
  setInterval(() => (now.value = Date.now()), 1000)

  const active = computed(() => accounts.value.find((a) => a.id === activeId.value) ?? accounts.value[0] ?? null)

  function adopt(list: AccountInfo[]): void {
    accounts.value = list
    if (!list.some((a) => a.id === activeId.value)) activeId.value = list[0]?.id ?? null
  }

  function setStatus(accountId: string, status: ConnectionStatus): void {
    const i = accounts.value.findIndex((a) => a.id === accountId)
    if (i < 0) return
    const next = accounts.value.slice()
    next[i] = { ...next[i]!, status }
    accounts.value = next
  }

  async function load(): Promise<void> {
    api.onAccounts((p) => adopt(p.accounts))
    api.onConnection((p) => setStatus(p.accountId, p.status))
    try {
      const [info, list] = await Promise.all([app.info().catch(() => null), api.list()])
      appInfo.value = info
      adopt(list)
    } catch (e) {
      loadError.value = e instanceof Error ? e.message : String(e)
    } finally {
      ready.value = true
    }
  }

  async function add(input: AddMioAccountInput): Promise<AccountInfo> {
    const acc = await api.addMio(input)
    const rest = accounts.value.filter((a) => a.id !== acc.id)
    accounts.value = [...rest, acc]
    activeId.value = acc.id
    return acc
  }

  /** Logs in to Yunhu (email + password, or a token) and shows the new account. */
  async function addYunhu(input: AddYunhuAccountInput): Promise<AccountInfo> {
    const acc = await api.addYunhu(input)
    const rest = accounts.value.filter((a) => a.id !== acc.id)
    accounts.value = [...rest, acc]
    activeId.value = acc.id
    return acc
  }

  /** After a -101: logs the same account in again; nothing else on screen changes. */
  async function relogin(id: string, input: AddYunhuAccountInput): Promise<AccountInfo> {
    const acc = await api.relogin(id, input)
    accounts.value = accounts.value.map((a) => (a.id === acc.id ? acc : a))
    return acc
  }

  async function remove(id: string): Promise<void> {
    await api.remove(id)
    adopt(accounts.value.filter((a) => a.id !== id))
  }

  async function reconnect(id: string): Promise<void> {
    await api.reconnect(id)
  }

  return { accounts, activeId, active, appInfo, ready, loadError, now, load, add, addYunhu, relogin, remove, reconnect, select: (id: string) => (activeId.value = id) }
})
