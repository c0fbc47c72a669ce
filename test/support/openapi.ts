/**
 * @module test/support/openapi
 * Checks requests against Discord's own OpenAPI 3.1 description of its HTTP API
 * (`discord-openapi.json` beside this file: the discord/discord-api-spec repository, MIT licence):
 * the route and method must exist, path parameters and query parameters must match their schemas,
 * and a JSON body must match the request schema (JSON Schema 2020-12, checked with Ajv).
 *
 * One known quirk of the spec is tolerated, and only that one: it types a command's
 * `default_member_permissions` as an integer, while Discord's documentation and discord-api-types
 * send a string of digits.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';

type Json = Record<string, unknown>;
type Schema = Json;
interface Operation {
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema: Schema }> };
}
interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema: Schema;
}
interface Route {
  template: string;
  pattern: RegExp;
  names: string[];
  literal: number;
  item: Record<string, unknown>;
}

const SPEC = join(dirname(fileURLToPath(import.meta.url)), 'discord-openapi.json');

/** The checker: `check` returns the problems of one request (empty when it conforms). */
export type SpecValidator = ReturnType<typeof createSpecValidator>;

/** Loads the spec once and compiles a route's schemas on first use. */
export function createSpecValidator() {
  const spec = JSON.parse(readFileSync(SPEC, 'utf8')) as { paths: Record<string, Json>; components: Json };
  // Ajv's CommonJS default export, typed as a namespace by its declarations.
  const AjvClass = Ajv2020 as unknown as typeof Ajv2020.default;
  const ajv = new AjvClass({ strict: false, allErrors: false, validateFormats: false });
  ajv.addSchema({ $id: 'discord', components: spec.components });
  const local = (schema: unknown): Schema =>
    JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"discord#/components/')) as Schema;

  const routes: Route[] = Object.entries(spec.paths)
    .map(([template, item]) => {
      const names: string[] = [];
      const source = template
        .split('/')
        .map((part) => {
          const param = /^\{(\w+)\}$/.exec(part);
          if (!param) return part.replace(/[.*+?^${}()|[\]\\@]/g, '\\$&');
          names.push(param[1]!);
          return '([^/]+)';
        })
        .join('/');
      return {
        template,
        pattern: new RegExp(`^${source}$`),
        names,
        literal: template.split('{').length,
        item,
      };
    })
    // Literal segments first: /messages/@original before /messages/{message_id}.
    .sort((a, b) => a.literal - b.literal);

  const compiled = new Map<string, (value: unknown) => string[]>();
  const validator = (key: string, schema: Schema) => {
    let check = compiled.get(key);
    if (!check) {
      const validate = ajv.compile(local(schema));
      check = (value) =>
        validate(value)
          ? []
          : (validate.errors ?? [])
              .slice(0, 3)
              .map((e) => `${e.instancePath || '(body)'} ${e.message ?? ''}`);
      compiled.set(key, check);
    }
    return check;
  };

  const checker = {
    /** The problems of one request; `path` is the route without the `/api/v10` prefix. */
    check(method: string, path: string, query: URLSearchParams, body: unknown): string[] {
      const route = routes.find((r) => r.pattern.test(path));
      if (!route) return [`${method} ${path}: no such route in Discord's API description`];
      const operation = route.item[method.toLowerCase()] as Operation | undefined;
      if (!operation) return [`${method} ${route.template}: the route has no ${method}`];
      const where = `${method} ${route.template}`;
      const problems: string[] = [];
      const parameters = [
        ...((route.item.parameters as Parameter[] | undefined) ?? []),
        ...(operation.parameters ?? []),
      ];
      const values = route.pattern.exec(path)!.slice(1);
      route.names.forEach((name, i) => {
        const parameter = parameters.find((p) => p.in === 'path' && p.name === name);
        if (!parameter) return;
        for (const problem of validator(
          `${where} path ${name}`,
          parameter.schema,
        )(decodeURIComponent(values[i]!))) {
          problems.push(`${where}: path parameter ${name}: ${problem}`);
        }
      });
      for (const [name, raw] of query) {
        const parameter = parameters.find((p) => p.in === 'query' && p.name === name);
        if (!parameter) {
          problems.push(`${where}: unknown query parameter ${name}`);
          continue;
        }
        const value =
          raw === 'true'
            ? true
            : raw === 'false'
              ? false
              : /^-?\d+$/.test(raw) && parameter.schema.type === 'integer'
                ? Number(raw)
                : raw;
        for (const problem of validator(`${where} query ${name}`, parameter.schema)(value)) {
          problems.push(`${where}: query parameter ${name}: ${problem}`);
        }
      }
      const content = operation.requestBody?.content?.['application/json'];
      if (body === undefined) {
        if (operation.requestBody?.required) problems.push(`${where}: a JSON body is required`);
      } else if (!content) {
        problems.push(`${where}: takes no JSON body`);
      } else {
        for (const problem of validator(`${where} body`, content.schema)(tolerateKnownQuirks(body))) {
          problems.push(`${where}: body ${problem}`);
        }
      }
      return problems;
    },
  };
  // Compile the routes every bot request uses now (the answer schemas take a few hundred ms), so
  // no test's interaction waits for a compilation.
  for (const [method, path] of [
    ['POST', '/interactions/1/t/callback'],
    ['PATCH', '/webhooks/1/t/messages/@original'],
    ['POST', '/webhooks/1/t'],
    ['POST', '/channels/1/messages'],
  ] as const) {
    checker.check(method, path, new URLSearchParams(), {});
  }
  return checker;
}

/** The spec's one known quirk: `default_member_permissions` typed as an integer (Discord sends digits). */
function tolerateKnownQuirks(body: unknown): unknown {
  if (Array.isArray(body)) return body.map(tolerateKnownQuirks);
  if (body === null || typeof body !== 'object') return body;
  return Object.fromEntries(
    Object.entries(body as Json).map(([key, value]) => [
      key,
      key === 'default_member_permissions' && typeof value === 'string' && /^\d+$/.test(value)
        ? Number(value)
        : tolerateKnownQuirks(value),
    ]),
  );
}
