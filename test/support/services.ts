/**
 * @module test/support/services
 * The two servers most end-to-end suites run against: a fake Discord and a test SMTP server,
 * started before the suite's tests and stopped after them.
 */
import { after, before } from 'node:test';
import { type FakeDiscord, type FakeDiscordOptions, startFakeDiscord } from './fake-discord.ts';
import { startSmtpServer, type TestSmtpServer } from './smtp.ts';

/** Registers the suite's before/after hooks; `started` receives both servers once they are up. */
export function useFakeServices(
  options: FakeDiscordOptions,
  started: (services: { discord: FakeDiscord; smtp: TestSmtpServer }) => void,
): void {
  let services: { discord: FakeDiscord; smtp: TestSmtpServer } | undefined;
  before(async () => {
    services = { discord: await startFakeDiscord(options), smtp: await startSmtpServer() };
    started(services);
  });
  after(async () => {
    await services?.smtp.close();
    await services?.discord.close();
  });
}
