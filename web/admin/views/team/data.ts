import type { FormRules } from 'element-plus';
import { optionsOf, teamLevelLabels, type TeamLevel } from '../../../common/labels';
import type { TeamCategory, TeamDetail, TeamInput } from '../../api';
import { msg } from '../../locales/zh-CN';

const f = msg.team.form;

export const levelOptions = optionsOf(teamLevelLabels);
export const levelRank: Record<TeamLevel, number> = { corps: 0, brigade: 1, squad: 2 };

/** The levels a team of `level` may hang under: only higher ones. */
export function parentLevels(level: TeamLevel | ''): TeamLevel[] {
  if (!level) return [];
  return (Object.keys(levelRank) as TeamLevel[]).filter((l) => levelRank[l] < levelRank[level]);
}

export interface TeamFilters {
  q?: string;
  level?: string;
  category?: string;
  regionCode?: string;
  isBrand?: 'true' | 'false';
  inactive: boolean;
}

export interface TeamForm {
  name: string;
  level: TeamLevel | '';
  category: string;
  regionCode: string;
  regionName: string;
  parentId: string;
  siteId: string;
  leaderVolunteerId: string;
  leaderName: string;
  isBrand: boolean;
  description: string;
}

export function emptyTeamForm(): TeamForm {
  return {
    name: '',
    level: '',
    category: '',
    regionCode: '',
    regionName: '',
    parentId: '',
    siteId: '',
    leaderVolunteerId: '',
    leaderName: '',
    isBrand: false,
    description: '',
  };
}

export function teamToForm(t: TeamDetail): TeamForm {
  return {
    name: t.name,
    level: t.level,
    category: t.category,
    regionCode: t.regionCode,
    regionName: t.regionName ?? '',
    parentId: t.parentId ?? '',
    siteId: t.siteId ?? '',
    leaderVolunteerId: t.leaderVolunteerId ?? '',
    leaderName: t.leaderName ?? '',
    isBrand: t.isBrand,
    description: t.description ?? '',
  };
}

export function formToInput(form: TeamForm): TeamInput {
  return {
    name: form.name.trim(),
    level: form.level as TeamLevel,
    category: form.category,
    regionCode: form.regionCode,
    parentId: form.level === 'corps' ? null : form.parentId || null,
    siteId: form.siteId || null,
    leaderVolunteerId: form.leaderVolunteerId || null,
    isBrand: form.isBrand,
    description: form.description.trim(),
  };
}

export const teamRules: FormRules = {
  name: [{ required: true, whitespace: true, min: 2, message: f.nameRequired, trigger: 'blur' }],
  level: [{ required: true, message: f.levelRequired, trigger: 'change' }],
  category: [{ required: true, message: f.categoryRequired, trigger: 'change' }],
  regionCode: [{ required: true, message: f.regionRequired, trigger: 'change' }],
};

export const categoryRules: FormRules = {
  code: [
    { required: true, pattern: /^[a-z][a-z0-9_]{1,39}$/, message: msg.team.category.codeInvalid, trigger: 'blur' },
  ],
  name: [
    { required: true, whitespace: true, min: 2, max: 20, message: msg.team.category.nameRequired, trigger: 'blur' },
  ],
};

/** The category's name: the server's for standing ones, the county's list for custom ones. */
export function categoryLabel(categories: TeamCategory[], code: string, serverName?: string): string {
  return categories.find((c) => c.code === code)?.name ?? serverName ?? code;
}
