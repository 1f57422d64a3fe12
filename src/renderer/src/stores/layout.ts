/**
 * One pane at a time in a narrow window (below 900 px, where a list and a chat side by side leave neither
 * usable): the conversation list, or — once the user opens a conversation, the Yunhu store or console —
 * that pane, with a back button in its header (NarrowBack.vue). The account rail stays as a thin column.
 */
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { useAccountsStore } from './accounts'
import { useConversationsStore } from './conversations'
import { useYunhuStore } from './yunhu'

/** The width below which the window shows one pane (the same number as the CSS's). */
export const NARROW_MAX_WIDTH = 899

export const useLayoutStore = defineStore('layout', () => {
  const query = typeof matchMedia === 'function' ? matchMedia(`(max-width: ${NARROW_MAX_WIDTH}px)`) : null
  const narrow = ref(query?.matches ?? false)
  query?.addEventListener('change', (e) => (narrow.value = e.matches))
  /** The user went into a pane (a conversation, the store, the console) and has not come back to the list. */
  const inPane = ref(false)

  // Whatever opens a conversation (the list, the quick switcher, a notification) or a Yunhu page goes into it;
  // another account, or the chats section, comes back to the list.
  useAccountsStore().$onAction(({ name, after }) => {
    if (name === 'select') after(() => (inPane.value = false))
  })
  useConversationsStore().$onAction(({ name, after }) => {
    if (name === 'open') after(() => (inPane.value = true))
  })
  useYunhuStore().$onAction(({ name, args, after }) => {
    if (name === 'setSection') after(() => (inPane.value = args[1] !== 'chats'))
    else if (name === 'openBotDetail') after(() => (inPane.value = true))
  })

  function back(): void {
    inPane.value = false
  }
  return { narrow, inPane, back }
})
