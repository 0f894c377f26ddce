import { createRouter, createWebHistory } from 'vue-router'
import { t } from '@/i18n/index.js'
import HomeView from './views/HomeView.vue'
import ComingSoonView from './views/ComingSoonView.vue'
import { MODULES } from './modules.js'

const routes = [
  { path: '/', name: 'home', component: HomeView },
  ...MODULES.map((m) => ({ path: '/' + m.key, name: m.key, component: ComingSoonView, props: { module: m.key } })),
  { path: '/:pathMatch(.*)*', name: 'not-found', component: ComingSoonView, props: { module: null } },
]

export const router = createRouter({
  history: createWebHistory('/m/'),
  routes,
  scrollBehavior: () => ({ top: 0 }),
})

router.afterEach((to) => {
  const mod = MODULES.find((m) => m.key === to.name)
  document.title = mod ? `${t('mobile.modules.' + mod.key + '.name')} · ${t('app.name')}` : t('app.name')
})

export default router
