export { messageContent, type MessageContent } from './message-body.ts';
