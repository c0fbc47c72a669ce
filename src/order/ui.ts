/**
 * @module order/ui
 * Discord payloads of the order form: the modals (a Label per field wrapping its text input,
 * string select, radio group or checkbox group), the step buttons, the summary and the staff
 * message.
 * User text shown in Discord is markdown-escaped and never pings anyone.
 */
import {
  type APIActionRowComponent,
  type APIButtonComponent,
  type APIComponentInLabel,
  type APIEmbed,
  type APIModalInteractionResponseCallbackData,
  type APIModalSubmission,
  ButtonStyle,
  ComponentType,
  type ModalSubmitComponent,
  TextInputStyle,
} from 'discord-api-types/v10';
import { isLanguage, LANGUAGE_NAMES } from '../i18n/languages.ts';
import { formatAmount, formatDate, type MessageKey, type Translator } from '../i18n/translate.ts';
import { customId } from '../router/router.ts';
import type { LifecycleStatus, StoredOrder } from '../store/engine.ts';
import { choicesOf, type Order, ownReference, type StepValues, shownValue } from './fields.ts';
import { type FormField, fieldCapacity, type OrderForm } from './form.ts';
import { LIMITS, type StaffAction, staffActions } from './lifecycle.ts';
import { myOrderLine, statusName } from './texts.ts';
import { type FieldProblem, isHttpUrl } from './validate.ts';

/** custom_id prefixes of the order form (the format: prefix, then `:`-separated arguments). */
export const OrderIds = {
  /** A modal: `order_modal:<step>:<nonce>`. */
  Modal: 'order_modal',
  /** Opens a step's modal (continue or fix): `order_open:<step>:<nonce>`. */
  Open: 'order_open',
  /** Cancels the draft: `order_cancel:<nonce>`. */
  Cancel: 'order_cancel',
  /** A staff button on the staff post: `order_staff:<action>:<order id>:<status shown>`. */
  Staff: 'order_staff',
  /** A staff modal (ship, cancel): `order_staff_modal:<action>:<order id>:<status shown>`. */
  StaffModal: 'order_staff_modal',
  /** A customer's cancel in /my_orders: `my_order_cancel:<order id>` asks, `my_order_confirm:<order id>` does. */
  MyCancel: 'my_order_cancel',
  MyConfirm: 'my_order_confirm',
  /** Keeps the order (the confirmation's "no"): `my_order_keep`. */
  MyKeep: 'my_order_keep',
} as const;

/** Labels and styles of the staff buttons. */
const STAFF_BUTTONS: Readonly<Record<StaffAction, { label: MessageKey; style: ActionStyle }>> = {
  accept: { label: 'staff_accept', style: ButtonStyle.Success },
  ship: { label: 'staff_ship', style: ButtonStyle.Primary },
  deliver: { label: 'staff_deliver', style: ButtonStyle.Success },
  cancel: { label: 'staff_cancel', style: ButtonStyle.Danger },
};

/** The staff post's buttons for an order in `status` (none once it is delivered or cancelled), in the staff's language. */
export function staffButtons(
  t: Translator,
  orderId: number,
  status: LifecycleStatus,
): APIActionRowComponent<APIButtonComponent>[] {
  const actions = staffActions(status);
  if (actions.length === 0) return [];
  return [
    {
      type: ComponentType.ActionRow,
      components: actions.map((action) =>
        button(
          customId(OrderIds.Staff, action, orderId, status),
          t(STAFF_BUTTONS[action].label),
          STAFF_BUTTONS[action].style,
        ),
      ),
    },
  ];
}

/** The modal of Mark shipped (optional tracking number and URL) or Cancel order (a required reason). */
export function staffModal(
  t: Translator,
  action: 'ship' | 'cancel',
  orderId: number,
  from: LifecycleStatus,
  reference: string,
  prefill: Readonly<Partial<Record<string, string>>> = {},
): APIModalInteractionResponseCallbackData {
  const input = (
    custom_id: string,
    label: string,
    max_length: number,
    required: boolean,
    style = TextInputStyle.Short,
    placeholder?: string,
  ) => {
    const value = prefill[custom_id]?.slice(0, max_length);
    return {
      type: ComponentType.Label as const,
      label,
      component: {
        type: ComponentType.TextInput as const,
        custom_id,
        style,
        max_length,
        required,
        ...(placeholder ? { placeholder } : {}),
        ...(value ? { value } : {}),
      },
    };
  };
  const title = t(action === 'ship' ? 'staff_ship_title' : 'staff_cancel_title', { reference }).slice(0, 45);
  return {
    custom_id: customId(OrderIds.StaffModal, action, orderId, from),
    title,
    components:
      action === 'ship'
        ? [
            input('tracking_number', t('staff_tracking_number'), LIMITS.trackingNumber, false),
            input(
              'tracking_url',
              t('staff_tracking_url'),
              LIMITS.trackingUrl,
              false,
              TextInputStyle.Short,
              'https://',
            ),
          ]
        : [input('reason', t('staff_reason'), LIMITS.reason, true, TextInputStyle.Paragraph)],
  };
}

/** "Fix the tracking link": reopens Mark shipped (prefilled with what was typed, where it was kept). */
export function fixButton(
  t: Translator,
  orderId: number,
  from: LifecycleStatus,
): APIActionRowComponent<APIButtonComponent>[] {
  return [
    {
      type: ComponentType.ActionRow,
      components: [
        button(
          customId(OrderIds.Staff, 'ship', orderId, from),
          t('staff_fix_tracking_url'),
          ButtonStyle.Primary,
        ),
      ],
    },
  ];
}

/** Reads one text input of a submitted modal by custom_id (Label or action-row layout); '' when absent. */
export function modalText(data: APIModalSubmission, key: string, max: number): string {
  for (const component of Array.isArray(data.components) ? data.components : []) {
    const inner =
      component.type === ComponentType.Label
        ? [component.component]
        : component.type === ComponentType.ActionRow && Array.isArray(component.components)
          ? component.components
          : [];
    for (const item of inner) {
      if (item?.custom_id !== key) continue;
      const value = (item as { value?: unknown }).value;
      return typeof value === 'string' ? value.trim().slice(0, max) : '';
    }
  }
  return '';
}

/**
 * The member's own orders for `/my_orders` (newest first): one line each, and a button to cancel
 * each order that is still `received`.
 */
export function myOrdersMessage(
  t: Translator,
  orders: readonly StoredOrder[],
  referenceFormat: string,
): { content: string; components: APIActionRowComponent<APIButtonComponent>[] } {
  const lines = orders.map((order) => myOrderLine(t, order, ownReference(order.id, referenceFormat)));
  const cancellable = orders.filter((order) => order.lifecycle === 'received');
  const buttons = cancellable.map((order) =>
    button(
      customId(OrderIds.MyCancel, order.id),
      t('my_orders_cancel_button', { reference: ownReference(order.id, referenceFormat) }).slice(0, 80),
      ButtonStyle.Secondary,
    ),
  );
  const components: APIActionRowComponent<APIButtonComponent>[] = [];
  for (let i = 0; i < buttons.length; i += 5) {
    components.push({ type: ComponentType.ActionRow, components: buttons.slice(i, i + 5) });
  }
  return { content: lines.join('\n'), components };
}

/** The confirmation step of a customer's cancel. */
export function myCancelButtons(t: Translator, orderId: number): APIActionRowComponent<APIButtonComponent>[] {
  return [
    {
      type: ComponentType.ActionRow,
      components: [
        button(customId(OrderIds.MyConfirm, orderId), t('confirm_cancel_yes'), ButtonStyle.Danger),
        button(OrderIds.MyKeep, t('confirm_cancel_keep'), ButtonStyle.Secondary),
      ],
    },
  ];
}

/** Embed colour of the summary and the staff message. */
const BRAND_COLOR = 0x2f855a;

/** The placeholder of a typed field when the form sets none. */
const PLACEHOLDERS: Partial<Record<FormField['type'], MessageKey>> = {
  date: 'placeholder_date',
  email: 'placeholder_email',
  url: 'placeholder_url',
  price: 'placeholder_price',
};

/** One field as Discord's component inside a Label, prefilled with `value` when given. */
function fieldComponent(t: Translator, field: FormField, value: string | undefined): APIComponentInLabel {
  const chosen = new Set(field.type === 'checkboxes' ? choicesOf(value ?? '') : value ? [value] : []);
  // Shown in the customer's language, stored as the form's own value (the same in every language).
  const options = field.options.map((option, i) => ({
    label: field.optionLabels[i] ?? option,
    value: option,
    ...(chosen.has(option) ? { default: true } : {}),
  }));
  switch (field.type) {
    case 'select':
      return {
        type: ComponentType.StringSelect,
        custom_id: field.key,
        options,
        min_values: field.required ? 1 : 0,
        max_values: 1,
        required: field.required,
        ...(field.placeholder ? { placeholder: field.placeholder } : {}),
      };
    case 'radio':
      return { type: ComponentType.RadioGroup, custom_id: field.key, options, required: field.required };
    case 'checkboxes': {
      const min = field.min ?? (field.required ? 1 : 0);
      return {
        type: ComponentType.CheckboxGroup,
        custom_id: field.key,
        options,
        min_values: min,
        max_values: field.max ?? field.options.length,
        required: min > 0,
      };
    }
    default: {
      const prefill = value?.slice(0, field.maxLength);
      const fallback = PLACEHOLDERS[field.type];
      const placeholder = field.placeholder ?? (fallback ? t(fallback) : undefined);
      return {
        type: ComponentType.TextInput,
        custom_id: field.key,
        style: field.type === 'paragraph' ? TextInputStyle.Paragraph : TextInputStyle.Short,
        ...(placeholder ? { placeholder } : {}),
        ...(field.minLength > 0 ? { min_length: field.minLength } : {}),
        max_length: field.maxLength,
        required: field.required,
        ...(prefill ? { value: prefill } : {}),
      };
    }
  }
}

/** Builds the modal of step `step` (1-based) of `form` (in the customer's language), prefilled with `values` when given. */
export function buildModal(
  t: Translator,
  form: OrderForm,
  step: number,
  nonce: string,
  values: StepValues = {},
): APIModalInteractionResponseCallbackData {
  const { title, fields } = form.steps[step - 1]!;
  return {
    custom_id: customId(OrderIds.Modal, step, nonce),
    title,
    components: fields.map((field) => ({
      type: ComponentType.Label,
      label: field.label,
      ...(field.description ? { description: field.description } : {}),
      component: fieldComponent(t, field, values[field.key]),
    })),
  };
}

/** Most characters kept of one submitted value (Discord's own limit): a forged payload stays bounded. */
const MAX_SUBMITTED = 4000;

/** A submitted component's value as stored: text as typed, a choice as itself, several one a line. */
function submittedValue(component: ModalSubmitComponent): string | undefined {
  const raw = component as { value?: unknown; values?: unknown };
  // Read defensively: a forged payload may carry any JSON here.
  if (Array.isArray(raw.values)) {
    return raw.values
      .filter((item): item is string => typeof item === 'string')
      .join('\n')
      .slice(0, MAX_SUBMITTED);
  }
  if (typeof raw.value === 'string') return raw.value.slice(0, MAX_SUBMITTED);
  if (raw.value === null) return '';
  return undefined;
}

/**
 * Reads a submitted modal's values by custom_id (Label and legacy action-row layouts): only the
 * fields of step `step` (1-based), each cut to what the field can hold, so a forged submit cannot
 * store more than the form allows (see README, "Memory").
 */
export function readModalValues(form: OrderForm, step: number, data: APIModalSubmission): StepValues {
  const values: Partial<Record<string, string>> = {};
  for (const component of Array.isArray(data.components) ? data.components : []) {
    if (component.type === ComponentType.Label && component.component) {
      const value = submittedValue(component.component);
      if (value !== undefined) values[component.component.custom_id] = value;
    } else if (component.type === ComponentType.ActionRow && Array.isArray(component.components)) {
      for (const inner of component.components) {
        const value = submittedValue(inner);
        if (value !== undefined) values[inner.custom_id] = value;
      }
    }
  }
  const known: StepValues = {};
  for (const field of form.steps[step - 1]?.fields ?? []) {
    const value = Object.hasOwn(values, field.key) ? values[field.key] : undefined;
    // A little over the field's capacity: text longer than allowed is still refused as too long.
    if (typeof value === 'string') known[field.key] = value.slice(0, fieldCapacity(field) + 1);
  }
  return known;
}

type ActionStyle = ButtonStyle.Primary | ButtonStyle.Secondary | ButtonStyle.Success | ButtonStyle.Danger;

const button = (custom_id: string, label: string, style: ActionStyle): APIButtonComponent => ({
  type: ComponentType.Button,
  custom_id,
  label,
  style,
});

/** The "Continue" (or "Fix Step N") and "Cancel" buttons. */
export function stepButtons(
  t: Translator,
  openStep: number,
  nonce: string,
  label: string,
  style: ActionStyle = ButtonStyle.Primary,
): APIActionRowComponent<APIButtonComponent>[] {
  return [
    {
      type: ComponentType.ActionRow,
      components: [
        button(customId(OrderIds.Open, openStep, nonce), label, style),
        button(customId(OrderIds.Cancel, nonce), t('button_cancel'), ButtonStyle.Secondary),
      ],
    },
  ];
}

/** Label of the button that opens step `next` of `steps`. */
export function continueLabel(t: Translator, next: number, steps: number): string {
  return next === steps ? t('button_continue_final') : t('button_continue', { step: next });
}

/** The ephemeral message listing a step's problems, one line per field. */
export function problemsMessage(
  t: Translator,
  step: number,
  steps: number,
  problems: readonly FieldProblem[],
): string {
  const lines = problems.map((p) => t('problem_line', { label: p.label, message: t(p.message, p.params) }));
  return [t('problems_heading', { step, steps }), ...lines, '', t('problems_footer', { step })].join('\n');
}

/** Escapes Discord markdown so user text shows exactly as typed. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\*_~`|>#[\]()<@:-]/g, '\\$&');
}

/** Escapes and truncates to `max` characters (an embed field value allows 1,024). */
export function discordText(text: string, max = 1024): string {
  const escaped = escapeMarkdown(text);
  if (escaped.length <= max) return escaped || '—';
  return `${escaped.slice(0, max - 1).replace(/\\$/, '')}…`;
}

type EmbedField = { name: string; value: string; inline: boolean };

/** Most characters of an embed (Discord counts title, description and every field's name and value). */
const EMBED_BUDGET = 6000;

/**
 * Shortens the longest values until title, description and fields fit Discord's 6,000 characters
 * for all embeds of a message (a long form's values can exceed it together; every value is whole in
 * the database, `npm run orders -- show` and the email).
 */
function fitEmbed(head: string, fields: EmbedField[]): EmbedField[] {
  const size = () => head.length + fields.reduce((sum, f) => sum + f.name.length + f.value.length, 0);
  while (size() > EMBED_BUDGET) {
    const longest = fields.reduce((a, b) => (b.value.length > a.value.length ? b : a));
    if (longest.value.length <= 20) break;
    const cut = Math.max(20, longest.value.length - (size() - EMBED_BUDGET));
    longest.value = `${longest.value.slice(0, cut - 1).replace(/\\$/, '')}…`;
  }
  return fields;
}

/** The field's embed entry: escaped, never empty, inline for one-line answers. */
function embedField(field: FormField, value: string): EmbedField {
  return {
    name: field.label,
    value: discordText(shownValue(field, value)),
    inline: field.type !== 'paragraph',
  };
}

/** The image shown beside the order (the default form's Image URL), when the order has one. */
function thumbnail(order: Order) {
  const url = order.fields.product_image_url;
  // Discord refuses a malformed URL or one over 2,048 characters, and with it the whole post.
  return url && isHttpUrl(url) && url.length <= 2048 ? { thumbnail: { url } } : {};
}

/**
 * The order summary embed the customer sees; `orderId` is the bot's own reference. Private fields
 * (paragraphs and email addresses unless the form says otherwise: see `FormField.private`) are left
 * out when `showPrivate` is false (a public summary).
 */
export function summaryEmbed(
  t: Translator,
  form: OrderForm,
  order: Order,
  showPrivate: boolean,
  orderId: number,
  referenceFormat: string,
): APIEmbed {
  const own = ownReference(orderId, referenceFormat);
  if (form.isDefault) return defaultSummary(t, order, showPrivate, own);
  const fields = form.fields
    .filter((field) => showPrivate || !field.private)
    .map((field) => embedField(field, order.fields[field.key] ?? ''));
  const number = order.fields.order_number;
  const description = number
    ? t('summary_order', { number: discordText(number, 200), reference: own })
    : t('summary_reference', { reference: own });
  const title = t('summary_title');
  return {
    title,
    description,
    color: BRAND_COLOR,
    fields: fitEmbed(`${title}${description}`, fields),
    ...thumbnail(order),
  };
}

/** The shipped form's summary, as it always looked. */
function defaultSummary(t: Translator, order: Order, showAddress: boolean, own: string): APIEmbed {
  const value = (key: string) => order.fields[key] ?? '';
  const field = (name: MessageKey, text: string, inline = true) => ({
    name: t(name),
    value: discordText(text),
    inline,
  });
  const fields = [
    field('summary_product', value('product_name'), false),
    field('summary_total', formatAmount(t, value('purchase_price'))),
    field(
      'summary_arrival',
      t('summary_arrival_range', {
        start: formatDate(t, value('estimated_arrival_start_date')),
        end: formatDate(t, value('estimated_arrival_end_date')),
      }),
    ),
    field('summary_style', value('style_id')),
    field('summary_size', value('product_size')),
    field('summary_color', value('color')),
    field('summary_condition', value('product_condition')),
  ];
  if (showAddress) fields.push(field('summary_shipping', value('shipping_address'), false));
  return {
    title: t('summary_title'),
    description: t('summary_order', { number: discordText(value('order_number'), 200), reference: own }),
    color: BRAND_COLOR,
    fields,
    ...thumbnail(order),
  };
}

/** Where the order stands, for the staff post: its status and the latest change. */
export interface StaffPostState {
  status: LifecycleStatus;
  /** Who made the latest change (a Discord user ID, or `cli`), and when. */
  by?: string | undefined;
  at?: number | undefined;
  trackingNumber?: string | null | undefined;
  trackingUrl?: string | null | undefined;
  reason?: string | null | undefined;
  /** The customer's language (stored with the order): shown when it is not the staff's. */
  language?: string | null | undefined;
}

/** The staff post's status line: `**Shipped** · by @someone · <time>`. */
function staffStatusLine(t: Translator, state: StaffPostState | undefined): string {
  const name = `**${statusName(t, state?.status ?? 'received')}**`;
  if (!state?.by || state.at === undefined) return name;
  const who =
    state.by === 'cli'
      ? t('staff_by_cli')
      : /^\d{1,20}$/.test(state.by)
        ? `<@${state.by}>`
        : t('staff_by_someone');
  return t('staff_changed_by', { status: name, who, time: `<t:${Math.floor(state.at / 1000)}:f>` });
}

/**
 * The message posted to the shop's staff channel: every field of the order's form (a `notes` field
 * as the description), the email address and the bot's reference.
 */
export function staffMessage(
  t: Translator,
  form: OrderForm,
  order: Order,
  userId: string,
  orderId: number,
  createdAt: number,
  referenceFormat: string,
  emailNote?: string,
  state?: StaffPostState,
) {
  const fields = form.fields
    .filter((field) => field.key !== 'notes')
    .map((field) => embedField(field, order.fields[field.key] ?? ''));
  // Fields of an older form than the one in force (a delivery retried across a form change).
  for (const [key, value] of Object.entries(order.fields)) {
    if (key !== 'notes' && !form.fields.some((field) => field.key === key)) {
      fields.push({ name: key, value: discordText(value), inline: true });
    }
  }
  fields.push({ name: t('staff_email'), value: discordText(order.email), inline: false });
  // The staff answer the customer in their language: it is named when it is not the staff's own.
  if (isLanguage(state?.language) && state.language !== t.language) {
    fields.push({ name: t('staff_language_note'), value: LANGUAGE_NAMES[state.language], inline: true });
  }
  const status = state?.status ?? 'received';
  fields.unshift({ name: t('staff_status'), value: staffStatusLine(t, state), inline: false });
  if (status === 'shipped' && (state?.trackingNumber || state?.trackingUrl)) {
    const tracking = [
      state.trackingNumber ? discordText(state.trackingNumber, 100) : '',
      state.trackingUrl ? discordText(state.trackingUrl, 500) : '',
    ].filter(Boolean);
    fields.splice(1, 0, { name: t('staff_tracking'), value: tracking.join('\n'), inline: false });
  }
  if (status === 'cancelled' && state?.reason) {
    fields.splice(1, 0, {
      name: t('staff_reason_field'),
      value: discordText(state.reason, 500),
      inline: false,
    });
  }
  if (emailNote) {
    fields.push({ name: t('staff_no_email'), value: discordText(emailNote), inline: false });
  }
  const own = ownReference(orderId, referenceFormat);
  const number = order.fields.order_number;
  const title = number
    ? t('staff_order_title', { number: discordText(number, 200), reference: own })
    : t('staff_order_title_own', { reference: own });
  const notes = order.fields.notes;
  const description = notes ? `${t('staff_notes')}\n${discordText(notes, 3000)}` : t('staff_no_notes');
  // Discord takes 25 fields an embed: a longer form continues in a second embed of the message.
  const fitted = fitEmbed(title + description, fields);
  const [first, ...more] = [fitted.slice(0, 25), ...(fitted.length > 25 ? [fitted.slice(25)] : [])];
  return {
    content: t('staff_new_order', { user: userId }),
    allowed_mentions: { parse: [] },
    components: staffButtons(t, orderId, status),
    embeds: [
      {
        title,
        description,
        color: BRAND_COLOR,
        fields: first ?? [],
        ...thumbnail(order),
        timestamp: new Date(createdAt).toISOString(),
      },
      ...more.map((rest): APIEmbed => ({ color: BRAND_COLOR, fields: rest })),
    ] as [APIEmbed, ...APIEmbed[]],
  };
}
