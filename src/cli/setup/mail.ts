/**
 * @module cli/setup/mail
 * The SMTP calls the wizard makes, behind {@link SetupMail} so its email step can be tested with a
 * fake: a login check as the bot connects (TLS as configured) and a sample confirmation sent with
 * the bot's own template and mailer.
 */
import { shippedFiles } from '../../config.ts';
import { silentLogger } from '../../log.ts';
import { createMailer } from '../../mail/mailer.ts';
import {
  checkSmtpLogin,
  createSmtpTransport,
  type LoginCheck,
  type SmtpConfig,
  type SmtpCredentials,
} from '../../mail/transport.ts';
import { confirmationJob } from '../../order/email.ts';
import { DEFAULT_FORM } from '../../order/form.ts';
import { SAMPLE_ORDER } from '../../order/sample.ts';

/** What the email step asks of the mail server. */
export interface SetupMail {
  /** Connects and logs in without sending; never throws. */
  checkLogin(smtp: SmtpConfig, credentials: SmtpCredentials): Promise<LoginCheck>;
  /** Sends the sample confirmation of `shopName` to `to`; rejects with a `MailError`. */
  sendSample(smtp: SmtpConfig, credentials: SmtpCredentials, to: string, shopName: string): Promise<void>;
}

/** The real thing: nodemailer, as the bot uses it. */
export function createSetupMail(): SetupMail {
  return {
    checkLogin: (smtp, credentials) => checkSmtpLogin(smtp, credentials),
    async sendSample(smtp, credentials, to, shopName) {
      const mailer = createMailer({
        transport: createSmtpTransport(smtp, credentials, { pool: false }),
        from: credentials.user,
        smtp,
        log: silentLogger,
      });
      try {
        const { config, template } = shippedFiles();
        await mailer.send(
          confirmationJob(
            { ...SAMPLE_ORDER, email: to },
            { config: { ...config, shop_name: shopName }, template, form: DEFAULT_FORM },
            1,
          ),
        );
      } finally {
        mailer.close();
      }
    },
  };
}
