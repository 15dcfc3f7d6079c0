// The list endpoint's semantics in memory (newest first, `limit` per page, the `after` cursor,
// inclusive effective_at bounds), for runs too large to serve over HTTP in a test.
import type { AuditLogPage, PageQuery } from '../../lib/ingestion/poller/audit-log-client.ts';
import type { JsonObject } from '../../lib/shared/json.ts';

export interface MemoryAuditLog {
  readonly events: JsonObject[];
  readonly requests: PageQuery[];
  listPage(query: PageQuery): Promise<AuditLogPage>;
}

export function memoryAuditLog(pageSize = 100): MemoryAuditLog {
  const events: JsonObject[] = [];
  const requests: PageQuery[] = [];
  let sorted: JsonObject[] = [];
  let sortedLength = -1;
  const at = (e: JsonObject) => e.effective_at as number;
  const id = (e: JsonObject) => e.id as string;
  return {
    events,
    requests,
    listPage(query) {
      requests.push(query);
      if (sortedLength !== events.length) {
        sorted = [...events].sort((a, b) => at(b) - at(a) || (id(a) < id(b) ? 1 : -1));
        sortedLength = events.length;
      }
      // Newest first: the window is a contiguous run of the sorted list.
      const inWindow = sorted.filter((e) => at(e) >= query.effectiveAtGte && at(e) <= query.effectiveAtLte);
      const from = query.after === undefined ? 0 : inWindow.findIndex((e) => e.id === query.after) + 1;
      const data = inWindow.slice(from, from + pageSize);
      return Promise.resolve({
        data,
        hasMore: from + pageSize < inWindow.length,
        lastId: data.at(-1)?.id as string | undefined,
      });
    },
  };
}
