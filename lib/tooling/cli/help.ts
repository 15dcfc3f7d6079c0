import { RULES_CONFIG_ENV, RULES_CONFIG_FILE_ENV } from '../../config/rules-config-file.ts';
import { SCOPE_POLICY_FILE_ENV } from '../../config/scope-policy-file.ts';

/** `openai-audit-alerts --help`. */
export const MAIN_HELP = `Usage: openai-audit-alerts <command> [options]

Detections for OpenAI organization audit logs.

Commands:
  start               Run the whole pipeline on local emulators (what npm start does)
  evaluate [FILE|DIR|-]...
                      Run every rule over audit events; print one JSON line per alert
  test FILE...        Run the Tests of Panther-format rule YAML files against our rules
  policy              Print the elevated-scope policy in force, as JSON
  coverage [--json]   List OpenAI's audit event types with the rules watching each, or why none does
  poll --once         List OpenAI's audit log once: print the events, or enqueue them
  hunt --archive LOC --from ISO --to ISO
                      Run the rules over the archived events of a time range, as evaluate does
  alerts --archive LOC --from ISO --to ISO
                      List the archived alerts of a time range

Options:
  -h, --help          Show help (also: openai-audit-alerts <command> --help)
  --version           Show the version

Environment:
  ${SCOPE_POLICY_FILE_ENV}   JSON file replacing or extending the default elevated-scope policy
  ${RULES_CONFIG_FILE_ENV}            JSON rules configuration: enable or disable rules, pin severities,
                               set thresholds and dedup periods, suppress matches by actor or
                               source range, name your email domains (docs/engine.md)

Exit status: 0 success, 1 something failed (a test, an input line, a rule), 2 usage or configuration error.
`;

/** `openai-audit-alerts evaluate --help`. */
export const EVALUATE_HELP = `Usage: openai-audit-alerts evaluate [FILE|DIR|-]...

Runs every rule over OpenAI audit events, in order, and prints one JSON object per line for each
alert, as the deployed pipeline would raise it:
  {"ruleId", "ruleName", "eventId", "eventType", "severity", "title", "dedupKey", "alertContext",
   "eventCount"}

Inputs, read in the order given as one stream of events (a dedup window or a correlation spans
them): FILEs; DIRs, which stand for their .json, .jsonl and .ndjson files at every level, in name
order; and standard input ("-", the default). Each holds JSON: one audit event, an array of
events, or an OpenAI list page {"object":"list","data":[...]}; or JSON Lines of those. Both OpenAI's
event shape ("api_key.created": {...}) and Panther's (api_key_created) are accepted.

Inputs are streamed, so memory stays bounded whatever their size: JSON Lines are read line by line
(a line whose event no rule can match is checked, not parsed), a large array element by element.
An input over 8 MiB that is one document breaking partway is reported where it breaks, after the
events before the break.

A line that is not JSON, or an item that is not an audit event (an object with string "id" and
"type"), is reported on standard error with its file, line number and the reason; the rest is
still processed and the exit status is 1. Rule errors are reported the same way. Standard output
carries only alerts.

The pipeline's semantics apply, in event time (effective_at): a rule alerts once per dedup window
(a repeat within the window is counted, not printed), threshold rules alert when the threshold is
reached (distinct values for rules that count them, such as source IPs of failed logins),
correlation rules alert when their sequence completes, baseline rules alert when an actor shows a
value (a country, a network) new for it once past its learning period, and signals (rules that only feed
correlations) and matches suppressed by the rules configuration are not printed. As the deployed
tables' TTL does (in event time), a dedup window is forgotten once the events being read are all 15
days past its end, and a correlation's state 14 days past its lookback: an event that late is
counted afresh, and an actor's baseline once they are all its forgetAfterDays past its last
sighting. To bound memory whatever the input, at most --max-windows dedup windows,
--max-correlation-records correlation records and --max-baseline-entries baseline values are kept:
past any, the oldest (in event time) are forgotten early. On input in time order that changes
little; a match, step or sighting that arrives later than the state kept, so that its outcome may
differ, is counted in a warning on standard error.
Anything shaped like an OpenAI API key is masked in every field.

Options:
  --every-match                  Print every single-event match instead, before windows and thresholds
  --max-windows N                Dedup windows kept (default 50000, about 15 MB)
  --max-correlation-records N    Correlation records kept (default 250000, about 35 MB)
  --max-baseline-entries N       Baseline values kept, every actor together (default 100000, about 15 MB)
  --rules DIR                    Also run the detections of your own in DIR (RULES_DIR): see
                                 docs/own-detections.md; a detection that does not compile stops
                                 the run (status 2) with its file, line and the problem
  -h, --help                     Show this help
`;

/** `openai-audit-alerts test --help`. */
export const TEST_HELP = `Usage: openai-audit-alerts test [FILE|DIR...] [--rules DIR] [--filter GLOB]

Runs the Tests of panther-analysis rule YAML files (a DIR stands for its .yml and .yaml files at
every level, in name order) against the rule of the same RuleID here, and with --rules DIR (or
RULES_DIR) first the Tests of every detection of your own in DIR (Panther simple detections:
docs/own-detections.md).
Prints one line per test (PASS or FAIL, with what differed), then "N passed, M failed".

Test format: Tests: [{Name, ExpectedResult, Log}], optionally with ExpectedSeverity,
ExpectedTitle, ExpectedDedup and ExpectedAlertContext (the listed keys must be present with equal
values) and Reason (shown on failure). Instead of Log, a test may give RuleOutputs (Panther's
correlation tests: step matches as minute offsets per key) or Events (a sequence of events run
with the pipeline's windows, thresholds and correlations). Mocks are not supported.

The rule metadata a Panther file declares (DisplayName, Severity, Threshold, DedupPeriodMinutes,
CreateAlert, Enabled, LogTypes, a correlation's Detection) is checked against ours, one line per
key: equal, or different for a reason the rule documents; anything else fails.

The built-in rules' own tests: lib/detection/rules/openai (TypeScript rules) and rules/ (the
built-in detections written as data, Panther simple detections with their Tests).

Exit status 1 when any test or metadata check fails, a file cannot be read, or its RuleID is
unknown; 2 when a detection in DIR does not compile (its file, line and the problem are printed).

Options:
  --rules DIR      Detections of your own: run their tests, and make them known to FILEs
  --filter GLOB    Only the rules whose id matches GLOB ("*" matches any run of characters,
                   "\\*" a star), e.g. --filter 'OpenAI.Login.*'; matching no rule exits 1
  -h, --help       Show this help
`;

/** `openai-audit-alerts policy --help`. */
export const POLICY_HELP = `Usage: openai-audit-alerts policy

Prints the elevated-scope policy of OpenAI.API.Key.Anomalous.Activity in force, as JSON: the
default, or the file named by ${SCOPE_POLICY_FILE_ENV} after validation. The output is itself a
valid policy file, so it is a starting point for your own:

  openai-audit-alerts policy > policy.json   # edit, then
  ${SCOPE_POLICY_FILE_ENV}=policy.json openai-audit-alerts policy

Policy file: {"includeDefaults": false, "elevatedScopes": [{"exact"|"glob": "...",
"severity": "INFO|LOW|MEDIUM|HIGH|CRITICAL", "note": "..."}]}. Scopes are compared trimmed and
lower-cased; in a glob, * matches any characters. With "includeDefaults": true the entries are
added to the default policy instead of replacing it.

Options:
  -h, --help   Show this help
`;

/** `openai-audit-alerts coverage --help`. */
export const COVERAGE_HELP = `Usage: openai-audit-alerts coverage [--json]

Lists every event type of OpenAI's organization audit log (the 145 of its API reference), in that
order, one line each: the rules that watch it, signals (matches that only feed correlations) and
correlations built on them marked as such; or, for a type no rule watches, "not watched:" and a
one-line reason. The last line sums it up: "N of 145 event types watched by M rules".

A rule that watches a type may alert on only some of its events (an API key with elevated scopes,
the assignment of an admin role): each rule's documentation under docs/rules/ says which.

The rules configuration in force applies (${RULES_CONFIG_FILE_ENV} or ${RULES_CONFIG_ENV}): a type
watched only by rules that are turned off is listed as not watched, naming them.

Options:
  --json       {"types": [{"type", "rules": [rule id, ...], "reason"}]} on one line, types in the
               same order; "rules" is always there (empty when none), "reason" only when it is empty
  -h, --help   Show this help
`;

/** `openai-audit-alerts start --help`. */
export const START_HELP = `Usage: openai-audit-alerts start [--events FILE] [--rules DIR] [--archive-dir DIR] [--json] [--payloads] [--keep-running] [--log-level LEVEL]
       npm start -- [options]

Runs the whole pipeline locally: starts DynamoDB (dynalite) and SQS/SNS/S3 (fauxqs) emulators on
127.0.0.1, creates the deployed stack's queue, DLQ, dedup table, alert topic, delivery queues and
archive bucket with the stack's settings and routing (infra/settings.cjs), plus a local subscriber
queue on the topic; starts local PagerDuty, Slack and webhook receivers on 127.0.0.1; sends the events; runs the
real detection and delivery handlers the way Lambda's SQS event sources do; and prints every alert
with what each destination received, and every match that did not alert with what became of it,
in the order of the input (with --keep-running, as they happen), then a summary that accounts for
every match.

Through npm, use "npm start --silent -- --json" for clean JSON (npm prints a banner otherwise).

Options:
  --events FILE       Audit events to send, in the formats "evaluate" reads (default: the bundled
                      sample set, examples/sample-events.jsonl)
  --rules DIR         Also run the detections of your own in DIR (RULES_DIR; docs/own-detections.md)
  --archive-dir DIR   Also keep the archive (every event received, every alert) in DIR, in the
                      bucket's layout, for "hunt --archive DIR" and "alerts --archive DIR"
  --json              One alert document per line (the SNS "default" JSON), in input order, then
                      {"summary": {"events", "notSent", "matched", "matches", "matchesAlerted",
                      "alerts", "escalated", "suppressed", "belowThreshold", "suppressedByRules",
                      "redelivered", "signals", "correlations", "newValues", "failed", "ruleErrors", "dlq",
                      "delivered", "deliveryRetries", "deliveryDlq", "archived"}}; nothing else on
                      standard output
  --payloads          Also print every request the local destinations receive (headers and body);
                      with --json, as {"delivery": {...}} lines
  --keep-running      Keep the stack up and consuming after the events: prints the endpoints, the
                      queue URL, the topic ARN and the archive bucket so you can send events with
                      the AWS CLI; Ctrl-C stops
  --log-level LEVEL   Function logs on standard error: DEBUG, INFO, WARN (default) or ERROR
  -h, --help          Show this help

Items of the input that are not audit events are reported with file and line, and not sent.
Exit status: 0 when everything went through, 1 when an input item was not sent or a rule failed or
a record reached the DLQ, 2 for a usage or configuration error.
Locally a failed record is retried after 2 seconds (deployed: the queue's visibility timeout).
Routing is the deployed default: PagerDuty from HIGH, Slack from MEDIUM, the webhook everything.
`;

/** `openai-audit-alerts poll --help`. */
export const POLL_HELP = `Usage: openai-audit-alerts poll --once [--since ISO-8601] [--dry-run] [--max-attempts N] [--organization ID[:NAME]] [--stream S]

Lists OpenAI's organization audit log (GET /organization/audit_logs) once, oldest first, each
event once, from --since (default: 24 hours ago) up to now: first the organization-scoped events,
then the tenant-scoped ones (tenant.* types, listed with tenant_only=true), each with its own cursor.

  --dry-run      Print the events as JSON Lines on standard output instead of enqueuing them
  --since TIME   Start here, e.g. 2026-11-24T00:00:00Z
  --max-attempts N
                 Tries per request before giving up (1-20, default 8)
  --organization ID[:NAME]
                 The organization the key belongs to, named on every enqueued message (alerts
                 then carry it in title, context and dedup key); default: the stack's default one
  --stream S     organization, tenant or both (default both)
  -h, --help     Show this help

Environment:
  OPENAI_ADMIN_KEY        an organization Admin API key (required)
  OPENAI_BASE_URL         default https://api.openai.com/v1 (https only; plain http only to 127.0.0.1)
  AUDIT_EVENTS_QUEUE_URL  the detection queue (required without --dry-run)
  CURSOR_TABLE_NAME       optional: keep the cursors in this DynamoDB table (key CURSOR_KEY, default
                          "ingest-cursor", and CURSOR_KEY#@tenant for tenant-scoped events), so
                          later runs resume where this one stopped

Progress (each time slice listed) and every retry, with its cause (HTTP status, DNS failure,
refused connection, timeout, TLS problem), go to standard error. Rate limits (429) are waited out
as Retry-After says; 5xx and network errors are retried with backoff. Exit status: 0 done, 1 the API failed or refused the key, 2 usage or configuration error.
`;

/** `openai-audit-alerts hunt --help`. */
export const HUNT_HELP = `Usage: openai-audit-alerts hunt --archive s3://BUCKET[/PREFIX] | DIR --from ISO --to ISO [--org ID] [--rules DIR] [--rule ID] [--progress]

Runs every rule over the audit events of the archive (every event the deployed detection function
received: docs/archive.md) whose time (effective_at) is in [--from, --to), in event time, each
event once, and prints one JSON object per line for each alert, exactly as "evaluate" prints it
over the same events:
  {"ruleId", "ruleName", "eventId", "eventType", "severity", "title", "dedupKey", "alertContext",
   "eventCount"}

The pipeline's semantics apply as in "evaluate" (see its --help): dedup windows in event time,
thresholds, correlations, baselines; signals are not printed. The archive is read one day at a time
(every organization's events of a day together), so memory holds about one day's events; an event
stored twice (a record redelivered in another batch) is read once.

  --archive LOC     s3://BUCKET[/PREFIX], read with the default AWS credential chain and region
                    (AWS_ENDPOINT_URL_S3 for an S3-compatible endpoint), or a directory in the same
                    layout (a copy made with "aws s3 sync")
  --from ISO        Start of the range, included: 2024-11-24 (midnight UTC) or 2024-11-24T06:00:00Z
  --to ISO          End of the range, excluded; after --from
  --org ID          Only the events of this organization (org=ID; "none" for events that came
                    without one)
  --rules DIR       Also run the detections of your own in DIR (RULES_DIR; docs/own-detections.md)
  --rule ID         Print only the alerts of this rule (every rule still runs, so a correlation
                    sees its steps); an unknown id, a signal or a rule turned off is refused
  --progress        Progress on standard error (events read, the event time reached, the event time
                    left before --to), at most once a second; the default on a terminal
  --max-windows N, --max-correlation-records N, --max-baseline-entries N
                    State kept, as in "evaluate" (defaults 50000, 250000, 100000)
  -h, --help        Show this help

Standard output carries only alerts. On standard error: archive objects and lines that cannot be
read (with their key and line number, skipped) and rule errors, in their place; then one last line:
"hunt: N events from FROM to TO (N objects, N days, N duplicates dropped): N alerts, N problems".
Exit status: 0 success, 1 something could not be read or a rule failed, 2 usage or configuration
error.
`;

/** `openai-audit-alerts alerts --help`. */
export const ALERTS_HELP = `Usage: openai-audit-alerts alerts --archive s3://BUCKET[/PREFIX] | DIR --from ISO --to ISO [--severity S] [--rule ID] [--json]

Lists the alerts of the archive (every alert the deployed pipeline published: docs/archive.md)
created in [--from, --to), oldest first, each alert once, one line each:
  CREATED-AT  SEVERITY  RULE-ID  TITLE
Anything shaped like an OpenAI API key is masked, and control characters are escaped.

  --archive LOC     s3://BUCKET[/PREFIX] (default AWS credential chain and region;
                    AWS_ENDPOINT_URL_S3 for an S3-compatible endpoint), or a directory in the same layout
  --from ISO        Start of the range, included: 2024-11-24 (midnight UTC) or 2024-11-24T06:00:00Z
  --to ISO          End of the range, excluded; after --from
  --severity S      Only alerts of this severity: INFO, LOW, MEDIUM, HIGH or CRITICAL
  --rule ID         Only alerts of this rule
  --json            Each alert document as one JSON line instead (the SNS "default" message)
  -h, --help        Show this help

Objects and lines of the archive that cannot be read are reported on standard error with their key
and line number, and skipped; a last line on standard error sums up. Exit status: 0 success, 1
something could not be read, 2 usage error.
`;
