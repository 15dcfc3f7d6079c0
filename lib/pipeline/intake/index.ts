export { messageContent, type MessageContent } from './message-body.ts';
export { organizationDedupKey, scopeToOrganization } from './organization-scope.ts';
