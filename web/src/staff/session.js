// The logged-in staff member, shared by the whole console.
import { reactive } from 'vue'
import { api, setCsrfToken } from '@/api.js'

export const session = reactive({
  user: null, // USER from the API, or null
  loaded: false, // GET /me answered at least once
  bootError: null, // a non-401 failure of GET /me (server down …)
})

export function applyLogin(answer) {
  session.user = answer && answer.user ? answer.user : null
  setCsrfToken(answer && answer.csrf_token)
  session.loaded = true
}

export function clearSession() {
  session.user = null
  setCsrfToken(null)
}

export async function loadMe() {
  try {
    applyLogin(await api.get('/me'))
    session.bootError = null
  } catch (e) {
    clearSession()
    session.bootError = e.status === 401 ? null : e
  }
  session.loaded = true
  return session.user
}

let loading = null
export function ensureLoaded() {
  if (session.loaded) return Promise.resolve(session.user)
  if (!loading) loading = loadMe().finally(() => (loading = null))
  return loading
}

export async function logout() {
  try {
    await api.del('/session')
  } catch {
    /* the session may already be gone; logging out locally is what matters */
  }
  clearSession()
}

export function userRoles(user = session.user) {
  return new Set((user?.roles || []).map((g) => g.role))
}

export function hasAnyRole(roles, user = session.user) {
  if (!roles || roles.length === 0) return !!user
  const mine = userRoles(user)
  return roles.some((r) => mine.has(r))
}
