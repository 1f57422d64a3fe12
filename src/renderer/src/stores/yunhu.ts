/**
 * Yunhu (云湖) UI state per account: which section the middle and right panes show (chats, bot
 * store, my bots), the open bot detail, chat boards (live through the `board` event), the
 * re-login prompt after a -101, and the group bot settings dialog.
 */
import { defineStore } from 'pinia'
import { reactive, ref, shallowRef } from 'vue'
import type { YunhuBoard } from '@shared/api'
import { useAccountsApi } from '../composables/useAccountsApi'
import { useYunhuApi } from '../composables/useYunhuApi'
import { useAccountsStore } from './accounts'

export type YunhuSection = 'chats' | 'contacts' | 'store' | 'console'

export interface GroupSettingsTarget {
  accountId: string
  botId: string
  groupId: string
  botName?: string
  groupName?: string
}

const boardKey = (accountId: string, contactId: string) => `${accountId}\u0000${contactId}`

export const useYunhuStore = defineStore('yunhu', () => {
  const accounts = useAccountsStore()
  const api = useYunhuApi()
  const accountsApi = useAccountsApi()
  const sections = reactive<Record<string, YunhuSection>>({})
  /** Bot detail open in the store, per account. */
  const detailBot = reactive<Record<string, string | null>>({})
  /** Bot selected in the console, per account. */
  const consoleBot = reactive<Record<string, string | null>>({})
  const boards = reactive<Record<string, YunhuBoard | null>>({})
  const boardLoading = reactive<Record<string, boolean>>({})
  /** Accounts whose token was refused; the first one gets the dialog. */
  const relogin = ref<string[]>([])
  const groupSettings = shallowRef<GroupSettingsTarget | null>(null)

  /** The account has the platform's bot store and console (its sections: chats, store, my bots). */
  function isYunhu(accountId: string | undefined | null): boolean {
    return !!accountId && !!accounts.accounts.find((a) => a.id === accountId)?.capabilities.botConsole
  }

  function section(accountId: string | undefined): YunhuSection {
    return (accountId && sections[accountId]) || 'chats'
  }
  function setSection(accountId: string, s: YunhuSection): void {
    sections[accountId] = s
  }

  function openBotDetail(accountId: string, botId: string): void {
    sections[accountId] = 'store'
    detailBot[accountId] = botId
  }

  function board(accountId: string, contactId: string): YunhuBoard | null {
    return boards[boardKey(accountId, contactId)] ?? null
  }

  async function loadBoard(accountId: string, contactId: string): Promise<void> {
    const k = boardKey(accountId, contactId)
    if (boardLoading[k]) return
    boardLoading[k] = true
    try {
      boards[k] = await api.board(accountId, contactId)
    } catch {
      // A chat without a board (or a failed read) shows nothing; the live event still updates it.
      if (!(k in boards)) boards[k] = null
    } finally {
      boardLoading[k] = false
    }
  }

  let wired = false
  function wire(): void {
    if (wired) return
    wired = true
    api.onBoard((p) => {
      boards[boardKey(p.accountId, p.contactId)] = p.board
    })
    accountsApi.onReloginRequired((p) => {
      if (!relogin.value.includes(p.accountId)) relogin.value = [...relogin.value, p.accountId]
    })
  }

  function reloginDone(accountId: string): void {
    relogin.value = relogin.value.filter((id) => id !== accountId)
  }

  return { sections, detailBot, consoleBot, boards, relogin, groupSettings, isYunhu, section, setSection, openBotDetail, board, loadBoard, wire, reloginDone }
})
