// getGroup as a Node.js 20 Lambda function, written the way a user would write it for the
// managed runtime: one file, AWS SDK v3's DynamoDBClient, jose for login JWTs. It is make
// bench's peer (tools/bench/bench.py runs it through bootstrap.mjs), not part of the gateway:
// same table, same items, same answers as functions/get-group.
//
//   GET /api/v1/sessions/{session}/groups/{gid}
//   Authorization: Bearer <API key | login JWT>
//
// API key: `wgk_` + key id (16 base62) + secret (32) + CRC-32 checksum (6 base62); its record
// (`PK=APIKEY#<id>, SK=APIKEY`) is read with GetItem and the SHA-256 of the key compared, the
// record kept for 30 s per warm process as the Rust functions do. Login JWT: jose's
// createRemoteJWKSet + jwtVerify with issuer and audience, claims `org_id` and `role`. Then
// one BatchGetItem of the session (`PK=SESSION#<id>, SK=SESSION`) and the group
// (`SK=GROUP#<jid>`), the owner check, and the group as JSON.

import { createHash } from "node:crypto";
import { crc32 } from "node:zlib";

import { BatchGetItemCommand, DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { createRemoteJWKSet, jwtVerify } from "jose";

// Built once per cold start, outside the handler, as the Lambda docs recommend. Region,
// credentials and AWS_ENDPOINT_URL_DYNAMODB come from the environment.
const ddb = new DynamoDBClient({});
const TABLE = process.env.GATEWAY_TABLE;
const JWKS = createRemoteJWKSet(new URL(process.env.GATEWAY_JWKS_URL));
const ISSUER = process.env.GATEWAY_JWT_ISSUER;
const AUDIENCE = process.env.GATEWAY_JWT_AUDIENCE;
const ROLES = { owner: ["read", "send"], admin: ["read", "send"], member: ["read"] };

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const API_KEY = /^wgk_([0-9A-Za-z]{16})[0-9A-Za-z]{32}([0-9A-Za-z]{6})$/;
const JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const SESSION_ID = /^[A-Za-z0-9_-]{1,64}$/;
const GROUP_JID = /^(\d{1,24}|\d{1,24}-\d{1,24})@g\.us$/;
const KEY_TTL_MS = 30_000;
const keyCache = new Map(); // key id -> { record | null, at }

class HttpError extends Error {
  constructor(status, code, message, details = {}) {
    super(message);
    Object.assign(this, { status, code, details });
  }
}
const unauthorized = () => new HttpError(401, "unauthorized", "missing or invalid bearer token");
const notFound = (what) => new HttpError(404, "not_found", `${what} not found`);
const invalid = (field, reason) =>
  new HttpError(400, "validation_error", `${field}: ${reason}`, { field, reason });

function checksum(text) {
  let n = crc32(text) >>> 0;
  let out = "";
  for (let i = 0; i < 6; i++) {
    out = BASE62[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out;
}

async function apiKeyPrincipal(token) {
  const m = API_KEY.exec(token);
  if (!m || checksum(token.slice(0, -6)) !== m[2]) throw unauthorized();
  const keyId = m[1];
  const now = Date.now();
  let cached = keyCache.get(keyId);
  if (!cached || now - cached.at >= KEY_TTL_MS) {
    const out = await ddb.send(new GetItemCommand({
      TableName: TABLE,
      Key: { PK: { S: `APIKEY#${keyId}` }, SK: { S: "APIKEY" } },
      ConsistentRead: true,
    }));
    cached = { record: out.Item ? unmarshall(out.Item) : null, at: now };
    keyCache.set(keyId, cached);
  }
  const record = cached.record;
  if (!record) throw unauthorized();
  const hash = createHash("sha256").update(token).digest("hex");
  if (record.keyHash !== hash || record.revokedAt != null) throw unauthorized();
  if (record.expiresAt != null && record.expiresAt <= now) throw unauthorized();
  return { org: record.org, capabilities: record.capabilities ?? [] };
}

async function loginPrincipal(token) {
  let payload;
  try {
    ({ payload } = await jwtVerify(token, JWKS, { issuer: ISSUER, audience: AUDIENCE }));
  } catch {
    throw unauthorized();
  }
  if (typeof payload.org_id !== "string" || payload.org_id === "") throw unauthorized();
  return { org: payload.org_id, capabilities: ROLES[payload.role] ?? [] };
}

async function authenticate(headers) {
  const header = headers?.authorization ?? headers?.Authorization;
  const m = /^bearer\s+(\S+)\s*$/i.exec(header ?? "");
  if (!m) throw unauthorized();
  const token = m[1];
  return JWS.test(token) ? loginPrincipal(token) : apiKeyPrincipal(token);
}

function pathParam(event, name, pattern, reason) {
  let raw = event.pathParameters?.[name];
  if (raw === undefined) throw invalid(name, "is missing from the path");
  if (raw.includes("%")) {
    try {
      raw = decodeURIComponent(raw);
    } catch {
      throw invalid(name, "is not valid UTF-8 once percent-decoded");
    }
  }
  if (!pattern.test(raw)) throw invalid(name, reason);
  return raw;
}

async function getGroup(event) {
  const principal = await authenticate(event.headers);
  if (!principal.capabilities.includes("read")) {
    throw new HttpError(403, "forbidden", "the token lacks the 'read' capability",
      { reason: "missing_capability", required: "read" });
  }
  const session = pathParam(event, "session", SESSION_ID,
    "must be 1-64 characters of letters, digits, '_' and '-'");
  const gid = pathParam(event, "gid", GROUP_JID,
    "must be a group JID: <digits>@g.us or <digits>-<digits>@g.us");
  const pk = `SESSION#${session}`;
  let keys = [{ PK: { S: pk }, SK: { S: "SESSION" } }, { PK: { S: pk }, SK: { S: `GROUP#${gid}` } }];
  let sessionItem, groupItem;
  for (let round = 0; keys.length > 0; round++) {
    if (round === 3) throw new Error("BatchGetItem left keys unprocessed");
    const out = await ddb.send(new BatchGetItemCommand({
      RequestItems: { [TABLE]: { Keys: keys, ConsistentRead: true } },
    }));
    for (const item of out.Responses?.[TABLE] ?? []) {
      if (item.SK.S === "SESSION") sessionItem = item;
      else groupItem = item;
    }
    keys = out.UnprocessedKeys?.[TABLE]?.Keys ?? [];
  }
  // Another organization's session answers exactly like a missing one.
  if (!sessionItem || sessionItem.org?.S !== principal.org) throw notFound("session");
  if (!groupItem) throw notFound("group");
  const g = unmarshall(groupItem);
  return {
    id: g.id,
    groupJid: g.groupJid,
    subject: g.subject,
    description: g.description,
    ownerJid: g.ownerJid ?? null,
    participantCount: g.participantCount,
    isAnnounce: g.isAnnounce,
    isLocked: g.isLocked,
    createdAtWa: g.createdAtWa,
    firstSeenAt: g.firstSeenAt,
    updatedAt: g.updatedAt,
  };
}

let coldStart = true;

export const handler = async (event, context) => {
  const started = performance.now();
  let status, body;
  const headers = { "content-type": "application/json" };
  try {
    body = JSON.stringify(await getGroup(event));
    status = 200;
  } catch (error) {
    if (!(error instanceof HttpError)) {
      console.error(JSON.stringify({ level: "ERROR", message: "request failed", error: String(error) }));
      error = new HttpError(500, "internal", "internal error");
    }
    status = error.status;
    body = JSON.stringify({ error: { code: error.code, message: error.message, details: error.details } });
    if (status === 401) headers["www-authenticate"] = "Bearer";
  }
  // One log line per request, as the Rust functions write.
  console.log(JSON.stringify({
    level: "INFO", message: "request", operation: "getGroup", status,
    request_id: context?.awsRequestId, api_request_id: event.requestContext?.requestId,
    cold_start: coldStart, latency_ms: performance.now() - started,
  }));
  coldStart = false;
  return { statusCode: status, headers, body };
};
