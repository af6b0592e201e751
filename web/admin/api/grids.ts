/**
 * Issue #14: grid work (网格、联户、结亲、走访、覆盖) and needs surveys (群众需求大排查); the answers' types are
 * generated from the server's schemas (web/common/api-types.ts).
 */
import { api } from '../../common/api';
import type { ApiBody, ApiQuery, ApiResponse, Schemas } from '../../common/api-types';

export type Grid = Schemas['Grid'];
export type GridDetail = Schemas['GridDetail'];
export type GridHousehold = Schemas['GridHousehold'];
export type GridInput = ApiBody<'/api/v1/grids', 'post'>;
export type Pairing = Schemas['Pairing'];
export type Visit = Schemas['Visit'];
export type VisitInput = ApiBody<'/api/v1/visits', 'post'>;
export type Coverage = Schemas['GridCoverage'];

export const gridApi = {
  list: (query: ApiQuery<'/api/v1/grids', 'get'>) => api.page('/grids', query),
  get: (id: string) => api.get(`/grids/${id}`),
  create: (input: GridInput) => api.post('/grids', input),
  update: (id: string, input: Partial<GridInput>) => api.put(`/grids/${id}`, input),
  link: (id: string, householdIds: string[]) => api.post(`/grids/${id}/links`, { householdIds }),
  unlink: (id: string, householdId: string) => api.delete(`/grids/${id}/links/${householdId}`),
  coverage: (query: ApiQuery<'/api/v1/grids/coverage', 'get'>) => api.get('/grids/coverage', query),
};

export const pairingApi = {
  list: (query: ApiQuery<'/api/v1/pairings', 'get'>) => api.page('/pairings', query),
  cadres: (q?: string) => api.get('/pairings/cadres', { q }),
  create: (cadreUserId: string, householdIds: string[]) => api.post('/pairings', { cadreUserId, householdIds }),
  remove: (id: string) => api.delete(`/pairings/${id}`),
};

export const visitApi = {
  list: (query: ApiQuery<'/api/v1/visits', 'get'>) => api.page('/visits', query),
  get: (id: string) => api.get(`/visits/${id}`),
  create: (input: VisitInput) => api.post('/visits', input),
};

/** Where the wish or order a visit raised is shown. */
export const visitRaisedLink = (row: Visit) =>
  row.raisedKind === 'wish'
    ? { name: 'wishes', query: { state: '', q: row.raisedTitle ?? '' } }
    : { name: 'order-detail', params: { id: row.raisedId ?? '' } };

export type Survey = ApiResponse<'/api/v1/surveys', 'get'>['items'][number];
export type SurveyDetail = Schemas['SurveyDetail'];
export type PromotePlanInput = NonNullable<ApiBody<'/api/v1/surveys/{id}/promote', 'post'>['activityPlan']>;
export type SurveyState = Schemas['SurveyState'];
export type SurveyAction = Schemas['SurveyAction'];
export type SurveyInput = ApiBody<'/api/v1/surveys', 'post'>;
export type SurveyQuestion = Schemas['ItemField'];
export type SurveyResponse = Schemas['SurveyResponse'];
export type SurveySummary = Schemas['SurveySummary'];
export type ResponseInput = ApiBody<'/api/v1/surveys/{id}/responses', 'post'>;

export const surveyApi = {
  list: (query: ApiQuery<'/api/v1/surveys', 'get'>) => api.page('/surveys', query),
  get: (id: string) => api.get(`/surveys/${id}`),
  create: (input: SurveyInput) => api.post('/surveys', input),
  update: (id: string, input: Partial<SurveyInput>) => api.put(`/surveys/${id}`, input),
  act: (id: string, action: SurveyAction) => api.post(`/surveys/${id}/${action}`),
  respond: (id: string, input: ResponseInput) => api.post(`/surveys/${id}/responses`, input),
  responses: (id: string, query: ApiQuery<'/api/v1/surveys/{id}/responses', 'get'>) =>
    api.page(`/surveys/${id}/responses`, query),
  summary: (id: string) => api.get(`/surveys/${id}/summary`),
  promote: (id: string, responseIds: string[], serviceItem: { name: string; category: string; description?: string }) =>
    api.post(`/surveys/${id}/promote`, { responseIds, serviceItem }),
  promoteToPlan: (id: string, responseIds: string[], activityPlan: PromotePlanInput) =>
    api.post(`/surveys/${id}/promote`, { responseIds, activityPlan }),
};
