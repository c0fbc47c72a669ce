/**
 * @module test/support/services
 * The two servers most end-to-end suites run against: a fake Discord and a test SMTP server,
 * either shared by a suite's tests (which then run one at a time) or one pair per test (so tests
 * can run side by side: a bot on a shared fake would also receive the other test's interactions).
 */
import { after, before, type TestContext } from 'node:test';
import { type FakeDiscord, type FakeDiscordOptions, startFakeDiscord } from './fake-discord.ts';
import { startSmtpServer, type TestSmtpServer } from './smtp.ts';

/** A fake Discord and a test SMTP server. */
export interface FakeServices {
  discord: FakeDiscord;
  smtp: TestSmtpServer;
}

/** Starts both servers. */
async function startServices(options: FakeDiscordOptions): Promise<FakeServices> {
  return { discord: await startFakeDiscord(options), smtp: await startSmtpServer() };
}

/** Stops both servers; rejects with the fake Discord's list of nonconforming requests, if any. */
async function stopServices(services: FakeServices | undefined): Promise<void> {
  await services?.smtp.close();
  await services?.discord.close();
}

/** Registers the suite's before/after hooks; `started` receives both servers once they are up. */
export function useFakeServices(
  options: FakeDiscordOptions,
  started: (services: FakeServices) => void,
): void {
  let services: FakeServices | undefined;
  before(async () => {
    services = await startServices(options);
    started(services);
  });
  after(() => stopServices(services));
}

/** Starts both servers for the test `t` alone; they are stopped when it ends. */
export async function startFakeServices(
  t: TestContext,
  options: FakeDiscordOptions = {},
): Promise<FakeServices> {
  const services = await startServices(options);
  t.after(() => stopServices(services));
  return services;
}
