import {
  House, OfficeBuilding, UserFilled, Postcard, Tickets, Setting, Medal, List, Calendar, EditPen,
  ChatLineSquare, ShoppingCart, DataAnalysis,
} from '@element-plus/icons-vue'
import { ORG_READ_ROLES, USERS_ROLES, PEOPLE_ROLES, AUDIT_ROLES, POINTS_ROLES, POINTS_REPORT_ROLES } from './permissions.js'

// The sidebar. `roles: null` means every logged-in user. An entry with `children` is a group
// (a sub-menu); `home` is where the group's tile on the dashboard goes.
export const MENU = [
  { name: 'home', path: '/', icon: House, roles: null },
  { name: 'org', path: '/org', icon: OfficeBuilding, roles: ORG_READ_ROLES },
  { name: 'users', path: '/users', icon: UserFilled, roles: USERS_ROLES },
  { name: 'people', path: '/people', icon: Postcard, roles: PEOPLE_ROLES },
  {
    name: 'points',
    icon: Medal,
    roles: POINTS_ROLES,
    home: '/points/entries',
    children: [
      { name: 'pointsItems', path: '/points/items', icon: List, roles: POINTS_ROLES },
      { name: 'pointsPeriods', path: '/points/periods', icon: Calendar, roles: POINTS_ROLES },
      { name: 'pointsEntries', path: '/points/entries', icon: EditPen, roles: POINTS_ROLES },
      { name: 'pointsObjections', path: '/points/objections', icon: ChatLineSquare, roles: POINTS_ROLES },
      { name: 'pointsStore', path: '/points/store', icon: ShoppingCart, roles: POINTS_ROLES },
      { name: 'pointsReport', path: '/points/report', icon: DataAnalysis, roles: POINTS_REPORT_ROLES },
    ],
  },
  { name: 'audit', path: '/audit', icon: Tickets, roles: AUDIT_ROLES },
  { name: 'account', path: '/account', icon: Setting, roles: null },
]

// Every page of the menu, groups flattened.
export const MENU_LEAVES = MENU.flatMap((m) => (m.children ? m.children : [m]))
