/**
 * The API's types for the web apps, from the generated web/common/api-schema.d.ts (`npm run gen:api`, from the
 * server's OpenAPI document), so that no answer's shape is written twice:
 *
 *   type Site = Schemas['Site'];                                  // a named component (zod `.meta({ id: 'Site' })`)
 *   type Detail = ApiResponse<'/api/v1/sites/{id}', 'get'>;        // what an operation answers on success
 *   type Filter = ApiQuery<'/api/v1/sites', 'get'>;                // its query parameters
 *   type Input = ApiBody<'/api/v1/sites', 'post'>;                 // its JSON body
 *
 * web/common/api.ts uses the same mapping to type its calls: `api.get(`/sites/${id}`)` answers
 * `ApiResponse<'/api/v1/sites/{id}', 'get'>` without a type argument, wherever the route declares its answer.
 */
import type { components, paths } from './api-schema';

export type Schemas = components['schemas'];
export type ApiPath = keyof paths;
export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

type Operation<P extends ApiPath, M extends Method> = NonNullable<paths[P][M]>;

/** The success response of an operation's responses (200, 201, 202 or 204), or never when it declares none. */
type Success<R> = R extends { 200: infer S }
  ? S
  : R extends { 201: infer S }
    ? S
    : R extends { 202: infer S }
      ? S
      : R extends { 204: infer S }
        ? S
        : never;
type Json<S> = S extends { content: { 'application/json': infer B } } ? B : void;

/** What an operation answers on success (`void` for 204). */
export type ApiResponse<P extends ApiPath, M extends Method> =
  Operation<P, M> extends { responses: infer R } ? Json<Success<R>> : never;
/** The JSON body an operation takes. */
export type ApiBody<P extends ApiPath, M extends Method> =
  Operation<P, M> extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;
/** The query parameters an operation takes. */
export type ApiQuery<P extends ApiPath, M extends Method> =
  Operation<P, M> extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;

/** Operations whose success answer is declared (converted modules); the others answer `unknown` in api.ts. */
type Declared<P extends ApiPath, M extends Method> =
  Operation<P, M> extends { responses: infer R }
    ? [Success<R>] extends [never]
      ? false
      : Success<R> extends { content: object }
        ? true
        : R extends { 204: unknown }
          ? true
          : false
    : false;
export type DeclaredPath<M extends Method> = {
  [P in ApiPath]: Declared<P, M> extends true ? P : never;
}[ApiPath];

/** The path as the client writes it, under /api/v1, with each `{param}` as any text: `/sites/${string}`. */
type Relative<P> = P extends `/api/v1${infer R}` ? R : never;
type Pattern<S> = S extends `${infer A}{${string}}${infer B}` ? `${A}${string}${Pattern<B>}` : S;
export type ClientPattern<P> = Pattern<Relative<P>>;

type Exact<T extends string, M extends Method> = {
  [P in DeclaredPath<M>]: Relative<P> extends T ? (T extends Relative<P> ? P : never) : never;
}[DeclaredPath<M>];
type Matching<T extends string, M extends Method> = {
  [P in DeclaredPath<M>]: T extends ClientPattern<P> ? P : never;
}[DeclaredPath<M>];
/** Of several matching operations, the most specific: `/users/${string}/roles` is not `/users/{id}`. */
type MostSpecific<Ps extends ApiPath> = {
  [P in Ps]: true extends {
    [Q in Ps]: Q extends P ? false : ClientPattern<Q> extends ClientPattern<P> ? true : false;
  }[Ps]
    ? never
    : P;
}[Ps];

/**
 * The operation a client path stands for: `'/regions'` → `'/api/v1/regions'`, `/sites/${id}` → `'/api/v1/sites/{id}'`.
 */
export type OperationPath<T extends string, M extends Method> = [Exact<T, M>] extends [never]
  ? MostSpecific<Matching<T, M>>
  : Exact<T, M>;
