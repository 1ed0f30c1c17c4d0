// A form where there are none (DingTalk, the console): the fields to type. A form refused is
// worded as any refused command, so typing and submitting are answered alike.
import type { Form } from './reply';

/** 「收文登记」未执行：缺少「来文单位」 with the example and where to read more. */
export function refusalText(command: string, reason: string, example: string): string {
  return `「${command}」未执行：${reason}\n示例：${example}\n发送「帮助 ${command}」查看全部字段。`;
}

/**
 * The fields to type: the command with every required field (its value or …) and every field
 * already given, so a draft read from a file is the whole command to check and send back.
 */
/** The command to send back: every required field (its value or …), every field given, the fixed values. */
export function formCommand(form: Form): string {
  const shown = form.fields.filter((f) => f.required || f.given);
  const typed = (value: string) => (/\s/.test(value) ? `“${value.replace(/”/g, '"')}”` : value);
  const pairs = [...shown.map((f) => `${f.name}=${f.value !== undefined ? typed(f.value) : '…'}`), ...Object.entries(form.fixed ?? {}).map(([k, v]) => `${k}=${v}`)];
  return `${form.command} ${pairs.join(' ')}`;
}

export function formAsText(form: Form): string {
  if (form.error !== undefined) return refusalText(form.command, form.error, form.example);
  const optional = form.fields.filter((f) => !f.required && !f.given);
  return [
    ...(form.note ?? []),
    `请发送「${form.command}」并写明字段：`,
    formCommand(form),
    ...(optional.length ? [`可选：${optional.map((f) => f.name).join('、')}`] : []),
    `示例：${form.example}`,
    `发送「帮助 ${form.command}」查看全部字段。`,
  ].join('\n');
}
