// A small evaluator of the resource policies in the packaged CloudFormation template, to test who
// may do what to the queues and topics: the statements' principals, actions, resources and the
// condition operators the template uses (ArnEquals/ArnNotEquals/ArnLike/ArnNotLike, Bool,
// StringEquals), with IAM's rule for missing keys (a negated operator matches when the key is
// absent). Intrinsic functions are resolved to made-up but consistent ARNs.
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
}

const list = (value: Json): Json[] => (Array.isArray(value) ? value : [value]);
const like = (pattern: string, value: string) =>
  new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  ).test(value);

function context(request: Request): Record<string, string | undefined> {
  const { caller } = request;
  return {
    'aws:PrincipalArn': 'principalArn' in caller ? caller.principalArn : undefined,
    'aws:SourceArn': 'service' in caller ? caller.sourceArn : undefined,
    'aws:SourceAccount': 'service' in caller ? ACCOUNT : undefined,
    'aws:SecureTransport': String(request.secureTransport ?? true),
  };
}

function conditionHolds(condition: Json, values: Record<string, string | undefined>): boolean {
  for (const [operator, keys] of Object.entries(condition ?? {})) {
    for (const [key, expected] of Object.entries(keys as Record<string, Json>)) {
      const actual = values[key];
      const options = list(expected).map(String);
      const negated = operator.includes('Not');
      if (actual === undefined) {
        if (!negated) return false;
        continue;
      }
      const matches =
        operator.startsWith('Arn') && operator.includes('Like')
          ? options.some((o) => like(o, actual))
          : options.includes(actual);
      if (operator === 'Bool' || operator === 'StringEquals' || operator === 'ArnEquals' || operator === 'ArnLike') {
        if (!matches) return false;
      } else if (operator === 'ArnNotEquals' || operator === 'ArnNotLike' || operator === 'StringNotEquals') {
        if (matches) return false;
      } else throw new Error(`condition operator ${operator} not modelled`);
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
