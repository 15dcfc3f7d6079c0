import type { Rule } from '../../engine/rule.ts';
import type { AuditEvent } from '../../openai/audit-event.ts';
import { LOGIN_FAILED, LOGIN_SUCCEEDED } from './helpers.ts';

/** Rule ids, kept from Panther. */
export const LOGIN_FAILED_RULE_ID = 'OpenAI.Login.Failed';
export const LOGIN_SUCCESS_RULE_ID = 'OpenAI.Login.Success';

/** Panther's convention for base rules: a threshold no one reaches, since they never alert anyway. */
const SIGNAL_THRESHOLD = 999_999;

function loginSignal(id: string, eventType: string, displayName: string, what: string): Rule<AuditEvent> {
  return {
    id,
    displayName,
    description: [
      `Records every OpenAI ${what} as a signal: never an alert on its own, but counted, and kept for`,
      'the correlation rules that read it (OpenAI.BruteForce.Login.Success.Group).',
    ].join('\n'),
    runbook: 'A signal; it creates no alert. See OpenAI.BruteForce.Login.Success.Group.',
    reference: 'https://platform.openai.com/docs/api-reference/audit-logs',
    defaultSeverity: 'INFO',
    threshold: SIGNAL_THRESHOLD,
    tags: ['OpenAI', 'Signal'],
    createAlert: false,
    eventTypes: [eventType],
  };
}

/**
 * "OpenAI Failed Login (Base Rule)": every `login.failed`, as a signal.
 *
 * @example
 * ```ts
 * createRuleCatalog() // registers loginFailedSignal
 * ```
 */
export const loginFailedSignal = loginSignal(
  LOGIN_FAILED_RULE_ID,
  LOGIN_FAILED,
  'OpenAI Failed Login (Base Rule)',
  'failed login attempts',
);

/**
 * "OpenAI Successful Login (Base Rule)": every `login.succeeded`, as a signal.
 *
 * @example
 * ```ts
 * createRuleCatalog() // registers loginSuccessSignal
 * ```
 */
export const loginSuccessSignal = loginSignal(
  LOGIN_SUCCESS_RULE_ID,
  LOGIN_SUCCEEDED,
  'OpenAI Successful Login (Base Rule)',
  'successful login events',
);
