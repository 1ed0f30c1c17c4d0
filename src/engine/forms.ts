// A command's form: built from its declaration (which fields, how each is entered) and the
// office's data (its units, its leaders), and a submission turned back into the field texts the
// command takes, so that it is validated exactly as if typed.
import type { z } from 'zod';
import type { AnyCommand, FormEntry } from '../../commands/kit/define';
import { WORKDAYS_INPUT, type Form, type FormField, type FormInput } from '../lib/reply';
import type { Services } from '../services';

type Option = { value: string; label: string };

/**
 * More options than this are typed instead of chosen: a list of hundreds is no help to pick from,
 * and a Feishu card (30 KB at most) holding two such lists would not be sent at all.
 */
export const MAX_OPTIONS = 80;

/** The options of a z.enum field, through .optional() and .default(). */
function enumOptions(schema: z.ZodType): readonly string[] {
  let s = schema as z.ZodType & { unwrap?: () => z.ZodType; options?: readonly string[] };
  while (!s.options && typeof s.unwrap === 'function') s = s.unwrap() as typeof s;
  return s.options ?? [];
}

/** What a field is when not given: its default as text, or undefined; and whether it must be given. */
function absent(schema: z.ZodType): { required: boolean; fallback: string | undefined } {
  const r = schema.safeParse(undefined);
  return { required: !r.success, fallback: r.success && typeof r.data === 'string' ? r.data : undefined };
}

export function createForms(services: Services) {
  async function options(entry: FormEntry, schema: z.ZodType): Promise<Option[]> {
    if (entry === 'choice') return enumOptions(schema).map((v) => ({ value: v, label: v }));
    if (entry === 'unit' || entry === 'units') return (await services.units.list()).map((u) => ({ value: u.name, label: u.name }));
    if (entry === 'leader') {
      const leaders = (await services.people.listWithRoles()).filter((p) => p.role === 'leader');
      return leaders.flatMap((p) => p.identities.map((identity) => ({ value: identity, label: p.name || identity })));
    }
    return [];
  }

  /** How an entry is shown: a unit or leader list with nobody in it is typed instead. */
  function inputOf(entry: FormEntry, choices: Option[]): FormInput {
    if (entry === 'unit' || entry === 'leader' || entry === 'choice') return choices.length ? (entry === 'leader' ? 'person' : 'choice') : 'text';
    if (entry === 'units') return choices.length ? 'choices' : 'text';
    return entry;
  }

  return {
    /** The form of a command, showing `given` (what was submitted or typed) or else the defaults, and `error` if it was refused. */
    async formFor(def: AnyCommand, given: Readonly<Record<string, string>>, error?: string): Promise<Form> {
      const shape = def.fields.shape as Record<string, z.ZodType>;
      const fields: FormField[] = [];
      for (const [name, entry] of Object.entries(def.form ?? {}) as [string, FormEntry][]) {
        const schema = shape[name]!;
        const listed = await options(entry, schema);
        const choices = listed.length <= MAX_OPTIONS ? listed : [];
        const { required, fallback } = absent(schema);
        const value = given[name] ?? fallback;
        fields.push({
          name,
          input: inputOf(entry, choices),
          required,
          ...(schema.description ? { hint: schema.description } : {}),
          ...(choices.length ? { options: choices } : {}),
          ...(value !== undefined ? { value } : {}),
          ...(given[name] !== undefined ? { given: true } : {}),
        });
      }
      // a field given that the form has no input for (the file a draft was read from) goes back with the submission as it was
      const fixed = Object.fromEntries(Object.entries(given).filter(([name]) => name in shape && !(name in (def.form ?? {}))));
      return { command: def.names[0], title: def.summary, fields, example: def.example, ...(error !== undefined ? { error } : {}), ...(Object.keys(fixed).length ? { fixed } : {}) };
    },
  };
}

export type Forms = ReturnType<typeof createForms>;

export type Submission = { ok: true; given: Record<string, string> } | { ok: false; given: Record<string, string>; error: string };

/**
 * A form's values → the field texts the command takes: several choices joined with 、, blanks
 * left out, a deadline from its date or its N个工作日 (not both). A name the command does not
 * declare is refused as a typed one would be.
 */
export function submittedFields(def: AnyCommand, values: Readonly<Record<string, string | readonly string[]>>): Submission {
  const declared = Object.keys(def.fields.shape);
  const given: Record<string, string> = {};
  const alternatives: Record<string, string> = {};
  const errors: string[] = [];
  for (const [key, raw] of Object.entries(values)) {
    const text = (typeof raw === 'string' ? raw : raw.join('、')).trim();
    const alternative = key.endsWith(WORKDAYS_INPUT);
    const name = alternative ? key.slice(0, -WORKDAYS_INPUT.length) : key;
    if (!declared.includes(name)) {
      errors.push(`没有字段「${name}」`);
      continue;
    }
    if (text !== '') (alternative ? alternatives : given)[name] = text;
  }
  for (const [name, text] of Object.entries(alternatives)) {
    if (name in given && given[name] !== text) errors.push(`「${name}」请只选日期或只写工作日（例如 5个工作日），不要两处都填`);
    else given[name] = text;
  }
  return errors.length ? { ok: false, given, error: errors.join('；') } : { ok: true, given };
}
