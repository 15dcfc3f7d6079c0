// Runs in every test worker: points the standard AWS SDK variables at the emulators, so tests and
// production code create clients exactly as they would against AWS.
import { inject } from 'vitest';

const emulators = inject('emulators');
process.env.AWS_ENDPOINT_URL_DYNAMODB = emulators.dynamodb;
process.env.AWS_ENDPOINT_URL_SQS = emulators.sqs;
process.env.AWS_ENDPOINT_URL_SNS = emulators.sns;
process.env.AWS_REGION = 'us-east-1';
process.env.AWS_ACCESS_KEY_ID = 'local';
process.env.AWS_SECRET_ACCESS_KEY = 'local';
delete process.env.AWS_PROFILE;
