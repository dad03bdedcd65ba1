// Vitra contract runtime: evaluated once per sandbox context, before any contract code.
// It captures the host bridge and pristine intrinsics, installs the determinism guards, and
// implements the transaction API of PROTOCOL §4. Values cross to the host only as strings.
'use strict';

const bridge = globalThis.__vitraBridge;
delete globalThis.__vitraBridge;

// ---- Pristine intrinsics: contract code may tamper with the globals, never with these. ----
const jsonParse = JSON.parse;
const jsonStringify = JSON.stringify;
const ObjectCreate = Object.create;
const ObjectFreeze = Object.freeze;
const ObjectIsExtensible = Object.isExtensible;
const ReflectOwnKeys = Reflect.ownKeys;
const ReflectGetOwnPropertyDescriptor = Reflect.getOwnPropertyDescriptor;
const ReflectApply = Reflect.apply;
const ReflectConstruct = Reflect.construct;
const hasOwn = Object.hasOwn;
const StringCtor = String;
const ErrorCtor = Error;
const RangeErrorCtor = RangeError;
const PromiseResolve = Promise.resolve.bind(Promise);
const PromiseThen = Promise.prototype.then;
const isArray = Array.isArray;
const MathRandom = Math.random;
const RealDate = Date;
const RealDateNow = Date.now;
const arrayPush = Array.prototype.push;
const arraySort = Array.prototype.sort;
const arraySplit = String.prototype.split;
const arrayJoin = Array.prototype.join;
const StringCharCodeAt = String.prototype.charCodeAt;
const StringSlice = String.prototype.slice;
const ObjectKeys = Object.keys;
const ObjectGetPrototypeOf = Object.getPrototypeOf;

function call(fn, self, ...args) {
  return ReflectApply(fn, self, args);
}

// ---- Determinism guards (PROTOCOL §4): inside apply() and contract loading for apply. ----
let deterministic = false;

// The transaction being applied, if any: its failure and limit flags are sticky, so a contract that
// catches the error of a refused action cannot turn a failed op into a successful one (PROTOCOL §4:
// "the op fails").
let current = null;

function failOp(message) {
  if (current !== null && current.failure === null) current.failure = message;
  throw new ErrorCtor(message);
}

function hitLimit(reason, message) {
  if (current !== null && current.limit === null) current.limit = [reason, message];
  throw new ErrorCtor(message);
}

function refuse(what) {
  if (deterministic) {
    failOp(what + ' is not available inside apply(): it is not deterministic');
  }
}

Math.random = function random() {
  refuse('Math.random()');
  return MathRandom();
};

const SafeDate = function Date(...args) {
  if (new.target === undefined) {
    refuse('Date()');
    return ReflectApply(RealDate, undefined, []);
  }
  if (args.length === 0) {
    refuse('new Date() without arguments');
  }
  return ReflectConstruct(RealDate, args, new.target);
};
SafeDate.prototype = RealDate.prototype;
SafeDate.UTC = RealDate.UTC;
SafeDate.parse = RealDate.parse;
SafeDate.now = function now() {
  refuse('Date.now()');
  return call(RealDateNow, RealDate);
};
Object.defineProperty(RealDate.prototype, 'constructor', { value: SafeDate, writable: true, configurable: true });
globalThis.Date = SafeDate;

// Intl date formatting without a date reads the clock.
if (typeof Intl === 'object' && Intl !== null && typeof Intl.DateTimeFormat === 'function') {
  const proto = Intl.DateTimeFormat.prototype;
  const formatGetter = ReflectGetOwnPropertyDescriptor(proto, 'format').get;
  const formatToParts = proto.formatToParts;
  Object.defineProperty(proto, 'format', {
    get() {
      const bound = call(formatGetter, this);
      return function format(date) {
        if (date === undefined) refuse('Intl.DateTimeFormat format() without a date');
        return bound(date);
      };
    },
    configurable: true
  });
  Object.defineProperty(proto, 'formatToParts', {
    value: function formatToParts(date) {
      if (date === undefined) refuse('Intl.DateTimeFormat formatToParts() without a date');
      return call(formatToParts, this, date);
    },
    writable: true,
    configurable: true
  });
}

for (const timer of ['setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval']) {
  globalThis[timer] = function () {
    throw new ErrorCtor(timer + ' is not available to contracts: there is no event loop');
  };
}

// ---- Paths (PROTOCOL §4). ----
function normalizePath(path, forWrite) {
  if (typeof path !== 'string') {
    failOp('path must be a string, got ' + typeof path);
  }
  // Split on '/', drop empty segments, rejoin: written with captured primitives only, because it also runs
  // after contract code that may have replaced String.prototype methods.
  let normalized = '';
  let first = null;
  let start = 0;
  for (let i = 0; i <= path.length; i++) {
    if (i === path.length || call(StringCharCodeAt, path, i) === 47) {
      if (i > start) {
        const segment = call(StringSlice, path, start, i);
        if (first === null) first = segment;
        normalized += '/' + segment;
      }
      start = i + 1;
    }
  }
  if (first === null) {
    failOp('path "' + path + '" normalises to "/", which is not a key');
  }
  if (forWrite && first === '.sys') {
    failOp('path "' + normalized + '" is under /.sys, which contracts cannot write');
  }
  return normalized;
}

function isLowerHex64(s) {
  if (typeof s !== 'string' || s.length !== 64) return false;
  for (let i = 0; i < 64; i++) {
    const c = call(StringCharCodeAt, s, i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

// ---- Index reads, as of the start of the transaction, through the host. ----
const index = ObjectFreeze({
  get: ObjectFreeze(function get(path) {
    const text = bridge.indexGet(normalizePath(path, false));
    return text == null ? undefined : jsonParse(text);
  }),
  list: ObjectFreeze(function list(prefix) {
    return jsonParse(bridge.indexList(normalizePath(prefix, false)));
  })
});

function listOplogs() {
  const inputs = jsonParse(bridge.indexList('/.sys/inputs'));
  const ids = [];
  for (let i = 0; i < inputs.length; i++) {
    const v = inputs[i].value;
    if (v !== null && typeof v === 'object' && v.active === true) {
      call(arrayPush, ids, inputs[i].name);
    }
  }
  return call(arraySort, ids);
}

// ---- The transaction (PROTOCOL §4). ----
const MAX_ENTRY_BYTES = 65535;

function utf8Length(s) {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = call(StringCharCodeAt, s, i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (call(StringCharCodeAt, s, i + 1) & 0xfc00) === 0xdc00) { n += 4; i++; }
    else n += 3;
  }
  return n;
}

function makeTx(state, maxChanges) {
  // Actions live in a prototype-less object: plain property reads and writes, nothing a contract can hook.
  const actions = ObjectCreate(null);
  let count = 0;
  const queue = (path, action) => {
    if (!(path in actions)) {
      count++;
      if (count > maxChanges) {
        hitLimit('CHANGE_LIMIT', 'transaction has more than ' + maxChanges + ' changes, the monitor\'s limit');
      }
    }
    actions[path] = action;
  };
  const stringifyValue = (value) => {
    let text;
    try {
      text = jsonStringify(value);
    } catch (e) {
      failOp('value cannot be stored: ' + describeThrown(e)[1]);
    }
    if (text === undefined) {
      failOp('value of type ' + typeof value + ' cannot be stored: JSON.stringify returns undefined');
    }
    return text;
  };
  const pubkeyOf = (arg, what) => {
    const pubkey = arg == null ? undefined : arg.pubkey;
    if (!isLowerHex64(pubkey)) {
      failOp(what + ' needs {pubkey} as 64 lowercase hex digits');
    }
    return pubkey;
  };
  const tx = ObjectFreeze({
    put(key, value) {
      const path = normalizePath(key, true);
      queue(path, ['put', stringifyValue(value)]);
    },
    delete(key) {
      queue(normalizePath(key, true), ['del', null]);
    },
    get(key) {
      const path = normalizePath(key, false);
      if (!(path in actions)) return undefined;
      const a = actions[path];
      return a[0] === 'put' ? { type: 'put', value: jsonParse(a[1]) } : { type: 'del' };
    },
    addOplog(arg) {
      const pubkey = pubkeyOf(arg, 'addOplog');
      queue('/.sys/inputs/' + pubkey, ['put', '{"pubkey":"' + pubkey + '","active":true}']);
    },
    removeOplog(arg) {
      const pubkey = pubkeyOf(arg, 'removeOplog');
      queue('/.sys/inputs/' + pubkey, ['put', '{"pubkey":"' + pubkey + '","active":false}']);
    },
    setContractSource(arg) {
      const code = arg == null ? undefined : arg.code;
      if (typeof code !== 'string' || code.length === 0) {
        failOp('setContractSource needs {code} as a non-empty string');
      }
      queue('/.sys/contract/source', ['put', jsonStringify(code)]);
    }
  });
  const changes = () => {
    const paths = ObjectKeys(actions);
    call(arraySort, paths); // default sort compares UTF-16 code units, as PROTOCOL §3 orders changes
    const out = [];
    for (let i = 0; i < paths.length; i++) {
      const a = actions[paths[i]];
      const entry = a[0] === 'put'
        ? '{"type":"put","path":' + jsonStringify(paths[i]) + ',"value":' + a[1] + '}'
        : '{"type":"del","path":' + jsonStringify(paths[i]) + '}';
      const bytes = utf8Length(entry);
      if (bytes > MAX_ENTRY_BYTES) {
        return ['failed', 'change to ' + paths[i] + ' is ' + bytes + ' bytes as an index entry, more than 65535'];
      }
      call(arrayPush, out, [a[0], paths[i], a[1], entry]);
    }
    return ['ok', out];
  };
  return { tx, changes };
}

// ---- Outcomes cross to the host as plain arrays: [kind, payload...]. ----
function describeThrown(e) {
  try {
    if (e instanceof RangeErrorCtor && e.message === 'Maximum call stack size exceeded') {
      // Stack depth depends on the JVM and on what is compiled, so it cannot decide an outcome.
      return ['limit', 'STACK_DEPTH', 'contract exceeded the stack depth'];
    }
    if (e instanceof ErrorCtor) return ['failed', StringCtor(e.message)];
    return ['failed', 'non-Error value thrown: ' + StringCtor(e)];
  } catch (inner) {
    return ['failed', 'non-Error value thrown (not printable)'];
  }
}

// Settles a possibly-async result; the host drains the job queue when the call returns, so a promise
// that is still pending afterwards waited for something that will never happen. `finish` turns the
// settled result (or the thrown value) into the outcome, consulting the sticky flags first.
function settle(value, threw, finish) {
  const box = { state: 'pending', value: undefined };
  const done = (ok, v) => {
    try {
      box.value = finish(ok, v);
    } catch (e) {
      box.value = describeThrown(e);
    }
    box.state = 'done';
  };
  if (threw) {
    done(false, value);
  } else if (value !== null && (typeof value === 'object' || typeof value === 'function')) {
    let then;
    try {
      then = value.then;
    } catch (e) {
      done(false, e);
      return box;
    }
    if (typeof then === 'function') {
      call(PromiseThen, PromiseResolve(value), (v) => done(true, v), (e) => done(false, e));
    } else {
      done(true, value);
    }
  } else {
    done(true, value);
  }
  return box;
}

let contractApi = null;

const api = {
  index,
  listOplogs: ObjectFreeze(listOplogs),
  genUUID: ObjectFreeze(function genUUID() {
    refuse('genUUID()');
    return bridge.genUUID();
  }),
  register(hooks) {
    contractApi = hooks;
  }
};
globalThis.__vitraContractApi = api;

// ---- Entry points called by the host (ContractSession). ----
export function seal() {
  delete globalThis.__vitraContractApi;
}

/** Called before the contract module is evaluated, so its top-level code already sees the right mode. */
export function prepare(isDeterministic, isWriter) {
  deterministic = isDeterministic;
  current = null;
  contractApi.setIsWriter(isWriter === true);
}

/** Opens the sticky state of a transaction before the module is evaluated for apply(). */
export function beginApply() {
  current = { failure: null, limit: null };
}

export function runApply(ns, opText, ackText, maxChanges) {
  const state = current;
  const { tx, changes } = makeTx(state, maxChanges);
  const finish = (ok, v) => {
    current = null;
    if (state.limit !== null) return ['limit', state.limit[0], state.limit[1]];
    if (state.failure !== null) return ['failed', state.failure];
    if (!ok) return describeThrown(v);
    return changes();
  };
  let op;
  try {
    op = jsonParse(opText);
  } catch (e) {
    return { state: 'done', value: ['failed', 'op is not valid JSON'] };
  }
  if (op === null || typeof op !== 'object' || isArray(op)) {
    return { state: 'done', value: ['failed', 'op is not a JSON object'] };
  }
  const ack = jsonParse(ackText);
  let result;
  try {
    const apply = ns.apply;
    if (typeof apply === 'function') {
      result = call(apply, undefined, tx, op, ack);
    } else if (apply !== null && typeof apply === 'object') {
      const name = op.op;
      const handler = typeof name === 'string' && hasOwn(apply, name) ? apply[name] : undefined;
      if (typeof handler !== 'function') {
        return { state: 'done', value: ['failed', 'contract has no apply handler for op ' + jsonStringify(name === undefined ? null : name)] };
      }
      result = call(handler, apply, tx, op, ack);
    } else {
      return { state: 'done', value: ['failed', 'contract does not export apply'] };
    }
  } catch (e) {
    return settle(e, true, finish);
  }
  return settle(result, false, finish);
}

export function runCall(ns, method, paramsText) {
  const fn = ns[method];
  if (method === 'apply' || method === 'process' || typeof fn !== 'function') {
    return { state: 'done', value: ['failed', 'contract has no method ' + jsonStringify(method)] };
  }
  const emitted = [];
  let limit = null;
  const emit = (op) => {
    if (op === null || typeof op !== 'object' || isArray(op)) {
      throw new ErrorCtor('emit() needs an op object');
    }
    const text = jsonStringify(op);
    if (emitted.length >= 1000) {
      limit = ['CHANGE_LIMIT', 'a call may emit at most 1000 ops'];
      throw new ErrorCtor(limit[1]);
    }
    call(arrayPush, emitted, text);
  };
  const finish = (ok, v) => {
    if (limit !== null) return ['limit', limit[0], limit[1]];
    if (!ok) return describeThrown(v);
    const text = v === undefined ? null : jsonStringify(v);
    return ['ok', text === undefined ? null : text, emitted];
  };
  let result;
  try {
    result = call(fn, ns, paramsText === null ? undefined : jsonParse(paramsText), emit);
  } catch (e) {
    return settle(e, true, finish);
  }
  return settle(result, false, finish);
}

export function runProcess(ns, opText) {
  const fn = ns.process;
  if (typeof fn !== 'function') {
    return { state: 'done', value: ['ok', null] };
  }
  const finish = (ok, v) => {
    if (!ok) return describeThrown(v);
    const text = v === undefined ? null : jsonStringify(v);
    return ['ok', text === undefined ? null : text];
  };
  let result;
  try {
    result = call(fn, ns, jsonParse(opText));
  } catch (e) {
    return settle(e, true, finish);
  }
  return settle(result, false, finish);
}

// ---- Global-surface fingerprint: detects contracts that change the shared realm. ----
const watched = [globalThis];
for (const name of ReflectOwnKeys(globalThis)) {
  const d = ReflectGetOwnPropertyDescriptor(globalThis, name);
  const v = d.value;
  if ((typeof v === 'function' || (typeof v === 'object' && v !== null)) && v !== globalThis) {
    call(arrayPush, watched, v);
    if (typeof v === 'function' && v.prototype !== undefined && v.prototype !== null) {
      call(arrayPush, watched, v.prototype);
    }
  }
}
for (const extra of [Object.getPrototypeOf(Int8Array), Object.getPrototypeOf(Int8Array.prototype),
  Object.getPrototypeOf(function* () {}), Object.getPrototypeOf(async function () {}),
  Object.getPrototypeOf([][Symbol.iterator]()), Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]()))]) {
  call(arrayPush, watched, extra);
}

// Two checks of the shared realm. The quick one runs after every transaction: extensibility, key counts
// and data-property values of the globals, the constructors and their prototypes. The full one runs every
// FULL_CHECK_EVERY transactions over everything reachable from them (function objects, hidden prototypes,
// accessors) and compares every descriptor field.
const FULL_CHECK_EVERY = 32;
const MAX_GRAPH = 20000;
let quickShape = null;
let dataObjects = null;
let dataKeys = null;
let dataValues = null;
let graph = null;
let graphShape = null;
let graphKeys = null;
let graphFields = null;
let checks = 0;

function reachable() {
  const seen = new Set();
  const out = [];
  const visit = (v) => {
    if ((typeof v === 'object' && v !== null) || typeof v === 'function') {
      if (!seen.has(v) && out.length < MAX_GRAPH) {
        seen.add(v);
        call(arrayPush, out, v);
      }
    }
  };
  for (let i = 0; i < watched.length; i++) visit(watched[i]);
  for (let i = 0; i < out.length; i++) {
    const o = out[i];
    visit(ObjectGetPrototypeOf(o));
    const keys = ReflectOwnKeys(o);
    for (let k = 0; k < keys.length; k++) {
      const d = ReflectGetOwnPropertyDescriptor(o, keys[k]);
      visit(d.value);
      visit(d.get);
      visit(d.set);
    }
  }
  return out;
}

export function takeBaseline() {
  quickShape = [];
  dataObjects = [];
  dataKeys = [];
  dataValues = [];
  for (let i = 0; i < watched.length; i++) {
    const o = watched[i];
    const keys = ReflectOwnKeys(o);
    call(arrayPush, quickShape, ObjectIsExtensible(o), keys.length);
    for (let k = 0; k < keys.length; k++) {
      const d = ReflectGetOwnPropertyDescriptor(o, keys[k]);
      if (d.get === undefined && d.set === undefined) {
        call(arrayPush, dataObjects, o);
        call(arrayPush, dataKeys, keys[k]);
        call(arrayPush, dataValues, d.value);
      }
    }
  }
  graph = reachable();
  graphShape = [];
  graphKeys = [];
  graphFields = [];
  for (let i = 0; i < graph.length; i++) {
    const o = graph[i];
    const keys = ReflectOwnKeys(o);
    call(arrayPush, graphShape, ObjectIsExtensible(o), keys.length, ObjectGetPrototypeOf(o));
    call(arrayPush, graphKeys, keys);
    for (let k = 0; k < keys.length; k++) {
      const d = ReflectGetOwnPropertyDescriptor(o, keys[k]);
      call(arrayPush, graphFields, d.value, d.get, d.set, d.writable === true, d.configurable === true, d.enumerable === true);
    }
  }
}

function same(a, b) {
  return a === b || (a !== a && b !== b);
}

function quickCheck() {
  for (let i = 0; i < watched.length; i++) {
    const o = watched[i];
    if (ObjectIsExtensible(o) !== quickShape[2 * i] || ReflectOwnKeys(o).length !== quickShape[2 * i + 1]) return false;
  }
  for (let i = 0; i < dataObjects.length; i++) {
    const d = ReflectGetOwnPropertyDescriptor(dataObjects[i], dataKeys[i]);
    if (d === undefined || d.get !== undefined || d.set !== undefined || !same(d.value, dataValues[i])) return false;
  }
  return true;
}

function fullCheck() {
  let f = 0;
  for (let i = 0; i < graph.length; i++) {
    const o = graph[i];
    if (ObjectIsExtensible(o) !== graphShape[3 * i] || ReflectOwnKeys(o).length !== graphShape[3 * i + 1]
        || ObjectGetPrototypeOf(o) !== graphShape[3 * i + 2]) {
      return false;
    }
    const keys = graphKeys[i];
    for (let k = 0; k < keys.length; k++, f += 6) {
      const d = ReflectGetOwnPropertyDescriptor(o, keys[k]);
      if (d === undefined || !same(d.value, graphFields[f]) || d.get !== graphFields[f + 1] || d.set !== graphFields[f + 2]
          || (d.writable === true) !== graphFields[f + 3] || (d.configurable === true) !== graphFields[f + 4]
          || (d.enumerable === true) !== graphFields[f + 5]) {
        return false;
      }
    }
  }
  return true;
}

/** True when the shared realm looks as it did after setup (see the two checks above). */
export function globalsIntact() {
  if (!quickCheck()) return false;
  checks++;
  return checks % FULL_CHECK_EVERY !== 0 || fullCheck();
}

export function realmSize() {
  return [watched.length, graph.length];
}
