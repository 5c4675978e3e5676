// Okta integrations built with the App Integration Wizard: PUT for every user change,
// deactivation and reactivation included.
import type { Resource } from '../resource.ts';
import { OktaDialect } from './okta.ts';
import type { PlannedRequest } from './base.ts';

export class OktaWizardDialect extends OktaDialect {
  override readonly name = 'okta-wizard' as const;
  override readonly needsCurrent: ReadonlySet<'update' | 'deactivate' | 'reactivate'> = new Set([
    'update',
    'deactivate',
    'reactivate',
  ] as const);

  override setActive(id: string, active: boolean, current: Resource | undefined): PlannedRequest {
    // Okta SCIM 2.0 reference, "Delete Users": AIW apps PUT active; body as in "Update the User".
    return { method: 'PUT', url: `/Users/${id}`, body: { ...current, id, active } };
  }
}
