// The spec as the schema admits it. Only `validate` turns unknown input into these types;
// everything after it (plan, run, report) may rely on them.

export type Dialect = 'rfc7644' | 'entra' | 'entra-2020' | 'okta' | 'okta-wizard';
export const DIALECTS: readonly Dialect[] = ['rfc7644', 'entra', 'entra-2020', 'okta', 'okta-wizard'];

export type Duration = number | string;
export type Scalar = string | number | boolean | null;
export type IdentityValue = Scalar | Array<string | number | boolean>;

export type Auth =
  | 'none'
  | { bearer: string }
  | { basic: { username: string; password: string } }
  | { header: { name: string; value: string } }
  | { oauth2: { tokenUrl: string; clientId: string; clientSecret: string; scope?: string; audience?: string } };

export interface Target {
  baseUrl: string;
  auth: Auth;
  dialect?: Dialect;
  allowedOrigins?: string[];
  timeouts?: { request?: Duration; scenario?: Duration; run?: Duration };
  concurrency?: number;
  headers?: Record<string, string>;
}

export interface ExtensionAttribute {
  type?: 'string' | 'boolean' | 'decimal' | 'integer' | 'dateTime' | 'binary' | 'reference' | 'complex';
  multiValued?: boolean;
  required?: boolean;
  mutability?: 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
  subAttributes?: Record<string, ExtensionAttribute>;
}

export interface ExtensionSchema {
  resource?: 'User' | 'Group';
  attributes: Record<string, ExtensionAttribute>;
}

export type MappingRule =
  | string
  | number
  | boolean
  | { value: string | number | boolean; compare?: 'exact' | 'case-insensitive'; verify?: boolean };

export interface Group {
  displayName?: string;
  externalId?: string;
  create?: boolean;
}

export interface RoleRule {
  name?: string;
  when?: Record<string, Scalar | Scalar[]>;
  memberOf?: string[];
  notMemberOf?: string[];
  roles?: string[];
  entitlements?: string[];
}

export interface Expectation {
  exists?: boolean;
  active?: boolean;
  attributes?: Record<string, unknown>;
  memberOf?: string[];
  notMemberOf?: string[];
  findable?: boolean;
  /** Whether the person's session in the app is on (federation.session, with their cookies). */
  session?: 'active' | 'ended';
}

export type HttpMethodKey = 'get' | 'post' | 'put' | 'patch' | 'delete' | 'head';
export const PROBE_METHODS: readonly HttpMethodKey[] = ['get', 'post', 'put', 'patch', 'delete', 'head'];

export interface HttpExpectation {
  status?: number | number[];
  headers?: Record<string, string>;
  json?: Record<string, unknown>;
}

export type Probe = Partial<Record<HttpMethodKey, string>> & {
  headers?: Record<string, string>;
  body?: unknown;
  auth?: Auth;
  expect?: HttpExpectation;
};

export type SimpleStep = 'provision' | 'deactivate' | 'reactivate' | 'deprovision' | 'rehire' | 'login' | 'logout';
export const SIMPLE_STEPS: readonly SimpleStep[] = ['provision', 'deactivate', 'reactivate', 'deprovision', 'rehire', 'login', 'logout'];

export type Step =
  | SimpleStep
  | { provision: { groups?: boolean } }
  | { update: Record<string, IdentityValue> }
  | { deactivate: Record<string, never> }
  | { reactivate: Record<string, never> }
  | { deprovision: Record<string, never> }
  | { rehire: Record<string, IdentityValue> }
  | { 'atomic-update': Record<string, IdentityValue> }
  | { reorder: [{ update: Record<string, IdentityValue> }, 'provision'] }
  | { assign: string[] }
  | { unassign: string[] }
  | { expect: Expectation }
  | { probe: Probe }
  | { wait: Duration }
  | { eventually: { within: Duration; every?: Duration; expect?: Expectation; probe?: Probe } }
  | { login: { expect?: 'session' | 'refused'; parallel?: number } }
  | { logout: Record<string, never> }
  | { idp: IdpChange };

/** A change at the identity provider: the person removed, or their claims changed. */
export type IdpChange = 'remove' | { update: Record<string, IdentityValue> };

export type StepKind =
  | SimpleStep
  | 'update'
  | 'atomic-update'
  | 'reorder'
  | 'assign'
  | 'unassign'
  | 'expect'
  | 'probe'
  | 'wait'
  | 'eventually'
  | 'idp';
export const STEP_KINDS: readonly StepKind[] = [
  'provision',
  'update',
  'deactivate',
  'reactivate',
  'deprovision',
  'rehire',
  'atomic-update',
  'reorder',
  'assign',
  'unassign',
  'expect',
  'probe',
  'wait',
  'eventually',
  'login',
  'logout',
  'idp',
];

/** Federation: provspec plays the IdP; the app provisions accounts just in time at sign-in. */
export interface Federation {
  protocol: 'oidc' | 'saml';
  port?: number;
  /** OIDC: the app's client registration. */
  client?: { id: string; secret?: string; redirectUris: string[]; backchannelLogoutUri?: string };
  /** SAML: the app as a service provider. */
  sp?: { entityId: string; acsUrl: string; audience?: string; unsolicited?: 'refused' | 'accepted'; sha1?: 'refused' | 'accepted' };
  start: string;
  session: { get: string; userName?: string };
  logout?: string;
  claims?: Record<string, IdentityValue>;
  groupsClaim?: string | null;
  updatesOnLogin?: boolean;
  allowedOrigins?: string[];
}

/** How a leaver is offboarded, and which attributes a deactivated account must keep. */
export interface Offboarding {
  mode: 'deactivate' | 'delete';
  keep?: string[];
}

export interface LifecycleScenario {
  description?: string;
  identity: string;
  /** This scenario's offboarding, where it differs from the spec's. */
  offboarding?: Offboarding;
  dialect?: Dialect;
  tags?: string[];
  skip?: boolean | string;
  timeout?: Duration;
  steps: Step[];
}

export type RawMethodKey = 'get' | 'post' | 'put' | 'patch' | 'delete';
export const RAW_METHODS: readonly RawMethodKey[] = ['get', 'post', 'put', 'patch', 'delete'];

export type NegativeCase = Partial<Record<RawMethodKey, string>> & {
  description?: string;
  create?: string;
  without?: string[];
  set?: Record<string, unknown>;
  body?: unknown;
  auth?: Auth;
  dialect?: Dialect;
  skip?: boolean | string;
  expect: { status: number | number[]; scimType?: string };
};

export interface ConcurrencyCase {
  description?: string;
  action: 'provision' | 'add-members' | 'remove-member';
  identity?: string;
  identities?: string[];
  group?: string;
  parallel?: number;
  dialect?: Dialect;
  skip?: boolean | string;
  expect?: { created?: number; conflict?: number };
}

export interface LoadCase {
  description?: string;
  identity?: string;
  rate: number;
  requests?: number;
  duration?: string;
  users?: number;
  inFlight?: number;
  mix?: { read?: number; filter?: number; groups?: number };
  dialect?: Dialect;
  skip?: boolean | string;
  expect?: { rate?: number; p50?: string; p95?: string; p99?: string; errors?: number };
}

export interface Spec {
  $schema?: string;
  provspec: 1;
  name?: string;
  description?: string;
  variables?: Record<string, string | number | boolean>;
  target: Target;
  extensions?: Record<string, ExtensionSchema>;
  identities: Record<string, Record<string, IdentityValue>>;
  /** Identity attribute → whether scenarios tag it with the run id (defaults: see core/run/identity.ts). */
  runScoped?: Record<string, boolean>;
  mapping: Record<string, MappingRule>;
  groups?: Record<string, Group>;
  roles?: RoleRule[];
  federation?: Federation;
  offboarding?: Offboarding;
  drift?: { match?: 'externalId' | 'userName'; maxUsers?: number };
  lifecycle?: Record<string, LifecycleScenario>;
  negative?: Record<string, NegativeCase>;
  concurrency?: Record<string, ConcurrencyCase>;
  load?: Record<string, LoadCase>;
  conformance?: Array<'rfc7644' | 'entra' | 'okta' | 'oidc-rp' | 'saml-sp'>;
}

/**
 * Delivery faults: how a write step's requests reach the server, as IdPs' timeouts, retries and
 * parallel workers make them (core/run/lifecycle/delivery.ts). One per step, beside its key.
 */
export type DeliveryFaultKey = 'retry' | 'duplicate' | 'timeout-then-retry';
export const DELIVERY_FAULTS: readonly DeliveryFaultKey[] = ['retry', 'duplicate', 'timeout-then-retry'];
/** The steps that write to the target, so that a delivery fault means something on them. */
export const WRITE_STEPS: readonly StepKind[] = [
  'provision',
  'update',
  'deactivate',
  'reactivate',
  'deprovision',
  'rehire',
  'assign',
  'unassign',
];

/** The kind of a step, whichever of its two forms (`deactivate` or `{deactivate: {}}`) it takes. */
export function stepKind(step: unknown): StepKind | undefined {
  if (typeof step === 'string') return (SIMPLE_STEPS as readonly string[]).includes(step) ? (step as StepKind) : undefined;
  if (step && typeof step === 'object' && !Array.isArray(step)) {
    const keys = Object.keys(step).filter((k) => !(DELIVERY_FAULTS as readonly string[]).includes(k));
    if (keys.length === 1 && (STEP_KINDS as readonly string[]).includes(keys[0]!)) return keys[0] as StepKind;
  }
  return undefined;
}

/** The delivery fault a step object carries beside its key, if any. */
export function deliveryFault(step: unknown): { key: DeliveryFaultKey; value: unknown } | undefined {
  if (!step || typeof step !== 'object' || Array.isArray(step)) return undefined;
  for (const key of DELIVERY_FAULTS) if (key in step) return { key, value: (step as Record<string, unknown>)[key] };
  return undefined;
}
