// A Form → a Feishu card (JSON 2.0) holding a form container, and its submission back into the
// form's field values. Elements are named f0, f1 … and the submit button's callback value maps
// those names to the command's fields, so a submission needs nothing remembered on our side;
// what a crafted value could claim is no more than what a person could type.
import { z } from 'zod';
import { WORKDAYS_INPUT, type Form, type FormField } from '../../lib/reply';

const plain = (content: string) => ({ tag: 'plain_text', content });
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
// what a date picker submits: the day, then its offset (2026-12-01 +0800)
const PICKED_DATE = /^(\d{4}-\d{2}-\d{2})(?:\s+[+-]\d{4})?$/;

/** What the submit button carries back: which element is which field, and which elements pick a person. */
export const formValueSchema = z.object({
  form: z.string().min(1).max(50),
  fields: z.record(z.string().max(20), z.string().max(50)),
  people: z.array(z.string().max(20)).max(50).optional(),
  // values sent back as they were given (the file a draft was read from); no more than a person could type
  fixed: z.record(z.string().max(20), z.string().max(200)).optional(),
});
export type FormValue = z.infer<typeof formValueSchema>;

const LARK_ID = 'lark:';

function label(field: FormField): Record<string, unknown> {
  const note = [field.required ? '必填' : '选填', field.hint].filter(Boolean).join('，');
  return { tag: 'div', text: plain(`${field.name}（${note}）`) };
}

/** One field's elements: its label and its input(s), named from `name`; records the names it used. */
function inputs(field: FormField, name: string, value: FormValue): Record<string, unknown>[] {
  const current = field.value ?? '';
  const options = (field.options ?? []).map((o) => ({ text: plain(o.label), value: o.value }));
  value.fields[name] = field.name;
  const placeholder = plain(field.hint ?? `请填写${field.name}`);
  switch (field.input) {
    case 'text':
    case 'long':
      return [
        {
          tag: 'input',
          name,
          required: field.required,
          placeholder,
          ...(current ? { default_value: current } : {}),
          ...(field.input === 'long' ? { input_type: 'multiline_text', rows: 3, auto_resize: true } : {}),
        },
      ];
    case 'date':
      return [{ tag: 'date_picker', name, required: field.required, placeholder: plain('选择日期'), ...(ISO_DATE.test(current) ? { initial_date: current } : {}) }];
    case 'deadline': {
      // 5个工作日 has no place in a date picker: typed beside it, and either may be used
      const typed = `${name}w`;
      value.fields[typed] = field.name + WORKDAYS_INPUT;
      return [
        { tag: 'date_picker', name, required: false, placeholder: plain('选择日期'), ...(ISO_DATE.test(current) ? { initial_date: current } : {}) },
        { tag: 'input', name: typed, required: false, placeholder: plain('或写工作日，例如 5个工作日'), ...(current && !ISO_DATE.test(current) ? { default_value: current } : {}) },
      ];
    }
    case 'choice':
      return [{ tag: 'select_static', name, required: field.required, placeholder: plain('请选择'), options, ...(options.some((o) => o.value === current) ? { initial_option: current } : {}) }];
    case 'choices': {
      const chosen = current.split('、').filter((v) => options.some((o) => o.value === v));
      return [{ tag: 'multi_select_static', name, required: field.required, placeholder: plain('可选多个'), options, selected_values: chosen }];
    }
    case 'person': {
      // Feishu shows a person picker over the people it is given: the leaders it knows by open_id
      const people = (field.options ?? []).filter((o) => o.value.startsWith(LARK_ID)).map((o) => ({ value: o.value.slice(LARK_ID.length) }));
      value.people = [...(value.people ?? []), name];
      const picked = current.startsWith(LARK_ID) ? current.slice(LARK_ID.length) : '';
      return [{ tag: 'select_person', name, required: field.required, placeholder: plain('选择领导'), options: people, ...(people.some((p) => p.value === picked) ? { initial_option: picked } : {}) }];
    }
  }
}

/** A form's elements: the refusal if any, then the form container with its fields and submit button. */
export function larkFormElements(form: Form): Record<string, unknown>[] {
  const value: FormValue = { form: form.command, fields: {}, ...(form.fixed ? { fixed: form.fixed } : {}) };
  const fields = form.fields.flatMap((field, i) => [label(field), ...inputs(field, `f${i}`, value)]);
  const submit = { tag: 'button', name: 'submit', text: plain('提交'), type: 'primary', form_action_type: 'submit', behaviors: [{ type: 'callback', value }] };
  const refusal = form.error !== undefined ? [{ tag: 'div', text: plain(`未提交：${form.error}\n也可以直接发送，例如：${form.example}`) }] : [];
  const note = form.note?.length ? [{ tag: 'markdown', content: form.note.join('\n') }] : [];
  return [...refusal, ...note, { tag: 'form', name: 'form', elements: [...fields, submit] }];
}

/** A submission's values by field name: several choices kept as a list, a picked date as its day, a picked person as lark:open_id. */
export function submittedValues(value: FormValue, formValue: Readonly<Record<string, unknown>>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = { ...value.fixed };
  for (const [element, raw] of Object.entries(formValue)) {
    const field = value.fields[element];
    if (field === undefined) continue;
    if (Array.isArray(raw)) out[field] = raw.filter((v): v is string => typeof v === 'string');
    else if (typeof raw === 'string') {
      const text = raw.trim();
      out[field] = value.people?.includes(element) && text ? `${LARK_ID}${text}` : (PICKED_DATE.exec(text)?.[1] ?? raw);
    }
  }
  return out;
}
