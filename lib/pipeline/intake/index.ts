export { messageContent, type MessageContent } from './message-body.ts';
export { organizationDedupKey, scopeToOrganization } from './organization-scope.ts';
export { screenBody, type EventTypeScreen, type Screened } from './screen-body.ts';
