// The offline queue of the door-to-door scoring page (入户评分).
//
// Every submission gets its idempotency key when it is made. If the POST cannot reach the
// server (the browser says it is offline, or fetch rejects: ApiError status 0), the submission
// is kept in localStorage, shown as 待同步 (N), and sent again — with the same key and the same
// body — when the browser comes back online or when the user taps 立即同步. The server answers
// a resend with 200 and the entry it made the first time, so a submission whose answer was lost
// is never entered twice. A 409 points.idempotency_conflict (the key was used for another body)
// marks that item as failed; so does any other refusal (4xx) — those need a person to look.
//
// The queue belongs to one account (`owner`, the username): an entry's maker is whoever sends
// it, so a queue is only ever sent by the account that made it.

const PREFIX = 'tala.points.queue.'

export function createScoreQueue({ owner, storage, post, isOnline = () => true, now = () => Date.now() }) {
  const key = PREFIX + owner
  const listeners = new Set()
  let flushing = null

  function read() {
    try {
      const v = JSON.parse(storage.getItem(key) || '[]')
      return Array.isArray(v) ? v : []
    } catch {
      return []
    }
  }

  function write(items) {
    if (items.length) storage.setItem(key, JSON.stringify(items))
    else storage.removeItem(key)
    for (const fn of listeners) fn(items)
  }

  function update(k, patch) {
    write(read().map((it) => (it.key === k ? { ...it, ...patch } : it)))
  }

  function enqueue(body, label) {
    const items = read()
    if (!items.some((it) => it.key === body.idempotency_key)) {
      items.push({ key: body.idempotency_key, body, label: label || null, created_at: now(), attempts: 0, state: 'queued', error: null })
      write(items)
    }
  }

  const isNetwork = (e) => !e || e.status === 0 || e.code === 'network'
  const brief = (e) => ({ status: e.status, code: e.code, detail: e.detail || '', titleZh: e.titleZh || '', title: e.title || '' })

  return {
    key,
    items: read,
    pending: () => read().filter((it) => it.state !== 'error').length,
    subscribe(fn) {
      listeners.add(fn)
      return () => listeners.delete(fn)
    },

    // Sends one submission; keeps it for later when there is no network.
    // → { entry } when the server took it, { queued: true } when it waits in the queue.
    // A refusal by the server (4xx, 5xx) is thrown as it came.
    async submit(body, label) {
      if (!body || !body.idempotency_key) throw new Error('submit: the body needs its idempotency_key')
      if (!isOnline()) {
        enqueue(body, label)
        return { queued: true }
      }
      try {
        return { entry: await post(body) }
      } catch (e) {
        if (isNetwork(e)) {
          enqueue(body, label)
          return { queued: true }
        }
        throw e
      }
    },

    // Sends what waits, oldest first; stops at the first network failure. One run at a time:
    // a second call while one runs gets the same promise.
    // → { synced: [{ item, entry }], failed: [{ item, error }], left: N, offline: bool, authRequired: bool }
    flush() {
      if (flushing) return flushing
      flushing = (async () => {
        const out = { synced: [], failed: [], left: 0, offline: false, authRequired: false }
        if (!isOnline()) {
          out.offline = true
        } else {
          for (const item of read().filter((it) => it.state !== 'error')) {
            update(item.key, { state: 'syncing', attempts: (item.attempts || 0) + 1 })
            try {
              const entry = await post(item.body)
              write(read().filter((it) => it.key !== item.key))
              out.synced.push({ item, entry })
            } catch (e) {
              if (isNetwork(e)) {
                update(item.key, { state: 'queued' })
                out.offline = true
                break
              }
              if (e.status === 401) {
                update(item.key, { state: 'queued' })
                out.authRequired = true
                break
              }
              update(item.key, { state: 'error', error: brief(e) })
              out.failed.push({ item, error: e })
            }
          }
        }
        out.left = read().filter((it) => it.state !== 'error').length
        return out
      })().finally(() => {
        flushing = null
      })
      return flushing
    },

    // Puts a failed item back in line (after the cause was dealt with).
    retry(k) {
      update(k, { state: 'queued', error: null })
    },

    // Drops an item (a failed one the user gave up on).
    remove(k) {
      write(read().filter((it) => it.key !== k))
    },
  }
}
