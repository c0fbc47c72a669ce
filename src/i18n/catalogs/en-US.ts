/**
 * @module i18n/catalogs/en-US
 * The source catalog: every text the bot shows a customer (and the staff texts that follow
 * `staff_language`), in English. Every other catalog translates these keys, with the same
 * `{placeholders}`; a message that depends on a count has a `one` and an `other` form (see
 * `i18n/plural.ts`). `npm test` fails when a catalog misses a key, a form or a placeholder.
 */

/** One message: a text, or a text per plural category of its `{count}`. */
export type Message = string | { readonly one: string; readonly other: string };

/** English (United States): the source. */
export const enUS = {
  // ---- Formatting -------------------------------------------------------------------------
  /** A calendar date (`{d}` day, `{dd}` two digits, `{mm}` month number, `{month}` its name, `{yyyy}`). */
  date_pattern: '{yyyy}-{mm}-{dd}',
  /** Month names, January to December, separated by `|`. */
  month_names: 'January|February|March|April|May|June|July|August|September|October|November|December',
  /** The decimal separator of amounts. */
  decimal_separator: '.',
  /** Joins the last two items of a list of alternatives. */
  list_or: ' or ',
  wait_seconds: '{s}s',
  wait_minutes: '{m}m {s}s',
  wait_hours: '{h}h {m}m',

  // ---- Starting a form ----------------------------------------------------------------------
  expired: '⌛ This order form expired. Run /order_form again.',
  invalid_email:
    '❌ Invalid email address provided. Please use a valid email format.\nExample: `/order_form email:name@example.com`',
  not_this_server: "🚫 This bot takes orders only in its shop's own Discord server.",
  unknown_user: '❌ I could not tell who you are. Please try again.',
  roles_required:
    "🚫 Ordering is open to members with the {roles} role. Ask the shop's staff if you think you should have it.",
  cooldown: '⏳ You just placed an order. You can start another in {wait}.',
  daily_limit: '⏳ You have reached the limit of {limit} orders in 24 hours. You can order again in {wait}.',
  forms_full: '⏳ The shop is very busy right now. Please try /order_form again in a few minutes.',
  forms_unavailable:
    '⏳ Order forms cannot be started for a moment. Please try /order_form again in a minute (nothing was sent).',
  orders_unavailable:
    '⏳ Orders are unavailable for a moment. Please try again in a minute (if you were filling in the form, press the button again then).',
  form_changed:
    '🔄 The shop has just changed its order form, so this one can no longer be completed. Run /order_form again to start the new form (nothing was sent).',
  step_not_saved: 'What you typed in this step could not be saved because the form had ended.',
  busy: '⏳ The bot is very busy right now. Please try again in a few seconds.',
  restarting: '⏳ The bot is restarting. Please try again in a minute.',
  apology: '❌ Sorry, something went wrong while handling that. Please try again in a moment.',
  unknown_command:
    "❓ I don't know the command /{command}. It may be out of date: ask an administrator to run sync-commands.",

  // ---- The steps ----------------------------------------------------------------------------
  step_complete: '✅ Step {step} of {steps} complete.',
  draft_replaced: '(Your earlier unfinished order form was discarded.)',
  button_cancel: 'Cancel',
  button_continue: 'Continue to Step {step}',
  button_continue_final: 'Continue to Final Step',
  button_fix: 'Fix Step {step}',
  button_submit_again: 'Submit again',
  problems_heading: '⚠️ Step {step} of {steps} needs a fix:',
  problem_line: '• **{label}** {message}.',
  problems_footer: 'Press **Fix Step {step}**: the form reopens with everything you typed.',
  placeholder_date: 'YYYY-MM-DD',
  placeholder_email: 'name@example.com',
  placeholder_url: 'https://',
  placeholder_price: '$0.00',

  // ---- Validation (after the field's label) ---------------------------------------------------
  invalid_required: 'is required',
  invalid_needs_choice: 'needs a choice',
  invalid_too_long: 'is too long: at most {max} characters',
  invalid_too_short: 'is too short: at least {min} characters',
  invalid_email_field: 'must be an email address such as name@example.com',
  invalid_url: 'must be a web address starting with http:// or https://',
  invalid_price: 'must be an amount such as $150.00, 150, €99,99 or 150 USD',
  invalid_date: 'must be a real date written YYYY-MM-DD, for example 2025-03-14',
  invalid_past: 'must not be in the past',
  invalid_whole: 'must be a whole number such as 3',
  invalid_number: 'must be a number such as 3 or 2.5',
  invalid_between: 'must be from {min} to {max}',
  invalid_at_least: 'must be {min} or more',
  invalid_at_most: 'must be {max} or less',
  invalid_choice: 'is not one of the choices',
  invalid_choice_twice: 'names a choice twice',
  invalid_min_ticked: 'needs at least {min} ticked',
  invalid_max_ticked: 'takes at most {max} ticked',
  invalid_before: 'must not be before {label}',

  // ---- Completing the order -------------------------------------------------------------------
  already_received:
    '✅ This order was already received: here it is again. Nothing more to do; the confirmation is on its way.',
  save_failed:
    '❌ Your order could not be saved just now, so nothing was sent. Press **Submit again** in a moment: everything you typed is kept.',
  cancelled: '🗑️ Order cancelled. Nothing was sent. Run /order_form whenever you want to start again.',
  email_off:
    '✅ Your order was received and the shop has it. (Confirmation emails are switched off; the shop will contact you if needed.)',
  email_refused:
    '✅ Your order was received and the shop has it. No confirmation email was sent: {reason}. The shop will contact you if needed.',
  email_sending: '📧 Sending your confirmation to {to}…',
  received_fallback: '✅ Order received (reference #{id}). {status}',
  email_sent: '📧 Confirmation sent to {to}',
  email_address_refused:
    '✅ Your order was received and the shop has it, but the mail server refused the address {to}, so no confirmation email was sent.',
  email_not_sent:
    '✅ Your order was received and the shop has it, but the confirmation email to {to} could not be sent. The shop will contact you if needed.',
  cap_recipient_daily: {
    one: 'this address has already been sent {count} confirmation today',
    other: 'this address has already been sent {count} confirmations today',
  },
  cap_user_daily: {
    one: 'you have already been sent {count} confirmation today',
    other: 'you have already been sent {count} confirmations today',
  },
  cap_server_hourly: 'this server has reached its limit of {count} confirmation emails an hour',
  cap_mail_hourly: 'the shop has reached its limit of {count} confirmation emails an hour',

  // ---- The summary --------------------------------------------------------------------------
  summary_title: '📦 Order Submitted!',
  summary_order: 'Order **{number}** · reference {reference}',
  summary_reference: 'Reference **{reference}**',
  summary_product: '📦 Product',
  summary_total: '💰 Total Paid',
  summary_arrival: '📅 Estimated Arrival',
  summary_arrival_range: '{start} to {end}',
  summary_style: '👗 Style ID',
  summary_size: '📏 Size',
  summary_color: '🎨 Color',
  summary_condition: '🧼 Condition',
  summary_shipping: '📦 Shipping To',

  // ---- After the order: statuses, notifications, /my_orders -----------------------------------
  status_received: 'Received',
  status_accepted: 'Accepted',
  status_shipped: 'Shipped',
  status_delivered: 'Delivered',
  status_cancelled: 'Cancelled',
  dm_accepted: "✅ **{shop}** accepted your order {reference}. We'll tell you when it ships.",
  dm_shipped: '📦 Your order {reference} from **{shop}** has shipped.',
  dm_tracking_number: 'Tracking number: {number}',
  dm_track_it: 'Track it: <{url}>',
  dm_delivered: '🎉 Your order {reference} from **{shop}** is marked as delivered. Enjoy!',
  dm_cancelled: '🚫 Your order {reference} at **{shop}** was cancelled.',
  dm_reason: 'Reason: {reason}',
  dm_other: 'ℹ️ Your order {reference} at **{shop}** is now {status}.',
  no_orders: "📭 You haven't placed any orders here yet. Run /order_form to place one.",
  my_orders_heading: {
    one: '🧾 Your order (newest first):',
    other: '🧾 Your latest {count} orders (newest first):',
  },
  my_orders_track_link: '[track it](<{url}>)',
  my_orders_tracking: 'tracking {number}',
  my_orders_cancel_button: 'Cancel {reference}',
  confirm_cancel: '❓ Cancel your order {reference}? The shop is told at once, and this cannot be undone.',
  confirm_cancel_yes: 'Yes, cancel it',
  confirm_cancel_keep: 'Keep it',
  cancelled_by_customer: '🗑️ Your order {reference} is cancelled. The shop has been told.',
  kept: '👍 Your order is unchanged.',
  order_missing: '❌ That order cannot be found.',
  cannot_cancel:
    '❌ This order is already {status}, so it can no longer be cancelled here. Please contact the shop.',
  customer_cancel_reason: 'Cancelled by the customer',

  // ---- Staff (in `staff_language`) ------------------------------------------------------------
  staff_accept: 'Accept',
  staff_ship: 'Mark shipped',
  staff_deliver: 'Mark delivered',
  staff_cancel: 'Cancel order',
  staff_ship_title: 'Ship order {reference}',
  staff_cancel_title: 'Cancel order {reference}',
  staff_tracking_number: 'Tracking number',
  staff_tracking_url: 'Tracking link',
  staff_reason: 'Reason (the customer reads it)',
  staff_new_order: '🛒 New order from <@{user}>',
  staff_status: 'Status',
  staff_tracking: 'Tracking',
  staff_reason_field: 'Reason',
  staff_email: 'Email',
  staff_no_email: '⚠️ No confirmation email sent',
  staff_order_title: 'Order {number} ({reference})',
  staff_order_title_own: 'Order {reference}',
  staff_notes: '**Notes:**',
  staff_no_notes: 'No notes.',
  staff_changed_by: '{status} · by {who} · {time}',
  staff_by_cli: 'the owner (CLI)',
  staff_by_someone: 'someone',
  staff_language_note: 'Customer language',
  not_staff:
    "🚫 Only the shop's staff can change orders (members with Manage Server or a staff role). Nothing was changed.",
  order_not_found: '❌ That order cannot be found (it may have been removed). Nothing was changed.',
  already_changed: '⚠️ Already done: this order is now **{status}**. Nothing else was changed.',
  already_changed_by: '⚠️ Already done: this order is now **{status}** by {who}. Nothing else was changed.',
  changed:
    '✅ Order {reference} is now **{status}**. The customer is being told, and the post will show it in a moment.',
  bad_tracking_url:
    '⚠️ The tracking link must be a web address starting with http:// or https://. Nothing was changed: press **Fix the tracking link**, the form reopens with what you typed.',
  staff_fix_tracking_url: 'Fix the tracking link',
  reason_required:
    '⚠️ A reason is needed to cancel an order (the customer reads it). Nothing was changed: press **Cancel order** again.',

  // ---- Diagnostics (in `staff_language`) -------------------------------------------------------
  thousands_separator: ',',
  diag_title: '**🔧 Bot Diagnostics**',
  diag_foreign: "🚫 /run_diagnostics works only in the shop's own Discord server.",
  diag_denied: '🚫 Access denied: /run_diagnostics needs the Manage Server permission.',
  diag_version: '**Version:** {version}',
  diag_gateway_off:
    '**Gateway:** none on this process (DISCORD_GATEWAY=off: an HTTP interactions replica); ping, servers, users and shards are known to the gateway process only',
  diag_ping: '**Ping:** {ping}',
  diag_ping_unmeasured: 'not measured yet',
  diag_uptime: '**Uptime:** {uptime}',
  diag_servers: '**Servers:** {count}',
  diag_users: '**Users (approximate):** {count}',
  diag_shards: '**Shards:** {ready}/{total} ready',
  diag_memory: '**Memory:** RSS {rss}, heap {used} of {total}',
  diag_sessions: '**Active order sessions:** {count}',
  diag_orders: '**Orders:** {orders}',
  diag_orders_counts: '{today} today, {total} total',
  diag_db_unreadable: '⚠️ the database cannot be read ({error})',
  diag_outbox: '**Outbox:** {pending} pending{oldest}, {failed} failed{hint}{paused}',
  diag_oldest: ', oldest waiting {wait}',
  diag_failed_hint: ' (see `npm run orders -- list --status failed`)',
  diag_paused: ' ⚠️ paused: outcomes cannot be written (disk full?)',
  diag_emails: '**Emails since start:** {sent} sent, {failed} failed, {retried} retried',
  diag_notifications:
    '**Notifications since start:** emails {emails_sent} sent, {emails_failed} failed; DMs {dms_sent} sent, {dms_refused} refused, {dms_failed} failed; webhooks {hooks_sent} sent, {hooks_failed} failed',
  diag_smtp: '**SMTP:** {smtp}',
  diag_smtp_ok: '✅ connected',
  diag_smtp_unchecked: '⏳ not checked yet',
  diag_smtp_down: '⚠️ {problem}; orders are still taken',
  diag_smtp_disabled: '⚠️ email is switched off (SENDER_EMAIL is not set)',
  smtp_auth: 'login refused (check SENDER_EMAIL and SENDER_PASSWORD)',
  smtp_tls: 'TLS problem (check smtp_port and smtp_security)',
  smtp_config: 'mail settings are invalid (check config.json)',
  smtp_unreachable: 'cannot reach the mail server',
  smtp_server_busy: 'the mail server is busy; retrying',
  smtp_recipient_rejected: 'a recipient was refused',
  smtp_message_rejected: 'a message was refused',
  smtp_disabled: 'email is switched off',
  smtp_unknown: 'unavailable',

  // ---- Emails (the plain-text part when a template has none) ---------------------------------
  mail_confirmation_title: '{shop}: order confirmation',
  mail_confirmation_title_ref: '{shop}: order confirmation {reference}',
  mail_thanks: 'Thank you for your order. Here is what we received:',
  mail_questions_number: 'Questions? Reply to this email and quote your order number.',
  mail_questions_reference: 'Questions? Reply to this email and quote your order reference.',
  mail_why: "You received this because someone entered this address in {shop}'s Discord order form.",
  mail_not_you: "If that wasn't you, ignore this email or reply to tell us.",
  mail_status_title: '{shop}: order {reference} is {status}',
  mail_tracking_number: 'Tracking number: {number}',
  mail_track_it: 'Track it: {url}',
  mail_reason: 'Reason: {reason}',

  // ---- Commands (Discord shows them in the user's language) -----------------------------------
  command_ping_name: 'ping',
  command_ping_description: 'Check that the bot is online and see its gateway latency.',
  command_diagnostics_name: 'run_diagnostics',
  command_diagnostics_description: "Check bot's status and diagnostic information.",
  command_order_form_name: 'order_form',
  command_order_form_description: 'Open an order submission form.',
  command_email_name: 'email',
  command_email_description: 'Where to send your order confirmation',
  command_my_orders_name: 'my_orders',
  command_my_orders_description: 'See your orders here and where each one stands.',
} as const satisfies Readonly<Record<string, Message>>;

/** A message's key. */
export type MessageKey = keyof typeof enUS;

/** A translation: every key of the source (a missing one falls back to English; `npm test` fails on it). */
export type Catalog = { readonly [K in MessageKey]?: (typeof enUS)[K] extends string ? string : Message };
