// Every string the user reads, in one place (English). Functions take the variable parts.
export const S = {
  appName: 'LeadSync',
  // navigation
  navQueue: 'Queue',
  navNew: 'New',
  navSearch: 'Search',
  navTeam: 'Team',
  navQuestions: 'Questions',
  navSettings: 'Settings',
  mainNav: 'Main',
  // sign-in
  signInTitle: 'Sign in to LeadSync',
  email: 'Email',
  password: 'Password',
  signIn: 'Sign in',
  signingIn: 'Signing in…',
  signInOffline: 'You are offline. Signing in needs a connection; your saved data stays on this device.',
  signInFailed: 'Wrong email or password.',
  signInError: (m) => `Could not sign in: ${m}`,
  sessionExpired: 'Your session has ended. Sign in again to send your changes.',
  // other people's unsent work on this device (sync/accounts.js keeps it aside)
  keptFor: (who, n) =>
    `${n === 1 ? '1 change' : `${n} changes`} of ${who} not sent yet: kept on this device and sent when ${who} signs in here again.`,
  setAside: (who, n) =>
    `${who} has ${n === 1 ? '1 change' : `${n} changes`} not sent yet. Signing in as someone else keeps them aside on this device (never sent under your name) until ${who} signs in here again.`,
  // status bar
  online: 'Online',
  offline: 'Offline',
  syncing: 'Syncing…',
  pending: (n) => (n === 1 ? '1 change not sent' : `${n} changes not sent`),
  allSent: 'All changes sent',
  lastSync: (t) => `Synced ${t}`,
  neverSynced: 'Not synced yet',
  syncError: (m, t) => `Sync failed (${m}); retrying ${t}`,
  problemsCount: (n) => (n === 1 ? '1 change not applied' : `${n} changes not applied`),
  evictable:
    'Warning: your unsent changes are in storage the browser may clear when space runs low. Go online soon to send them.',
  syncNow: 'Sync now',
  // queue
  queueTitle: 'My queue',
  queueEmpty: 'No open leads. Capture a new inquiry with “New”.',
  overdueBy: (d) => `Overdue by ${d}`,
  dueIn: (d) => `Due in ${d}`,
  noFollowUp: 'No follow-up set',
  slaPausedShort: 'Clock paused',
  moreBelow: (n) => `${n} more below…`,
  showMore: (n, total) => (n === total ? `Show ${n} more` : `Show ${n} more (of ${total})`),
  overdue: 'Overdue',
  notSent: 'Not sent yet',
  // capture
  captureTitle: 'New inquiry',
  contactName: 'Contact name',
  company: 'Company',
  phone: 'Phone',
  product: 'Product',
  productNone: '— none / type below —',
  productText: 'Or type the product',
  source: 'Source',
  nextFollowUp: 'Next follow-up',
  notes: 'Notes',
  save: 'Save',
  cancel: 'Cancel',
  required: 'Required',
  // checks before saving (rules.js), and drafts the server refused
  fieldError: {
    required: () => 'Required.',
    tooLong: (e) => `At most ${e.max} characters.`,
    phone: () => 'Not a phone number: use digits, e.g. +49 30 1234567.',
    email: () => 'Not an email address, e.g. name@example.com.',
    choice: () => 'Not one of the choices.',
    range: (e) => `Between ${e.min} and ${e.max}.`,
    number: () => 'A number, e.g. 1200.50.',
  },
  fixBelow: 'Please fix the fields marked below.',
  saving: 'Saving…',
  needsFixing: 'Needs fixing',
  draftTitle: (what) => `Not accepted by the server: ${what}`,
  draftHelp: 'Kept on this device. Fix what is marked and send it again, or discard it.',
  draftLeadNote: 'This lead is only on this device: the server did not accept it yet.',
  draftOther: (why) => `The server said: ${why}`,
  sendAgain: 'Send again',
  retry: 'Try again',
  discard: 'Discard',
  discardConfirm: 'Discard what you typed? It cannot be brought back.',
  discardYes: 'Yes, discard',
  keep: 'Keep',
  fixIt: 'Fix it',
  saved: 'Saved on this device; it will be sent when online.',
  // SLA clock
  sla: 'Response clock',
  slaDue: 'Due',
  slaWarnAt: 'Due soon from',
  slaMetAt: (t) => `Met ${t}`,
  slaBreachedAt: (t) => `Overdue since ${t}`,
  slaEscalatedAt: (t) => `Escalated to the team lead ${t}`,
  slaTarget: (d, name) => `Target ${d} of business time (${name})`,
  slaLocal: 'Updated on this device; the server confirms at the next sync.',
  slaNone: 'No clock running',
  // detail
  leadNotFound: 'This lead is not on this device (it may have been reassigned).',
  back: 'Back',
  stage: 'Stage',
  owner: 'Owner',
  timeline: 'Timeline',
  noTimeline: 'No follow-ups yet.',
  actions: 'Log a follow-up',
  actCalled: 'Called',
  actVisited: 'Visited',
  actQuote: 'Sent quote',
  actLost: 'Lost',
  actWon: 'Won',
  actNext: 'Next follow-up',
  actEdit: 'Edit details',
  note: 'Note',
  outcome: 'Outcome',
  amount: 'Amount',
  lostReason: 'Reason',
  wonValue: 'Value',
  reassign: 'Reassign to',
  reassignDone: 'Reassigned',
  call: 'Call',
  pendingBadge: 'not sent',
  dismiss: 'Dismiss',
  // problems
  problemsTitle: 'Changes not applied',
  noProblems: 'Every change you made was applied.',
  // database versions (src/sync/db.js)
  dbBlocked:
    'LeadSync has been updated. Close or reload the other LeadSync tabs and windows to continue. Nothing you saved is lost.',
  dbReplaced: 'LeadSync was updated in another tab. Reload to continue. Nothing you saved is lost.',
  dbError: (m) => `The data on this device could not be opened (${m}). Reload to try again. Nothing was deleted.`,
  reload: 'Reload',
  conflictMsg: (field, value) =>
    `Your change to ${field} was not applied: the server has ${value === null || value === '' ? 'no value' : value}.`,
  rejectedMsg: (what, why) => `Your change (${what}) was not applied: ${why}`,
  // search
  searchTitle: 'Search',
  searchLabel: 'Search leads on this device',
  searchPlaceholder: 'Name, company, phone, product…',
  noResults: 'Nothing found on this device.',
  // team
  teamTitle: 'Team board',
  teamEmpty: 'No open leads in your teams.',
  openCount: (n, o) => `${n} open, ${o} overdue`,
  teamCount: (n, breached, warning) =>
    `${n} open · ${breached} overdue · ${warning} due soon`,
  teamAttention: 'Needs attention',
  // questions
  questionsTitle: 'Question queue',
  questionsPlaceholder: 'The customer-service question queue is coming soon.',
  // settings
  settingsTitle: 'Settings',
  account: 'Account',
  name: 'Name',
  role: 'Role',
  device: 'This device',
  clientId: 'Device id',
  storage: 'Storage',
  outboxLabel: 'Outbox',
  persisted: 'Kept by the browser (persistent)',
  notPersisted: 'May be cleared by the browser when space runs low',
  signOut: 'Sign out',
  signOutConfirm: (n) =>
    n > 0
      ? `${n} change(s) have not been sent yet and will be lost. Sign out and delete them?`
      : 'Sign out? The data on this device will be deleted.',
  notifications: 'Notifications',
  remindersOn: 'Turn on follow-up reminders',
  remindersDone: 'Reminders are on for this device.',
  remindersDenied: 'Notifications are blocked for this site.',
  workingHours: 'Working hours',
  workingHoursHelp: 'Reminders that fall outside these hours wait until you start work.',
  timeZone: 'Time zone',
  workStart: 'Start (Mon–Fri)',
  workEnd: 'End (Mon–Fri)',
  escalationsAnyHour: 'Send me escalations at any hour',
  save: 'Save',
  saved: 'Saved.',
  needsNetwork: 'Connect to the network to change this.',
  // your devices
  yourDevices: 'Your devices',
  yourDevicesHelp: 'Where your reminders go and which other apps are signed in as you. Remove anything you no longer use, or a lost phone.',
  devicesNeedConnection: 'Needs a connection: your devices are listed when you are online.',
  devicesLoading: 'Loading your devices…',
  reminderDevices: 'Reminders',
  noReminderDevices: 'No browser receives your reminders.',
  tokenDevices: 'Signed-in apps and integrations',
  noTokenDevices: 'No app or integration is signed in as you.',
  thisBrowser: 'This browser',
  unnamedDevice: 'Unnamed device',
  browserOn: (browser, system) => `${browser} on ${system}`,
  addedOn: (date) => `Added ${date}`,
  lastReminderOn: (date) => `Last reminder delivered ${date}`,
  lastUsedOn: (date) => `Last used ${date}`,
  neverUsed: 'Never used',
  expiresOn: (date) => `Expires ${date}`,
  remove: 'Remove',
  revoke: 'Revoke',
  removeReminderLabel: (name) => `Remove reminders on ${name}`,
  revokeTokenLabel: (name) => `Revoke ${name}`,
  removeReminderConfirm: (name, here) =>
    here
      ? `Stop reminders on ${name}? This is the browser you are using now.`
      : `Stop reminders on ${name}?`,
  revokeTokenConfirm: (name) => `Revoke ${name}? It stops working at once and has to sign in again.`,
  removedReminder: (name) => `Reminders on ${name} removed.`,
  revokedToken: (name) => `${name} revoked.`,
  deviceActionFailed: (message) => `That did not work: ${message}`,
};

export const STAGE_LABEL = {
  new: 'New', contacted: 'Contacted', quoted: 'Quoted', negotiating: 'Negotiating', won: 'Won', lost: 'Lost',
};
export const SLA_METRIC = { first_response: 'First response', follow_up: 'Follow-up' };
export const SLA_METRIC_SHORT = { first_response: 'Reply', follow_up: 'Follow-up' };
export const SLA_STATE = {
  ok: 'On track', warning: 'Due soon', breached: 'Overdue', paused: 'Paused', met: 'Met',
};
export const KIND_LABEL = {
  call: 'Call', visit: 'Visit', message: 'Message', email: 'Email', quote: 'Quote', note: 'Note',
};
export const SOURCES = {
  website: 'Website', phone: 'Phone', trade_show: 'Trade show', marketplace: 'Marketplace',
  referral: 'Referral', walk_in: 'Walk-in', customer_service: 'Customer service', other: 'Other',
};
export const LOST_REASONS = {
  price_too_high: 'Price too high', no_matching_product: 'No matching product',
  customisation_needed: 'Customisation needed', channel_conflict: 'Channel conflict',
  no_response: 'No response', chose_competitor: 'Chose a competitor', other: 'Other',
};
export const ROLE_LABEL = { admin: 'Admin', lead: 'Team lead', rep: 'Sales rep', cs: 'Customer service' };
export const FIELD_LABEL = {
  contact_name: 'contact name', company: 'company', phone: 'phone', email: 'email',
  source: 'source', product_id: 'product', product_text: 'product', next_follow_up_at: 'next follow-up',
  notes: 'notes', note: 'note', outcome: 'outcome', quoted_amount: 'amount', stage: 'stage', lost_reason: 'lost reason', won_value: 'won value',
  owner_id: 'owner', estimated_value: 'estimated value', priority: 'priority',
};
export const MUTATION_LABEL = {
  'lead.create': 'new lead', 'lead.update': 'edit', 'lead.set_stage': 'stage change',
  'lead.assign': 'reassignment', 'followup.create': 'follow-up',
};
