export { eventMessages, sendMessages } from './queue-sink.ts';
