import { createApp } from 'vue'
import { createPinia } from 'pinia'
import './styles/theme.css'
import './styles/app.css'
import './styles/markdown.css'
import './styles/yunhu.css'
import './styles/attach.css'
import './styles/people.css'
import App from './App.vue'
import { i18n } from './i18n'

const app = createApp(App)
app.use(createPinia())
app.use(i18n)
app.mount('#app')
