export const LEVELS = ['region', 'city', 'county', 'town', 'village', 'group']

export function levelIndex(level) {
  return LEVELS.indexOf(level)
}

// Levels a child of a node at `level` may have (any level below it).
export function childLevels(level) {
  const i = levelIndex(level)
  return i < 0 ? LEVELS.slice() : LEVELS.slice(i + 1)
}

const pad = (n) => String(n).padStart(2, '0')

// Epoch milliseconds → "2025-03-08 14:05:09" in the browser's time zone.
export function formatTime(ms, withSeconds = true) {
  if (ms === null || ms === undefined || ms === '') return ''
  const d = new Date(typeof ms === 'number' ? ms : Number(ms) || ms)
  if (Number.isNaN(d.getTime())) return String(ms)
  const s = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`
  return withSeconds ? `${s}:${pad(d.getSeconds())}` : s
}

// "JBSWY3DPEHPK3PXP" → "JBSW Y3DP EHPK 3PXP"
export function groupSecret(secret) {
  return String(secret || '').replace(/\s+/g, '').replace(/(.{4})(?=.)/g, '$1 ')
}
