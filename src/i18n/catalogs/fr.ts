/**
 * @module i18n/catalogs/fr
 * French: every key of the source catalog (`en-US.ts`), with the same placeholders. French
 * typography: a narrow no-break space (U+202F) before `?`, `!` and `:`.
 */
import type { Catalog } from './en-US.ts';

/** Français. */
export const fr: Catalog = {
  date_pattern: '{d} {month} {yyyy}',
  month_names: 'janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre',
  decimal_separator: ',',
  list_or: ' ou ',
  wait_seconds: '{s} s',
  wait_minutes: '{m} min {s} s',
  wait_hours: '{h} h {m} min',

  expired: '⌛ Ce formulaire de commande a expiré. Relancez /order_form.',
  invalid_email:
    '❌ Adresse e-mail invalide. Veuillez saisir une adresse valide.\nExemple\u202f: `/order_form email:nom@example.com`',
  not_this_server: '🚫 Ce bot ne prend les commandes que sur le serveur Discord de la boutique.',
  unknown_user: '❌ Je n’ai pas pu savoir qui vous êtes. Veuillez réessayer.',
  roles_required:
    '🚫 Les commandes sont ouvertes aux membres ayant le rôle {roles}. Demandez à l’équipe de la boutique si vous pensez devoir l’avoir.',
  cooldown: '⏳ Vous venez de passer une commande. Vous pourrez en commencer une autre dans {wait}.',
  daily_limit:
    '⏳ Vous avez atteint la limite de {limit} commandes en 24 heures. Vous pourrez commander de nouveau dans {wait}.',
  forms_full: '⏳ La boutique est très sollicitée en ce moment. Réessayez /order_form dans quelques minutes.',
  forms_unavailable:
    '⏳ Impossible de démarrer un formulaire pour l’instant. Réessayez /order_form dans une minute (rien n’a été envoyé).',
  orders_unavailable:
    '⏳ Les commandes sont momentanément indisponibles. Réessayez dans une minute (si vous remplissiez le formulaire, appuyez alors de nouveau sur le bouton).',
  form_changed:
    '🔄 La boutique vient de modifier son formulaire de commande, celui-ci ne peut donc plus être terminé. Relancez /order_form pour le nouveau formulaire (rien n’a été envoyé).',
  step_not_saved:
    'Ce que vous avez saisi à cette étape n’a pas pu être enregistré, car le formulaire était terminé.',
  busy: '⏳ Le bot est très sollicité en ce moment. Réessayez dans quelques secondes.',
  restarting: '⏳ Le bot redémarre. Réessayez dans une minute.',
  apology: '❌ Désolé, un problème est survenu. Réessayez dans un instant.',
  unknown_command:
    '❓ Je ne connais pas la commande /{command}. Elle est peut-être obsolète\u202f: demandez à un administrateur de lancer sync-commands.',

  step_complete: '✅ Étape {step} sur {steps} terminée.',
  draft_replaced: '(Votre précédent formulaire inachevé a été abandonné.)',
  button_cancel: 'Annuler',
  button_continue: 'Passer à l’étape {step}',
  button_continue_final: 'Passer à la dernière étape',
  button_fix: 'Corriger l’étape {step}',
  button_submit_again: 'Renvoyer',
  problems_heading: '⚠️ L’étape {step} sur {steps} est à corriger\u202f:',
  problem_line: '• **{label}** {message}.',
  problems_footer:
    'Appuyez sur **Corriger l’étape {step}**\u202f: le formulaire se rouvre avec tout ce que vous avez saisi.',
  placeholder_date: 'AAAA-MM-JJ',
  placeholder_email: 'nom@example.com',
  placeholder_url: 'https://',
  placeholder_price: '0,00 €',

  invalid_required: 'est obligatoire',
  invalid_needs_choice: 'demande un choix',
  invalid_too_long: 'est trop long\u202f: {max} caractères au maximum',
  invalid_too_short: 'est trop court\u202f: {min} caractères au minimum',
  invalid_email_field: 'doit être une adresse e-mail comme nom@example.com',
  invalid_url: 'doit être une adresse web commençant par http:// ou https://',
  invalid_price: 'doit être un montant comme 150,00 €, 150, $99.99 ou 150 EUR',
  invalid_date: 'doit être une vraie date au format AAAA-MM-JJ, par exemple 2025-03-14',
  invalid_past: 'ne doit pas être dans le passé',
  invalid_whole: 'doit être un nombre entier comme 3',
  invalid_number: 'doit être un nombre comme 3 ou 2,5',
  invalid_between: 'doit être compris entre {min} et {max}',
  invalid_at_least: 'doit être au moins {min}',
  invalid_at_most: 'doit être au plus {max}',
  invalid_choice: 'ne fait pas partie des choix',
  invalid_choice_twice: 'cite un choix deux fois',
  invalid_min_ticked: 'demande au moins {min} cases cochées',
  invalid_max_ticked: 'accepte au plus {max} cases cochées',
  invalid_before: 'ne doit pas être avant {label}',

  already_received:
    '✅ Cette commande a déjà été reçue, la voici à nouveau. Vous n’avez rien d’autre à faire\u202f; la confirmation est en route.',
  save_failed:
    '❌ Votre commande n’a pas pu être enregistrée pour l’instant, rien n’a donc été envoyé. Appuyez sur **Renvoyer** dans un instant\u202f: tout ce que vous avez saisi est conservé.',
  cancelled: '🗑️ Commande annulée. Rien n’a été envoyé. Lancez /order_form quand vous voulez recommencer.',
  email_off:
    '✅ Votre commande a bien été reçue par la boutique. (Les e-mails de confirmation sont désactivés\u202f; la boutique vous contactera si besoin.)',
  email_refused:
    '✅ Votre commande a bien été reçue par la boutique. Aucun e-mail de confirmation n’a été envoyé\u202f: {reason}. La boutique vous contactera si besoin.',
  email_sending: '📧 Envoi de votre confirmation à {to}…',
  received_fallback: '✅ Commande reçue (référence #{id}). {status}',
  email_sent: '📧 Confirmation envoyée à {to}',
  email_address_refused:
    '✅ Votre commande a bien été reçue par la boutique, mais le serveur de messagerie a refusé l’adresse {to}\u202f: aucun e-mail de confirmation n’a été envoyé.',
  email_not_sent:
    '✅ Votre commande a bien été reçue par la boutique, mais l’e-mail de confirmation à {to} n’a pas pu être envoyé. La boutique vous contactera si besoin.',
  cap_recipient_daily: {
    one: 'cette adresse a déjà reçu {count} confirmation aujourd’hui',
    other: 'cette adresse a déjà reçu {count} confirmations aujourd’hui',
  },
  cap_user_daily: {
    one: 'vous avez déjà reçu {count} confirmation aujourd’hui',
    other: 'vous avez déjà reçu {count} confirmations aujourd’hui',
  },
  cap_server_hourly: 'ce serveur a atteint sa limite de {count} e-mails de confirmation par heure',
  cap_mail_hourly: 'la boutique a atteint sa limite de {count} e-mails de confirmation par heure',

  summary_title: '📦 Commande envoyée\u202f!',
  summary_order: 'Commande **{number}** · référence {reference}',
  summary_reference: 'Référence **{reference}**',
  summary_product: '📦 Produit',
  summary_total: '💰 Montant payé',
  summary_arrival: '📅 Arrivée estimée',
  summary_arrival_range: 'du {start} au {end}',
  summary_style: '👗 Référence article',
  summary_size: '📏 Taille',
  summary_color: '🎨 Couleur',
  summary_condition: '🧼 État',
  summary_shipping: '📦 Livraison à',

  status_received: 'Reçue',
  status_accepted: 'Acceptée',
  status_shipped: 'Expédiée',
  status_delivered: 'Livrée',
  status_cancelled: 'Annulée',
  dm_accepted: '✅ **{shop}** a accepté votre commande {reference}. Nous vous préviendrons à son expédition.',
  dm_shipped: '📦 Votre commande {reference} chez **{shop}** a été expédiée.',
  dm_tracking_number: 'Numéro de suivi\u202f: {number}',
  dm_track_it: 'Suivre le colis\u202f: <{url}>',
  dm_delivered:
    '🎉 Votre commande {reference} chez **{shop}** est indiquée comme livrée. Profitez-en bien\u202f!',
  dm_cancelled: '🚫 Votre commande {reference} chez **{shop}** a été annulée.',
  dm_reason: 'Motif\u202f: {reason}',
  dm_other: 'ℹ️ Votre commande {reference} chez **{shop}** est maintenant {status}.',
  no_orders: '📭 Vous n’avez encore passé aucune commande ici. Lancez /order_form pour en passer une.',
  my_orders_heading: {
    one: '🧾 Votre commande (la plus récente d’abord)\u202f:',
    other: '🧾 Vos {count} dernières commandes (les plus récentes d’abord)\u202f:',
  },
  my_orders_track_link: '[suivre le colis](<{url}>)',
  my_orders_tracking: 'suivi {number}',
  my_orders_cancel_button: 'Annuler {reference}',
  confirm_cancel:
    '❓ Annuler votre commande {reference}\u202f? La boutique est prévenue aussitôt, et c’est irréversible.',
  confirm_cancel_yes: 'Oui, l’annuler',
  confirm_cancel_keep: 'La garder',
  cancelled_by_customer: '🗑️ Votre commande {reference} est annulée. La boutique a été prévenue.',
  kept: '👍 Votre commande reste inchangée.',
  order_missing: '❌ Cette commande est introuvable.',
  cannot_cancel:
    '❌ Cette commande est déjà {status}, elle ne peut donc plus être annulée ici. Veuillez contacter la boutique.',
  customer_cancel_reason: 'Annulée par le client',

  staff_accept: 'Accepter',
  staff_ship: 'Marquer expédiée',
  staff_deliver: 'Marquer livrée',
  staff_cancel: 'Annuler la commande',
  staff_ship_title: 'Expédier la commande {reference}',
  staff_cancel_title: 'Annuler la commande {reference}',
  staff_tracking_number: 'Numéro de suivi',
  staff_tracking_url: 'Lien de suivi',
  staff_reason: 'Motif (le client le lira)',
  staff_new_order: '🛒 Nouvelle commande de <@{user}>',
  staff_status: 'Statut',
  staff_tracking: 'Suivi',
  staff_reason_field: 'Motif',
  staff_email: 'E-mail',
  staff_no_email: '⚠️ Aucun e-mail de confirmation envoyé',
  staff_order_title: 'Commande {number} ({reference})',
  staff_order_title_own: 'Commande {reference}',
  staff_notes: '**Remarques\u202f:**',
  staff_no_notes: 'Aucune remarque.',
  staff_changed_by: '{status} · par {who} · {time}',
  staff_by_cli: 'le propriétaire (CLI)',
  staff_by_someone: 'quelqu’un',
  staff_language_note: 'Langue du client',
  not_staff:
    '🚫 Seule l’équipe de la boutique peut modifier les commandes (membres avec « Gérer le serveur » ou un rôle d’équipe). Rien n’a été modifié.',
  order_not_found:
    '❌ Cette commande est introuvable (elle a peut-être été supprimée). Rien n’a été modifié.',
  already_changed:
    '⚠️ Déjà fait\u202f: cette commande est maintenant **{status}**. Rien d’autre n’a été modifié.',
  already_changed_by:
    '⚠️ Déjà fait\u202f: cette commande est maintenant **{status}**, par {who}. Rien d’autre n’a été modifié.',
  changed:
    '✅ La commande {reference} est maintenant **{status}**. Le client est prévenu, et le message l’affichera dans un instant.',
  bad_tracking_url:
    '⚠️ Le lien de suivi doit être une adresse web commençant par http:// ou https://. Rien n’a été modifié\u202f: appuyez sur **Corriger le lien de suivi**, le formulaire se rouvre avec ce que vous avez saisi.',
  staff_fix_tracking_url: 'Corriger le lien de suivi',
  reason_required:
    '⚠️ Un motif est nécessaire pour annuler une commande (le client le lira). Rien n’a été modifié\u202f: appuyez de nouveau sur **Annuler la commande**.',

  thousands_separator: ' ',
  diag_title: '**🔧 Diagnostic du bot**',
  diag_foreign: '🚫 /run_diagnostics ne fonctionne que sur le serveur Discord de la boutique.',
  diag_denied: '🚫 Accès refusé : /run_diagnostics demande la permission « Gérer le serveur ».',
  diag_version: '**Version :** {version}',
  diag_gateway_off:
    '**Passerelle\u202f:** aucune dans ce processus (DISCORD_GATEWAY=off\u202f: un réplica d’interactions HTTP)\u202f; le ping, les serveurs, les utilisateurs et les shards ne sont connus que du processus passerelle',
  diag_ping: '**Ping :** {ping}',
  diag_ping_unmeasured: 'pas encore mesuré',
  diag_uptime: '**Disponibilité :** {uptime}',
  diag_servers: '**Serveurs :** {count}',
  diag_users: '**Utilisateurs (environ) :** {count}',
  diag_shards: '**Shards :** {ready}/{total} prêts',
  diag_memory: '**Mémoire :** RSS {rss}, tas {used} sur {total}',
  diag_sessions: '**Formulaires en cours :** {count}',
  diag_orders: '**Commandes :** {orders}',
  diag_orders_counts: '{today} aujourd’hui, {total} au total',
  diag_db_unreadable: '⚠️ la base de données est illisible ({error})',
  diag_outbox: '**File d’envoi :** {pending} en attente{oldest}, {failed} en échec{hint}{paused}',
  diag_oldest: ', le plus ancien attend depuis {wait}',
  diag_failed_hint: ' (voir `npm run orders -- list --status failed`)',
  diag_paused: ' ⚠️ en pause : les résultats ne peuvent pas être écrits (disque plein ?)',
  diag_emails: '**E-mails depuis le démarrage :** {sent} envoyés, {failed} en échec, {retried} réessayés',
  diag_notifications:
    '**Notifications depuis le démarrage :** e-mails {emails_sent} envoyés, {emails_failed} en échec ; MP {dms_sent} envoyés, {dms_refused} refusés, {dms_failed} en échec ; webhooks {hooks_sent} envoyés, {hooks_failed} en échec',
  diag_smtp: '**SMTP :** {smtp}',
  diag_smtp_ok: '✅ connecté',
  diag_smtp_unchecked: '⏳ pas encore vérifié',
  diag_smtp_down: '⚠️ {problem} ; les commandes sont toujours prises',
  diag_smtp_disabled: '⚠️ l’e-mail est désactivé (SENDER_EMAIL n’est pas défini)',
  smtp_auth: 'connexion refusée (vérifiez SENDER_EMAIL et SENDER_PASSWORD)',
  smtp_tls: 'problème TLS (vérifiez smtp_port et smtp_security)',
  smtp_config: 'les réglages e-mail sont invalides (vérifiez config.json)',
  smtp_unreachable: 'serveur de messagerie injoignable',
  smtp_server_busy: 'le serveur de messagerie est occupé ; nouvel essai en cours',
  smtp_recipient_rejected: 'un destinataire a été refusé',
  smtp_message_rejected: 'un message a été refusé',
  smtp_disabled: 'l’e-mail est désactivé',
  smtp_unknown: 'indisponible',

  mail_confirmation_title: '{shop}\u202f: confirmation de commande',
  mail_confirmation_title_ref: '{shop}\u202f: confirmation de commande {reference}',
  mail_thanks: 'Merci pour votre commande. Voici ce que nous avons reçu\u202f:',
  mail_questions_number: 'Des questions\u202f? Répondez à cet e-mail en indiquant votre numéro de commande.',
  mail_questions_reference:
    'Des questions\u202f? Répondez à cet e-mail en indiquant votre référence de commande.',
  mail_why:
    'Vous recevez cet e-mail parce que quelqu’un a saisi cette adresse dans le formulaire de commande Discord de {shop}.',
  mail_not_you: 'Si ce n’était pas vous, ignorez cet e-mail ou répondez-nous.',
  mail_status_title: '{shop}\u202f: la commande {reference} est {status}',
  mail_tracking_number: 'Numéro de suivi\u202f: {number}',
  mail_track_it: 'Suivre le colis\u202f: {url}',
  mail_reason: 'Motif\u202f: {reason}',

  command_ping_name: 'ping',
  command_ping_description: 'Vérifier que le bot est en ligne et voir sa latence de passerelle.',
  command_diagnostics_name: 'diagnostic',
  command_diagnostics_description: 'Voir l’état du bot et ses informations de diagnostic.',
  command_order_form_name: 'formulaire_commande',
  command_order_form_description: 'Ouvrir un formulaire de commande.',
  command_email_name: 'e-mail',
  command_email_description: 'Où envoyer votre confirmation de commande',
  command_my_orders_name: 'mes_commandes',
  command_my_orders_description: 'Voir vos commandes et où en est chacune.',
};
