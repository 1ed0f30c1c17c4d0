import { distance } from 'fastest-levenshtein';
import type { AnyCommand } from '../../commands/kit/define';

export interface Match {
  def: AnyCommand;
  /** the name as typed */
  name: string;
  rest: string;
}

const LEADING = /^[\s\u3000]*\/?/;

/** Commands by name and alias, matched by the longest name the text starts with. */
export class Registry {
  private readonly names: { name: string; def: AnyCommand }[];

  constructor(readonly commands: readonly AnyCommand[]) {
    this.names = commands
      .flatMap((def) => def.names.map((name) => ({ name: name.toLowerCase(), def })))
      .sort((a, b) => b.name.length - a.name.length);
    const seen = new Map<string, AnyCommand>();
    for (const { name, def } of this.names) {
      if (seen.has(name) && seen.get(name) !== def) throw new Error(`command name "${name}" is declared twice`);
      seen.set(name, def);
    }
  }

  match(text: string): Match | null {
    const input = text.replace(LEADING, '');
    const lower = input.toLowerCase();
    for (const { name, def } of this.names) {
      if (!lower.startsWith(name)) continue;
      const next = input[name.length];
      // an ASCII name needs a boundary (doc in ≠ doc index); a Chinese one may run into its argument
      const boundary = next === undefined || /[\s\u3000]/.test(next) || !/[a-z0-9?]$/i.test(name) || !/[a-z0-9]/i.test(next);
      if (boundary) return { def, name: input.slice(0, name.length), rest: input.slice(name.length).replace(/^[\s\u3000]+/, '') };
    }
    return null;
  }

  find(name: string): AnyCommand | undefined {
    return this.match(name)?.def;
  }

  /** The canonical names closest to what was typed, among the given commands. */
  suggest(text: string, among: readonly AnyCommand[]): string[] {
    const word = text.replace(LEADING, '').split(/[\s\u3000]/)[0]!.toLowerCase().slice(0, 12);
    if (!word) return [];
    const scored = among.map((def) => {
      const best = Math.min(
        ...def.names.map((n) => {
          const name = n.toLowerCase();
          const shared = [...word].filter((c) => name.includes(c)).length;
          const d = distance(word, name);
          return name.includes(word) || word.includes(name) ? 0 : shared >= 2 ? d - shared : d;
        }),
      );
      return { def, best };
    });
    return scored
      .filter((s) => s.best <= Math.max(1, Math.ceil(word.length / 2)))
      .sort((a, b) => a.best - b.best)
      .slice(0, 3)
      .map((s) => s.def.names[0]);
  }
}
