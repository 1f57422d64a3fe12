import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { ForwardNode, LlmContact, ShareResult, ChatMessage } from '@shared/mio'

export interface Toast {
  id: number
  text: string
  kind: 'info' | 'error'
}

export interface ContextMenuState {
  x: number
  y: number
  messageId: string
  /** Restore focus here when the menu closes. */
  returnFocus?: HTMLElement | null
}

export const useUiStore = defineStore('ui', () => {
  const settingsOpen = ref(false)
  const addAccountOpen = ref(false)
  const switcherOpen = ref(false)
  /** The history search: closed (null), over everything ({ scope: null }) or one conversation. */
  const historySearch = shallowRef<{ scope: { accountId: string; contactId: string } | null } | null>(null)
  /** The export dialog of a conversation (with the selected messages, if any). */
  const exportDialog = shallowRef<{ accountId: string; contactId: string; name: string; messageIds?: string[] } | null>(null)
  const lightbox = shallowRef<{ src: string; name: string } | null>(null)
  /** A stack of open forward viewers (nested forwards open on top). */
  const forwardViewers = shallowRef<ForwardNode[][]>([])
  const forwardPicker = shallowRef<{ messageIds: string[] } | null>(null)
  const share = shallowRef<{ name: string; result: ShareResult } | null>(null)
  /** `null` closed; `{contact: null}` new contact; `{contact}` edit. */
  const llmEditor = shallowRef<{ contact: LlmContact | null } | null>(null)
  const contextMenu = shallowRef<ContextMenuState | null>(null)
  const replyTo = shallowRef<ChatMessage | null>(null)
  /** Multi-select for forwarding; null when not selecting. */
  const selection = ref<Set<string> | null>(null)
  /** The open confirmation (destructive actions ask first). */
  const confirmState = shallowRef<{ text: string; ok: string; danger: boolean; resolve: (yes: boolean) => void } | null>(null)
  const toasts = ref<Toast[]>([])
  let toastId = 0

  /**
   * A short notice that goes away by itself. The same words already shown are not stacked again (they stay
   * a while longer instead), and at most four are shown, the newest last.
   */
  function toast(text: string, kind: Toast['kind'] = 'info', ms = 3500): void {
    const id = ++toastId
    const rest = toasts.value.filter((t) => t.text !== text || t.kind !== kind)
    toasts.value = [...rest.slice(-3), { id, text, kind }]
    setTimeout(() => {
      toasts.value = toasts.value.filter((t) => t.id !== id)
    }, ms)
  }

  /** Asks before a destructive action; resolves true when confirmed. */
  function ask(text: string, ok: string, danger = true): Promise<boolean> {
    confirmState.value?.resolve(false)
    return new Promise((resolve) => {
      confirmState.value = {
        text,
        ok,
        danger,
        resolve: (yes) => {
          confirmState.value = null
          resolve(yes)
        }
      }
    })
  }

  function openForward(nodes: ForwardNode[]): void {
    forwardViewers.value = [...forwardViewers.value, nodes]
  }
  function closeForward(): void {
    forwardViewers.value = forwardViewers.value.slice(0, -1)
  }

  function startSelection(id?: string): void {
    selection.value = new Set(id ? [id] : [])
  }
  function toggleSelected(id: string): void {
    if (!selection.value) return
    const s = new Set(selection.value)
    if (s.has(id)) s.delete(id)
    else s.add(id)
    selection.value = s
  }
  function endSelection(): void {
    selection.value = null
  }

  /** True while any modal overlay is open (global shortcuts step aside). */
  function anyOverlay(): boolean {
    return !!(settingsOpen.value || addAccountOpen.value || switcherOpen.value || historySearch.value || exportDialog.value || lightbox.value || forwardViewers.value.length || forwardPicker.value || share.value || llmEditor.value || contextMenu.value || confirmState.value)
  }

  return { confirmState, ask, settingsOpen, addAccountOpen, switcherOpen, historySearch, exportDialog, lightbox, forwardViewers, forwardPicker, share, llmEditor, contextMenu, replyTo, selection, toasts, toast, openForward, closeForward, startSelection, toggleSelected, endSelection, anyOverlay }
})
