/**
 * The setup wizard's parts in-process: flags, prompts (a secret is not echoed), each step with a
 * fake io, a fake Discord and a fake mail server, the files checked with the bot's own rules, and
 * the whole run in a temporary folder. No network, no terminal.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import { readEnvAsNode } from '../../src/cli/env-file.ts';
import type { SetupDiscord } from '../../src/cli/setup/discord.ts';
import { SetupDiscordError } from '../../src/cli/setup/discord.ts';
import { planFiles, type SetupAnswers } from '../../src/cli/setup/files.ts';
import { parseSetupFlags, UsageError } from '../../src/cli/setup/flags.ts';
import type { SetupMail } from '../../src/cli/setup/mail.ts';
import {
  ask,
  choose,
  createTerminalIo,
  SetupCancelled,
  SetupError,
  type SetupIo,
} from '../../src/cli/setup/prompt.ts';
import { runSetup } from '../../src/cli/setup/run.ts';
import {
  askShopName,
  askSmtpServer,
  checkToken,
  pickChannel,
  pickGuilds,
  runStep,
  setupEmail,
} from '../../src/cli/setup/steps.ts';
import { loadConfigFiles, readEnv } from '../../src/config.ts';
import { MailError } from '../../src/errors.ts';
import type { SmtpConfig, SmtpCredentials } from '../../src/mail/transport.ts';

const TOKEN = 'MTIz.token-value';
const GUILD = { id: '111111111111111111', name: 'Acme HQ' };
const OTHER = { id: '222222222222222222', name: 'Friends' };
const STAFF = { id: '333333333333333333', name: 'staff' };
const GENERAL = { id: '444444444444444444', name: 'general' };

/** An io that answers from a list and records what was said and asked. */
function fakeIo(answers: string[] = [], interactive = true) {
  const said: string[] = [];
  const asked: { prompt: string; secret: boolean }[] = [];
  const io: SetupIo = {
    interactive,
    say: (text = '') => {
      said.push(text);
    },
    readLine: async (prompt, { secret = false } = {}) => {
      asked.push({ prompt, secret });
      const answer = answers.shift();
      if (answer === undefined) throw new SetupError('no answer (input closed)');
      return answer;
    },
  };
  return { io, said, asked, answers };
}

/** A Discord that knows one token, two servers and two channels; `denied` channels refuse posts. */
function fakeDiscord(options: { guilds?: (typeof GUILD)[]; denied?: string[]; isPublic?: boolean } = {}) {
  const calls = { tokens: [] as string[], posts: [] as string[], registered: [] as string[], closed: 0 };
  const guilds = options.guilds ?? [GUILD, OTHER];
  const connect = ({ token }: { token: string; apiUrl?: string }): SetupDiscord => {
    calls.tokens.push(token);
    const known = token === TOKEN;
    const rejected = () =>
      new SetupDiscordError('Discord answered GET /users/@me with 401 Unauthorized', 401);
    return {
      whoAmI: async () => {
        if (!known) throw rejected();
        return {
          username: 'Order Bot',
          applicationId: '555555555555555555',
          isPublic: options.isPublic ?? false,
        };
      },
      guilds: async () => guilds,
      textChannels: async (guildId) => (guildId === GUILD.id ? [STAFF, GENERAL] : []),
      post: async (channelId) => {
        if (options.denied?.includes(channelId)) {
          throw new SetupDiscordError('Discord answered POST /channels/:id/messages with 403 Forbidden', 403);
        }
        calls.posts.push(channelId);
      },
      registerCommands: async (_app, guildId) => {
        calls.registered.push(guildId);
      },
      close: () => {
        calls.closed++;
      },
    };
  };
  return { connect, calls };
}

/** A mail server that takes `password` for any address and records the samples. */
function fakeMail(password = 'app-password') {
  const calls = {
    logins: [] as { smtp: SmtpConfig; credentials: SmtpCredentials }[],
    samples: [] as { to: string; shopName: string }[],
  };
  const mail: SetupMail = {
    checkLogin: async (smtp, credentials) => {
      calls.logins.push({ smtp, credentials });
      if (smtp.smtp_security === 'none') return { ok: true, loggedIn: false };
      return credentials.pass === password
        ? { ok: true, loggedIn: true }
        : { ok: false, error: new MailError(`${smtp.smtp_server}: login refused (535)`, 'auth', 535) };
    },
    sendSample: async (_smtp, _credentials, to, shopName) => {
      calls.samples.push({ to, shopName });
    },
  };
  return { mail, calls };
}

describe('setup flags', () => {
  test('every flag, checked and typed; --guild repeats and takes comma-separated lists', () => {
    const flags = parseSetupFlags([
      ...['--token', TOKEN, '--guild', `${GUILD.id}, ${OTHER.id}`, '--guild', '3', '--channel', 'staff'],
      ...[
        '--shop-name',
        'Acme',
        '--smtp',
        'custom',
        '--smtp-host',
        'mail.example.com',
        '--smtp-port',
        '2525',
      ],
      ...['--smtp-security', 'tls', '--sender-email', 'shop@example.com', '--sender-password', ' p#w '],
      ...['--test-email', 'me@example.com'],
    ]);
    assert.deepEqual(flags, {
      help: false,
      noEmail: false,
      token: TOKEN,
      guilds: [GUILD.id, OTHER.id, '3'],
      channel: 'staff',
      shopName: 'Acme',
      smtp: 'custom',
      smtpHost: 'mail.example.com',
      smtpPort: 2525,
      smtpSecurity: 'tls',
      senderEmail: 'shop@example.com',
      senderPassword: ' p#w ',
      testEmail: 'me@example.com',
    });
    assert.deepEqual(parseSetupFlags(['-h', '--no-email']), { help: true, noEmail: true });
    assert.deepEqual(parseSetupFlags(['--token=-starts-with-a-dash']).token, '-starts-with-a-dash');
  });

  test('a bad command line is one short line naming the flag', () => {
    const bad: [string[], string][] = [
      [['--smtp-security', 'foo'], '--smtp-security: expected one of starttls, tls, none, got "foo"'],
      [
        ['--smtp-security', 'STARTTLS'],
        '--smtp-security: expected one of starttls, tls, none, got "STARTTLS"',
      ],
      [
        ['--smtp', 'aol'],
        '--smtp: expected one of gmail, outlook, custom-465, custom-587, custom, local, got "aol"',
      ],
      [['--smtp-port', '0'], '--smtp-port: expected a port number 1-65535, got "0"'],
      [['--smtp-port', '25x'], '--smtp-port: expected a port number 1-65535, got "25x"'],
      [['--sender-email', 'nope'], '--sender-email: expected an email address, got "nope"'],
      [['--test-email', 'a@b'], '--test-email: expected an email address, got "a@b"'],
      [['--frobnicate'], 'unknown flag --frobnicate'],
      [['-x'], 'unknown flag -x'],
      [
        ['--channel'],
        '--channel: expected a value after it (one starting with - is written --channel=-value)',
      ],
      [
        ['--token', '--help'],
        '--token: expected a value after it (one starting with - is written --token=-value)',
      ],
      [['--no-email=yes'], '--no-email: takes no value'],
      [['gmail'], 'unexpected argument gmail (every value follows its flag)'],
    ];
    for (const [args, message] of bad) {
      assert.throws(
        () => parseSetupFlags(args),
        (error: Error) => error instanceof UsageError && error.message === message,
        args.join(' '),
      );
    }
  });
});

describe('setup prompts', () => {
  const terminal = () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let shown = '';
    output.setEncoding('utf8').on('data', (chunk: string) => {
      shown += chunk;
    });
    const io = createTerminalIo({ input, output, interactive: true, terminal: true });
    return { io, input, shown: () => shown };
  };

  test('on a terminal a secret is read with the echo muted: the prompt shows, what is typed does not', async () => {
    const { io, input, shown } = terminal();
    try {
      const secret = io.readLine('Password: ', { secret: true });
      input.write('hunter2 #x');
      input.write('\r');
      assert.equal(await secret, 'hunter2 #x');
      assert.match(shown(), /Password: \(hidden\) \n$/);
      assert.doesNotMatch(shown(), /hunter2/);

      // The control: an ordinary answer is echoed as typed.
      const name = io.readLine('Shop name: ');
      input.write('Acme\r');
      assert.equal(await name, 'Acme');
      assert.match(shown(), /Acme/);
    } finally {
      io.close();
    }
  });

  test('ask() keeps a secret as typed (spaces at its ends are part of a password), and trims other answers', async () => {
    const { io, asked } = fakeIo(['  pass word  ', '  Acme  ']);
    assert.equal(await ask(io, 'Password', { secret: true }), '  pass word  ');
    assert.equal(await ask(io, 'Shop name'), 'Acme');
    assert.deepEqual(
      asked.map((a) => a.secret),
      [true, false],
    );
  });

  test('Ctrl-C at a question cancels setup; input that ends is "no answer"', async () => {
    const { io, input } = terminal();
    const answer = io.readLine('Shop name: ');
    input.write('\x03');
    await assert.rejects(answer, SetupCancelled);
    io.close();

    const second = terminal();
    const pending = second.io.readLine('Shop name: ');
    second.input.end();
    await assert.rejects(
      pending,
      (error: Error) => error instanceof SetupError && /input closed/.test(error.message),
    );
  });

  test('answers piped in all at once are read in order, none lost', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    input.end('first\nsecond\n');
    const io = createTerminalIo({ input, output, interactive: true, terminal: false });
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(await io.readLine('1: '), 'first');
    assert.equal(await io.readLine('2: ', { secret: true }), 'second');
    await assert.rejects(io.readLine('3: '), /input closed/);
    io.close();
  });

  test('ask(): a given value wins; without someone to ask, the default, or an error naming the flag', async () => {
    const { io, asked } = fakeIo(['', 'typed']);
    assert.equal(await ask(io, 'Port', { given: '2525', fallback: '587' }), '2525');
    assert.equal(await ask(io, 'Port', { fallback: '587' }), '587');
    assert.equal(await ask(io, 'Port', { fallback: '587' }), 'typed');
    assert.deepEqual(
      asked.map((a) => a.prompt),
      ['Port [587]: ', 'Port [587]: '],
    );
    const nobody = fakeIo([], false).io;
    assert.equal(await ask(nobody, 'Port', { fallback: '587' }), '587');
    await assert.rejects(
      ask(nobody, 'Shop name', { flag: '--shop-name' }),
      (error: Error) =>
        error instanceof SetupError &&
        error.message === 'Shop name: not given (add --shop-name; see npm run setup -- --help)',
    );
  });

  test('choose(): a numbered list, picked by number or key (several with many), anything else refused', async () => {
    const choices = [
      { label: 'Acme HQ', keys: [GUILD.id, 'Acme HQ'], value: GUILD },
      { label: 'Friends', keys: [OTHER.id], value: OTHER },
    ];
    const { io, said } = fakeIo(['2', 'acme hq', `1, ${OTHER.id}`, '3']);
    assert.deepEqual(await choose(io, 'Server', choices), [OTHER]);
    assert.deepEqual(said.slice(0, 2), ['   1. Acme HQ', '   2. Friends']);
    assert.deepEqual(await choose(io, 'Server', choices), [GUILD]);
    assert.deepEqual(await choose(io, 'Server', choices, { many: true }), [GUILD, OTHER]);
    await assert.rejects(
      choose(io, 'Server', choices),
      /"3" is not on the list: answer a number or a name from it \(1-2\)/,
    );
    const quiet = fakeIo([]);
    assert.deepEqual(await choose(quiet.io, 'Server', choices, { given: OTHER.id }), [OTHER]);
    assert.deepEqual(quiet.said, [], 'a given value shows no list');
  });
});

describe('setup steps', () => {
  test('runStep(): a failure is said and the step asked again; without someone to ask it stops, naming the step', async () => {
    const { io, said } = fakeIo();
    let runs = 0;
    const value = await runStep(io, '9. Test', async (attempt) => {
      runs++;
      if (attempt < 3) throw new Error(`no ${attempt}`);
      return attempt;
    });
    assert.equal(value, 3);
    assert.equal(runs, 3);
    assert.deepEqual(said, [
      '\n== 9. Test',
      '   ✗ no 1',
      '   Let us try that step again.',
      '   ✗ no 2',
      '   Let us try that step again.',
    ]);
    await assert.rejects(
      runStep(fakeIo([], false).io, '9. Test', async () => {
        throw new Error('broken');
      }),
      (error: Error) => error instanceof SetupError && error.message === '9. Test: broken',
    );
    let tries = 0;
    await assert.rejects(
      runStep(io, '9. Test', async () => {
        tries++;
        throw new Error('always');
      }),
      /9\. Test: always/,
    );
    assert.equal(tries, 5);
  });

  test('checkToken(): asked hidden, pasted quotes and "Bot " undone, checked; a rejected token closes its client', async () => {
    const discord = fakeDiscord({ isPublic: true });
    const { io, asked, said } = fakeIo([`"Bot ${TOKEN}"`]);
    const bot = await checkToken(io, (token) => discord.connect({ token }));
    assert.equal(bot.token, TOKEN);
    assert.deepEqual(asked[0]?.secret, true);
    assert.ok(
      said.includes('   ✓ Discord knows this token: the bot is Order Bot (application 555555555555555555).'),
    );
    assert.ok(said.some((line) => line.startsWith('   ⚠ Public Bot is on')));
    assert.ok(
      said.includes(
        '   https://discord.com/oauth2/authorize?client_id=555555555555555555&scope=bot+applications.commands&permissions=19456',
      ),
    );
    await assert.rejects(
      checkToken(fakeIo().io, (token) => discord.connect({ token }), 'wrong'),
      /401 Unauthorized/,
    );
    assert.equal(discord.calls.closed, 1);
  });

  test('pickGuilds(): several by number or ID; one server is taken without asking; none waits for the invite', async () => {
    const discord = fakeDiscord().connect({ token: TOKEN });
    assert.deepEqual(await pickGuilds(fakeIo(['1,2']).io, discord), [GUILD, OTHER]);
    assert.deepEqual(await pickGuilds(fakeIo().io, discord, [OTHER.id]), [OTHER]);
    await assert.rejects(pickGuilds(fakeIo([], false).io, discord), /--guild/);

    const single = fakeDiscord({ guilds: [GUILD] }).connect({ token: TOKEN });
    assert.deepEqual(await pickGuilds(fakeIo([], false).io, single), [GUILD]);

    let calls = 0;
    const joinsLater: SetupDiscord = { ...single, guilds: async () => (calls++ === 0 ? [] : [GUILD]) };
    const waiting = fakeIo(['', '']);
    assert.deepEqual(await pickGuilds(waiting.io, joinsLater), [GUILD]);
    assert.match(waiting.asked[0]!.prompt, /Press Enter when it has joined/);
    await assert.rejects(
      pickGuilds(fakeIo([], false).io, { ...single, guilds: async () => [] }),
      /the bot is in no server yet/,
    );
  });

  test('pickChannel(): by number, name or ID, checked by posting; a refused post says which channel and why', async () => {
    const { connect, calls } = fakeDiscord({ denied: [GENERAL.id] });
    const discord = connect({ token: TOKEN });
    assert.deepEqual(await pickChannel(fakeIo(['#staff']).io, discord, GUILD), STAFF);
    assert.deepEqual(await pickChannel(fakeIo(['1']).io, discord, GUILD), STAFF);
    assert.deepEqual(await pickChannel(fakeIo().io, discord, GUILD, STAFF.id), STAFF);
    assert.deepEqual(calls.posts, [STAFF.id, STAFF.id, STAFF.id]);
    await assert.rejects(
      pickChannel(fakeIo(['general']).io, discord, GUILD),
      /^Error: posting in #general failed: Discord answered POST .* 403 Forbidden$/,
    );
    await assert.rejects(pickChannel(fakeIo(['random']).io, discord, GUILD), /"random" is not on the list/);
    await assert.rejects(pickChannel(fakeIo().io, discord, OTHER), /Friends has no text channel/);
  });

  test("askShopName(): the bot's own rule (trimmed, 1-100 characters)", async () => {
    assert.equal(await askShopName(fakeIo(['  Acme Sneakers  ']).io), 'Acme Sneakers');
    await assert.rejects(
      askShopName(fakeIo().io, 'x'.repeat(101)),
      /shop_name: expected at most 100 characters/,
    );
  });

  test('askSmtpServer(): presets; "custom" asks the security from a list, defaulting by port', async () => {
    assert.deepEqual(await askSmtpServer(fakeIo([], false).io, { provider: 'gmail' }), {
      smtp_server: 'smtp.gmail.com',
      smtp_port: 587,
      smtp_security: 'starttls',
    });
    const typed = fakeIo(['5', 'mail.example.com', '2465', '2']);
    assert.deepEqual(await askSmtpServer(typed.io), {
      smtp_server: 'mail.example.com',
      smtp_port: 2465,
      smtp_security: 'tls',
    });
    assert.ok(typed.said.includes('   2. tls: TLS from the first byte (usually port 465)'));
    // Without someone to ask: a host alone means "custom", port 465 means TLS.
    assert.deepEqual(await askSmtpServer(fakeIo([], false).io, { host: 'mail.example.com', port: 465 }), {
      smtp_server: 'mail.example.com',
      smtp_port: 465,
      smtp_security: 'tls',
    });
    await assert.rejects(
      askSmtpServer(fakeIo(['4', 'mail.example.com', 'abc']).io),
      /smtp_port: expected an integer 1-65535, got "abc"/,
    );
  });

  test('"local" (no encryption) with a host on another machine is refused before any login: no password crosses the network in clear', async () => {
    const { mail, calls } = fakeMail();
    for (const given of [
      { provider: 'local', host: 'mail.example.com' },
      { provider: 'custom-587', host: '10.0.0.5', security: 'none' },
      { provider: 'custom', host: 'smtp.example.net', security: 'none' },
    ] as const) {
      await assert.rejects(
        setupEmail(fakeIo([], false).io, mail, 'Acme', { ...given, sender: 'a@example.com', password: 'pw' }),
        /is not on this machine, .*smtp_security "none" needs a loopback host\): pick custom-587 \(STARTTLS\) or custom-465 \(TLS\)$/,
      );
    }
    assert.deepEqual(calls.logins, []);
    // On this machine it is what the bot allows, and no password is asked.
    const { io, asked } = fakeIo(['', '']);
    const local = await setupEmail(io, mail, 'Acme', { provider: 'local', sender: 'shop@example.com' });
    assert.deepEqual(local.smtp, { smtp_server: '127.0.0.1', smtp_port: 25, smtp_security: 'none' });
    assert.equal(local.password, '');
    assert.deepEqual(
      asked.map((a) => a.prompt),
      ['SMTP server [127.0.0.1]: ', 'SMTP port [25]: '],
    );
  });

  test('setupEmail(): the password is asked hidden, checked by a login, and a sample goes to the test address', async () => {
    const { mail, calls } = fakeMail();
    const { io, asked, said } = fakeIo(['1', '', '', 'Shop@Example.com', 'app-password']);
    const email = await setupEmail(io, mail, 'Acme', { testEmail: 'me@example.com' });
    assert.deepEqual(email, {
      smtp: { smtp_server: 'smtp.gmail.com', smtp_port: 587, smtp_security: 'starttls' },
      sender: 'Shop@example.com',
      password: 'app-password',
    });
    assert.deepEqual(
      asked.map((a) => [a.prompt, a.secret]),
      [
        ['Email provider (a number or a name): ', false],
        ['SMTP server [smtp.gmail.com]: ', false],
        ['SMTP port [587]: ', false],
        ['Sending address (SENDER_EMAIL): ', false],
        ['Password (SENDER_PASSWORD; Gmail: an app password): ', true],
      ],
    );
    assert.ok(said.includes('   ✓ Logged in to smtp.gmail.com as Shop@example.com.'));
    assert.deepEqual(calls.samples, [{ to: 'me@example.com', shopName: 'Acme' }]);

    await assert.rejects(
      setupEmail(fakeIo([], false).io, mail, 'Acme', {
        provider: 'gmail',
        sender: 'a@example.com',
        password: 'wrong',
      }),
      /login refused \(535\)/,
    );
    const logins = calls.logins.length;
    await assert.rejects(
      setupEmail(fakeIo([], false).io, mail, 'Acme', {
        provider: 'gmail',
        sender: 'a@example.com',
        password: 'two\nlines',
      }),
      /this password cannot be written to \.env: it contains a line break/,
    );
    assert.equal(calls.logins.length, logins, 'refused before a login was tried');
  });
});

describe('setup files', () => {
  const answers = (overrides: Partial<SetupAnswers> = {}): SetupAnswers => ({
    token: TOKEN,
    apiUrl: 'https://discord.com/api',
    guilds: [GUILD],
    channel: STAFF,
    shopName: 'Acme',
    email: {
      smtp: { smtp_server: 'smtp.gmail.com', smtp_port: 587, smtp_security: 'starttls' },
      sender: 'shop@example.com',
      password: 'pa ss#word',
    },
    ...overrides,
  });
  const paths = { envPath: '/srv/shop/.env', configPath: '/srv/shop/config/local/config.json' };
  const files =
    (texts: Record<string, string>) =>
    (path: string): string | undefined =>
      texts[path];

  test('the owner’s other keys and lines are kept; what the bot reads back is what setup checked', () => {
    const plan = planFiles(
      answers(),
      paths,
      files({
        [paths.envPath]: 'DATA_DIR=/srv/data\nSENDER_PASSWORD=old\n',
        [paths.configPath]: JSON.stringify({ _comment: 'mine', order_summary: 'public', shop_name: 'Old' }),
      }),
    );
    assert.deepEqual(JSON.parse(plan.configText), {
      _comment: 'mine',
      order_summary: 'public',
      shop_name: 'Acme',
      allowed_guild_ids: [GUILD.id],
      orders_channel_id: STAFF.id,
      smtp_server: 'smtp.gmail.com',
      smtp_port: 587,
      smtp_security: 'starttls',
    });
    assert.equal(
      plan.envText,
      `DATA_DIR=/srv/data\nDISCORD_BOT_TOKEN=${TOKEN}\nSENDER_EMAIL=shop@example.com\nSENDER_PASSWORD='pa ss#word'\n`,
    );
  });

  test('a config the bot would refuse is not planned: an existing bad key, invalid JSON, a bad .env line', () => {
    assert.throws(
      () =>
        planFiles(answers(), paths, files({ [paths.configPath]: JSON.stringify({ order_summary: 'loud' }) })),
      (error: Error) =>
        error instanceof SetupError &&
        /^the bot would refuse this config: \/srv\/shop\/config\/local\/config\.json: order_summary: expected "ephemeral" or "public", got "loud"/.test(
          error.message,
        ),
    );
    assert.throws(
      () => planFiles(answers(), paths, files({ [paths.configPath]: '{"shop_name": ' })),
      /config\.json: invalid JSON .*: fix it, or move it away/,
    );
    assert.throws(
      () => planFiles(answers(), paths, files({ [paths.envPath]: 'LOG_LEVEL=loud\n' })),
      /^SetupError: \/srv\/shop\/\.env: LOG_LEVEL: expected one of/,
    );
    // The rule the bot starts with: no encryption only for a loopback host.
    assert.throws(
      () =>
        planFiles(
          answers({
            email: {
              smtp: { smtp_server: 'mail.example.com', smtp_port: 25, smtp_security: 'none' },
              sender: 'shop@example.com',
              password: '',
            },
          }),
          paths,
          files({}),
        ),
      /smtp_security: "none" \(no encryption\) is allowed only for a loopback host/,
    );
  });

  test('an older DISCORD_API_URL line is replaced by the one setup checked', () => {
    const plan = planFiles(
      answers(),
      paths,
      files({ [paths.envPath]: 'DISCORD_API_URL=http://127.0.0.1:9/api\n' }),
    );
    assert.match(plan.envText, /^DISCORD_API_URL=https:\/\/discord\.com\/api$/m);
  });
});

describe('the whole run, in-process', () => {
  test('typed answers (a wrong token and a refused channel asked again) write files the bot loads', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'order-bot-setup-steps-'));
    writeFileSync(join(cwd, '.env'), 'LOG_LEVEL=debug\n');
    const discord = fakeDiscord({ denied: [GENERAL.id] });
    const { mail, calls: mailCalls } = fakeMail();
    const { io, said } = fakeIo([
      'wrong-token',
      TOKEN,
      '1',
      'general',
      'staff',
      'Acme Sneakers',
      'gmail',
      '',
      '',
      'shop@example.com',
      'app-password',
    ]);
    const written = await runSetup({
      io,
      flags: parseSetupFlags(['--test-email', 'me@example.com']),
      env: {},
      connect: discord.connect,
      mail,
      cwd,
    });
    assert.equal(said.filter((line) => line === '   Let us try that step again.').length, 2);
    assert.deepEqual(discord.calls.registered, [GUILD.id]);
    assert.equal(discord.calls.closed, 2, 'the rejected client and the one used');
    assert.deepEqual(mailCalls.samples, [{ to: 'me@example.com', shopName: 'Acme Sneakers' }]);

    assert.equal(statSync(written.envPath).mode & 0o777, 0o600);
    const env = readEnv(readEnvAsNode(readFileSync(written.envPath, 'utf8')));
    assert.equal(env.token, TOKEN);
    assert.equal(env.logLevel, 'debug');
    const { config } = loadConfigFiles(join(cwd, 'config', 'local'));
    assert.equal(config.shop_name, 'Acme Sneakers');
    assert.equal(config.orders_channel_id, STAFF.id);
    assert.deepEqual(config.allowed_guild_ids, [GUILD.id]);
    assert.equal(config.smtp_server, 'smtp.gmail.com');
  });

  test('without questions, a step that cannot work stops naming it; nothing is written or registered', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'order-bot-setup-steps-'));
    const discord = fakeDiscord();
    await assert.rejects(
      runSetup({
        io: fakeIo([], false).io,
        flags: parseSetupFlags([
          ...['--token', TOKEN, '--guild', GUILD.id, '--channel', STAFF.id, '--shop-name', 'Acme'],
          ...['--smtp', 'local', '--smtp-host', 'mail.example.com', '--sender-email', 'a@example.com'],
        ]),
        env: {},
        connect: discord.connect,
        mail: fakeMail().mail,
        cwd,
      }),
      (error: Error) =>
        error instanceof SetupError &&
        error.message.startsWith(
          '5. Email (the confirmation customers receive): mail.example.com is not on this machine',
        ),
    );
    assert.deepEqual(discord.calls.registered, []);
    assert.equal(discord.calls.closed, 1);
    assert.ok(!existsSync(join(cwd, '.env')) && !existsSync(join(cwd, 'config')));
  });
});
