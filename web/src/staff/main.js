import { createApp } from 'vue'
import 'element-plus/dist/index.css'
import '@/staff/styles.css'
import App from './App.vue'
import { router } from './router.js'
import { i18n, setLocale, currentLocale } from '@/i18n/index.js'
import { installElement } from './element.js'
import { onAuthRequired, onSetupRequired } from '@/api.js'
import { clearSession, session } from './session.js'

// Any 401 auth.required (session missing or idle for 30 minutes) sends the user to the login page.
// The first GET /me of a page load is not one of those: the router guard sends an anonymous
// visitor to the login page itself, keeping the page asked for (?redirect=).
onAuthRequired(() => {
  if (!session.loaded) return
  clearSession()
  const here = router.currentRoute.value
  if (here.name !== 'login') {
    router.replace({ name: 'login', query: { redirect: here.fullPath, expired: '1' } })
  }
})

// An expired password, or a staff account that must enrol TOTP first: only "my account" works.
onSetupRequired((err) => {
  const setup = err.code === 'auth.password_expired' ? 'password' : 'totp'
  const here = router.currentRoute.value
  if (here.name !== 'account' || here.query.setup !== setup) {
    router.replace({ name: 'account', query: { setup } })
  }
})

setLocale(currentLocale())
const app = createApp(App)
app.use(i18n)
installElement(app)
app.use(router)
app.mount('#app')
