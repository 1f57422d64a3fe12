/**
 * The dialogs that open on demand, bundled as one chunk (see lazy.ts): none is on the first screen, and one
 * request fetches them all when the app is idle.
 */
export { default as SettingsDialog } from './SettingsDialog.vue'
export { default as GroupSettingsDialog } from './GroupSettingsDialog.vue'
export { default as ReloginDialog } from './ReloginDialog.vue'
export { default as QuickSwitcher } from './QuickSwitcher.vue'
export { default as ForwardViewer } from './ForwardViewer.vue'
export { default as ForwardPicker } from './ForwardPicker.vue'
export { default as ShareDialog } from './ShareDialog.vue'
export { default as LlmEditor } from './LlmEditor.vue'
export { default as Lightbox } from './Lightbox.vue'
export { default as YunhuGroupPanel } from './YunhuGroupPanel.vue'
export { default as CommandFormDialog } from './CommandFormDialog.vue'
export { default as HistorySearch } from './HistorySearch.vue'
export { default as ExportDialog } from './ExportDialog.vue'
