// The generated client against a running API (`make client-tests` starts one with the demo
// data: organization demo-org, session `demo` connected in the connection emulator, its stored
// groups). Every answer is checked against the shapes of openapi.yaml: the field lists below are
// typed by the generated schema, so a changed schema breaks the build of this test, and an
// answer with a missing, renamed or extra field fails it.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { before, describe, test } from "node:test";

import {
  createGatewayClient,
  type AddResult,
  type ApiError,
  type CreatedGroup,
  type ErrorCode,
  type GatewayClient,
  type Group,
} from "../src/index.js";

function env(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run these tests with \`make client-tests\` (it starts the local API)`);
  }
  return value;
}

const SESSION = "demo";
const STORED_GID = "120363021234567890@g.us";

const isString = (v: unknown) => typeof v === "string";
const isInteger = (v: unknown) => Number.isInteger(v);
const isBoolean = (v: unknown) => typeof v === "boolean";
// Every member of Group, no more, no fewer: the compiler holds this list to the generated type.
const groupFields: { [K in keyof Required<Group>]: (v: unknown) => boolean } = {
  id: (v) => isInteger(v) && (v as number) >= 1,
  groupJid: (v) => isString(v) && /^[0-9]{1,24}(-[0-9]{1,24})?@g\.us$/.test(v as string),
  subject: isString,
  description: isString,
  ownerJid: (v) => v === null || (isString(v) && /^[0-9]{1,24}@(s\.whatsapp\.net|lid)$/.test(v as string)),
  participantCount: (v) => isInteger(v) && (v as number) >= 0,
  isAnnounce: isBoolean,
  isLocked: isBoolean,
  createdAtWa: isInteger,
  firstSeenAt: isInteger,
  updatedAt: isInteger,
  leftAt: (v) => v === null || isInteger(v),
};

function assertGroup(value: unknown): asserts value is Group {
  assert.ok(value !== null && typeof value === "object", `a group is an object: ${JSON.stringify(value)}`);
  assert.deepEqual(Object.keys(value).sort(), Object.keys(groupFields).sort(), "a group's fields");
  for (const [field, valid] of Object.entries(groupFields)) {
    assert.ok(valid((value as Record<string, unknown>)[field]), `group.${field} = ${JSON.stringify((value as Record<string, unknown>)[field])}`);
  }
}

const addStatuses: AddResult["status"][] = [
  "added",
  "already_member",
  "invite_required",
  "invite_sent",
  "not_on_whatsapp",
  "recently_left",
  "group_full",
  "failed",
];
// Every member an AddResult may have: the compiler holds this list to the generated type.
const addResultFields: { [K in keyof Required<AddResult>]: true } = { jid: true, status: true, invite: true, reason: true };

/** createGroup's answer: every member of Group, and one result per requested participant, in order. */
function assertCreatedGroup(value: unknown, participants: string[]): asserts value is CreatedGroup {
  assert.ok(value !== null && typeof value === "object", `a created group is an object: ${JSON.stringify(value)}`);
  const { results, ...group } = value as CreatedGroup;
  assertGroup(group);
  assert.ok(Array.isArray(results), "results is a list");
  assert.deepEqual(
    results.map((r) => r.jid),
    participants.map((p) => p.replace(/@c\.us$/, "@s.whatsapp.net")),
    "one result per participant, in request order, @c.us read as @s.whatsapp.net",
  );
  for (const result of results) {
    for (const key of Object.keys(result)) assert.ok(key in addResultFields, `an AddResult has no ${key}`);
    assert.ok(addStatuses.includes(result.status), `status ${result.status}`);
    assert.equal("reason" in result, result.status === "failed", "reason with failed, and only then");
  }
}

const errorFields: { [K in keyof ApiError["error"]]-?: true } = { code: true, message: true, details: true };

/** The error envelope `{"error": {"code", "message", "details"}}` with the given code. */
function assertError(error: unknown, code: ErrorCode): ApiError["error"] {
  assert.ok(error !== null && typeof error === "object", `an error body: ${JSON.stringify(error)}`);
  assert.deepEqual(Object.keys(error), ["error"], "the envelope's members");
  const inner = (error as ApiError).error;
  assert.deepEqual(Object.keys(inner).sort(), Object.keys(errorFields).sort(), "the error's members");
  assert.equal(inner.code, code);
  assert.equal(typeof inner.message, "string");
  assert.ok(inner.details !== null && typeof inner.details === "object" && !Array.isArray(inner.details), "details is an object");
  return inner;
}

describe("group API through the generated TypeScript client", () => {
  let api: GatewayClient;
  let frontend: GatewayClient;
  let created: Group;

  before(() => {
    api = createGatewayClient({ baseUrl: env("GATEWAY_URL"), token: env("GATEWAY_API_KEY") });
    // The web frontend's case: a login JWT, asked for on every request.
    const loginToken = env("GATEWAY_LOGIN_TOKEN");
    frontend = createGatewayClient({ baseUrl: env("GATEWAY_URL"), token: async () => loginToken });
  });

  test("listGroups: a page of the session's groups (login JWT)", async () => {
    const { data, error, response } = await frontend.GET("/api/v1/sessions/{session}/groups", {
      params: { path: { session: SESSION } },
    });
    assert.equal(response.status, 200, JSON.stringify(error));
    assert.ok(data);
    assert.deepEqual(Object.keys(data).sort(), ["data", "nextCursor"]);
    assert.ok(data.data.length >= 3, "the demo data has three groups");
    data.data.forEach(assertGroup);
    const jids = data.data.map((g) => g.groupJid);
    assert.deepEqual(jids, [...jids].sort(), "ordered by groupJid");
    assert.ok(jids.includes(STORED_GID));
    assert.equal(typeof data.nextCursor, "string");
  });

  test("listGroups: pages follow nextCursor (API key)", async () => {
    const seen: string[] = [];
    let cursor = "";
    for (let page = 0; page < 20; page++) {
      const { data, error } = await api.GET("/api/v1/sessions/{session}/groups", {
        params: { path: { session: SESSION }, query: { limit: 1, ...(cursor ? { cursor } : {}) } },
      });
      assert.ok(data, JSON.stringify(error));
      assert.ok(data.data.length <= 1);
      data.data.forEach(assertGroup);
      seen.push(...data.data.map((g) => g.groupJid));
      cursor = data.nextCursor;
      if (cursor === "") break;
    }
    assert.equal(cursor, "", "the walk ends");
    assert.equal(new Set(seen).size, seen.length, "no group twice");
    assert.ok(seen.includes(STORED_GID));
  });

  test("getGroup: a stored group", async () => {
    const { data, error, response } = await api.GET("/api/v1/sessions/{session}/groups/{gid}", {
      params: { path: { session: SESSION, gid: STORED_GID } },
    });
    assert.equal(response.status, 200, JSON.stringify(error));
    assertGroup(data);
    assert.equal(data.groupJid, STORED_GID);
    assert.equal(data.subject, "Project Team");
  });

  test("createGroup: 201 with the group, its results and Location; a retry with the key is replayed", async () => {
    const key = randomUUID();
    const body = { name: "  Client Kit (TS)  ", participants: ["6281111111111@s.whatsapp.net", "6282222222222@c.us"] };
    const first = await api.POST("/api/v1/sessions/{session}/groups", {
      params: { path: { session: SESSION }, header: { "Idempotency-Key": key } },
      body,
    });
    assert.equal(first.response.status, 201, JSON.stringify(first.error));
    assertCreatedGroup(first.data, body.participants);
    created = first.data;
    assert.equal(created.subject, "Client Kit (TS)", "surrounding white space removed");
    assert.equal(created.description, "");
    assert.equal(created.leftAt, null, "the account is in the group it made");
    assert.match(first.response.headers.get("Location") ?? "", /^\/api\/v1\/sessions\/demo\/groups\/[0-9-]+(@|%40)g\.us$/);

    const replay = await api.POST("/api/v1/sessions/{session}/groups", {
      params: { path: { session: SESSION }, header: { "Idempotency-Key": key } },
      body,
    });
    assert.equal(replay.response.status, 201);
    assert.equal(replay.response.headers.get("Idempotent-Replayed"), "true");
    assertCreatedGroup(replay.data, body.participants);
    assert.equal(replay.data.groupJid, created.groupJid);
  });

  test("updateGroup: 204, and getGroup shows the change", async () => {
    assert.ok(created, "createGroup ran first");
    const { error, response } = await api.PATCH("/api/v1/sessions/{session}/groups/{gid}", {
      params: { path: { session: SESSION, gid: created.groupJid } },
      body: { subject: "Client Kit (TS, renamed)", announce: true },
    });
    assert.equal(response.status, 204, JSON.stringify(error));
    const { data } = await api.GET("/api/v1/sessions/{session}/groups/{gid}", {
      params: { path: { session: SESSION, gid: created.groupJid } },
    });
    assertGroup(data);
    assert.equal(data.subject, "Client Kit (TS, renamed)");
    assert.equal(data.isAnnounce, true);
    assert.equal(data.id, created.id, "the id never changes");
  });

  test("404 not_found: a group that is not stored", async () => {
    const { data, error, response } = await api.GET("/api/v1/sessions/{session}/groups/{gid}", {
      params: { path: { session: SESSION, gid: "999999999999999999@g.us" } },
    });
    assert.equal(response.status, 404);
    assert.equal(data, undefined);
    assertError(error, "not_found");
  });

  test("404 not_found: a session that does not exist", async () => {
    const { error, response } = await api.GET("/api/v1/sessions/{session}/groups", {
      params: { path: { session: "no-such-session" } },
    });
    assert.equal(response.status, 404);
    assertError(error, "not_found");
  });

  test("400 validation_error: limit out of range names the field", async () => {
    const { error, response } = await api.GET("/api/v1/sessions/{session}/groups", {
      params: { path: { session: SESSION }, query: { limit: 0 } },
    });
    assert.equal(response.status, 400);
    const inner = assertError(error, "validation_error");
    assert.equal((inner.details as { field?: unknown }).field, "limit");
  });

  test("400 validation_error: a bad participant in createGroup", async () => {
    const { error, response } = await api.POST("/api/v1/sessions/{session}/groups", {
      params: { path: { session: SESSION } },
      body: { name: "Bad", participants: ["not-a-jid"] },
    });
    assert.equal(response.status, 400);
    const inner = assertError(error, "validation_error");
    assert.equal((inner.details as { field?: unknown }).field, "participants[0]");
  });

  test("401 unauthorized: a made-up API key", async () => {
    const stranger = createGatewayClient({ baseUrl: env("GATEWAY_URL"), token: "wgk_notARealKey" });
    const { error, response } = await stranger.GET("/api/v1/sessions/{session}/groups", {
      params: { path: { session: SESSION } },
    });
    assert.equal(response.status, 401);
    assert.match(response.headers.get("WWW-Authenticate") ?? "", /^Bearer/);
    assertError(error, "unauthorized");
  });

  test("403 forbidden: a member's login JWT cannot create groups", async () => {
    const member = createGatewayClient({ baseUrl: env("GATEWAY_URL"), token: env("GATEWAY_MEMBER_TOKEN") });
    const { error, response } = await member.POST("/api/v1/sessions/{session}/groups", {
      params: { path: { session: SESSION } },
      body: { name: "Not allowed", participants: ["6281111111111@s.whatsapp.net"] },
    });
    assert.equal(response.status, 403);
    const inner = assertError(error, "forbidden");
    assert.deepEqual(inner.details, { reason: "missing_capability", required: "send" });
  });
});
