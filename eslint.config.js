import tseslint from 'typescript-eslint'
import pluginVue from 'eslint-plugin-vue'

export default tseslint.config(
  {
    ignores: ['node_modules/**', 'out/**', 'dist/**', 'release/**', 'src/core/protocols/yunhu/codec/generated/**', 'bench/results/**', 'screenshots/**', 'test-results/**']
  },
  ...tseslint.configs.recommended,
  ...pluginVue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } }
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
      'vue/multi-word-component-names': 'off',
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
      'vue/no-v-html': 'off'
    }
  },
  {
    // The core runs in plain Node (tests, CLI, browser host): no Electron, no renderer code.
    files: ['src/core/**/*.ts', 'src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'src/core and src/shared run in plain Node: never import electron here.' }],
          patterns: [
            { group: ['**/renderer/**', '@renderer/*'], message: 'The core never imports renderer code.' },
            { group: ['**/main/**', '../main', '../../main'], message: 'The core never imports the Electron shell (src/main).' }
          ]
        }
      ]
    }
  },
  {
    files: ['src/renderer/**/*.{ts,vue}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The renderer only talks to main through window.api.' }],
          patterns: [
            { group: ['**/core/**', '**/main/**', '**/bridge/host*', 'node:*'], message: 'The renderer only talks to the core through the typed API (window.api or the bridge).' }
          ]
        }
      ]
    }
  },
  {
    // Components, stores and lib reach main only through the API layer (src/renderer/src/composables/).
    files: ['src/renderer/**/*.{ts,vue}'],
    ignores: ['src/renderer/src/composables/**', 'src/renderer/src/api.ts', 'src/renderer/src/main.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The renderer only talks to main through window.api.' }],
          patterns: [
            { group: ['**/core/**', '**/main/**', '**/bridge/host*', 'node:*'], message: 'The renderer only talks to the core through the typed API (window.api or the bridge).' },
            { regex: '^(?:\\.{1,2}/(?:\\.\\./)*|@renderer/)api$', message: 'Use the API composables (src/renderer/src/composables/) instead of getApi().' }
          ]
        }
      ]
    }
  }
)
