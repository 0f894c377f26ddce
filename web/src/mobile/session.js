// The signed-in member on the phone pages (入户评分). The same session cookie as the staff
// console (same origin), so a member signed in there is signed in here too.
import { reactive } from 'vue'
import { api, setCsrfToken, onAuthRequired } from '@/api.js'

export const msession = reactive({ user: null, loaded: false })

function apply(answer) {
  msession.user = answer?.user || null
  setCsrfToken(answer?.csrf_token)
  msession.loaded = true
}

export async function loadMe() {
  try {
    apply(await api.get('/me'))
  } catch (e) {
    if (e.status === 0) {
      // no network: keep whom we knew (the offline queue still works), else show the login
      msession.loaded = true
      return msession.user
    }
    msession.user = null
    setCsrfToken(null)
  }
  msession.loaded = true
  return msession.user
}

// → the user; throws ApiError (auth.totp_required: ask for the code and call again with it)
export async function login(username, password, totp) {
  const body = { username: username.trim(), password }
  if (totp) body.totp = totp
  apply(await api.post('/session', body))
  return msession.user
}

export async function logout() {
  try {
    await api.del('/session')
  } catch {
    /* gone already */
  }
  msession.user = null
  setCsrfToken(null)
}

// The villages the member may score in: the village nodes of their points roles.
export function scoringVillages(user = msession.user) {
  const roles = ['branch_secretary', 'township_staff', 'county_staff']
  const out = []
  for (const g of user?.roles || []) {
    if (roles.includes(g.role) && g.node?.level === 'village' && !out.some((n) => n.id === g.node.id)) out.push(g.node)
  }
  return out
}

onAuthRequired(() => {
  msession.user = null
})
