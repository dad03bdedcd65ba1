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
const stringStartsWith = String.prototype.startsWith;
const regexTest = RegExp.prototype.test;
const HEX64 = /^[0-9a-f]{64}$/;

function call(fn, self, ...args) {
  return ReflectApply(fn, self, args);
}

// ---- Determinism guards (PROTOCOL §4): inside apply() and contract loading for apply. ----
let deterministic = false;

function refuse(what) {
  if (deterministic) {
    throw new ErrorCtor(what + ' is not available inside apply(): it is not deterministic');
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

for (const timer of ['setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval']) {
  globalThis[timer] = function () {
    throw new ErrorCtor(timer + ' is not available to contracts: there is no event loop');
  };
}

// ---- Paths (PROTOCOL §4). ----
function normalizePath(path, forWrite) {
  if (typeof path !== 'string') {
    throw new ErrorCtor('path must be a string, got ' + typeof path);
  }
  const parts = call(arraySplit, path, '/');
  const kept = [];
  for (let i = 0; i < parts.length; i++) {
    if (parts[i] !== '') {
      call(arrayPush, kept, parts[i]);
    }
  }
  if (kept.length === 0) {
    throw new ErrorCtor('path "' + path + '" normalises to "/", which is not a key');
  }
  const normalized = '/' + call(arrayJoin, kept, '/');
  if (forWrite && kept[0] === '.sys') {
    throw new ErrorCtor('path "' + normalized + '" is under /.sys, which contracts cannot write');
  }
  return normalized;
}

// ---- Index reads, as of the start of the transaction, through the host. ----
const index = ObjectFreeze({
  get(path) {
    const text = bridge.indexGet(normalizePath(path, false));
    return text == null ? undefined : jsonParse(text);
  },
  list(prefix) {
    return jsonParse(bridge.indexList(normalizePath(prefix, false)));
  }
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
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) { n += 4; i++; }
    else n += 3;
  }
  return n;
}

function makeTx(limits) {
  const actions = new Map();
  const put = (path, valueText) => {
    actions.delete(path);
    actions.set(path, { type: 'put', valueText });
    if (actions.size > limits.maxChanges) {
      throw new LimitError('CHANGE_LIMIT', 'transaction has more than ' + limits.maxChanges + ' changes, the monitor\'s limit');
    }
  };
  const stringifyValue = (value) => {
    const text = jsonStringify(value);
    if (text === undefined) {
      throw new ErrorCtor('value of type ' + typeof value + ' cannot be stored: JSON.stringify returns undefined');
    }
    return text;
  };
  const pubkeyOf = (arg, what) => {
    const pubkey = arg == null ? undefined : arg.pubkey;
    if (typeof pubkey !== 'string' || !call(regexTest, HEX64, pubkey)) {
      throw new ErrorCtor(what + ' needs {pubkey} as 64 lowercase hex digits');
    }
    return pubkey;
  };
  const tx = ObjectFreeze({
    put(key, value) {
      put(normalizePath(key, true), stringifyValue(value));
    },
    delete(key) {
      const path = normalizePath(key, true);
      actions.delete(path);
      actions.set(path, { type: 'del' });
    },
    get(key) {
      const a = actions.get(normalizePath(key, false));
      if (a === undefined) return undefined;
      return a.type === 'put' ? { type: 'put', value: jsonParse(a.valueText) } : { type: 'del' };
    },
    addOplog(arg) {
      const pubkey = pubkeyOf(arg, 'addOplog');
      put('/.sys/inputs/' + pubkey, '{"pubkey":"' + pubkey + '","active":true}');
    },
    removeOplog(arg) {
      const pubkey = pubkeyOf(arg, 'removeOplog');
      put('/.sys/inputs/' + pubkey, '{"pubkey":"' + pubkey + '","active":false}');
    },
    setContractSource(arg) {
      const code = arg == null ? undefined : arg.code;
      if (typeof code !== 'string' || code.length === 0) {
        throw new ErrorCtor('setContractSource needs {code} as a non-empty string');
      }
      put('/.sys/contract/source', jsonStringify(code));
    }
  });
  const changes = () => {
    const paths = [];
    for (const p of actions.keys()) call(arrayPush, paths, p);
    call(arraySort, paths); // default sort compares UTF-16 code units, as PROTOCOL §3 orders changes
    const out = [];
    for (let i = 0; i < paths.length; i++) {
      const a = actions.get(paths[i]);
      const entry = a.type === 'put'
        ? '{"type":"put","path":' + jsonStringify(paths[i]) + ',"value":' + a.valueText + '}'
        : '{"type":"del","path":' + jsonStringify(paths[i]) + '}';
      const bytes = utf8Length(entry);
      if (bytes > MAX_ENTRY_BYTES) {
        throw new ErrorCtor('change to ' + paths[i] + ' is ' + bytes + ' bytes as an index entry, more than 65535');
      }
      call(arrayPush, out, [a.type, paths[i], a.type === 'put' ? a.valueText : null, entry]);
    }
    return out;
  };
  return { tx, changes };
}

// A monitor limit, not a contract failure: the host reports it as "could not verify".
class LimitError extends ErrorCtor {
  constructor(reason, message) {
    super(message);
    this.reason = reason;
  }
}

// ---- Outcomes cross to the host as plain arrays: [kind, payload...]. ----
function describeThrown(e) {
  try {
    if (e instanceof LimitError) return ['limit', e.reason, e.message];
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

// Settles a possibly-async result; the host drains the job queue when the call returns, so a
// promise that is still pending afterwards waited for something that will never happen.
function settle(value, onOk) {
  const box = { state: 'pending', value: undefined };
  const fulfilled = (v) => {
    try {
      box.value = onOk(v);
      box.state = 'done';
    } catch (e) {
      box.value = describeThrown(e);
      box.state = 'done';
    }
  };
  const rejected = (e) => {
    box.value = describeThrown(e);
    box.state = 'done';
  };
  if (value !== null && (typeof value === 'object' || typeof value === 'function') && typeof value.then === 'function') {
    call(PromiseThen, PromiseResolve(value), fulfilled, rejected);
  } else {
    fulfilled(value);
  }
  return box;
}

let contractApi = null;

const api = {
  index,
  listOplogs,
  genUUID() {
    refuse('genUUID()');
    return bridge.genUUID();
  },
  register(hooks) {
    contractApi = hooks;
  }
};
globalThis.__vitraContractApi = api;

// ---- Entry points called by the host (ContractSession). ----
export function seal() {
  delete globalThis.__vitraContractApi;
}

export function setDeterministic(on) {
  deterministic = on;
}

export function runApply(ns, opText, ackText, maxChanges) {
  const { tx, changes } = makeTx({ maxChanges });
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
  contractApi.setIsWriter(false);
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
    return { state: 'done', value: describeThrown(e) };
  }
  return settle(result, () => ['ok', changes()]);
}

export function runCall(ns, method, paramsText, isWriter) {
  const fn = ns[method];
  if (method === 'apply' || method === 'process' || typeof fn !== 'function') {
    return { state: 'done', value: ['failed', 'contract has no method ' + jsonStringify(method)] };
  }
  const emitted = [];
  const emit = (op) => {
    const text = jsonStringify(op);
    if (text === undefined || op === null || typeof op !== 'object' || isArray(op)) {
      throw new ErrorCtor('emit() needs an op object');
    }
    if (emitted.length >= 1000) {
      throw new LimitError('CHANGE_LIMIT', 'a call may emit at most 1000 ops');
    }
    call(arrayPush, emitted, text);
  };
  contractApi.setIsWriter(isWriter === true);
  let result;
  try {
    result = call(fn, ns, paramsText === null ? undefined : jsonParse(paramsText), emit);
  } catch (e) {
    return { state: 'done', value: describeThrown(e) };
  }
  return settle(result, (v) => {
    const text = v === undefined ? null : jsonStringify(v);
    return ['ok', text === undefined ? null : text, emitted];
  });
}

export function runProcess(ns, opText) {
  const fn = ns.process;
  if (typeof fn !== 'function') {
    return { state: 'done', value: ['ok', null] };
  }
  contractApi.setIsWriter(false);
  let result;
  try {
    result = call(fn, ns, jsonParse(opText));
  } catch (e) {
    return { state: 'done', value: describeThrown(e) };
  }
  return settle(result, (v) => {
    const text = v === undefined ? null : jsonStringify(v);
    return ['ok', text === undefined ? null : text];
  });
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

// Baseline: per watched object, whether it is extensible and its key count; per own property, its descriptor
// fields. The quick check (every transaction) compares extensibility, key counts and the values of data
// properties; the full check (every FULL_CHECK_EVERY transactions) compares every descriptor field too.
const FULL_CHECK_EVERY = 32;
let baseKeys = null;
let baseFields = null;
let baseShape = null;
let dataObjects = null;
let dataKeys = null;
let dataValues = null;
let checks = 0;

export function takeBaseline() {
  baseKeys = [];
  baseFields = [];
  baseShape = [];
  dataObjects = [];
  dataKeys = [];
  dataValues = [];
  for (let i = 0; i < watched.length; i++) {
    const o = watched[i];
    const keys = ReflectOwnKeys(o);
    call(arrayPush, baseShape, ObjectIsExtensible(o), keys.length);
    call(arrayPush, baseKeys, keys);
    for (let k = 0; k < keys.length; k++) {
      const d = ReflectGetOwnPropertyDescriptor(o, keys[k]);
      call(arrayPush, baseFields, d.value, d.get, d.set, d.writable === true, d.configurable === true, d.enumerable === true);
      if (d.get === undefined && d.set === undefined) {
        call(arrayPush, dataObjects, o);
        call(arrayPush, dataKeys, keys[k]);
        call(arrayPush, dataValues, d.value);
      }
    }
  }
}

function same(a, b) {
  return a === b || (a !== a && b !== b);
}

function quickCheck() {
  for (let i = 0; i < watched.length; i++) {
    const o = watched[i];
    if (ObjectIsExtensible(o) !== baseShape[2 * i] || ReflectOwnKeys(o).length !== baseShape[2 * i + 1]) return false;
  }
  for (let i = 0; i < dataObjects.length; i++) {
    if (!same(dataObjects[i][dataKeys[i]], dataValues[i])) return false;
  }
  return true;
}

function fullCheck() {
  let f = 0;
  for (let i = 0; i < watched.length; i++) {
    const o = watched[i];
    const keys = baseKeys[i];
    for (let k = 0; k < keys.length; k++, f += 6) {
      const d = ReflectGetOwnPropertyDescriptor(o, keys[k]);
      if (d === undefined || !same(d.value, baseFields[f]) || d.get !== baseFields[f + 1] || d.set !== baseFields[f + 2]
          || (d.writable === true) !== baseFields[f + 3] || (d.configurable === true) !== baseFields[f + 4]
          || (d.enumerable === true) !== baseFields[f + 5]) {
        return false;
      }
    }
  }
  return true;
}

/** True when the shared globals and intrinsics look as they did after setup (see the checks above). */
export function globalsIntact() {
  try {
    if (!quickCheck()) return false;
    checks++;
    return checks % FULL_CHECK_EVERY !== 0 || fullCheck();
  } catch (e) {
    // A getter planted by the contract threw: certainly not intact.
    return false;
  }
}
