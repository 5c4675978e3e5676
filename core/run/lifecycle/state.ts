import type { IdentityValue } from '../../spec/types.ts';
import type { Resource } from '../../scim/resource.ts';
import type { Range } from '../../diagnostic.ts';
import type { CheckResult } from '../result.ts';
import type { FederatedPerson } from './login.ts';
import type { DeliveryFault } from './delivery.ts';

/** What a lifecycle scenario knows about its user between steps. */
export interface UserState {
  identity: Record<string, IdentityValue>;
  /** A changed identity attribute's value as this scenario sends it (run-tagged where the attribute is). */
  scoped: (attribute: string, value: IdentityValue) => IdentityValue;
  id?: string;
  userName?: string;
  /** The representation the last read returned. */
  current?: Resource;
  exists: boolean;
  /** Set by deprovision; "deactivated" for dialects that never delete users (Okta) and offboarding mode deactivate. */
  deprovisioned?: 'deleted' | 'deactivated';
  /** What the leaver held when offboarded (a rehire must not get it back unless the rules grant it). */
  left?: { id: string; groups: Set<string>; roles: string[]; entitlements: string[] };
  /** offboarding.keep attributes (top-level name, lower case) the deactivation lost, by the check that found it. */
  lostAtOffboarding?: Map<string, CheckResult>;
  /** Spec group names the runner (as the IdP) has put the user in. */
  groups: Set<string>;
  /** `add:NAME` / `remove:NAME` → the failed membership change (membership verdicts are blocked by it). */
  groupFailures: Map<string, CheckResult>;
  /** Why there is no user: the failed create (later steps are blocked by it). */
  createFailure?: CheckResult;
  /** The last read by id that failed (the attribute checks it would have fed are blocked by it). */
  unreadable?: CheckResult;
  /**
   * The last write step the server refused (update, deactivate, reactivate): what the spec expects
   * afterwards cannot hold, so expectations that then fail are blocked by it, not failed again.
   */
  writeFailure?: CheckResult;
  /**
   * Facts a step's built-in check already found wrong ("active", "findable"), until a later write
   * changes them: an expectation of the same fact is blocked by that check, not a second failure.
   */
  wrongFacts: Map<'active' | 'findable', CheckResult>;
  /** Whether a userName filter found the active user (the precondition of findability checks). */
  filterCheck?: CheckResult;
  /** Federation: the person's browser, IdP subject and account (made at the first login step). */
  person?: FederatedPerson;
}

/** Where a step is, for check ids and ranges. */
export interface StepInfo {
  index: number;
  kind: string;
  /** Prefix of this step's check ids, e.g. "2-update". */
  label: string;
  pointer: string;
  range: Range;
  /** The delivery fault the step's writes meet (retry, duplicate, timeout-then-retry). */
  fault?: DeliveryFault;
}
