// A stand-in for the application behind the SCIM endpoint, so that specs which probe downstream
// effects run against the embedded server too: GET /app/api/access/{id} answers 200 while the
// user exists and is active, 403 otherwise - what an app that honours provisioning would do.
// No credential: it plays a different system than the SCIM endpoint.
import type { ScimService } from '../scim/service.ts';
import { ScimError } from '../scim/errors.ts';

export const DEMO_APP_PATH = '/app';

export function demoApp(service: ScimService, pathname: string, method: string): { status: number; body: unknown } {
  const match = /^\/app\/api\/access\/([^/]+)$/.exec(pathname);
  if (!match) return { status: 404, body: { error: 'The demo app has only GET /app/api/access/{userId}.' } };
  if (method !== 'GET') return { status: 405, body: { error: 'GET only.' } };
  try {
    const user = service.get('User', decodeURIComponent(match[1]!)).resource;
    const active = user['active'] === true;
    return { status: active ? 200 : 403, body: { access: active } };
  } catch (error) {
    if (error instanceof ScimError && error.status === 404) return { status: 403, body: { access: false, reason: 'no such user' } };
    throw error;
  }
}
