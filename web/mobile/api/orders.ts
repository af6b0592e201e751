/**
 * 点单 / 接单 / 消息 / 群众注册: the calls and answer shapes of the service loop (see /api/openapi.json, tag 点单).
 * Kept apart from api/index.ts so the service loop can grow without touching the other modules' calls.
 */
import { api } from './client';
import type { ApiBody, ApiQuery, ApiResponse, Schemas } from '../../common/api-types';

const enc = encodeURIComponent;

// Answers: generated from the server's response schemas (server/modules/orders/schema.ts).
/** One extra question of a service item, answered in `answers[key]`. */
export type ItemField = Schemas['ItemField'];
export type FieldType = ItemField['type'];
export type ServiceItem = Schemas['ServiceItem'];
export type ServiceMenu = Schemas['ServiceMenu'];
export type OrderState = Schemas['OrderState'];
export type OrderAction = Schemas['OrderAction'];
export type OrderSummary = Schemas['OrderSummary'];
export type OrderEvent = Schemas['OrderEvent'];
export type OrderDetail = Schemas['Order'];
/** What an action answers when the caller can no longer see the order (a volunteer who declined): its new state. */
export type OrderMoved = Schemas['OrderMoved'];
export type OrderList = ApiResponse<'/api/v1/orders/mine', 'get'>;

export interface NewOrder {
  serviceItemId: string;
  description: string;
  address?: string;
  answers?: Record<string, unknown>;
}

/** The body of POST /orders/:id/<action>; each action reads only its own fields. */
export interface ActionBody {
  reason?: string;
  summary?: string;
  hours?: number;
  photoIds?: string[];
  score?: number;
  comment?: string;
}

export type TaskView = 'todo' | 'pool' | 'mine';

export type Notification = Schemas['Notification'];
export type NotificationList = Schemas['NotificationPage'];
export type UploadedFile = Schemas['UploadedFile'];
/** One level of the public region tree (GET /regions?parent=). */
export type RegionNode = Schemas['Region'];
export type Registration = ApiBody<'/api/v1/auth/register', 'post'>;

export const serviceItemsApi = {
  menu: () => api.get('/service-items'),
};

export const ordersApi = {
  create: (body: NewOrder) => api.post('/orders', body),
  mine: (query: { state?: OrderState; page?: number; pageSize?: number } = {}) =>
    api.get('/orders/mine', { page: 1, pageSize: 20, ...query }),
  tasks: (view: TaskView, query: { page?: number; pageSize?: number } = {}) =>
    api.get('/orders/tasks', { view, page: 1, pageSize: 20, ...query }),
  get: (id: string) => api.get(`/orders/${enc(id)}`),
  /** The order after the action, or `OrderMoved` when the caller can no longer see it (a declined order). */
  act: (id: string, action: OrderAction, body: ActionBody = {}) => api.post(`/orders/${enc(id)}/${action}`, body),
  /** The resident's full phone number, for the acceptor (audited on the server). */
  contact: (id: string) => api.post(`/orders/${enc(id)}/contact`, {}),
};

export const notificationsApi = {
  list: (query: ApiQuery<'/api/v1/notifications', 'get'> = {}) =>
    api.get('/notifications', { page: 1, pageSize: 20, ...query }),
  read: (ids?: string[]) => api.post('/notifications/read', ids ? { ids } : {}),
};

export const filesApi = {
  upload: (file: Blob, fileName?: string) => api.upload('/files', file, fileName),
};

export const signupApi = {
  /** The village decides the county whose SMS sender (if any) is used. */
  smsCode: (phone: string, regionCode?: string) =>
    api.post('/auth/sms-code', { phone, regionCode }, { skipAuthHandler: true }),
  /** Public: the county without a parent, else the children of `parent`. */
  regions: (parent?: string) => api.get('/regions', { parent }, { skipAuthHandler: true }),
  register: (body: Registration) => api.post('/auth/register', body, { skipAuthHandler: true }),
};
