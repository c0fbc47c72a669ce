// Checks deploy/compose.yaml. With Docker Compose (or Podman's) present: `compose config -q`, the
// engine's own validation. Without an engine: the file read as YAML (python3's PyYAML, which
// resolves anchors and merge keys) and checked for what would break the cluster: services that
// name neither image nor build, dependencies and volumes that do not exist, bot variables the bot
// does not know, replicas that are not HTTP-only, Caddy upstreams that are not replicas.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const FILE = 'deploy/compose.yaml';
const env = { ...process.env, POSTGRES_PASSWORD: 'compose-check', DOMAIN: 'orders.example.com' };
const run = (command, args) => spawnSync(command, args, { encoding: 'utf8', env });

for (const [command, prefix] of [
  ['docker', ['compose']],
  ['podman', ['compose']],
  ['docker-compose', []],
]) {
  if (run(command, [...prefix, 'version']).status !== 0) continue;
  const checked = run(command, [...prefix, '-f', FILE, 'config', '-q']);
  if (checked.status !== 0) {
    console.error(`check-compose: ${command} ${prefix.join(' ')} config: ${checked.stderr.trim()}`);
    process.exit(1);
  }
  console.log(`check-compose: ${FILE} is valid (${command} ${prefix.join(' ')} config).`);
  process.exit(0);
}

const read = run('python3', [
  '-c',
  'import sys, json, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))',
  FILE,
]);
if (read.status !== 0) {
  // On a contributor's machine the check is skipped with a line; CI (.ci/run installs python3-yaml)
  // must not pass a file it did not read.
  console.log(`check-compose: no Compose engine and no python3 with PyYAML here; ${FILE} was not checked.`);
  process.exit(process.env.CI ? 1 : 0);
}
const compose = JSON.parse(read.stdout);
const problems = [];
const services = compose.services ?? {};
for (const key of Object.keys(compose)) {
  if (
    !['name', 'services', 'volumes', 'networks', 'configs', 'secrets'].includes(key) &&
    !key.startsWith('x-')
  )
    problems.push(`unknown top-level key ${key}`);
}
/** The environment variables the bot reads (src/config.ts's EnvSchema). */
const known = new Set(
  [...readFileSync('src/config.ts', 'utf8').matchAll(/^ {2}([A-Z][A-Z0-9_]+): v\.pipe\(/gm)].map((m) => m[1]),
);
const declaredVolumes = new Set(Object.keys(compose.volumes ?? {}));
const expose = {};
for (const [name, service] of Object.entries(services)) {
  if (!service.image && !service.build) problems.push(`${name}: neither image nor build`);
  const depends = Array.isArray(service.depends_on)
    ? service.depends_on
    : Object.keys(service.depends_on ?? {});
  for (const other of depends)
    if (!services[other]) problems.push(`${name}: depends on unknown service ${other}`);
  for (const volume of service.volumes ?? []) {
    const source = String(volume).split(':')[0];
    if (!/^[./]/.test(source) && !declaredVolumes.has(source))
      problems.push(`${name}: volume ${source} is not declared`);
  }
  expose[name] = (service.expose ?? []).map(String);
  if (!service.build) continue;
  const vars = service.environment ?? {};
  for (const key of Object.keys(vars))
    if (!known.has(key)) problems.push(`${name}: the bot does not read ${key}`);
  for (const key of ['DATABASE_URL', 'REDIS_URL'])
    if (!vars[key]) problems.push(`${name}: no ${key} (every process shares the orders and the forms)`);
  if (vars.DISCORD_GATEWAY === 'off' && !vars.INTERACTIONS_PORT)
    problems.push(`${name}: DISCORD_GATEWAY off without INTERACTIONS_PORT receives no interactions`);
}
const bots = Object.entries(services).filter(([, s]) => s.build);
if (!bots.some(([, s]) => s.environment?.DISCORD_GATEWAY !== 'off')) problems.push('no gateway process');
const replicas = bots.filter(([, s]) => s.environment?.DISCORD_GATEWAY === 'off').map(([name]) => name);
if (replicas.length < 2) problems.push(`expected at least two HTTP replicas, found ${replicas.length}`);
const caddyfile = readFileSync('deploy/Caddyfile', 'utf8');
const upstreams = [...caddyfile.matchAll(/\b([a-z][a-z0-9-]*):(\d+)\b/g)].map((m) => [m[1], m[2]]);
for (const [host, port] of upstreams) {
  if (!replicas.includes(host)) problems.push(`Caddyfile: upstream ${host} is not an HTTP replica`);
  else if (String(services[host].environment.INTERACTIONS_PORT) !== port || !expose[host].includes(port))
    problems.push(`Caddyfile: ${host}:${port} is not the port ${host} serves`);
}
for (const name of replicas)
  if (!upstreams.some(([host]) => host === name))
    problems.push(`Caddyfile: replica ${name} is not behind Caddy`);
if (problems.length > 0) {
  console.error(`check-compose: ${FILE}:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(
  `check-compose: ${FILE} is consistent (no Compose engine here: read with PyYAML; ${Object.keys(services).length} services, replicas ${replicas.join(', ')} behind Caddy).`,
);
