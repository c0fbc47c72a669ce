/**
 * @module i18n/catalogs/es-ES
 * Spanish (Spain): every key of the source catalog (`en-US.ts`), with the same placeholders.
 */
import type { Catalog } from './en-US.ts';

/** Español (España). */
export const esES: Catalog = {
  date_pattern: '{d} de {month} de {yyyy}',
  month_names: 'enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre',
  decimal_separator: ',',
  list_or: ' o ',
  wait_seconds: '{s} s',
  wait_minutes: '{m} min {s} s',
  wait_hours: '{h} h {m} min',

  expired: '⌛ Este formulario de pedido ha caducado. Vuelve a usar /order_form.',
  invalid_email:
    '❌ La dirección de correo no es válida. Usa una dirección con un formato válido.\nEjemplo: `/order_form email:nombre@example.com`',
  not_this_server: '🚫 Este bot solo acepta pedidos en el servidor de Discord de la tienda.',
  unknown_user: '❌ No he podido saber quién eres. Inténtalo de nuevo.',
  roles_required:
    '🚫 Pueden hacer pedidos los miembros con el rol {roles}. Pregunta al equipo de la tienda si crees que deberías tenerlo.',
  cooldown: '⏳ Acabas de hacer un pedido. Podrás empezar otro dentro de {wait}.',
  daily_limit:
    '⏳ Has alcanzado el límite de {limit} pedidos en 24 horas. Podrás volver a pedir dentro de {wait}.',
  forms_full: '⏳ La tienda está muy ocupada ahora mismo. Vuelve a probar /order_form en unos minutos.',
  forms_unavailable:
    '⏳ Ahora mismo no se pueden empezar formularios de pedido. Vuelve a probar /order_form dentro de un minuto (no se ha enviado nada).',
  orders_unavailable:
    '⏳ Los pedidos no están disponibles por un momento. Inténtalo de nuevo dentro de un minuto (si estabas rellenando el formulario, pulsa entonces el botón otra vez).',
  form_changed:
    '🔄 La tienda acaba de cambiar su formulario de pedido, así que este ya no se puede completar. Vuelve a usar /order_form para empezar el nuevo (no se ha enviado nada).',
  step_not_saved:
    'Lo que escribiste en este paso no se pudo guardar porque el formulario ya había terminado.',
  busy: '⏳ El bot está muy ocupado ahora mismo. Inténtalo de nuevo en unos segundos.',
  restarting: '⏳ El bot se está reiniciando. Inténtalo de nuevo dentro de un minuto.',
  apology: '❌ Lo sentimos, algo ha fallado. Inténtalo de nuevo en un momento.',
  unknown_command:
    '❓ No conozco el comando /{command}. Puede que esté desactualizado: pide a un administrador que ejecute sync-commands.',

  step_complete: '✅ Paso {step} de {steps} completado.',
  draft_replaced: '(Se ha descartado tu formulario de pedido anterior sin terminar.)',
  button_cancel: 'Cancelar',
  button_continue: 'Continuar al paso {step}',
  button_continue_final: 'Continuar al último paso',
  button_fix: 'Corregir el paso {step}',
  button_submit_again: 'Enviar de nuevo',
  problems_heading: '⚠️ Hay que corregir el paso {step} de {steps}:',
  problem_line: '• **{label}** {message}.',
  problems_footer:
    'Pulsa **Corregir el paso {step}**: el formulario se vuelve a abrir con todo lo que escribiste.',
  placeholder_date: 'AAAA-MM-DD',
  placeholder_email: 'nombre@example.com',
  placeholder_url: 'https://',
  placeholder_price: '0,00 €',

  invalid_required: 'es obligatorio',
  invalid_needs_choice: 'necesita una opción',
  invalid_too_long: 'es demasiado largo: {max} caracteres como máximo',
  invalid_too_short: 'es demasiado corto: {min} caracteres como mínimo',
  invalid_email_field: 'debe ser una dirección de correo como nombre@example.com',
  invalid_url: 'debe ser una dirección web que empiece por http:// o https://',
  invalid_price: 'debe ser un importe como 150,00 €, 150, $99.99 o 150 EUR',
  invalid_date: 'debe ser una fecha real escrita AAAA-MM-DD, por ejemplo 2025-03-14',
  invalid_past: 'no puede estar en el pasado',
  invalid_whole: 'debe ser un número entero como 3',
  invalid_number: 'debe ser un número como 3 o 2,5',
  invalid_between: 'debe estar entre {min} y {max}',
  invalid_at_least: 'debe ser {min} o más',
  invalid_at_most: 'debe ser {max} o menos',
  invalid_choice: 'no es una de las opciones',
  invalid_choice_twice: 'repite una opción',
  invalid_min_ticked: 'necesita al menos {min} marcadas',
  invalid_max_ticked: 'admite como máximo {max} marcadas',
  invalid_before: 'no puede ser anterior a {label}',

  save_failed:
    '❌ Ahora mismo no se ha podido guardar tu pedido, así que no se ha enviado nada. Pulsa **Enviar de nuevo** en un momento: se conserva todo lo que escribiste.',
  cancelled: '🗑️ Pedido cancelado. No se ha enviado nada. Usa /order_form cuando quieras empezar de nuevo.',
  email_off:
    '✅ Hemos recibido tu pedido y la tienda ya lo tiene. (Los correos de confirmación están desactivados; la tienda se pondrá en contacto contigo si hace falta.)',
  email_refused:
    '✅ Hemos recibido tu pedido y la tienda ya lo tiene. No se ha enviado ningún correo de confirmación: {reason}. La tienda se pondrá en contacto contigo si hace falta.',
  email_sending: '📧 Enviando tu confirmación a {to}…',
  received_fallback: '✅ Pedido recibido (referencia #{id}). {status}',
  email_sent: '📧 Confirmación enviada a {to}',
  email_address_refused:
    '✅ Hemos recibido tu pedido y la tienda ya lo tiene, pero el servidor de correo rechazó la dirección {to}, así que no se ha enviado ningún correo de confirmación.',
  email_not_sent:
    '✅ Hemos recibido tu pedido y la tienda ya lo tiene, pero no se ha podido enviar el correo de confirmación a {to}. La tienda se pondrá en contacto contigo si hace falta.',
  cap_recipient_daily: {
    one: 'esta dirección ya ha recibido {count} confirmación hoy',
    other: 'esta dirección ya ha recibido {count} confirmaciones hoy',
  },
  cap_user_daily: {
    one: 'ya has recibido {count} confirmación hoy',
    other: 'ya has recibido {count} confirmaciones hoy',
  },
  cap_server_hourly: 'este servidor ha alcanzado su límite de {count} correos de confirmación por hora',
  cap_mail_hourly: 'la tienda ha alcanzado su límite de {count} correos de confirmación por hora',

  summary_title: '📦 ¡Pedido enviado!',
  summary_order: 'Pedido **{number}** · referencia {reference}',
  summary_reference: 'Referencia **{reference}**',
  summary_product: '📦 Producto',
  summary_total: '💰 Total pagado',
  summary_arrival: '📅 Llegada estimada',
  summary_arrival_range: 'del {start} al {end}',
  summary_style: '👗 Referencia del artículo',
  summary_size: '📏 Talla',
  summary_color: '🎨 Color',
  summary_condition: '🧼 Estado',
  summary_shipping: '📦 Envío a',

  status_received: 'Recibido',
  status_accepted: 'Aceptado',
  status_shipped: 'Enviado',
  status_delivered: 'Entregado',
  status_cancelled: 'Cancelado',
  dm_accepted: '✅ **{shop}** ha aceptado tu pedido {reference}. Te avisaremos cuando se envíe.',
  dm_shipped: '📦 Tu pedido {reference} de **{shop}** ya se ha enviado.',
  dm_tracking_number: 'Número de seguimiento: {number}',
  dm_track_it: 'Seguir el envío: <{url}>',
  dm_delivered: '🎉 Tu pedido {reference} de **{shop}** figura como entregado. ¡Que lo disfrutes!',
  dm_cancelled: '🚫 Tu pedido {reference} en **{shop}** se ha cancelado.',
  dm_reason: 'Motivo: {reason}',
  dm_other: 'ℹ️ Tu pedido {reference} en **{shop}** está ahora {status}.',
  no_orders: '📭 Todavía no has hecho ningún pedido aquí. Usa /order_form para hacer uno.',
  my_orders_heading: {
    one: '🧾 Tu pedido (el más reciente primero):',
    other: '🧾 Tus últimos {count} pedidos (los más recientes primero):',
  },
  my_orders_track_link: '[seguir el envío](<{url}>)',
  my_orders_tracking: 'seguimiento {number}',
  my_orders_cancel_button: 'Cancelar {reference}',
  confirm_cancel:
    '❓ ¿Cancelar tu pedido {reference}? Se avisa a la tienda al momento y no se puede deshacer.',
  confirm_cancel_yes: 'Sí, cancelarlo',
  confirm_cancel_keep: 'Mantenerlo',
  cancelled_by_customer: '🗑️ Tu pedido {reference} está cancelado. Se ha avisado a la tienda.',
  kept: '👍 Tu pedido no ha cambiado.',
  order_missing: '❌ No se encuentra ese pedido.',
  cannot_cancel:
    '❌ Este pedido ya está {status}, así que ya no se puede cancelar aquí. Ponte en contacto con la tienda.',
  customer_cancel_reason: 'Cancelado por el cliente',

  staff_accept: 'Aceptar',
  staff_ship: 'Marcar como enviado',
  staff_deliver: 'Marcar como entregado',
  staff_cancel: 'Cancelar pedido',
  staff_ship_title: 'Enviar el pedido {reference}',
  staff_cancel_title: 'Cancelar el pedido {reference}',
  staff_tracking_number: 'Número de seguimiento',
  staff_tracking_url: 'Enlace de seguimiento',
  staff_reason: 'Motivo (lo leerá el cliente)',
  staff_new_order: '🛒 Nuevo pedido de <@{user}>',
  staff_status: 'Estado',
  staff_tracking: 'Seguimiento',
  staff_reason_field: 'Motivo',
  staff_email: 'Correo',
  staff_no_email: '⚠️ No se ha enviado correo de confirmación',
  staff_order_title: 'Pedido {number} ({reference})',
  staff_order_title_own: 'Pedido {reference}',
  staff_notes: '**Notas:**',
  staff_no_notes: 'Sin notas.',
  staff_changed_by: '{status} · por {who} · {time}',
  staff_by_cli: 'el propietario (CLI)',
  staff_by_someone: 'alguien',
  staff_language_note: 'Idioma del cliente',
  not_staff:
    '🚫 Solo el equipo de la tienda puede cambiar pedidos (miembros con «Gestionar servidor» o un rol de equipo). No se ha cambiado nada.',
  order_not_found: '❌ No se encuentra ese pedido (puede que se haya eliminado). No se ha cambiado nada.',
  already_changed: '⚠️ Ya está hecho: este pedido ahora está **{status}**. No se ha cambiado nada más.',
  already_changed_by:
    '⚠️ Ya está hecho: este pedido ahora está **{status}**, por {who}. No se ha cambiado nada más.',
  changed:
    '✅ El pedido {reference} ahora está **{status}**. Se está avisando al cliente y el mensaje lo mostrará en un momento.',
  bad_tracking_url:
    '⚠️ El enlace de seguimiento debe ser una dirección web que empiece por http:// o https://. No se ha cambiado nada: pulsa **Corregir el enlace**, el formulario se vuelve a abrir con lo que escribiste.',
  staff_fix_tracking_url: 'Corregir el enlace',
  reason_required:
    '⚠️ Hace falta un motivo para cancelar un pedido (lo leerá el cliente). No se ha cambiado nada: pulsa otra vez **Cancelar pedido**.',

  mail_confirmation_title: '{shop}: confirmación de pedido',
  mail_confirmation_title_ref: '{shop}: confirmación de pedido {reference}',
  mail_thanks: 'Gracias por tu pedido. Esto es lo que hemos recibido:',
  mail_questions_number: '¿Preguntas? Responde a este correo indicando tu número de pedido.',
  mail_questions_reference: '¿Preguntas? Responde a este correo indicando tu referencia de pedido.',
  mail_why:
    'Recibes este correo porque alguien escribió esta dirección en el formulario de pedidos de Discord de {shop}.',
  mail_not_you: 'Si no fuiste tú, ignora este correo o respóndenos para decírnoslo.',
  mail_status_title: '{shop}: el pedido {reference} está {status}',
  mail_tracking_number: 'Número de seguimiento: {number}',
  mail_track_it: 'Seguir el envío: {url}',
  mail_reason: 'Motivo: {reason}',

  command_ping_name: 'ping',
  command_ping_description: 'Comprueba que el bot está en línea y mira su latencia de gateway.',
  command_diagnostics_name: 'diagnostico',
  command_diagnostics_description: 'Consulta el estado del bot y su información de diagnóstico.',
  command_order_form_name: 'formulario_pedido',
  command_order_form_description: 'Abre un formulario de pedido.',
  command_email_name: 'correo',
  command_email_description: 'Adónde enviar la confirmación de tu pedido',
  command_my_orders_name: 'mis_pedidos',
  command_my_orders_description: 'Mira tus pedidos y en qué punto está cada uno.',
};
