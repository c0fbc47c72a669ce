/**
 * @module cli/send-test-email
 * Sends one sample confirmation through the configured SMTP server and prints the outcome:
 * `npm run send-test-email -- <address>`.
 */

import { loadDotEnv, readToolEnv } from '../config.ts';
import { isEmailAddress } from '../email-address.ts';
import { ConfigError } from '../errors.ts';
import { silentLogger } from '../log.ts';
import { createMailer } from '../mail/mailer.ts';
import { checkSmtpLogin, createSmtpTransport } from '../mail/transport.ts';
import { confirmationJob, loadShopSettings } from '../order/email.ts';
import { sampleOrder } from '../order/sample.ts';

async function run(): Promise<number> {
  const address = process.argv[2]?.trim() ?? '';
  if (!isEmailAddress(address)) {
    console.error(
      `${address ? `${JSON.stringify(address)} is not an email address. ` : ''}Usage: npm run send-test-email -- <address>   (for example you@example.com)`,
    );
    return 1;
  }
  loadDotEnv();
  const env = readToolEnv();
  const { config, template, form } = loadShopSettings(env.configDir);
  if (!env.senderEmail) {
    console.error('SENDER_EMAIL is not set: put it (and SENDER_PASSWORD) in .env or the environment.');
    return 1;
  }
  // Plain sentences only: the mailer's own log lines stay out of this tool's output.
  const log = silentLogger;
  const transport = createSmtpTransport(
    config,
    { user: env.senderEmail, pass: env.senderPassword },
    { pool: false },
  );
  // One attempt only: a person is waiting for the answer.
  const mailer = createMailer({ transport, from: env.senderEmail, smtp: config, log });
  console.log(`Connecting to ${config.smtp_server}:${config.smtp_port} (${config.smtp_security})...`);
  const login = await checkSmtpLogin(config, { user: env.senderEmail, pass: env.senderPassword });
  if (!login.ok) {
    console.error(`Not sent: ${login.error.message}`);
    mailer.close();
    return 1;
  }
  console.log(
    login.loggedIn
      ? `Connected, and logged in as ${env.senderEmail}.`
      : env.senderPassword
        ? 'Connected, but the server offered no login, so SENDER_PASSWORD was not used: mail goes out without logging in.'
        : 'Connected (no login: SENDER_PASSWORD is not set).',
  );
  try {
    await mailer.send(
      confirmationJob({ ...sampleOrder(form), email: address }, { config, template, form }, 1),
    );
    console.log(`Sent a sample confirmation to ${address}.`);
    return 0;
  } catch (error) {
    console.error(`Not sent: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    mailer.close();
  }
}

try {
  process.exitCode = await run();
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : String(error));
  process.exitCode = 1;
}
