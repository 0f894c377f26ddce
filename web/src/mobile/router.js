import { createRouter, createWebHistory } from 'vue-router'
import { t } from '@/i18n/index.js'
import HomeView from './views/HomeView.vue'
import ComingSoonView from './views/ComingSoonView.vue'
import { MODULES } from './modules.js'

// Modules with pages of their own; the others show the "coming soon" page.
const READY = {
  live: [
    { path: '/live', name: 'live', component: () => import('./views/LiveJoinView.vue'), meta: { title: 'mlive.title' } },
    { path: '/live/:code', name: 'live-stream', component: () => import('./views/LiveView.vue'), props: true, meta: { title: 'mlive.title' } },
  ],
  points: [
    { path: '/points', name: 'points', component: () => import('./views/PointsPublicView.vue'), meta: { title: 'mobile.modules.points.name' } },
    { path: '/points/household/:code', name: 'points-household', component: () => import('./views/PointsHouseholdView.vue'), props: true, meta: { title: 'mpoints.household.title' } },
    { path: '/points/score', name: 'points-score', component: () => import('./views/ScoreView.vue'), meta: { title: 'mpoints.score.title' } },
  ],
  orders: [
    { path: '/orders', name: 'orders', component: () => import('./views/OrderPlaceView.vue'), meta: { title: 'mrequests.order.title' } },
    { path: '/orders/volunteer', name: 'orders-volunteer', component: () => import('./views/VolunteerOrdersView.vue'), meta: { title: 'mrequests.vol.title' } },
    { path: '/orders/:ticket', name: 'orders-ticket', component: () => import('./views/OrderTicketView.vue'), props: true, meta: { title: 'mrequests.ticket.title' } },
  ],
}

const routes = [
  { path: '/', name: 'home', component: HomeView },
  ...MODULES.flatMap((m) => READY[m.key] || [{ path: '/' + m.key, name: m.key, component: ComingSoonView, props: { module: m.key } }]),
  { path: '/:pathMatch(.*)*', name: 'not-found', component: ComingSoonView, props: { module: null } },
]

export const router = createRouter({
  history: createWebHistory('/m/'),
  routes,
  scrollBehavior: () => ({ top: 0 }),
})

// The QR code shown on air carries /m/#/live/CODE (a hash address works from any scanner and
// any server set-up); the pages themselves use ordinary paths, so the hash is taken as the path.
router.beforeEach((to) => {
  if (to.hash && to.hash.startsWith('#/')) return { path: to.hash.slice(1), replace: true }
  return true
})

router.afterEach((to) => {
  const mod = MODULES.find((m) => m.key === to.name)
  const key = to.meta.title || (mod ? 'mobile.modules.' + mod.key + '.name' : null)
  document.title = key ? `${t(key)} · ${t('app.name')}` : t('app.name')
})

export default router
