// A Lambda runtime loop for index.mjs, in plain JavaScript (no native modules): what Lambda's
// managed Node.js runtime does between the Runtime API and a handler, reduced to what make
// bench's Runtime API serves. bench.py starts it as `node bootstrap.mjs` with the function's
// environment; BENCHMARKS.md says what it does and does not emulate.
//
// 1. Init: import the handler module (its top level builds the SDK client and the JWKS set).
//    An import error is posted to /runtime/init/error.
// 2. Loop: GET /runtime/invocation/next; set _X_AMZN_TRACE_ID; build the context object;
//    await handler(event, context); POST /runtime/invocation/{id}/response with the JSON of
//    the result in one write, or /error with Lambda's error shape.

import http from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const [host, port] = process.env.AWS_LAMBDA_RUNTIME_API.split(":");
const PREFIX = "/2018-06-01/runtime";
// One kept-alive connection, as the managed runtime holds; Node's http sets TCP_NODELAY.
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function request(method, path, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port, method, path, agent, headers }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    if (body !== undefined) {
      req.setHeader("content-length", Buffer.byteLength(body));
      req.end(body); // headers and body leave in one write
    } else {
      req.end();
    }
  });
}

function errorBody(error) {
  return JSON.stringify({
    errorType: error?.name ?? "Error",
    errorMessage: error?.message ?? String(error),
    trace: typeof error?.stack === "string" ? error.stack.split("\n") : [],
  });
}

const here = dirname(fileURLToPath(import.meta.url));
const [file, exported] = (process.env._HANDLER ?? "index.handler").split(".");
let handler;
try {
  const module = await import(pathToFileURL(join(process.env.LAMBDA_TASK_ROOT ?? here, `${file}.mjs`)).href);
  handler = module[exported];
  if (typeof handler !== "function") throw new Error(`${file}.${exported} is not a function`);
} catch (error) {
  await request("POST", `${PREFIX}/init/error`, errorBody(error),
    { "content-type": "application/json", "lambda-runtime-function-error-type": "Runtime.ImportModuleError" });
  process.exit(1);
}

const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME;
const functionVersion = process.env.AWS_LAMBDA_FUNCTION_VERSION;
const memoryLimitInMB = process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE;
const logGroupName = process.env.AWS_LAMBDA_LOG_GROUP_NAME;
const logStreamName = process.env.AWS_LAMBDA_LOG_STREAM_NAME;

for (;;) {
  const next = await request("GET", `${PREFIX}/invocation/next`);
  const h = next.headers;
  const requestId = h["lambda-runtime-aws-request-id"];
  const deadline = Number(h["lambda-runtime-deadline-ms"]);
  if (h["lambda-runtime-trace-id"]) process.env._X_AMZN_TRACE_ID = h["lambda-runtime-trace-id"];
  else delete process.env._X_AMZN_TRACE_ID;
  const context = {
    awsRequestId: requestId,
    invokedFunctionArn: h["lambda-runtime-invoked-function-arn"],
    functionName, functionVersion, memoryLimitInMB, logGroupName, logStreamName,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => deadline - Date.now(),
  };
  let path, body;
  try {
    const result = await handler(JSON.parse(next.body.toString("utf8")), context);
    path = `${PREFIX}/invocation/${requestId}/response`;
    body = result === undefined ? "null" : JSON.stringify(result);
  } catch (error) {
    path = `${PREFIX}/invocation/${requestId}/error`;
    body = errorBody(error);
  }
  await request("POST", path, body, { "content-type": "application/json" });
}
