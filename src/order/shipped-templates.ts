/**
 * @module order/shipped-templates
 * The shipped email templates of every language, built into the bundle: the confirmation (for the
 * shipped form, and for any form), and the status emails. `config/defaults/<name>.<language>.json`
 * are translations of the English `config/defaults/<name>.json`, with the same placeholders.
 */

import CONFIRMATION_DE from '../../config/defaults/email_template.de.json' with { type: 'json' };
import CONFIRMATION_ES from '../../config/defaults/email_template.es-ES.json' with { type: 'json' };
import CONFIRMATION_FR from '../../config/defaults/email_template.fr.json' with { type: 'json' };
import CONFIRMATION from '../../config/defaults/email_template.json' with { type: 'json' };
import CONFIRMATION_PT from '../../config/defaults/email_template.pt-BR.json' with { type: 'json' };
import ANY_FORM_DE from '../../config/defaults/email_template_any_form.de.json' with { type: 'json' };
import ANY_FORM_ES from '../../config/defaults/email_template_any_form.es-ES.json' with { type: 'json' };
import ANY_FORM_FR from '../../config/defaults/email_template_any_form.fr.json' with { type: 'json' };
import ANY_FORM from '../../config/defaults/email_template_any_form.json' with { type: 'json' };
import ANY_FORM_PT from '../../config/defaults/email_template_any_form.pt-BR.json' with { type: 'json' };
import ACCEPTED_DE from '../../config/defaults/status_email_accepted.de.json' with { type: 'json' };
import ACCEPTED_ES from '../../config/defaults/status_email_accepted.es-ES.json' with { type: 'json' };
import ACCEPTED_FR from '../../config/defaults/status_email_accepted.fr.json' with { type: 'json' };
import ACCEPTED from '../../config/defaults/status_email_accepted.json' with { type: 'json' };
import ACCEPTED_PT from '../../config/defaults/status_email_accepted.pt-BR.json' with { type: 'json' };
import CANCELLED_DE from '../../config/defaults/status_email_cancelled.de.json' with { type: 'json' };
import CANCELLED_ES from '../../config/defaults/status_email_cancelled.es-ES.json' with { type: 'json' };
import CANCELLED_FR from '../../config/defaults/status_email_cancelled.fr.json' with { type: 'json' };
import CANCELLED from '../../config/defaults/status_email_cancelled.json' with { type: 'json' };
import CANCELLED_PT from '../../config/defaults/status_email_cancelled.pt-BR.json' with { type: 'json' };
import DELIVERED_DE from '../../config/defaults/status_email_delivered.de.json' with { type: 'json' };
import DELIVERED_ES from '../../config/defaults/status_email_delivered.es-ES.json' with { type: 'json' };
import DELIVERED_FR from '../../config/defaults/status_email_delivered.fr.json' with { type: 'json' };
import DELIVERED from '../../config/defaults/status_email_delivered.json' with { type: 'json' };
import DELIVERED_PT from '../../config/defaults/status_email_delivered.pt-BR.json' with { type: 'json' };
import SHIPPED_DE from '../../config/defaults/status_email_shipped.de.json' with { type: 'json' };
import SHIPPED_ES from '../../config/defaults/status_email_shipped.es-ES.json' with { type: 'json' };
import SHIPPED_FR from '../../config/defaults/status_email_shipped.fr.json' with { type: 'json' };
import SHIPPED from '../../config/defaults/status_email_shipped.json' with { type: 'json' };
import SHIPPED_PT from '../../config/defaults/status_email_shipped.pt-BR.json' with { type: 'json' };
import type { Language } from '../i18n/languages.ts';

/** A shipped template as JSON (validated where it is loaded). */
type ShippedTemplate = { subject: string; html_body: string; text_body?: string };

/** The shipped templates of one language. */
export interface ShippedTemplates {
  readonly confirmation: ShippedTemplate;
  readonly anyForm: ShippedTemplate;
  readonly status: Readonly<Record<'accepted' | 'shipped' | 'delivered' | 'cancelled', ShippedTemplate>>;
}

/** The template's own keys (a shipped file may carry a `_comment` for the owner). */
function only(json: ShippedTemplate & Record<string, unknown>): ShippedTemplate {
  const { subject, html_body, text_body } = json;
  return text_body === undefined ? { subject, html_body } : { subject, html_body, text_body };
}

/** Every shipped language's templates. */
export const SHIPPED_TEMPLATES: Readonly<Record<Language, ShippedTemplates>> = {
  'en-US': {
    confirmation: only(CONFIRMATION),
    anyForm: only(ANY_FORM),
    status: {
      accepted: only(ACCEPTED),
      shipped: only(SHIPPED),
      delivered: only(DELIVERED),
      cancelled: only(CANCELLED),
    },
  },
  de: {
    confirmation: only(CONFIRMATION_DE),
    anyForm: only(ANY_FORM_DE),
    status: {
      accepted: only(ACCEPTED_DE),
      shipped: only(SHIPPED_DE),
      delivered: only(DELIVERED_DE),
      cancelled: only(CANCELLED_DE),
    },
  },
  fr: {
    confirmation: only(CONFIRMATION_FR),
    anyForm: only(ANY_FORM_FR),
    status: {
      accepted: only(ACCEPTED_FR),
      shipped: only(SHIPPED_FR),
      delivered: only(DELIVERED_FR),
      cancelled: only(CANCELLED_FR),
    },
  },
  'es-ES': {
    confirmation: only(CONFIRMATION_ES),
    anyForm: only(ANY_FORM_ES),
    status: {
      accepted: only(ACCEPTED_ES),
      shipped: only(SHIPPED_ES),
      delivered: only(DELIVERED_ES),
      cancelled: only(CANCELLED_ES),
    },
  },
  'pt-BR': {
    confirmation: only(CONFIRMATION_PT),
    anyForm: only(ANY_FORM_PT),
    status: {
      accepted: only(ACCEPTED_PT),
      shipped: only(SHIPPED_PT),
      delivered: only(DELIVERED_PT),
      cancelled: only(CANCELLED_PT),
    },
  },
};
