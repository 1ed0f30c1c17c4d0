// Synthetic but realistic 收文: titles from the templates county offices actually receive, over a
// few hundred topics drawn evenly, so a topic word such as 防汛 hits about 0.3% of documents and
// 通知 (the ending of most templates) the large majority. Deterministic: the same seed gives the
// same database, so runs are comparable.
import { docNumberKey } from '../../src/services/documents';
import { formatRegNo } from '../../src/services/numbering';
import type { Urgency } from '../../src/services/documents';

const TOPICS = [
  // 应急与安全
  '防汛抗旱', '森林防火', '安全生产', '危险化学品安全整治', '消防安全', '道路交通安全', '燃气安全排查', '自建房安全专项整治',
  '地质灾害防治', '防震减灾', '应急预案管理', '汛期安全', '冬春火灾防控', '校园安全', '建筑施工安全', '特种设备安全',
  '粉尘防爆', '有限空间作业安全', '烟花爆竹安全管理', '电动自行车安全隐患治理',
  // 农业农村
  '高标准农田建设', '秸秆综合利用', '春耕备耕', '粮食生产', '耕地保护', '农村人居环境整治', '农村厕所革命', '乡村振兴',
  '巩固拓展脱贫攻坚成果', '防止返贫动态监测', '农村集体产权制度改革', '农民专业合作社规范提升', '非洲猪瘟防控', '动物疫病防控',
  '农产品质量安全', '农机购置补贴', '农业保险', '高素质农民培育', '家庭农场培育', '宅基地管理', '农村饮水安全', '水土保持',
  '河长制', '林长制', '退耕还林', '松材线虫病防治', '农田水利建设', '病虫害统防统治', '种业振兴',
  // 生态环境
  '大气污染防治', '水污染防治', '土壤污染防治', '中央生态环境保护督察反馈问题整改', '秋冬季大气污染综合治理', '黑臭水体治理',
  '农业面源污染治理', '固体废物管理', '垃圾分类', '噪声污染防治', '碳达峰碳中和', '节能降耗', '扬尘污染治理',
  '入河排污口排查整治', '生态保护红线', '饮用水水源地保护', '畜禽养殖污染治理', '危险废物规范化管理', '环境影响评价',
  // 经济发展
  '招商引资', '优化营商环境', '项目建设', '重点项目调度', '民营经济发展', '中小企业纾困', '规上工业企业培育', '工业稳增长',
  '数字经济发展', '消费促进', '外贸稳增长', '县域商业体系建设', '电子商务进农村', '夜间经济', '旅游市场秩序', '文旅融合发展',
  '统计数据质量', '第五次全国经济普查', '固定资产投资统计', '政府投资项目管理', '专项债券项目', '开发区建设', '园区标准化厂房',
  '科技创新', '高新技术企业培育', '知识产权保护', '质量强县', '标准化建设', '物价监测', '成品油市场整治',
  // 财政与审计
  '预算管理', '财政资金直达', '国有资产管理', '政府采购', '政府债务风险防控', '审计整改', '经济责任审计', '非税收入征管',
  '过紧日子', '三公经费', '税收征管', '财政收支', '惠民惠农补贴一卡通', '涉农资金统筹整合', '国有企业改革',
  // 民生与社会
  '就业创业', '农民工工资支付', '根治欠薪', '高校毕业生就业', '城乡居民养老保险', '医疗保障', '城乡居民医保参保缴费',
  '医保基金监管', '社会救助', '最低生活保障', '特困人员供养', '残疾人两项补贴', '养老服务体系建设', '殡葬改革', '婚姻登记',
  '未成年人保护', '留守儿童关爱', '退役军人服务保障', '双拥工作', '征兵', '住房保障', '保障性租赁住房', '老旧小区改造',
  '城中村改造', '物业管理', '房地产市场平稳健康发展', '住房公积金',
  // 教育、卫生与文化
  '义务教育均衡发展', '学前教育普及普惠', '双减', '控辍保学', '学生资助', '教师队伍建设', '职业教育', '校外培训机构治理',
  '高考组织', '中考招生', '学校食堂食品安全', '近视防控', '爱国卫生运动', '传染病防控', '流感疫苗接种', '家庭医生签约服务',
  '基本公共卫生服务', '医共体建设', '无偿献血', '计划免疫', '妇幼健康', '人口监测与家庭发展', '三孩生育政策配套支持',
  '职业病防治', '病媒生物防制', '健康县城创建', '全民健身', '体育赛事', '公共文化服务', '文物保护', '非物质文化遗产保护',
  '农家书屋', '全民阅读',
  // 城乡建设与交通
  '城市管理', '市容环境整治', '违法建设治理', '建筑市场秩序', '工程质量安全', '城市排水防涝', '供水保障', '燃气管网改造',
  '背街小巷改造', '公园绿地建设', '国土空间规划', '自然资源执法', '土地征收', '不动产登记', '耕地占补平衡', '矿产资源管理',
  '农村公路建设', '四好农村路', '公交运营', '道路运输安全', '治超', '交通运输执法', '物流降本增效', '快递进村',
  '城乡客运一体化',
  // 社会治理与政法
  '平安建设', '扫黑除恶常态化', '信访工作', '矛盾纠纷排查化解', '禁毒', '反电信网络诈骗', '法治政府建设', '行政执法三项制度',
  '行政复议', '普法宣传', '社区矫正', '网格化管理', '基层治理', '村级组织换届', '村务公开', '社区工作者队伍建设',
  '民族团结进步创建', '宗教事务管理', '国家安全教育', '保密工作', '档案管理', '网络安全', '数据安全', '个人信息保护',
  '消费者权益保护', '食品安全', '药品安全', '市场监管', '打击传销', '反不正当竞争',
  // 政务与机关
  '政务公开', '政务服务', '一网通办', '12345热线', '营商环境评价', '机关事务管理', '公务用车管理', '办公用房管理',
  '节约型机关创建', '政府网站与政务新媒体', '电子政务', '督查督办', '绩效考核', '重点工作目标责任', '干部教育培训',
  '公务员平时考核', '人才引进', '事业单位公开招聘', '机构编制管理', '党风廉政建设', '作风建设', '精神文明建设', '文明城市创建',
  '新时代文明实践', '志愿服务', '意识形态', '统一战线', '对口帮扶', '东西部协作', '人大代表建议办理', '政协委员提案办理',
  '防范化解重大风险', '安全稳定', '节假日值班值守', '应急值守', '春节期间有关工作', '国庆节期间有关工作', '气象服务', '地名管理',
  '地方志编纂', '人口普查', '农业普查', '统计调查',
];

// {t} is the topic, {y} a year. Most end in 通知, as real incoming mail does.
const TEMPLATES = [
  '关于做好{t}工作的通知', '关于印发{t}实施方案的通知', '关于开展{t}专项检查的通知', '关于{t}有关事项的通知',
  '关于进一步加强{t}工作的意见', '关于报送{t}情况的通知', '关于召开{t}工作会议的通知', '关于下达{y}年{t}资金的通知',
  '关于印发《{t}管理办法》的通知', '关于开展{t}督导检查的通知', '关于{t}工作情况的通报', '{y}年{t}工作要点',
  '关于{t}工作的函', '关于征求{t}意见建议的函', '关于表彰{y}年度{t}先进集体和先进个人的决定', '关于{t}的批复',
];

/** Selective two-character search terms: each occurs in one or two topics and in no unit name or 文号. */
export const SELECTIVE_KEYWORDS = ['防汛', '秸秆', '殡葬', '禁毒', '征兵', '森林', '垃圾', '养老', '疫苗', '耕地'];
/** In most titles: the worst case for a keyword search. */
export const COMMON_KEYWORD = '通知';

// 来文单位 and the prefix of the 文号 they issue.
const SOURCES: [unit: string, prefix: string][] = [
  ['国务院办公厅', '国办发'], ['省人民政府', '省政发'], ['省人民政府办公厅', '省政办发'], ['省应急管理厅', '省应急发'],
  ['省农业农村厅', '省农发'], ['省生态环境厅', '省环发'], ['省财政厅', '省财发'], ['省教育厅', '省教发'],
  ['省卫生健康委员会', '省卫健发'], ['市人民政府', '市政发'], ['市人民政府办公室', '市政办发'], ['市委办公室', '市委办发'],
  ['市应急管理局', '市应急发'], ['市农业农村局', '市农发'], ['市生态环境局', '市环发'], ['市财政局', '市财发'],
  ['市教育局', '市教发'], ['市卫生健康委员会', '市卫健发'], ['市住房和城乡建设局', '市建发'], ['市自然资源和规划局', '市自然资发'],
  ['市交通运输局', '市交发'], ['市水利局', '市水发'], ['市公安局', '市公发'], ['市民政局', '市民发'],
  ['市人力资源和社会保障局', '市人社发'], ['市市场监督管理局', '市市监发'], ['市发展和改革委员会', '市发改发'],
  ['市工业和信息化局', '市工信发'], ['市商务局', '市商发'], ['市文化广电和旅游局', '市文旅发'], ['市统计局', '市统发'],
  ['市审计局', '市审发'], ['市司法局', '市司发'], ['市林业局', '市林发'], ['县委办公室', '县委办发'],
  ['县人大常委会办公室', '县人大办发'], ['县政协办公室', '县政协办发'], ['县纪委监委', '县纪发'],
];

/** 承办单位: the county bodies documents are handed to. */
export const HANDLING_UNITS = [
  '县人民政府办公室', '县发展和改革局', '县教育局', '县科学技术局', '县工业和信息化局', '县公安局', '县民政局', '县司法局',
  '县财政局', '县人力资源和社会保障局', '县自然资源局', '县生态环境分局', '县住房和城乡建设局', '县交通运输局', '县水利局',
  '县农业农村局', '县商务局', '县文化和旅游局', '县卫生健康局', '县退役军人事务局', '县应急管理局', '县审计局',
  '县市场监督管理局', '县统计局', '县医疗保障局', '县林业局', '县城市管理局', '县信访局', '县行政审批服务局', '县数据局',
];

/** Seeded PRNG (mulberry32): the corpus must not change between runs. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

export function randomTopic(random: () => number): string {
  return pick(random, TOPICS);
}

const SURNAMES = [...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤'];
const GIVEN = [...'伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红兰建国志文斌宇浩凯鹏飞鑫波宁欣怡晨阳雪梅琳海峰春燕立新德胜永红'];

/** A plausible Chinese name of two or three characters. */
export function randomPersonName(random: () => number): string {
  const given = pick(random, GIVEN) + (random() < 0.7 ? pick(random, GIVEN) : '');
  return pick(random, SURNAMES) + given;
}

export function randomTitle(random: () => number, year: number): string {
  return pick(random, TEMPLATES).replace('{t}', pick(random, TOPICS)).replace('{y}', String(year));
}

export function randomSource(random: () => number): { unit: string; prefix: string } {
  const [unit, prefix] = pick(random, SOURCES);
  return { unit, prefix };
}

export function randomUrgency(random: () => number): Urgency {
  const r = random();
  return r < 0.05 ? '特急' : r < 0.25 ? '加急' : '平件';
}

export interface DocumentRowValues {
  id: number;
  reg_no: string;
  year: number;
  seq: number;
  title: string;
  doc_number: string | null;
  doc_number_key: string | null;
  source_unit: string;
  urgency: Urgency;
  doc_date: string;
  due_date: string | null;
  handling_unit_id: number | null;
  status: 'registered' | 'assigned' | 'closed';
  assigned_at: number | null;
  closed_at: number | null;
  closed_date: string | null;
  closed_on_time: number | null;
  result: string | null;
  created_at: number;
}

/** The day every benchmark's clock stands at (a Wednesday, a working day); history ends the day before. */
export const BENCH_TODAY = '2026-11-25';

export const DAY_MS = 86_400_000;
const FIRST_DAY = Date.UTC(2020, 0, 1);
const LAST_DAY = Date.parse(BENCH_TODAY) - DAY_MS;

export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** 09:00 China time on that day, as the instant staff would have registered it. */
export function morningOf(dayMs: number): number {
  return dayMs + 1 * 3_600_000;
}

/**
 * Yields `count` 收文 in registration order, dated evenly from 2020-01-01 to 2026-11-24, with
 * per-year SW numbers and per-issuer 文号 as the bot would have given them. `lastSeq` holds the
 * last SW number of each year once the generator is done.
 */
export function* incomingDocuments(count: number, unitIds: readonly number[], lastSeq: Map<number, number>): Generator<DocumentRowValues> {
  const random = seededRandom(20261125);
  const issued = new Map<string, number>();
  const span = (LAST_DAY - FIRST_DAY) / DAY_MS + 1;
  for (let i = 0; i < count; i++) {
    const day = FIRST_DAY + Math.floor((i * span) / count) * DAY_MS;
    const year = new Date(day).getUTCFullYear();
    const seq = (lastSeq.get(year) ?? 0) + 1;
    lastSeq.set(year, seq);
    const source = randomSource(random);
    const docNumber = random() < 0.9 ? nextDocNumber(issued, source.prefix, year) : null;
    yield {
      id: i + 1,
      reg_no: formatRegNo('SW', year, seq),
      year,
      seq,
      title: randomTitle(random, year),
      doc_number: docNumber,
      doc_number_key: docNumber && docNumberKey(docNumber),
      source_unit: source.unit,
      urgency: randomUrgency(random),
      ...handling(random, day, unitIds),
    };
  }
}

function nextDocNumber(issued: Map<string, number>, prefix: string, year: number): string {
  const key = `${prefix}${year}`;
  const n = (issued.get(key) ?? 0) + 1;
  issued.set(key, n);
  return `${prefix}〔${year}〕${n}号`;
}

const OPEN = { closed_at: null, closed_date: null, closed_on_time: null, result: null };

/** ~70% closed (most on time), the rest waiting or in hand; 60% carry a 时限. Nothing closes after the bench's today. */
function handling(random: () => number, day: number, unitIds: readonly number[]) {
  const registeredAt = morningOf(day);
  const dueDate = random() < 0.6 ? isoDate(day + (5 + Math.floor(random() * 26)) * DAY_MS) : null;
  const base = { doc_date: isoDate(day), due_date: dueDate, created_at: registeredAt };
  const r = random();
  if (r >= 0.85) return { ...base, ...OPEN, handling_unit_id: null, status: 'registered' as const, assigned_at: null };
  const assigned = { ...base, handling_unit_id: pick(random, unitIds), assigned_at: registeredAt + 3_600_000 };
  const closedDay = day + (2 + Math.floor(random() * 30)) * DAY_MS;
  if (r >= 0.7 || closedDay > LAST_DAY) return { ...assigned, ...OPEN, status: 'assigned' as const };
  const closedDate = isoDate(closedDay);
  return {
    ...assigned,
    status: 'closed' as const,
    closed_at: morningOf(closedDay) + 6 * 3_600_000,
    closed_date: closedDate,
    closed_on_time: dueDate === null ? null : Number(closedDate <= dueDate),
    result: random() < 0.5 ? '已按要求办理' : null,
  };
}
