import type { Rule } from '../../engine/rule.ts';
import type { AuditEvent } from '../../openai/audit-event.ts';
import { OPENAI_AUDIT_LOG_TYPE } from '../../openai/constants.ts';
import { textMember } from '../../openai/text-field.ts';
import { LOGIN_FAILED, loginAccount } from './credential-stuffing.ts';
import { actorContext, eventIdentityContext, extraContext } from './event-context.ts';

/** Rule ids, kept from Panther. */
export const LOGIN_FAILED_RULE_ID = 'OpenAI.Login.Failed';
export const LOGIN_SUCCESS_RULE_ID = 'OpenAI.Login.Success';

/** OpenAI's event type of a successful login. */
export const LOGIN_SUCCEEDED = 'login.succeeded';

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
    dedupPeriodMinutes: 60,
    threshold: SIGNAL_THRESHOLD,
    logTypes: [OPENAI_AUDIT_LOG_TYPE],
    reports: {},
    tags: ['OpenAI', 'Signal'],
    createAlert: false,
    eventTypes: [eventType],
    match: (event) => event.type === eventType,
    title: (event) => `${displayName}: ${loginAccount(event) ?? 'unknown account'}`,
    dedup: (event) => `${id}:${loginAccount(event) ?? 'unknown-account'}`,
    alertContext: (event) => {
      const context = Object.assign(eventIdentityContext(event), actorContext(event));
      const errorCode = textMember(event.details, 'error_code');
      if (errorCode !== undefined) context.error_code = errorCode;
      return Object.assign(context, extraContext(event));
    },
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
