// A small evaluator of the policies in the packaged CloudFormation template, to test who may do
// what: the resource policies of the queues and topics, and the roles' own policies (which table
// items a role may touch). It models the statements' principals, actions, resources and the
// condition operators the template uses (ArnEquals/ArnNotEquals/ArnLike/ArnNotLike, Bool,
// StringEquals/StringLike and their negations, with the ForAllValues/ForAnyValue qualifiers for
// multivalued keys such as dynamodb:LeadingKeys), with IAM's rules for missing keys (a negated
// operator matches when the key is absent; ForAllValues matches, ForAnyValue does not). Intrinsic
// functions are resolved to made-up but consistent ARNs.
/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-return --
   CloudFormation JSON has no static type */

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
type Json = any;

/** The ARN a logical id stands for, by resource type. */
export function arnOf(template: Json, logicalId: string): string {
  const type = template.Resources?.[logicalId]?.Type as string | undefined;
  if (type === 'AWS::IAM::Role') return `arn:aws:iam::${ACCOUNT}:role/${logicalId}`;
  if (type === 'AWS::SQS::Queue') return `arn:aws:sqs:${REGION}:${ACCOUNT}:${logicalId}`;
  if (type === 'AWS::SNS::Topic') return `arn:aws:sns:${REGION}:${ACCOUNT}:${logicalId}`;
  if (type === 'AWS::KMS::Key') return `arn:aws:kms:${REGION}:${ACCOUNT}:key/${logicalId}`;
  // Other resources (tables, parameters, log groups) only need an ARN that names them.
  return `arn:aws:unmodelled:${REGION}:${ACCOUNT}:${logicalId}`;
}

/** Resolves Ref (topics: their ARN), Fn::GetAtt Arn, Fn::Sub and Fn::If (conditions all true). */
export function resolve(template: Json, value: Json): Json {
  if (Array.isArray(value)) return value.map((v) => resolve(template, v)).filter((v) => v !== NO_VALUE);
  if (value === null || typeof value !== 'object') return value;
  if ('Ref' in value) {
    if (value.Ref === 'AWS::NoValue') return NO_VALUE;
    if (value.Ref === 'AWS::AccountId') return ACCOUNT;
    return arnOf(template, value.Ref);
  }
  if ('Fn::GetAtt' in value) return arnOf(template, value['Fn::GetAtt'][0]);
  if ('Fn::Sub' in value) {
    return (value['Fn::Sub'] as string).replace(/\$\{([^}]+)\}/g, (_m, name: string) => {
      if (name === 'AWS::Partition') return 'aws';
      if (name === 'AWS::Region') return REGION;
      if (name === 'AWS::AccountId') return ACCOUNT;
      return arnOf(template, name.replace(/\.Arn$/, ''));
    });
  }
  if ('Fn::If' in value) return resolve(template, value['Fn::If'][1]);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(template, v)]));
}
const NO_VALUE = Symbol('NoValue');

/** Who asks: an IAM principal (role or user ARN) or an AWS service acting for a source. */
export type Caller = { readonly principalArn: string } | { readonly service: string; readonly sourceArn?: string };

/** A request against a resource, with TLS unless said otherwise. */
export interface Request {
  readonly caller: Caller;
  readonly action: string;
  readonly resource: string;
  readonly secureTransport?: boolean;
  /** Other keys of the request's context, e.g. `s3:x-amz-server-side-encryption` (absent: not sent). */
  readonly keys?: Readonly<Record<string, string>>;
}

const list = (value: Json): Json[] => (Array.isArray(value) ? value : [value]);
const like = (pattern: string, value: string) =>
  new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  ).test(value);

/** Request context: a key's value, its values (a multivalued key), or undefined when absent. */
type Context = Record<string, string | readonly string[] | undefined>;

function context(request: Request): Context {
  const { caller } = request;
  return {
    'aws:PrincipalArn': 'principalArn' in caller ? caller.principalArn : undefined,
    'aws:SourceArn': 'service' in caller ? caller.sourceArn : undefined,
    'aws:SourceAccount': 'service' in caller ? ACCOUNT : undefined,
    'aws:SecureTransport': String(request.secureTransport ?? true),
    ...request.keys,
  };
}

const BASE_OPERATORS = new Set([
  'Null',
  'Bool',
  'StringEquals',
  'StringNotEquals',
  'StringLike',
  'StringNotLike',
  'ArnEquals',
  'ArnNotEquals',
  'ArnLike',
  'ArnNotLike',
]);

/** Whether one value satisfies a (non-negated form of the) operator for one of `options`. */
function valueMatches(base: string, options: string[], value: string): boolean {
  return base.includes('Like') ? options.some((o) => like(o, value)) : options.includes(value);
}

function conditionHolds(condition: Json, values: Context): boolean {
  for (const [qualified, keys] of Object.entries(condition ?? {})) {
    const [qualifier, base] = qualified.includes(':') ? qualified.split(':') : ['', qualified];
    if (!BASE_OPERATORS.has(base ?? '') || !['', 'ForAllValues', 'ForAnyValue'].includes(qualifier ?? ''))
      throw new Error(`condition operator ${qualified} not modelled`);
    const negated = (base ?? '').includes('Not');
    const positive = (base ?? '').replace('Not', '');
    for (const [key, expected] of Object.entries(keys as Record<string, Json>)) {
      // Null: "true" holds when the key is absent, "false" when it is present.
      if (base === 'Null') {
        if ((values[key] === undefined) !== (String(expected) === 'true')) return false;
        continue;
      }
      const options = list(expected).map(String);
      const actual = values[key];
      // A value satisfies the operator: matches an option, or for a negated one, matches none.
      const satisfies = (value: string) => valueMatches(positive, options, value) !== negated;
      if (qualifier === 'ForAllValues' || qualifier === 'ForAnyValue') {
        const set = actual === undefined ? [] : list(actual).map(String);
        const holds = qualifier === 'ForAllValues' ? set.every(satisfies) : set.some(satisfies);
        if (!holds) return false;
        continue;
      }
      if (actual === undefined) {
        if (!negated) return false;
        continue;
      }
      if (typeof actual !== 'string') throw new Error(`${key} is multivalued: ${qualified} needs a qualifier`);
      if (!satisfies(actual)) return false;
    }
  }
  return true;
}

function principalMatches(principal: Json, caller: Caller): boolean {
  if (principal === '*') return true;
  if ('service' in caller) return list(principal?.Service).includes(caller.service);
  return list(principal?.AWS).some((p) => p === '*' || p === caller.principalArn);
}

function applies(statement: Json, request: Request): boolean {
  return (
    principalMatches(statement.Principal, request.caller) &&
    list(statement.Action).some((a: string) => like(a.toLowerCase(), request.action.toLowerCase())) &&
    list(statement.Resource).includes(request.resource) &&
    conditionHolds(statement.Condition, context(request))
  );
}

/** Every resource-policy statement of the template that governs `resource`, resolved. */
export function policyStatements(template: Json, resource: string): Json[] {
  const statements: Json[] = [];
  for (const [, r] of Object.entries(template.Resources as Record<string, Json>)) {
    if (r.Type !== 'AWS::SQS::QueuePolicy' && r.Type !== 'AWS::SNS::TopicPolicy') continue;
    const document = resolve(template, r.Properties.PolicyDocument);
    for (const statement of document.Statement as Json[])
      if (list(statement.Resource).includes(resource)) statements.push(statement);
  }
  return statements;
}

/**
 * The outcome of a request under the template's resource policies: `denied` (an explicit deny
 * applies), `allowed` (an IAM principal of the account, whose own policy is assumed to allow
 * everything: an insider with broad rights; or a service the resource policy allows), or
 * `not-allowed` (a service with no statement allowing it).
 */
export function decide(template: Json, request: Request): 'denied' | 'allowed' | 'not-allowed' {
  const statements = policyStatements(template, request.resource);
  if (statements.some((s) => s.Effect === 'Deny' && applies(s, request))) return 'denied';
  if ('principalArn' in request.caller) return 'allowed';
  return statements.some((s) => s.Effect === 'Allow' && applies(s, request)) ? 'allowed' : 'not-allowed';
}

/** A request a role makes with its own credentials, with the request's condition keys. */
export interface RoleRequest {
  readonly action: string;
  readonly resource: string;
  /** Condition keys of the request, e.g. `{ 'dynamodb:LeadingKeys': ['ingest-cursor'] }`. */
  readonly keys?: Context;
}

/** Every statement of a role's own policies: inline, and those of AWS::IAM::Policy resources naming it. */
export function roleStatements(template: Json, roleId: string): Json[] {
  const documents: Json[] = [];
  for (const policy of (template.Resources?.[roleId]?.Properties?.Policies ?? []) as Json[])
    documents.push(policy.PolicyDocument);
  for (const [, r] of Object.entries(template.Resources as Record<string, Json>))
    if (r.Type === 'AWS::IAM::Policy' && list(r.Properties.Roles).some((ref: Json) => ref?.Ref === roleId))
      documents.push(r.Properties.PolicyDocument);
  return documents.flatMap((document) => list(resolve(template, document).Statement));
}

/**
 * The outcome of a role's request under its own policies (the resource's policy aside): `denied`
 * (an explicit deny applies), `allowed` (an allow applies, no deny), or `not-allowed` (nothing
 * allows it).
 */
export function decideForRole(
  template: Json,
  roleId: string,
  request: RoleRequest,
): 'denied' | 'allowed' | 'not-allowed' {
  const applies = (statement: Json) =>
    list(statement.Action).some((a: string) => like(a.toLowerCase(), request.action.toLowerCase())) &&
    list(statement.Resource).some((r: string) => like(r, request.resource)) &&
    conditionHolds(statement.Condition, request.keys ?? {});
  const statements = roleStatements(template, roleId);
  if (statements.some((s) => s.Effect === 'Deny' && applies(s))) return 'denied';
  return statements.some((s) => s.Effect === 'Allow' && applies(s)) ? 'allowed' : 'not-allowed';
}
