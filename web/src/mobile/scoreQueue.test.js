import { describe, it, expect } from 'vitest'
import { createScoreQueue } from './scoreQueue.js'
import { ApiError } from '@/api.js'
import { newIdempotencyKey } from '@/shared/points.js'

function memoryStorage() {
  const m = new Map()
  return {
    getItem: (k) => (m.has(k) ? m.get(k) : null),
    setItem: (k, v) => m.set(k, String(v)),
    removeItem: (k) => m.delete(k),
    _map: m,
  }
}

// A fake server: keeps entries by idempotency key like POST /points/entries does.
function fakeServer() {
  const byKey = new Map()
  let nextId = 100
  const s = {
    down: false,
    calls: 0,
    async post(body) {
      s.calls++
      if (s.down) throw new ApiError({ status: 0, code: 'network', detail: 'Failed to fetch' })
      const prev = byKey.get(body.idempotency_key)
      if (prev) {
        if (JSON.stringify(prev.body) !== JSON.stringify(body)) throw new ApiError({ status: 409, code: 'points.idempotency_conflict' })
        return prev.entry
      }
      const entry = { id: nextId++, status: 'pending', household: { id: body.household }, note: body.note }
      byKey.set(body.idempotency_key, { body, entry })
      return entry
    },
    entries: () => [...byKey.values()].map((v) => v.entry),
  }
  return s
}

const body = (note, key = newIdempotencyKey()) => ({ household: 7, item: 'JC01', note, idempotency_key: key })

describe('scoreQueue', () => {
  it('sends straight away when online', async () => {
    const srv = fakeServer()
    const q = createScoreQueue({ owner: 'sec', storage: memoryStorage(), post: srv.post })
    const r = await q.submit(body('a'))
    expect(r.entry.id).toBe(100)
    expect(q.items()).toEqual([])
  })

  it('queues without trying when the browser is offline, and sends once online', async () => {
    const srv = fakeServer()
    let online = false
    const storage = memoryStorage()
    const q = createScoreQueue({ owner: 'sec', storage, post: srv.post, isOnline: () => online })
    const b = body('offline')
    expect(await q.submit(b, { head: '巴特尔' })).toEqual({ queued: true })
    expect(srv.calls).toBe(0)
    expect(q.pending()).toBe(1)
    expect(JSON.parse(storage.getItem('tala.points.queue.sec'))[0].body.idempotency_key).toBe(b.idempotency_key)
    online = true
    const out = await q.flush()
    expect(out.synced.map((s) => s.entry.id)).toEqual([100])
    expect(q.pending()).toBe(0)
    expect(storage.getItem('tala.points.queue.sec')).toBeNull()
  })

  it('queues when fetch rejects, and keeps the same key for the resend', async () => {
    const srv = fakeServer()
    srv.down = true
    const q = createScoreQueue({ owner: 'sec', storage: memoryStorage(), post: srv.post })
    const b = body('lost')
    expect(await q.submit(b)).toEqual({ queued: true })
    expect(q.items()[0].key).toBe(b.idempotency_key)
    srv.down = false
    await q.flush()
    expect(srv.entries()).toHaveLength(1)
  })

  it('a resend of something the server already has gives the same entry, entered once', async () => {
    const srv = fakeServer()
    const b = body('answer lost')
    const first = await srv.post(b) // the server took it, the answer never came back
    const storage = memoryStorage()
    const q = createScoreQueue({ owner: 'sec', storage, post: srv.post, isOnline: () => false })
    await q.submit(b)
    // later (another page load): the same storage, online again
    const q2 = createScoreQueue({ owner: 'sec', storage, post: srv.post })
    const out = await q2.flush()
    expect(out.synced[0].entry.id).toBe(first.id)
    expect(srv.entries()).toHaveLength(1)
  })

  it('two flushes at once send each item once', async () => {
    const srv = fakeServer()
    let online = false
    const q = createScoreQueue({ owner: 'sec', storage: memoryStorage(), post: srv.post, isOnline: () => online })
    await q.submit(body('one'))
    await q.submit(body('two'))
    online = true
    const [a, b] = await Promise.all([q.flush(), q.flush()])
    expect(a).toBe(b)
    expect(srv.calls).toBe(2)
    expect(srv.entries().map((e) => e.note)).toEqual(['one', 'two'])
  })

  it('a 409 idempotency conflict marks the item failed and goes on with the rest', async () => {
    const srv = fakeServer()
    const k = newIdempotencyKey()
    await srv.post(body('original', k))
    let online = false
    const q = createScoreQueue({ owner: 'sec', storage: memoryStorage(), post: srv.post, isOnline: () => online })
    await q.submit(body('changed', k))
    await q.submit(body('fine'))
    online = true
    const out = await q.flush()
    expect(out.failed).toHaveLength(1)
    expect(out.failed[0].error.code).toBe('points.idempotency_conflict')
    expect(out.synced).toHaveLength(1)
    const left = q.items()
    expect(left).toHaveLength(1)
    expect(left[0].state).toBe('error')
    expect(left[0].error.code).toBe('points.idempotency_conflict')
    expect(q.pending()).toBe(0)
    q.remove(left[0].key)
    expect(q.items()).toEqual([])
  })

  it('stops at the first network failure and keeps the order', async () => {
    const srv = fakeServer()
    let online = false
    const q = createScoreQueue({ owner: 'sec', storage: memoryStorage(), post: srv.post, isOnline: () => online })
    await q.submit(body('1'))
    await q.submit(body('2'))
    online = true
    srv.down = true
    const out = await q.flush()
    expect(out.offline).toBe(true)
    expect(srv.calls).toBe(1)
    expect(q.items().map((i) => i.body.note)).toEqual(['1', '2'])
    expect(q.items().every((i) => i.state === 'queued')).toBe(true)
  })

  it('a 401 stops the run and keeps the item for after the login', async () => {
    let online = false
    const post = async () => {
      throw new ApiError({ status: 401, code: 'auth.required' })
    }
    const q = createScoreQueue({ owner: 'sec', storage: memoryStorage(), post, isOnline: () => online })
    await q.submit(body('x'))
    online = true
    const out = await q.flush()
    expect(out.authRequired).toBe(true)
    expect(q.pending()).toBe(1)
  })

  it('keeps one queue per account', async () => {
    const storage = memoryStorage()
    const a = createScoreQueue({ owner: 'sec', storage, post: async () => ({}), isOnline: () => false })
    const b = createScoreQueue({ owner: 'committee', storage, post: async () => ({}), isOnline: () => false })
    await a.submit(body('a'))
    expect(b.items()).toEqual([])
  })

  it('refusals other than network ones are thrown by submit, not queued', async () => {
    const post = async () => {
      throw new ApiError({ status: 400, code: 'points.evidence_required' })
    }
    const q = createScoreQueue({ owner: 'sec', storage: memoryStorage(), post })
    await expect(q.submit(body('x'))).rejects.toMatchObject({ code: 'points.evidence_required' })
    expect(q.items()).toEqual([])
  })
})

describe('newIdempotencyKey', () => {
  it('is a version-4 UUID, with or without crypto.randomUUID', () => {
    const re = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
    expect(newIdempotencyKey()).toMatch(re)
    const noUuid = { getRandomValues: (b) => globalThis.crypto.getRandomValues(b) }
    const k = newIdempotencyKey(noUuid)
    expect(k).toMatch(re)
    expect(k).not.toBe(newIdempotencyKey(noUuid))
  })
})
