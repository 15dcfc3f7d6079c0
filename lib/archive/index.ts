// The event archive: every audit event the detection function receives, and every alert, as gzip
// JSON Lines in S3 (or a local directory in the same layout), and the readers `hunt` and `alerts`
// use. The public surface is listed here; code inside lib/ imports each module itself (lib/ has no
// barrels: see scripts/lint/project-boundaries.js), so a function loads only what it uses.
export { alertCreatedMs, alertDay, decodeAlertLine, encodeAlertLine } from './alert-line.ts';
export type { ArchivableAlert, ArchivedAlert, DecodedAlertLine } from './alert-line.ts';
export { dayRange, isArchiveTime, isUtcDay, LAST_ARCHIVE_MS, utcDay } from './day.ts';
export { DirectoryArchiveStore, directoryKeyProblem } from './directory-store.ts';
export {
  archivedEvent,
  archivedEventDay,
  archivedEventTime,
  decodeEventLine,
  effectiveAtSeconds,
  encodeEventLine,
} from './event-line.ts';
export type { ArchivedEvent, ArchivedEventInput, DecodedEventLine } from './event-line.ts';
export {
  ALERTS_FOLDER,
  alertDayFolder,
  alertObjectKey,
  dayOfFolder,
  EVENTS_FOLDER,
  eventDayFolder,
  eventObjectKey,
  eventOrganizationFolder,
  NO_ORGANIZATION,
  OBJECT_SUFFIX,
  organizationOfFolder,
  parseArchiveKey,
} from './keys.ts';
export type { ArchiveKey } from './keys.ts';
export { describeArchiveLocation, parseArchiveLocation } from './location.ts';
export type { ArchiveLocation } from './location.ts';
export { GZIP_LEVEL, gzipLines, objectLines } from './object-body.ts';
export type { NumberedLine, ObjectLines } from './object-body.ts';
export { openArchiveStore } from './open-store.ts';
export { alertObject, eventPartitions, objectIdOf, partitionEvents } from './partition.ts';
export type { ArchiveObject } from './partition.ts';
export { describeArchiveProblem } from './problem.ts';
export type { ArchiveProblem } from './problem.ts';
export { readArchivedAlerts } from './read-alerts.ts';
export type { ReadArchivedAlertsOptions } from './read-alerts.ts';
export { readArchivedEvents } from './read-events.ts';
export type { ReadArchivedEventsOptions } from './read-events.ts';
export type { ArchiveReading, ArchiveReadStats } from './reading.ts';
export { normalizeS3Prefix } from './s3-prefix.ts';
export { ARCHIVE_CONTENT_TYPE, S3ArchiveStore } from './s3-store.ts';
export { safeSegment, segmentProblem } from './segment.ts';
export type { ArchiveStore } from './store.ts';
export { TeeArchiveStore } from './tee-store.ts';
export { parseIsoTime, parseTimeRange } from './time-range.ts';
export type { TimeRange } from './time-range.ts';
export { writeAlert, writeEventBatch } from './write.ts';
