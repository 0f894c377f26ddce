// Small helpers shared by the points pages of the staff console and the phone pages.

// An idempotency key for one submission (an entry or a redemption), made when the submission
// is made and kept for its retries. crypto.randomUUID() exists in secure contexts only (https,
// localhost); over plain http on a village LAN the same version-4 UUID is built from
// crypto.getRandomValues(), which every browser has.
export function newIdempotencyKey(c = globalThis.crypto) {
  if (c && typeof c.randomUUID === 'function') return c.randomUUID()
  const b = new Uint8Array(16)
  if (c && typeof c.getRandomValues === 'function') c.getRandomValues(b)
  else for (let i = 0; i < 16; i++) b[i] = Math.floor(Math.random() * 256)
  b[6] = (b[6] & 0x0f) | 0x40
  b[8] = (b[8] & 0x3f) | 0x80
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

// 5 → "+5", -3 → "−3" (a real minus sign), 0 → "0".
export function signed(n) {
  const v = Number(n) || 0
  if (v > 0) return '+' + v
  if (v < 0) return '−' + Math.abs(v)
  return '0'
}

// The categories of scoring items (docs/points.md); the server stores the Chinese word.
export const CATEGORIES = [
  { value: '基础', key: 'basic', type: 'primary', color: '#2f6fd1' },
  { value: '民主', key: 'democracy', type: 'success', color: '#1f7a5c' },
  { value: '贡献', key: 'contribution', type: 'warning', color: '#d98a00' },
  { value: '负面', key: 'negative', type: 'danger', color: '#d9534f' },
]

export function category(value) {
  return CATEGORIES.find((c) => c.value === value) || null
}

// Status → tag type (Element Plus) for entries, periods, objections and redemptions.
export const ENTRY_STATUS = { pending: 'warning', approved: 'success', rejected: 'info' }
export const PERIOD_STATUS = { open: 'primary', closed: 'warning', publicity: 'danger', sealed: 'info' }
export const OBJECTION_STATUS = { open: 'warning', upheld: 'danger', rejected: 'info' }
export const REDEMPTION_STATUS = { held: 'warning', picked_up: 'success', cancelled: 'info', expired: 'danger' }

// The server writes the reason of a reversal made by upholding an objection as
// "异议 12 成立：<decision>" (older records: "objection 12 upheld: <decision>"); this splits it
// so the page can say it in its own language.
export function parseReason(reason) {
  const s = String(reason || '')
  const m = s.match(/^异议 (\d+) 成立：\s*(.*)$/s) || s.match(/^objection (\d+) upheld:\s*(.*)$/s)
  if (m) return { objection: Number(m[1]), text: m[2] }
  return { objection: null, text: s }
}

// A reason as a sentence: "objection 12 upheld: …" through the message `key` ({id}, {text}).
export function reasonText(reason, t, key = 'points.entries.objectionUpheld') {
  const p = parseReason(reason)
  return p.objection ? t(key, { id: p.objection, text: p.text }) : p.text
}

// The next quarter's name after "2026Q4" → "2027Q1"; a name that is not a quarter → the current one.
export function nextQuarter(name, now = new Date()) {
  const m = String(name || '').match(/^(\d{4})Q([1-4])$/)
  if (!m) return `${now.getFullYear()}Q${Math.floor(now.getMonth() / 3) + 1}`
  const y = Number(m[1])
  const q = Number(m[2])
  return q === 4 ? `${y + 1}Q1` : `${y}Q${q + 1}`
}
