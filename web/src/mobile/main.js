import { createApp } from 'vue'
import {
  ActionSheet, Button, Cell, CellGroup, ConfigProvider, Empty, Field, Form, Grid, GridItem, Icon,
  Loading, NavBar, Popup, Search, Tag, Locale, Rate, RadioGroup, Radio, Steps, Step, Divider,
  Uploader,
} from 'vant'
import 'vant/es/style/base.css'
import 'vant/es/action-sheet/style/index'
import 'vant/es/button/style/index'
import 'vant/es/uploader/style/index'
import 'vant/es/cell/style/index'
import 'vant/es/cell-group/style/index'
import 'vant/es/config-provider/style/index'
import 'vant/es/empty/style/index'
import 'vant/es/field/style/index'
import 'vant/es/form/style/index'
import 'vant/es/loading/style/index'
import 'vant/es/popup/style/index'
import 'vant/es/search/style/index'
import 'vant/es/toast/style/index'
import 'vant/es/dialog/style/index'
import 'vant/es/grid/style/index'
import 'vant/es/grid-item/style/index'
import 'vant/es/icon/style/index'
import 'vant/es/nav-bar/style/index'
import 'vant/es/tag/style/index'
import 'vant/es/rate/style/index'
import 'vant/es/radio-group/style/index'
import 'vant/es/radio/style/index'
import 'vant/es/steps/style/index'
import 'vant/es/step/style/index'
import 'vant/es/divider/style/index'
import vantZh from 'vant/es/locale/lang/zh-CN'
import vantEn from 'vant/es/locale/lang/en-US'
import './styles.css'
import App from './App.vue'
import { router } from './router.js'
import { i18n, setLocale, currentLocale, onLocaleChange } from '@/i18n/index.js'

function syncVant(locale) {
  if (locale === 'en') Locale.use('en-US', vantEn)
  else Locale.use('zh-CN', vantZh)
}
onLocaleChange(syncVant)
setLocale(currentLocale())

const app = createApp(App)
for (const c of [ActionSheet, Button, Cell, CellGroup, ConfigProvider, Empty, Field, Form, Grid, GridItem, Icon, Loading, NavBar, Popup, Search, Tag, Rate, RadioGroup, Radio, Steps, Step, Divider, Uploader]) app.use(c)
app.use(i18n)
app.use(router)
app.mount('#app')
