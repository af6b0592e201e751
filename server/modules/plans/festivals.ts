import { Lunar, Solar } from 'lunar-typescript';

/**
 * 节日与纪念日: the traditional (lunar) festivals, solar terms and memorial days of a year, each with a suggested
 * 新时代文明实践 activity. Lunar dates come from lunar-typescript, so any year 1900–2100 is computed, not stored.
 */
export type FestivalKind = 'lunar' | 'memorial' | 'solar_term';
export type Festival = { date: string; name: string; kind: FestivalKind; suggestion: string; theme: string };

export const FESTIVAL_MIN_YEAR = 1900;
export const FESTIVAL_MAX_YEAR = 2100;

type Def = { name: string; theme: string; suggestion: string };

const lunarDefs: (Def & { month: number; day: number })[] = [
  {
    month: 1,
    day: 1,
    name: '春节',
    theme: '我们的节日·春节',
    suggestion: '新春送温暖：走访慰问困难群众、空巢老人，开展写春联送福字、移风易俗倡导',
  },
  {
    month: 1,
    day: 15,
    name: '元宵节',
    theme: '我们的节日·元宵',
    suggestion: '闹元宵猜灯谜、群众文艺展演，宣传文明新风',
  },
  {
    month: 5,
    day: 5,
    name: '端午节',
    theme: '我们的节日·端午',
    suggestion: '包粽子、诵读经典，传承爱国主义精神，慰问孤寡老人',
  },
  {
    month: 7,
    day: 7,
    name: '七夕节',
    theme: '我们的节日·七夕',
    suggestion: '婚育新风进万家：倡导简办婚事、抵制高价彩礼',
  },
  {
    month: 8,
    day: 15,
    name: '中秋节',
    theme: '我们的节日·中秋',
    suggestion: '邻里团圆·共享月饼：关爱留守儿童和空巢老人，弘扬家庭美德',
  },
  {
    month: 9,
    day: 9,
    name: '重阳节',
    theme: '敬老爱老',
    suggestion: '敬老爱老志愿服务：为老人义诊、理发、打扫卫生，评选孝老爱亲典型',
  },
  {
    month: 12,
    day: 8,
    name: '腊八节',
    theme: '我们的节日·腊八',
    suggestion: '施粥送暖、文明过节倡议，慰问环卫工人等一线劳动者',
  },
];

const memorialDefs: (Def & { month: number; day: number })[] = [
  { month: 1, day: 1, name: '元旦', theme: '辞旧迎新', suggestion: '新年文明实践活动启动、年度志愿服务表彰' },
  {
    month: 3,
    day: 5,
    name: '学雷锋纪念日',
    theme: '学雷锋志愿服务月',
    suggestion: '学雷锋志愿服务月启动，集中开展便民服务、环境整治志愿服务',
  },
  {
    month: 3,
    day: 8,
    name: '三八妇女节',
    theme: '巾帼建新功',
    suggestion: '巾帼志愿服务、妇女健康知识讲座、最美家庭评选',
  },
  { month: 3, day: 12, name: '植树节', theme: '绿色家园', suggestion: '义务植树、爱绿护绿志愿服务，宣传生态文明' },
  {
    month: 4,
    day: 15,
    name: '全民国家安全教育日',
    theme: '国家安全·人人有责',
    suggestion: '国家安全知识宣讲、反诈防骗宣传进村入户',
  },
  {
    month: 5,
    day: 1,
    name: '五一劳动节',
    theme: '劳动光荣',
    suggestion: '弘扬劳模精神、劳动精神、工匠精神，慰问一线劳动者',
  },
  { month: 5, day: 4, name: '五四青年节', theme: '青春建功新时代', suggestion: '青年志愿者集中服务、青年理论宣讲' },
  {
    month: 6,
    day: 1,
    name: '六一儿童节',
    theme: '关爱未成年人',
    suggestion: '关爱留守儿童、“童心向党”主题活动、防溺水安全教育',
  },
  {
    month: 7,
    day: 1,
    name: '七一建党节',
    theme: '永远跟党走',
    suggestion: '党史学习教育宣讲、重温入党誓词、走访慰问老党员',
  },
  { month: 8, day: 1, name: '八一建军节', theme: '拥军优属', suggestion: '拥军优属志愿服务：走访慰问退役军人和军属' },
  {
    month: 8,
    day: 8,
    name: '全民健身日',
    theme: '全民健身',
    suggestion: '全民健身志愿服务、群众体育比赛、健康生活方式宣传',
  },
  { month: 9, day: 10, name: '教师节', theme: '尊师重教', suggestion: '尊师重教：慰问乡村教师、开展助学志愿服务' },
  {
    month: 10,
    day: 1,
    name: '国庆节',
    theme: '我和我的祖国',
    suggestion: '“我和我的祖国”主题宣讲、升国旗、爱国主义教育',
  },
  {
    month: 10,
    day: 17,
    name: '全国扶贫日',
    theme: '巩固脱贫攻坚成果',
    suggestion: '消费帮扶、结对帮扶困难群众，巩固拓展脱贫攻坚成果',
  },
  { month: 12, day: 4, name: '国家宪法日', theme: '法治宣传', suggestion: '宪法宣传、普法讲座、法律咨询进村（社区）' },
  {
    month: 12,
    day: 5,
    name: '国际志愿者日',
    theme: '志愿服务',
    suggestion: '志愿者表彰、星级志愿者评选、志愿服务项目展示',
  },
  {
    month: 12,
    day: 13,
    name: '国家公祭日',
    theme: '铭记历史',
    suggestion: '铭记历史·缅怀同胞：爱国主义教育、观看纪录片',
  },
];

const solarTermDefs: Def[] = [
  {
    name: '清明',
    theme: '缅怀先烈',
    suggestion: '缅怀先烈、文明祭扫：到烈士陵园祭扫，倡导鲜花祭扫、网络祭扫，防范山火',
  },
  { name: '冬至', theme: '冬日送温暖', suggestion: '冬至包饺子、送温暖，走访慰问独居老人' },
];

/** Generic themes of each month, used when a month has few festivals. */
const monthThemes: Record<number, { theme: string; reason: string }> = {
  1: { theme: '新春送温暖', reason: '岁末年初，走访慰问困难群众' },
  2: { theme: '移风易俗·文明过年', reason: '春节前后倡导文明节俭过节' },
  3: { theme: '学雷锋志愿服务月', reason: '3 月为学雷锋志愿服务月' },
  4: { theme: '缅怀先烈·文明祭扫', reason: '清明时节，开展革命传统教育' },
  5: { theme: '劳动光荣·青春建功', reason: '五一、五四所在月' },
  6: { theme: '关爱未成年人·防溺水', reason: '六一儿童节与汛期安全' },
  7: { theme: '永远跟党走', reason: '建党纪念月' },
  8: { theme: '拥军优属·全民健身', reason: '八一建军节与全民健身日' },
  9: { theme: '尊师重教·科学普及', reason: '教师节与全国科普日所在月' },
  10: { theme: '我和我的祖国', reason: '国庆月' },
  11: { theme: '消防安全·法治宣传', reason: '11 月 9 日全国消防日' },
  12: { theme: '志愿服务·宪法宣传', reason: '国家宪法日与国际志愿者日所在月' },
};

const ymd = (y: number, m: number, d: number) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
const solarYmd = (s: Solar) => ymd(s.getYear(), s.getMonth(), s.getDay());

/** Every festival and memorial day of a solar year, in date order. */
export function festivalsOf(year: number): Festival[] {
  if (!Number.isInteger(year) || year < FESTIVAL_MIN_YEAR || year > FESTIVAL_MAX_YEAR)
    throw new RangeError(`year out of range: ${year}`);
  const out: Festival[] = [];
  const add = (s: Solar | string, d: Def, kind: FestivalKind) => {
    const date = typeof s === 'string' ? s : solarYmd(s);
    if (date.startsWith(`${year}-`)) out.push({ date, name: d.name, kind, suggestion: d.suggestion, theme: d.theme });
  };
  for (const d of lunarDefs) {
    // 腊八 of the previous lunar year falls in January; that of this lunar year may fall in late December
    for (const ly of d.month === 12 ? [year - 1, year] : [year])
      add(Lunar.fromYmd(ly, d.month, d.day).getSolar(), d, 'lunar');
  }
  // 除夕 is the last day of the twelfth lunar month (29th or 30th): always the day before 春节
  add(
    Lunar.fromYmd(year, 1, 1).getSolar().next(-1),
    { name: '除夕', theme: '移风易俗·文明过年', suggestion: '文明过年倡议：平安守岁、安全燃放烟花爆竹，看望孤寡老人' },
    'lunar',
  );
  const table = Solar.fromYmd(year, 6, 1).getLunar().getJieQiTable();
  const termDate = (name: string, alt: string) => [table[name], table[alt]].find((s) => s && s.getYear() === year);
  const terms: Record<string, string> = { 清明: 'QING_MING', 冬至: 'DONG_ZHI' };
  for (const d of solarTermDefs) {
    const s = termDate(d.name, terms[d.name]);
    if (s) add(s, d, 'solar_term');
  }
  for (const d of memorialDefs) add(ymd(year, d.month, d.day), d, 'memorial');
  // 全国科普日: the third Saturday of September (the 科普日 weekend)
  const firstSat = 1 + ((6 - new Date(Date.UTC(year, 8, 1)).getUTCDay() + 7) % 7);
  add(
    ymd(year, 9, firstSat + 14),
    {
      name: '全国科普日',
      theme: '科学普及',
      suggestion: '科普志愿服务：防灾减灾、健康知识、农业技术进村入户（9 月第三个周末）',
    },
    'memorial',
  );
  return out.sort((a, b) => a.date.localeCompare(b.date) || a.name.localeCompare(b.name));
}

/** Themes suggested for a month: its festivals first, then the month's standing theme. */
export function suggestionsFor(year: number, month: number) {
  const prefix = `${year}-${String(month).padStart(2, '0')}-`;
  const themes: { theme: string; reason: string; date?: string; suggestion?: string }[] = [];
  for (const f of festivalsOf(year).filter((x) => x.date.startsWith(prefix))) {
    if (themes.some((t) => t.theme === f.theme)) continue;
    const [, m, d] = f.date.split('-').map(Number);
    themes.push({
      theme: f.theme,
      reason: `${m} 月 ${d} 日${f.name}：${f.suggestion}`,
      date: f.date,
      suggestion: f.suggestion,
    });
  }
  const std = monthThemes[month];
  if (!themes.some((t) => t.theme === std.theme)) themes.push({ theme: std.theme, reason: std.reason });
  return { month: `${year}-${String(month).padStart(2, '0')}`, themes };
}
