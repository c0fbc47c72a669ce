/**
 * @module test/support/customer
 * A scripted customer clicking through the order form on the fake Discord, as a person would:
 * slash command, modal, "Continue" button, modal, and so on. Shared by tests, demo and bench.
 */
import type { FakeDiscord, FakeUser, InteractionRecord } from './fake-discord.ts';

type Json = Record<string, unknown>;

/** Values for the three steps, by text input custom_id. */
export interface StepInputs {
  1: Record<string, string>;
  2: Record<string, string>;
  3: Record<string, string>;
}

/** Valid inputs for every step. */
export function validInputs(n = 1): StepInputs {
  return {
    1: {
      order_number: `ORD-${String(n).padStart(5, '0')}`,
      estimated_arrival_start_date: '2025-03-10',
      estimated_arrival_end_date: '2025-03-14',
      product_image_url: `https://cdn.example.com/products/${n}.jpg`,
      product_name: `Runner ${n}`,
    },
    2: {
      style_id: `STY-${n}`,
      product_size: '10',
      product_condition: 'New',
      purchase_price: '$150.00',
      color: 'Black',
    },
    3: { shipping_address: `${n} Main St\nSpringfield, IL 62701`, notes: `Customer ${n} notes` },
  };
}

/** The message a callback created or updated (with its components), for clicking. */
export function messageOf(entry: InteractionRecord): Json {
  if (!entry.original) throw new Error('the bot has not answered with a message');
  return entry.original;
}

/** Finds a button on a message by (part of) its label. */
export function findButton(message: Json, label: string | RegExp): Json {
  for (const row of (message.components as Json[] | undefined) ?? []) {
    for (const button of (row.components as Json[] | undefined) ?? []) {
      const text = String(button.label);
      if (typeof label === 'string' ? text.includes(label) : label.test(text)) return button;
    }
  }
  throw new Error(`no button ${String(label)} on message: ${JSON.stringify(message).slice(0, 400)}`);
}

/**
 * Makes a new user each call, with ids counting up from `first` (each suite takes its own range,
 * so suites sharing a fake never collide) and names `prefix` + the id's last digits.
 */
export function userMaker(first: bigint, prefix: string): (over?: Partial<FakeUser>) => FakeUser {
  let next = first;
  return (over = {}) => {
    next++;
    return { id: String(next), username: `${prefix}${next % 100_000n}`, ...over };
  };
}

/** A customer on the fake Discord, in `guildId` (default: the fake's first guild). */
export function customer(discord: FakeDiscord, user: FakeUser, guildId?: string) {
  let lastMessage: Json | undefined;
  const answered = async (entry: InteractionRecord, timeoutMs = 5000) => {
    const callback = await discord.waitForCallback(entry, timeoutMs);
    if (callback.type === 4 || callback.type === 7) lastMessage = entry.original;
    return { entry, callback };
  };

  return {
    user,
    get lastMessage() {
      return lastMessage;
    },
    /** Runs a slash command and returns its first answer. */
    command: (name: string, options: Record<string, string> = {}) =>
      answered(discord.command(user, name, options, guildId)),
    /**
     * Fills a modal the bot opened (a choice as its value, ticked checkboxes as a list); `fromMessage`
     * when it was opened from a button.
     */
    submit: (modal: Json, values: Record<string, string | readonly string[]>, fromMessage?: Json) =>
      answered(discord.submitModal(user, modal, values, fromMessage, guildId)),
    /** Presses the button with `label` on `message` (default: the bot's last message to this customer). */
    click: (label: string | RegExp, message: Json | undefined = lastMessage) => {
      if (!message) throw new Error('no message to click on');
      return answered(discord.click(user, message, String(findButton(message, label).custom_id), guildId));
    },
    /** Resolves when the bot edits the answer to `entry` so that its content matches `pattern`. */
    waitForEdit: (entry: InteractionRecord, pattern: RegExp, timeoutMs = 10_000) =>
      discord.waitFor(
        () =>
          entry.edits.find((edit) => pattern.test(String(edit.content))) ??
          entry.followUps.find((m) => pattern.test(String(m.content))),
        timeoutMs,
        `an edit matching ${pattern}`,
      ),
  };
}

/** What one completed order produced. */
export interface CompletedOrder {
  final: InteractionRecord;
  /** Round trip per interaction, measured at the fake (sent to callback), ms. */
  roundTrips: number[];
}

/**
 * Walks the whole form (every step, in order) with valid inputs and returns the final submit's
 * record; in `guildId` when given (default: the fake's first guild).
 */
export async function completeOrder(
  discord: FakeDiscord,
  user: FakeUser,
  email: string,
  inputs: StepInputs | readonly Record<string, string | readonly string[]>[] = validInputs(),
  guildId?: string,
): Promise<CompletedOrder> {
  const steps = Array.isArray(inputs) ? inputs : [inputs[1], inputs[2], inputs[3]];
  const c = customer(discord, user, guildId);
  const roundTrips: number[] = [];
  const step = async <T extends { entry: InteractionRecord; callback: { at: number } }>(p: Promise<T>) => {
    const result = await p;
    roundTrips.push(result.callback.at - result.entry.sentAt);
    return result;
  };
  const opened = await step(c.command('order_form', { email }));
  if (opened.callback.type !== 9)
    throw new Error(`expected a modal, got ${JSON.stringify(opened.callback).slice(0, 300)}`);
  let last = await step(c.submit(opened.callback.data as Json, steps[0]!));
  for (let index = 1; index < steps.length; index++) {
    const from = messageOf(last.entry);
    const label = index === steps.length - 1 ? 'Continue to Final Step' : `Continue to Step ${index + 1}`;
    const open = await step(c.click(label, from));
    last = await step(c.submit(open.callback.data as Json, steps[index]!, from));
  }
  return { final: last.entry, roundTrips };
}
