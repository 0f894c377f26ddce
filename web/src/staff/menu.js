import { House, OfficeBuilding, UserFilled, Postcard, Tickets, Setting } from '@element-plus/icons-vue'
import { ORG_READ_ROLES, USERS_ROLES, PEOPLE_ROLES, AUDIT_ROLES } from './permissions.js'

// The sidebar. `roles: null` means every logged-in user.
export const MENU = [
  { name: 'home', path: '/', icon: House, roles: null },
  { name: 'org', path: '/org', icon: OfficeBuilding, roles: ORG_READ_ROLES },
  { name: 'users', path: '/users', icon: UserFilled, roles: USERS_ROLES },
  { name: 'people', path: '/people', icon: Postcard, roles: PEOPLE_ROLES },
  { name: 'audit', path: '/audit', icon: Tickets, roles: AUDIT_ROLES },
  { name: 'account', path: '/account', icon: Setting, roles: null },
]
