/**
 * @module i18n/catalogs/pt-BR
 * Brazilian Portuguese: every key of the source catalog (`en-US.ts`), with the same placeholders.
 */
import type { Catalog } from './en-US.ts';

/** Português (Brasil). */
export const ptBR: Catalog = {
  date_pattern: '{d} de {month} de {yyyy}',
  month_names: 'janeiro|fevereiro|março|abril|maio|junho|julho|agosto|setembro|outubro|novembro|dezembro',
  decimal_separator: ',',
  list_or: ' ou ',
  wait_seconds: '{s} s',
  wait_minutes: '{m} min {s} s',
  wait_hours: '{h} h {m} min',

  expired: '⌛ Este formulário de pedido expirou. Use /order_form de novo.',
  invalid_email:
    '❌ Endereço de e-mail inválido. Use um endereço em formato válido.\nExemplo: `/order_form email:nome@example.com`',
  not_this_server: '🚫 Este bot só aceita pedidos no servidor do Discord da própria loja.',
  unknown_user: '❌ Não consegui identificar quem é você. Tente de novo.',
  roles_required:
    '🚫 Podem fazer pedidos os membros com o cargo {roles}. Fale com a equipe da loja se você acha que deveria tê-lo.',
  cooldown: '⏳ Você acabou de fazer um pedido. Poderá começar outro em {wait}.',
  daily_limit: '⏳ Você atingiu o limite de {limit} pedidos em 24 horas. Poderá pedir de novo em {wait}.',
  forms_full: '⏳ A loja está muito movimentada agora. Tente /order_form de novo em alguns minutos.',
  forms_unavailable:
    '⏳ Não é possível iniciar formulários de pedido no momento. Tente /order_form de novo em um minuto (nada foi enviado).',
  orders_unavailable:
    '⏳ Os pedidos estão indisponíveis por um momento. Tente de novo em um minuto (se você estava preenchendo o formulário, aperte o botão de novo nessa hora).',
  form_changed:
    '🔄 A loja acabou de mudar o formulário de pedido, então este não pode mais ser concluído. Use /order_form de novo para começar o novo formulário (nada foi enviado).',
  step_not_saved: 'O que você digitou nesta etapa não pôde ser salvo porque o formulário já tinha terminado.',
  busy: '⏳ O bot está muito ocupado agora. Tente de novo em alguns segundos.',
  restarting: '⏳ O bot está reiniciando. Tente de novo em um minuto.',
  apology: '❌ Desculpe, algo deu errado. Tente de novo daqui a pouco.',
  unknown_command:
    '❓ Não conheço o comando /{command}. Ele pode estar desatualizado: peça a um administrador para rodar sync-commands.',

  step_complete: '✅ Etapa {step} de {steps} concluída.',
  draft_replaced: '(Seu formulário de pedido anterior não concluído foi descartado.)',
  button_cancel: 'Cancelar',
  button_continue: 'Continuar para a etapa {step}',
  button_continue_final: 'Continuar para a última etapa',
  button_fix: 'Corrigir a etapa {step}',
  button_submit_again: 'Enviar de novo',
  problems_heading: '⚠️ A etapa {step} de {steps} precisa de correção:',
  problem_line: '• **{label}** {message}.',
  problems_footer:
    'Aperte **Corrigir a etapa {step}**: o formulário abre de novo com tudo o que você digitou.',
  placeholder_date: 'AAAA-MM-DD',
  placeholder_email: 'nome@example.com',
  placeholder_url: 'https://',
  placeholder_price: 'R$ 0,00',

  invalid_required: 'é obrigatório',
  invalid_needs_choice: 'precisa de uma escolha',
  invalid_too_long: 'é longo demais: no máximo {max} caracteres',
  invalid_too_short: 'é curto demais: no mínimo {min} caracteres',
  invalid_email_field: 'deve ser um endereço de e-mail como nome@example.com',
  invalid_url: 'deve ser um endereço web que comece com http:// ou https://',
  invalid_price: 'deve ser um valor como R$ 150,00, 150, $99.99 ou 150 BRL',
  invalid_date: 'deve ser uma data real escrita AAAA-MM-DD, por exemplo 2025-03-14',
  invalid_past: 'não pode estar no passado',
  invalid_whole: 'deve ser um número inteiro como 3',
  invalid_number: 'deve ser um número como 3 ou 2,5',
  invalid_between: 'deve estar entre {min} e {max}',
  invalid_at_least: 'deve ser {min} ou mais',
  invalid_at_most: 'deve ser {max} ou menos',
  invalid_choice: 'não é uma das opções',
  invalid_choice_twice: 'repete uma opção',
  invalid_min_ticked: 'precisa de pelo menos {min} marcadas',
  invalid_max_ticked: 'aceita no máximo {max} marcadas',
  invalid_before: 'não pode ser antes de {label}',

  save_failed:
    '❌ Não foi possível salvar seu pedido agora, então nada foi enviado. Aperte **Enviar de novo** daqui a pouco: tudo o que você digitou foi mantido.',
  cancelled: '🗑️ Pedido cancelado. Nada foi enviado. Use /order_form quando quiser começar de novo.',
  email_off:
    '✅ Seu pedido foi recebido e a loja já está com ele. (Os e-mails de confirmação estão desativados; a loja entrará em contato se precisar.)',
  email_refused:
    '✅ Seu pedido foi recebido e a loja já está com ele. Nenhum e-mail de confirmação foi enviado: {reason}. A loja entrará em contato se precisar.',
  email_sending: '📧 Enviando sua confirmação para {to}…',
  received_fallback: '✅ Pedido recebido (referência #{id}). {status}',
  email_sent: '📧 Confirmação enviada para {to}',
  email_address_refused:
    '✅ Seu pedido foi recebido e a loja já está com ele, mas o servidor de e-mail recusou o endereço {to}, então nenhum e-mail de confirmação foi enviado.',
  email_not_sent:
    '✅ Seu pedido foi recebido e a loja já está com ele, mas o e-mail de confirmação para {to} não pôde ser enviado. A loja entrará em contato se precisar.',
  cap_recipient_daily: {
    one: 'este endereço já recebeu {count} confirmação hoje',
    other: 'este endereço já recebeu {count} confirmações hoje',
  },
  cap_user_daily: {
    one: 'você já recebeu {count} confirmação hoje',
    other: 'você já recebeu {count} confirmações hoje',
  },
  cap_server_hourly: 'este servidor atingiu o limite de {count} e-mails de confirmação por hora',
  cap_mail_hourly: 'a loja atingiu o limite de {count} e-mails de confirmação por hora',

  summary_title: '📦 Pedido enviado!',
  summary_order: 'Pedido **{number}** · referência {reference}',
  summary_reference: 'Referência **{reference}**',
  summary_product: '📦 Produto',
  summary_total: '💰 Total pago',
  summary_arrival: '📅 Chegada prevista',
  summary_arrival_range: 'de {start} a {end}',
  summary_style: '👗 Código do modelo',
  summary_size: '📏 Tamanho',
  summary_color: '🎨 Cor',
  summary_condition: '🧼 Condição',
  summary_shipping: '📦 Entregar em',

  status_received: 'Recebido',
  status_accepted: 'Aceito',
  status_shipped: 'Enviado',
  status_delivered: 'Entregue',
  status_cancelled: 'Cancelado',
  dm_accepted: '✅ **{shop}** aceitou seu pedido {reference}. Avisaremos quando ele for enviado.',
  dm_shipped: '📦 Seu pedido {reference} da **{shop}** foi enviado.',
  dm_tracking_number: 'Código de rastreio: {number}',
  dm_track_it: 'Rastrear: <{url}>',
  dm_delivered: '🎉 Seu pedido {reference} da **{shop}** foi marcado como entregue. Aproveite!',
  dm_cancelled: '🚫 Seu pedido {reference} na **{shop}** foi cancelado.',
  dm_reason: 'Motivo: {reason}',
  dm_other: 'ℹ️ Seu pedido {reference} na **{shop}** agora está {status}.',
  no_orders: '📭 Você ainda não fez nenhum pedido aqui. Use /order_form para fazer um.',
  my_orders_heading: {
    one: '🧾 Seu pedido (mais recente primeiro):',
    other: '🧾 Seus últimos {count} pedidos (mais recentes primeiro):',
  },
  my_orders_track_link: '[rastrear](<{url}>)',
  my_orders_tracking: 'rastreio {number}',
  my_orders_cancel_button: 'Cancelar {reference}',
  confirm_cancel:
    '❓ Cancelar seu pedido {reference}? A loja é avisada na hora, e isso não pode ser desfeito.',
  confirm_cancel_yes: 'Sim, cancelar',
  confirm_cancel_keep: 'Manter',
  cancelled_by_customer: '🗑️ Seu pedido {reference} foi cancelado. A loja foi avisada.',
  kept: '👍 Seu pedido continua igual.',
  order_missing: '❌ Esse pedido não foi encontrado.',
  cannot_cancel:
    '❌ Este pedido já está {status}, então não pode mais ser cancelado aqui. Entre em contato com a loja.',
  customer_cancel_reason: 'Cancelado pelo cliente',

  staff_accept: 'Aceitar',
  staff_ship: 'Marcar como enviado',
  staff_deliver: 'Marcar como entregue',
  staff_cancel: 'Cancelar pedido',
  staff_ship_title: 'Enviar o pedido {reference}',
  staff_cancel_title: 'Cancelar o pedido {reference}',
  staff_tracking_number: 'Código de rastreio (opcional)',
  staff_tracking_url: 'Link de rastreio (opcional)',
  staff_reason: 'Motivo (o cliente vai ler)',
  staff_new_order: '🛒 Novo pedido de <@{user}>',
  staff_status: 'Status',
  staff_tracking: 'Rastreio',
  staff_reason_field: 'Motivo',
  staff_email: 'E-mail',
  staff_no_email: '⚠️ Nenhum e-mail de confirmação enviado',
  staff_order_title: 'Pedido {number} ({reference})',
  staff_order_title_own: 'Pedido {reference}',
  staff_notes: '**Observações:**',
  staff_no_notes: 'Sem observações.',
  staff_changed_by: '{status} · por {who} · {time}',
  staff_by_cli: 'o dono (CLI)',
  staff_by_someone: 'alguém',
  staff_language_note: 'Idioma do cliente',
  not_staff:
    '🚫 Só a equipe da loja pode alterar pedidos (membros com "Gerenciar servidor" ou um cargo da equipe). Nada foi alterado.',
  order_not_found: '❌ Esse pedido não foi encontrado (talvez tenha sido removido). Nada foi alterado.',
  already_changed: '⚠️ Já feito: este pedido agora está **{status}**. Nada mais foi alterado.',
  already_changed_by: '⚠️ Já feito: este pedido agora está **{status}**, por {who}. Nada mais foi alterado.',
  changed:
    '✅ O pedido {reference} agora está **{status}**. O cliente está sendo avisado, e a mensagem vai mostrar isso em instantes.',
  bad_tracking_url:
    '⚠️ O link de rastreio deve ser um endereço web que comece com http:// ou https://. Nada foi alterado: aperte **Marcar como enviado** de novo.',
  bad_tracking_url_kept:
    '⚠️ O link de rastreio deve ser um endereço web que comece com http:// ou https://. Nada foi alterado: aperte **Marcar como enviado** de novo (o código de rastreio que você digitou: {number}).',
  reason_required:
    '⚠️ É preciso um motivo para cancelar um pedido (o cliente vai ler). Nada foi alterado: aperte **Cancelar pedido** de novo.',

  mail_confirmation_title: '{shop}: confirmação do pedido',
  mail_confirmation_title_ref: '{shop}: confirmação do pedido {reference}',
  mail_thanks: 'Obrigado pelo seu pedido. Veja o que recebemos:',
  mail_questions_number: 'Dúvidas? Responda a este e-mail informando o número do seu pedido.',
  mail_questions_reference: 'Dúvidas? Responda a este e-mail informando a referência do seu pedido.',
  mail_why:
    'Você recebeu este e-mail porque alguém informou este endereço no formulário de pedidos do Discord da {shop}.',
  mail_not_you: 'Se não foi você, ignore este e-mail ou responda para nos avisar.',
  mail_status_title: '{shop}: o pedido {reference} está {status}',
  mail_tracking_number: 'Código de rastreio: {number}',
  mail_track_it: 'Rastrear: {url}',
  mail_reason: 'Motivo: {reason}',

  command_ping_name: 'ping',
  command_ping_description: 'Veja se o bot está online e qual a latência do gateway.',
  command_diagnostics_name: 'diagnostico',
  command_diagnostics_description: 'Veja o status do bot e as informações de diagnóstico.',
  command_order_form_name: 'formulario_pedido',
  command_order_form_description: 'Abra um formulário de pedido.',
  command_email_name: 'email',
  command_email_description: 'Para onde enviar a confirmação do seu pedido',
  command_my_orders_name: 'meus_pedidos',
  command_my_orders_description: 'Veja seus pedidos e a situação de cada um.',
};
