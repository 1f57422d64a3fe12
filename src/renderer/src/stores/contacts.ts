/**
 * Contacts per account: the lists main sends, their order (most recent conversation first) and list
 * previews, the open conversation's contact, and the LLM contacts with their model list.
 */
import { defineStore } from 'pinia'
import { computed, reactive, shallowRef } from 'vue'
import type { Contact } from '@shared/api'
import type { ChatMessage, LlmContact, ModelGroup } from '@shared/mio'
import { useCompletionsApi } from '../composables/useCompletionsApi'
import { useConversationsApi } from '../composables/useConversationsApi'
import { previewMessage, renderPreview, stripMarkdown, type PreviewLabels, type PreviewToken } from '../lib/segments'
import { i18n } from '../i18n'
import { useAccountsStore } from './accounts'
import { useConversationsStore } from './conversations'

function previewLabels(): PreviewLabels {
  const t = i18n.global.t
  return {
    image: t('preview.image'),
    file: t('preview.file'),
    face: t('preview.face'),
    record: t('preview.record'),
    video: t('preview.video'),
    forward: t('preview.forward'),
    recalled: t('preview.recalled'),
    interrupted: t('preview.interrupted'),
    unknown: (type) => `[${type}]`
  }
}

export const useContactsStore = defineStore('contacts', () => {
  const api = useConversationsApi()
  const completions = useCompletionsApi()
  const accounts = useAccountsStore()
  const conversations = useConversationsStore()
  const contactsByAccount = reactive<Record<string, Contact[]>>({})
  const models = shallowRef<Record<string, ModelGroup[]>>({})

  const activeContact = computed(() => {
    const acc = accounts.active
    if (!acc) return null
    return contactsByAccount[acc.id]?.find((c) => c.id === conversations.activeContactId) ?? null
  })

  /** Sorted contacts of an account: pinned ones first, then the most recent conversation first. */
  function sortedContacts(accountId: string): Contact[] {
    const list = contactsByAccount[accountId] ?? []
    return list
      .map((c) => ({ c, t: lastTime(accountId, c) }))
      .sort((a, b) => Number(!!b.c.pinned) - Number(!!a.c.pinned) || b.t - a.t || a.c.name.localeCompare(b.c.name))
      .map((x) => x.c)
  }

  /** The newest message of a conversation: the local one when it is at least as new as the contact's. */
  function lastEntry(accountId: string, c: Contact): { message?: ChatMessage; preview?: string; tokens?: PreviewToken[]; time: number } | undefined {
    const local = conversations.lastLocalOf(accountId, c.id)
    if (local && (!c.lastMessage || local.time >= c.lastMessage.time)) return local
    return c.lastMessage
  }
  /**
   * List preview and time. Worded here — from the loaded message, or from the preview tokens main sends with
   * the contact — so labels ("[Image]", "[Forwarded messages]", "recalled") follow the UI language (read in
   * render, so they update when it changes) and Markdown is reduced to its text; the contact's plain-English
   * `preview` is the fallback for a contact without either (a server-side preview).
   */
  function lastOf(accountId: string, c: Contact): { preview: string; time: number } | undefined {
    const last = lastEntry(accountId, c)
    if (!last) return undefined
    const preview = last.message ? previewMessage(last.message, previewLabels()) : last.tokens ? renderPreview(last.tokens, previewLabels()) : stripMarkdown(last.preview ?? '')
    return { preview, time: last.time }
  }
  function lastTime(accountId: string, c: Contact): number {
    return lastEntry(accountId, c)?.time ?? 0
  }

  async function loadContacts(accountId: string): Promise<void> {
    wire()
    try {
      contactsByAccount[accountId] = await api.contacts(accountId)
    } catch {
      contactsByAccount[accountId] ??= []
    }
  }

  async function loadModels(accountId: string): Promise<ModelGroup[]> {
    try {
      const list = await completions.models(accountId)
      models.value = { ...models.value, [accountId]: list }
      return list
    } catch {
      const fallback = accounts.accounts.find((a) => a.id === accountId)?.login?.models ?? []
      models.value = { ...models.value, [accountId]: fallback }
      return fallback
    }
  }

  /** Saves a model contact; resolves with it and the id of its conversation (to open it). */
  async function saveLlm(accountId: string, c: LlmContact): Promise<{ llm: LlmContact; contactId: string | undefined }> {
    const saved = await api.saveLlm(accountId, c)
    await loadContacts(accountId)
    return { llm: saved, contactId: contactsByAccount[accountId]?.find((x) => x.llm?.id === saved.id)?.id }
  }

  async function deleteLlm(accountId: string, contactId: string): Promise<void> {
    await api.deleteLlm(accountId, contactId)
    conversations.close(accountId, contactId)
    await loadContacts(accountId)
  }

  let wired = false
  /** Subscribes to the contact lists main pushes (once). */
  function wire(): void {
    if (wired) return
    wired = true
    api.onContacts((p) => {
      contactsByAccount[p.accountId] = p.contacts
    })
  }

  return { contactsByAccount, activeContact, models, sortedContacts, lastOf, loadContacts, loadModels, saveLlm, deleteLlm, wire }
})
