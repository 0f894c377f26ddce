// Live Q&A (政务直播问答) logic shared by the phone pages and the host console, kept free of Vue
// so that it is unit-tested (live.test.js): the device token, join codes, the hot list as it
// arrives over SSE (with a fallback poll), the viewer's own questions, and the series of the
// per-minute interaction chart. The API is docs/live.md.

// --- the device token (X-Tala-Device): random, kept on the phone, 16–64 of [A-Za-z0-9_-] ---
export const DEVICE_KEY = 'tala.live.device'
export const DEVICE_RE = /^[A-Za-z0-9_-]{16,64}$/
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-'

// 32 characters from crypto.getRandomValues (192 bits).
export function newDeviceToken(random = (n) => globalThis.crypto.getRandomValues(new Uint8Array(n))) {
  const bytes = random(32)
  let s = ''
  for (let i = 0; i < 32; i++) s += ALPHABET[bytes[i] & 63]
  return s
}

let memoryToken = null // when storage is disabled (private mode): one per page load
export function deviceToken(storage = globalThis.localStorage, make = newDeviceToken) {
  let tok = null
  try {
    tok = storage?.getItem(DEVICE_KEY) || null
  } catch {
    tok = null
  }
  if (tok && DEVICE_RE.test(tok)) return tok
  if (memoryToken && !storage) return memoryToken
  tok = make()
  try {
    storage?.setItem(DEVICE_KEY, tok)
  } catch {
    /* storage full or disabled: the token lasts for this page */
  }
  memoryToken = tok
  return tok
}

export const deviceHeaders = (storage) => ({ 'X-Tala-Device': deviceToken(storage) })

// --- join codes: 6 of 23456789ABCDEFGHJKMNPQRSTUVWXYZ (no 0/O/1/I/L) ---
export const JOIN_CODE_RE = /^[2-9A-HJKMNP-Z]{6}$/
export const normaliseJoinCode = (s) => String(s || '').trim().toUpperCase().replace(/[\s-]/g, '')

// The join address the QR code carries: <base>/m/#/live/<code>.
export const joinUrl = (base, code) => `${String(base).replace(/\/+$/, '')}/m/#/live/${code}`

// --- statuses ---
export const STREAM_STATUS = { scheduled: 'warning', live: 'danger', ended: 'info' }
export const STREAM_STATUSES = Object.keys(STREAM_STATUS)
export const HOT_STATUS = { open: 'primary', answered: 'success', deferred: 'info' }
export const HOT_STATUSES = Object.keys(HOT_STATUS)
export const QUESTION_STATUSES = ['visible', 'pending', 'rejected']
export const KINDS = ['question', 'suggestion', 'smalltalk']
export const PLATFORMS = ['douyin', 'kuaishou', 'weixin', 'other']

// The error of a failed call, as what the viewer page does about it.
export function liveErrorKind(err) {
  if (!err) return null
  if (err.status === 429 || err.code === 'live.rate_limited') return 'rateLimited'
  if (err.code === 'live.stream_ended') return 'ended'
  if (err.status === 404) return 'notFound'
  if (err.status === 0) return 'network'
  return 'other'
}

// --- the hot list ---
// Ranked as the server ranks it (pinned first, heat descending, then id) — for lists put
// together on the client (after an action, before the next event).
export function rankHot(items) {
  return [...(items || [])].sort((a, b) => (b.pinned ? 1 : 0) - (a.pinned ? 1 : 0) || (b.heat || 0) - (a.heat || 0) || a.cluster_id - b.cluster_id)
}

// Holds the newest hot list of one stream. `apply` takes an SSE `hot` event's data (or a
// poll's answer, version null): an event older than the one shown is ignored (events of a
// reconnect may arrive after a poll that saw newer data).
export function createHotState(streamId) {
  const state = { streamId, version: -1, items: [], updatedAt: 0 }
  state.apply = (data, now = Date.now()) => {
    if (!data || !Array.isArray(data.items)) return false
    if (data.stream_id !== undefined && data.stream_id !== null && state.streamId !== undefined && Number(data.stream_id) !== Number(state.streamId)) return false
    const v = typeof data.version === 'number' ? data.version : null
    if (v !== null && v < state.version) return false
    if (v !== null) state.version = v
    state.items = data.items
    state.updatedAt = now
    return true
  }
  return state
}

export const pinnedOf = (items) => (items || []).find((i) => i.pinned) || null

// Parses the data of an SSE event (a string); null when it is not JSON.
export function parseEventData(s) {
  try {
    return JSON.parse(s)
  } catch {
    return null
  }
}

// The hot list, live: an EventSource on /api/v1/streams/{id}/events (event `hot`), and a poll
// (poll() → {items}) when the event stream is down or has been silent for `staleMs` (the
// server pings every 15 s). onItems(items, data) is called with each newer list.
// Returns { close(), state }.
export function createHotFeed({ streamId, url, onItems, poll, EventSourceImpl = globalThis.EventSource, intervalMs = 10000, staleMs = 40000, now = () => Date.now(), setIntervalImpl = setInterval, clearIntervalImpl = clearInterval }) {
  const state = createHotState(streamId)
  let es = null
  let lastHeard = now()
  let closed = false
  let polling = false
  const take = (data) => {
    if (state.apply(data, now())) onItems?.(state.items, data)
  }
  if (typeof EventSourceImpl === 'function') {
    try {
      es = new EventSourceImpl(url)
      es.addEventListener('hot', (e) => {
        lastHeard = now()
        take(parseEventData(e.data))
      })
      es.addEventListener('ping', () => {
        lastHeard = now()
      })
      es.addEventListener('open', () => {
        lastHeard = now()
      })
    } catch {
      es = null
    }
  }
  const OPEN = 1
  async function tick() {
    if (closed || polling || !poll) return
    const down = !es || es.readyState !== OPEN || now() - lastHeard > staleMs
    if (!down) return
    polling = true
    try {
      const res = await poll()
      if (!closed && res) take({ stream_id: streamId, version: null, items: res.items || [] })
    } catch {
      /* the next tick tries again */
    } finally {
      polling = false
    }
  }
  const timer = setIntervalImpl(tick, intervalMs)
  return {
    state,
    tick,
    get source() {
      return es
    },
    close() {
      closed = true
      clearIntervalImpl(timer)
      es?.close()
    },
  }
}

// --- the viewer's own questions (我的提问) ---
// The server's list (GET …/questions?mine=1) with what the hot list says since: a question whose
// hot question was answered (or deferred) after the list was fetched shows it at once.
export function mergeMine(mine, hotItems) {
  const byCluster = new Map((hotItems || []).map((h) => [h.cluster_id, h]))
  return (mine || []).map((q) => {
    const h = q.cluster_id !== null && q.cluster_id !== undefined ? byCluster.get(q.cluster_id) : null
    if (!h) return q
    return { ...q, cluster_status: h.status || q.cluster_status, answer: h.answer ?? q.answer ?? null, cluster_title: h.title || q.cluster_title }
  })
}

// What a viewer's question shows: pending (审核中), rejected, answered, deferred, waiting, or
// taken (a suggestion / small talk: counted, not a hot question).
export function mineState(q) {
  if (q.status === 'pending') return 'pending'
  if (q.status === 'rejected') return 'rejected'
  if (q.kind && q.kind !== 'question') return 'noted'
  const s = q.cluster_status || q.cluster?.status
  if (s === 'answered') return 'answered'
  if (s === 'deferred') return 'deferred'
  return 'waiting'
}
export const mineAnswer = (q) => q.answer ?? q.cluster?.answer ?? null

// cluster_id → the id of one of its visible questions (the newest), to vote with: upvotes are
// per question (POST /public/questions/{id}/upvote) while the hot list names clusters.
export function voteTargets(questions) {
  const m = new Map()
  for (const q of questions || []) {
    if (q.cluster_id === null || q.cluster_id === undefined) continue
    if (!m.has(q.cluster_id)) m.set(q.cluster_id, q.id)
  }
  return m
}

// The question a viewer's upvote of hot question h lands on: the hot list names it
// (question_id, its first question); older servers' lists fall back to the visible questions.
export function voteTarget(h, targets) {
  return h?.question_id || targets?.get(h?.cluster_id) || null
}

// The votes this device made, kept on the phone: { "<stream>": [clusterId…] }.
const VOTES = 'tala.live.votes'
export function votedClusters(streamId, storage = globalThis.localStorage) {
  try {
    const all = JSON.parse(storage?.getItem(VOTES) || '{}')
    const list = all && Array.isArray(all[streamId]) ? all[streamId] : []
    return new Set(list)
  } catch {
    return new Set()
  }
}
export function rememberVote(streamId, clusterId, storage = globalThis.localStorage) {
  let all = {}
  try {
    all = JSON.parse(storage?.getItem(VOTES) || '{}') || {}
  } catch {
    all = {}
  }
  const list = new Set(Array.isArray(all[streamId]) ? all[streamId] : [])
  list.add(clusterId)
  all[streamId] = [...list].slice(-500)
  try {
    storage?.setItem(VOTES, JSON.stringify(all))
  } catch {
    /* a nicety: the server counts one vote per device anyway */
  }
  return list
}

// --- the per-minute interaction chart ---
const pad = (n) => String(n).padStart(2, '0')
// A minute of the timeline → "HH:MM" in the browser's zone (the server gives epoch ms, or a
// minute index since the start when `start` is given and the value is small).
export function minuteLabel(minute, start) {
  let ms = Number(minute)
  if (!Number.isFinite(ms)) return String(minute)
  if (ms < 1e9 && start) ms = Number(start) + ms * 60000
  else if (ms < 1e9) return `+${ms}′`
  const d = new Date(ms)
  return `${pad(d.getHours())}:${pad(d.getMinutes())}`
}

// The series of the chart: stacked bars of questions, suggestions and small talk per minute, a
// line of viewers (carried forward from the last sample; null before the first one).
export function timelineSeries(items, { start = null, names = {} } = {}) {
  const rows = [...(items || [])].sort((a, b) => Number(a.minute) - Number(b.minute))
  const labels = rows.map((r) => minuteLabel(r.minute, start))
  const bar = (key) => ({ key, name: names[key] || key, type: 'bar', stack: 'interactions', data: rows.map((r) => Number(r[key]) || 0) })
  let last = null
  const viewers = rows.map((r) => {
    if (r.viewers !== null && r.viewers !== undefined) last = Number(r.viewers)
    return last
  })
  const totals = rows.map((r) => (Number(r.questions) || 0) + (Number(r.suggestions) || 0) + (Number(r.smalltalk) || 0))
  return {
    labels,
    bars: [bar('questions'), bar('suggestions'), bar('smalltalk')],
    viewers: { key: 'viewers', name: names.viewers || 'viewers', type: 'line', data: viewers },
    totals,
    peakMinute: totals.length ? labels[totals.indexOf(Math.max(...totals))] : null,
    hasViewers: viewers.some((v) => v !== null),
  }
}

// Keyword weights → font sizes between min and max px (a tag cloud).
export function keywordSizes(keywords, min = 13, max = 34) {
  const list = (keywords || []).filter((k) => k && k.word)
  if (!list.length) return []
  const ws = list.map((k) => Number(k.weight) || 0)
  const lo = Math.min(...ws)
  const hi = Math.max(...ws)
  return list.map((k, i) => ({ ...k, size: hi === lo ? Math.round((min + max) / 2) : Math.round(min + ((ws[i] - lo) / (hi - lo)) * (max - min)) }))
}

// A share as "67%" (null → "—").
export function share(n, d) {
  if (!d) return '—'
  return `${Math.round((n / d) * 100)}%`
}

// Parses the rows of an import file before sending it: JSON lines or CSV (by name or content).
export function importContentType(name, text) {
  if (/\.csv$/i.test(name || '')) return 'text/csv'
  if (/\.(jsonl|ndjson|json)$/i.test(name || '')) return 'application/x-ndjson'
  return String(text || '').trimStart().startsWith('{') ? 'application/x-ndjson' : 'text/csv'
}

// Calls fn at most once per `ms`, the last call winning (trailing).
export function debounce(fn, ms) {
  let timer = null
  const d = (...args) => {
    clearTimeout(timer)
    timer = setTimeout(() => fn(...args), ms)
  }
  d.cancel = () => clearTimeout(timer)
  return d
}

// An import line's reason (the server's, in English: "time: epoch ms or YYYY-MM-DD HH:MM:SS")
// in the reader's language; t is vue-i18n's, te tells whether a key exists.
const IMPORT_REASONS = [
  [/^time: epoch ms/, 'timeFormat'],
  [/^time: out of range/, 'timeRange'],
  [/^platform: lowercase/, 'platform'],
  [/: required$/, 'required'],
  [/: (?:longer than|at most) (\d+) characters$/, 'tooLong'],
  [/: not valid UTF-8$/, 'utf8'],
]
export function importReason(reason, t, te = () => true) {
  const s = String(reason || '')
  const m = s.match(/^([a-z_]+): /)
  const field = m && te('live.import.field.' + m[1]) ? t('live.import.field.' + m[1]) : m ? m[1] : ''
  for (const [re, key] of IMPORT_REASONS) {
    const x = s.match(re)
    if (x) return t('live.import.why.' + key, { field, n: x[1] })
  }
  return m ? `${field}：${s.slice(m[0].length)}` : s
}
