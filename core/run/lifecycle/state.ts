import type { IdentityValue } from '../../spec/types.ts';
import type { Resource } from '../../scim/resource.ts';
import type { Range } from '../../diagnostic.ts';

/** What a lifecycle scenario knows about its user between steps. */
export interface UserState {
  identity: Record<string, IdentityValue>;
  id?: string;
  userName?: string;
  /** The representation the last read returned. */
  current?: Resource;
  exists: boolean;
  /** Set by deprovision; "deactivated" for dialects that never delete users (Okta). */
  deprovisioned?: 'deleted' | 'deactivated';
  /** Spec group names the runner (as the IdP) has put the user in. */
  groups: Set<string>;
}

/** Where a step is, for check ids and ranges. */
export interface StepInfo {
  index: number;
  kind: string;
  /** Prefix of this step's check ids, e.g. "2-update". */
  label: string;
  pointer: string;
  range: Range;
}
