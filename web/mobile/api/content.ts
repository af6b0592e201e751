/** Issue #14: the public content columns (GET /public/articles), readable without signing in. */
import type { Schemas } from '../../common/api-types';
import { api } from './client';

export type PublicArticle = Schemas['PublicArticle'];
export type PublicArticleDetail = Schemas['PublicArticleDetail'];
export type ArticleColumn = Schemas['ArticleColumn'];

export const articleColumns: ArticleColumn[] = [
  'news',
  'policy',
  'practice',
  'civil_customs',
  'role_models',
  'volunteer_activities',
  'service_stations',
  'brands',
  'organizations',
];

export const articlesApi = {
  list: (query: {
    county?: string;
    column?: ArticleColumn;
    regionCode?: string;
    page?: number;
    pageSize?: number;
    after?: string;
  }) => api.get('/public/articles', { page: 1, pageSize: 10, ...query }, { skipAuthHandler: true }),
  get: (id: string) => api.get(`/public/articles/${encodeURIComponent(id)}`, undefined, { skipAuthHandler: true }),
};
