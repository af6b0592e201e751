/**
 * Issue #12 item 5: the assessment (考核评估) of towns and villages; the answers' types are generated from the server's
 * schemas (web/common/api-types.ts).
 */
import { api, downloadFile } from '../../common/api';
import type { ApiQuery, Schemas } from '../../common/api-types';

export type Assessment = Schemas['Assessment'];
export type AssessmentItem = Assessment['items'][number];
export type AssessmentIndicator = Assessment['indicators'][number];
export type AssessmentQuery = ApiQuery<'/api/v1/stats/assessment', 'get'>;
/** One indicator as the county sets it (setting `assessment.indicators`). */
export type IndicatorSetting = { key: string; weight: number; target?: number | null };

export const assessmentApi = {
  get: (query: AssessmentQuery) => api.get('/stats/assessment', query),
  download: (query: AssessmentQuery, name: string) =>
    downloadFile('/stats/assessment', name, { ...query, format: 'xlsx' }),
  indicators: async () => ((await api.get('/settings'))['assessment.indicators'] ?? []) as IndicatorSetting[],
  saveIndicators: (list: IndicatorSetting[]) => api.put('/settings', { 'assessment.indicators': list }),
  setPopulation: (code: string, population: number | null) =>
    api.put(`/regions/${encodeURIComponent(code)}/population`, { population }),
};
