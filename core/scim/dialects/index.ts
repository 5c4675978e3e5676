import type { Dialect } from '../../spec/types.ts';
import { Rfc7644Dialect } from './rfc7644.ts';
import { EntraDialect } from './entra.ts';
import { Entra2020Dialect } from './entra-2020.ts';
import { OktaDialect } from './okta.ts';
import { OktaWizardDialect } from './okta-wizard.ts';
import type { ScimDialect } from './base.ts';

export type { ScimDialect, PlannedRequest, MemberRef } from './base.ts';

export function dialectFor(name: Dialect): ScimDialect {
  switch (name) {
    case 'entra':
      return new EntraDialect();
    case 'entra-2020':
      return new Entra2020Dialect();
    case 'okta':
      return new OktaDialect();
    case 'okta-wizard':
      return new OktaWizardDialect();
    default:
      return new Rfc7644Dialect();
  }
}
