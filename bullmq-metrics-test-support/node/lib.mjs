// Shared plumbing of the fixture scripts: one JSON document in on stdin, one out on stdout.
import { Cluster, Redis } from 'ioredis';

// BullMQ or ioredis must never write to stdout, which carries the one JSON answer.
console.log = console.error;
console.info = console.error;
console.debug = console.error;

const CONNECT_TIMEOUT_MS = 10_000;

export async function readInput() {
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

export async function loadBullMq(version) {
  if (version !== 5 && version !== 6) {
    throw new Error(`"bullmq" must be 5 or 6, got ${JSON.stringify(version)}`);
  }
  return import(version === 5 ? 'bullmq5' : 'bullmq6');
}

// One ioredis connection that answered PING. The URL is one of
//   redis://[user:password@]host:port               a single server (as ioredis parses it)
//   rediss://[user:password@]host:port              the same over TLS; Node must trust the server's CA
//                                                   (NODE_EXTRA_CA_CERTS), and its certificate must name the host
//   redis+cluster://[user:password@]h:p,h:p,...     a Redis Cluster, from these seed nodes
//   redis+sentinel://[user:password@]h:p,h:p/name   the master "name" behind these sentinels
// Credentials of the two last forms are for the data nodes, not for the sentinels.
export async function connect(url) {
  const connection = await connectTo(url, createConnection(url));
  if (!(connection instanceof Cluster)) {
    return connection;
  }
  // The seeds of a redis+cluster:// URL may be replicas. ioredis sends commands to its startup
  // nodes before it knows their roles, and copies them into every duplicate(): so each Worker's
  // connection, named after its queue, may open one to a replica, and one closed at the wrong
  // moment outlives worker.close() there. getWorkersCount() then counts a closed worker on that
  // replica for good (seen 2 times in 200 closes; none in 400 with masters as startup nodes).
  // Start from the masters only, as an application listing its masters would.
  const masters = connection.nodes('master').map((node) => ({ host: node.options.host, port: node.options.port }));
  connection.disconnect();
  return connectTo(url, createCluster(url, masters));
}

async function connectTo(url, connection) {
  let lastError;
  let lastNodeError;
  connection.on('error', (err) => {
    lastError = err;
  });
  // A Cluster reports what went wrong on a node (a wrong password, say) only as a 'node error'.
  connection.on('node error', (err) => {
    lastNodeError = err;
  });
  const timeout = new Promise((_, reject) =>
    setTimeout(
      () => reject(new Error(`Redis at ${redacted(url)} did not answer PING in ${CONNECT_TIMEOUT_MS} ms: ${lastError}`)),
      CONNECT_TIMEOUT_MS,
    ).unref(),
  );
  try {
    await Promise.race([connection.connect().then(() => connection.ping()), timeout]);
  }
  catch (err) {
    connection.disconnect();
    const nodeError = lastNodeError ? ` (last node error: ${lastNodeError})` : '';
    throw new Error(`Could not connect to Redis at ${redacted(url)}: ${lastError ?? err}${nodeError}`);
  }
  return connection;
}

// BullMQ requires maxRetriesPerRequest null on the connections its workers block on; on a
// Cluster it checks the redisOptions, which every node connection is made with.
function createConnection(url) {
  if (typeof url === 'string' && (url.startsWith('redis://') || url.startsWith('rediss://'))) {
    return new Redis(url, { maxRetriesPerRequest: null, lazyConnect: true });
  }
  if (typeof url === 'string' && url.startsWith('redis+cluster://')) {
    return createCluster(url);
  }
  if (typeof url === 'string' && url.startsWith('redis+sentinel://')) {
    const { credentials, nodes, path } = parseMultiHostUrl(url, 'redis+sentinel://');
    if (!/^\/[^/]+$/.test(path)) {
      throw new Error(`a redis+sentinel:// URL ends with /<master name>, got ${JSON.stringify(redacted(url))}`);
    }
    return new Redis({
      ...credentials,
      sentinels: nodes,
      name: decodeURIComponent(path.substring(1)),
      maxRetriesPerRequest: null,
      lazyConnect: true,
    });
  }
  throw new Error(
    `"redis" must be a redis://, rediss://, redis+cluster:// or redis+sentinel:// URL, got ${JSON.stringify(typeof url === 'string' ? redacted(url) : url)}`,
  );
}

// A Cluster from the URL's seed nodes, or from the given startup nodes with the URL's credentials.
function createCluster(url, startupNodes) {
  const { credentials, nodes, path } = parseMultiHostUrl(url, 'redis+cluster://');
  if (path !== '') {
    throw new Error(`a redis+cluster:// URL has no path, got ${JSON.stringify(redacted(url))}`);
  }
  return new Cluster(startupNodes ?? nodes, {
    lazyConnect: true,
    redisOptions: { ...credentials, maxRetriesPerRequest: null },
  });
}

function parseMultiHostUrl(url, scheme) {
  let rest = url.substring(scheme.length);
  const slash = rest.indexOf('/');
  const path = slash < 0 ? '' : rest.substring(slash);
  rest = slash < 0 ? rest : rest.substring(0, slash);
  const at = rest.lastIndexOf('@');
  const credentials = {};
  if (at >= 0) {
    const userInfo = rest.substring(0, at);
    const colon = userInfo.indexOf(':');
    const username = decodeURIComponent(colon < 0 ? userInfo : userInfo.substring(0, colon));
    if (username !== '') {
      credentials.username = username;
    }
    if (colon >= 0) {
      credentials.password = decodeURIComponent(userInfo.substring(colon + 1));
    }
    rest = rest.substring(at + 1);
  }
  const nodes = rest.split(',').map((node) => {
    const match = /^(\[[^\]]+\]|[^:\[\]]+):(\d+)$/.exec(node);
    if (!match) {
      throw new Error(`expected host:port in ${JSON.stringify(redacted(url))}, got ${JSON.stringify(node)}`);
    }
    return { host: match[1].replace(/^\[(.*)\]$/, '$1'), port: Number(match[2]) };
  });
  return { credentials, nodes, path };
}

export async function waitFor(description, condition, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) {
      return;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${description}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export function writeLine(document) {
  return new Promise((resolve, reject) =>
    process.stdout.write(JSON.stringify(document) + '\n', (err) => (err ? reject(err) : resolve())),
  );
}

// Runs a script body: reads the input, writes the answer, and always ends the process.
export function main(body) {
  const fail = (err) => {
    process.stderr.write(`${process.argv[1]}: ${err && err.stack ? err.stack : err}\n`, () => process.exit(1));
  };
  process.on('unhandledRejection', fail);
  readInput()
    .then(body)
    .then((answer) => (answer === undefined ? undefined : writeLine(answer)))
    .then(() => process.exit(0), fail);
}

function redacted(url) {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
