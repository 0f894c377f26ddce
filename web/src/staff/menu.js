import {
  House, OfficeBuilding, UserFilled, Postcard, Tickets, Setting, Medal, List, Calendar, EditPen,
  ChatLineSquare, ShoppingCart, DataAnalysis, Service, Document, Avatar, Flag, TrendCharts, Sunny,
  VideoCamera, Microphone, Histogram, QuestionFilled,
} from '@element-plus/icons-vue'
import {
  ORG_READ_ROLES, USERS_ROLES, PEOPLE_ROLES, AUDIT_ROLES, POINTS_ROLES, POINTS_REPORT_ROLES, REQUESTS_ROLES, CALENDAR_ROLES, LIVE_ROLES,
} from './permissions.js'

// The sidebar. `roles: null` means every logged-in user. An entry with `children` is a group
// (a sub-menu); `home` is where the group's tile on the dashboard goes.
export const MENU = [
  { name: 'home', path: '/', icon: House, roles: null },
  { name: 'org', path: '/org', icon: OfficeBuilding, roles: ORG_READ_ROLES },
  { name: 'users', path: '/users', icon: UserFilled, roles: USERS_ROLES },
  { name: 'people', path: '/people', icon: Postcard, roles: PEOPLE_ROLES },
  {
    name: 'live',
    icon: VideoCamera,
    roles: LIVE_ROLES,
    home: '/live/streams',
    children: [
      { name: 'liveStreams', path: '/live/streams', icon: Microphone, roles: LIVE_ROLES },
      { name: 'liveSummary', path: '/live/summary', icon: Histogram, roles: LIVE_ROLES },
      { name: 'liveFaq', path: '/live/faq', icon: QuestionFilled, roles: LIVE_ROLES },
    ],
  },
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
  {
    name: 'requests',
    icon: Service,
    roles: CALENDAR_ROLES,
    home: '/requests/orders',
    children: [
      { name: 'requestsOrders', path: '/requests/orders', icon: Document, roles: REQUESTS_ROLES },
      { name: 'requestsVolunteers', path: '/requests/volunteers', icon: Avatar, roles: REQUESTS_ROLES },
      { name: 'requestsActivities', path: '/requests/activities', icon: Flag, roles: REQUESTS_ROLES },
      { name: 'requestsRates', path: '/requests/rates', icon: TrendCharts, roles: REQUESTS_ROLES },
      { name: 'requestsCalendar', path: '/requests/calendar', icon: Sunny, roles: CALENDAR_ROLES },
    ],
  },
  { name: 'audit', path: '/audit', icon: Tickets, roles: AUDIT_ROLES },
  { name: 'account', path: '/account', icon: Setting, roles: null },
]

// Every page of the menu, groups flattened.
export const MENU_LEAVES = MENU.flatMap((m) => (m.children ? m.children : [m]))
