import { resolve } from 'node:path'
import { defineConfig, externalizeDepsPlugin } from 'electron-vite'
import vue from '@vitejs/plugin-vue'

const shared = resolve(__dirname, 'src/shared')

export default defineConfig({
  main: {
    plugins: [externalizeDepsPlugin()],
    resolve: { alias: { '@shared': shared } }
  },
  preload: {
    plugins: [externalizeDepsPlugin()],
    resolve: { alias: { '@shared': shared } },
    build: { rollupOptions: { output: { format: 'cjs', entryFileNames: '[name].cjs' } } }
  },
  renderer: {
    // vue-i18n's esm-bundler build (what Vite resolves), with its feature flags set so that the unused parts
    // are dropped: no Legacy API, no global <i18n-t>/<i18n-n>/<i18n-d> or v-t (ChatView imports Translation
    // itself), no devtools. Messages are still compiled at run time: precompiling them would need
    // @intlify/unplugin-vue-i18n, which is not a dependency.
    define: {
      __VUE_I18N_FULL_INSTALL__: 'false',
      __VUE_I18N_LEGACY_API__: 'false',
      __INTLIFY_PROD_DEVTOOLS__: 'false'
    },
    resolve: {
      alias: { '@renderer': resolve(__dirname, 'src/renderer/src'), '@shared': shared }
    },
    plugins: [vue()],
    // electron-vite leaves the renderer unminified; minified, the first load has less to fetch and parse.
    build: { minify: true }
  }
})
