/**
 * @module order/ui
 * Discord payloads of the order form: the modals (Label components wrapping text inputs, the
 * structure Discord documents today), the step buttons, the summary and the staff message.
 * User text shown in Discord is markdown-escaped and never pings anyone.
 */
import {
  type APIActionRowComponent,
  type APIButtonComponent,
  type APIEmbed,
  type APIModalInteractionResponseCallbackData,
  type APIModalSubmission,
  ButtonStyle,
  ComponentType,
  TextInputStyle,
} from 'discord-api-types/v10';
import { customId } from '../router/router.ts';
import { ALL_FIELDS, type Order, STEPS, type StepNumber, type StepValues } from './fields.ts';
import type { FieldProblem } from './validate.ts';

/** custom_id prefixes of the order form (the format: prefix, then `:`-separated arguments). */
export const OrderIds = {
  /** A modal: `order_modal:<step>:<nonce>`. */
  Modal: 'order_modal',
  /** Opens a step's modal (continue or fix): `order_open:<step>:<nonce>`. */
  Open: 'order_open',
  /** Cancels the draft: `order_cancel:<nonce>`. */
  Cancel: 'order_cancel',
} as const;

/** Embed colour of the summary and the staff message. */
const BRAND_COLOR = 0x2f855a;

/** Builds the modal for `step`, prefilled with `values` when given. */
export function buildModal(
  step: StepNumber,
  nonce: string,
  values: StepValues = {},
): APIModalInteractionResponseCallbackData {
  const { title, fields } = STEPS[step];
  return {
    custom_id: customId(OrderIds.Modal, step, nonce),
    title,
    components: fields.map((spec) => {
      const value = values[spec.key]?.slice(0, spec.maxLength);
      return {
        type: ComponentType.Label,
        label: spec.label,
        component: {
          type: ComponentType.TextInput,
          custom_id: spec.key,
          style: spec.style === 'paragraph' ? TextInputStyle.Paragraph : TextInputStyle.Short,
          placeholder: spec.placeholder,
          max_length: spec.maxLength,
          required: spec.required,
          ...(value ? { value } : {}),
        },
      };
    }),
  };
}

/** Reads the text inputs of a submitted modal by custom_id (Label and legacy action-row layouts). */
export function readModalValues(data: APIModalSubmission): StepValues {
  const values: Partial<Record<string, string>> = {};
  for (const component of data.components) {
    if (component.type === ComponentType.Label) {
      const inner = component.component;
      if (inner.type === ComponentType.TextInput) values[inner.custom_id] = inner.value;
    } else if (component.type === ComponentType.ActionRow) {
      for (const inner of component.components) values[inner.custom_id] = inner.value;
    }
  }
  const known: StepValues = {};
  for (const spec of ALL_FIELDS) {
    const value = values[spec.key];
    if (typeof value === 'string') known[spec.key] = value;
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
  openStep: StepNumber,
  nonce: string,
  label: string,
  style: ActionStyle = ButtonStyle.Primary,
): APIActionRowComponent<APIButtonComponent>[] {
  return [
    {
      type: ComponentType.ActionRow,
      components: [
        button(customId(OrderIds.Open, openStep, nonce), label, style),
        button(customId(OrderIds.Cancel, nonce), 'Cancel', ButtonStyle.Secondary),
      ],
    },
  ];
}

/** Label of the button that opens the next step. */
export function continueLabel(next: StepNumber): string {
  return next === 3 ? 'Continue to Final Step' : `Continue to Step ${next}`;
}

/** The ephemeral message listing a step's problems, one line per field. */
export function problemsMessage(step: StepNumber, problems: readonly FieldProblem[]): string {
  const lines = problems.map((p) => `• **${p.label}** ${p.message}.`);
  return [
    `⚠️ Step ${step} of 3 needs a fix:`,
    ...lines,
    '',
    `Press **Fix Step ${step}**: the form reopens with everything you typed.`,
  ].join('\n');
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

/** The order summary embed the customer sees; `orderId` is the bot's own reference. */
export function summaryEmbed(order: Order, showAddress: boolean, orderId: number): APIEmbed {
  const field = (name: string, value: string, inline = true) => ({ name, value: discordText(value), inline });
  const fields = [
    field('📦 Product', order.product_name, false),
    field('💰 Total Paid', order.purchase_price),
    field(
      '📅 Estimated Arrival',
      `${order.estimated_arrival_start_date} to ${order.estimated_arrival_end_date}`,
    ),
    field('👗 Style ID', order.style_id),
    field('📏 Size', order.product_size),
    field('🎨 Color', order.color),
    field('🧼 Condition', order.product_condition),
  ];
  if (showAddress) fields.push(field('📦 Shipping To', order.shipping_address, false));
  return {
    title: '📦 Order Submitted!',
    description: `Order **${discordText(order.order_number, 200)}** · reference #${orderId}`,
    color: BRAND_COLOR,
    fields,
    ...(order.product_image_url ? { thumbnail: { url: order.product_image_url } } : {}),
  };
}

/** The message posted to the shop's staff channel: every field, the email address and the bot's order ID. */
export function staffMessage(
  order: Order,
  userId: string,
  orderId: number,
  createdAt: number,
  emailNote?: string,
) {
  const fields = ALL_FIELDS.filter((spec) => spec.key !== 'notes').map((spec) => ({
    name: spec.label,
    value: discordText(order[spec.key]),
    inline: spec.style === 'short',
  }));
  fields.push({ name: 'Email', value: discordText(order.email), inline: false });
  if (emailNote) {
    fields.push({ name: '⚠️ No confirmation email sent', value: discordText(emailNote), inline: false });
  }
  return {
    content: `🛒 New order from <@${userId}>`,
    allowed_mentions: { parse: [] },
    embeds: [
      {
        title: `Order ${discordText(order.order_number, 200)} (#${orderId})`,
        description: order.notes ? `**Notes:**\n${discordText(order.notes, 3000)}` : 'No notes.',
        color: BRAND_COLOR,
        fields,
        ...(order.product_image_url ? { thumbnail: { url: order.product_image_url } } : {}),
        timestamp: new Date(createdAt).toISOString(),
      },
    ],
  };
}
