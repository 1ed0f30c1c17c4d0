// Which of a card's buttons a person may press: a button sends a command as if typed, so it is
// offered only to those the rights table lets run that command. Built from the commands alone, it
// is handed to the services too, whose notifications go to people of different roles.
import type { AnyCommand } from '../../commands/kit/define';
import type { Card, Reply } from '../lib/reply';
import type { Role } from '../services/actor';
import { may } from './permissions';
import { Registry } from './registry';

export type ButtonFilter = (reply: Reply, role: Role | null) => Reply;

export function buttonFilter(commands: readonly AnyCommand[]): ButtonFilter {
  const registry = new Registry(commands);
  const allowed = (command: string, role: Role | null) => {
    const def = registry.match(command)?.def;
    return def !== undefined && may(role, def.right);
  };
  return (reply, role) => {
    if (!('card' in reply) || !reply.card.actions?.length) return reply;
    const actions = reply.card.actions.flatMap((a) => {
      if (allowed(a.command, role)) return [{ label: a.label, command: a.command }];
      return a.fallback && allowed(a.fallback.command, role) ? [a.fallback] : [];
    });
    const { actions: _all, ...rest } = reply.card;
    const card: Card = actions.length ? { ...rest, actions } : rest;
    return { card };
  };
}
