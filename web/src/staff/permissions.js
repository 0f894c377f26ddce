// Which roles may use which part of the console. The server enforces the same rules; these only
// decide what the menu shows.
export const ROLES = [
  'system_admin',
  'security_admin',
  'auditor',
  'county_staff',
  'township_staff',
  'branch_secretary',
  'volunteer',
]

export const ORG_READ_ROLES = ['system_admin', 'county_staff', 'township_staff', 'branch_secretary']
export const ORG_EDIT_ROLES = ['system_admin', 'county_staff']
export const USERS_ROLES = ['security_admin']
export const PEOPLE_ROLES = ['county_staff', 'township_staff', 'branch_secretary']
export const PEOPLE_EDIT_ROLES = ['county_staff', 'township_staff', 'branch_secretary']
export const AUDIT_ROLES = ['auditor']

// Points (积分制, 积分超市): staff of the village, its township and county write; volunteers read.
export const POINTS_ROLES = ['county_staff', 'township_staff', 'branch_secretary', 'volunteer']
export const POINTS_EDIT_ROLES = ['county_staff', 'township_staff', 'branch_secretary']
// The report (and its Excel file) is refused to volunteers by the server.
export const POINTS_REPORT_ROLES = POINTS_EDIT_ROLES
// Spot-checks of entries are made from above the village.
export const POINTS_SPOT_ROLES = ['county_staff', 'township_staff']

// Requests (群众点单—支部派单—银发接单): staff of the village, its township and county.
export const REQUESTS_ROLES = ['county_staff', 'township_staff', 'branch_secretary']
// Marking an order an unreasonable request is for township and county reviewers.
export const REQUESTS_REVIEW_ROLES = ['county_staff', 'township_staff']
// The working-day calendar: read by the staff above and the system administrator, who keeps it.
export const CALENDAR_ROLES = ['system_admin', ...REQUESTS_ROLES]
export const CALENDAR_EDIT_ROLES = ['system_admin']

// Live Q&A (政务直播问答): the staff who run orders also host streams (docs/live.md); the server
// checks the scope of the stream's node.
export const LIVE_ROLES = ['county_staff', 'township_staff', 'branch_secretary']
