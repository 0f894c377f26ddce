// vue-i18n set-up shared by the staff console and the mobile pages.
// Chinese (zh-CN) is the source of every key; en carries the same keys; mn (Mongolian, traditional
// script) is a stub: the keys it lacks fall back to zh-CN.
import { createI18n } from 'vue-i18n'
import zhCN from './zh-CN.js'
import en from './en.js'
import mn from './mn.js'

export const LOCALES = ['zh-CN', 'en', 'mn']
export const DEFAULT_LOCALE = 'zh-CN'
const STORAGE_KEY = 'tala.locale'

export const messages = { 'zh-CN': zhCN, en, mn }

function storage() {
  try {
    return typeof window !== 'undefined' ? window.localStorage : null
  } catch {
    return null
  }
}

export function initialLocale() {
  const saved = storage()?.getItem(STORAGE_KEY)
  if (saved && LOCALES.includes(saved)) return saved
  return DEFAULT_LOCALE
}

export const i18n = createI18n({
  legacy: false,
  globalInjection: true,
  locale: initialLocale(),
  fallbackLocale: { mn: ['zh-CN'], en: ['zh-CN'], default: ['zh-CN'] },
  messages,
  missingWarn: false,
  fallbackWarn: false,
})

const listeners = new Set()

export function onLocaleChange(fn) {
  listeners.add(fn)
  return () => listeners.delete(fn)
}

export function setLocale(locale) {
  if (!LOCALES.includes(locale)) locale = DEFAULT_LOCALE
  i18n.global.locale.value = locale
  storage()?.setItem(STORAGE_KEY, locale)
  if (typeof document !== 'undefined') {
    document.documentElement.lang = locale === 'mn' ? 'mn-Mong' : locale
  }
  for (const fn of listeners) fn(locale)
}

export function currentLocale() {
  return i18n.global.locale.value
}

export const t = (...args) => i18n.global.t(...args)
// Looks a key up by its dotted path in a locale's messages (no vue-i18n parsing involved).
export function lookup(locale, key) {
  let node = messages[locale]
  for (const part of String(key).split('.')) {
    if (node === null || typeof node !== 'object' || !(part in node)) return undefined
    node = node[part]
  }
  return node
}

// true when the key names a message (a string) in the current locale or in zh-CN.
export const te = (key) => typeof lookup(currentLocale(), key) === 'string' || typeof lookup(DEFAULT_LOCALE, key) === 'string'

export default i18n
