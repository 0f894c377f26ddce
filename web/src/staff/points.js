// State shared by the points pages of the console: the node (usually a village) being worked
// on, kept while moving between 评分项目, 评分周期, 积分录入与审核 … and across reloads of the tab.
import { session } from './session.js'
import { POINTS_ROLES } from './permissions.js'

const KEY = 'tala.points.node'

function store() {
  try {
    return window.sessionStorage
  } catch {
    return null
  }
}

export function rememberNode(node) {
  if (!node) return
  store()?.setItem(KEY, node.code || String(node.id))
}

// The node to start with: the address (?node=), then the last one used in this tab, then the
// user's own node when all their points roles sit on one node.
export function startNodeRef(route) {
  if (typeof route.query.node === 'string' && route.query.node) return route.query.node
  const saved = store()?.getItem(KEY)
  if (saved) return saved
  const grants = (session.user?.roles || []).filter((g) => POINTS_ROLES.includes(g.role))
  const nodes = [...new Set(grants.map((g) => g.node?.code || g.node?.id))]
  return nodes.length === 1 ? nodes[0] : null
}

export const isVillage = (node) => node?.level === 'village'

// Whether the logged-in user made this entry (maker = username; maker_id when the server sends it).
export function isMine(entry) {
  const u = session.user
  if (!u || !entry) return false
  if (entry.maker_id !== undefined && entry.maker_id !== null) return entry.maker_id === u.id
  return entry.maker === u.username
}
