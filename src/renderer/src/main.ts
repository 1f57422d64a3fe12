import { createApp } from 'vue'
import { createPinia } from 'pinia'
import 'katex/dist/katex.min.css'
import './styles/theme.css'
import './styles/app.css'
import './styles/markdown.css'
import './styles/yunhu.css'
import App from './App.vue'
import { i18n } from './i18n'
import { loadDevMock } from './api'

function mount(): void {
  const app = createApp(App)
  app.use(createPinia())
  app.use(i18n)
  app.mount('#app')
}

// `?mock=1` in development: the fake API loads first (it is not part of production builds).
const mock = loadDevMock()
if (mock) void mock.then(mount)
else mount()
