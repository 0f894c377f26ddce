import { createRouter, createWebHistory } from 'vue-router'
import { session, ensureLoaded } from './session.js'
import {
  ORG_READ_ROLES, USERS_ROLES, PEOPLE_ROLES, AUDIT_ROLES, POINTS_ROLES, POINTS_REPORT_ROLES, REQUESTS_ROLES, CALENDAR_ROLES, LIVE_ROLES,
} from './permissions.js'
import { t } from '@/i18n/index.js'
import ConsoleLayout from './ConsoleLayout.vue'
import LoginView from './views/LoginView.vue'

const routes = [
  { path: '/login', name: 'login', component: LoginView, meta: { public: true, title: 'login.title' } },
  {
    path: '/',
    component: ConsoleLayout,
    children: [
      { path: '', name: 'home', component: () => import('./views/HomeView.vue'), meta: { title: 'nav.home' } },
      { path: 'org', name: 'org', component: () => import('./views/OrgView.vue'), meta: { title: 'nav.org', roles: ORG_READ_ROLES } },
      { path: 'users', name: 'users', component: () => import('./views/UsersView.vue'), meta: { title: 'nav.users', roles: USERS_ROLES } },
      { path: 'people', name: 'people', component: () => import('./views/PeopleView.vue'), meta: { title: 'nav.people', roles: PEOPLE_ROLES } },
      { path: 'points', redirect: '/points/entries' },
      { path: 'points/items', name: 'pointsItems', component: () => import('./views/PointsItemsView.vue'), meta: { title: 'nav.pointsItems', roles: POINTS_ROLES } },
      { path: 'points/periods', name: 'pointsPeriods', component: () => import('./views/PointsPeriodsView.vue'), meta: { title: 'nav.pointsPeriods', roles: POINTS_ROLES } },
      { path: 'points/entries', name: 'pointsEntries', component: () => import('./views/PointsEntriesView.vue'), meta: { title: 'nav.pointsEntries', roles: POINTS_ROLES } },
      { path: 'points/objections', name: 'pointsObjections', component: () => import('./views/PointsObjectionsView.vue'), meta: { title: 'nav.pointsObjections', roles: POINTS_ROLES } },
      { path: 'points/store', name: 'pointsStore', component: () => import('./views/PointsStoreView.vue'), meta: { title: 'nav.pointsStore', roles: POINTS_ROLES } },
      { path: 'points/report', name: 'pointsReport', component: () => import('./views/PointsReportView.vue'), meta: { title: 'nav.pointsReport', roles: POINTS_REPORT_ROLES } },
      { path: 'points/households/:id(\\d+)', name: 'householdPoints', component: () => import('./views/HouseholdPointsView.vue'), props: true, meta: { title: 'nav.householdPoints', roles: POINTS_ROLES, menu: '/points/entries' } },
      { path: 'requests', redirect: '/requests/orders' },
      { path: 'requests/orders', name: 'requestsOrders', component: () => import('./views/RequestsOrdersView.vue'), meta: { title: 'nav.requestsOrders', roles: REQUESTS_ROLES } },
      { path: 'requests/volunteers', name: 'requestsVolunteers', component: () => import('./views/RequestsVolunteersView.vue'), meta: { title: 'nav.requestsVolunteers', roles: REQUESTS_ROLES } },
      { path: 'requests/activities', name: 'requestsActivities', component: () => import('./views/RequestsActivitiesView.vue'), meta: { title: 'nav.requestsActivities', roles: REQUESTS_ROLES } },
      { path: 'requests/rates', name: 'requestsRates', component: () => import('./views/RequestsRatesView.vue'), meta: { title: 'nav.requestsRates', roles: REQUESTS_ROLES } },
      { path: 'requests/calendar', name: 'requestsCalendar', component: () => import('./views/RequestsCalendarView.vue'), meta: { title: 'nav.requestsCalendar', roles: CALENDAR_ROLES } },
      { path: 'live', redirect: '/live/streams' },
      { path: 'live/streams', name: 'liveStreams', component: () => import('./views/LiveStreamsView.vue'), meta: { title: 'nav.liveStreams', roles: LIVE_ROLES } },
      { path: 'live/streams/:id(\\d+)', name: 'liveConsole', component: () => import('./views/LiveConsoleView.vue'), props: true, meta: { title: 'nav.liveConsole', roles: LIVE_ROLES, menu: '/live/streams' } },
      { path: 'live/streams/:id(\\d+)/report', name: 'liveReport', component: () => import('./views/LiveReportView.vue'), props: true, meta: { title: 'nav.liveReport', roles: LIVE_ROLES, menu: '/live/streams' } },
      { path: 'live/summary', name: 'liveSummary', component: () => import('./views/LiveSummaryView.vue'), meta: { title: 'nav.liveSummary', roles: LIVE_ROLES } },
      { path: 'live/faq', name: 'liveFaq', component: () => import('./views/LiveFaqView.vue'), meta: { title: 'nav.liveFaq', roles: LIVE_ROLES } },
      { path: 'audit', name: 'audit', component: () => import('./views/AuditView.vue'), meta: { title: 'nav.audit', roles: AUDIT_ROLES } },
      { path: 'account', name: 'account', component: () => import('./views/AccountView.vue'), meta: { title: 'nav.account' } },
      { path: ':pathMatch(.*)*', name: 'not-found', component: () => import('./views/NotFoundView.vue'), meta: { title: 'notFound.title' } },
    ],
  },
]

export const router = createRouter({
  history: createWebHistory('/'),
  routes,
  scrollBehavior: () => ({ top: 0 }),
})

router.beforeEach(async (to) => {
  await ensureLoaded()
  if (to.meta.public) {
    if (to.name === 'login' && session.user) {
      const target = typeof to.query.redirect === 'string' && to.query.redirect.startsWith('/') ? to.query.redirect : '/'
      return target
    }
    return true
  }
  if (!session.user) {
    return { name: 'login', query: to.fullPath && to.fullPath !== '/' ? { redirect: to.fullPath } : {} }
  }
  // With an expired password the server answers nothing but the account routes.
  if (session.user.password_expired && to.name !== 'account') {
    return { name: 'account', query: { setup: 'password' } }
  }
  // Pages a role may not use stay at their address; the layout shows a "no permission" notice.
  return true
})

router.afterEach((to) => {
  const key = to.meta.title
  document.title = key ? `${t(key)} · ${t('app.consoleTitle')}` : t('app.consoleTitle')
})

export default router
