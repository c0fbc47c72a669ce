/**
 * `npm run bench:mail`: 1,000 confirmations to a local SMTP server (STARTTLS + AUTH, like a real
 * provider), once through the bot's pooled transport and once with a new connection per message
 * (the seed's approach: connect, STARTTLS, log in, send, quit). Prints messages per second.
 */
import { loadConfigFiles } from '../src/config.ts';
import { silentLogger } from '../src/log.ts';
import { createMailer } from '../src/mail/mailer.ts';
import { createSmtpTransport } from '../src/mail/transport.ts';
import { confirmationJob } from '../src/order/email.ts';
import { DEFAULT_FORM } from '../src/order/form.ts';
import { SAMPLE_ORDER } from '../src/order/sample.ts';
import { startSmtpServer } from '../test/support/smtp.ts';

const COUNT = Number(process.argv[2] ?? 1000);
const { config: shipped, template } = loadConfigFiles('config/defaults');

async function run(pool: boolean): Promise<{ perSecond: number; seconds: number; connections: number }> {
  const smtp = await startSmtpServer();
  const config = { ...shipped, smtp_server: smtp.host, smtp_port: smtp.port, mail_queue_size: COUNT };
  const credentials = { user: 'shop@example.test', pass: 'app-password' };
  const transport = createSmtpTransport(config, credentials, { pool, tls: { ca: [smtp.cert] } });
  const mailer = createMailer({ transport, from: credentials.user, log: silentLogger });
  const started = performance.now();
  // The pool queues the messages itself and sends them over at most 2 connections.
  await Promise.all(
    Array.from({ length: COUNT }, (_, i) =>
      mailer.send(
        confirmationJob(
          {
            email: `c${i}@example.com`,
            fields: { ...SAMPLE_ORDER.fields, order_number: `ORD-${i}` },
          },
          { config, template, form: DEFAULT_FORM },
        ),
      ),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  await smtp.waitForMessages(COUNT);
  mailer.close();
  const connections = smtp.connections;
  await smtp.close();
  return { perSecond: COUNT / seconds, seconds, connections };
}

const pooled = await run(true);
const single = await run(false);
const round = (n: number) => Math.round(n * 10) / 10;
console.log(`| transport | messages | seconds | messages/s | SMTP connections |`);
console.log(`| --- | ---: | ---: | ---: | ---: |`);
console.log(
  `| pooled (this bot) | ${COUNT} | ${round(pooled.seconds)} | ${round(pooled.perSecond)} | ${pooled.connections} |`,
);
console.log(
  `| new connection per message (seed) | ${COUNT} | ${round(single.seconds)} | ${round(single.perSecond)} | ${single.connections} |`,
);
console.log(
  `Pooled is ${round(pooled.perSecond / single.perSecond)}x the throughput of a connection per message.`,
);
