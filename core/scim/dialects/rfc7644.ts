// A plain RFC 7644 client: no lookup before create, lowercase ops, booleans as booleans,
// removes by value filter.
import { BaseDialect, type PlannedRequest } from './base.ts';

export class Rfc7644Dialect extends BaseDialect {
  readonly name = 'rfc7644' as const;

  override lookupUser(): PlannedRequest | undefined {
    return undefined;
  }
}
