/**
 * What the first load leaves out, and when it is fetched.
 *
 * The login screen needs Vue, vue-i18n, the stores and the forms. It does not need the chat pane, markdown-it,
 * highlight.js and KaTeX (with KaTeX's stylesheet and fonts), or the Yunhu console and store pages: those are
 * separate chunks, loaded on first use and fetched ahead of it (`preloadChatView`, `preloadMarkdown`,
 * `prefetchWhenIdle`, called from App.vue) so that the first use normally finds them loaded.
 *
 * Until a chunk is there, its placeholder is rendered with the same attributes: for MarkdownView the text as
 * written (PlainMarkdown.vue), so a message never shows empty, not even when the chunk fails to load. A
 * failed load is retried (with a growing pause) while something waits for it.
 *
 * The chunks are same-origin files next to the entry, which the CSP (`script-src 'self'`) allows.
 */
/* eslint-disable vue/one-component-per-file -- a factory of wrapper components, and their small placeholders */
import { defineComponent, h, markRaw, onUnmounted, shallowRef, type Component } from 'vue'
import PlainMarkdown from './components/PlainMarkdown.vue'

interface LazyComponent<T> {
  /** Renders the loaded component, or the placeholder until then; typed as the real component. */
  component: T
  /** Loads the chunk (once; again after a failure). */
  load: () => Promise<T>
  /** True once the chunk has loaded. */
  loaded: () => boolean
}

const MAX_RETRY_MS = 30_000

function lazyComponent<T extends Component>(name: string, importer: () => Promise<{ default: T }>, placeholder: Component): LazyComponent<T> {
  const loaded = shallowRef<T | null>(null)
  let pending: Promise<T> | null = null
  let failures = 0
  let retrying = false
  /** Mounted instances still showing the placeholder. */
  let waiting = 0

  const load = (): Promise<T> =>
    (pending ??= importer().then(
      (m) => {
        failures = 0
        loaded.value = markRaw(m.default)
        return m.default
      },
      (e: unknown) => {
        pending = null
        failures++
        throw e
      }
    ))

  /** Loads for a waiting instance, and keeps trying while one waits. */
  const ensure = (): void => {
    if (loaded.value || retrying) return
    retrying = true
    load().then(
      () => (retrying = false),
      (e: unknown) => {
        console.warn(`${name}: the chunk did not load (attempt ${failures})`, e)
        setTimeout(
          () => {
            retrying = false
            if (waiting > 0) ensure()
          },
          Math.min(MAX_RETRY_MS, 500 * 2 ** failures)
        )
      }
    )
  }

  const component = defineComponent({
    name: `Lazy${name}`,
    inheritAttrs: false,
    setup(_props, { attrs, slots }) {
      if (!loaded.value) {
        waiting++
        let counted = true
        const done = (): void => {
          if (counted) waiting--
          counted = false
        }
        onUnmounted(done)
        ensure()
        void load().then(done, () => {})
      }
      // A copy of the attributes: Vue updates `attrs` in place, and the same object as the next props would
      // look unchanged to the child.
      return () => h(loaded.value ?? placeholder, { ...attrs }, slots)
    }
  })
  return { component: component as unknown as T, load, loaded: () => loaded.value !== null }
}

const markdown = lazyComponent('MarkdownView', () => import('./components/MarkdownView.vue'), PlainMarkdown)
/** Markdown text (markdown-it, highlight.js, KaTeX); the text as written until that chunk has loaded. */
export const MarkdownView = markdown.component

/** Starts loading the Markdown chunk now (conversations are about to show); safe to call any number of times. */
export function preloadMarkdown(): void {
  markdown.load().catch(() => {
    // MarkdownView shows the plain text meanwhile and loads again when it is used.
  })
}

/**
 * An empty right-hand pane while a page's chunk loads (keeps the shell's grid as it is, and the pane's own
 * class: a narrow window hides `.shell__pane` while it shows the list).
 */
const PanePlaceholder = defineComponent({
  name: 'PanePlaceholder',
  inheritAttrs: false,
  setup(_props, { attrs }) {
    return () => h('main', { class: ['chat', attrs.class], 'aria-busy': 'true' })
  }
})

const chatView = lazyComponent('ChatView', () => import('./components/ChatView.vue'), PanePlaceholder)
/**
 * The chat pane (the message list, the composer and all they draw: the virtualizer, DOMPurify, pickers,
 * forms, the recorder): the login screen has none of it.
 */
export const ChatView = chatView.component

/**
 * Starts loading the chat pane now (the shell is about to show); safe to call any number of times. Resolves
 * once it is there, or its load failed (the placeholder pane shows then, and it is loaded again when used).
 */
export function preloadChatView(): Promise<void> {
  return chatView.load().then(
    () => {},
    () => {}
  )
}

const yunhuConsole = lazyComponent('YunhuConsole', () => import('./components/YunhuConsole.vue'), PanePlaceholder)
const yunhuStore = lazyComponent('YunhuStorePage', () => import('./components/YunhuStorePage.vue'), PanePlaceholder)
export const YunhuConsole = yunhuConsole.component
export const YunhuStorePage = yunhuStore.component
const yunhuContacts = lazyComponent('YunhuContacts', () => import('./components/YunhuContacts.vue'), PanePlaceholder)
export const YunhuContacts = yunhuContacts.component

/** Nothing on screen while a dialog's chunk loads (it appears when the chunk is there). */
const NoPlaceholder = defineComponent({ name: 'NoPlaceholder', inheritAttrs: false, render: () => null })

type Dialogs = typeof import('./components/dialogs')
const loadDialogs = (): Promise<Dialogs> => import('./components/dialogs')
function dialog<K extends keyof Dialogs>(name: K): LazyComponent<Dialogs[K]> {
  return lazyComponent(name, () => loadDialogs().then((m) => ({ default: m[name] })), NoPlaceholder)
}
const dialogs = {
  SettingsDialog: dialog('SettingsDialog'),
  GroupSettingsDialog: dialog('GroupSettingsDialog'),
  ReloginDialog: dialog('ReloginDialog'),
  QuickSwitcher: dialog('QuickSwitcher'),
  ForwardViewer: dialog('ForwardViewer'),
  ForwardPicker: dialog('ForwardPicker'),
  ShareDialog: dialog('ShareDialog'),
  LlmEditor: dialog('LlmEditor'),
  Lightbox: dialog('Lightbox'),
  YunhuGroupPanel: dialog('YunhuGroupPanel'),
  CommandFormDialog: dialog('CommandFormDialog'),
  HistorySearch: dialog('HistorySearch'),
  ExportDialog: dialog('ExportDialog')
}
export const HistorySearch = dialogs.HistorySearch.component
export const ExportDialog = dialogs.ExportDialog.component
export const SettingsDialog = dialogs.SettingsDialog.component
export const GroupSettingsDialog = dialogs.GroupSettingsDialog.component
export const ReloginDialog = dialogs.ReloginDialog.component
export const QuickSwitcher = dialogs.QuickSwitcher.component
export const ForwardViewer = dialogs.ForwardViewer.component
export const ForwardPicker = dialogs.ForwardPicker.component
export const ShareDialog = dialogs.ShareDialog.component
export const LlmEditor = dialogs.LlmEditor.component
export const Lightbox = dialogs.Lightbox.component
export const YunhuGroupPanel = dialogs.YunhuGroupPanel.component
export const CommandFormDialog = dialogs.CommandFormDialog.component
const yunhuProfileCard = lazyComponent('YunhuProfileCard', () => import('./components/YunhuProfileCard.vue'), NoPlaceholder)
export const YunhuProfileCard = yunhuProfileCard.component

// The dialogs share one chunk: prefetching one of them fetches them all.
const ALL: LazyComponent<unknown>[] = [chatView, markdown, dialogs.SettingsDialog, yunhuConsole, yunhuStore, yunhuContacts, yunhuProfileCard]

/**
 * Fetches every lazy chunk once the page is idle (after the first screen has rendered and settled), one per
 * idle period, so that first use finds them loaded.
 */
export function prefetchWhenIdle(): void {
  const queue = ALL.filter((c) => !c.loaded())
  const idle = (cb: () => void): void => {
    if (typeof requestIdleCallback === 'function') requestIdleCallback(cb, { timeout: 2000 })
    else setTimeout(cb, 200)
  }
  const next = (): void => {
    const c = queue.shift()
    if (c) void c.load().then(() => idle(next), () => idle(next))
  }
  idle(next)
}
