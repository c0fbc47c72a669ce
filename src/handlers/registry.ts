/**
 * @module handlers/registry
 * The static handler registry: three read-only maps, a duplicate key throws at start-up.
 */
import type { CommandHandler, ComponentHandler, Handler, ModalHandler } from './types.ts';

/** Handlers by command name and by custom_id prefix. */
export interface Registry {
  readonly commands: ReadonlyMap<string, CommandHandler>;
  readonly components: ReadonlyMap<string, ComponentHandler>;
  readonly modals: ReadonlyMap<string, ModalHandler>;
}

/** Builds a {@link Registry}; throws when two handlers claim the same key. */
export function createRegistry(handlers: readonly Handler[]): Registry {
  const commands = new Map<string, CommandHandler>();
  const components = new Map<string, ComponentHandler>();
  const modals = new Map<string, ModalHandler>();
  const add = <H>(map: Map<string, H>, key: string, handler: H, what: string) => {
    if (map.has(key)) throw new Error(`Duplicate ${what} handler: ${key}`);
    if (key.includes(':')) throw new Error(`A ${what} key must not contain ":": ${key}`);
    map.set(key, handler);
  };
  for (const handler of handlers) {
    switch (handler.kind) {
      case 'command':
        add(commands, handler.name, handler, 'command');
        break;
      case 'component':
        add(components, handler.prefix, handler, 'component');
        break;
      case 'modal':
        add(modals, handler.prefix, handler, 'modal');
        break;
      default: {
        const unreachable: never = handler;
        throw new Error(`Unknown handler kind: ${JSON.stringify(unreachable)}`);
      }
    }
  }
  return { commands, components, modals };
}
