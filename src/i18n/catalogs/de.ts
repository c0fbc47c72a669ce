/**
 * @module i18n/catalogs/de
 * German: every key of the source catalog (`en-US.ts`), with the same placeholders.
 */
import type { Catalog } from './en-US.ts';

/** Deutsch. */
export const de: Catalog = {
  date_pattern: '{d}. {month} {yyyy}',
  month_names: 'Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember',
  decimal_separator: ',',
  list_or: ' oder ',
  wait_seconds: '{s} s',
  wait_minutes: '{m} min {s} s',
  wait_hours: '{h} Std. {m} min',

  expired: '⌛ Dieses Bestellformular ist abgelaufen. Starte /order_form erneut.',
  invalid_email:
    '❌ Ungültige E-Mail-Adresse. Bitte gib eine gültige Adresse an.\nBeispiel: `/order_form email:name@example.com`',
  not_this_server: '🚫 Dieser Bot nimmt Bestellungen nur auf dem Discord-Server des Shops an.',
  unknown_user: '❌ Ich konnte nicht erkennen, wer du bist. Bitte versuche es erneut.',
  roles_required:
    '🚫 Bestellen können Mitglieder mit der Rolle {roles}. Frag das Shop-Team, wenn du meinst, dass du sie haben solltest.',
  cooldown: '⏳ Du hast gerade bestellt. Eine neue Bestellung kannst du in {wait} beginnen.',
  daily_limit:
    '⏳ Du hast das Limit von {limit} Bestellungen in 24 Stunden erreicht. Du kannst in {wait} wieder bestellen.',
  forms_full: '⏳ Im Shop ist gerade sehr viel los. Bitte versuche /order_form in ein paar Minuten erneut.',
  forms_unavailable:
    '⏳ Bestellformulare können gerade nicht gestartet werden. Bitte versuche /order_form in einer Minute erneut (es wurde nichts gesendet).',
  orders_unavailable:
    '⏳ Bestellungen sind kurz nicht möglich. Bitte versuche es in einer Minute erneut (wenn du gerade das Formular ausfüllst, drücke dann den Knopf noch einmal).',
  form_changed:
    '🔄 Der Shop hat sein Bestellformular gerade geändert, daher kann dieses nicht mehr abgeschlossen werden. Starte /order_form erneut für das neue Formular (es wurde nichts gesendet).',
  step_not_saved:
    'Was du in diesem Schritt eingegeben hast, konnte nicht gespeichert werden, weil das Formular beendet war.',
  busy: '⏳ Der Bot ist gerade sehr beschäftigt. Bitte versuche es in ein paar Sekunden erneut.',
  restarting: '⏳ Der Bot startet neu. Bitte versuche es in einer Minute erneut.',
  apology: '❌ Entschuldigung, dabei ist etwas schiefgelaufen. Bitte versuche es gleich noch einmal.',
  unknown_command:
    '❓ Den Befehl /{command} kenne ich nicht. Er ist vielleicht veraltet: Bitte eine Administratorin oder einen Administrator, sync-commands auszuführen.',

  step_complete: '✅ Schritt {step} von {steps} abgeschlossen.',
  draft_replaced: '(Dein früheres, nicht abgeschlossenes Bestellformular wurde verworfen.)',
  button_cancel: 'Abbrechen',
  button_continue: 'Weiter zu Schritt {step}',
  button_continue_final: 'Weiter zum letzten Schritt',
  button_fix: 'Schritt {step} korrigieren',
  button_submit_again: 'Erneut absenden',
  problems_heading: '⚠️ Schritt {step} von {steps} muss korrigiert werden:',
  problem_line: '• **{label}** {message}.',
  problems_footer:
    'Drücke **Schritt {step} korrigieren**: Das Formular öffnet sich wieder mit allem, was du eingegeben hast.',
  placeholder_date: 'JJJJ-MM-TT',
  placeholder_email: 'name@example.com',
  placeholder_url: 'https://',
  placeholder_price: '0,00 €',

  invalid_required: 'ist ein Pflichtfeld',
  invalid_needs_choice: 'braucht eine Auswahl',
  invalid_too_long: 'ist zu lang: höchstens {max} Zeichen',
  invalid_too_short: 'ist zu kurz: mindestens {min} Zeichen',
  invalid_email_field: 'muss eine E-Mail-Adresse sein, zum Beispiel name@example.com',
  invalid_url: 'muss eine Webadresse sein, die mit http:// oder https:// beginnt',
  invalid_price: 'muss ein Betrag sein, zum Beispiel 150,00 €, 150, $99.99 oder 150 EUR',
  invalid_date: 'muss ein echtes Datum im Format JJJJ-MM-TT sein, zum Beispiel 2025-03-14',
  invalid_past: 'darf nicht in der Vergangenheit liegen',
  invalid_whole: 'muss eine ganze Zahl sein, zum Beispiel 3',
  invalid_number: 'muss eine Zahl sein, zum Beispiel 3 oder 2,5',
  invalid_between: 'muss zwischen {min} und {max} liegen',
  invalid_at_least: 'muss {min} oder mehr sein',
  invalid_at_most: 'muss {max} oder weniger sein',
  invalid_choice: 'ist keine der Auswahlmöglichkeiten',
  invalid_choice_twice: 'nennt eine Auswahl doppelt',
  invalid_min_ticked: 'braucht mindestens {min} Häkchen',
  invalid_max_ticked: 'erlaubt höchstens {max} Häkchen',
  invalid_before: 'darf nicht vor {label} liegen',

  already_received:
    '✅ Diese Bestellung ist bereits eingegangen, hier ist sie noch einmal. Du musst nichts weiter tun; die Bestätigung ist unterwegs.',
  save_failed:
    '❌ Deine Bestellung konnte gerade nicht gespeichert werden, es wurde also nichts gesendet. Drücke gleich **Erneut absenden**: Alles, was du eingegeben hast, bleibt erhalten.',
  cancelled:
    '🗑️ Bestellung abgebrochen. Es wurde nichts gesendet. Starte /order_form, wann immer du neu beginnen möchtest.',
  email_off:
    '✅ Deine Bestellung ist eingegangen und liegt dem Shop vor. (Bestätigungs-E-Mails sind ausgeschaltet; der Shop meldet sich bei Bedarf bei dir.)',
  email_refused:
    '✅ Deine Bestellung ist eingegangen und liegt dem Shop vor. Es wurde keine Bestätigungs-E-Mail gesendet: {reason}. Der Shop meldet sich bei Bedarf bei dir.',
  email_sending: '📧 Deine Bestätigung wird an {to} gesendet…',
  received_fallback: '✅ Bestellung eingegangen (Referenz #{id}). {status}',
  email_sent: '📧 Bestätigung an {to} gesendet',
  email_address_refused:
    '✅ Deine Bestellung ist eingegangen und liegt dem Shop vor, aber der Mailserver hat die Adresse {to} abgelehnt, daher wurde keine Bestätigungs-E-Mail gesendet.',
  email_not_sent:
    '✅ Deine Bestellung ist eingegangen und liegt dem Shop vor, aber die Bestätigungs-E-Mail an {to} konnte nicht gesendet werden. Der Shop meldet sich bei Bedarf bei dir.',
  cap_recipient_daily: {
    one: 'an diese Adresse wurde heute schon {count} Bestätigung gesendet',
    other: 'an diese Adresse wurden heute schon {count} Bestätigungen gesendet',
  },
  cap_user_daily: {
    one: 'dir wurde heute schon {count} Bestätigung gesendet',
    other: 'dir wurden heute schon {count} Bestätigungen gesendet',
  },
  cap_server_hourly: 'dieser Server hat sein Limit von {count} Bestätigungs-E-Mails pro Stunde erreicht',
  cap_mail_hourly: 'der Shop hat sein Limit von {count} Bestätigungs-E-Mails pro Stunde erreicht',

  summary_title: '📦 Bestellung übermittelt!',
  summary_order: 'Bestellung **{number}** · Referenz {reference}',
  summary_reference: 'Referenz **{reference}**',
  summary_product: '📦 Produkt',
  summary_total: '💰 Bezahlt',
  summary_arrival: '📅 Voraussichtliche Ankunft',
  summary_arrival_range: '{start} bis {end}',
  summary_style: '👗 Artikelnummer',
  summary_size: '📏 Größe',
  summary_color: '🎨 Farbe',
  summary_condition: '🧼 Zustand',
  summary_shipping: '📦 Lieferadresse',

  status_received: 'Eingegangen',
  status_accepted: 'Angenommen',
  status_shipped: 'Versandt',
  status_delivered: 'Zugestellt',
  status_cancelled: 'Storniert',
  dm_accepted:
    '✅ **{shop}** hat deine Bestellung {reference} angenommen. Wir sagen dir Bescheid, wenn sie versandt wird.',
  dm_shipped: '📦 Deine Bestellung {reference} bei **{shop}** wurde versandt.',
  dm_tracking_number: 'Sendungsnummer: {number}',
  dm_track_it: 'Sendung verfolgen: <{url}>',
  dm_delivered:
    '🎉 Deine Bestellung {reference} bei **{shop}** wurde als zugestellt markiert. Viel Freude damit!',
  dm_cancelled: '🚫 Deine Bestellung {reference} bei **{shop}** wurde storniert.',
  dm_reason: 'Grund: {reason}',
  dm_other: 'ℹ️ Deine Bestellung {reference} bei **{shop}** ist jetzt {status}.',
  no_orders: '📭 Du hast hier noch keine Bestellungen aufgegeben. Starte /order_form, um zu bestellen.',
  my_orders_heading: {
    one: '🧾 Deine Bestellung (neueste zuerst):',
    other: '🧾 Deine letzten {count} Bestellungen (neueste zuerst):',
  },
  my_orders_track_link: '[Sendung verfolgen](<{url}>)',
  my_orders_tracking: 'Sendungsnummer {number}',
  my_orders_cancel_button: '{reference} stornieren',
  confirm_cancel:
    '❓ Deine Bestellung {reference} stornieren? Der Shop erfährt es sofort, und das lässt sich nicht rückgängig machen.',
  confirm_cancel_yes: 'Ja, stornieren',
  confirm_cancel_keep: 'Behalten',
  cancelled_by_customer: '🗑️ Deine Bestellung {reference} ist storniert. Der Shop wurde informiert.',
  kept: '👍 Deine Bestellung bleibt unverändert.',
  order_missing: '❌ Diese Bestellung wurde nicht gefunden.',
  cannot_cancel:
    '❌ Diese Bestellung ist bereits {status} und kann hier nicht mehr storniert werden. Bitte wende dich an den Shop.',
  customer_cancel_reason: 'Von der Kundin oder dem Kunden storniert',

  staff_accept: 'Annehmen',
  staff_ship: 'Als versandt markieren',
  staff_deliver: 'Als zugestellt markieren',
  staff_cancel: 'Bestellung stornieren',
  staff_ship_title: 'Bestellung {reference} versenden',
  staff_cancel_title: 'Bestellung {reference} stornieren',
  staff_tracking_number: 'Sendungsnummer',
  staff_tracking_url: 'Link zur Sendungsverfolgung',
  staff_reason: 'Grund (die Kundschaft liest ihn)',
  staff_new_order: '🛒 Neue Bestellung von <@{user}>',
  staff_status: 'Status',
  staff_tracking: 'Sendungsverfolgung',
  staff_reason_field: 'Grund',
  staff_email: 'E-Mail',
  staff_no_email: '⚠️ Keine Bestätigungs-E-Mail gesendet',
  staff_order_title: 'Bestellung {number} ({reference})',
  staff_order_title_own: 'Bestellung {reference}',
  staff_notes: '**Anmerkungen:**',
  staff_no_notes: 'Keine Anmerkungen.',
  staff_changed_by: '{status} · von {who} · {time}',
  staff_by_cli: 'der Inhaberin oder dem Inhaber (CLI)',
  staff_by_someone: 'jemandem',
  staff_language_note: 'Sprache der Kundschaft',
  not_staff:
    '🚫 Nur das Shop-Team kann Bestellungen ändern (Mitglieder mit „Server verwalten“ oder einer Team-Rolle). Es wurde nichts geändert.',
  order_not_found:
    '❌ Diese Bestellung wurde nicht gefunden (sie wurde vielleicht entfernt). Es wurde nichts geändert.',
  already_changed: '⚠️ Schon erledigt: Diese Bestellung ist jetzt **{status}**. Sonst wurde nichts geändert.',
  already_changed_by:
    '⚠️ Schon erledigt: Diese Bestellung ist jetzt **{status}**, von {who}. Sonst wurde nichts geändert.',
  changed:
    '✅ Bestellung {reference} ist jetzt **{status}**. Die Kundschaft wird informiert, und der Beitrag zeigt es gleich an.',
  bad_tracking_url:
    '⚠️ Der Link zur Sendungsverfolgung muss mit http:// oder https:// beginnen. Es wurde nichts geändert: Drücke **Link korrigieren**, das Formular öffnet sich wieder mit dem, was du eingegeben hast.',
  staff_fix_tracking_url: 'Link korrigieren',
  reason_required:
    '⚠️ Zum Stornieren braucht es einen Grund (die Kundschaft liest ihn). Es wurde nichts geändert: Drücke erneut **Bestellung stornieren**.',

  thousands_separator: '.',
  diag_title: '**🔧 Bot-Diagnose**',
  diag_foreign: '🚫 /run_diagnostics funktioniert nur auf dem Discord-Server des Shops.',
  diag_denied: '🚫 Zugriff verweigert: /run_diagnostics braucht die Berechtigung „Server verwalten“.',
  diag_version: '**Version:** {version}',
  diag_gateway_off:
    '**Gateway:** keins in diesem Prozess (DISCORD_GATEWAY=off: ein Replikat für HTTP-Interaktionen); Ping, Server, Nutzer und Shards kennt nur der Gateway-Prozess',
  diag_ping: '**Ping:** {ping}',
  diag_ping_unmeasured: 'noch nicht gemessen',
  diag_uptime: '**Laufzeit:** {uptime}',
  diag_servers: '**Server:** {count}',
  diag_users: '**Nutzer (ungefähr):** {count}',
  diag_shards: '**Shards:** {ready}/{total} bereit',
  diag_memory: '**Speicher:** RSS {rss}, Heap {used} von {total}',
  diag_sessions: '**Offene Bestellformulare:** {count}',
  diag_orders: '**Bestellungen:** {orders}',
  diag_orders_counts: '{today} heute, {total} insgesamt',
  diag_db_unreadable: '⚠️ die Datenbank kann nicht gelesen werden ({error})',
  diag_outbox: '**Ausgang:** {pending} ausstehend{oldest}, {failed} fehlgeschlagen{hint}{paused}',
  diag_oldest: ', ältester wartet seit {wait}',
  diag_failed_hint: ' (siehe `npm run orders -- list --status failed`)',
  diag_paused: ' ⚠️ angehalten: Ergebnisse können nicht gespeichert werden (Festplatte voll?)',
  diag_emails: '**E-Mails seit dem Start:** {sent} gesendet, {failed} fehlgeschlagen, {retried} wiederholt',
  diag_notifications:
    '**Benachrichtigungen seit dem Start:** E-Mails {emails_sent} gesendet, {emails_failed} fehlgeschlagen; DMs {dms_sent} gesendet, {dms_refused} abgelehnt, {dms_failed} fehlgeschlagen; Webhooks {hooks_sent} gesendet, {hooks_failed} fehlgeschlagen',
  diag_smtp: '**SMTP:** {smtp}',
  diag_smtp_ok: '✅ verbunden',
  diag_smtp_unchecked: '⏳ noch nicht geprüft',
  diag_smtp_down: '⚠️ {problem}; Bestellungen werden weiter angenommen',
  diag_smtp_disabled: '⚠️ E-Mail ist ausgeschaltet (SENDER_EMAIL ist nicht gesetzt)',
  smtp_auth: 'Anmeldung abgelehnt (SENDER_EMAIL und SENDER_PASSWORD prüfen)',
  smtp_tls: 'TLS-Problem (smtp_port und smtp_security prüfen)',
  smtp_config: 'die Mail-Einstellungen sind ungültig (config.json prüfen)',
  smtp_unreachable: 'der Mailserver ist nicht erreichbar',
  smtp_server_busy: 'der Mailserver ist ausgelastet; neuer Versuch läuft',
  smtp_recipient_rejected: 'eine Empfängeradresse wurde abgelehnt',
  smtp_message_rejected: 'eine Nachricht wurde abgelehnt',
  smtp_disabled: 'E-Mail ist ausgeschaltet',
  smtp_unknown: 'nicht verfügbar',

  mail_confirmation_title: '{shop}: Bestellbestätigung',
  mail_confirmation_title_ref: '{shop}: Bestellbestätigung {reference}',
  mail_thanks: 'Vielen Dank für deine Bestellung. Das haben wir erhalten:',
  mail_questions_number: 'Fragen? Antworte auf diese E-Mail und nenne deine Bestellnummer.',
  mail_questions_reference: 'Fragen? Antworte auf diese E-Mail und nenne deine Bestellreferenz.',
  mail_why:
    'Du erhältst diese E-Mail, weil jemand diese Adresse im Discord-Bestellformular von {shop} angegeben hat.',
  mail_not_you: 'Warst du das nicht, ignoriere diese E-Mail oder antworte uns kurz.',
  mail_status_title: '{shop}: Bestellung {reference} ist {status}',
  mail_tracking_number: 'Sendungsnummer: {number}',
  mail_track_it: 'Sendung verfolgen: {url}',
  mail_reason: 'Grund: {reason}',

  command_ping_name: 'ping',
  command_ping_description: 'Prüfe, ob der Bot online ist, und sieh seine Gateway-Latenz.',
  command_diagnostics_name: 'diagnose',
  command_diagnostics_description: 'Status und Diagnosedaten des Bots anzeigen.',
  command_order_form_name: 'bestellformular',
  command_order_form_description: 'Ein Bestellformular öffnen.',
  command_email_name: 'e-mail',
  command_email_description: 'Wohin deine Bestellbestätigung gesendet wird',
  command_my_orders_name: 'meine_bestellungen',
  command_my_orders_description: 'Sieh deine Bestellungen und wo jede gerade steht.',
};
