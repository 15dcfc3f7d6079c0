export { buildAlert, type AlertDocument, type AlertWindow } from './alert-document.ts';
export * from './constants.ts';
export { renderEmailText } from './email-text.ts';
export {
  TRIMMED_KEYS_FIELD,
  buildSnsAlertMessage,
  fitAlert,
  snsMessageBytes,
  type SnsAlertMessage,
} from './sns-message.ts';
export { alertSubject, sanitizeSubject } from './subject.ts';
