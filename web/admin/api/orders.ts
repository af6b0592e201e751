/**
 * The 点单→派单→接单→评单 loop: orders, the service menu, households (代点单), follow-ups and the inbox.
 * Kept apart from index.ts so the service pages need nothing from the other modules' calls.
 */
import { api, type ItemList, type PageQuery, type Paged } from '../../common/api';
import type { ApiQuery, Schemas } from '../../common/api-types';

// Answers: generated from the server's response schemas (server/modules/orders/schema.ts).
export type OrderState = Schemas['OrderState'];
/** The actions the server may list in `actions`; each is POST /orders/:id/<action>. */
export type OrderAction = Schemas['OrderAction'];
export type ItemField = Schemas['ItemField'];
export type FieldType = ItemField['type'];
export type OrderMeta = Schemas['OrdersMeta'];
export type Order = Schemas['OrderSummary'];
export type OrderDetail = Schemas['Order'];
export type TargetType = NonNullable<Order['targetType']>;
export type TimelineEntry = Schemas['OrderEvent'];
export type OrderFollowUp = OrderDetail['followUps'][number];
export type Recommendation = Schemas['Recommendations']['items'][number];

export interface OrderQuery extends PageQuery {
  state?: OrderState;
  overdue?: boolean;
  regionCode?: string;
  category?: string;
  q?: string;
}

export interface TransitionBody {
  reason?: string;
  target?: { type: TargetType; id?: string | null };
  summary?: string;
  hours?: number;
  photoIds?: string[];
  volunteerIds?: string[];
}

export interface NewOrderInput {
  serviceItemId: string;
  description: string;
  address?: string;
  answers?: Record<string, unknown>;
  householdId?: string;
}

export const orderApi = {
  meta: () => api.get('/orders/meta'),
  list: (query: OrderQuery) => api.page<Order>('/orders', { ...query }),
  get: (id: string) => api.get(`/orders/${id}`),
  recommendations: (id: string) => api.get(`/orders/${id}/recommendations`),
  /**
   * The order after the action. Staff keep seeing the orders of their scope, so the answer is the whole order; only a
   * volunteer who declines gets `OrderMoved` (its new state), and then the order is read again.
   */
  act: async (id: string, action: OrderAction, body: TransitionBody = {}): Promise<OrderDetail> => {
    const res = await api.post(`/orders/${id}/${action}`, body);
    return 'serviceItem' in res ? res : orderApi.get(id);
  },
  create: (input: NewOrderInput) => api.post('/orders', input),
  /** The resident's full phone number (staff in scope, while the order is open; audited). */
  contact: (id: string) => api.post(`/orders/${id}/contact`, {}),
};

export type ServiceItem = Schemas['ServiceItem'];

export interface ServiceItemInput {
  name: string;
  category: string;
  description?: string;
  regionCode: string;
  fields: ItemField[];
  providerTeamIds: string[];
  active: boolean;
}

export const serviceItemApi = {
  manage: (query: PageQuery & { q?: string; category?: string }) => api.page('/service-items/manage', { ...query }),
  /** The menu of a place: items of the county, its town and its village. */
  menu: (regionCode: string) => api.get('/service-items', { regionCode }),
  create: (input: ServiceItemInput) => api.post('/service-items', input),
  update: (id: string, input: Partial<ServiceItemInput>) => api.patch(`/service-items/${id}`, input),
};

export type Household = Schemas['Household'];

export interface HouseholdInput {
  headName: string;
  phone?: string;
  regionCode: string;
  address: string;
  memberCount: number;
  note: string;
}

export const householdApi = {
  list: (query: PageQuery & { q?: string; regionCode?: string }) => api.page('/households', { ...query }),
  create: (input: HouseholdInput) => api.post('/households', input),
};

export type FollowUp = Schemas['FollowUp'];

export const followUpApi = {
  list: (open?: boolean) => api.get('/follow-ups', open === undefined ? {} : { open: open ? 'true' : 'false' }),
  close: (id: string, result: string) => api.post(`/follow-ups/${id}/close`, { result }),
};

export type Notification = Schemas['Notification'];

export const notificationApi = {
  list: (query: ApiQuery<'/api/v1/notifications', 'get'> = {}) =>
    api.get('/notifications', { page: 1, pageSize: 10, ...query }),
  read: (ids?: string[]) => api.post('/notifications/read', ids ? { ids } : {}),
};

/** Options for the pickers of the service pages (teams, volunteers, categories). */
export interface Option {
  id: string;
  name: string;
  sub?: string | null;
}

export const pickApi = {
  categories: () => api.get<ItemList<{ code: string; name: string }>>('/team-categories'),
  teams: async (q?: string): Promise<Option[]> => {
    const res = await api.get<
      Paged<{ id: string; name: string; regionName?: string | null; leaderName?: string | null }>
    >('/teams', { q, page: 1, pageSize: 30 });
    return res.items.map((t) => ({ id: t.id, name: t.name, sub: t.regionName }));
  },
  volunteers: async (q?: string): Promise<Option[]> => {
    const res = await api.page<{ id: string; name: string; volunteerNo?: string; regionName?: string | null }>(
      '/volunteers',
      {
        q,
        page: 1,
        pageSize: 30,
      },
    );
    return res.items.map((v) => ({
      id: v.id,
      name: v.name,
      sub: [v.volunteerNo, v.regionName].filter(Boolean).join(' · '),
    }));
  },
};
