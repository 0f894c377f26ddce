// State shared by the requests pages of the console (工单, 银发人才库, 志愿活动, 服务评价): the node
// being worked on, kept while moving between them and across reloads of the tab.
import { session } from './session.js'
import { REQUESTS_ROLES } from './permissions.js'

const KEY = 'tala.requests.node'

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
// user's own node when all their requests roles sit on one node.
export function startNodeRef(route) {
  if (typeof route.query.node === 'string' && route.query.node) return route.query.node
  const saved = store()?.getItem(KEY)
  if (saved) return saved
  const grants = (session.user?.roles || []).filter((g) => REQUESTS_ROLES.includes(g.role))
  const nodes = [...new Set(grants.map((g) => g.node?.code || g.node?.id))]
  return nodes.length === 1 ? nodes[0] : null
}

export const isVillage = (node) => node?.level === 'village' || node?.level === 'group'
