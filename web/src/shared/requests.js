// The requests module (群众点单—支部派单—银发接单), shared by the staff console and the phone
// pages: statuses, specialties, event kinds, the server's English event details as sentences,
// rates and hours. Rules and API: docs/requests.md.

import { errorText, fieldErrorText } from './errors.js'
import { t as gt, te } from '@/i18n/index.js'

// An ApiError of the requests API as a sentence: a bad field is named as the requests forms name
// it (诉求内容, not the points pages' 异议内容).
export function requestsErrorText(err) {
  if (err?.code === 'request.bad_field' && err.field) {
    const f = String(err.field).replace(/^.*[.\]]/, '')
    if (te('requests.fields.' + f)) return `${gt('requests.fields.' + f)}：${fieldErrorText(err)}`
  }
  return errorText(err)
}

// Order statuses in their order of life, with the tag type (Element Plus / Vant) of each.
export const ORDER_STATUS = {
  new: 'warning',
  offered: 'primary',
  accepted: 'primary',
  in_progress: 'primary',
  done: 'success',
  closed: 'success',
  cancelled: 'info',
}
export const STATUSES = Object.keys(ORDER_STATUS)
// Statuses in which an order still waits for someone.
export const OPEN_STATUSES = ['new', 'offered', 'accepted', 'in_progress']

export const LEVELS = ['village', 'town', 'county']
export const URGENCIES = ['normal', 'urgent']
export const TIERS = ['urgent', 'utility', 'general', 'complex']
export const SOURCES = ['phone', 'staff', 'grid', 'open311']
export const OFFER_STATUS = { offered: 'warning', accepted: 'success', declined: 'danger', expired: 'info', withdrawn: 'info' }

// Talent-pool specialties, with the colour of their tags.
export const SPECIALTIES = [
  { code: 'medicine', color: '#d9534f' },
  { code: 'agriculture', color: '#1f7a5c' },
  { code: 'law', color: '#2f6fd1' },
  { code: 'mediation', color: '#7a4fc2' },
  { code: 'education', color: '#d98a00' },
  { code: 'daily', color: '#0e8a8a' },
  { code: 'repair', color: '#8a5a2b' },
]
export const specialty = (code) => SPECIALTIES.find((s) => s.code === code) || null

// Service categories (seeded by `tala migrate`) with the icon (Vant) and colours of their tiles.
export const CATEGORY_LOOK = {
  health: { icon: 'like-o', color: '#d9534f', bg: '#fdecea' },
  agri: { icon: 'flower-o', color: '#1f7a5c', bg: '#e6f3ee' },
  legal: { icon: 'notes-o', color: '#2f6fd1', bg: '#e8f0fc' },
  mediation: { icon: 'friends-o', color: '#7a4fc2', bg: '#f1ebfa' },
  errand: { icon: 'shopping-cart-o', color: '#0e8a8a', bg: '#e3f4f4' },
  repair: { icon: 'setting-o', color: '#b36b00', bg: '#fdf3df' },
}
export const categoryLook = (code) => CATEGORY_LOOK[code] || { icon: 'todo-list-o', color: '#2f6fd1', bg: '#e8f0fc' }

// Every kind of order event, in the order they usually happen.
export const EVENT_KINDS = [
  'placed', 'offered', 'accepted', 'declined', 'offer_expired', 'escalated', 'returned', 'started',
  'progress', 'done', 'visited', 'reopened', 'rated', 'reviewed', 'cancelled',
]
// Event kinds drawn in colour on the timelines.
export const EVENT_TYPE = {
  placed: 'primary',
  offered: 'primary',
  accepted: 'success',
  declined: 'danger',
  offer_expired: 'warning',
  escalated: 'warning',
  returned: 'warning',
  started: 'primary',
  progress: 'info',
  done: 'success',
  visited: 'success',
  reopened: 'danger',
  rated: 'success',
  reviewed: 'info',
  cancelled: 'info',
}

// The internal "why" of an automatic step (escalation, fallback) as written by the server.
const WHYS = { 'offer expired': 'offerExpired', declined: 'declined', dispatched: 'dispatched' }

// The English `detail` of an event (src/modules/requests/requests_api.c) as a sentence in the
// current language. `t` is vue-i18n's t. Unknown shapes are shown as they are.
export function eventDetail(e, t) {
  const d = String(e?.detail ?? '').trim()
  const P = 'requests.eventDetail.'
  let m
  switch (e?.kind) {
    case 'placed':
      m = d.match(/^(.*), (phone|staff|grid|open311)( \(on the resident's behalf\))?$/)
      if (m) return t(P + 'placed', { category: m[1], source: t('requests.source.' + m[2]) }) + (m[3] ? t(P + 'onBehalf') : '')
      break
    case 'offered':
      m = d.match(/^offered to (.+) \(score ([\d.]+)\)$/)
      if (m) return t(P + 'offered', { name: m[1], score: m[2] })
      break
    case 'declined':
      return d ? t(P + 'declined', { reason: d }) : ''
    case 'accepted':
      return d
    case 'offer_expired':
      if (d === 'no answer in time') return t(P + 'offerExpired')
      break
    case 'escalated':
      m = d.match(/^(village|town|county) → (village|town|county) \((.*?)\): ?(.*)$/)
      if (m) {
        const why = WHYS[m[4]] ? t(P + 'why.' + WHYS[m[4]]) : m[4]
        return t(P + 'escalated', { from: t('requests.level.' + m[1]), to: t('requests.level.' + m[2]), name: m[3] }) + (why ? t(P + 'because', { why }) : '')
      }
      break
    case 'returned':
      if (d === 'no volunteer can take it at any level') return t(P + 'returned')
      break
    case 'done':
      m = d.match(/^(\d+) min: ?([\s\S]*)$/)
      if (m) return t(P + 'done', { minutes: m[1] }) + (m[2] ? t(P + 'withNote', { note: m[2] }) : '')
      break
    case 'visited':
      m = d.match(/^resolved: (yes|no), satisfied: (yes|no)\. ?([\s\S]*)$/)
      if (m) {
        const s = t(P + (m[1] === 'yes' ? 'resolved' : 'unresolved')) + t('requests.comma') + t(P + (m[2] === 'yes' ? 'satisfied' : 'unsatisfied'))
        return s + (m[3] ? t(P + 'withNote', { note: m[3] }) : '')
      }
      break
    case 'reopened':
      if (d.startsWith('unsatisfied at the return visit')) return t(P + 'reopened')
      break
    case 'rated':
      m = d.match(/^(\d)\/5 ?([\s\S]*)$/)
      if (m) return t(P + 'rated', { n: m[1] }) + (m[2] ? t(P + 'withNote', { note: m[2] }) : '')
      break
    case 'reviewed':
      m = d.match(/^(unreasonable request|reasonable): ?([\s\S]*)$/)
      if (m) return t(P + (m[1] === 'reasonable' ? 'reasonable' : 'unreasonable')) + (m[2] ? t(P + 'withNote', { note: m[2] }) : '')
      break
    case 'cancelled':
      if (d === 'by the resident') return t(P + 'byResident')
      break
    default:
      break
  }
  return d
}

// A rate (0…1 or null) as "87.5%" or "—" (an empty denominator is null, never 0).
export function pct(rate) {
  if (rate === null || rate === undefined || Number.isNaN(Number(rate))) return '—'
  return `${(Math.round(Number(rate) * 1000) / 10).toFixed(1)}%`
}

// Minutes of service as hours with at most one decimal: 90 → "1.5".
export function hours(minutes) {
  const h = Math.round((Number(minutes) || 0) / 6) / 10
  return Number.isInteger(h) ? String(h) : h.toFixed(1)
}

// The server's clock may run ahead of the browser's (TALA_TEST_CLOCK, or a wrong phone clock).
// Every timestamp the server sends is at most its "now": the largest gap between one and the
// browser's clock when it arrived is a lower bound of the skew. Countdowns use serverNow().
let skew = 0
export function noteServerTimes(...stamps) {
  const local = Date.now()
  for (const s of stamps.flat()) {
    const n = Number(s)
    if (Number.isFinite(n) && n > 0 && n - local > skew) skew = n - local
  }
}
export const serverNow = () => Date.now() + skew
export const resetServerSkew = () => {
  skew = 0
}

// Milliseconds as "1 小时 25 分" / "1 h 25 min" (t: vue-i18n's t; negative → 0).
export function duration(ms, t) {
  const total = Math.max(0, Math.round(ms / 60000))
  const d = Math.floor(total / 1440)
  const h = Math.floor((total % 1440) / 60)
  const m = total % 60
  if (d) return h ? t('requests.dur.dh', { d, h }) : t('requests.dur.d', { d })
  if (h) return m ? t('requests.dur.hm', { h, m }) : t('requests.dur.h', { h })
  return t('requests.dur.m', { m })
}

// Tickets remembered on the phone (我的点单): newest first, at most 30.
const TICKETS = 'tala.orders.tickets'
export function savedTickets(storage = globalThis.localStorage) {
  try {
    const list = JSON.parse(storage?.getItem(TICKETS) || '[]')
    return Array.isArray(list) ? list.filter((x) => x && typeof x.ticket === 'string') : []
  } catch {
    return []
  }
}
export function rememberTicket(entry, storage = globalThis.localStorage) {
  const list = savedTickets(storage).filter((x) => x.ticket !== entry.ticket)
  list.unshift(entry)
  try {
    storage?.setItem(TICKETS, JSON.stringify(list.slice(0, 30)))
  } catch {
    /* storage full or disabled: the ticket is still shown */
  }
  return list.slice(0, 30)
}
export function forgetTicket(ticket, storage = globalThis.localStorage) {
  const list = savedTickets(storage).filter((x) => x.ticket !== ticket)
  try {
    storage?.setItem(TICKETS, JSON.stringify(list))
  } catch {
    /* as above */
  }
  return list
}

// A ticket code: 10 characters without look-alikes (0/O, 1/I).
export const TICKET_RE = /^[2-9A-HJ-NP-Z]{10}$/
export const normaliseTicket = (s) => String(s || '').trim().toUpperCase().replace(/[\s-]/g, '')
