// An audit entry's before and after as the office reads them: 字段：旧值 → 新值, in Chinese, with
// units' names for their ids and the stored codes as words. The log keeps the raw JSON (what a
// dispute needs); this is how 审计 and the console's 办理记录 show it.
import { DOC_STATUS, ITEM_STATUS, PROPOSAL_STATUS } from './ledgers';

/** Field names as the cards and ledgers call them. */
const LABELS: Record<string, string> = {
  title: '标题',
  docNumber: '文号',
  sourceUnit: '来文单位',
  recipients: '主送',
  urgency: '紧急程度',
  status: '状态',
  handlingUnitId: '承办单位',
  dueDate: '办理时限',
  due: '时限',
  deadline: '时限',
  requested: '申请延至',
  reason: '理由',
  why: '原因',
  closedDate: '办结日期',
  closedOnTime: '按时办结',
  result: '办理结果',
  lastFeedbackDate: '最近反馈',
  feedback: '反馈内容',
  source: '来源',
  leadUnit: '牵头/主办单位',
  coUnits: '配合/协办单位',
  cycle: '反馈周期',
  proposers: '提出人',
  round: '办理轮次',
  answerClass: '答复类别',
  answerDate: '答复日期',
  answeredOnTime: '按时答复',
  evaluation: '评价',
  workday: '类型',
  name: '姓名',
  shortName: '简称',
  aliases: '别名',
  role: '角色',
  unit: '单位',
  person: '联络员',
  groups: '启用的功能组',
  subscriptions: '订阅',
  request: '导出编号',
  unitScope: '限于单位',
  notice: '导入编号',
  holidays: '节假日',
  changedDays: '变化的天数',
  movedDeadlines: '调整时限的事项',
  overrides: '节假日设置',
  pending: '待发消息',
};

/** The status words of the ledger an action belongs to (公文分办 → 公文's, 建议答复 → 建议提案's). */
function statusWords(action: string): Record<string, string> {
  if (action.startsWith('督办')) return ITEM_STATUS;
  if (action.startsWith('建议') || action.startsWith('提案')) return PROPOSAL_STATUS;
  return DOC_STATUS;
}

export interface AuditNames {
  unit(id: number): string | undefined;
}

/** The names entries' ids stand for, read once from the units service (or anything that lists units' names) for a whole page of entries. */
export async function auditNames(units: { names(): Promise<Map<number, string>> }): Promise<AuditNames> {
  const names = await units.names();
  return { unit: (id) => names.get(id) };
}

function valueText(key: string, value: unknown, names: AuditNames, action = ''): string {
  if (value === null || value === undefined || value === '') return '无';
  if (key === 'status' && typeof value === 'string') return statusWords(action)[value] ?? value;
  if ((key === 'handlingUnitId' || key === 'unitScope') && typeof value === 'number') return names.unit(value) ?? `单位 ${value}`;
  if (key === 'workday' && typeof value === 'boolean') return value ? '工作日' : '休息日';
  if (typeof value === 'boolean') return value ? '是' : '否';
  if (key === 'holidays' && Array.isArray(value)) return value.map((h: { name?: string; off?: unknown[] }) => `${h.name ?? ''}${Array.isArray(h.off) ? ` ${h.off.length} 天` : ''}`).join('、');
  if (key === 'overrides' && Array.isArray(value)) return value.length ? value.map((o: { date?: string; workday?: boolean }) => `${o.date}${o.workday ? '班' : '休'}`).join('、') : '无';
  if (Array.isArray(value)) return value.length ? value.map((v) => valueText('', v, names)).join('、') : '无';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

const fields = (state: unknown): Record<string, unknown> => (state && typeof state === 'object' && !Array.isArray(state) ? (state as Record<string, unknown>) : {});

/**
 * One line per field that changed (or was set, for a new record: its empty fields left out):
 * 状态：待分办 → 办理中, in the words of the action's ledger. Fields that stayed the same are left
 * out; nothing changed reads 无变化.
 */
export function auditChanges(action: string, before: unknown, after: unknown, names: AuditNames): string[] {
  const old = fields(before);
  const now = fields(after);
  const created = before === null || before === undefined;
  const lines: string[] = [];
  for (const key of [...new Set([...Object.keys(old), ...Object.keys(now)])]) {
    const a = valueText(key, old[key], names, action);
    const b = valueText(key, now[key], names, action);
    if (created ? b === '无' : a === b) continue;
    const label = key === 'name' && action.startsWith('单位') ? '名称' : (LABELS[key] ?? key);
    lines.push(created || !(key in old) ? `${label}：${b}` : !(key in now) ? `${label}：${a} → 无` : `${label}：${a} → ${b}`);
  }
  return lines.length ? lines : ['无变化'];
}
