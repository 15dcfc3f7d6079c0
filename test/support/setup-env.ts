// Runs in every test worker: points the standard AWS SDK variables at the emulators, so tests and
// production code create clients exactly as they would against AWS.
import { interceptLocalhostDns } from 'fauxqs';
import { inject } from 'vitest';

// fauxqs names queues http://sqs.<region>.localhost:<port>/...; RFC 6761 reserves *.localhost for
// loopback, but glibc does not resolve such names, so this process does (only *.localhost).
interceptLocalhostDns();

const emulators = inject('emulators');
process.env.AWS_ENDPOINT_URL_DYNAMODB = emulators.dynamodb;
process.env.AWS_ENDPOINT_URL_SQS = emulators.sqs;
process.env.AWS_ENDPOINT_URL_SNS = emulators.sns;
process.env.AWS_REGION = 'us-east-1';
process.env.AWS_ACCESS_KEY_ID = 'local';
process.env.AWS_SECRET_ACCESS_KEY = 'local';
delete process.env.AWS_PROFILE;
