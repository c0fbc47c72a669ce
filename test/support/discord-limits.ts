/**
 * @module test/support/discord-limits
 * The Discord request-body limits the bot touches, checked the way Discord checks them: a
 * broken body yields Discord's error shape (code 50035, "Invalid Form Body", nested `errors`).
 */

/** One problem: where in the body and what is wrong. */
export interface LimitProblem {
  path: (string | number)[];
  code: string;
  message: string;
}

/** Discord's JSON error body for invalid form bodies. */
export function invalidFormBody(problems: readonly LimitProblem[]) {
  const errors: Record<string, unknown> = {};
  for (const problem of problems) {
    let node = errors as Record<string, unknown>;
    for (const key of problem.path) {
      node[String(key)] ??= {};
      node = node[String(key)] as Record<string, unknown>;
    }
    node._errors ??= [];
    (node._errors as unknown[]).push({ code: problem.code, message: problem.message });
  }
  return { code: 50035, message: 'Invalid Form Body', errors };
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

class Checker {
  readonly problems: LimitProblem[] = [];
  max(path: (string | number)[], value: unknown, limit: number) {
    if (typeof value === 'string' && [...value].length > limit) {
      this.problems.push({
        path,
        code: 'BASE_TYPE_MAX_LENGTH',
        message: `Must be ${limit} or fewer in length.`,
      });
    }
  }
  range(path: (string | number)[], value: unknown, min: number, limit: number) {
    if (typeof value !== 'string' || [...value].length < min || [...value].length > limit) {
      this.problems.push({
        path,
        code: 'BASE_TYPE_BAD_LENGTH',
        message: `Must be between ${min} and ${limit} in length.`,
      });
    }
  }
  fail(path: (string | number)[], code: string, message: string) {
    this.problems.push({ path, code, message });
  }
}

/** What Discord accepts as an embed's image or thumbnail: an http(s) or attachment URL it can parse, at most 2,048 characters. */
function wellFormedMediaUrl(url: unknown): boolean {
  if (typeof url !== 'string' || url.length > 2048 || !/^(https?|attachment):\/\/[^\s]+$/.test(url))
    return false;
  try {
    return new URL(url).hostname.length > 0;
  } catch {
    return false;
  }
}

const ALLOWED_MESSAGE_FLAGS = 4 | 64 | 4096 | 32768;

/** Checks a message body (content, embeds, components, flags). `base` prefixes paths. */
export function checkMessage(
  body: Json,
  base: (string | number)[] = [],
  checker = new Checker(),
): LimitProblem[] {
  const at = (...path: (string | number)[]) => [...base, ...path];
  if (body.content !== undefined && body.content !== null) checker.max(at('content'), body.content, 2000);
  if (body.flags !== undefined && body.flags !== null) {
    if (typeof body.flags !== 'number' || (body.flags & ~ALLOWED_MESSAGE_FLAGS) !== 0) {
      checker.fail(
        at('flags'),
        'MESSAGE_FLAGS_INVALID',
        'Invalid message flags (only 4, 64, 4096, 32768 may be set).',
      );
    }
  }
  if (Array.isArray(body.embeds)) {
    if (body.embeds.length > 10)
      checker.fail(at('embeds'), 'BASE_TYPE_MAX_LENGTH', 'Must be 10 or fewer in length.');
    let total = 0;
    body.embeds.forEach((embed: unknown, i) => {
      if (!isObject(embed)) return;
      const count = (v: unknown) => (typeof v === 'string' ? [...v].length : 0);
      checker.max(at('embeds', i, 'title'), embed.title, 256);
      checker.max(at('embeds', i, 'description'), embed.description, 4096);
      total += count(embed.title) + count(embed.description);
      if (isObject(embed.footer)) {
        checker.max(at('embeds', i, 'footer', 'text'), embed.footer.text, 2048);
        total += count(embed.footer.text);
      }
      if (isObject(embed.author)) {
        checker.max(at('embeds', i, 'author', 'name'), embed.author.name, 256);
        total += count(embed.author.name);
      }
      for (const key of ['thumbnail', 'image'] as const) {
        const media = embed[key];
        if (isObject(media) && !wellFormedMediaUrl(media.url)) {
          checker.fail(at('embeds', i, key, 'url'), 'URL_TYPE_INVALID_URL', 'Not a well formed URL.');
        }
      }
      if (Array.isArray(embed.fields)) {
        if (embed.fields.length > 25)
          checker.fail(at('embeds', i, 'fields'), 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
        embed.fields.forEach((field: unknown, j) => {
          if (!isObject(field)) return;
          checker.range(at('embeds', i, 'fields', j, 'name'), field.name, 1, 256);
          checker.range(at('embeds', i, 'fields', j, 'value'), field.value, 1, 1024);
          total += count(field.name) + count(field.value);
        });
      }
    });
    if (total > 6000)
      checker.fail(at('embeds'), 'MAX_EMBED_SIZE_EXCEEDED', 'Embed size exceeds maximum size of 6000');
  }
  if (Array.isArray(body.components)) checkMessageComponents(body.components, at('components'), checker);
  return checker.problems;
}

function checkMessageComponents(rows: unknown[], base: (string | number)[], checker: Checker) {
  if (rows.length > 5) checker.fail(base, 'BASE_TYPE_MAX_LENGTH', 'Must be 5 or fewer in length.');
  const ids = new Set<string>();
  rows.forEach((row, i) => {
    if (!isObject(row) || row.type !== 1 || !Array.isArray(row.components)) {
      checker.fail([...base, i], 'UNION_TYPE_CHOICES', 'Value of field "type" must be one of (1,).');
      return;
    }
    if (row.components.length < 1 || row.components.length > 5) {
      checker.fail([...base, i, 'components'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 5 in length.');
    }
    row.components.forEach((component: unknown, j) => {
      const path = [...base, i, 'components', j];
      if (!isObject(component) || component.type !== 2) {
        checker.fail(path, 'UNION_TYPE_CHOICES', 'Only buttons are expected here.');
        return;
      }
      if (![1, 2, 3, 4, 5].includes(component.style as number))
        checker.fail([...path, 'style'], 'BASE_TYPE_CHOICES', 'Invalid button style.');
      if (component.style !== 5) {
        checker.range([...path, 'custom_id'], component.custom_id, 1, 100);
        if (typeof component.custom_id === 'string') {
          if (ids.has(component.custom_id))
            checker.fail(
              [...path, 'custom_id'],
              'COMPONENT_CUSTOM_ID_DUPLICATED',
              'Component custom id cannot be duplicated',
            );
          ids.add(component.custom_id);
        }
      }
      checker.max([...path, 'label'], component.label, 80);
    });
  });
}

/** Checks a modal callback's data: title 1-45, custom_id 1-100, 1-5 components, text inputs. */
export function checkModal(data: unknown, base: (string | number)[] = ['data']): LimitProblem[] {
  const checker = new Checker();
  if (!isObject(data)) {
    checker.fail(base, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
    return checker.problems;
  }
  checker.range([...base, 'title'], data.title, 1, 45);
  checker.range([...base, 'custom_id'], data.custom_id, 1, 100);
  const components = Array.isArray(data.components) ? data.components : [];
  if (components.length < 1 || components.length > 5) {
    checker.fail([...base, 'components'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 5 in length.');
  }
  const ids = new Set<string>();
  components.forEach((component: unknown, i) => {
    const path = [...base, 'components', i];
    if (!isObject(component)) {
      checker.fail(path, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used.');
      return;
    }
    let input: unknown;
    if (component.type === 18) {
      checker.range([...path, 'label'], component.label, 1, 45);
      checker.max([...path, 'description'], component.description, 100);
      input = component.component;
      if (isObject(input) && input.label !== undefined) {
        checker.fail(
          [...path, 'component', 'label'],
          'COMPONENT_LAYOUT_INVALID',
          'A text input inside a label must not have its own label.',
        );
      }
      if (isObject(input) && input.type !== 4) {
        checkChoice(input, [...path, 'component'], checker, ids);
        return;
      }
      checkTextInput(input, [...path, 'component'], checker, ids, false);
      return;
    }
    if (component.type === 1 && Array.isArray(component.components) && component.components.length === 1) {
      checkTextInput(component.components[0], [...path, 'components', 0], checker, ids, true);
      return;
    }
    if (component.type === 10) {
      checker.range([...path, 'content'], component.content, 1, 4000);
      return;
    }
    checker.fail(path, 'UNION_TYPE_CHOICES', 'Value of field "type" must be one of (1, 10, 18).');
  });
  return checker.problems;
}

/** A string select (3), radio group (21), checkbox group (22) or checkbox (23) inside a Label. */
function checkChoice(input: Json, path: (string | number)[], checker: Checker, ids: Set<string>) {
  checker.range([...path, 'custom_id'], input.custom_id, 1, 100);
  if (typeof input.custom_id === 'string') {
    if (ids.has(input.custom_id))
      checker.fail(
        [...path, 'custom_id'],
        'COMPONENT_CUSTOM_ID_DUPLICATED',
        'Component custom id cannot be duplicated',
      );
    ids.add(input.custom_id);
  }
  const limits: Record<number, [number, number]> = { 3: [1, 25], 21: [2, 10], 22: [1, 10] };
  const type = Number(input.type);
  if (type === 23) return;
  const range = limits[type];
  if (!range) {
    checker.fail(path, 'UNION_TYPE_CHOICES', 'Value of field "type" must be one of (3, 4, 21, 22, 23).');
    return;
  }
  const options = Array.isArray(input.options) ? input.options : [];
  if (options.length < range[0] || options.length > range[1]) {
    checker.fail(
      [...path, 'options'],
      'BASE_TYPE_BAD_LENGTH',
      `Must be between ${range[0]} and ${range[1]} in length.`,
    );
  }
  const values = new Set<unknown>();
  let defaults = 0;
  options.forEach((option: unknown, i) => {
    if (!isObject(option)) return;
    checker.range([...path, 'options', i, 'label'], option.label, 1, 100);
    checker.range([...path, 'options', i, 'value'], option.value, 1, 100);
    checker.max([...path, 'options', i, 'description'], option.description, 100);
    if (values.has(option.value)) {
      checker.fail(
        [...path, 'options', i, 'value'],
        'SELECT_COMPONENT_OPTION_VALUE_DUPLICATED',
        'Option values must be unique.',
      );
    }
    values.add(option.value);
    if (option.default === true) defaults++;
  });
  const min = typeof input.min_values === 'number' ? input.min_values : 1;
  const max = typeof input.max_values === 'number' ? input.max_values : type === 3 ? 1 : options.length;
  if (type !== 21) {
    if (min > max)
      checker.fail([...path, 'min_values'], 'BASE_TYPE_BAD_INT', 'min_values must not exceed max_values.');
    if (max > options.length) {
      checker.fail(
        [...path, 'max_values'],
        'BASE_TYPE_BAD_INT',
        'max_values must not exceed the number of options.',
      );
    }
  }
  if (type === 22 && input.required !== false && min === 0) {
    checker.fail(
      [...path, 'required'],
      'COMPONENT_INVALID',
      'A required checkbox group needs min_values of at least 1.',
    );
  }
  if (type === 3) checker.max([...path, 'placeholder'], input.placeholder, 150);
  const most = type === 21 ? 1 : max;
  if (defaults > most) {
    checker.fail(
      [...path, 'options'],
      'SELECT_COMPONENT_TOO_MANY_DEFAULT_VALUES',
      `At most ${most} option(s) may be default.`,
    );
  }
}

function checkTextInput(
  input: unknown,
  path: (string | number)[],
  checker: Checker,
  ids: Set<string>,
  needsLabel: boolean,
) {
  if (!isObject(input) || input.type !== 4)
    return checker.fail(path, 'UNION_TYPE_CHOICES', 'Expected a text input (type 4).');
  checker.range([...path, 'custom_id'], input.custom_id, 1, 100);
  if (typeof input.custom_id === 'string') {
    if (ids.has(input.custom_id))
      checker.fail(
        [...path, 'custom_id'],
        'COMPONENT_CUSTOM_ID_DUPLICATED',
        'Component custom id cannot be duplicated',
      );
    ids.add(input.custom_id);
  }
  if (needsLabel) checker.range([...path, 'label'], input.label, 1, 45);
  if (input.style !== 1 && input.style !== 2)
    checker.fail([...path, 'style'], 'BASE_TYPE_CHOICES', 'Value must be one of (1, 2).');
  checker.max([...path, 'placeholder'], input.placeholder, 100);
  checker.max([...path, 'value'], input.value, 4000);
  const max = typeof input.max_length === 'number' ? input.max_length : 4000;
  if (typeof input.min_length === 'number' && input.min_length > max) {
    checker.fail([...path, 'min_length'], 'BASE_TYPE_BAD_INT', 'min_length must not exceed max_length.');
  }
  if (max < 1 || max > 4000)
    checker.fail([...path, 'max_length'], 'NUMBER_TYPE_MAX', 'max_length must be 1-4000.');
  if (typeof input.value === 'string' && [...input.value].length > max) {
    checker.fail([...path, 'value'], 'BASE_TYPE_MAX_LENGTH', `Must be ${max} or fewer in length.`);
  }
}

/** Checks a bulk-overwrite body of application commands. */
export function checkCommands(body: unknown): LimitProblem[] {
  const checker = new Checker();
  if (!Array.isArray(body)) {
    checker.fail([], 'BASE_TYPE_LIST', 'Must be an array.');
    return checker.problems;
  }
  body.forEach((command: unknown, i) => {
    if (!isObject(command)) return;
    if (
      typeof command.name !== 'string' ||
      !/^[-_\p{L}\p{N}]{1,32}$/u.test(command.name) ||
      command.name !== command.name.toLowerCase()
    ) {
      checker.fail([i, 'name'], 'APPLICATION_COMMAND_INVALID_NAME', 'Command name is invalid');
    }
    checker.range([i, 'description'], command.description, 1, 100);
    if (Array.isArray(command.options)) {
      command.options.forEach((option: unknown, j) => {
        if (!isObject(option)) return;
        checker.range([i, 'options', j, 'description'], option.description, 1, 100);
      });
    }
  });
  return checker.problems;
}
