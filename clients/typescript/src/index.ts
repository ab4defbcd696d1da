// A small typed client of the group API: openapi-fetch over the types that openapi-typescript
// generates from openapi.yaml (src/schema.ts; regenerate with `make clients`, never edit it).
import createClient, { type Client } from "openapi-fetch";
import type { components, operations, paths } from "./schema.js";

export type { components, operations, paths };
export type Group = components["schemas"]["Group"];
export type GroupList = components["schemas"]["GroupList"];
export type CreateGroupRequest = components["schemas"]["CreateGroupRequest"];
/** createGroup's answer: the group's fields and, in `results`, one AddResult per participant. */
export type CreatedGroup = components["schemas"]["CreatedGroup"];
export type UpdateGroupRequest = components["schemas"]["UpdateGroupRequest"];
export type GroupSync = components["schemas"]["GroupSync"];
export type SyncStarted = components["schemas"]["SyncStarted"];
export type Member = components["schemas"]["Member"];
export type MemberList = components["schemas"]["MemberList"];
export type AddGroupMembersRequest = components["schemas"]["AddGroupMembersRequest"];
export type AddResult = components["schemas"]["AddResult"];
export type AddResults = components["schemas"]["AddResults"];
export type GroupInvite = components["schemas"]["GroupInvite"];
/** The envelope of every error the API's functions answer: `{"error": {code, message, details}}`. */
export type ApiError = components["schemas"]["Error"];
export type ErrorCode = components["schemas"]["ErrorCode"];
export type GatewayClient = Client<paths>;

/** A bearer token (an API key `wgk_...` or a login JWT), or a function giving the current one. */
export type TokenSource = string | (() => string | Promise<string>);

export interface GatewayClientOptions {
  /** Where the API is, without `/api/v1`: `https://<apiId>.execute-api.<region>.amazonaws.com`. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <token>` on every request; a function is asked each time. */
  token: TokenSource;
  /** Another fetch (tests, a runtime without a global fetch). */
  fetch?: (input: Request) => Promise<Response>;
}

/**
 * A client of the group API. Every call returns `{ data, error, response }`: `data` on a 2xx,
 * else `error`, the API's error envelope (or API Gateway's own `{"message": ...}`).
 */
export function createGatewayClient(options: GatewayClientOptions): GatewayClient {
  const client = createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ""),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const token = options.token;
  client.use({
    async onRequest({ request }) {
      const value = typeof token === "function" ? await token() : token;
      request.headers.set("Authorization", `Bearer ${value}`);
      return request;
    },
  });
  return client;
}

export default createGatewayClient;
