// The streams this phone joined lately (the join page lists them): [{code, title, at}], newest first.
const KEY = 'tala.live.recent'

export function recentStreams(storage = globalThis.localStorage) {
  try {
    const list = JSON.parse(storage?.getItem(KEY) || '[]')
    return Array.isArray(list) ? list.filter((x) => x && typeof x.code === 'string') : []
  } catch {
    return []
  }
}

export function rememberStream(entry, storage = globalThis.localStorage) {
  const list = [{ ...entry, at: Date.now() }, ...recentStreams(storage).filter((x) => x.code !== entry.code)].slice(0, 5)
  try {
    storage?.setItem(KEY, JSON.stringify(list))
  } catch {
    /* a nicety */
  }
  return list
}
