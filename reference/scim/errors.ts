// SCIM errors (RFC 7644 §3.12) as values: handlers throw a ScimError, the HTTP layer renders it.
export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive';

export class ScimError extends Error {
  readonly status: number;
  readonly scimType: ScimType | undefined;
  readonly headers: Record<string, string>;

  constructor(status: number, detail: string, scimType?: ScimType, headers: Record<string, string> = {}) {
    super(detail);
    this.status = status;
    this.scimType = scimType;
    this.headers = headers;
  }
}

export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

export function errorBody(error: ScimError, withScimType = true): Record<string, unknown> {
  const body: Record<string, unknown> = { schemas: [ERROR_SCHEMA], status: String(error.status), detail: error.message };
  if (error.scimType && withScimType) body['scimType'] = error.scimType;
  return body;
}
