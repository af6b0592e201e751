import { api } from './client';
import type { ApiBody } from '../../common/api-types';

/** 需求排查 (residents answer) and 网格走访 (link volunteers and cadres log visits), issue #14. */
export const surveysApi = {
  mine: () => api.get('/me/surveys'),
  get: (id: string) => api.get(`/surveys/${encodeURIComponent(id)}`),
  respond: (id: string, body: ApiBody<'/api/v1/surveys/{id}/responses', 'post'>) =>
    api.post(`/surveys/${encodeURIComponent(id)}/responses`, body),
};

export const gridApi = {
  myHouseholds: () => api.get('/me/grid-households'),
  visit: (body: ApiBody<'/api/v1/visits', 'post'>) => api.post('/visits', body),
  myVisits: () => api.page('/visits', { page: 1, pageSize: 50 }),
  menu: (regionCode: string) => api.get('/service-items', { regionCode }),
};
