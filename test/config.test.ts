import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { CONFIG_DEFAULTS, cleanEnv, isLoopback, loadConfigFiles, readEnv } from '../src/config.ts';
import { ConfigError } from '../src/errors.ts';
import { loadShopSettings } from '../src/order/email.ts';

const TEMPLATE = { subject: 'Order {{order_number}}', html_body: '<p>{{ order_number }}</p>' };

function dirWith(config: unknown, template: unknown = TEMPLATE, rawConfig?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'config-test-'));
  writeFileSync(join(dir, 'config.json'), rawConfig ?? JSON.stringify(config));
  writeFileSync(join(dir, 'email_template.json'), JSON.stringify(template));
  return dir;
}

function configError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    return error.message;
  }
  assert.fail('expected a ConfigError');
}

describe('config.json', () => {
  test('the shipped config folder is valid', () => {
    const { config, template } = loadConfigFiles('config/defaults');
    assert.equal(config.smtp_port, 587);
    assert.ok(template.html_body.includes('{{order_number}}'));
  });

  test('only smtp_server and smtp_port are required; the rest get the documented defaults', () => {
    const { config } = loadConfigFiles(dirWith({ smtp_server: 'smtp.example.com', smtp_port: 587 }));
    assert.equal(config.smtp_security, CONFIG_DEFAULTS.smtp_security);
    assert.equal(config.order_summary, 'ephemeral');
    assert.equal(config.shop_name, 'Our Shop');
    assert.deepEqual(config.allowed_role_ids, []);
    assert.equal(config.order_cooldown_seconds, 60);
    assert.equal(config.daily_order_limit, 10);
    assert.equal(config.session_ttl_seconds, 900);
    assert.equal(config.max_sessions, 1000);
    assert.equal(config.shard_count, 'auto');
    assert.equal(config.mail_max_attempts, 5);
    assert.deepEqual(config.allowed_guild_ids, []);
    assert.deepEqual(config.image_hosts, []);
    assert.equal(config.recipient_daily_limit, 3);
    assert.equal(config.server_hourly_limit, 10);
    assert.equal(config.mail_hourly_limit, 20);
    assert.equal(config.retention_days, 365);
    assert.equal(config.rest_requests_per_second, 50);
  });

  test('a wrong type names file, field, expectation and the value found', () => {
    const dir = dirWith({ smtp_server: 'smtp.example.com', smtp_port: 'abc' });
    assert.equal(
      configError(() => loadConfigFiles(dir)),
      `${dir}/config.json: smtp_port: expected an integer 1-65535, got "abc"`,
    );
  });

  test('every problem is listed, including nested paths and unknown keys', () => {
    const dir = dirWith({
      smtp_server: 'h',
      smtp_port: 70000,
      allowed_role_ids: ['123', 5],
      smtp_sever: 'typo',
    });
    const message = configError(() => loadConfigFiles(dir));
    assert.match(message, /config\.json: smtp_port: expected an integer 1-65535, got 70000/);
    assert.match(
      message,
      /config\.json: allowed_role_ids\.0: expected a Discord ID \(a string of 17-20 digits\), got "123"/,
    );
    assert.match(message, /config\.json: allowed_role_ids\.1: expected a Discord ID/);
    assert.match(message, /config\.json: smtp_sever: unknown key \(did you mean smtp_server\?\)/);
  });

  test('a key the owner leaves out falls back to the shipped default; so does a missing file', () => {
    const dir = dirWith({ shop_name: 'Acme' });
    const { config } = loadConfigFiles(dir);
    assert.equal(config.shop_name, 'Acme');
    assert.equal(config.smtp_server, 'smtp.gmail.com', 'from config/defaults');
    const empty = mkdtempSync(join(tmpdir(), 'config-test-'));
    const defaults = loadConfigFiles(empty);
    assert.equal(defaults.config.smtp_port, 587);
    assert.ok(defaults.template.html_body.includes('{{order_number}}'), 'the shipped template');
  });

  test('every unknown key is reported at once, with a suggestion when it looks like a typo', () => {
    const dir = dirWith({ shop_nme: 'x', orders_chanel_id: '1', wholly_unknown_setting: 1 });
    const message = configError(() => loadConfigFiles(dir));
    assert.equal(
      message,
      [
        `${dir}/config.json: shop_nme: unknown key (did you mean shop_name?); keys starting with "_" are comments`,
        `${dir}/config.json: orders_chanel_id: unknown key (did you mean orders_channel_id?); keys starting with "_" are comments`,
        `${dir}/config.json: wholly_unknown_setting: unknown key; keys starting with "_" are comments`,
      ].join('\n'),
    );
  });

  test('invalid JSON reports line and column', () => {
    const dir = dirWith(undefined, TEMPLATE, '{\n  "smtp_server": "x",\n  "smtp_port" 587\n}');
    assert.match(
      configError(() => loadConfigFiles(dir)),
      /config\.json: invalid JSON: .* at line 3, column 15/,
    );
  });

  test('a CONFIG_DIR that does not exist says so', () => {
    assert.match(
      configError(() => loadConfigFiles('/nonexistent-dir')),
      /CONFIG_DIR \/nonexistent-dir: no such folder/,
    );
  });

  test('smtp_security "none" is refused for a remote host and allowed on loopback', () => {
    const remote = dirWith({ smtp_server: 'smtp.example.com', smtp_port: 25, smtp_security: 'none' });
    assert.match(
      configError(() => loadConfigFiles(remote)),
      /smtp_security: "none" .* only for a loopback host/,
    );
    const local = dirWith({ smtp_server: '127.0.0.1', smtp_port: 25, smtp_security: 'none' });
    assert.equal(loadConfigFiles(local).config.smtp_security, 'none');
    assert.ok(isLoopback('localhost') && isLoopback('127.0.0.2') && isLoopback('::1'));
    assert.ok(!isLoopback('10.0.0.1') && !isLoopback('mail.localhost.example'));
  });

  test('keys starting with _ are comments', () => {
    const { config } = loadConfigFiles(dirWith({ _comment: 'hi', smtp_server: 'h', smtp_port: 1 }));
    assert.equal(config.smtp_server, 'h');
  });
});

describe('email_template.json', () => {
  test('an unknown placeholder lists the unknown and the known names', () => {
    const dir = dirWith(
      { smtp_server: 'h', smtp_port: 1 },
      { subject: '{{ordr_number}}', html_body: '{{ price }}' },
    );
    const message = configError(() => loadShopSettings(dir));
    assert.match(
      message,
      /email_template\.json: unknown placeholders \{\{ordr_number\}\}, \{\{price\}\}; known placeholders: order_number, /,
    );
  });

  test('a template key the owner leaves out falls back to the shipped one', () => {
    const dir = dirWith({ smtp_server: 'h', smtp_port: 1 }, { subject: 'Order {{order_id}}' });
    const { template } = loadConfigFiles(dir);
    assert.equal(template.subject, 'Order {{order_id}}');
    assert.ok(template.html_body.includes('{{product_image}}'), 'the shipped body');
    assert.match(
      configError(() => loadConfigFiles(dirWith({}, { subject: 'x', html_bdy: 'y' }))),
      /email_template\.json: html_bdy: unknown key \(did you mean html_body\?\)/,
    );
  });
});

describe('environment', () => {
  test('a missing or blank token is the exact critical error', () => {
    assert.equal(
      configError(() => readEnv({})),
      'CRITICAL ERROR: DISCORD_BOT_TOKEN not found',
    );
    assert.equal(
      configError(() => readEnv({ DISCORD_BOT_TOKEN: '  ' })),
      'CRITICAL ERROR: DISCORD_BOT_TOKEN not found',
    );
  });

  test('defaults and overrides', () => {
    const env = readEnv({ DISCORD_BOT_TOKEN: 't' });
    assert.equal(env.apiUrl, 'https://discord.com/api');
    assert.equal(env.configDir, './config/local');
    assert.equal(env.logLevel, 'info');
    assert.equal(env.healthPort, undefined);
    const custom = readEnv({
      DISCORD_BOT_TOKEN: 't',
      DISCORD_API_URL: 'http://127.0.0.1:1/api/',
      LOG_LEVEL: 'DEBUG',
      HEALTH_PORT: '9464',
    });
    assert.equal(custom.apiUrl, 'http://127.0.0.1:1/api');
    assert.equal(custom.logLevel, 'debug');
    assert.equal(custom.healthPort, 9464);
    assert.equal(env.interactions, undefined, 'no HTTP endpoint unless INTERACTIONS_PORT is set');
    assert.equal(env.gateway, true, 'the gateway is on by default');
    const key = 'AB'.repeat(32);
    const replica = readEnv({
      DISCORD_BOT_TOKEN: 't',
      INTERACTIONS_PORT: '8080',
      DISCORD_PUBLIC_KEY: key,
      DISCORD_GATEWAY: 'OFF',
    });
    assert.deepEqual(replica.interactions, { port: 8080, host: '127.0.0.1', publicKey: key.toLowerCase() });
    assert.equal(replica.gateway, false);
  });

  test('HTTP interactions settings: a port needs a 64-hex public key; the gateway is on or off', () => {
    assert.match(
      configError(() => readEnv({ DISCORD_BOT_TOKEN: 't', INTERACTIONS_PORT: '8080' })),
      /^INTERACTIONS_PORT needs DISCORD_PUBLIC_KEY/,
    );
    for (const bad of ['ab'.repeat(31), `${'ab'.repeat(31)}zz`, 'ab'.repeat(33)]) {
      assert.match(
        configError(() =>
          readEnv({ DISCORD_BOT_TOKEN: 't', INTERACTIONS_PORT: '8080', DISCORD_PUBLIC_KEY: bad }),
        ),
        /^DISCORD_PUBLIC_KEY: expected the application's public key: 64 hexadecimal characters/,
      );
    }
    assert.match(
      configError(() =>
        readEnv({ DISCORD_BOT_TOKEN: 't', INTERACTIONS_PORT: '70000', DISCORD_PUBLIC_KEY: 'ab'.repeat(32) }),
      ),
      /^INTERACTIONS_PORT: expected an integer 0-65535/,
    );
    assert.match(
      configError(() => readEnv({ DISCORD_BOT_TOKEN: 't', DISCORD_GATEWAY: 'no' })),
      /^DISCORD_GATEWAY: expected "on" or "off"/,
    );
  });

  test('bad values are named', () => {
    assert.match(
      configError(() => readEnv({ DISCORD_BOT_TOKEN: 't', LOG_LEVEL: 'loud' })),
      /LOG_LEVEL: expected one of debug, info, warn, error, got "loud"/,
    );
    assert.match(
      configError(() => readEnv({ DISCORD_BOT_TOKEN: 't', HEALTH_PORT: 'x' })),
      /HEALTH_PORT: expected an integer/,
    );
    assert.match(
      configError(() => readEnv({ DISCORD_BOT_TOKEN: 't', SENDER_EMAIL: 'nope' })),
      /SENDER_EMAIL: expected an email address/,
    );
  });
});

describe('pasting mistakes', () => {
  test('quotes kept by Docker --env-file and a "Bot " prefix are removed and reported, never echoing the value', () => {
    const { env, fixed } = cleanEnv({
      DISCORD_BOT_TOKEN: '"Bot abc.def"',
      SENDER_EMAIL: "'shop@example.com'",
      OTHER: '"kept"',
    });
    assert.equal(env.DISCORD_BOT_TOKEN, 'abc.def');
    assert.equal(env.SENDER_EMAIL, 'shop@example.com');
    assert.equal(env.OTHER, '"kept"', "only the bot's own variables");
    assert.equal(fixed.length, 3);
    assert.ok(fixed.every((line) => !line.includes('abc.def')));
    assert.equal(readEnv({ DISCORD_BOT_TOKEN: 'Bot xyz' }).token, 'xyz');
  });
});
