/**
 * The "everything eager" stand-in for src/renderer/src/lazy.ts, for the baseline build of the start-up
 * benchmark (startup.ts swaps it in while bundling): the same exports, each the component itself, statically
 * imported, so the whole renderer is one chunk as before code splitting. Plain JS for the same reason as
 * naive-entry.js (the renderer sources belong to the web tsconfig). An export lazy.ts gains and this file
 * lacks fails that build loudly.
 */
export { default as MarkdownView } from '../../src/renderer/src/components/MarkdownView.vue'
export { default as YunhuConsole } from '../../src/renderer/src/components/YunhuConsole.vue'
export { default as YunhuStorePage } from '../../src/renderer/src/components/YunhuStorePage.vue'
export { default as YunhuContacts } from '../../src/renderer/src/components/YunhuContacts.vue'
export { default as YunhuProfileCard } from '../../src/renderer/src/components/YunhuProfileCard.vue'
export { default as ChatView } from '../../src/renderer/src/components/ChatView.vue'
export {
  SettingsDialog,
  GroupSettingsDialog,
  ReloginDialog,
  QuickSwitcher,
  ForwardViewer,
  ForwardPicker,
  ShareDialog,
  LlmEditor,
  Lightbox,
  YunhuGroupPanel,
  CommandFormDialog
} from '../../src/renderer/src/components/dialogs'

export function preloadMarkdown() {}
export function preloadChatView() {}
export function prefetchWhenIdle() {}
